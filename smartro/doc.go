// Package smartro is a client of the Smartro Order Agent for Smile POS: the server-to-server
// JSON interface through which a partner's table-order tablets and kiosks read a store's
// tables and menu and send orders to its POS.
//
// The wire format (hosts, paths, field names; all in wire.go) was observed from a
// partner's public client, not taken from Smartro's published spec, which gives only the
// flow and the rules. The rules are the contract this package enforces; everything marked
// "Modelled:" in a doc comment is our reading where no spec exists.
//
// # Authentication
//
// Smartro issues a STORE_ID and a SERVICE_ID per store after an agreement; NewClient takes
// both and sends them in every body. Orders work only while the Agent runs on the shop PC
// and the POS has opened its business day.
//
// # Errors
//
// Every error is *Error with Op, HTTPStatus, Code and Message. Smartro publishes no list of
// error codes: the codes this package and its fake use are our own, in ONE table in
// wire.go, tested with IsOccupied, IsBusinessDayClosed, IsAgentOffline, IsExpired,
// IsInvalidInput, IsUnknownItem, IsUnknownTable, IsAddNotAllowed, IsLost and friends.
// Card numbers are masked (CardNumber) in every error and log line.
//
// Every answer must be the Smartro envelope: a JSON object with both RESULT and ERRCODE,
// and for a call that returns data an OBJ (an order answer also its ORDERNO). Anything
// else — a proxy's error page, an object without those keys — is CodeBadAnswer, and like
// a RESULT other than SUCCESS without an ERRCODE (CodeResultFail) it counts as lost
// (IsLost): the request may have acted.
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
// Lookups (tables, menu, live orders) are retried on transport errors and 5xx with
// exponential backoff. Order creation and return requests are sent exactly once. An
// occupied table (a definitive refusal) is retried by PlaceTableOrder after a pause.
//
// # Testing with the fake
//
// mock/smartromock serves this wire format on loopback with state, a fake clock and fault
// injection; pass its URL with WithBaseURL and its clock with WithClock.
package smartro
