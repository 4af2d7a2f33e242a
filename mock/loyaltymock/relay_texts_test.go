package loyaltymock_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/loyaltymock"
)

// relayTexts are the relay's messages, copied from bosagora/dms-osx @06e21248
// packages/relay/src/utils/Errors.ts (ResponseMessage.messages), with their lines.
var relayTexts = map[loyalty.Code]string{
	1211: "This exchange rate is not supported",                 // Errors.ts:31
	1511: "Insufficient balance",                                // Errors.ts:41
	1534: "The period for cancellation of payment has expired",  // Errors.ts:51
	2001: "Failed to check the validity of parameters",          // Errors.ts:57
	2002: "The access key entered is not valid",                 // Errors.ts:58
	2003: "The payment ID is not exist",                         // Errors.ts:59
	2020: "The status code for this payment cannot be approved", // Errors.ts:65
	2022: "The status code for this payment cannot be cancel",   // Errors.ts:66
	2025: "This payment has already been approved",              // Errors.ts:68
	2026: "This payment has already been closed",                // Errors.ts:69
	2028: "The status code for this payment cannot be denied",   // Errors.ts:71
	2029: "This payment has forced to close",                    // Errors.ts:72
	2030: "This payment cannot be closed before it is approved", // Errors.ts:73
	7000: "Timeout period expired",                              // Errors.ts:79
}

// TestRelayTextsCharacterForCharacter provokes each refusal on the fake and compares its
// message with the relay's text.
func TestRelayTextsCharacterForCharacter(t *testing.T) {
	ctx := context.Background()
	srv := loyaltymock.NewServer(loyaltymock.WithWalletPolicy(loyaltymock.Ignore))
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	bob, _ := seed.Wallet(loyaltymock.Bob)
	c := srv.Client()
	n := 0
	open := func(account string, amount loyalty.Amount) (*loyalty.Payment, error) {
		n++
		return c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "T-" + string(rune('A'+n)), Amount: amount,
			Currency: "krw", ShopID: seed.Shop().ID, Account: account})
	}
	mustOpen := func() string {
		p, err := open(alice.Account, loyalty.FromWhole(10))
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	got := map[loyalty.Code]error{}
	_, got[1211] = c.PaymentInfo(ctx, alice.Account, loyalty.FromWhole(1), "eur")
	_, got[1511] = open(bob.Account, loyalty.FromWhole(2000))
	_, got[2001] = c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "X", Amount: loyalty.FromWhole(1), Currency: "krw",
		ShopID: "0x" + "00000000000000000000000000000000000000000000000000000000000000ff", Account: alice.Account})
	_, got[2002] = srv.Client(loyalty.WithAccessKey("not-the-key")).Payment(ctx, mustOpen())
	_, got[2002] = srv.Client(loyalty.WithAccessKey("not-the-key")).CloseNewPayment(ctx, mustOpen(), true)
	_, got[2003] = c.Payment(ctx, "0x"+"ab00000000000000000000000000000000000000000000000000000000000000")
	id := mustOpen()
	_, got[2030] = c.CloseNewPayment(ctx, id, true)
	_, got[2022] = c.OpenCancelPayment(ctx, id)
	if err := srv.Approve(id); err != nil {
		t.Fatal(err)
	}
	got[2025] = srv.Approve(id)
	got[2028] = srv.Deny(id)
	if _, err := c.CloseNewPayment(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	got[2026] = srv.Approve(id)
	denied := mustOpen()
	if err := srv.Deny(denied); err != nil {
		t.Fatal(err)
	}
	got[2020] = srv.Approve(denied)
	late := mustOpen()
	forced := mustOpen()
	srv.Clock().Advance(46 * time.Second)
	got[7000] = srv.Approve(late)
	srv.Clock().Advance(300 * time.Second)
	_, got[2029] = c.CloseNewPayment(ctx, forced, true)
	srv.Clock().Advance(7 * 24 * time.Hour)
	_, got[1534] = c.OpenCancelPayment(ctx, id)
	for code, want := range relayTexts {
		err := got[code]
		var e *loyalty.Error
		if !asError(err, &e) || e.Code != code {
			t.Errorf("code %d: got %v", code, err)
			continue
		}
		if e.Message != want {
			t.Errorf("code %d: message %q, want the relay's %q", code, e.Message, want)
		}
	}
}

