// Package pointpaymock is a fake PointPay (pointhub) for tests, on the shared fake base
// (mock.Server): it serves the conversion popup a shop opens for a member, and POSTs each
// conversion's result to the merchant's RETURN URL the way PointPay does — resending, on
// the fake clock, until it is answered "201".
//
//	rv, _ := pointpay.NewReceiver(pointpaymock.DefaultMediaID, pointpay.NewMemoryStore(), credit)
//	shop := httptest.NewServer(rv)                            // the RETURN URL
//	srv := pointpaymock.NewServer(pointpaymock.WithReturnURL(shop.URL), pointpaymock.WithDuplicateSends(true))
//	defer srv.Close()
//	u, _ := srv.PopupURL("member01")                          // GET it: the popup's HTML form
//	c, _ := srv.Convert("member01", 1500, "")                 // or POST the form; c.Answers(): ["201", "202|-|duplicate rw_orderno"]
//
// # Served
//
//   - GET /pointhub/direct and /pointhub/direct.php (operation "Popup"): the popup page
//     for ?a_code=<media id>&user_id=<member id>[&add_param=…] — a minimal HTML form
//     showing the values it was opened with, with the member and the points to convert.
//     An a_code other than the fake's media id is a 404 page; a value pointpay.PopupURL
//     would refuse is a 400 page.
//   - POST /pointhub/convert (operation "Convert"): the form's submit (a_code, user_id,
//     add_param, points). It converts (Convert), then answers a page with the order number.
//
// Each conversion gets a new numeric rw_orderno, unique in the process, and
// rw_reg_datetime in KST from the fake clock. Its result (pointpay.Result.Form()) is POSTed
// to the return URL at once; anything but a "201" answer (a "202|-|…", another body, an
// error status, no answer) is resent after each wait of the resend schedule
// (WithResendSchedule, default DefaultResendSchedule) on the fake clock, until a "201" or
// the end of the schedule. With duplicate sends (WithDuplicateSends, SetDuplicateSends)
// every POST is followed at once by a second copy. Conversions, Lookup and WaitFor show
// every POST and its answer. For a Cafe24 solution merchant, WithSolutionCredit's hook
// credits the member once the solution credit delay (default one minute) has passed on
// the clock: the seam where a cafe24 fake's point API plugs in.
//
// Faults apply by operation ("Popup", "Convert"; mock.Fault, Faults().Inject), requests
// are recorded (Requests), and poskit-mock serves the actions convert, resend, results,
// duplicate-sends and return-url (GET /pointpay/do lists them with examples). An order
// number the fake did not hand out is mock.Unknown. Nothing waits on real time: resends
// and credits are timers on the mock.Clock (tagged ResendTag and CreditTag); only one
// POST is bounded by an http.Client Timeout. The fake POSTs to loopback only and follows
// no redirect.
//
// # Where the fake differs from PointPay
//
// The guides document the popup URL, the callback's fields and the two answers. Modelled,
// that is everything else:
//
//   - The popup: the real one is PointPay's own site, where the member logs into an
//     outside point service (KT 포인트다모아) and picks an amount; the fake's page, its
//     form fields and the /pointhub/convert path are ours, there is no login and no
//     outside balance (any 1 to MaxPoints points convert).
//   - One merchant per fake (WithMediaID, default DefaultMediaID) with one return URL;
//     PointPay holds a return URL per media id, registered out of band.
//   - The values: rw_pay_type "KT", utc_code "+09:00", numeric order numbers
//     (YYYYMMDD and a process-wide sequence), add_param sent back as a form field of the
//     same name.
//   - The resend schedule, that any 2xx answer whose body is "201" counts as delivered,
//     that a "202|-|…" (even a duplicate) is resent, that the fake gives up after the
//     schedule, and that the first POST is made before the popup's answer.
//   - Solution merchants: PointPay credits the Cafe24 mileage itself; whether it also
//     calls a return URL is not documented (the fake does when one is set). A failed
//     credit is recorded, not retried. Cancelling is manual in the real service and not
//     modelled.
//   - Error pages (status and text), and the HTML of every page.
package pointpaymock
