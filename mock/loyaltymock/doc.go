// Package loyaltymock is a stateful fake of the DMS Relay KIOSK payment API
// (package loyalty), built on the shared fake base (it embeds *mock.Server, so it is a
// mock.Fake that poskit-mock serves): a loopback server that speaks both
// route sets at once (the document's /v1/payment/openNew, create/confirm, …
// and the relay's /v1/payment/new/open, new/approval, …), the relay's
// envelope ({code, data} / {code, error{message, validation}}, HTTP 200 for
// application errors), JSON or form-encoded bodies, and the access key in the
// Authorization header (raw) or the accessKey field.
//
// Start it in one line; the default seed has one shop, the wallets "alice"
// (1,000,000 points), "bob" (1,000 points) and the shop's "owner", all with
// deterministic keys, and one access key:
//
//	srv := loyaltymock.NewServer(loyaltymock.WithCallbackURL(kiosk.URL))
//	defer srv.Close()
//	seed := srv.Seed() // seed.Shop().ID, seed.AccessKey(), seed.Wallet("alice")
//
// Client returns a loyalty.Client wired to the fake (base URL, access key,
// the fake's clock, no retry sleeps):
//
//	c := srv.Client(loyalty.WithRouteSet(loyalty.RouteSetRelay))
//	bal, err := c.Balance(ctx, seed.Wallets[0].Account)
//
// # Payments
//
// The fake runs the relay's state machine in its numbering (11–19 new leg,
// 51–59 cancel leg); every status change is checked with
// loyalty.CanTransition. openNew opens a payment (11); the user's wallet
// approves (14, then 15 and the success callback, then 17) or denies (16 and
// the denial callback); closeNew with confirm=true settles an approved
// payment (18: the user's points drop by totalPoint, the shop's usedPoint
// rises by paidPoint), confirm=false fails it (19). openCancel (only from
// 18, within 7 days of the close) opens the cancel leg (51), the shop owner
// approves or denies it, and closeCancel settles the refund (58) or fails it
// (59).
//
// Timing, on the fake clock: an approval or denial more than 45 s after its
// leg opened is refused with 7000 and a timeout callback; a close more than
// 40 s after the approval (or, unapproved, after the open) answers code 0
// with the failed status (19/59); a leg left unfinished 300 s after its open
// (or its approval) is force-closed as failed without a callback; a cancel
// is allowed for 7 days after the close. WithTimeoutCallback also sends the
// timeout callback when 45 s pass without a wallet answer.
//
// Codes: 1211 unsupported currency, 1501 bad signature, 1511 insufficient
// balance, 1530 a live payment for the same shop and purchaseId exists, 1534
// cancel period over, 2001 invalid parameters (with error.validation), 2002
// wrong access key, 2003 unknown paymentId, 2020 cannot approve, 2022 cannot
// cancel, 2024 cannot close, 2025 already approved, 2026 already closed, 2027
// approved and failed, 2028 cannot deny, 2029 force-closed, 2030 close before
// approval, 7000 timeout. Each answers with the relay's own message for the code,
// character for character (internal/loyaltywire.Messages, from the relay's Errors.ts);
// callbacks carry the relay's messages too ("Success", "Denied by user", and the 7000
// text "Timeout period expired").
//
// # Callbacks
//
// Each leg's outcome (approved, denied, timeout) is posted once, without
// retry, to the callback URL of the access key that opened the payment, else
// to WithCallbackURL; the URL must be loopback. The relay's dialect is the
// default, WithCallbackDialect selects a document one. Callbacks returns
// every delivery with the KIOSK's HTTP status; ResendCallback posts a
// duplicate on purpose.
//
// # The wallet: it acts only when the test says so
//
// Nothing in the fake moves by itself between two steps of a test. The wallet answers a
// leg only at one of three moments the test chooses:
//
//   - an explicit answer: Approve, Deny, ApproveCancel, DenyCancel (signed with the
//     seeded key through the real approval route, over HTTP; the callback is posted
//     before they return);
//   - Sync: the scripted wallet (SetWallet, ScriptPurchase, WithWalletPolicy; the
//     default policy approves at once) answers what is due, and Sync returns when those
//     answers and their callbacks are done;
//   - an advance of the fake clock past an answer's delay (ApproveAfter): the answer then
//     runs in the background — call Sync after Clock().Advance to wait for it.
//
// So the one pattern for a test is: open, answer (Approve, or Sync), then close —
//
//	srv := loyaltymock.NewServer(loyaltymock.WithWalletPolicy(loyaltymock.Ignore))
//	p, _ := client.OpenNewPayment(ctx, in) // the wallet does nothing yet
//	_ = srv.Approve(p.ID)                 // now it approves; the callback was posted
//	closed, _ := client.CloseNewPayment(ctx, p.ID, true)
//
// and a test that closes right after opening never races the wallet. A wallet answer is
// the signer's only one in flight: answers of one account are made one at a time (sign
// with the current nonce, send, wait for the relay), so concurrent approvals never sign
// with the same nonce. WalletAnswers lists every scripted answer with the relay's verdict
// (a late answer's 7000, a balance too low's 1511); Sync returns the failures that are not
// a verdict (an answer lost, a signature that could not be made), so none is dropped.
// WithLenientSignatures skips signature checks.
//
// # Operations and faults
//
// Both route sets come from one endpoint table (internal/loyaltywire), from which the
// client builds its calls and the fake registers one handler per operation.
// Faults().Inject(op, fault) applies to the operation op; the names are the
// *loyalty.Client method names: Balance, PaymentInfo, OpenNewPayment,
// CloseNewPayment, OpenCancelPayment, CloseCancelPayment, ShopInfo,
// ShopWithdrawal, Payment (GET item), ApproveNewPayment, DenyNewPayment,
// ApproveCancelPayment, DenyCancelPayment, ChainID, Nonce — plus Callback
// (OpCallback) for the callback the fake sends; any other name is refused with an
// error (*mock.UnknownOperationError). The relay set's single
// approval path of a leg is the operation ApproveNewPayment / ApproveCancelPayment
// with approval=true and DenyNewPayment / DenyCancelPayment with approval=false, as
// the document's separate paths are. Fail answers in the relay's
// envelope (Fault.Code, default 6000; Fault.Status, default 200); DropAnswer
// applies the operation and closes the connection; Delay waits on the fake
// clock; Garbage answers a non-JSON body. For Callback: Fail and DropAnswer
// lose it, Delay posts it later, Garbage posts Fault.Body instead.
//
// # Named actions
//
// Actions (served by poskit-mock as POST /loyalty/do/{name}, listed with an example
// body by GET /loyalty/do): approve, deny, approve-cancel and deny-cancel
// {"paymentId":"0x…"}; wallet-policy {"account","action":"approve|deny|ignore","delay"};
// balance {"account"} (with "set":true and "amount" to change it); seed; callbacks.
// A payment or account the fake does not hold is refused (mock.ErrUnknown).
//
// # Property tests for partners
//
// The sub-package loyaltyprop (kept apart so that importing this fake does not pull in
// rapid) exports rapid generators (GenAmount, GenInvalidAmount,
// GenPaymentRequest, GenWalletBehaviour) and CheckKioskIntegration, a
// property a partner runs against its own KIOSK routine (a Kiosk function):
// under any generated interleaving of approval, denial, late or missing
// wallet answers, duplicate or lost callbacks and lost answers, the KIOSK
// must report "paid once" or "not paid" and the fake's balances must agree.
//
// # Inspection
//
// Payment, Payments, Balance, Nonce, ShopState, Callbacks and Requests show
// the state; SetBalance, AddWallet, AddShop and AddAccessKey change the seed.
//
// # Where the fake differs from the real relay
//
//   - No chain: approvals are confirmed at once (14→15→17 within the
//     approval call, which answers 14 with a made-up txHash). At approval the
//     payment's figures become the contract's (loyalty.ContractCharge) and its
//     currency lower case, as the relay's watcher copies the contract's event over
//     its estimate: the success callback and every later read carry them; contract
//     failures other than an insufficient balance (12) never happen, so 13,
//     5000 and 6000 only come from injected faults.
//   - Points leave the balance at close (the chain moves them to a temporary
//     account at approval and back on a failed close). The fake checks the
//     balance minus the points held by approved, unclosed payments at open
//     (1511) and at approval (1511, status 12), and reports the full balance
//     until the close.
//   - Status codes for repeats are specific: a second approval answers 2025
//     (2026 when closed, 2027 when failed after approval) and a denial that
//     comes too late 2028, where the relay, which checks its database status
//     first, mostly answers 2020.
//   - Duplicate purchases: the relay makes a fresh paymentId per open; the
//     fake refuses with 1530 a second open of the same shop and purchaseId
//     while an earlier payment for it is not denied or failed (modelled).
//   - Access keys may be bound to a shop (2002 for another shop's payment)
//     and carry their own callback URL; the relay has one key and one URL.
//     Callbacks carry the KIOSK's own access key.
//   - openNewTimestamp stays the open time after an approval (the relay
//     overwrites it with the approval time); the 40 s and 300 s rules use the
//     approval time as the relay does.
//   - Force-closes happen when the state is next observed (any request or
//     inspection), not on a timer, so the fake keeps no clock timer for held
//     payments; observably the same since they send no callback.
//   - A payment that converts to zero points (FromBaseUnits(12000) KRW, or amount "0")
//     is opened, approved and closed charging 0 points, as the relay and the contract do:
//     the relay's amount check (Validation.isAmount, /^(\+)?([0-9]+)$/) and its balance
//     check (PaymentRouter.ts line 480, totalPoint > balance) let it through, and the
//     contract has no minimum (LoyaltyConsumer.sol lines 96–127).
//   - Point accounts only (loyaltyType 0); no token payments, temporary
//     accounts (2004), delegators, push notifications (2005), currency
//     conversion or withdrawals (shop/withdrawal always answers idle).
//   - Unknown shops answer 2001 with a validation entry for shopId.
//   - Statuses use the relay's numbering only, on both route sets.
package loyaltymock
