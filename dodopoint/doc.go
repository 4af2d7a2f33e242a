// Package dodopoint sets Dodopoint points from real sales: it passes each payment's sales
// data to the local Dodo POS assist program (claim, 적립) and tells it when a payment is
// cancelled (cancel, 적립 취소), through a durable local queue so the POS never blocks a sale
// on the program.
//
//	ob, err := dodopoint.OpenFile("dodopoint.outbox", transport)
//	…
//	err = ob.Claim(ctx, dodopoint.Sale{PaymentID: "POS1-000123", Total: 12000, PaidAt: now})
//	…
//	err = ob.Cancel(ctx, "POS1-000123")
//
// The Transport is the seam to the program; HTTPTransport (NewHTTPTransport) is the shipped
// one. Outbox (OpenFile, or NewOutbox over any Store) queues operations on disk and
// delivers them in order:
//
//	transport, err := dodopoint.NewHTTPTransport("http://127.0.0.1:8650")
//	…
//	ob, err := dodopoint.OpenFile("dodopoint.outbox", transport)
//
// # Idempotency
//
// The payment id (Sale.PaymentID, 1–64 printable ASCII, made up by the POS and unique per
// payment) is the key of every rule:
//   - claiming an id twice is one claim (the second Claim returns nil and queues nothing;
//     with other sales data it is CodeConflict; after a cancel CodeAlreadyCancelled);
//   - cancelling twice is one cancel;
//   - cancelling an id never claimed is CodeNotClaimed;
//   - a cancel whose claim has not reached the program withdraws it: the claim is never
//     delivered and the payment ends StateCancelledBeforeDelivery. A claim that may have
//     reached the program (an attempt's answer was lost, or it was queued before a
//     restart) is delivered first and then cancelled.
//
// The program de-duplicates by payment id too (Modelled: answer DUPLICATE). That is what
// makes a resend safe: after a lost answer or a restart the outbox sends the same
// operation again, never a different one, and never a claim after its cancel.
//
// Finished payments are compacted: a delivered claim keeps only id, total and time, and
// beyond WithRetainDone finished payments the oldest are removed. A claim of a removed
// id is queued again and the program answers it as a duplicate; a cancel of an id the
// outbox no longer knows is queued and the program judges it (NOT_CLAIMED ends it
// StateFailed).
//
// # Durability
//
// Claim and Cancel return once the operation is in the store: with OpenFile that is a
// bbolt file and an fsync'd transaction. Concurrent callers share transactions (group
// commit), so many claims cost one fsync. Closing and reopening the file, or a crash of
// the process, loses nothing acknowledged; operations queued before a restart are
// delivered after it. The file is locked: a second outbox on it (in this or another
// process) fails with CodeStoreLocked. A damaged or truncated file fails with
// CodeStoreCorrupt naming the file, never silently starts empty. WithMaxQueued bounds the
// queue (CodeOutboxFull).
//
// # Retries
//
// One goroutine delivers the oldest queued operation, then the next: submission order
// overall, and so order per payment id. When the program is down, busy or an answer is
// lost, the same operation is retried after pauses of the shared RetryPolicy
// (DefaultRetry) on the outbox's Clock (WithClock); the outbox never gives up on a
// program that may come back. A definitive refusal (CodeInvalidSale, CodeNotClaimed, an
// unknown program code) ends the operation StateFailed. Every state change is reported by
// Outbox.Status and the WithOnState callback.
// The outbox is the only retry loop: HTTPTransport sends each request once and reports
// the failure (refused, lost or the context's), so retries never nest.
//
// # Errors
//
// Every error is *Error (Op, HTTPStatus, Code, Message, Err). IsInvalidInput,
// IsNotClaimed, IsConflict, IsAlreadyCancelled, IsOutboxFull, IsUnavailable, IsClosed,
// IsCorrupt, IsLocked test the code; IsRefused (not applied) and IsLost (may have been
// applied) tell the outcomes apart. A context that ended is returned as the context's
// error (errors.Is(err, context.Canceled)), never as lost.
//
// # Modelled
//
// The Dodopoint document fixes the two operations and their rules, not the interface of
// dpa.dll (names, types, codes, transport). HTTPTransport speaks our model of it, kept in
// one internal wire package shared with the fake assist program (mock/dodopointmock) —
// JSON over HTTP to the program on loopback, POST /claim and POST /cancel, answer codes
// OK, DUPLICATE, NOT_CLAIMED, INVALID_SALE, BUSY — as are the Code values of this package
// and the limits of a Sale's items. A DLL binding would be a second Transport.
//
// Package dodopointprop holds a rapid property a partner can run against their own
// Transport.
package dodopoint
