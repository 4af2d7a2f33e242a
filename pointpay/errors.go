package pointpay

import (
	"errors"

	"github.com/poskit/poskit/internal/apierr"
)

// Code says what went wrong. PointPay documents no error codes of its own (its only
// refusal word is the merchant's "202"), so every Code is this package's.
type Code string

// Codes of this package.
const (
	// CodeInvalidInput: an argument (PopupURL) or a callback field (ParseResult, the
	// receiver) failed validation: missing, too long, not a number, a bad date, a value
	// that would need escaping, a field sent twice. Message names the wire field.
	CodeInvalidInput Code = "invalid_input"
	// CodeForged: a callback that is not PointPay's: its rw_a_code is not the configured
	// media id, or it came from an address outside the allow-list. Never credited.
	CodeForged Code = "forged"
	// CodeDuplicate: a callback for an order number already credited, with the same
	// member and amount. Not credited again; answered "202|-|duplicate rw_orderno".
	CodeDuplicate Code = "duplicate"
	// CodeConflict: a callback reusing a recorded order number with another amount or
	// member. Never credited; reported through the error hook and the logger at warn.
	CodeConflict Code = "conflict"
	// CodeBusy: the order number is being credited right now (by this receiver or,
	// within the credit lease, by another replica sharing the store); PointPay resends.
	CodeBusy Code = "busy"
	// CodeCreditFailed: the application's credit function failed (or panicked). The
	// record is marked failed and PointPay's resend credits again, with the same order
	// number as idempotency key. Err holds the function's error.
	CodeCreditFailed Code = "credit_failed"
	// CodeStore: the Store failed. Before crediting, nothing was credited and PointPay
	// resends; after crediting, the answer is still 201 and the record stays "crediting"
	// (a resend or reconciliation finishes it).
	CodeStore Code = "store"
	// CodeMethod: the callback was not a POST.
	CodeMethod Code = "method"
	// CodeTooLarge: the callback body exceeded the receiver's cap.
	CodeTooLarge Code = "too_large"
	// CodeCafe24: the Bridge's Cafe24 call failed; Err is the *cafe24.Error (or the
	// context's error). IsLost says the adjustment may have been applied (the next call
	// with the same order number settles it); IsRefused says it was not.
	CodeCafe24 Code = "cafe24"
	// CodeNotCredited: Bridge.Cancel found no Cafe24 credit for the order number; nothing
	// was taken.
	CodeNotCredited Code = "not_credited"
)

// Error is the one error type of this package. Use errors.As or the IsXxx helpers.
// Error() names the operation once and never contains a member id or the media id.
type Error struct {
	Op         string // operation, e.g. "pointpay.PopupURL", "pointpay.Receiver"
	HTTPStatus int    // the HTTP status the receiver answered, or Cafe24's (Bridge); 0 elsewhere
	Code       Code   // what went wrong
	Message    string // our description; names the wire field for CodeInvalidInput
	Err        error  // cause (the credit function's or the store's error), if any

	outcome apierr.Outcome
}

// Error formats the error as "pointpay.Receiver: conflict: rw_orderno 42: … (HTTP 200)".
func (e *Error) Error() string {
	return apierr.Format(e.Op, string(e.Code), e.Message, e.HTTPStatus, e.Err)
}

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.Err }

func codeOf(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf returns the Code of the first *Error in err's chain, and false if there is none.
func CodeOf(err error) (Code, bool) {
	if e, ok := codeOf(err); ok {
		return e.Code, true
	}
	return "", false
}

func isCode(err error, c Code) bool {
	got, ok := CodeOf(err)
	return ok && got == c
}

// IsRefused reports whether nothing was applied: invalid input, a forged, duplicate,
// conflicting or busy callback, a wrong method or an oversized body.
func IsRefused(err error) bool {
	e, ok := codeOf(err)
	return ok && e.outcome == apierr.Refused
}

// IsLost reports whether an effect may or may not have happened: the credit function
// failed (it may have credited before failing), or the store failed after a credit. The
// order number, passed to the credit function as idempotency key, settles it.
func IsLost(err error) bool {
	e, ok := codeOf(err)
	return ok && e.outcome == apierr.Lost
}

// IsInvalidInput reports whether err is a rejected argument or callback field.
func IsInvalidInput(err error) bool { return isCode(err, CodeInvalidInput) }

// IsForged reports whether a callback was refused as not PointPay's (wrong rw_a_code or
// source address).
func IsForged(err error) bool { return isCode(err, CodeForged) }

// IsDuplicate reports whether a callback repeated an order number already credited.
func IsDuplicate(err error) bool { return isCode(err, CodeDuplicate) }

// IsConflict reports whether a callback reused a recorded order number with another
// amount or member.
func IsConflict(err error) bool { return isCode(err, CodeConflict) }

// IsNotCredited reports whether Bridge.Cancel found no credit to cancel.
func IsNotCredited(err error) bool { return isCode(err, CodeNotCredited) }

// IsCreditFailed reports whether the application's credit function failed.
func IsCreditFailed(err error) bool { return isCode(err, CodeCreditFailed) }

func invalid(op, field, msg string) *Error {
	return &Error{Op: op, Code: CodeInvalidInput, Message: field + ": " + msg, outcome: apierr.Refused}
}
