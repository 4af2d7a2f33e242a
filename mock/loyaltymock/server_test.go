package loyaltymock

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
)

func amt(t testing.TB, s string) loyalty.Amount {
	t.Helper()
	a, err := loyalty.ParseAmount(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func sub(t testing.TB, a, b loyalty.Amount) loyalty.Amount {
	t.Helper()
	d, err := a.Sub(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestFullFlowBothRouteSets drives every route of each set by hand: balance,
// info, shop info/withdrawal, chain id, nonce, open, item, approval, close,
// open cancel, cancel approval, close cancel, and checks balances and shop
// figures after close and after the cancel's close.
func TestFullFlowBothRouteSets(t *testing.T) {
	for name, rs := range routeSets() {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, WithWalletPolicy(Ignore))
			alice := f.wallet(Alice)
			shop := f.seed.Shop()
			start := f.srv.Balance(alice.Account)

			var bal loyaltywire.Balance
			a := f.do(req{method: "GET", path: rs.UserBalance, fields: map[string]string{"account": alice.Account}})
			wantCode(t, a, 0)
			json.Unmarshal(a.Data, &bal)
			if string(bal.Balance) != start.String() || bal.Account != alice.Account {
				t.Fatalf("balance answer %+v, want %s", bal, start)
			}

			var info loyaltywire.PaymentInfo
			a = f.do(req{method: "GET", path: rs.PaymentInfo, fields: map[string]string{"account": alice.Account, "amount": loyalty.FromWhole(1).String(), "currency": "usd"}})
			wantCode(t, a, 0)
			json.Unmarshal(a.Data, &info)
			// 1 USD → 1000 points + 5 % fee (the notes' example).
			if info.PaidPoint != "1000000000000000000000" || info.FeePoint != "50000000000000000000" || info.TotalPoint != "1050000000000000000000" {
				t.Fatalf("info estimate %+v", info.Estimate)
			}

			var si loyaltywire.ShopInfo
			a = f.do(req{method: "GET", path: rs.ShopInfo, fields: map[string]string{"shopId": shop.ID}})
			wantCode(t, a, 0)
			json.Unmarshal(a.Data, &si)
			if si.ShopID != shop.ID || si.Account != shop.Owner || si.Name != shop.Name {
				t.Fatalf("shop info %+v", si)
			}
			wantCode(t, f.do(req{method: "GET", path: rs.ShopWithdrawal, fields: map[string]string{"shopId": shop.ID}}), 0)

			var cid loyaltywire.ChainID
			a = f.do(req{method: "GET", path: rs.ChainID})
			wantCode(t, a, 0)
			json.Unmarshal(a.Data, &cid)
			if uint64(cid.ChainID) != f.seed.ChainID {
				t.Fatalf("chain id %d", cid.ChainID)
			}
			nonceOf := func(acc string) string {
				var n loyaltywire.Nonce
				a := f.do(req{method: "GET", path: rs.NoncePath(acc)})
				wantCode(t, a, 0)
				json.Unmarshal(a.Data, &n)
				return string(n.Nonce)
			}
			if got := nonceOf(alice.Account); got != "0" {
				t.Fatalf("nonce %s", got)
			}

			open := f.open(rs, "P-1", loyalty.FromWhole(10_000).String(), "krw", alice.Account).payment(t)
			if open.PaymentStatus != loyaltywire.Int(loyalty.StatusNewOpened) || !loyalty.IsBytes32(open.PaymentID) {
				t.Fatalf("open answer %+v", open)
			}
			id := open.PaymentID
			item := f.do(req{method: "GET", path: rs.Item, fields: map[string]string{"paymentId": id}}).payment(t)
			if item.PurchaseID != "P-1" || item.TotalPoint != "10500000000000000000000" {
				t.Fatalf("item %+v", item)
			}

			ap := f.approval(rs, id, loyalty.LegNew, true).payment(t)
			if ap.PaymentStatus != loyaltywire.Int(loyalty.StatusNewApprovalSent) || ap.TxHash == "" {
				t.Fatalf("approval answer %+v", ap)
			}
			if got := f.status(id); got != loyalty.StatusNewReported {
				t.Fatalf("status after approval %v", got)
			}
			if got := nonceOf(alice.Account); got != "1" {
				t.Fatalf("nonce after approval %s", got)
			}
			if !f.srv.Balance(alice.Account).Eq(start) {
				t.Fatal("balance moved before close")
			}

			cl := f.close(rs, rs.CloseNew, id, true).payment(t)
			if cl.PaymentStatus != loyaltywire.Int(loyalty.StatusNewClosed) || cl.CloseNewTimestamp == 0 {
				t.Fatalf("close answer %+v", cl)
			}
			total := amt(t, "10500000000000000000000")
			if got := f.srv.Balance(alice.Account); !got.Eq(sub(t, start, total)) {
				t.Fatalf("balance after close %s, want %s", got, sub(t, start, total))
			}
			st, _ := f.srv.ShopState(shop.ID)
			if st.UsedPoint.String() != "10000000000000000000000" {
				t.Fatalf("shop used %s", st.UsedPoint)
			}

			oc := f.do(req{method: "POST", path: rs.OpenCancel, key: f.seed.AccessKey(), fields: map[string]string{"paymentId": id}}).payment(t)
			if oc.PaymentStatus != loyaltywire.Int(loyalty.StatusCancelOpened) {
				t.Fatalf("open cancel %+v", oc)
			}
			ca := f.approval(rs, id, loyalty.LegCancel, true).payment(t)
			if ca.PaymentStatus != loyaltywire.Int(loyalty.StatusCancelApprovalSent) {
				t.Fatalf("cancel approval %+v", ca)
			}
			if got := nonceOf(shop.Owner); got != "1" {
				t.Fatalf("owner nonce %s", got)
			}
			cc := f.close(rs, rs.CloseCancel, id, true).payment(t)
			if cc.PaymentStatus != loyaltywire.Int(loyalty.StatusCancelClosed) || cc.CloseCancelTimestamp == 0 {
				t.Fatalf("close cancel %+v", cc)
			}
			if got := f.srv.Balance(alice.Account); !got.Eq(start) {
				t.Fatalf("balance after refund %s, want %s", got, start)
			}
			st, _ = f.srv.ShopState(shop.ID)
			if !st.UsedPoint.IsZero() {
				t.Fatalf("shop used after refund %s", st.UsedPoint)
			}

			// One success callback per leg, in the relay dialect.
			evs := f.kiosk.events(t)
			if len(evs) != 2 || evs[0].Leg != loyalty.LegNew || evs[1].Leg != loyalty.LegCancel ||
				evs[0].Outcome != loyalty.OutcomeApproved || evs[1].Outcome != loyalty.OutcomeApproved ||
				evs[0].Dialect != loyalty.CallbackDialectRelay || evs[0].Payment.Status != loyalty.StatusNewApproved {
				t.Fatalf("callbacks %+v", evs)
			}

			ops := map[string]bool{}
			for _, r := range f.srv.Requests() {
				ops[r.Op] = true
			}
			for _, rte := range rs.List() {
				if rte.Endpoint == loyaltywire.OpDenyNewPayment || rte.Endpoint == loyaltywire.OpDenyCancelPayment {
					continue
				}
				if !ops[rte.Endpoint] {
					t.Errorf("route %s %s (%s) never recorded", rte.Method, rte.Path, rte.Endpoint)
				}
			}
		})
	}
}

func TestDenyRoutesBothSets(t *testing.T) {
	for name, rs := range routeSets() {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, WithWalletPolicy(Ignore))
			id := f.mustOpen(rs, "D-1", 1000)
			d := f.approval(rs, id, loyalty.LegNew, false).payment(t)
			if d.PaymentStatus != loyaltywire.Int(loyalty.StatusNewDenied) {
				t.Fatalf("deny %+v", d)
			}
			// Closing a denied payment answers 0 with the failed status.
			if c := f.close(rs, rs.CloseNew, id, true).payment(t); c.PaymentStatus != loyaltywire.Int(loyalty.StatusNewFailed) {
				t.Fatalf("close after deny %+v", c)
			}
			id2 := f.mustOpen(rs, "D-2", 1000)
			f.approval(rs, id2, loyalty.LegNew, true).payment(t)
			f.close(rs, rs.CloseNew, id2, true).payment(t)
			f.do(req{method: "POST", path: rs.OpenCancel, key: f.seed.AccessKey(), fields: map[string]string{"paymentId": id2}}).payment(t)
			if d := f.approval(rs, id2, loyalty.LegCancel, false).payment(t); d.PaymentStatus != loyaltywire.Int(loyalty.StatusCancelDenied) {
				t.Fatalf("cancel deny %+v", d)
			}
			if c := f.close(rs, rs.CloseCancel, id2, true).payment(t); c.PaymentStatus != loyaltywire.Int(loyalty.StatusCancelFailed) {
				t.Fatalf("close cancel after deny %+v", c)
			}
			evs := f.kiosk.events(t)
			var outs []string
			for _, e := range evs {
				outs = append(outs, e.Leg.String()+":"+e.Outcome.String())
			}
			if got := strings.Join(outs, ","); got != "new:denied,new:approved,cancel:denied" {
				t.Fatalf("callbacks %s", got)
			}
			for _, e := range evs {
				if e.Outcome == loyalty.OutcomeDenied && e.Code != loyalty.CodeDenied {
					t.Errorf("denial code %d", e.Code)
				}
			}
		})
	}
}

