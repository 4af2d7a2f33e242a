package smartro

import (
	"errors"
	"strings"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/redact"
)

// Error is every error this package returns: a refusal from the agent (Code = its ERRCODE,
// or one of our Modelled codes), an input check that failed before sending
// (CodeInvalidInput and the catalog codes), a failure to get a usable answer
// (CodeTransport, CodeBadAnswer, CodeResultFail: lost), or the caller's context ending
// (CodeCanceled; Err is the context's error). Use errors.As or the helpers (IsLost,
// IsRefused, IsInvalidInput, CodeOf, IsOccupied, …). Error() never contains a card number
// in the clear or a credential.
type Error struct {
	Op         string // operation, e.g. "smartro.NewOrder"
	HTTPStatus int    // HTTP status of the answer; 0 when none arrived or none was sent
	Code       string // ERRCODE as received, or one of the Code* constants
	Message    string // MSG and MSG2 joined, or our own description
	Err        error  // cause, if any: the transport failure, the context's error, a decode error
}

// Error formats the error as "smartro.NewOrder: code: message (HTTP n): cause", naming the
// operation once. Runs of 12 or more digits (card numbers) are masked, whoever set them.
func (e *Error) Error() string {
	return maskDigitRuns(apierr.Format(e.Op, e.Code, e.Message, e.HTTPStatus, e.Err))
}

// Unwrap returns the cause, if any (e.g. context.DeadlineExceeded).
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether repeating the same request may succeed: an occupied table,
// the agent being offline, HTTP 429/5xx. A lost answer is never retryable (the request may
// have been applied: reconcile instead), nor is the end of the caller's context. The HTTP
// engine asks it only of requests safe to repeat (lookups).
func (e *Error) Retryable() bool {
	if e.lost() || e.Code == CodeCanceled {
		return false
	}
	switch e.Code {
	case CodeOccupied, CodeAgentOffline:
		return true
	}
	return e.HTTPStatus == 429 || e.HTTPStatus >= 500
}

// outcome is what the error says about the agent's state.
func (e *Error) outcome() apierr.Outcome {
	switch {
	case e.lost():
		return apierr.Lost
	case e.Code == CodeCanceled || apierr.IsContext(e.Err):
		return apierr.Canceled
	}
	return apierr.Refused
}

func (e *Error) lost() bool {
	return e.Code == CodeTransport || e.Code == CodeBadAnswer || e.Code == CodeResultFail
}

// redactCause returns err, or a plain error with its text redacted when the text holds a
// secret (so neither Error() nor errors.Unwrap can reach it).
func redactCause(red *redact.Redactor, err error) error {
	if err == nil || red.Empty() {
		return err
	}
	if msg := err.Error(); red.Contains(msg) {
		return redactedError(red.String(msg))
	}
	return err
}

type redactedError string

func (r redactedError) Error() string { return string(r) }

// messageHints maps phrases of a real answer's MSG to our codes when its ERRCODE is one we
// do not know. Modelled: no list of real codes exists; the words are the guide's.
var messageHints = []struct{ word, code string }{
	{"점유", CodeOccupied},
	{"영업개시", CodeBusinessDayClosed},
	{"영업 개시", CodeBusinessDayClosed},
	{"Agent", CodeAgentOffline},
	{"에이전트", CodeAgentOffline},
}

// kind returns the code the helpers test: Code itself when it is one of ours, else a code
// derived from the message hints, else Code.
func (e *Error) kind() string {
	if strings.HasPrefix(e.Code, "PKT_") {
		return e.Code
	}
	for _, h := range messageHints {
		if strings.Contains(e.Message, h.word) {
			return h.code
		}
	}
	return e.Code
}

func asError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

func hasKind(err error, codes ...string) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	k := e.kind()
	for _, c := range codes {
		if k == c {
			return true
		}
	}
	return false
}

// IsOccupied reports whether the table is occupied by the POS (screen open or a payment
// in progress): the order was refused and may be sent again after a pause.
func IsOccupied(err error) bool { return hasKind(err, CodeOccupied) }

// IsBusinessDayClosed reports whether the POS has not opened its business day.
func IsBusinessDayClosed(err error) bool { return hasKind(err, CodeBusinessDayClosed) }

// IsAgentOffline reports whether the Order Agent is not running or unreachable.
func IsAgentOffline(err error) bool { return hasKind(err, CodeAgentOffline) }

// IsExpired reports whether an order was not delivered to the POS within 60 s and dropped.
func IsExpired(err error) bool { return hasKind(err, CodeOrderExpired) }

// IsInvalidInput reports whether the input was refused: by this package before sending
// (CodeInvalidInput) or by the agent as a malformed request (CodeInvalidRequest).
func IsInvalidInput(err error) bool { return hasKind(err, CodeInvalidInput, CodeInvalidRequest) }

// IsUnknownItem reports whether an item or add-on is unknown (to the agent or the catalog).
func IsUnknownItem(err error) bool { return hasKind(err, CodeUnknownItem, CodeUnknownAddOn) }

// IsUnknownTable reports whether the table is unknown (to the agent or the catalog).
func IsUnknownTable(err error) bool { return hasKind(err, CodeUnknownTable) }

// IsUnknownOrder reports whether the referenced table order (ORG_ORDERNO) is unknown.
func IsUnknownOrder(err error) bool { return hasKind(err, CodeUnknownOrder) }

// IsAddNotAllowed reports whether an additional order was refused because the table order
// is cancelled, returned or paid.
func IsAddNotAllowed(err error) bool { return hasKind(err, CodeAddNotAllowed) }

// IsInactiveItem reports whether the catalog says an item is switched off.
func IsInactiveItem(err error) bool { return hasKind(err, CodeInactiveItem) }

// IsPriceMismatch reports whether an order's price differs from the catalog's.
func IsPriceMismatch(err error) bool { return hasKind(err, CodePriceMismatch) }

// IsTrackerClosed reports whether Tracker.Wait returned because the tracker was closed
// before the order reached a terminal state (CodeTrackerClosed): the order's fate is
// still open; its last state comes with the error.
func IsTrackerClosed(err error) bool { return hasKind(err, CodeTrackerClosed) }

// IsLost reports whether err means no usable answer arrived (connection failure, timeout,
// an answer that is not a readable envelope, e.g. a proxy's HTTP 502 page or a JSON object
// without RESULT/ERRCODE, or a RESULT other than SUCCESS without an ERRCODE —
// CodeResultFail): the request may have been applied. Reconcile, never resend blindly:
// for an order, look up its MCHT_ORDERNO (Tracker does). The caller's own context ending is
// not lost (errors.Is(err, context.Canceled) or context.DeadlineExceeded tells it).
func IsLost(err error) bool {
	if err == nil {
		return false
	}
	e, ok := asError(err)
	if !ok {
		return !apierr.IsContext(err) // not ours: we cannot tell, so assume the worst
	}
	return e.outcome() == apierr.Lost
}

// IsRefused reports whether the request was refused: by the agent (an answer with an
// ERRCODE) or by our input checks before sending. Nothing was applied, so a corrected
// request may be sent. Lost answers, the end of the caller's context and a closed tracker
// (IsTrackerClosed) are not refusals.
func IsRefused(err error) bool {
	e, ok := asError(err)
	return ok && e.outcome() == apierr.Refused && e.Code != CodeTrackerClosed
}

// CodeOf returns the Code of err's *Error ("" when err is not one).
func CodeOf(err error) string {
	if e, ok := asError(err); ok {
		return e.Code
	}
	return ""
}
