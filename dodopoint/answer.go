package dodopoint

import (
	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/dodopointwire"
)

// answerResult is what an accepted answer says.
type answerResult uint8

const (
	resultApplied   answerResult = iota + 1 // the program applied the operation now
	resultDuplicate                         // it had already applied it
)

// claimBody returns the wire body of a claim.
func claimBody(s Sale) dodopointwire.Claim {
	w := dodopointwire.Claim{PaymentID: s.PaymentID, Total: s.Total, PaidAt: s.PaidAt.Format(dodopointwire.TimeLayout)}
	if len(s.Items) > 0 {
		w.Items = make([]dodopointwire.Item, len(s.Items))
		for i, it := range s.Items {
			w.Items[i] = dodopointwire.Item(it)
		}
	}
	return w
}

// decodeAnswer turns the program's answer to op ("dodopoint.Claim" or "dodopoint.Cancel")
// into a result or an *Error. It is pure and total: any status and body give one of
// them, never a panic.
//
//   - OK / DUPLICATE → resultApplied / resultDuplicate (the HTTP status is not consulted:
//     the code is the program's word)
//   - BUSY → CodeUnavailable (not applied), NOT_CLAIMED → CodeNotClaimed,
//     INVALID_SALE → CodeInvalidSale, any other code → that code, refused
//   - a body that is not one JSON object with a string "code" → CodeBadAnswer (lost)
func decodeAnswer(op string, status int, body []byte) (answerResult, error) {
	d := dodopointwire.DecodeAnswer(body)
	if d.Problem != "" {
		e := newError(op, CodeBadAnswer, d.Problem, d.Err)
		e.HTTPStatus = status
		return 0, e
	}
	switch d.Code {
	case dodopointwire.CodeOK:
		return resultApplied, nil
	case dodopointwire.CodeDuplicate:
		return resultDuplicate, nil
	}
	e := newError(op, Code(d.Code), d.Message, nil)
	e.HTTPStatus = status
	switch d.Code {
	case dodopointwire.CodeBusy:
		e.Code = CodeUnavailable
	case dodopointwire.CodeNotClaimed:
		e.Code = CodeNotClaimed
	case dodopointwire.CodeInvalidSale:
		e.Code = CodeInvalidSale
	default:
		e.outcome = apierr.Refused // a program code we do not know is still its refusal
		if len(d.Code) > 64 {
			e.Code = Code(d.Code[:64])
		}
	}
	return 0, e
}
