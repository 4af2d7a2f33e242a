package loyalty_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/loyaltymock"
)

const (
	cbKey = "k9Zq7Hx2Pw4LmN8rTt3VbQ6y"
	cbID  = "0x644a5568445869656a16b67ab82894bbe7fb40e984bc5bff90002aa40177292f"
)

// events records what the application was given.
type events struct {
	mu  sync.Mutex
	evs []loyalty.CallbackEvent
}

func (e *events) fn(_ context.Context, ev loyalty.CallbackEvent) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, ev)
	return nil
}

func (e *events) all() []loyalty.CallbackEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]loyalty.CallbackEvent(nil), e.evs...)
}

// cb is a relay-dialect callback body; key "" sends none.
func cb(key, id string, code int, status int) string {
	k := ""
	if key != "" {
		k = fmt.Sprintf(`"accessKey":%q,`, key)
	}
	return fmt.Sprintf(`{%s"type":"pay_new","code":%d,"message":"m","data":{"paymentId":%q,"purchaseId":"P1","amount":"1000000000000000000","currency":"krw","paymentStatus":%d}}`,
		k, code, id, status)
}

func deliver(h http.Handler, body string, header map[string]string) int {
	req := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

// TestCallbackForgedFirst: a forged keyless "denied" that arrives before the genuine
// "approved" is refused and leaves no trace: the genuine callback reaches the application.
func TestCallbackForgedFirst(t *testing.T) {
	var app events
	h := loyalty.NewCallbackHandler(cbKey, app.fn)
	if code := deliver(h, cb("", cbID, 4000, 16), nil); code != http.StatusUnauthorized {
		t.Fatalf("forged keyless callback answered %d, want 401", code)
	}
	if code := deliver(h, cb("guess", cbID, 4000, 16), nil); code != http.StatusUnauthorized {
		t.Fatalf("forged keyed callback answered %d, want 401", code)
	}
	if code := deliver(h, cb(cbKey, cbID, 0, 15), nil); code != http.StatusOK {
		t.Fatalf("genuine callback answered %d", code)
	}
	got := app.all()
	if len(got) != 1 || got[0].Outcome != loyalty.OutcomeApproved {
		t.Fatalf("application saw %+v, want the genuine approval only", got)
	}
}

// TestCallbackKeylessConfirmedWithRelay: with the keyless opt-in the handler asks the relay
// (the fake) before the application hears anything: an undecided leg is refused (409) and
// not remembered; a forged "denied" of an approved payment reaches the application as the
// relay's "approved"; an unknown payment is refused.
func TestCallbackKeylessConfirmedWithRelay(t *testing.T) {
	ctx := context.Background()
	srv := loyaltymock.NewServer(loyaltymock.WithWalletPolicy(loyaltymock.Ignore))
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	client := srv.Client()
	var app events
	h := loyalty.NewCallbackHandler(seed.AccessKey(), app.fn, loyalty.WithCallbackKeyless(client))
	p, err := client.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "K-1", Amount: loyalty.FromWhole(100),
		Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account})
	if err != nil {
		t.Fatal(err)
	}
	if code := deliver(h, cb("", p.ID, 4000, 16), nil); code != http.StatusConflict {
		t.Fatalf("keyless callback of an undecided leg answered %d, want 409", code)
	}
	if err := srv.Approve(p.ID); err != nil {
		t.Fatal(err)
	}
	if code := deliver(h, cb("", strings.ToUpper(p.ID[2:]), 4000, 16), nil); code != http.StatusBadRequest {
		t.Fatalf("keyless callback with a malformed id answered %d, want 400", code)
	}
	if code := deliver(h, cb("", p.ID, 4000, 16), nil); code != http.StatusOK {
		t.Fatalf("keyless callback of a decided leg answered %d", code)
	}
	got := app.all()
	if len(got) != 1 || !got[0].Confirmed || got[0].Outcome != loyalty.OutcomeApproved || got[0].Payment.Status != loyalty.StatusNewReported {
		t.Fatalf("application saw %+v, want the relay's approval", got)
	}
	// The genuine (keyed) callback is now a duplicate.
	if code := deliver(h, cb(seed.AccessKey(), p.ID, 0, 15), nil); code != http.StatusOK || len(app.all()) != 1 {
		t.Fatalf("genuine callback after the confirmed one: %d, %d events", code, len(app.all()))
	}
	unknown := "0x" + strings.Repeat("ab", 32)
	if code := deliver(h, cb("", unknown, 0, 15), nil); code != http.StatusBadRequest {
		t.Fatalf("keyless callback of an unknown payment answered %d, want 400", code)
	}
	// A relay that cannot be read: not delivered, not remembered.
	srv.Faults().MustInject("Payment", mock.Fault{Kind: mock.Fail, Code: "6000", Times: 10})
	p2, err := client.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "K-2", Amount: loyalty.FromWhole(100),
		Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account})
	if err != nil {
		t.Fatal(err)
	}
	if code := deliver(h, cb("", p2.ID, 0, 15), nil); code != http.StatusServiceUnavailable {
		t.Fatalf("keyless callback with the relay down answered %d, want 503", code)
	}
}

