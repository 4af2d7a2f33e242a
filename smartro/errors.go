package smartro

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// Error is every error this package returns: a refusal from the agent (Code = its ERRCODE,
// or one of our Modelled codes), an input check that failed before sending
// (CodeInvalidInput and the catalog codes), or a failure to get a usable answer
// (CodeTransport, CodeBadAnswer, CodeResultFail). Use errors.As or the IsXxx helpers. Error() never contains a card number
// in the clear or a credential.
type Error struct {
	Op         string // operation, e.g. "smartro.NewOrder"
	HTTPStatus int    // HTTP status of the answer; 0 when none arrived or none was sent
	Code       string // ERRCODE as received, or one of the Code* constants
	Message    string // MSG and MSG2 joined, or our own description
	err        error  // cause (transport errors, context errors)
}

// Error formats the error as "smartro: op: code: message (HTTP n)". Runs of 12 or more
// digits in the message (card numbers) are masked, whoever set it.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("smartro: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(maskDigitRuns(e.Message))
	}
	if e.HTTPStatus != 0 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the cause, if any (e.g. context.DeadlineExceeded).
func (e *Error) Unwrap() error { return e.err }

// Retryable reports whether repeating the same request may succeed: an occupied table,
// the agent being offline, HTTP 429/5xx. The engine retries only idempotent requests.
func (e *Error) Retryable() bool {
	switch e.Code {
	case CodeOccupied, CodeAgentOffline:
		return true
	}
	return e.HTTPStatus == 429 || e.HTTPStatus >= 500
}

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
// cancelled context, an answer that is not a readable envelope, e.g. a proxy's HTTP 502
// page or a JSON object without RESULT/ERRCODE, or a RESULT other than SUCCESS without an
// ERRCODE — CodeResultFail): the request may or may not have acted.
// For an order, resolve it by looking up its MCHT_ORDERNO (Tracker does), never resend it.
func IsLost(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	e, ok := asError(err)
	if !ok {
		return true // not ours: we cannot tell, so assume the worst
	}
	return e.Code == CodeTransport || e.Code == CodeBadAnswer || e.Code == CodeResultFail
}

// IsRefused reports whether the agent definitively refused the request (an answer with an
// ERRCODE, or our input checks): it did not act, so a corrected request may be sent. A
// closed tracker (IsTrackerClosed) is neither lost nor refused.
func IsRefused(err error) bool {
	if err == nil {
		return false
	}
	_, ok := asError(err)
	return ok && !IsLost(err) && !IsTrackerClosed(err)
}