func TestFormBodiesAndBodyKey(t *testing.T) {
	f := newFixture(t, WithWalletPolicy(Ignore))
	rs := relayRoutes()
	alice := f.wallet(Alice)
	a := f.do(req{method: "POST", path: rs.OpenNew, form: true, fields: map[string]string{
		"accessKey": f.seed.AccessKey(), "purchaseId": "F-1", "amount": "5000000000000000000000",
		"currency": "krw", "shopId": f.seed.Shop().ID, "account": alice.Account,
	}})
	id := a.payment(t).PaymentID
	sig, _ := f.srv.ApprovalSignature(id, loyalty.LegNew)
	wantCode(t, f.do(req{method: "POST", path: rs.ApproveNew, form: true, fields: map[string]string{"paymentId": id, "signature": sig, "approval": "TRUE"}}), 0)
	// The header wins over the body: a wrong header with a right body key is refused.
	b := f.do(req{method: "POST", path: rs.CloseNew, key: "wrong", fields: map[string]string{"accessKey": f.seed.AccessKey(), "paymentId": id, "confirm": "true"}})
	wantCode(t, b, loyalty.CodeInvalidAccessKey)
	c := f.do(req{method: "POST", path: rs.CloseNew, form: true, fields: map[string]string{"accessKey": f.seed.AccessKey(), "paymentId": id, "confirm": "true"}})
	if c.payment(t).PaymentStatus != loyaltywire.Int(loyalty.StatusNewClosed) {
		t.Fatal("form close did not close")
	}
}

