package smartro

import (
	"context"
	"encoding/json"
	"fmt"
	wire "github.com/poskit/poskit/internal/smartrowire"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
)

// stub is a tiny agent: per-path handlers, recorded bodies and counts.
type stub struct {
	mu     sync.Mutex
	h      map[string]func(w http.ResponseWriter, body []byte)
	count  map[string]int
	bodies map[string][]string
	srv    *httptest.Server
}

func newStub(t *testing.T) *stub {
	s := &stub{h: map[string]func(http.ResponseWriter, []byte){}, count: map[string]int{}, bodies: map[string][]string{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			http.Error(w, "want POST JSON", 400)
			return
		}
		s.mu.Lock()
		s.count[r.URL.Path]++
		s.bodies[r.URL.Path] = append(s.bodies[r.URL.Path], string(b))
		h := s.h[r.URL.Path]
		s.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, b)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *stub) on(path string, h func(w http.ResponseWriter, body []byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.h[path] = h
}

func (s *stub) n(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count[path]
}

func (s *stub) last(path string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bodies[path]
	if len(b) == 0 {
		return ""
	}
	return b[len(b)-1]
}

func ok(obj any) func(http.ResponseWriter, []byte) {
	return func(w http.ResponseWriter, _ []byte) { _ = wire.WriteEnvelope(w, obj) }
}

func fail(status int, code, msg string) func(http.ResponseWriter, []byte) {
	return func(w http.ResponseWriter, _ []byte) { _ = wire.WriteErrorEnvelope(w, status, code, msg, "") }
}

func drop(w http.ResponseWriter, _ []byte) {
	if !mock.DropConnection(w) {
		panic(http.ErrAbortHandler)
	}
}

func newTestClient(t *testing.T, s *stub, opts ...Option) *Client {
	c, err := NewClient("STORE123", "SVC9", append([]Option{WithBaseURL(s.srv.URL), WithHTTPClient(s.srv.Client()), WithoutRetrySleep()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewClientChecksAndRedacts(t *testing.T) {
	if _, err := NewClient("", "x"); !IsInvalidInput(err) {
		t.Fatal(err)
	}
	if _, err := NewClient("x", ""); !IsInvalidInput(err) {
		t.Fatal(err)
	}
	if _, err := NewClient("x", "y", WithBaseURL("ftp://nope")); !IsInvalidInput(err) {
		t.Fatal(err)
	}
	c, err := NewClient("STORE123", "SVC9", WithEnvironment(Live))
	if err != nil {
		t.Fatal(err)
	}
	var lb strings.Builder
	slog.New(slog.NewTextHandler(&lb, nil)).Info("c", "client", c)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), c.String(), lb.String()} {
		if strings.Contains(s, "STORE123") || strings.Contains(s, "SVC9") {
			t.Errorf("ids leaked: %s", s)
		}
		if !strings.Contains(s, "ordif.smilebiz.co.kr") {
			t.Errorf("base missing: %s", s)
		}
	}
}

func TestLookupsDecodeAndCarryIDs(t *testing.T) {
	s := newStub(t)
	c := newTestClient(t, s)
	ctx := context.Background()
	s.on(wire.PathTables, ok(wire.TablesAnswer{TableList: []wire.Table{{FloorCode: "0001", FloorName: "1층", TableCode: "0002", TableName: "T2"}}}))
	s.on(wire.PathMenuState, ok(wire.MenuStateAnswer{Updated: "Y", UpdateTime: "20240102030405"}))
	s.on(wire.PathMenu, ok(menuToWire(testMenu())))
	s.on(wire.PathStoreOrders, ok(wire.OrderList{Orders: []wire.LiveOrder{{OrderNo: "TO1", Status: string(StatusPaid), FloorCode: "0001", TableCode: "0002"}}}))

	tables, err := c.Tables(ctx)
	if err != nil || len(tables) != 1 || tables[0].Ref() != (TableRef{"0001", "0002"}) || tables[0].FloorName != "1층" {
		t.Fatal(tables, err)
	}
	if b := s.last(wire.PathTables); !strings.Contains(b, `"STORE_ID":"STORE123"`) || !strings.Contains(b, `"SERVICE_ID":"SVC9"`) {
		t.Fatal(b)
	}
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) // 09:00 KST
	changed, at, err := c.MenuChanged(ctx, since)
	if err != nil || !changed || at.Hour() != 3 || at.Location().String() != "KST" {
		t.Fatal(changed, at, err)
	}
	if b := s.last(wire.PathMenuState); !strings.Contains(b, `"UPDATE_CHECK_DTIME":"20240101090000"`) {
		t.Fatal(b)
	}
	m, err := c.Menu(ctx)
	if err != nil || len(m.Groups) != 2 || m.Groups[0].Items[0].AddOnGroups[0].AddOns[0].Price != 500 {
		t.Fatalf("%+v %v", m, err)
	}
	so, err := c.StoreOrders(ctx)
	if err != nil || len(so) != 1 || so[0].Status != StatusPaid || so[0].Status.Open() {
		t.Fatal(so, err)
	}
	if _, err := c.TableOrders(ctx, "", "x"); !IsInvalidInput(err) || s.n(wire.PathTableOrders) != 0 {
		t.Fatal(err)
	}
}

func TestLookupRetriedOrderNeverRetried(t *testing.T) {
	s := newStub(t)
	c := newTestClient(t, s)
	ctx := context.Background()
	var mu sync.Mutex
	calls := 0
	s.on(wire.PathTableOrders, func(w http.ResponseWriter, b []byte) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n < 3 {
			w.WriteHeader(503)
			return
		}
		_ = wire.WriteEnvelope(w, wire.OrderList{})
	})
	if _, err := c.TableOrders(ctx, "01", "T1"); err != nil || s.n(wire.PathTableOrders) != 3 {
		t.Fatalf("%v after %d calls", err, s.n(wire.PathTableOrders))
	}
	s.on(wire.PathOrderNew, func(w http.ResponseWriter, _ []byte) { w.WriteHeader(503) })
	o := validPrepaid()
	_, err := c.NewOrder(ctx, o)
	if err == nil || s.n(wire.PathOrderNew) != 1 || !IsLost(err) {
		t.Fatalf("%v after %d calls", err, s.n(wire.PathOrderNew))
	}
	s.on(wire.PathOrderNew, drop)
	_, err = c.NewOrder(ctx, o)
	if !IsLost(err) || s.n(wire.PathOrderNew) != 2 {
		t.Fatalf("%v after %d calls", err, s.n(wire.PathOrderNew))
	}
	var e *Error
	if !asErr(err, &e) || e.Op != "smartro.NewOrder" || e.Code != CodeTransport {
		t.Fatal(err)
	}
	// Invalid input: nothing sent.
	o.Discount = -1
	if _, err := c.NewOrder(ctx, o); !IsInvalidInput(err) || s.n(wire.PathOrderNew) != 2 {
		t.Fatal(err)
	}
}

func asErr(err error, e **Error) bool {
	x, ok := asError(err)
	*e = x
	return ok
}

func TestOrderAnswerAndRefusals(t *testing.T) {
	s := newStub(t)
	c := newTestClient(t, s)
	ctx := context.Background()
	s.on(wire.PathOrderNew, ok(wire.OrderAnswer{OrderNo: "TO9", OrgOrderNo: "TO9", MerchantOrderNo: "M-1"}))
	ack, err := c.NewOrder(ctx, validPrepaid())
	if err != nil || ack.OrderNo != "TO9" || ack.MerchantOrderNo != "M-1" {
		t.Fatal(ack, err)
	}
	var w wire.OrderRequest
	if err := json.Unmarshal([]byte(s.last(wire.PathOrderNew)), &w); err != nil || w.PayAmount != 22000 || w.Prepaid != "Y" || len(w.Pays) != 2 {
		t.Fatalf("%+v %v", w, err)
	}
	for code, is := range map[string]func(error) bool{
		CodeOccupied: IsOccupied, CodeBusinessDayClosed: IsBusinessDayClosed, CodeAgentOffline: IsAgentOffline,
		CodeUnknownItem: IsUnknownItem, CodeInvalidRequest: IsInvalidInput,
	} {
		s.on(wire.PathOrderNew, fail(200, code, "refused"))
		_, err := c.NewOrder(ctx, validPrepaid())
		if !is(err) || IsLost(err) || !IsRefused(err) {
			t.Errorf("%s: %v", code, err)
		}
	}
	s.on(wire.PathOrderNew, func(w http.ResponseWriter, _ []byte) { _, _ = w.Write([]byte("<html>oops</html>")) })
	if _, err := c.NewOrder(ctx, validPrepaid()); !IsLost(err) {
		t.Fatal(err)
	}
	s.on(wire.PathOrderCancel, ok(nil))
	if err := c.ReturnOrder(ctx, "TO9", []Payment{{Kind: PayCash, Amount: 100}}); err != nil {
		t.Fatal(err)
	}
	if b := s.last(wire.PathOrderCancel); !strings.Contains(b, `"CAN_FLAG":"Y"`) || !strings.Contains(b, `"ORG_ORDERNO":"TO9"`) {
		t.Fatal(b)
	}
}

func postpaid() *Order {
	o := validPrepaid()
	o.Settlement = nil
	return o
}

func TestPlaceTableOrderChoosesNewOrAdd(t *testing.T) {
	s := newStub(t)
	c := newTestClient(t, s)
	ctx := context.Background()
	s.on(wire.PathOrderNew, ok(wire.OrderAnswer{OrderNo: "TO1", OrgOrderNo: "TO1"}))
	s.on(wire.PathOrderAdd, ok(wire.OrderAnswer{OrderNo: "TO2", OrgOrderNo: "TO1"}))

	// Empty table, and a table whose last order was paid: new order.
	for _, live := range [][]wire.LiveOrder{nil, {{OrderNo: "TO0", OrgOrderNo: "TO0", Status: string(StatusPaid), OrderDate: "20240101", OrderTime: "100000"}}} {
		s.on(wire.PathTableOrders, ok(wire.OrderList{Orders: live}))
		ack, err := c.PlaceTableOrder(ctx, postpaid())
		if err != nil || ack.OrderNo != "TO1" {
			t.Fatal(ack, err)
		}
	}
	if s.n(wire.PathOrderNew) != 2 || s.n(wire.PathOrderAdd) != 0 {
		t.Fatal(s.count)
	}
	// Open table order: additional order on it.
	s.on(wire.PathTableOrders, ok(wire.OrderList{Orders: []wire.LiveOrder{
		{OrderNo: "TO0", OrgOrderNo: "TO0", Status: string(StatusPaid), OrderDate: "20240101", OrderTime: "100000"},
		{OrderNo: "TO1", OrgOrderNo: "TO1", Status: string(StatusReceived), SuccessFlag: "Y", OrderDate: "20240101", OrderTime: "120000"},
	}}))
	ack, err := c.PlaceTableOrder(ctx, postpaid())
	if err != nil || ack.OrgOrderNo != "TO1" || s.n(wire.PathOrderAdd) != 1 || !strings.Contains(s.last(wire.PathOrderAdd), `"ORG_ORDERNO":"TO1"`) {
		t.Fatal(ack, err)
	}
	// Cancelled table order: typed error, nothing sent.
	s.on(wire.PathTableOrders, ok(wire.OrderList{Orders: []wire.LiveOrder{{OrderNo: "TO1", OrgOrderNo: "TO1", Status: string(StatusCancelled)}}}))
	if _, err := c.PlaceTableOrder(ctx, postpaid()); !IsAddNotAllowed(err) || s.n(wire.PathOrderAdd) != 1 || s.n(wire.PathOrderNew) != 2 {
		t.Fatal(err)
	}
	// Prepaid orders do not go through the postpaid flow.
	if _, err := c.PlaceTableOrder(ctx, validPrepaid()); !IsInvalidInput(err) {
		t.Fatal(err)
	}
}

// measurePause waits until the code under test has armed a timer tagged tag on clk (and no
// other), then moves the clock in steps of step until that timer fires, failing if any
// request reaches s meanwhile or the pause exceeds limit. It returns the pause's length,
// rounded up to step, and the number of requests to path received when the pause began:
// counted while the code is parked on the clock, so no request can be under way. (Counting
// after the pause ends races with the next attempt, which starts as the timer fires.) The
// next attempt must be held back by the caller (a gated stub handler) until it returns, so
// that the client cannot arm its next pause before the end of this one is seen.
func measurePause(t *testing.T, clk *mock.Clock, tag string, s *stub, path string, step, limit time.Duration) (time.Duration, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if !clk.WaitForWaiters(1, ctx.Done()) {
		t.Fatal("no pause on the clock")
	}
	atPark := s.n(path)
	if n, all := clk.TaggedWaiters(tag), clk.Waiters(); n != 1 || all != 1 {
		t.Fatalf("%d timers tagged %q of %d armed, want the pause alone", n, tag, all)
	}
	before := s.total()
	var el time.Duration
	for clk.TaggedWaiters(tag) > 0 {
		if s.total() != before {
			t.Fatalf("a request was sent %v into the pause", el)
		}
		if el >= limit {
			t.Fatalf("the pause lasts more than %v", limit)
		}
		clk.Advance(step)
		el += step
	}
	return el, atPark
}

// occupiedPauseBounds returns the bounds of the k-th pause (k from 0) under p: the interval
// Initial × 1.5^k capped at Max, ±50% jitter, at most Max.
func occupiedPauseBounds(p RetryPolicy, k int) (lo, hi time.Duration) {
	iv := float64(p.Initial)
	for i := 0; i < k; i++ {
		iv *= 1.5
	}
	if iv > float64(p.Max) {
		iv = float64(p.Max)
	}
	lo, hi = time.Duration(iv/2), time.Duration(iv*1.5)
	if hi > p.Max {
		hi = p.Max
	}
	return lo, hi
}

// PlaceTableOrder waits out an occupied table with real pauses on the clock (no
// WithoutRetrySleep): each pause is measured on a fake clock, grows from Initial, is capped
// at Max, no request is sent before it ends, and the attempts are bounded by MaxRetries.
func TestPlaceTableOrderWaitsOutOccupiedOnTheClock(t *testing.T) {
	const step = 10 * time.Millisecond
	s := newStub(t)
	clk := mock.NewClock(time.Time{})
	pol := RetryPolicy{MaxRetries: 3, Initial: time.Second, Max: 2 * time.Second}
	newClient := func(tag string, p RetryPolicy) *Client {
		c, err := NewClient("STORE123", "SVC9", WithBaseURL(s.srv.URL), WithHTTPClient(s.srv.Client()),
			WithClock(clk.Tagged(tag)), WithOccupiedRetry(p))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := newClient("client", pol)
	// Each attempt starts with a lookup, held until the test lets it through: the client
	// cannot start its next pause before the test has seen this one end.
	gate := make(chan struct{}, 1)
	lookup := ok(wire.OrderList{})
	s.on(wire.PathTableOrders, func(w http.ResponseWriter, b []byte) {
		select {
		case <-gate:
		case <-time.After(10 * time.Second):
		}
		lookup(w, b)
	})
	gate <- struct{}{} // the first attempt
	var mu sync.Mutex
	n := 0
	s.on(wire.PathOrderNew, func(w http.ResponseWriter, b []byte) {
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		if k <= 3 {
			_ = wire.WriteErrorEnvelope(w, 200, CodeOccupied, "테이블 점유중", "잠시 후 재요청")
			return
		}
		_ = wire.WriteEnvelope(w, wire.OrderAnswer{OrderNo: "TO5"})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var seenMu sync.Mutex
	var seen []string
	// The tracker has a clock of its own tag: its pauses are told from the client's.
	tr := mustTracker(c, WithTrackerClock(clk.Tagged("tracker")), WithTrackerOccupiedRetry(pol),
		WithOnTransition(func(x Transition) {
			seenMu.Lock()
			seen = append(seen, x.To.String())
			seenMu.Unlock()
		}))
	defer tr.Close()
	type res struct {
		st  OrderState
		err error
	}
	done := make(chan res, 1)
	go func() {
		st, _, err := tr.PlaceTableOrder(ctx, postpaid())
		done <- res{st, err}
	}()
	var pauses []time.Duration
	for k := 0; k < 3; k++ {
		lo, hi := occupiedPauseBounds(pol, k)
		d, sent := measurePause(t, clk, "tracker", s, wire.PathOrderNew, step, hi+step)
		if d < lo || d-step >= hi {
			t.Fatalf("pause %d lasted %v, want %v..%v", k, d, lo, hi)
		}
		if sent != k+1 {
			t.Fatalf("before pause %d: %d order requests, want %d", k, sent, k+1)
		}
		gate <- struct{}{} // the attempt after the pause
		pauses = append(pauses, d)
	}
	r := <-done
	if r.err != nil || r.st != Accepted || s.n(wire.PathOrderNew) != 4 || s.n(wire.PathTableOrders) != 4 {
		t.Fatalf("%v %v new=%d lookups=%d pauses=%v", r.st, r.err, s.n(wire.PathOrderNew), s.n(wire.PathTableOrders), pauses)
	}
	seenMu.Lock()
	got := strings.Join(seen, ",")
	seenMu.Unlock()
	if got != "Occupied,Submitted,Occupied,Submitted,Occupied,Submitted,Accepted" {
		t.Fatal(got)
	}
	// The same MCHT_ORDERNO is refused while in flight, without a request.
	if _, _, err := tr.PlaceTableOrder(ctx, postpaid()); !IsInvalidInput(err) || s.n(wire.PathOrderNew) != 4 {
		t.Fatal(err)
	}
	_ = tr.Close()

	// Bounded: always occupied → MaxRetries pauses, MaxRetries+1 attempts, then the
	// occupied error; the pauses grow from Initial and stop at Max.
	pol2 := RetryPolicy{MaxRetries: 4, Initial: 400 * time.Millisecond, Max: time.Second}
	c2 := newClient("client2", pol2)
	s.on(wire.PathOrderNew, fail(200, CodeOccupied, "점유"))
	before := s.n(wire.PathOrderNew)
	gate <- struct{}{} // the first attempt
	go func() {
		_, err := c2.PlaceTableOrder(ctx, postpaid())
		done <- res{0, err}
	}()
	for k := 0; k < pol2.MaxRetries; k++ {
		lo, hi := occupiedPauseBounds(pol2, k)
		d, sent := measurePause(t, clk, "client2", s, wire.PathOrderNew, step, hi+step)
		if d < lo || d-step >= hi {
			t.Fatalf("pause %d lasted %v, want %v..%v", k, d, lo, hi)
		}
		if sent-before != k+1 {
			t.Fatalf("before pause %d: %d order requests, want %d", k, sent-before, k+1)
		}
		gate <- struct{}{} // the attempt after the pause
	}
	if r := <-done; !IsOccupied(r.err) || s.n(wire.PathOrderNew)-before != pol2.MaxRetries+1 {
		t.Fatal(r.err, s.n(wire.PathOrderNew)-before)
	}
	if clk.Waiters() != 0 {
		t.Fatalf("%d timers left after giving up", clk.Waiters())
	}
}

// End to end over HTTP: the order answer is lost, the tracker finds MCHT_ORDERNO in the
// lookup and follows it to Succeeded without resending.
func TestTrackerOverHTTPResolvesLostAnswer(t *testing.T) {
	s := newStub(t)
	clk := mock.NewClock(time.Time{})
	c := newTestClient(t, s, WithClock(clk))
	start := clk.Now()
	s.on(wire.PathTableOrders, func(w http.ResponseWriter, b []byte) {
		var req wire.TableOrdersRequest
		_ = json.Unmarshal(b, &req)
		el := clk.Now().Sub(start)
		var list []wire.LiveOrder
		if req.TableCode == "0005" && s.n(wire.PathOrderNew) > 0 {
			o := wire.LiveOrder{OrderNo: "TO7", OrgOrderNo: "TO7", MerchantOrderNo: "M-1", Status: string(StatusReceived)}
			if el >= 10*time.Second {
				o.SuccessFlag = "Y"
			}
			if el >= 20*time.Second {
				o.Status = string(StatusDone)
			}
			list = append(list, o)
		}
		_ = wire.WriteEnvelope(w, wire.OrderList{Orders: list})
	})
	s.on(wire.PathOrderNew, drop)
	q := newQuiet()
	var mu sync.Mutex
	var seen []string
	tr := newTracker(c, q.hook, WithTrackerClock(clk), WithOnTransition(func(x Transition) {
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%v>%v@%v#%s", x.From, x.To, x.At.Sub(start), x.OrderNo))
		mu.Unlock()
	}))
	defer tr.Close()
	st, _, err := tr.NewOrder(context.Background(), validPrepaid())
	if st != Unknown || !IsLost(err) {
		t.Fatal(st, err)
	}
	for i := 0; i < 6; i++ {
		q.settle(t, tr, clk.Now())
		clk.Advance(5 * time.Second)
	}
	q.settle(t, tr, clk.Now())
	mu.Lock()
	defer mu.Unlock()
	want := "[Submitted>Unknown@0s# Unknown>Accepted@5s#TO7 Accepted>Delivered@10s#TO7 Delivered>Succeeded@20s#TO7]"
	if fmt.Sprint(seen) != want || s.n(wire.PathOrderNew) != 1 {
		t.Fatalf("%v (new orders sent: %d)", seen, s.n(wire.PathOrderNew))
	}
}
