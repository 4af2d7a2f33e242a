package pointpay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/pointpaywire"
)

func TestReceiverCreditsOnceAndRefusesDuplicate(t *testing.T) {
	l := newLedger()
	rv, _ := newTestReceiver(t, NewMemoryStore(), l)
	form := sampleResult("PP-1", 500).Form()
	if st, body := post(t, rv, form); st != 200 || body != "201" {
		t.Fatalf("first: %d %q", st, body)
	}
	if st, body := post(t, rv, form); st != 200 || body != "202|-|duplicate rw_orderno" {
		t.Fatalf("duplicate: %d %q", st, body)
	}
	if l.callsOf("PP-1") != 1 || l.applied["PP-1"] != 500 {
		t.Fatalf("calls %d applied %v", l.callsOf("PP-1"), l.applied)
	}
}

func TestReceiverAcknowledgeDuplicates(t *testing.T) {
	l := newLedger()
	var codes []Code
	rv, _ := newTestReceiver(t, NewMemoryStore(), l, WithAcknowledgeDuplicates(),
		WithErrorHook(func(_ context.Context, e *Error) { codes = append(codes, e.Code) }))
	form := sampleResult("PP-1", 500).Form()
	post(t, rv, form)
	if _, body := post(t, rv, form); body != "201" {
		t.Fatalf("duplicate answered %q", body)
	}
	if l.callsOf("PP-1") != 1 || len(codes) != 1 || codes[0] != CodeDuplicate {
		t.Fatalf("calls %d codes %v", l.callsOf("PP-1"), codes)
	}
}

// Every bad callback gets the documented reply, no credit and a typed report.
func TestReceiverBadInput(t *testing.T) {
	good := sampleResult("PP-9", 500)
	mod := func(f func(url.Values)) string {
		v := good.Form()
		f(v)
		return v.Encode()
	}
	cases := []struct {
		name, method, body string
		status             int
		answer             string
		code               Code
	}{
		{"missing orderno", "POST", mod(func(v url.Values) { v.Del(pointpaywire.FieldOrderNo) }), 200, "202|-|invalid rw_orderno", CodeInvalidInput},
		{"missing user", "POST", mod(func(v url.Values) { v.Del(pointpaywire.FieldUserID) }), 200, "202|-|invalid rw_user_id", CodeInvalidInput},
		{"non-numeric price", "POST", mod(func(v url.Values) { v.Set(pointpaywire.FieldPrice, "abc") }), 200, "202|-|invalid rw_price", CodeInvalidInput},
		{"negative price", "POST", mod(func(v url.Values) { v.Set(pointpaywire.FieldPrice, "-500") }), 200, "202|-|invalid rw_price", CodeInvalidInput},
		{"bad date", "POST", mod(func(v url.Values) { v.Set(pointpaywire.FieldRegDatetime, "2026-13-01 00:00:00") }), 200, "202|-|invalid rw_reg_datetime", CodeInvalidInput},
		{"wrong a_code", "POST", mod(func(v url.Values) { v.Set(pointpaywire.FieldACode, "OTHER") }), 200, "202|-|unknown rw_a_code", CodeForged},
		{"not a form", "POST", "%zz", 200, "202|-|invalid body", CodeInvalidInput},
		{"oversized", "POST", good.Form().Encode() + "&pad=" + strings.Repeat("x", DefaultMaxBodyBytes), 413, "202|-|body too large", CodeTooLarge},
		{"GET", "GET", "", 405, "202|-|method not allowed", CodeMethod},
		{"PUT", "PUT", good.Form().Encode(), 405, "202|-|method not allowed", CodeMethod},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newLedger()
			store := NewMemoryStore()
			var got []*Error
			rv, _ := newTestReceiver(t, store, l, WithErrorHook(func(_ context.Context, e *Error) { got = append(got, e) }))
			st, body := postBody(t, rv, c.method, c.body)
			if st != c.status || body != c.answer {
				t.Fatalf("answered %d %q, want %d %q", st, body, c.status, c.answer)
			}
			if len(l.calls) != 0 || store.Len() != 0 {
				t.Fatalf("credited or recorded: %v, %d records", l.calls, store.Len())
			}
			if len(got) != 1 || got[0].Code != c.code || got[0].HTTPStatus != c.status || !IsRefused(got[0]) {
				t.Fatalf("hook saw %v", got)
			}
		})
	}
}