// TestCallbackReplayAfterFlood: thousands of keyless and wrong-key callbacks (the old
// memory held 4096 entries, FIFO) do not flush the memory: a replay of the genuine
// callback is still a duplicate, and only the genuine one was remembered.
func TestCallbackReplayAfterFlood(t *testing.T) {
	var app events
	store := loyalty.NewMemoryCallbackStore(nil, 0)
	h := loyalty.NewCallbackHandler(cbKey, app.fn, loyalty.WithCallbackStore(store))
	if code := deliver(h, cb(cbKey, cbID, 0, 15), nil); code != http.StatusOK {
		t.Fatal(code)
	}
	for i := range 5000 {
		id := fmt.Sprintf("0x%064x", i+1)
		deliver(h, cb("", id, 0, 15), nil)
		deliver(h, cb("wrong", id, 0, 15), map[string]string{"Authorization": "wrong"})
	}
	if code := deliver(h, cb(cbKey, cbID, 0, 15), nil); code != http.StatusOK {
		t.Fatal(code)
	}
	if n := len(app.all()); n != 1 {
		t.Fatalf("application called %d times, want 1", n)
	}
	if n := store.Len(); n != 1 {
		t.Fatalf("the memory holds %d legs, want 1 (only the authenticated one)", n)
	}
}

// TestCallbackPaymentIDVariants: spellings of one payment id are one payment; ids that are
// not 0x + 64 hex are refused before anything else.
func TestCallbackPaymentIDVariants(t *testing.T) {
	var app events
	h := loyalty.NewCallbackHandler(cbKey, app.fn)
	accepted := []string{cbID, cbID + " ", " " + cbID, "\t" + cbID + "\n", "0X" + strings.ToUpper(cbID[2:]), strings.ToUpper(cbID)}
	for _, id := range accepted {
		if code := deliver(h, cb(cbKey, id, 0, 15), nil); code != http.StatusOK {
			t.Errorf("%q answered %d", id, code)
		}
	}
	for _, id := range []string{cbID + "\u0000", strings.ToUpper(cbID[2:]), cbID[2:], cbID + "0", cbID[:65], "0x" + strings.Repeat("g", 64), ""} {
		if code := deliver(h, cb(cbKey, id, 0, 15), nil); code != http.StatusBadRequest {
			t.Errorf("%q answered %d, want 400", id, code)
		}
	}
	got := app.all()
	if len(got) != 1 || got[0].Payment.ID != cbID {
		t.Fatalf("application saw %d events (%v), want one for %s", len(got), got, cbID)
	}
	if id, ok := loyalty.CanonicalPaymentID(" 0X" + strings.ToUpper(cbID[2:])); !ok || id != cbID {
		t.Fatalf("CanonicalPaymentID = %q %v", id, ok)
	}
}