func asError(err error, e **loyalty.Error) bool { return errors.As(err, e) }

// newKioskRecorder is a callback endpoint that answers 200.
func newKioskRecorder(t *testing.T) *httptest.Server {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(hs.Close)
	return hs
}

func loyaltymockFailOnce() mock.Fault { return mock.Fault{Kind: mock.Fail} }

// callbackBody decodes a recorded callback.
func callbackBody(t *testing.T, b []byte) (code int, message string, data map[string]any) {
	t.Helper()
	var cb struct {
		Code    int            `json:"code"`
		Message string         `json:"message"`
		Data    map[string]any `json:"data"`
	}
	if err := json.Unmarshal(b, &cb); err != nil {
		t.Fatalf("callback %s: %v", b, err)
	}
	return cb.Code, cb.Message, cb.Data
}

// TestCallbackTextsAndContractValues: the callbacks carry the relay's messages ("Success",
// WatchScheduler.ts:140; "Denied by user", PaymentRouter.ts:724; the 7000 text,
// PaymentRouter.ts:644–651), and after the approval the success callback and every read
// carry the contract's figures (loyalty.ContractCharge), as the relay's watcher copies the
// contract's event over its estimate (WatchScheduler.ts:129–134, 224–237).
func TestCallbackTextsAndContractValues(t *testing.T) {
	ctx := context.Background()
	kiosk := newKioskRecorder(t)
	srv := loyaltymock.NewServer(loyaltymock.WithWalletPolicy(loyaltymock.Ignore), loyaltymock.WithCallbackURL(kiosk.URL))
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	c := srv.Client()
	amount, _ := loyalty.ParseDecimal("12.345678901")
	p, err := c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "CV-1", Amount: amount, Currency: " USD ",
		ShopID: seed.Shop().ID, Account: alice.Account})
	if err != nil {
		t.Fatalf("open with a padded currency: %v", err)
	}
	est, _ := loyalty.EstimatePayment(amount, "usd", loyalty.DefaultRates())
	charge, _ := loyalty.ContractCharge(amount, "usd", loyalty.DefaultRates())
	if !p.TotalPoint.Eq(est.TotalPoint) || est.TotalPoint.Eq(charge.TotalPoint) {
		t.Fatalf("open answers %s, want the estimate %s (≠ contract %s)", p.TotalPoint, est.TotalPoint, charge.TotalPoint)
	}
	if err := srv.Approve(p.ID); err != nil {
		t.Fatal(err)
	}
	cbs := srv.Callbacks()
	if len(cbs) != 1 {
		t.Fatalf("%d callbacks", len(cbs))
	}
	code, msg, data := callbackBody(t, cbs[0].Body)
	if code != 0 || msg != "Success" || data["totalPoint"] != charge.TotalPoint.String() || data["feePoint"] != charge.FeePoint.String() ||
		data["feeValue"] != charge.FeeValue.String() || data["currency"] != "usd" {
		t.Fatalf("success callback %d %q %v, want the contract's %s", code, msg, data, charge.TotalPoint)
	}
	read, err := c.Payment(ctx, p.ID)
	if err != nil || !read.TotalPoint.Eq(charge.TotalPoint) || !read.FeePoint.Eq(charge.FeePoint) {
		t.Fatalf("payment after approval %v %v, want the contract's figures", read, err)
	}
	before := srv.Balance(alice.Account)
	closed, err := c.CloseNewPayment(ctx, p.ID, true)
	if err != nil || !closed.TotalPoint.Eq(charge.TotalPoint) {
		t.Fatal(closed, err)
	}
	if spent, _ := before.Sub(srv.Balance(alice.Account)); !spent.Eq(charge.TotalPoint) {
		t.Fatalf("charged %s, want the contract's %s", spent, charge.TotalPoint)
	}

	// Denial and timeout callbacks.
	d, _ := c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "CV-2", Amount: loyalty.FromWhole(1), Currency: "krw",
		ShopID: seed.Shop().ID, Account: alice.Account})
	if err := srv.Deny(d.ID); err != nil {
		t.Fatal(err)
	}
	l, _ := c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "CV-3", Amount: loyalty.FromWhole(1), Currency: "krw",
		ShopID: seed.Shop().ID, Account: alice.Account})
	srv.Clock().Advance(46 * time.Second)
	if err := srv.Approve(l.ID); !loyalty.IsTimeout(err) {
		t.Fatalf("late approval: %v", err)
	}
	cbs = srv.Callbacks()
	if len(cbs) != 3 {
		t.Fatalf("%d callbacks", len(cbs))
	}
	if code, msg, _ := callbackBody(t, cbs[1].Body); code != 4000 || msg != "Denied by user" {
		t.Fatalf("denial callback %d %q", code, msg)
	}
	if code, msg, _ := callbackBody(t, cbs[2].Body); code != 7000 || msg != "Timeout period expired" {
		t.Fatalf("timeout callback %d %q", code, msg)
	}
}

