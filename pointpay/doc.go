// Package pointpay integrates PointPay (pointhub) point conversion: it builds the
// conversion popup URL a shop opens for a member, and receives PointPay's result callback
// so that each conversion is credited to the member exactly once, and only when it is
// genuine.
//
//	u, err := pointpay.PopupURL("MEDIA01", "member01")            // open it from the shop's button
//	store, err := pointpay.OpenBoltStore("/var/lib/shop/pointpay.db")
//	rv, err := pointpay.NewReceiver("MEDIA01", store, credit,
//		pointpay.WithAllowedSources(netip.MustParsePrefix("203.0.113.0/24")))
//	http.Handle("/pointpay/result", rv)                            // the RETURN URL
//
// For a shop on Cafe24, the Bridge is the credit function: it credits the member's Cafe24
// mileage (적립금) through the cafe24 package, keyed by rw_orderno, cancels the same way,
// and reconciles the receiver's records with Cafe24's:
//
//	bridge, err := pointpay.NewBridge(cafe24Client)               // a *cafe24.Client of the mall
//	rv, err := pointpay.NewReceiver("MEDIA01", store, bridge.Credit)
//	rep, err := bridge.Reconcile(ctx, store, yesterday, yesterday) // rep.Differences
//
// For tests, mock/pointpaymock is a fake PointPay: it serves the popup and POSTs results
// to a receiver on loopback, with duplicate sends and resends on a fake clock.
//
// # Callback
//
// PointPay POSTs a form to the merchant's RETURN URL: rw_pay_type, rw_user_id, rw_price
// (integer won), rw_reg_datetime ("2006-01-02 15:04:05", KST), rw_a_code, rw_orderno,
// utc_code. ParseResult turns it into a typed Result. The Receiver (an http.Handler) caps
// the body, refuses any method but POST, parses, refuses a callback whose rw_a_code is
// not the configured media id or (WithAllowedSources) whose source address is not
// PointPay's, de-duplicates by rw_orderno through a Store and calls the application's
// CreditFunc. It answers in plain text what PointPay expects: "201" when the conversion
// is credited, "202|-|<reason>" otherwise. PointPay resends on anything but "201".
//
// The callback is not signed and the media id is public (it is in the popup URL): a
// forger who reads the shop's page can send a well-formed callback. The source-address
// allow-list is the check that stops that; without it, reconcile the records against
// PointPay's statement.
//
// # Idempotency
//
// The key is rw_orderno. For each order number the receiver:
//
//  1. lets one delivery at a time through in this process (concurrent identical
//     callbacks wait for the first, then see its record: one credit call);
//  2. creates the Record in state "crediting" (atomic compare-and-insert) before calling
//     the credit function — a record that exists already is a resend: credited → answer
//     "202|-|duplicate rw_orderno" without crediting; another member or amount →
//     "202|-|…" conflict, reported to the error hook and logged at warn, never credited;
//     failed, or crediting for longer than the credit lease → credit again (attempt+1);
//     crediting within the lease → busy, PointPay resends later;
//  3. calls the CreditFunc with the Result (its OrderNo is the idempotency key), without
//     the request's cancellation;
//  4. records "credited" and answers "201", or records "failed" and answers
//     "202|-|credit failed, resend later" so that PointPay's resend finishes the job.
//
// A crash between steps 3 and 4 leaves "crediting": the credit may or may not have
// happened, and the record cannot tell. The resend after the lease calls the CreditFunc
// again with the same order number. So the chain is exactly-once when the CreditFunc is
// itself keyed by the order number (the Cafe24 bridge is: a key already applied is not
// applied again). An unkeyed CreditFunc is credited twice in the two windows where the
// outcome is unknown — a crash between steps 3 and 4, and a CreditFunc that applied the
// credit and then returned an error (its own answer lost) — and exactly once everywhere
// else. The receiver never credits a forged, invalid or
// conflicting callback, and never calls the CreditFunc for an order number recorded as
// credited. Package pointpayprop states all this as a rapid property a partner can run
// against their own store and credit function.
//
// # Errors
//
// Every error is an *Error: Op ("pointpay.PopupURL", "pointpay.Receiver",
// "pointpay.Bridge.Credit", …), the HTTP status answered (receiver) or Cafe24's (Bridge),
// a Code (CodeInvalidInput, CodeForged, CodeDuplicate, CodeConflict, CodeBusy,
// CodeCreditFailed, CodeStore, CodeMethod, CodeTooLarge, and the Bridge's CodeCafe24 and
// CodeNotCredited), a Message and the cause. IsRefused (nothing applied), IsLost (a
// credit may have happened: the order number settles it), IsInvalidInput, IsForged,
// IsDuplicate, IsConflict, IsCreditFailed, IsNotCredited and CodeOf read them. The
// receiver hands each refusal or failure to WithErrorHook. Messages carry the order
// number, never a member id; logs (WithLogger, silent by default) show member ids masked
// to two characters and a length, and never the media id.
//
// # Stores
//
// A Store keeps one Record per order number with atomic Create and Swap. MemoryStore is
// for tests. BoltStore (OpenBoltStore) is the embedded durable default: one bbolt file,
// fsync on every change, a restarted receiver on the same file keeps its records; one
// process at a time. A shared PostgreSQL store for replicas comes with the stores issue;
// the credit lease (WithCreditLease) is what keeps replicas sharing a store from crediting
// the same order at once. Store.All lists the records for reconciliation.
//
// # Modelled
//
// PointPay documents the field names and the two answers, not the rest. Modelled here,
// and marked so where defined: the required fields (rw_pay_type and utc_code may be
// empty), the limits (media and member id ≤ 64 bytes, order number ≤ 100 visible ASCII
// bytes, price 1–15 digits, any field ≤ 256 bytes), a zero price being invalid, add_param
// coming back as a form field of the same name, the refusal reasons' words, the HTTP
// statuses (200 for every answer but 405 and 413), the body read as
// application/x-www-form-urlencoded whatever its Content-Type (the URL's query is
// ignored), the resend schedule behind the credit lease, and whether a "202" to a resend
// is harmless (WithAcknowledgeDuplicates answers "201" to duplicates instead).
package pointpay
