package loyalty

import (
	"errors"
	"strconv"
	"strings"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/loyaltywire"
)

// Code is a result code: the relay's `code` field (0 success, positive values
// errors), or one of this package's own negative codes for failures that never
// reached the relay or that the relay did not describe (invalid input,
// transport, undecodable answers). Negative codes can never clash with the
// relay's.
type Code int

// Relay result codes (dms-osx packages/relay/src/utils/Errors.ts).
const (
	CodeOK                       Code = 0    // success
	CodeUnsupportedCurrency      Code = 1211 // this exchange rate is not supported
	CodeInvalidSignature         Code = 1501 // invalid signature
	CodeInsufficientBalance      Code = 1511 // insufficient balance
	CodePaymentIDExists          Code = 1530 // the payment ID already exists
	CodePaymentNotInProgress     Code = 1531 // payment is not in progress
	CodePaymentNotCancellable    Code = 1532 // payment is not in a cancellable condition
	CodePaymentNotBeingCancelled Code = 1533 // payment is not being cancelled
	CodeCancelPeriodExpired      Code = 1534 // the cancel period (7 days) has expired
	CodeInvalidParameters        Code = 2001 // failed to check the validity of parameters
	CodeInvalidAccessKey         Code = 2002 // the access key is not valid
	CodePaymentNotFound          Code = 2003 // the payment ID does not exist
	CodeTemporaryAccountNotFound Code = 2004 // temporary address that does not exist
	CodeMobileNotAllowed         Code = 2005 // mobile notification not allowed
	CodeCannotApprove            Code = 2020 // this status cannot be approved
	CodeCannotCancel             Code = 2022 // this status cannot be cancelled (only a closed payment can)
	CodeCannotClose              Code = 2024 // this status cannot be closed
	CodeAlreadyApproved          Code = 2025 // already approved
	CodeAlreadyClosed            Code = 2026 // already closed
	CodeAlreadyFailed            Code = 2027 // already approved and failed
	CodeCannotDeny               Code = 2028 // this status cannot be denied
	CodeForceClosed              Code = 2029 // the payment was force-closed
	CodeNotApprovedYet           Code = 2030 // cannot close before approval
	CodeDenied                   Code = 4000 // denied by user
	CodeContractError            Code = 5000 // smart contract error (also unrecognised internal errors)
	CodeServerError              Code = 6000 // server error
	CodeTimeout                  Code = 7000 // timeout period expired
	CodeUnknown                  Code = 9000 // unknown error, the relay's last fallback
)

// Codes of this package (negative: never sent by the relay).
const (
	// CodeInvalidInput: an argument failed validation; no request was sent.
	// Error.Field names the argument.
	CodeInvalidInput Code = -1
	// CodeTransport: the request could not be sent or its answer not read
	// (connection, TLS, timeout). The relay may have acted: the answer is lost.
	CodeTransport Code = -2
	// CodeDecode: the answer was not a well-formed envelope (not JSON,
	// truncated, missing code, data of the wrong shape).
	CodeDecode Code = -3
	// CodeTooLarge: the answer exceeded the client's size limit.
	CodeTooLarge Code = -4
	// CodeHTTPStatus: a non-2xx HTTP status without an envelope.
	CodeHTTPStatus Code = -5
	// CodeIllegalTransition: a waiter observed a status change the state
	// machine does not allow (see CanTransition).
	CodeIllegalTransition Code = -6
	// CodePaymentFailed: a waiter saw the leg end as failed (19/59).
	CodePaymentFailed Code = -7
	// CodeCanceled: the caller's context ended; Err is the context's error, so
	// errors.Is(err, context.Canceled) (or DeadlineExceeded) holds. Not lost: the caller
	// chose to stop (a request already on the wire may still have been applied).
	CodeCanceled Code = -8
)

