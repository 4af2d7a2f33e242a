// Package dodopointmock is a fake Dodo POS assist program: the local program a POS hands
// claims (적립) and cancels (적립 취소) to, speaking the modelled JSON-over-HTTP wire of
// package dodopoint's HTTPTransport, on loopback, on the shared fake base (mock.Server).
//
//	srv := dodopointmock.NewServer()
//	defer srv.Close()
//	ob, err := srv.Outbox(filepath.Join(dir, "outbox")) // an outbox delivering to the fake
//
// # What is modelled
//
// The Dodopoint document fixes the two operations and their rules, not the program's
// interface; everything below is our model (see dodopoint's package doc).
//
//   - POST /claim with the sales data: the program keeps the payment by its id, derives
//     the points (PointsFor: 1% of the total, rounded down) and offers them on the
//     tablet. Answer OK; a claim of an id it already has (also cancelled, also with other
//     sales data) is DUPLICATE and changes nothing; sales data that fail
//     dodopoint.Sale.Validate (or a body that is not the modelled JSON) is INVALID_SALE.
//   - POST /cancel with the payment id: voids the payment's points. Answer OK; a second
//     cancel is DUPLICATE; an id never claimed is NOT_CLAIMED (HTTP 409); a bad id is
//     INVALID_SALE.
//   - The simulated tablet: each claimed payment's offer is accepted or declined by the
//     customer as the TabletPolicy says (accept by default; "manual" leaves it pending
//     until AnswerOffer). Points are credited when accepted and not cancelled. The POS
//     is not told (the document gives it no way to know).
//   - Down and up: Down closes the program's listener — a closed tablet program is a port
//     nobody listens on, so the POS's connections are refused (CodeUnavailable), and a
//     request in flight loses its connection (lost). Up listens again on the same port.
//   - An injected mock.Fail fault answers BUSY with HTTP 503 unless it names a code and
//     status (nothing applied); DropAnswer applies and then drops the connection; Delay
//     holds the request on the fake clock ("slow"); Garbage answers a non-JSON body.
//     Faults are named by operation: "Claim", "Cancel".
//
// Every request is recorded (Requests). The named actions, for poskit-mock (GET
// /dodopoint/do lists them): down, up, tablet-policy, tablet-answer, claims, payment.
package dodopointmock
