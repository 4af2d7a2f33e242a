// Package smartromock is a stateful fake of the Smartro Order Agent (Smile POS): a
// mock.Server on loopback that speaks smartro's wire format (internal/smartrowire), keeps a
// store, its tables, menu and orders, and plays the POS on the other side on a fake clock.
//
//	srv := smartromock.NewServer(); defer srv.Close() // then srv.Client(), or smartro.WithBaseURL(srv.URL())
//
// Server embeds *mock.Server: URL, HTTPClient, Clock, Faults, Requests, Actions and Close
// come from it, and it is a mock.Fake that poskit-mock serves as "smartro". Options
// (Option) are checked by NewServer, which panics with an *OptionError on a bad one.
//
// # Operations
//
// Every call is POST with a JSON body; STORE_ID and SERVICE_ID are checked on every call
// (wrong → smartro.CodeUnknownStore). Operation names (for Faults().Inject and
// mock.Request.Op) are the smartro.Client methods, from smartro's endpoint table; a fault
// for any other name is refused:
//
//	op               path                              answer
//	Tables           /partner/v1/table                 TABLE_LIST
//	MenuChanged      /partner/v1/menu/state            UPDATE_YN (menu updated after UPDATE_CHECK_DTIME; "" → Y), UPDATE_DTIME
//	Menu             /partner/v1/menu/edit             the menu, inactive items and groups included (USE_FLAG N)
//	NewOrder         /partner/v1/table/order/new       ORDERNO, ORG_ORDERNO (= ORDERNO), MCHT_ORDERNO; step 1 only
//	AdditionalOrder  /partner/v1/table/order/add       as NewOrder; ORG_ORDERNO is the table order added to
//	TableOrders      /partner/v1/table/order           latest 10 listed orders of FLR_CODE/TBL_CODE, newest first
//	StoreOrders      /partner/v2/table/order           latest 5 listed orders of every table, in table order
//	ReturnOrder      /partner/v1/table/order/cancel    return request: the order becomes SMRO000071
//
// Every answer is the full envelope the client requires: a success has RESULT "SUCCESS", an
// empty ERRCODE and OBJ (null for ReturnOrder). Refusals answer HTTP 200 with RESULT
// "FAIL", an ERRCODE from smartro's code table, MSG in Korean and MSG2 in English. An order is checked in this order, each with its own code:
// malformed body or missing MCHT_ORDERNO (PKT_INVALID_REQUEST); wrong ids
// (PKT_UNKNOWN_STORE); a live order with the same MCHT_ORDERNO answers again (below);
// agent offline (PKT_AGENT_OFFLINE); business day closed (PKT_BIZDAY_CLOSED); amounts that
// do not add up — SALE_AMT = SALE_PRICE × ITEM_CNT, ORG_ORDER_PAY_AMT = Σ SALE_AMT,
// ORDER_PAY_AMT = ORG − DISC, Σ payments = ORDER_PAY_AMT for prepaid, none for postpaid,
// additional orders postpaid (PKT_INVALID_REQUEST); unknown table (PKT_UNKNOWN_TABLE);
// unknown item (PKT_UNKNOWN_ITEM); inactive item or group (PKT_INACTIVE_ITEM); item price
// (SALE_PRICE minus its add-ons) differing from the menu (PKT_PRICE_MISMATCH); add-on not in
// the item's add-on groups, or not in the group named by RULE_ID (PKT_UNKNOWN_ADDON); add-on
// price differing from the menu (PKT_PRICE_MISMATCH) — the order the client's catalog check
// (smartro.WithCatalog) uses; for an additional order,
// ORG_ORDERNO unknown (PKT_UNKNOWN_ORDER), of another table (PKT_INVALID_REQUEST), never
// delivered and expired (PKT_ORDER_EXPIRED), not yet delivered or not received/done on the
// POS (PKT_ADD_NOT_ALLOWED); finally the table occupied by the POS screen (Occupy) or a POS
// payment (StartPOSPayment) (PKT_OCCUPIED, "점유" in MSG).
//
// # Orders, delivery and the 60 s rule
//
// An accepted order is step 1 only. The fake delivers it to the POS (step 2, 접수성공) at
// acceptance + the delivery delay on the fake clock (WithDeliveryDelay, per order
// SetDeliveryDelay; DefaultDeliveryDelay), provided that is strictly before acceptance +
// 60 s (Expiry). Otherwise it is never sent to the POS and is dropped at acceptance + 60 s.
// FailNextDelivery makes the POS refuse the next order for good. While the agent is offline
// (SetAgentOnline(false), or during a Restart's downtime), deliveries due wait; they go out
// when the agent is back, if still before acceptance + 60 s.
//
// What the lookups (TableOrders, StoreOrders) show, at the clock's now:
//
//	pending   (accepted, not yet due or waiting)  listed, ORDER_STATUS "", SUCCESS_FLAG "",  name 주문대기, no POS_ORDERNO
//	retrying  (due while the agent was offline)   listed, ORDER_STATUS "", SUCCESS_FLAG "N", name 주문실패
//	failed    (the POS refused it)                listed, ORDER_STATUS "", SUCCESS_FLAG "N", name 주문실패
//	delivered                                     listed, ORDER_STATUS SMRO000068 at first, SUCCESS_FLAG "Y", POS_ORDERNO set
//	expired   (60 s passed without delivery)      never listed again; never delivered later
//
// Why: the guide says the order answer is step 1, step 2 is seen only by polling the
// lookup, the lookup reports 주문성공/주문취소, and pending/failed orders are listed only
// until 60 s after they were received ("60초 이전까지만 조회가 가능"), after which the
// partner must treat them as failed and may order again. Pending and failed entries carry
// no ORDER_STATUS so that a partner never mistakes them for an open table order (the
// smartro client's LiveOrder.Delivered is false for them); delivered orders stay listed
// (latest 10 per table) with their POS status.
//
// The POS is driven by the test: POSComplete → SMRO000069, POSCancel → SMRO000070,
// POSReturn → SMRO000071, POSPaid → SMRO000088, each on the one delivered order named;
// FinishPOSPayment marks the table's received/done orders paid. A table order's status is
// that of its root order (ORDERNO = ORG_ORDERNO); additional orders are accepted only while
// it is SMRO000068 or SMRO000069.
//
// Idempotency, Modelled: MCHT_ORDERNO de-duplicates. While an order with the same
// MCHT_ORDERNO is live (accepted and not expired), a repeat of NewOrder/AdditionalOrder for the same
// table and kind answers that order's ORDERNO again and creates nothing, whatever the rest
// of the body says (a repeat for another table or kind is PKT_INVALID_REQUEST). Once the
// order expired, the number is free and a new order is created. The return request is
// idempotent on ORG_ORDERNO: returning a returned order succeeds without change.
//
// Orders returns every order ever accepted with its delivery state and POS status, so a
// test counts what reached the POS per basket (Order.InPOS). Restart restarts the agent:
// offline for WithRestartDowntime (0: at once), then online; everything on the server
// (orders, de-duplication, statuses, menu, tables) and on the POS (business day,
// occupancy, payments) survives, and undelivered orders still within 60 s are delivered
// once the agent is back.
//
// # Faults
//
// Faults().Inject(op, mock.Fault{…}) applies per operation: Fail answers the smartro
// envelope with the fault's Code (none: PKT_SERVER_ERROR and HTTP 500) without acting;
// DropAnswer acts (an order is accepted) and closes the connection; Delay waits on the fake
// clock first; Garbage answers a non-JSON body. SetAnswerLatency(op, d) holds every answer
// of op for d on the fake clock after the server acted (its snapshot is older than the
// moment the client reads it). Requests returns every request received, with STORE_ID and
// SERVICE_ID replaced by "REDACTED" as the client's logs hide them.
//
// # Named actions
//
// The test-side controls are also named actions (Actions; poskit-mock serves them as POST
// /smartro/do/{name}, and GET /smartro/do lists each with its doc and an example body):
// business-day, agent-online, occupy, release, pos-payment-start, pos-payment-finish,
// pos-complete, pos-cancel, pos-return, pos-paid, fail-next-delivery, restart,
// delivery-delay, orders. An action naming a table or an order the fake does not have is
// refused with mock.ErrUnknown (HTTP 404 in the admin API).
//
// # Client and property
//
// Client returns a smartro.Client wired to the fake (URL, ids, clock, no-sleep retries);
// further options, e.g. smartro.WithCatalog(smartro.NewCatalog(nil, 0)), are added after
// these.
// The sub-package smartroprop holds rapid generators — GenCatalog, GenBasket,
// GenInvalidBasket, GenPaymentSplit, GenScenario — and the exactly-once property for a
// partner's ordering flow (importing this package does not pull rapid in):
// CheckExactlyOnce (RunScenario for one Scenario) checks that, under occupied
// tables, POS payments, lost/garbled/occupied answers, answer latency, delivery delays up
// to and beyond 60 s, refused deliveries, agent restarts and outages, and table rushes that
// push a basket's order out of the latest-10 table lookup, every basket reaches
// the POS exactly once when the flow reports success and never when it reports failure.
// PlaceWithTracker is the reference flow on smartro.Tracker.
//
// # Where the fake differs from the real agent
//
// Everything is modelled from the guide's rules and an observed partner client, not from
// Smartro's spec, which is not public:
//   - Error codes are our own (internal/smartrowire); the real agent's codes and texts differ.
//     Refusals use HTTP 200; RESULT "FAIL" is our word.
//   - The order of the checks above, and answering an order with a live MCHT_ORDERNO again,
//     are our choices; the real server's de-duplication is unknown.
//   - Delivery is a fixed delay on the fake clock; the real delay depends on the POS and the
//     network. An agent offline refuses orders at once; a real server may accept and fail
//     to deliver. Pending/failed orders carry no ORDER_STATUS; SUCCESS_FLAG Y/N/"" is ours.
//   - ORDERNO is yyyyMMdd + a 6-digit sequence, POS_ORDERNO a 4-digit sequence; ORDER_STATUS_NAME
//     words are ours. Delivered orders stay listed (latest 10/5) regardless of age or
//     business day; the real lookup may drop paid orders or old days.
//   - A new order is accepted on a table that has an open table order (it starts another
//     table order); the real POS may refuse or merge it.
//   - The return request acts at once on the named order; on the real POS staff may have to
//     confirm it. POS calls change one order's status, any delivered status to any other.
//   - Tables, menu and lookups are answered while the agent is offline (from the server).
//   - Only one store is served per Server.
package smartromock