var codeNames = map[Code]string{
	CodeOK:                       "success",
	CodeUnsupportedCurrency:      "unsupported currency",
	CodeInvalidSignature:         "invalid signature",
	CodeInsufficientBalance:      "insufficient balance",
	CodePaymentIDExists:          "payment id exists",
	CodePaymentNotInProgress:     "payment not in progress",
	CodePaymentNotCancellable:    "payment not cancellable",
	CodePaymentNotBeingCancelled: "payment not being cancelled",
	CodeCancelPeriodExpired:      "cancel period expired",
	CodeInvalidParameters:        "invalid parameters",
	CodeInvalidAccessKey:         "wrong access key",
	CodePaymentNotFound:          "unknown payment id",
	CodeTemporaryAccountNotFound: "unknown temporary account",
	CodeMobileNotAllowed:         "mobile notification not allowed",
	CodeCannotApprove:            "cannot approve in this status",
	CodeCannotCancel:             "cannot cancel in this status",
	CodeCannotClose:              "cannot close in this status",
	CodeAlreadyApproved:          "already approved",
	CodeAlreadyClosed:            "already closed",
	CodeAlreadyFailed:            "already approved and failed",
	CodeCannotDeny:               "cannot deny in this status",
	CodeForceClosed:              "force-closed",
	CodeNotApprovedYet:           "cannot close before approval",
	CodeDenied:                   "denied by user",
	CodeContractError:            "smart contract error",
	CodeServerError:              "server error",
	CodeTimeout:                  "timeout",
	CodeUnknown:                  "unknown error",
	CodeInvalidInput:             "invalid input",
	CodeTransport:                "transport error",
	CodeDecode:                   "undecodable answer",
	CodeTooLarge:                 "answer too large",
	CodeHTTPStatus:               "unexpected HTTP status",
	CodeIllegalTransition:        "illegal status transition",
	CodePaymentFailed:            "payment failed",
	CodeCanceled:                 "context ended",
}

// String returns a short description such as "wrong access key", or
// "code 1234" for a code this package does not know.
func (c Code) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return "code " + strconv.Itoa(int(c))
}

// IsClientSide reports whether c is one of this package's own (negative) codes.
func (c Code) IsClientSide() bool { return c < 0 }

// ValidationIssue is one entry of the relay's `error.validation` list
// (express-validator): which field failed and why. The offending value is not
// kept, so an issue never carries a secret.
type ValidationIssue struct {
	Field    string // "path" (or "param" in older relays), e.g. "shopId"
	Location string // "body", "query" or "params"
	Message  string // "msg", e.g. "Invalid value"
}

// Error is the one error type of this package: a relay answer with a non-zero
// code, an invalid argument, a lost answer, or the end of the caller's context. Use
// errors.As, or the helpers: a failed call is exactly one of refused (IsRefused: nothing
// was applied), lost (IsLost: it may have been applied — reconcile, never resend blindly)
// or ended by the caller's context (errors.Is(err, context.Canceled) or
// context.DeadlineExceeded). Error() never contains the access key, a fragment of it, or
// a signature, also when the server echoed them.
type Error struct {
	Op         string            // operation, e.g. "loyalty.OpenNewPayment"
	HTTPStatus int               // HTTP status of the answer; 0 if none was received
	Code       Code              // relay code, or a negative code of this package
	Message    string            // the relay's error.message (redacted, bounded), or our description
	Field      string            // the invalid argument's wire name, for CodeInvalidInput
	Validation []ValidationIssue // the relay's error.validation, for CodeInvalidParameters
	Err        error             // underlying cause (transport failure, context end), if any

	idempotent bool // the operation is safe to repeat (a read)
}

// Error formats the error as
// "loyalty.OpenNewPayment: code 2002 wrong access key: <relay message> (HTTP 200)":
// the operation once, the code as the relay's number and name (this package's own
// negative codes by name only), the message, the status and the cause.
func (e *Error) Error() string {
	var code string
	if e.Code < 0 {
		code = e.Code.String()
	} else if _, known := codeNames[e.Code]; known {
		code = "code " + strconv.Itoa(int(e.Code)) + " " + e.Code.String()
	} else {
		code = "code " + strconv.Itoa(int(e.Code))
	}
	msg := e.Message
	if msg == e.Code.String() {
		msg = ""
	}
	if e.Field != "" || len(e.Validation) > 0 {
		var b strings.Builder
		b.WriteString(e.Field)
		if msg != "" {
			if b.Len() > 0 {
				b.WriteString(" ")
			}
			b.WriteString(msg)
		}
		for i, v := range e.Validation {
			if i == 0 {
				if b.Len() > 0 {
					b.WriteString(" ")
				}
				b.WriteString("[")
			} else {
				b.WriteString(", ")
			}
			b.WriteString(v.Field)
			if v.Message != "" {
				b.WriteString(": ")
				b.WriteString(v.Message)
			}
			if i == len(e.Validation)-1 {
				b.WriteString("]")
			}
		}
		msg = b.String()
	}
	return apierr.Format(e.Op, code, msg, e.HTTPStatus, e.Err)
}