// TestErrorCodes checks every refusal code the fake answers.
func TestErrorCodes(t *testing.T) {
	rs := relayRoutes()
	doc := documentRoutes()
	newF := func(t *testing.T) *fixture { return newFixture(t, WithWalletPolicy(Ignore)) }
	approved := func(f *fixture, p string) string {
		id := f.mustOpen(rs, p, 1000)
		wantCode(f.t, f.approval(rs, id, loyalty.LegNew, true), 0)
		return id
	}
	closed := func(f *fixture, p string) string {
		id := approved(f, p)
		wantCode(f.t, f.close(rs, rs.CloseNew, id, true), 0)
		return id
	}
	cases := []struct {
		name string
		code loyalty.Code
		run  func(f *fixture) answer
	}{
		{"unsupported currency", loyalty.CodeUnsupportedCurrency, func(f *fixture) answer {
			return f.open(rs, "E", "1000", "xyz", f.wallet(Alice).Account)
		}},
		{"insufficient balance", loyalty.CodeInsufficientBalance, func(f *fixture) answer {
			return f.open(rs, "E", loyalty.FromWhole(1001).String(), "krw", f.wallet(Bob).Account)
		}},
		{"duplicate purchase", loyalty.CodePaymentIDExists, func(f *fixture) answer {
			f.mustOpen(rs, "DUP", 10)
			return f.open(doc, "DUP", loyalty.FromWhole(10).String(), "krw", f.wallet(Alice).Account)
		}},
		{"invalid params", loyalty.CodeInvalidParameters, func(f *fixture) answer {
			return f.open(rs, "E", "12.5", "krw", "0x1234")
		}},
		{"wrong access key", loyalty.CodeInvalidAccessKey, func(f *fixture) answer {
			return f.do(req{method: "POST", path: rs.OpenNew, key: "nope", fields: map[string]string{
				"purchaseId": "E", "amount": "1000", "currency": "krw", "shopId": f.seed.Shop().ID, "account": f.wallet(Alice).Account}})
		}},
		{"unknown payment", loyalty.CodePaymentNotFound, func(f *fixture) answer {
			return f.close(rs, rs.CloseNew, DeterministicID("nope"), true)
		}},
		{"bad signature", loyalty.CodeInvalidSignature, func(f *fixture) answer {
			id := f.mustOpen(rs, "E", 10)
			other := f.mustOpen(rs, "E2", 10)
			sig, _ := f.srv.ApprovalSignature(other, loyalty.LegNew)
			return f.approvalSig(rs, id, loyalty.LegNew, true, sig)
		}},
		{"signature of another key", loyalty.CodeInvalidSignature, func(f *fixture) answer {
			id := f.mustOpen(rs, "E", 10)
			p, _ := f.srv.Payment(id)
			sig, _ := loyalty.SignNewPayment(DeterministicKey(Bob), loyalty.NewPaymentMessage{PaymentID: id, PurchaseID: "E",
				Amount: p.Amount, Currency: p.Currency, ShopID: p.ShopID, Account: p.Account, ChainID: f.seed.ChainID})
			return f.approvalSig(rs, id, loyalty.LegNew, true, sig)
		}},
		{"cannot approve (denied)", loyalty.CodeCannotApprove, func(f *fixture) answer {
			id := f.mustOpen(rs, "E", 10)
			wantCode(f.t, f.approval(rs, id, loyalty.LegNew, false), 0)
			return f.approval(rs, id, loyalty.LegNew, true)
		}},
		{"cannot cancel (not closed)", loyalty.CodeCannotCancel, func(f *fixture) answer {
			id := approved(f, "E")
			return f.do(req{method: "POST", path: rs.OpenCancel, key: f.seed.AccessKey(), fields: map[string]string{"paymentId": id}})
		}},
		{"cannot close (cancel leg via closeNew)", loyalty.CodeCannotClose, func(f *fixture) answer {
			id := closed(f, "E")
			wantCode(f.t, f.do(req{method: "POST", path: rs.OpenCancel, key: f.seed.AccessKey(), fields: map[string]string{"paymentId": id}}), 0)
			return f.close(rs, rs.CloseNew, id, true)
		}},
		{"cannot close cancel of an uncancelled payment", loyalty.CodeCannotClose, func(f *fixture) answer {
			id := closed(f, "E")
			return f.close(rs, rs.CloseCancel, id, true)
		}},
		{"already approved", loyalty.CodeAlreadyApproved, func(f *fixture) answer {
			id := approved(f, "E")
			return f.approval(doc, id, loyalty.LegNew, true)
		}},
		{"already closed (approve)", loyalty.CodeAlreadyClosed, func(f *fixture) answer {
			id := closed(f, "E")
			return f.approval(rs, id, loyalty.LegNew, true)
		}},
		{"already closed (close)", loyalty.CodeAlreadyClosed, func(f *fixture) answer {
			id := closed(f, "E")
			return f.close(rs, rs.CloseNew, id, true)
		}},
		{"approved and failed", loyalty.CodeAlreadyFailed, func(f *fixture) answer {
			id := approved(f, "E")
			wantCode(f.t, f.close(rs, rs.CloseNew, id, false), 0)
			return f.approval(rs, id, loyalty.LegNew, true)
		}},
		{"cannot deny", loyalty.CodeCannotDeny, func(f *fixture) answer {
			id := approved(f, "E")
			return f.approval(rs, id, loyalty.LegNew, false)
		}},
		{"force-closed", loyalty.CodeForceClosed, func(f *fixture) answer {
			id := f.mustOpen(rs, "E", 10)
			f.srv.Clock().Advance(ForceCloseAfter)
			return f.close(rs, rs.CloseNew, id, true)
		}},
		{"close before approval", loyalty.CodeNotApprovedYet, func(f *fixture) answer {
			id := f.mustOpen(rs, "E", 10)
			return f.close(doc, doc.CloseNew, id, true)
		}},
		{"cancel close before approval", loyalty.CodeNotApprovedYet, func(f *fixture) answer {
			id := closed(f, "E")
			wantCode(f.t, f.do(req{method: "POST", path: rs.OpenCancel, key: f.seed.AccessKey(), fields: map[string]string{"paymentId": id}}), 0)
			return f.close(rs, rs.CloseCancel, id, true)
		}},
		{"cancel period", loyalty.CodeCancelPeriodExpired, func(f *fixture) answer {
			id := closed(f, "E")
			f.srv.Clock().Advance(CancelPeriod + time.Second)
			return f.do(req{method: "POST", path: rs.OpenCancel, key: f.seed.AccessKey(), fields: map[string]string{"paymentId": id}})
		}},
		{"timeout", loyalty.CodeTimeout, func(f *fixture) answer {
			id := f.mustOpen(rs, "E", 10)
			f.srv.Clock().Advance(ApprovalWindow + time.Second)
			return f.approval(rs, id, loyalty.LegNew, true)
		}},
		{"insufficient at approval", loyalty.CodeInsufficientBalance, func(f *fixture) answer {
			id := f.mustOpen(rs, "E", 10)
			f.srv.SetBalance(f.wallet(Alice).Account, loyalty.FromWhole(1))
			return f.approval(rs, id, loyalty.LegNew, true)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newF(t)
			wantCode(t, c.run(f), c.code)
		})
	}
}