// TestFakeTrimsCurrency: the relay trims the currency before the rate lookup
// (PaymentRouter.ts:378 payment info, :460 open); so does the fake.
func TestFakeTrimsCurrency(t *testing.T) {
	ctx := context.Background()
	srv := loyaltymock.NewServer()
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	info, err := srv.Client().PaymentInfo(ctx, alice.Account, loyalty.FromWhole(1), " \tKRW\u00a0")
	if err != nil || !info.TotalPoint.Eq(loyalty.FromBaseUnits(1_050_000_000_000_000_000)) {
		t.Fatalf("info %+v %v", info, err)
	}
}

// TestZeroPointPayment: a payment that converts to zero points goes through and charges
// nothing, as the relay (Validation.isAmount accepts any digits, PaymentRouter.ts:480
// checks only totalPoint > balance) and the contract (LoyaltyConsumer.sol 96–127, no
// minimum) let it.
func TestZeroPointPayment(t *testing.T) {
	ctx := context.Background()
	srv := loyaltymock.NewServer(loyaltymock.WithWalletPolicy(loyaltymock.Ignore))
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	c := srv.Client()
	start := srv.Balance(alice.Account)
	p, err := c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "Z-1", Amount: loyalty.FromBaseUnits(12000), Currency: "krw",
		ShopID: seed.Shop().ID, Account: alice.Account})
	if err != nil || !p.TotalPoint.IsZero() {
		t.Fatalf("open %+v %v", p, err)
	}
	if err := srv.Approve(p.ID); err != nil {
		t.Fatal(err)
	}
	closed, err := c.CloseNewPayment(ctx, p.ID, true)
	if err != nil || closed.Status != loyalty.StatusNewClosed || !closed.TotalPoint.IsZero() {
		t.Fatalf("close %+v %v", closed, err)
	}
	if !srv.Balance(alice.Account).Eq(start) {
		t.Fatal("a zero-point payment changed the balance")
	}
}

// TestApprovalPathNamedByFlag: on the relay set's one approval path of a leg, a denial is
// recorded and faulted as Deny…, an approval as Approve….
func TestApprovalPathNamedByFlag(t *testing.T) {
	ctx := context.Background()
	srv := loyaltymock.NewServer(loyaltymock.WithWalletPolicy(loyaltymock.Ignore))
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	c := srv.Client()
	w := srv.Client(loyalty.WithRouteSet(loyalty.RouteSetRelay))
	var ids []string
	for _, pid := range []string{"AP-1", "AP-2"} {
		p, err := c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: pid, Amount: loyalty.FromWhole(1), Currency: "krw",
			ShopID: seed.Shop().ID, Account: alice.Account})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	srv.Faults().MustInject("DenyNewPayment", loyaltymockFailOnce())
	sig, _ := srv.ApprovalSignature(ids[0], loyalty.LegNew)
	if _, err := w.DenyNewPayment(ctx, ids[0], sig); !loyalty.IsCode(err, loyalty.CodeServerError) {
		t.Fatalf("deny on the relay path not faulted as DenyNewPayment: %v", err)
	}
	if _, err := w.ApproveNewPayment(ctx, ids[0], sig); err != nil {
		t.Fatalf("approval after the deny fault: %v", err)
	}
	sig, _ = srv.ApprovalSignature(ids[1], loyalty.LegNew)
	if _, err := w.DenyNewPayment(ctx, ids[1], sig); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range srv.Requests() {
		if r.Path == "/v1/payment/new/approval" {
			names = append(names, r.Op)
		}
	}
	want := []string{"DenyNewPayment", "ApproveNewPayment", "DenyNewPayment"}
	if len(names) != len(want) || names[0] != want[0] || names[1] != want[1] || names[2] != want[2] {
		t.Fatalf("recorded %v, want %v", names, want)
	}
}
