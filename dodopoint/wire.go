package dodopoint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/endpoint"
)

// Modelled: the Dodopoint POS assist API ("dpa.dll") publishes no function names, fields,
// codes or transport. Every wire name below is our model of it — JSON over HTTP to the
// assist program on loopback — shared by the HTTP transport and the fake assist program.
// A partner's real spec changes this file only.
//
//	POST /claim   {"payment_id","total","paid_at","items":[{"name","unit_price","quantity"}]}
//	POST /cancel  {"payment_id"}
//	answer        {"code":"OK"|"DUPLICATE"|"NOT_CLAIMED"|"INVALID_SALE"|"BUSY","message":"…"}
const (
	wirePathClaim  = "/claim"  // Modelled: claim (적립)
	wirePathCancel = "/cancel" // Modelled: cancel (적립 취소)
)

// endpoints is the API's endpoint table, read by the HTTP transport and the fake assist
// program. Both operations are safe to repeat: the program de-duplicates by payment id.
var endpoints = endpoint.Table{API: "dodopoint", Endpoints: []endpoint.Endpoint{
	{Op: "Claim", Method: http.MethodPost, Path: wirePathClaim, Idempotent: true},
	{Op: "Cancel", Method: http.MethodPost, Path: wirePathCancel, Idempotent: true},
}}

// Modelled answer codes.
const (
	wireOK         = "OK"           // applied now
	wireDuplicate  = "DUPLICATE"    // already applied for this payment id: no second effect
	wireNotClaimed = "NOT_CLAIMED"  // cancel of a payment id the program never claimed
	wireInvalid    = "INVALID_SALE" // sales data refused
	wireBusy       = "BUSY"         // not applied; try again later
)

// maxAnswerBytes bounds an answer body the decoder reads.
const maxAnswerBytes = 64 << 10

// wireItem is one line item on the wire. Modelled.
type wireItem struct {
	Name      string `json:"name"`
	UnitPrice int64  `json:"unit_price"`
	Quantity  int64  `json:"quantity"`
}

// wireClaim is the body of POST /claim. Modelled.
type wireClaim struct {
	PaymentID string     `json:"payment_id"`
	Total     int64      `json:"total"`
	PaidAt    string     `json:"paid_at"` // RFC 3339 with offset
	Items     []wireItem `json:"items,omitempty"`
}

// wireCancel is the body of POST /cancel. Modelled.
type wireCancel struct {
	PaymentID string `json:"payment_id"`
}

// wireAnswer is the body of every answer. Modelled.
type wireAnswer struct {
	Code    *string `json:"code"`
	Message string  `json:"message,omitempty"`
}

// answerResult is what an accepted answer says.
type answerResult uint8

const (
	resultApplied   answerResult = iota + 1 // the program applied the operation now
	resultDuplicate                         // it had already applied it
)

// claimBody returns the wire body of a claim.
func claimBody(s Sale) wireClaim {
	w := wireClaim{PaymentID: s.PaymentID, Total: s.Total, PaidAt: s.PaidAt.Format(time.RFC3339Nano)}
	for _, it := range s.Items {
		w.Items = append(w.Items, wireItem(it))
	}
	return w
}

// saleFromWire turns a claim body into a validated Sale (for the fake program).
func saleFromWire(w wireClaim) (Sale, error) {
	t, err := time.Parse(time.RFC3339Nano, w.PaidAt)
	if err != nil {
		return Sale{}, newError("dodopoint.Claim", CodeInvalidInput, "paid_at is not RFC 3339", err)
	}
	s := Sale{PaymentID: w.PaymentID, Total: w.Total, PaidAt: t}
	for _, it := range w.Items {
		s.Items = append(s.Items, Item(it))
	}
	return s, s.check("dodopoint.Claim")
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
	bad := func(msg string, cause error) error {
		e := newError(op, CodeBadAnswer, msg, cause)
		e.HTTPStatus = status
		return e
	}
	if len(body) > maxAnswerBytes {
		return 0, bad(fmt.Sprintf("answer of %d bytes is over %d", len(body), maxAnswerBytes), nil)
	}
	var a wireAnswer
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&a); err != nil {
		return 0, bad("answer is not a JSON object", err)
	}
	if dec.More() {
		return 0, bad("answer has data after the JSON object", nil)
	}
	if a.Code == nil || *a.Code == "" {
		return 0, bad("answer has no code", nil)
	}
	code := *a.Code
	switch code {
	case wireOK:
		return resultApplied, nil
	case wireDuplicate:
		return resultDuplicate, nil
	}
	e := newError(op, Code(code), a.Message, nil)
	e.HTTPStatus = status
	switch code {
	case wireBusy:
		e.Code = CodeUnavailable
	case wireNotClaimed:
		e.Code = CodeNotClaimed
	case wireInvalid:
		e.Code = CodeInvalidSale
	default:
		e.outcome = apierr.Refused // a program code we do not know is still its refusal
		if len(code) > 64 {
			e.Code = Code(code[:64])
		}
	}
	return 0, e
}
