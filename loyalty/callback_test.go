package loyalty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

const (
	testPaymentID = "0x644a5568445869656a16b67ab82894bbe7fb40e984bc5bff90002aa40177292f"
	testShopID    = "0x5b2eaa90dbb877356c28cf13fe9263b1e749abeb78f031a4b35fa63c7d30e5db"
	testAccount   = "0x53801Bf69Cb9B6Ad205BAc9134766807551F26BC"
	testKey       = "kiosk-secret-access-key-123"
)

func callbackData(status int) string {
	return fmt.Sprintf(`{"paymentId":%q,"purchaseId":"P000002","amount":"10000000000000000000","currency":"krw",
	"account":%q,"shopId":%q,"loyaltyType":0,"paidPoint":"10000000000000000000","paidToken":"0",
	"paidValue":"10000000000000000000","feePoint":"500000000000000000","feeToken":"0","feeValue":"500000000000000000",
	"totalPoint":"10500000000000000000","totalToken":"0","totalValue":"10500000000000000000","balance":"989500000000000000000","paymentStatus":%d}`,
		testPaymentID, testAccount, testShopID, status)
}

func TestParseCallbackDialects(t *testing.T) {
	cases := []struct {
		typ     string
		code    int
		leg     Leg
		outcome Outcome
		dialect CallbackDialect
	}{
		{"create", 0, LegNew, OutcomeApproved, CallbackDialectDocTable},
		{"create", 1001, LegNew, OutcomeDenied, CallbackDialectDocTable},
		{"cancel", 1002, LegCancel, OutcomeContractError, CallbackDialectDocTable},
		{"cancel", 1003, LegCancel, OutcomeServerError, CallbackDialectDocTable},
		{"create", 2000, LegNew, OutcomeTimeout, CallbackDialectDocTable},
		{"openNew", 0, LegNew, OutcomeApproved, CallbackDialectDocExample},
		{"openNew", 2001, LegNew, OutcomeDenied, CallbackDialectDocExample},
		{"openCancel", 2001, LegCancel, OutcomeDenied, CallbackDialectDocExample},
		{"pay_new", 0, LegNew, OutcomeApproved, CallbackDialectRelay},
		{"pay_new", 4000, LegNew, OutcomeDenied, CallbackDialectRelay},
		{"pay_cancel", 5000, LegCancel, OutcomeContractError, CallbackDialectRelay},
		{"pay_cancel", 6000, LegCancel, OutcomeServerError, CallbackDialectRelay},
		{"pay_new", 7000, LegNew, OutcomeTimeout, CallbackDialectRelay},
	}
	for _, c := range cases {
		body := fmt.Sprintf(`{"type":%q,"code":%d,"message":"m","data":%s}`, c.typ, c.code, callbackData(15))
		ev, err := ParseCallback([]byte(body))
		if err != nil {
			t.Fatalf("%s/%d: %v", c.typ, c.code, err)
		}
		if ev.Leg != c.leg || ev.Outcome != c.outcome || ev.Dialect != c.dialect || ev.Code != Code(c.code) {
			t.Errorf("%s/%d: got %v %v %v %v", c.typ, c.code, ev.Leg, ev.Outcome, ev.Dialect, ev.Code)
		}
		if ev.Payment.ID != testPaymentID || ev.Payment.Balance.String() != "989500000000000000000" || ev.Payment.Status != StatusNewApproved {
			t.Errorf("payment %+v", ev.Payment)
		}
		if !bytes.Equal(ev.Raw, []byte(body)) {
			t.Error("Raw differs from the body")
		}
		// NewWireCallback spells the same event back in its dialect.
		wc, err := NewWireCallback(c.dialect, c.leg, c.outcome, "m", NewWirePayment(ev.Payment))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(wc)
		ev2, err := ParseCallback(b)
		if err != nil || ev2.Leg != c.leg || ev2.Outcome != c.outcome || ev2.Dialect != c.dialect {
			t.Errorf("re-spelled %s → %+v %v", b, ev2, err)
		}
	}
	if _, err := NewWireCallback(CallbackDialectRelay, LegNew, OutcomeFailed, "", WirePayment{}); err == nil {
		t.Error("OutcomeFailed has no callback")
	}
	for _, bad := range []string{
		`not json`, `[]`, `{"type":"refund","code":0,"data":` + callbackData(15) + `}`,
		`{"type":"pay_new","code":1234,"data":` + callbackData(15) + `}`,
		`{"type":"pay_new","data":` + callbackData(15) + `}`,
		`{"type":"pay_new","code":0,"data":{"purchaseId":"P1"}}`,
		`{"type":"pay_new","code":0,"data":"x"}`,
		`{"type":"pay_new","code":0,"data":{"paymentId":"0x1","amount":"-1"}}`,
	} {
		if _, err := ParseCallback([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		} else if _, ok := CodeOf(err); !ok {
			t.Errorf("not a *Error: %v", err)
		}
	}
}

type recorder struct {
	mu     sync.Mutex
	events []CallbackEvent
	fail   atomic.Int32 // number of calls left that fail
}

func (r *recorder) fn(ctx context.Context, ev CallbackEvent) error {
	if r.fail.Load() > 0 {
		r.fail.Add(-1)
		return errors.New("disk full")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func post(h http.Handler, body string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/callback", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func relayBody(key string, typ string, code int) string {
	k := ""
	if key != "" {
		k = fmt.Sprintf(`"accessKey":%q,`, key)
	}
	return fmt.Sprintf(`{%s"type":%q,"code":%d,"message":"Success","data":%s}`, k, typ, code, callbackData(15))
}

func TestCallbackHandlerHTTP(t *testing.T) {
	cases := []struct {
		name   string
		method string
		body   string
		header map[string]string
		status int
		calls  int
	}{
		{"relay with key in body and header", "POST", relayBody(testKey, "pay_new", 0), map[string]string{"Authorization": testKey}, 200, 1},
		{"relay key only in header", "POST", relayBody("", "pay_new", 0), map[string]string{"Authorization": testKey}, 200, 1},
		{"document, no key: refused by default", "POST", fmt.Sprintf(`{"type":"openNew","code":0,"message":"ok","data":%s}`, callbackData(18)), nil, 401, 0},
		{"relay, no key: refused by default", "POST", relayBody("", "pay_new", 4000), nil, 401, 0},
		{"payment id not 0x + 64 hex", "POST", strings.Replace(relayBody(testKey, "pay_new", 0), testPaymentID, testPaymentID[2:], 1), nil, 400, 0},
		{"wrong key in body", "POST", relayBody("guess", "pay_new", 0), nil, 401, 0},
		{"wrong key in header", "POST", relayBody(testKey, "pay_new", 0), map[string]string{"Authorization": "guess"}, 401, 0},
		{"not json", "POST", "type=pay_new", nil, 400, 0},
		{"unknown type", "POST", relayBody(testKey, "shop_add", 0), nil, 400, 0},
		{"unknown code", "POST", relayBody(testKey, "pay_new", 42), nil, 400, 0},
		{"GET", "GET", "", nil, 405, 0},
		{"too large", "POST", `{"type":"pay_new","pad":"` + strings.Repeat("x", DefaultCallbackMaxBytes) + `"}`, nil, 413, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var rec recorder
			h := NewCallbackHandler(testKey, rec.fn)
			req := httptest.NewRequest(c.method, "/callback", strings.NewReader(c.body))
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != c.status || rec.count() != c.calls {
				t.Fatalf("status %d calls %d, want %d %d (body %s)", w.Code, rec.count(), c.status, c.calls, w.Body)
			}
			if strings.Contains(w.Body.String(), testKey) {
				t.Fatal("answer echoes the key")
			}
			if c.calls == 0 {
				// A refused delivery changes no state: the genuine one for the same
				// payment and leg is still handled.
				w = httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("POST", "/callback", strings.NewReader(relayBody(testKey, "pay_new", 0))))
				if w.Code != 200 || rec.count() != 1 {
					t.Fatalf("genuine delivery after a refused one: status %d calls %d", w.Code, rec.count())
				}
			}
		})
	}
}

func TestCallbackKeylessRefusedByDefault(t *testing.T) {
	var rec recorder
	h := NewCallbackHandler(testKey, rec.fn)
	if w := post(h, fmt.Sprintf(`{"type":"create","code":0,"data":%s}`, callbackData(2)), nil); w.Code != 401 {
		t.Fatalf("keyless accepted: %d", w.Code)
	}
	// An empty configured key authenticates nothing.
	if w := post(NewCallbackHandler("", rec.fn), relayBody("", "pay_new", 0), map[string]string{"Authorization": ""}); w.Code != 401 {
		t.Fatalf("empty key accepted a callback: %d", w.Code)
	}
	if w := post(h, relayBody(testKey, "pay_new", 0), nil); w.Code != 200 || rec.count() != 1 {
		t.Fatalf("keyed refused: %d", w.Code)
	}
}

func TestCallbackIdempotent(t *testing.T) {
	var rec recorder
	h := NewCallbackHandler(testKey, rec.fn)
	for i := 0; i < 3; i++ {
		if w := post(h, relayBody(testKey, "pay_new", 0), nil); w.Code != 200 {
			t.Fatalf("delivery %d: %d", i, w.Code)
		}
	}
	if rec.count() != 1 {
		t.Fatalf("fn called %d times for one event", rec.count())
	}
	// Another spelling of the same (paymentId, leg) is the same event…
	post(h, fmt.Sprintf(`{"type":"create","code":0,"data":%s}`, strings.ToUpper(callbackData(15))), map[string]string{"Authorization": testKey})
	// …but the cancel leg of the same payment is a new one.
	post(h, relayBody(testKey, "pay_cancel", 0), nil)
	if rec.count() != 2 {
		t.Fatalf("fn called %d times, want 2", rec.count())
	}
}

func TestCallbackFailureNotMarkedHandled(t *testing.T) {
	var rec recorder
	rec.fail.Store(1)
	h := NewCallbackHandler(testKey, rec.fn)
	if w := post(h, relayBody(testKey, "pay_new", 0), nil); w.Code != 500 {
		t.Fatalf("fn error answered %d", w.Code)
	}
	if w := post(h, relayBody(testKey, "pay_new", 0), nil); w.Code != 200 || rec.count() != 1 {
		t.Fatalf("redelivery: %d, %d calls", w.Code, rec.count())
	}
}

func TestCallbackConcurrentDeliveryWaits(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 4)
	var calls atomic.Int32
	h := NewCallbackHandler(testKey, func(ctx context.Context, ev CallbackEvent) error {
		calls.Add(1)
		started <- struct{}{}
		<-release
		return nil
	})
	var wg sync.WaitGroup
	codes := make([]int, 2)
	wg.Add(1)
	go func() { defer wg.Done(); codes[0] = post(h, relayBody(testKey, "pay_new", 0), nil).Code }()
	<-started // the first delivery is inside fn
	wg.Add(1)
	go func() { defer wg.Done(); codes[1] = post(h, relayBody(testKey, "pay_new", 0), nil).Code }()
	// The second delivery must be parked on the first one's entry, not in fn: give it
	// every chance to run (yielding, not sleeping) and check it never enters fn.
	for i := 0; i < 5000; i++ {
		select {
		case <-started:
			t.Fatal("fn entered twice")
		default:
		}
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if calls.Load() != 1 || codes[0] != 200 || codes[1] != 200 {
		t.Fatalf("calls %d codes %v", calls.Load(), codes)
	}
}

func TestCallbackWaitingDeliveryGivesUpWithContext(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	h := NewCallbackHandler(testKey, func(ctx context.Context, ev CallbackEvent) error {
		close(started)
		<-release
		return nil
	})
	done := make(chan int)
	go func() { done <- post(h, relayBody(testKey, "pay_new", 0), nil).Code }()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("POST", "/", strings.NewReader(relayBody(testKey, "pay_new", 0))).WithContext(ctx)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("cancelled waiter answered %d", w.Code)
	}
	close(release)
	if c := <-done; c != 200 {
		t.Fatalf("first delivery %d", c)
	}
}