func TestValidationEntries(t *testing.T) {
	f := newFixture(t, WithWalletPolicy(Ignore))
	rs := relayRoutes()
	a := f.do(req{method: "POST", path: rs.OpenNew, key: f.seed.AccessKey(), fields: map[string]string{"amount": "-1", "shopId": "0x12", "currency": "krw"}})
	wantCode(t, a, loyalty.CodeInvalidParameters)
	got := map[string]bool{}
	for _, v := range a.Error.Validation {
		got[v.Path] = true
		if v.Location != "body" {
			t.Errorf("location %q", v.Location)
		}
	}
	for _, want := range []string{"purchaseId", "amount", "shopId", "account"} {
		if !got[want] {
			t.Errorf("no validation entry for %s in %+v", want, a.Error.Validation)
		}
	}
	// The relay's approval needs the flag; the document's does not.
	wantCode(t, f.do(req{method: "POST", path: rs.ApproveNew, fields: map[string]string{"paymentId": "x", "signature": "0x" + strings.Repeat("ab", 65)}}), loyalty.CodeInvalidParameters)
	wantCode(t, f.do(req{method: "POST", path: documentRoutes().ApproveNew, fields: map[string]string{"paymentId": "x", "signature": "0x" + strings.Repeat("ab", 65)}}), loyalty.CodePaymentNotFound)
	// The relay's close needs confirm; the document's close has none.
	wantCode(t, f.do(req{method: "POST", path: rs.CloseNew, key: f.seed.AccessKey(), fields: map[string]string{"paymentId": "x"}}), loyalty.CodeInvalidParameters)
	wantCode(t, f.do(req{method: "POST", path: documentRoutes().CloseNew, key: f.seed.AccessKey(), fields: map[string]string{"paymentId": "x"}}), loyalty.CodePaymentNotFound)
	wantCode(t, f.do(req{method: "GET", path: rs.UserBalance, fields: map[string]string{"account": "nope"}}), loyalty.CodeInvalidParameters)
	wantCode(t, f.do(req{method: "GET", path: rs.NoncePath("nope")}), loyalty.CodeInvalidParameters)
	wantCode(t, f.do(req{method: "GET", path: rs.ShopInfo, fields: map[string]string{"shopId": DeterministicID("other")}}), loyalty.CodeInvalidParameters)
}

