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
// WithRouteSet chooses RouteSetDocument (the default) or RouteSetRelay; both are
// endpoint tables declared once, with every path and JSON field name, in the
// module's internal wire package, which the fake relay shares.
//
// # Amounts
//
// Every amount is an exact count of 10⁻¹⁸ units, as the relay sends them. Build prices
// and balances in whole won or points with FromWhole — FromWhole(12000) is 12,000 KRW —
// and fractions with ParseDecimal("12000.5"); FromBaseUnits(12000) is 12,000 base units,
// 0.000000000000012 KRW, which converts to zero points (the relay and the contract accept
// such a payment and charge nothing). EstimatePayment computes the relay's estimate
// (what GET /v1/payment/info and the open answer show); ContractCharge what the ledger
// contract charges at approval, which the success callback and later reads carry.
//
// # Authentication
//
// KIOSK calls carry the access key in the Authorization header (raw value) and,
// for the document's POSTs, in the body field accessKey. Mobile calls carry a
// wallet signature instead. The key never appears in an error, a log line, or
// any fmt verb of a Client, option or CallbackHandler — also not when a server
// echoes it back in a message, a validation entry or a field that fails to parse,
// and not as a fragment of 8 or more of its characters.
//
// # Errors
//
// Every failure is an *Error with Op, HTTPStatus, Code, Message and Err (the cause).
// The relay answers HTTP 200 with a non-zero code for application errors (2002 wrong
// access key, 2003 unknown payment, 1511 insufficient balance, …); those codes are the
// Code constants. Invalid arguments are refused before any request with
// CodeInvalidInput; transport and decoding failures use the other negative codes.
// A failed call is exactly one of three outcomes: refused (IsRefused: nothing was
// applied; a corrected request may be sent), lost (IsLost: no usable answer came back,
// the request may have been applied — read the payment back, never resend blindly; a
// lost answer is never Retryable) or ended by the caller's context (errors.Is(err,
// context.Canceled) or context.DeadlineExceeded). Use errors.As, CodeOf or the helpers
// IsNotFound, IsAccessDenied, IsInvalidInput, ….
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
// (6000), with exponential back-off (WithRetry takes a RetryPolicy, the one retry
// policy of poskit; WithoutRetrySleep in tests) pausing on the client's Clock, and
// never after the context ends. Opens, closes, approvals and
// denials are sent exactly once.
//
// # Callbacks
//
// NewCallbackHandler returns an http.Handler accepting the three spellings of
// the result callback (document table, document examples, relay) and calling the user's
// function once per (paymentId, leg). A callback must carry the configured access key;
// one without a key is refused unless WithCallbackKeyless, which then confirms it with
// the relay's payment read before the application hears of it (a callback is a hint,
// the relay's answer is the truth). Payment ids are validated and canonicalised
// (CanonicalPaymentID), and the duplicate memory (CallbackStore) holds only
// authenticated callbacks and cannot be flushed by traffic.
// PaymentWaiter combines callbacks with polling and the 45-second approval rule.
//
// # Testing with the fake
//
// mock/loyaltymock serves both route sets from the same endpoint tables and the same
// state machine; fake.Client() returns a client wired to it (base URL, access
// key, the fake's clock). Its wallet acts only when the test says so — open, then
// fake.Approve(id) (or fake.Sync(ctx) for the scripted wallet), then close — so a test
// never races it. And loyaltyprop.CheckKioskIntegration
// (mock/loyaltymock/loyaltyprop) is a property a partner runs against its own KIOSK
// code. Time is injected: Clock and Timer are exported interfaces, so mock.Clock or a
// clock of your own drives retries and waiters.
package loyalty
