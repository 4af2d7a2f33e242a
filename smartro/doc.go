// Package smartro is a client of the Smartro Order Agent for Smile POS: the server-to-server
// JSON interface through which a partner's table-order tablets and kiosks read a store's
// tables and menu and send orders to its POS.
//
// The wire format (hosts, paths, field names; all in internal/smartrowire, with the
// endpoint table the client and its fake share) was observed from a partner's public
// client, not taken from Smartro's published spec, which gives only the flow and the rules.
// The rules are the contract this package enforces; everything marked "Modelled:" in a doc
// comment is our reading where no spec exists.
//
// # Authentication
//
// Smartro issues a STORE_ID and a SERVICE_ID per store after an agreement; NewClient takes
// both and sends them in every body. Both are treated as credentials: they (and every
// fragment of 8 or more of their characters) never appear in an error, a log line or any
// fmt verb of the client, also when the agent echoes them back. Orders work only while the
// Agent runs on the shop PC and the POS has opened its business day.
//
// # Errors
//
// Every error is *Error with Op ("smartro.<Method>"), HTTPStatus, Code, Message and Err
// (the cause); Error() names the operation once. Smartro publishes no list of error codes:
// the codes this package and its fake use are our own (the Code* constants; CodeOf returns
// an error's), tested with IsOccupied, IsBusinessDayClosed, IsAgentOffline, IsExpired,
// IsInvalidInput, IsUnknownItem, IsUnknownTable, IsAddNotAllowed and friends. Card numbers
// are masked (CardNumber) in every error and log line.
//
// A failed call has one of three outcomes, which never blur:
//   - refused (IsRefused): the agent answered with an ERRCODE, or our input checks refused
//     the request before sending. Nothing was applied; a corrected request may be sent.
//   - lost (IsLost): no usable answer arrived — connection dropped, timeout, an answer
//     that is not the Smartro envelope (a proxy's error page, an object without RESULT and
//     ERRCODE: CodeBadAnswer), or a RESULT other than SUCCESS without an ERRCODE
//     (CodeResultFail). The request may have been applied: reconcile, never resend blindly.
//     A lost error is never Retryable.
//   - the caller's context ended: the error matches context.Canceled or
//     context.DeadlineExceeded with errors.Is (CodeCanceled); it is not lost. (An order
//     already on the wire may still have been applied; Tracker resolves it as for a loss.)
//
// # Checking orders against the catalog
//
// Every order is checked before sending for its own consistency (counts, totals, payments;
// see Order). Whether its table, items, add-ons and prices exist on the POS is checked only
// with a Catalog: pass one with WithCatalog and NewOrder, AdditionalOrder and
// PlaceTableOrder refuse an unknown table, an unknown or inactive item, an add-on not
// offered, or a price off the menu without sending anything. Without a catalog the agent
// is the judge: such an order is sent and the agent refuses it (IsUnknownTable,
// IsUnknownItem, …).
//
// # Idempotency
//
// The order answer is only step 1 (the agent's server accepted it); step 2 (delivered to
// the POS) is seen only by polling the live-order lookup, and an order not delivered within
// 60 s is dropped. MCHT_ORDERNO (Order.MerchantOrderNo) is the partner's key for an order:
// the SDK never resends an order whose answer was lost — Tracker resolves it by finding its
// MCHT_ORDERNO in the lookup, and only an Expired or Rejected order may be placed again.
// A full table lookup (TableLookupLimit entries) proves nothing about the orders it leaves
// out, so the tracker never expires an order on one: the order stays pending (CanReorder
// false) until a lookup with room lists it or shows it gone. Tracker.Wait on a closed
// tracker returns the order's last state with CodeTrackerClosed (IsTrackerClosed) — the
// order's fate is still open: neither lost nor refused.
//
// # Retries
//
// RetryPolicy is poskit's one retry policy type. Lookups (tables, menu, live orders) are
// retried on transport errors, HTTP 429 and 5xx (WithRetry, DefaultRetry). Order creation
// and return requests are sent exactly once. An occupied table (a refusal) is retried by
// PlaceTableOrder and the Tracker after a pause (WithOccupiedRetry,
// WithTrackerOccupiedRetry, DefaultOccupiedRetry). Every pause sleeps on the client's
// Clock (WithClock); WithoutRetrySleep (RetryPolicy.NoSleep) makes them zero.
//
// # Options and clock
//
// Client, Tracker and Catalog are configured with functional options (Option,
// TrackerOption); options cannot fail, and NewClient and NewTracker check the result and
// answer *Error with CodeInvalidInput. Clock and Timer are public, so a clock written
// outside this module can drive retries, pauses and trackers; mock.Clock is a fake one.
// The Tracker and the postpaid flow depend on small interfaces (OrderLookup, OrderAgent),
// not on *Client.
//
// # Testing with the fake
//
// mock/smartromock serves this wire format on loopback with state, a fake clock, fault
// injection by operation (the Client's method names: "NewOrder", "TableOrders", …) and
// named actions; its Client method returns a client wired to it. The exactly-once property
// for ordering flows is in mock/smartromock/smartroprop.
package smartro