// TestWrongKeyChangesNothing: refused calls leave payments, balances and
// callbacks as they were.
func TestWrongKeyChangesNothing(t *testing.T) {
	f := newFixture(t, WithWalletPolicy(Ignore))
	rs := relayRoutes()
	other := DeterministicID("shop/other")
	f.srv.AddShop(Shop{ID: other, Name: "Other", Owner: f.wallet(Owner).Account})
	f.srv.AddAccessKey(AccessKey{Key: "other-key", ShopID: other})
	id := f.mustOpen(rs, "K-1", 100)
	wantCode(t, f.approval(rs, id, loyalty.LegNew, true), 0)
	before, _ := f.srv.Payment(id)
	bal := f.srv.Balance(f.wallet(Alice).Account)
	calls := []req{
		{method: "POST", path: rs.CloseNew, key: "wrong", fields: map[string]string{"paymentId": id, "confirm": "true"}},
		{method: "POST", path: rs.CloseNew, key: "other-key", fields: map[string]string{"paymentId": id, "confirm": "true"}},
		{method: "POST", path: rs.CloseNew, fields: map[string]string{"paymentId": id, "confirm": "true"}},
		{method: "POST", path: rs.OpenNew, key: "other-key", fields: map[string]string{"purchaseId": "K-2", "amount": "1000", "currency": "krw", "shopId": f.seed.Shop().ID, "account": f.wallet(Alice).Account}},
		{method: "POST", path: rs.OpenCancel, key: "wrong", fields: map[string]string{"paymentId": id}},
	}
	for _, c := range calls {
		wantCode(t, f.do(c), loyalty.CodeInvalidAccessKey)
	}
	after, _ := f.srv.Payment(id)
	if after != before || !f.srv.Balance(f.wallet(Alice).Account).Eq(bal) || len(f.srv.Payments()) != 1 {
		t.Fatalf("state changed: %+v → %+v", before, after)
	}
	if n := len(f.srv.Callbacks()); n != 1 {
		t.Fatalf("%d callbacks", n)
	}
}

// TestApprovalWindow: 45 s after open an approval is refused with 7000 and
// exactly one timeout callback is sent, however often the wallet retries.
func TestApprovalWindow(t *testing.T) {
	f := newFixture(t, WithWalletPolicy(Ignore))
	rs := relayRoutes()
	id := f.mustOpen(rs, "T-1", 10)
	f.srv.Clock().Advance(ApprovalWindow) // exactly 45 s is still in time
	id2 := f.mustOpen(rs, "T-2", 10)
	wantCode(t, f.approval(rs, id, loyalty.LegNew, true), 0)
	f.srv.Clock().Advance(ApprovalWindow + time.Second)
	for i := 0; i < 3; i++ {
		wantCode(t, f.approval(rs, id2, loyalty.LegNew, i%2 == 0), loyalty.CodeTimeout)
	}
	if st := f.status(id2); st != loyalty.StatusNewOpened {
		t.Fatalf("late approval changed the status to %v", st)
	}
	var timeouts int
	for _, e := range f.kiosk.events(t) {
		if e.Payment.ID == id2 {
			if e.Outcome != loyalty.OutcomeTimeout || e.Code != loyalty.CodeTimeout {
				t.Fatalf("event %+v", e)
			}
			timeouts++
		}
	}
	if timeouts != 1 {
		t.Fatalf("%d timeout callbacks, want 1", timeouts)
	}
}

// TestTimeoutCallbackTimer: WithTimeoutCallback sends the 7000 callback from
// a timer when 45 s pass without a wallet answer, once.
func TestTimeoutCallbackTimer(t *testing.T) {
	f := newFixture(t, WithWalletPolicy(Ignore), WithTimeoutCallback())
	rs := relayRoutes()
	id := f.mustOpen(rs, "TT-1", 10)
	if !f.srv.Clock().WaitForWaiters(1, f.ctx.Done()) {
		t.Fatal("no timer armed")
	}
	f.srv.Clock().Advance(ApprovalWindow - time.Second)
	f.sync()
	if n := len(f.srv.Callbacks()); n != 0 {
		t.Fatalf("callback before 45 s: %d", n)
	}
	f.srv.Clock().Advance(time.Second)
	f.sync()
	cbs := f.srv.Callbacks()
	if len(cbs) != 1 || cbs[0].Outcome != loyalty.OutcomeTimeout || cbs[0].PaymentID != id || cbs[0].Status != 200 {
		t.Fatalf("callbacks %+v", cbs)
	}
	f.srv.Clock().Advance(time.Second)
	wantCode(t, f.approval(rs, id, loyalty.LegNew, true), loyalty.CodeTimeout)
	if n := len(f.srv.Callbacks()); n != 1 {
		t.Fatalf("%d callbacks after a late approval, want 1", n)
	}
}