// TestCallbackConcurrentIdentical: the same genuine callback delivered by 64 goroutines at
// once reaches the application exactly once, and every delivery is answered 200.
func TestCallbackConcurrentIdentical(t *testing.T) {
	var app events
	h := loyalty.NewCallbackHandler(cbKey, func(ctx context.Context, ev loyalty.CallbackEvent) error {
		time.Sleep(time.Millisecond) // hold the delivery open so others arrive meanwhile
		return app.fn(ctx, ev)
	})
	var wg sync.WaitGroup
	codes := make([]int, 64)
	for i := range codes {
		wg.Go(func() {
			id := cbID
			if i%2 == 1 {
				id = strings.ToUpper(cbID) // another spelling of the same id
			}
			codes[i] = deliver(h, cb(cbKey, id, 0, 15), nil)
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("delivery %d answered %d", i, c)
		}
	}
	if n := len(app.all()); n != 1 {
		t.Fatalf("application called %d times, want 1", n)
	}
}

// TestCallbackMemoryRetention: a leg is kept until its status is final and the retention
// has passed on the store's clock: a callback's 15 counts as final only after the relay's
// 300 s forced close; a terminal status at once.
func TestCallbackMemoryRetention(t *testing.T) {
	ctx := context.Background()
	clk := mock.NewClock(time.Time{})
	s := loyalty.NewMemoryCallbackStore(clk, time.Hour)
	approved := loyalty.CallbackKey{PaymentID: cbID, Leg: loyalty.LegNew}
	failed := loyalty.CallbackKey{PaymentID: cbID, Leg: loyalty.LegCancel}
	_ = s.Remember(ctx, approved, loyalty.StatusNewApproved)
	_ = s.Remember(ctx, failed, loyalty.StatusCancelFailed)
	seen := func(k loyalty.CallbackKey) bool { ok, _ := s.Seen(ctx, k); return ok }
	clk.Advance(time.Hour - time.Second)
	if !seen(approved) || !seen(failed) {
		t.Fatal("forgotten before the retention")
	}
	clk.Advance(time.Second)
	if !seen(approved) || seen(failed) {
		t.Fatalf("after 1 h: approved %v (want kept), failed %v (want forgotten)", seen(approved), seen(failed))
	}
	clk.Advance(300 * time.Second)
	if seen(approved) {
		t.Fatal("approved leg kept past the forced close and the retention")
	}
}

// TestCallbackHandlerLogsNoKey: refused callbacks — wrong key, an echoed key in an
// undecodable field, a key cut into the payment id — are logged at debug level without
// the key or any 8-character fragment of it.
func TestCallbackHandlerLogsNoKey(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := loyalty.NewCallbackHandler(cbKey, func(context.Context, loyalty.CallbackEvent) error {
		return fmt.Errorf("kiosk says %s", cbKey)
	}, loyalty.WithCallbackLogger(logger))
	bodies := []string{
		cb("wrong-"+cbKey, cbID, 0, 15),
		strings.Replace(cb(cbKey, cbID, 0, 15), `"amount":"1000000000000000000"`, `"amount":"`+cbKey+`"`, 1),
		strings.Replace(cb(cbKey, cbID, 0, 15), `"amount":"1000000000000000000"`, `"amount":"x`+cbKey[3:20]+`"`, 1),
		cb(cbKey, cbID[:10]+cbKey, 0, 15),
		cb(cbKey, cbID, 0, 15), // the application fails, echoing the key
	}
	for _, b := range bodies {
		deliver(h, b, nil)
	}
	deliver(h, cb("", cbID, 0, 15), map[string]string{"Authorization": "Bearer " + cbKey[:12]})
	out := logs.String()
	for i := 0; i+8 <= len(cbKey); i++ {
		if strings.Contains(out, cbKey[i:i+8]) {
			t.Fatalf("log shows %q of the key:\n%s", cbKey[i:i+8], out)
		}
	}
	if strings.Count(out, "refused") < 4 {
		t.Fatalf("refusals not logged:\n%s", out)
	}
}

// TestCallbackKeylessDocumentDialectEndToEnd: a fake speaking the document's dialect (no
// key in its callbacks) and a receiver that opted in to keyless callbacks: the approval
// and the denial reach the application confirmed by the relay, once each.
func TestCallbackKeylessDocumentDialectEndToEnd(t *testing.T) {
	ctx := context.Background()
	var app events
	var client *loyalty.Client
	var h http.Handler
	kiosk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer kiosk.Close()
	srv := loyaltymock.NewServer(loyaltymock.WithCallbackDialect(loyalty.CallbackDialectDocTable),
		loyaltymock.WithCallbackURL(kiosk.URL), loyaltymock.WithWalletPolicy(loyaltymock.Ignore))
	defer srv.Close()
	client = srv.Client()
	h = loyalty.NewCallbackHandler(srv.Seed().AccessKey(), app.fn, loyalty.WithCallbackKeyless(client))
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	var ids []string
	for _, pid := range []string{"E-1", "E-2"} {
		p, err := client.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: pid, Amount: loyalty.FromWhole(5),
			Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	if err := srv.Approve(ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := srv.Deny(ids[1]); err != nil {
		t.Fatal(err)
	}
	srv.ResendCallback(ids[0], loyalty.LegNew)
	got := app.all()
	if len(got) != 2 || !got[0].Confirmed || got[0].Outcome != loyalty.OutcomeApproved || got[0].Payment.ID != ids[0] ||
		!got[1].Confirmed || got[1].Outcome != loyalty.OutcomeDenied || got[1].Payment.ID != ids[1] {
		t.Fatalf("application saw %+v", got)
	}
	for _, r := range srv.Callbacks() {
		if r.Status != http.StatusOK {
			t.Errorf("callback %+v answered %d", r.PaymentID, r.Status)
		}
	}
}
