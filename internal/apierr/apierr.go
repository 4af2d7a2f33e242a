// Package apierr holds what every poskit package's *Error shares: the three outcomes a
// failed call can have and the one format of Error(). Each client package declares its own
// Error type with the same fields (Op, HTTPStatus, Code, Message, Err) and the same
// helpers (IsLost, IsRefused, IsInvalidInput, CodeOf), built on this package.
package apierr

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// Outcome is what a failed call tells its caller about the server's state.
type Outcome uint8

const (
	// Refused: the request was not sent (invalid input), or the server answered with a
	// refusal: nothing was applied, so a corrected request may be sent.
	Refused Outcome = iota + 1
	// Lost: the request was sent and no usable answer came back (connection dropped,
	// timeout, unreadable or oversized answer): it may have been applied. Reconcile
	// (read the state back); never resend blindly.
	Lost
	// Canceled: the caller's context ended; the error matches context.Canceled or
	// context.DeadlineExceeded with errors.Is. A request already on the wire may have been
	// applied, as with Lost.
	Canceled
)

// String returns "refused", "lost" or "canceled".
func (o Outcome) String() string {
	switch o {
	case Refused:
		return "refused"
	case Lost:
		return "lost"
	case Canceled:
		return "canceled"
	}
	return "unknown"
}

// IsContext reports whether err is the end of a context.
func IsContext(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Format writes the one shape of every poskit error string:
//
//	"smartro.NewOrder: E101: table occupied (HTTP 200): cause"
//
// op is named once (it already carries the package name); empty parts are left out.
func Format(op, code, message string, status int, cause error) string {
	var b strings.Builder
	b.Grow(len(op) + len(code) + len(message) + 24)
	b.WriteString(op)
	sep := func() {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
	}
	if code != "" {
		sep()
		b.WriteString(code)
	}
	if message != "" && message != code {
		sep()
		b.WriteString(message)
	}
	if status != 0 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(status))
		b.WriteString(")")
	}
	if cause != nil {
		if c := cause.Error(); c != "" && !strings.Contains(message, c) {
			sep()
			b.WriteString(c)
		}
	}
	return b.String()
}