// outcome classifies the error (0 for a code that is neither, such as a waiter's
// decision codes).
func (e *Error) outcome() apierr.Outcome {
	switch e.Code {
	case CodeCanceled:
		return apierr.Canceled
	case CodeTransport, CodeDecode, CodeTooLarge:
		return apierr.Lost
	case CodeHTTPStatus:
		if e.HTTPStatus >= 500 {
			return apierr.Lost // a gateway's answer: the relay behind it may have acted
		}
		return apierr.Refused
	case CodeIllegalTransition, CodePaymentFailed:
		return 0
	}
	if apierr.IsContext(e.Err) {
		return apierr.Canceled
	}
	return apierr.Refused
}

// Retryable reports whether repeating the request may succeed and is safe: the relay's
// server error (6000), and HTTP 429 or 5xx answers of reads. It is false for the lost
// answer of a call that is not a read (never resend blindly what may have been applied)
// and for the end of the caller's context. The engine consults it for idempotent calls.
func (e *Error) Retryable() bool {
	switch e.outcome() {
	case apierr.Refused:
		if e.Code == CodeServerError {
			return true
		}
	case apierr.Lost:
		if !e.idempotent {
			return false // may have been applied: reconcile, never resend
		}
	default:
		return false
	}
	return e.idempotent && (e.HTTPStatus == 429 || e.HTTPStatus >= 500)
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, &Error{Code: c}) match any *Error with code c.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Op == "" || t.Op == e.Op)
}

// CodeOf returns the Code of the first *Error in err's chain, and false if
// there is none.
func CodeOf(err error) (Code, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}

// IsCode reports whether err is (or wraps) an *Error with code c.
func IsCode(err error, c Code) bool {
	got, ok := CodeOf(err)
	return ok && got == c
}

// IsInvalidInput reports whether err is an argument rejected before any request
// was sent (CodeInvalidInput), the relay's own parameter check (2001), or a
// malformed value refused by a parsing helper: an *AmountError (ParseAmount,
// ParseDecimal, …) or a *SignatureError about a message field (a signature that
// does not verify is IsInvalidSignature instead).
func IsInvalidInput(err error) bool {
	var ae *AmountError
	var se *SignatureError
	return IsCode(err, CodeInvalidInput) || IsCode(err, CodeInvalidParameters) ||
		errors.As(err, &ae) || (errors.As(err, &se) && se.Field != loyaltywire.ParamSignature)
}

// IsNotFound reports whether the relay does not know the payment id (2003).
func IsNotFound(err error) bool { return IsCode(err, CodePaymentNotFound) }

// IsAccessDenied reports whether the relay refused the access key (2002).
func IsAccessDenied(err error) bool { return IsCode(err, CodeInvalidAccessKey) }

// IsInsufficientBalance reports whether the user's balance is too low (1511).
func IsInsufficientBalance(err error) bool { return IsCode(err, CodeInsufficientBalance) }

// IsDenied reports whether the user or shop owner denied the payment (4000).
func IsDenied(err error) bool { return IsCode(err, CodeDenied) }

// IsTimeout reports whether the approval window expired (7000).
func IsTimeout(err error) bool { return IsCode(err, CodeTimeout) }

// IsTransport reports whether the request failed before an answer was read
// (CodeTransport). The relay may have acted: see each method's idempotency notes.
func IsTransport(err error) bool { return IsCode(err, CodeTransport) }

// IsLost reports whether the request was sent and no usable answer came back: a
// transport failure, an undecodable or oversized answer, or a gateway's 5xx without the
// relay's envelope. The request may have been applied: reconcile (read the payment with
// Client.Payment), never resend blindly. The end of the caller's context is not lost.
func IsLost(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.outcome() == apierr.Lost
}

// IsRefused reports whether the request was not sent (invalid input) or the relay
// answered with a refusal (a non-zero code, or a 4xx status): nothing was applied, so a
// corrected request may be sent.
func IsRefused(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.outcome() == apierr.Refused
	}
	var ae *AmountError
	var se *SignatureError
	return errors.As(err, &ae) || errors.As(err, &se)
}

// IsStateConflict reports whether the relay refused an operation because of the
// payment's current status (2020–2030, 1531–1534): read the payment to see where
// it stands.
func IsStateConflict(err error) bool {
	c, ok := CodeOf(err)
	if !ok {
		return false
	}
	return (c >= CodeCannotApprove && c <= CodeNotApprovedYet) ||
		(c >= CodePaymentNotInProgress && c <= CodeCancelPeriodExpired)
}

// invalidInput builds the CodeInvalidInput error for one argument.
func invalidInput(op, field, msg string) *Error {
	return &Error{Op: op, Code: CodeInvalidInput, Field: field, Message: msg}
}
