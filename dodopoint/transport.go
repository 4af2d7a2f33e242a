package dodopoint

import (
	"context"

	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/retry"
)

// Clock tells the time and makes timers; the outbox's retry pauses sleep on it. Pass a
// mock.Clock in tests.
type Clock = clockx.Clock

// Timer is the timer a Clock hands out.
type Timer = clockx.Timer

// RetryPolicy shapes the pauses between deliveries of an operation the assist program
// could not take (see the Retries section of the package doc).
type RetryPolicy = retry.Policy

// ClaimRequest asks the assist program to set the points of a sale and offer them on the
// tablet (적립).
type ClaimRequest struct {
	Sale Sale
}

// CancelRequest asks the assist program to void the points of a claimed payment (적립 취소).
type CancelRequest struct {
	PaymentID string
}

// Transport is the seam to the Dodopoint POS assist program: the document fixes the two
// operations and their rules, not the wire format (Modelled: JSON over HTTP on loopback,
// see HTTPTransport; a dpa.dll binding can be a second Transport). The outbox calls one method
// at a time.
//
// Contract for implementations:
//   - nil: the program applied the operation, or had already applied it (it
//     de-duplicates by payment id: a second claim or cancel of the same id is no second
//     effect).
//   - *Error with CodeUnavailable: not applied (program down, not listening, busy); the
//     outbox retries.
//   - *Error with CodeLost or CodeBadAnswer, or any error that is not an *Error: maybe
//     applied; the outbox retries, relying on the program's de-duplication.
//   - *Error with any other code (CodeNotClaimed, CodeInvalidSale, a program code):
//     definitive refusal; the operation ends failed.
//   - the context's error when ctx ended (the outbox is closing); the operation stays
//     queued.
type Transport interface {
	// Claim passes a sale to the program so it sets and offers its points.
	// Idempotency: keyed by Sale.PaymentID at the program.
	Claim(ctx context.Context, req ClaimRequest) error
	// Cancel voids the points of a claimed payment. Idempotency: keyed by PaymentID at
	// the program; a cancel of an id the program never claimed is CodeNotClaimed.
	Cancel(ctx context.Context, req CancelRequest) error
}