// TestCloseWindow: a close more than 40 s after the approval answers 0 with
// the failed status, and the held points stay with the user.
func TestCloseWindow(t *testing.T) {
	for _, leg := range []loyalty.Leg{loyalty.LegNew, loyalty.LegCancel} {
		t.Run(leg.String(), func(t *testing.T) {
			f := newFixture(t, WithWalletPolicy(Ignore))
			rs := relayRoutes()
			alice := f.wallet(Alice).Account
			start := f.srv.Balance(alice)
			id := f.mustOpen(rs, "C-1", 100)
			wantCode(t, f.approval(rs, id, loyalty.LegNew, true), 0)
			path, failed := rs.CloseNew, loyalty.StatusNewFailed
			if leg == loyalty.LegCancel {
				wantCode(t, f.close(rs, rs.CloseNew, id, true), 0)
				wantCode(t, f.do(req{method: "POST", path: rs.OpenCancel, key: f.seed.AccessKey(), fields: map[string]string{"paymentId": id}}), 0)
				wantCode(t, f.approval(rs, id, loyalty.LegCancel, true), 0)
				path, failed = rs.CloseCancel, loyalty.StatusCancelFailed
			}
			before := f.srv.Balance(alice)
			f.srv.Clock().Advance(CloseWindow + time.Second)
			c := f.close(rs, path, id, true).payment(t)
			if c.PaymentStatus != loyaltywire.Int(failed) {
				t.Fatalf("late close status %d", c.PaymentStatus)
			}
			if got := f.srv.Balance(alice); !got.Eq(before) {
				t.Fatalf("late close moved points: %s → %s", before, got)
			}
			if leg == loyalty.LegNew && !f.srv.Balance(alice).Eq(start) {
				t.Fatal("failed new leg charged the user")
			}
			// The points are free again: a new payment of the whole balance opens.
			if leg == loyalty.LegNew {
				all, _ := loyalty.EstimatePayment(loyalty.FromWhole(900_000), "krw", loyalty.DefaultRates())
				if all.TotalPoint.Gt(start) {
					t.Fatal("test amount too large")
				}
				wantCode(t, f.open(rs, "C-2", loyalty.FromWhole(900_000).String(), "krw", alice), 0)
			}
		})
	}
}

// TestForceClose: a leg the wallet never answers is force-closed after
// 300 s without a callback; an approved leg never closed too.
func TestForceClose(t *testing.T) {
	f := newFixture(t, WithWalletPolicy(Ignore))
	rs := relayRoutes()
	clk := f.srv.Clock()
	a := f.mustOpen(rs, "FC-1", 10)
	b := f.mustOpen(rs, "FC-2", 10)
	clk.Advance(30 * time.Second)
	wantCode(t, f.approval(rs, b, loyalty.LegNew, true), 0)
	if clk.Waiters() != 0 {
		t.Fatalf("the fake holds %d clock timers for held payments", clk.Waiters())
	}
	clk.Advance(ForceCloseAfter - 30*time.Second - time.Second)
	if f.status(a) != loyalty.StatusNewOpened {
		t.Fatal("closed early")
	}
	clk.Advance(time.Second)
	pa, _ := f.srv.Payment(a)
	if pa.Status != loyalty.StatusNewFailed || !pa.ClosedAt.Equal(pa.OpenedAt.Add(ForceCloseAfter)) {
		t.Fatalf("a = %v closed at %v", pa.Status, pa.ClosedAt)
	}
	if f.status(b) != loyalty.StatusNewReported {
		t.Fatal("b force-closed before 300 s after its approval")
	}
	clk.Advance(30 * time.Second)
	if f.status(b) != loyalty.StatusNewFailed {
		t.Fatalf("b = %v", f.status(b))
	}
	if !f.srv.Balance(f.wallet(Alice).Account).Eq(f.wallet(Alice).Balance) {
		t.Fatal("force-close charged the user")
	}
	for _, cb := range f.srv.Callbacks() {
		if cb.PaymentID == a {
			t.Fatalf("force close sent a callback %+v", cb)
		}
	}
	wantCode(t, f.close(rs, rs.CloseNew, a, true), loyalty.CodeForceClosed)
	wantCode(t, f.close(rs, rs.CloseNew, b, true), loyalty.CodeAlreadyClosed)
}

func TestCancelPeriod(t *testing.T) {
	f := newFixture(t, WithWalletPolicy(Ignore))
	rs := relayRoutes()
	openCancel := func(id string) answer {
		return f.do(req{method: "POST", path: rs.OpenCancel, key: f.seed.AccessKey(), fields: map[string]string{"paymentId": id}})
	}
	var ids []string
	for i := 0; i < 2; i++ {
		id := f.mustOpen(rs, fmt.Sprint("CP-", i), 10)
		wantCode(t, f.approval(rs, id, loyalty.LegNew, true), 0)
		wantCode(t, f.close(rs, rs.CloseNew, id, true), 0)
		ids = append(ids, id)
	}
	f.srv.Clock().Advance(CancelPeriod)
	wantCode(t, openCancel(ids[0]), 0)
	f.srv.Clock().Advance(time.Second)
	wantCode(t, openCancel(ids[1]), loyalty.CodeCancelPeriodExpired)
	if f.status(ids[1]) != loyalty.StatusNewClosed {
		t.Fatal("refused cancel changed the status")
	}
}