func TestReceiverConflictIsRefusedAndReported(t *testing.T) {
	l := newLedger()
	var got []*Error
	var logs bytes.Buffer
	rv, _ := newTestReceiver(t, NewMemoryStore(), l,
		WithErrorHook(func(_ context.Context, e *Error) { got = append(got, e) }),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	post(t, rv, sampleResult("PP-2", 500).Form())
	for _, forged := range []Result{sampleResult("PP-2", 50000), func() Result { r := sampleResult("PP-2", 500); r.MemberID = "thief"; return r }()} {
		if _, body := post(t, rv, forged.Form()); body != "202|-|"+pointpaywire.ReasonConflict {
			t.Fatalf("conflict answered %q", body)
		}
	}
	if l.callsOf("PP-2") != 1 || l.applied["PP-2"] != 500 {
		t.Fatalf("calls %d applied %d", l.callsOf("PP-2"), l.applied["PP-2"])
	}
	if len(got) != 2 || !IsConflict(got[0]) || !IsConflict(got[1]) || !strings.Contains(got[0].Error(), "PP-2") {
		t.Fatalf("hook saw %v", got)
	}
	if !strings.Contains(logs.String(), "level=WARN") || strings.Contains(logs.String(), "member01") || strings.Contains(logs.String(), "thief") || strings.Contains(logs.String(), testMedia) {
		t.Fatalf("log leaks or misses the conflict:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "me***(8)") {
		t.Fatalf("debug log does not show the masked member:\n%s", logs.String())
	}
}

func TestReceiverSourceAllowList(t *testing.T) {
	l := newLedger()
	rv, _ := newTestReceiver(t, NewMemoryStore(), l, WithAllowedSources(netip.MustParsePrefix("203.0.113.0/24")))
	send := func(remote string) string {
		req := httptest.NewRequest("POST", "/", strings.NewReader(sampleResult("PP-3", 10).Form().Encode()))
		req.RemoteAddr = remote
		w := httptest.NewRecorder()
		rv.ServeHTTP(w, req)
		return w.Body.String()
	}
	if got := send("192.0.2.1:1234"); got != "202|-|source not allowed" || l.callsOf("PP-3") != 0 {
		t.Fatalf("outsider: %q, %d calls", got, l.callsOf("PP-3"))
	}
	if got := send("[::ffff:203.0.113.7]:443"); got != "201" || l.callsOf("PP-3") != 1 {
		t.Fatalf("PointPay: %q, %d calls", got, l.callsOf("PP-3"))
	}
	proxy, _ := newTestReceiver(t, NewMemoryStore(), l, WithAllowedSources(netip.MustParsePrefix("203.0.113.0/24")),
		WithSourceAddr(func(r *http.Request) (netip.Addr, bool) {
			a, err := netip.ParseAddr(r.Header.Get("X-Real-IP"))
			return a, err == nil
		}))
	req := httptest.NewRequest("POST", "/", strings.NewReader(sampleResult("PP-4", 10).Form().Encode()))
	w := httptest.NewRecorder()
	proxy.ServeHTTP(w, req)
	if w.Body.String() != "202|-|source not allowed" {
		t.Fatalf("no header: %q", w.Body.String())
	}
}

func TestReceiverCreditFailureThenResendCreditsOnce(t *testing.T) {
	for _, applyFirst := range []bool{false, true} {
		l := newLedger()
		store := NewMemoryStore()
		var got []*Error
		rv, _ := newTestReceiver(t, store, l, WithErrorHook(func(_ context.Context, e *Error) { got = append(got, e) }))
		form := sampleResult("PP-5", 700).Form()
		l.setFail(errors.New("cafe24 down"), applyFirst)
		if _, body := post(t, rv, form); body != "202|-|"+pointpaywire.ReasonCreditFailed {
			t.Fatalf("failed credit answered %q", body)
		}
		rec, _, _ := store.Get(context.Background(), "PP-5")
		if rec.State != StateFailed || rec.LastError != "cafe24 down" || len(got) != 1 || !IsCreditFailed(got[0]) || !IsLost(got[0]) {
			t.Fatalf("record %+v hook %v", rec, got)
		}
		l.setFail(nil, false)
		if _, body := post(t, rv, form); body != "201" {
			t.Fatalf("resend answered %q", body)
		}
		if _, body := post(t, rv, form); body != "202|-|duplicate rw_orderno" {
			t.Fatalf("third answered %q", body)
		}
		rec, _, _ = store.Get(context.Background(), "PP-5")
		if rec.State != StateCredited || rec.Attempts != 2 || l.callsOf("PP-5") != 2 || l.applied["PP-5"] != 700 {
			t.Fatalf("record %+v calls %d applied %v", rec, l.callsOf("PP-5"), l.applied)
		}
	}
}

func TestReceiverCreditPanicIsAFailure(t *testing.T) {
	store := NewMemoryStore()
	calls := 0
	rv, err := NewReceiver(testMedia, store, func(context.Context, Result) error {
		calls++
		if calls == 1 {
			panic("boom")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	form := sampleResult("PP-6", 1).Form()
	if _, body := post(t, rv, form); body != "202|-|"+pointpaywire.ReasonCreditFailed {
		t.Fatalf("panic answered %q", body)
	}
	if _, body := post(t, rv, form); body != "201" || calls != 2 {
		t.Fatalf("resend answered %q after %d calls", body, calls)
	}
}

func TestReceiverConcurrentIdenticalCallbacksCreditOnce(t *testing.T) {
	l := newLedger()
	l.block = make(chan struct{})
	rv, _ := newTestReceiver(t, NewMemoryStore(), l)
	srv := httptest.NewServer(rv)
	defer srv.Close()
	const n = 16
	answers := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := srv.Client().PostForm(srv.URL, sampleResult("PP-7", 300).Form())
			if err != nil {
				answers <- err.Error()
				return
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			_, _ = b.ReadFrom(resp.Body)
			answers <- b.String()
		}()
	}
	close(l.block)
	wg.Wait()
	close(answers)
	ok, dup := 0, 0
	for a := range answers {
		switch a {
		case "201":
			ok++
		case "202|-|duplicate rw_orderno":
			dup++
		default:
			t.Errorf("unexpected answer %q", a)
		}
	}
	if ok != 1 || dup != n-1 || l.callsOf("PP-7") != 1 {
		t.Fatalf("%d ok, %d duplicates, %d credit calls", ok, dup, l.callsOf("PP-7"))
	}
}

// failingStore fails Swap on demand: a crash between the credit and its record.
type failingStore struct {
	*MemoryStore
	mu         sync.Mutex
	failSwap   bool
	failCreate bool
}

func (f *failingStore) Create(ctx context.Context, r Record) (Record, bool, error) {
	f.mu.Lock()
	fail := f.failCreate
	f.mu.Unlock()
	if fail {
		return Record{}, false, errors.New("disk full")
	}
	return f.MemoryStore.Create(ctx, r)
}

func (f *failingStore) Swap(ctx context.Context, prev, next Record) (bool, error) {
	f.mu.Lock()
	fail := f.failSwap
	f.mu.Unlock()
	if fail {
		return false, errors.New("disk full")
	}
	return f.MemoryStore.Swap(ctx, prev, next)
}

func TestReceiverCrashBetweenCreditAndRecord(t *testing.T) {
	l := newLedger()
	store := &failingStore{MemoryStore: NewMemoryStore(), failSwap: true}
	var got []*Error
	rv, clk := newTestReceiver(t, store, l, WithCreditLease(time.Minute),
		WithErrorHook(func(_ context.Context, e *Error) { got = append(got, e) }))
	form := sampleResult("PP-8", 900).Form()
	if _, body := post(t, rv, form); body != "201" {
		t.Fatalf("credited but unrecorded answered %q", body)
	}
	if len(got) != 1 || got[0].Code != CodeStore || !IsLost(got[0]) {
		t.Fatalf("hook saw %v", got)
	}
	store.failSwap = false
	rec, _, _ := store.Get(context.Background(), "PP-8")
	if rec.State != StateCrediting {
		t.Fatalf("state %v", rec.State)
	}
	// A resend within the lease may be a credit still running elsewhere: busy, no call.
	if _, body := post(t, rv, form); body != "202|-|"+pointpaywire.ReasonBusy || l.callsOf("PP-8") != 1 {
		t.Fatalf("within lease: %q, %d calls", body, l.callsOf("PP-8"))
	}
	clk.Advance(time.Minute)
	// After the lease the resend calls the keyed credit again: no second credit.
	if _, body := post(t, rv, form); body != "201" || l.callsOf("PP-8") != 2 || l.applied["PP-8"] != 900 {
		t.Fatalf("after lease: %q, %d calls, %v", body, l.callsOf("PP-8"), l.applied)
	}
	rec, _, _ = store.Get(context.Background(), "PP-8")
	if rec.State != StateCredited || rec.Attempts != 2 {
		t.Fatalf("record %+v", rec)
	}
}

func TestReceiverStoreFailureBeforeCreditCreditsNothing(t *testing.T) {
	l := newLedger()
	store := &failingStore{MemoryStore: NewMemoryStore(), failCreate: true}
	rv, _ := newTestReceiver(t, store, l)
	form := sampleResult("PP-10", 5).Form()
	if _, body := post(t, rv, form); body != "202|-|"+pointpaywire.ReasonStoreFailed || len(l.calls) != 0 {
		t.Fatalf("%q, %v", body, l.calls)
	}
	store.failCreate = false
	if _, body := post(t, rv, form); body != "201" || l.callsOf("PP-10") != 1 {
		t.Fatalf("%q, %v", body, l.calls)
	}
}

func TestReceiverWaitingDuplicateGivesUpWithItsContext(t *testing.T) {
	l := newLedger()
	l.block = make(chan struct{})
	rv, _ := newTestReceiver(t, NewMemoryStore(), l)
	first := make(chan string)
	go func() { _, b := post(t, rv, sampleResult("PP-11", 5).Form()); first <- b }()
	// Wait (bounded) until the first delivery holds the order number.
	for i := 0; ; i++ {
		if rv.inflight.Len() == 1 {
			break
		}
		if i > 1e6 {
			t.Fatal("first delivery never started")
		}
		time.Sleep(time.Microsecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, "POST", "/", strings.NewReader(sampleResult("PP-11", 5).Form().Encode()))
	w := httptest.NewRecorder()
	rv.ServeHTTP(w, req)
	if w.Body.String() != "202|-|"+pointpaywire.ReasonBusy {
		t.Fatalf("waiter answered %q", w.Body.String())
	}
	close(l.block)
	if b := <-first; b != "201" || l.callsOf("PP-11") != 1 {
		t.Fatalf("first answered %q, %d calls", b, l.callsOf("PP-11"))
	}
}

func TestNewReceiverValidates(t *testing.T) {
	ok := func(context.Context, Result) error { return nil }
	s := NewMemoryStore()
	cases := []struct {
		name  string
		media string
		store Store
		fn    CreditFunc
		opts  []Option
	}{
		{"empty media", "", s, ok, nil},
		{"escaping media", "a&b", s, ok, nil},
		{"nil store", "M", nil, ok, nil},
		{"nil credit", "M", s, nil, nil},
		{"body cap", "M", s, ok, []Option{WithMaxBodyBytes(0)}},
		{"lease", "M", s, ok, []Option{WithCreditLease(-time.Second)}},
		{"prefix", "M", s, ok, []Option{WithAllowedSources(netip.Prefix{})}},
	}
	for _, c := range cases {
		if _, err := NewReceiver(c.media, c.store, c.fn, c.opts...); !IsInvalidInput(err) || !strings.HasPrefix(err.Error(), "pointpay.NewReceiver: ") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	rv, err := NewReceiver("SECRETMEDIA", s, ok)
	if err != nil || strings.Contains(rv.String(), "SECRETMEDIA") || strings.Contains(fmt.Sprintf("%+v %#v", rv, rv), "SECRETMEDIA") {
		t.Fatalf("%v %s", err, rv)
	}
}

func TestErrorFormatAndHelpers(t *testing.T) {
	cause := errors.New("cafe24 down")
	e := &Error{Op: "pointpay.Receiver", HTTPStatus: 200, Code: CodeCreditFailed, Message: "rw_orderno 1: credit failed", Err: cause, outcome: apierr.Lost}
	if got := e.Error(); got != "pointpay.Receiver: credit_failed: rw_orderno 1: credit failed (HTTP 200): cafe24 down" {
		t.Fatalf("%s", got)
	}
	wrapped := errors.Join(errors.New("x"), e)
	if !errors.Is(wrapped, cause) || !IsCreditFailed(wrapped) || !IsLost(wrapped) || IsRefused(wrapped) {
		t.Fatal("helpers do not see through wrapping")
	}
	if c, ok := CodeOf(wrapped); !ok || c != CodeCreditFailed {
		t.Fatal(c)
	}
	if _, ok := CodeOf(cause); ok || IsDuplicate(cause) || IsForged(nil) {
		t.Fatal("helpers match a foreign error")
	}
}
