// Package loyalty is a client of the DMS Relay KIOSK payment API: a shop's
// KIOSK or POS pays with a user's loyalty points, the user approves in a wallet
// app, and the relay reports the result to the KIOSK's callback URL.
//
// A payment has two legs. The new leg: OpenNewPayment, the wallet approves
// (ApproveNewPayment) or denies, the relay calls back, the KIOSK closes with
// CloseNewPayment. The cancel leg (within 7 days of a closed payment):
// OpenCancelPayment, the shop owner approves or denies, CloseCancelPayment.
// PaymentStatus models both numberings (the document's 1–9 and the relay's
// 11–19/51–59) and the one state machine (CanTransition, Next, IsTerminal).
//
// # Routes
//
// The source document and the running relay name the endpoints differently.
// DocumentRoutes (default) and RelayRoutes are both supported; every path and
// JSON field name lives in wire.go.
//
// # Authentication
//
// KIOSK calls carry the access key in the Authorization header (raw value) and,
// for the document's POSTs, in the body field accessKey. Mobile calls carry a
// wallet signature instead. The key never appears in an error, a log line, or
// the %v of a Client, option or CallbackHandler.
//
// # Errors
//
// Every failure is an *Error with Op, HTTPStatus, Code and Message. The relay
// answers HTTP 200 with a non-zero code for application errors (2002 wrong access
// key, 2003 unknown payment, 1511 insufficient balance, …); those codes are the
// Code constants. Invalid arguments are refused before any request with
// CodeInvalidInput; transport and decoding failures use the other negative codes.
// Use errors.As or the helpers IsNotFound, IsAccessDenied, IsInvalidInput, ….
// A call that succeeds does not mean the payment succeeded: a close can answer
// code 0 with a failed status (19/59).
//
// # Idempotency
//
// Reads are retried. Calls that move money are never resent blindly: each
// method's documentation says what de-duplicates it and how to resolve a lost
// answer (read the payment with Payment, never resend a close).
//
// # Retries
//
// Reads (balance, info, item, shop info, shop withdrawal, chain id, nonce)
// are retried on transport errors, HTTP 429/5xx and the relay's server error
// (6000), with exponential back-off through backoff/v4 (WithRetry;
// WithoutRetrySleep in tests), and never after the context ends. Opens, closes, approvals and
// denials are sent exactly once.
//
// # Callbacks
//
// NewCallbackHandler returns an http.Handler accepting the three spellings of
// the result callback (document table, document examples, relay), checking the
// access key, and calling the user's function once per (paymentId, leg).
// PaymentWaiter combines callbacks with polling and the 45-second approval rule.
//
// # Testing with the fake
//
// mock/loyaltymock serves both route sets from the same Routes table and the same
// state machine; fake.Client() returns a client wired to it (base URL, access
// key, the fake's clock), and loyaltymock.CheckKioskIntegration is a property
// a partner runs against its own KIOSK code.
package loyalty