// TestScriptedWallet: policies with delays on the fake clock, per account and
// per purchase, go through the HTTP approval route with real signatures.
func TestScriptedWallet(t *testing.T) {
	f := newFixture(t, WithWalletRouteSet(loyalty.RouteSetDocument))
	rs := relayRoutes()
	alice, bob := f.wallet(Alice).Account, f.wallet(Bob).Account
	f.srv.SetWallet(bob, DenyAfter(10*time.Second))
	f.srv.ScriptPurchase("S-3", loyalty.LegNew, Ignore)

	a := f.mustOpen(rs, "S-1", 10) // alice: default policy, approve at once
	b := f.open(rs, "S-2", loyalty.FromWhole(10).String(), "krw", bob).payment(t).PaymentID
	c := f.mustOpen(rs, "S-3", 10) // scripted: ignored
	f.sync()
	if f.status(a) != loyalty.StatusNewReported || f.status(b) != loyalty.StatusNewOpened {
		t.Fatalf("a=%v b=%v", f.status(a), f.status(b))
	}
	if !f.srv.Clock().WaitForWaiters(1, f.ctx.Done()) {
		t.Fatal("the wallet's delay is not on the clock")
	}
	f.srv.Clock().Advance(10 * time.Second)
	f.sync()
	if f.status(b) != loyalty.StatusNewDenied || f.status(c) != loyalty.StatusNewOpened {
		t.Fatalf("b=%v c=%v", f.status(b), f.status(c))
	}
	if f.srv.Nonce(alice) != 1 || f.srv.Nonce(bob) != 0 {
		t.Fatalf("nonces %d %d", f.srv.Nonce(alice), f.srv.Nonce(bob))
	}
	var sawConfirm, sawDeny bool
	for _, r := range f.srv.Requests() {
		sawConfirm = sawConfirm || r.Path == documentRoutes().ApproveNew
		sawDeny = sawDeny || r.Path == documentRoutes().DenyNew
	}
	if !sawConfirm || !sawDeny {
		t.Fatal("the wallet did not use the HTTP routes")
	}
	// Manual answers for the ignored one, then the cancel leg by the owner's policy.
	if err := f.srv.Approve(c); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Approve(c); !loyalty.IsCode(err, loyalty.CodeAlreadyApproved) {
		t.Fatalf("second approve: %v", err)
	}
	wantCode(t, f.close(rs, rs.CloseNew, c, true), 0)
	f.srv.SetWallet(f.wallet(Owner).Account, Ignore)
	wantCode(t, f.do(req{method: "POST", path: rs.OpenCancel, key: f.seed.AccessKey(), fields: map[string]string{"paymentId": c}}), 0)
	if err := f.srv.DenyCancel(c); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.ApproveCancel(c); !loyalty.IsCode(err, loyalty.CodeCannotApprove) {
		t.Fatalf("approve after deny: %v", err)
	}
	if err := f.srv.Deny(DeterministicID("x")); !loyalty.IsNotFound(err) {
		t.Fatalf("deny of unknown: %v", err)
	}
}

func TestLenientSignatures(t *testing.T) {
	f := newFixture(t, WithWalletPolicy(Ignore), WithLenientSignatures())
	rs := relayRoutes()
	id := f.mustOpen(rs, "L-1", 10)
	wantCode(t, f.approvalSig(rs, id, loyalty.LegNew, true, "0x"+strings.Repeat("00", 65)), 0)
}

// TestDropAnswerApplies: with DropAnswer the client sees no answer but the
// operation took effect; Fail changes nothing.
func TestFaults(t *testing.T) {
	f := newFixture(t, WithWalletPolicy(Ignore))
	rs := relayRoutes()
	f.srv.Faults().Inject(loyaltywire.OpOpenNewPayment, mock.Fault{Kind: mock.Fail, Code: "6000", Message: "boom"})
	a := f.open(rs, "FA-1", "1000", "krw", f.wallet(Alice).Account)
	wantCode(t, a, loyalty.CodeServerError)
	if a.Error.Message != "boom" || len(f.srv.Payments()) != 0 {
		t.Fatalf("fail fault: %+v, %d payments", a.Error, len(f.srv.Payments()))
	}

	f.srv.Faults().Inject(loyaltywire.OpOpenNewPayment, mock.Fault{Kind: mock.DropAnswer})
	body := `{"purchaseId":"FA-2","amount":"1000","currency":"krw","shopId":"` + f.seed.Shop().ID + `","account":"` + f.wallet(Alice).Account + `"}`
	hr, _ := newPost(f.srv.URL()+rs.OpenNew, body, f.seed.AccessKey())
	if resp, err := f.srv.HTTPClient().Do(hr); err == nil {
		resp.Body.Close()
		t.Fatal("DropAnswer: got an answer")
	}
	ids := f.srv.Payments()
	if len(ids) != 1 {
		t.Fatalf("DropAnswer did not apply the open: %d payments", len(ids))
	}
	// The approval's answer lost: the approval and its callback happened.
	f.srv.Faults().Inject(loyaltywire.OpApproveNewPayment, mock.Fault{Kind: mock.DropAnswer})
	if err := f.srv.Approve(ids[0]); !loyalty.IsTransport(err) {
		t.Fatalf("approve under DropAnswer: %v", err)
	}
	if f.status(ids[0]) != loyalty.StatusNewReported || len(f.kiosk.events(t)) != 1 {
		t.Fatal("dropped approval not applied")
	}
	// A lost callback is recorded, not sent.
	id := f.mustOpen(rs, "FA-3", 10)
	f.srv.Faults().Inject(OpCallback, mock.Fault{Kind: mock.DropAnswer})
	wantCode(t, f.approval(rs, id, loyalty.LegNew, false), 0)
	cbs := f.srv.Callbacks()
	if last := cbs[len(cbs)-1]; last.PaymentID != id || last.Err == "" || last.Status != 0 || len(f.kiosk.events(t)) != 1 {
		t.Fatalf("lost callback %+v", last)
	}
	// ResendCallback posts a duplicate on purpose.
	rec, ok := f.srv.ResendCallback(ids[0], loyalty.LegNew)
	if !ok || !rec.Duplicate || rec.Status != 200 || len(f.kiosk.events(t)) != 2 {
		t.Fatalf("resend %+v", rec)
	}
}

