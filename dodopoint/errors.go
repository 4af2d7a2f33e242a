package dodopoint

import (
	"context"
	"errors"

	"github.com/poskit/poskit/internal/apierr"
)

// Code says why an operation failed. The codes are this package's own: the Dodopoint
// document publishes none. Codes the assist program answers with are mapped to these
// constants by the transport (Modelled: see HTTPTransport); an unknown program code is kept as
// it came.
type Code string

const (
	// CodeInvalidInput: the sale or payment id failed a check before anything was queued
	// or sent. Nothing was written.
	CodeInvalidInput Code = "INVALID_INPUT"
	// CodeNotClaimed: a cancel named a payment id that was never claimed (by this outbox,
	// or — answered by the assist program — by the program).
	CodeNotClaimed Code = "NOT_CLAIMED"
	// CodeConflict: a claim reused a payment id already claimed with other sales data.
	// The first claim stands; nothing was written.
	CodeConflict Code = "CONFLICT"
	// CodeAlreadyCancelled: a claim named a payment id that was already cancelled. The
	// payment stays cancelled; nothing was written.
	CodeAlreadyCancelled Code = "ALREADY_CANCELLED"
	// CodeInvalidSale: the assist program refused the sales data. Permanent.
	CodeInvalidSale Code = "INVALID_SALE"
	// CodeUnavailable: the assist program is not running, not reachable or busy; the
	// request was not applied. The outbox keeps retrying.
	CodeUnavailable Code = "UNAVAILABLE"
	// CodeLost: the request was sent and no usable answer came back; it may have been
	// applied. The outbox retries: the program de-duplicates by payment id.
	CodeLost Code = "LOST"
	// CodeBadAnswer: the program's answer could not be read (not the modelled JSON, or
	// no code). Counts as lost.
	CodeBadAnswer Code = "BAD_ANSWER"
	// CodeOutboxFull: the outbox holds its maximum of queued operations (WithMaxQueued);
	// nothing was written. Retry once the program has caught up.
	CodeOutboxFull Code = "OUTBOX_FULL"
	// CodeClosed: the outbox was closed.
	CodeClosed Code = "CLOSED"
	// CodeStore: the store failed to read or write. After a failed write the outbox
	// refuses every further operation (what was acknowledged before stays on disk).
	CodeStore Code = "STORE"
	// CodeStoreCorrupt: the outbox file (or a record in a store) is damaged or
	// truncated. The outbox refuses to open rather than start empty.
	CodeStoreCorrupt Code = "STORE_CORRUPT"
	// CodeStoreLocked: the outbox file is open in another outbox (this or another
	// process).
	CodeStoreLocked Code = "STORE_LOCKED"
)

// Error is every error this package returns: an input check (CodeInvalidInput), an outbox
// rule (CodeNotClaimed, CodeConflict, CodeOutboxFull, …), a store failure, or a failed
// delivery reported by a Transport. Use errors.As or the IsXxx helpers. A context that
// ended is returned as the context's error, never as an *Error.
type Error struct {
	Op         string // operation, e.g. "dodopoint.Claim"
	HTTPStatus int    // HTTP status of the program's answer; 0 when none
	Code       Code   // one of the Code constants, or the program's own code
	Message    string // human-readable detail
	Err        error  // cause, if any

	outcome apierr.Outcome // 0: derived from Code
}

// Error formats the error as "dodopoint.Claim: CODE: message (HTTP n): cause".
func (e *Error) Error() string {
	return apierr.Format(e.Op, string(e.Code), e.Message, e.HTTPStatus, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// outcomeOf tells the three results of a failed call apart: refused (not applied), lost
// (may have been applied) or canceled. A zero outcome field is derived from the code,
// so a Transport written outside this package only has to set Code.
func (e *Error) outcomeOf() apierr.Outcome {
	if e.outcome != 0 {
		return e.outcome
	}
	if apierr.IsContext(e.Err) {
		return apierr.Canceled
	}
	switch e.Code {
	case CodeLost, CodeBadAnswer:
		return apierr.Lost
	}
	return apierr.Refused
}

func newError(op string, code Code, msg string, cause error) *Error {
	return &Error{Op: op, Code: code, Message: msg, Err: cause}
}

func asError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf returns the Code of err when err is (or wraps) an *Error.
func CodeOf(err error) (Code, bool) {
	if e, ok := asError(err); ok {
		return e.Code, true
	}
	return "", false
}

func hasCode(err error, codes ...Code) bool {
	c, ok := CodeOf(err)
	if !ok {
		return false
	}
	for _, x := range codes {
		if c == x {
			return true
		}
	}
	return false
}

// IsLost reports whether err means a request was sent and no usable answer came back
// (CodeLost, CodeBadAnswer, or an error a Transport returned that is not an *Error): it
// may have been applied. A context that ended is not lost.
func IsLost(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	e, ok := asError(err)
	if !ok {
		return true // not ours: assume the worst
	}
	return e.outcomeOf() == apierr.Lost
}

// IsRefused reports whether err is a definitive "not applied": an input check, an outbox
// rule, or a refusal from the assist program.
func IsRefused(err error) bool {
	e, ok := asError(err)
	return ok && e.outcomeOf() == apierr.Refused
}

// IsInvalidInput reports whether the sale or payment id failed a check before anything
// was written (CodeInvalidInput) or the program refused the sales data (CodeInvalidSale).
func IsInvalidInput(err error) bool { return hasCode(err, CodeInvalidInput, CodeInvalidSale) }

// IsNotClaimed reports whether a cancel named a payment id that was never claimed.
func IsNotClaimed(err error) bool { return hasCode(err, CodeNotClaimed) }

// IsConflict reports whether a claim reused a payment id with other sales data.
func IsConflict(err error) bool { return hasCode(err, CodeConflict) }

// IsAlreadyCancelled reports whether a claim named a payment id already cancelled.
func IsAlreadyCancelled(err error) bool { return hasCode(err, CodeAlreadyCancelled) }

// IsOutboxFull reports whether the outbox refused an operation because it is full.
func IsOutboxFull(err error) bool { return hasCode(err, CodeOutboxFull) }

// IsUnavailable reports whether the assist program could not be reached (not applied).
func IsUnavailable(err error) bool { return hasCode(err, CodeUnavailable) }

// IsClosed reports whether the outbox was closed.
func IsClosed(err error) bool { return hasCode(err, CodeClosed) }

// IsCorrupt reports whether an outbox file or record is damaged.
func IsCorrupt(err error) bool { return hasCode(err, CodeStoreCorrupt) }

// IsLocked reports whether the outbox file is already open elsewhere.
func IsLocked(err error) bool { return hasCode(err, CodeStoreLocked) }

// retryable reports whether delivering the same operation again may help: the program
// was unreachable or busy, or the answer was lost (the program de-duplicates by payment
// id, so repeating is safe).
func retryable(err error) bool {
	e, ok := asError(err)
	if !ok {
		return true
	}
	return e.Code == CodeUnavailable || e.outcomeOf() == apierr.Lost
}