func TestCallbackHandlerNeverShowsKey(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := NewCallbackHandler(testKey, func(context.Context, CallbackEvent) error { return errors.New("boom") }, WithCallbackLogger(logger))
	post(h, relayBody("wrong-"+testKey, "pay_new", 0), nil)
	post(h, relayBody(testKey, "pay_new", 0), nil)
	logger.Info("handler", "h", h)
	for _, s := range []string{fmt.Sprintf("%v", h), fmt.Sprintf("%+v", h), fmt.Sprintf("%#v", h), fmt.Sprint(h), logs.String()} {
		if strings.Contains(s, testKey) {
			t.Fatalf("key shown in %q", s)
		}
	}
	if !strings.Contains(logs.String(), "wrong access key") {
		t.Fatalf("refusal not logged: %s", logs.String())
	}
}

func FuzzDecodeCallback(f *testing.F) {
	f.Add([]byte(relayBody(testKey, "pay_new", 0)))
	f.Add([]byte(fmt.Sprintf(`{"type":"openNew","code":2001,"message":"The payment denied by user.","data":%s}`, callbackData(16))))
	f.Add([]byte(`{"type":"create","code":"1001","data":{"paymentId":"0x1","settledPoint":5}}`))
	f.Add([]byte(`{"type":"cancel","code":null,"data":null}`))
	f.Add([]byte(`{"accessKey":7}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseCallback(body)
		if err != nil {
			if _, ok := CodeOf(err); !ok {
				t.Fatalf("not a *Error: %v", err)
			}
			return
		}
		if ev.Payment == nil || ev.Payment.ID == "" || (ev.Leg != LegNew && ev.Leg != LegCancel) || ev.Outcome == OutcomePending {
			t.Fatalf("accepted incomplete event %+v", ev)
		}
		// The handler must not panic on it either.
		h := NewCallbackHandler("k", nil)
		w := post(h, string(body), map[string]string{"Authorization": "k"})
		if w.Code != 200 && w.Code != 401 {
			t.Fatalf("parsable body answered %d", w.Code)
		}
	})
}