func TestCallbackDialectsAndKey(t *testing.T) {
	for _, d := range []loyalty.CallbackDialect{loyalty.CallbackDialectRelay, loyalty.CallbackDialectDocTable, loyalty.CallbackDialectDocExample} {
		t.Run(d.String(), func(t *testing.T) {
			f := newFixture(t, WithCallbackDialect(d), WithWalletPolicy(DenyAtOnce))
			f.mustOpen(relayRoutes(), "CB", 10)
			f.sync()
			evs := f.kiosk.events(t)
			if len(evs) != 1 || evs[0].Dialect != d || evs[0].Outcome != loyalty.OutcomeDenied {
				t.Fatalf("events %+v", evs)
			}
			f.kiosk.mu.Lock()
			hasKey := strings.Contains(string(f.kiosk.bodies[0]), f.seed.AccessKey())
			f.kiosk.mu.Unlock()
			if hasKey != (d == loyalty.CallbackDialectRelay) {
				t.Fatalf("access key in the body sent: %v", hasKey)
			}
			// The fake's record of the callback never holds the key.
			if strings.Contains(string(f.srv.Callbacks()[0].Body), f.seed.AccessKey()) {
				t.Fatalf("access key in the recorded callback: %s", f.srv.Callbacks()[0].Body)
			}
		})
	}
}

func TestNonLoopbackCallbackRefused(t *testing.T) {
	srv := NewServer(WithCallbackURL("http://192.0.2.1/cb"), WithWalletPolicy(DenyAtOnce))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f := &fixture{t: t, srv: srv, seed: srv.Seed(), ctx: ctx}
	f.mustOpen(relayRoutes(), "NL", 10)
	f.sync()
	cbs := srv.Callbacks()
	if len(cbs) != 1 || !strings.Contains(cbs[0].Err, "loopback") {
		t.Fatalf("callbacks %+v", cbs)
	}
}

func TestSecretsRedacted(t *testing.T) {
	seed := DefaultSeed()
	for _, s := range []string{fmt.Sprintf("%v", seed), fmt.Sprintf("%+v", seed), fmt.Sprintf("%#v", seed.AccessKeys[0]), seed.AccessKeys[0].String()} {
		if strings.Contains(s, DefaultAccessKey) {
			t.Fatalf("access key in %q", s)
		}
	}
	f := newFixture(t, WithWalletPolicy(Ignore))
	f.mustOpen(relayRoutes(), "R", 10)
	f.mustOpen(documentRoutes(), "D", 10) // the document's POSTs carry accessKey in the body
	reqs := f.srv.Requests()
	if len(reqs) < 2 {
		t.Fatalf("%d requests recorded", len(reqs))
	}
	for _, r := range reqs {
		if strings.Contains(fmt.Sprint(r.Header), DefaultAccessKey) || strings.Contains(string(r.Body), DefaultAccessKey) || strings.Contains(r.Query, DefaultAccessKey) {
			t.Fatalf("access key in a recorded %s request: %s %s", r.Op, r.Body, r.Query)
		}
	}
	for _, s := range []string{fmt.Sprintf("%v", f.srv), fmt.Sprintf("%+v", f.srv), fmt.Sprintf("%#v", f.srv)} {
		if strings.Contains(s, DefaultAccessKey) {
			t.Fatalf("access key in the server's %%v: %q", s)
		}
	}
}

func TestDeterministicSeed(t *testing.T) {
	a, b := DefaultSeed(), DefaultSeed()
	for i := range a.Wallets {
		if a.Wallets[i].Account != b.Wallets[i].Account || !loyalty.IsAccount(a.Wallets[i].Account) {
			t.Fatalf("wallet %d differs or is malformed", i)
		}
	}
	if a.Wallets[0].Account == a.Wallets[1].Account {
		t.Fatal("two wallets share a key")
	}
}

func newPost(u, body, key string) (*http.Request, error) {
	r, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", key)
	return r, nil
}
