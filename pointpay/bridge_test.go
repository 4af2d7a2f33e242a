package pointpay_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
	"github.com/poskit/poskit/pointpay"
)

func isCode(err error, c pointpay.Code) bool { got, ok := pointpay.CodeOf(err); return ok && got == c }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// newCafe24 starts a cafe24 fake (bucket off: the tests do not advance its clock) with
// member01 holding 100 points, and a bridge over a client of it.
func newCafe24(t *testing.T) (*cafe24mock.Server, *pointpay.Bridge) {
	t.Helper()
	srv := cafe24mock.NewServer(cafe24mock.WithBucket(0, 0))
	t.Cleanup(srv.Close)
	srv.AddMember("member01", "", dec("100"))
	b, err := pointpay.NewBridge(srv.Client(), pointpay.WithBridgeClock(srv.Clock()))
	if err != nil {
		t.Fatal(err)
	}
	return srv, b
}

func conversion(srv *cafe24mock.Server, orderNo string, price int64) pointpay.Result {
	return pointpay.Result{PayType: "KT", MemberID: "member01", Price: price, MediaCode: "MEDIA01",
		OrderNo: orderNo, RegisteredAt: srv.Clock().Now()}
}

func balance(t *testing.T, srv *cafe24mock.Server, member string) string {
	t.Helper()
	b, ok := srv.Balance(member)
	if !ok {
		t.Fatalf("no member %s", member)
	}
	return b.StringFixed(2)
}

func countOps(srv *cafe24mock.Server, op string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Op == op {
			n++
		}
	}
	return n
}

func TestBridgeCreditsOncePerOrderNumber(t *testing.T) {
	srv, b := newCafe24(t)
	ctx := context.Background()
	r := conversion(srv, "PP-1", 1500)
	for range 3 { // the receiver calling again after a failure or a crash
		if err := b.Credit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if got := balance(t, srv, "member01"); got != "1600.00" {
		t.Fatalf("balance %s, want 1600.00", got)
	}
	if n := srv.Credits("PP-1"); n != 1 {
		t.Fatalf("%d credits, want 1", n)
	}
	if n := countOps(srv, "AdjustPoints"); n != 1 {
		t.Fatalf("%d POSTs, want 1 (the later calls find the credit)", n)
	}
}

// Cafe24 applies the credit and its answer is lost: the bridge reads the records back
// instead of sending again.
func TestBridgeLostAnswerIsReadBackNotResent(t *testing.T) {
	srv, b := newCafe24(t)
	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.DropAnswer})
	if err := b.Credit(context.Background(), conversion(srv, "PP-2", 500)); err != nil {
		t.Fatal(err)
	}
	if n := srv.Credits("PP-2"); n != 1 || balance(t, srv, "member01") != "600.00" {
		t.Fatalf("%d credits, balance %s", n, balance(t, srv, "member01"))
	}
	if n := countOps(srv, "AdjustPoints"); n != 1 {
		t.Fatalf("%d POSTs, want 1", n)
	}
}

// Cafe24 answers 500 to every POST (nothing applied): the bridge reports a loss (the
// receiver answers "202|-|…" and PointPay resends); the next call credits once.
func TestBridgeServerErrorsAreLostThenSettled(t *testing.T) {
	srv, b := newCafe24(t)
	ctx := context.Background()
	r := conversion(srv, "PP-3", 700)
	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.Fail, Status: http.StatusInternalServerError, Times: -1})
	err := b.Credit(ctx, r)
	var ce *cafe24.Error
	if !pointpay.IsLost(err) || pointpay.IsRefused(err) || !errors.As(err, &ce) {
		t.Fatalf("want a lost *pointpay.Error wrapping *cafe24.Error, got %v", err)
	}
	if c, _ := pointpay.CodeOf(err); c != pointpay.CodeCafe24 || !strings.HasPrefix(err.Error(), "pointpay.Bridge.Credit: cafe24: rw_orderno PP-3") {
		t.Fatalf("code %q, error %q", c, err)
	}
	if srv.Credits("PP-3") != 0 {
		t.Fatal("credited under 500s")
	}
	srv.Faults().Clear()
	if err := b.Credit(ctx, r); err != nil {
		t.Fatal(err)
	}
	if srv.Credits("PP-3") != 1 || balance(t, srv, "member01") != "800.00" {
		t.Fatalf("credits %d balance %s", srv.Credits("PP-3"), balance(t, srv, "member01"))
	}
}

func TestBridgeRefusals(t *testing.T) {
	srv, b := newCafe24(t)
	ctx := context.Background()
	before := len(srv.Requests())
	long := conversion(srv, strings.Repeat("9", 65), 10)
	big := conversion(srv, "PP-big", cafe24.MaxPointsAmount+1)
	noMember := conversion(srv, "PP-4", 10)
	noMember.MemberID = ""
	for _, r := range []pointpay.Result{long, big, noMember} {
		if err := b.Credit(ctx, r); !pointpay.IsInvalidInput(err) || !pointpay.IsRefused(err) {
			t.Fatalf("%s: want invalid input, got %v", r.OrderNo, err)
		}
	}
	if n := len(srv.Requests()); n != before {
		t.Fatalf("%d requests sent for invalid conversions", n-before)
	}
	unknown := conversion(srv, "PP-5", 10)
	unknown.MemberID = "nobody"
	err := b.Credit(ctx, unknown)
	if !pointpay.IsRefused(err) || pointpay.IsLost(err) {
		t.Fatalf("unknown member: want refused, got %v", err)
	}
	if e := new(pointpay.Error); !errors.As(err, &e) || e.HTTPStatus != http.StatusNotFound {
		t.Fatalf("want HTTP 404 in the error, got %v", err)
	}
	if strings.Contains(err.Error(), "nobody") {
		t.Fatalf("error names the member: %v", err)
	}
}

func TestBridgeContextEnded(t *testing.T) {
	srv, b := newCafe24(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := b.Credit(ctx, conversion(srv, "PP-6", 10))
	if !errors.Is(err, context.Canceled) || pointpay.IsLost(err) || pointpay.IsRefused(err) {
		t.Fatalf("want the context's error, neither lost nor refused: %v", err)
	}
	if srv.Credits("PP-6") != 0 {
		t.Fatal("credited with an ended context")
	}
}

// Cancel is a decrease with the same order id: once, only after a credit, and a resend of
// the cancelled conversion credits nothing.
func TestBridgeCancel(t *testing.T) {
	srv, b := newCafe24(t)
	ctx := context.Background()
	r := conversion(srv, "PP-7", 40)
	if err := b.Cancel(ctx, r); !pointpay.IsNotCredited(err) || !pointpay.IsRefused(err) {
		t.Fatalf("cancel before credit: want not credited, got %v", err)
	}
	if err := b.Credit(ctx, r); err != nil {
		t.Fatal(err)
	}
	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.DropAnswer}) // the cancel's answer is lost
	for range 2 {
		if err := b.Cancel(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if got := balance(t, srv, "member01"); got != "100.00" {
		t.Fatalf("balance after cancel %s, want 100.00", got)
	}
	if err := b.Credit(ctx, r); err != nil { // PointPay's late resend
		t.Fatal(err)
	}
	if got := balance(t, srv, "member01"); got != "100.00" || srv.Credits("PP-7") != 1 {
		t.Fatalf("a resend after the cancel credited again: balance %s", got)
	}
	// The member spent the points of another conversion: Cafe24 refuses to overdraw.
	spent := conversion(srv, "PP-8", 500)
	if err := b.Credit(ctx, spent); err != nil {
		t.Fatal(err)
	}
	srv.AddMember("member01", "", dec("0"))
	if err := b.Cancel(ctx, spent); !pointpay.IsRefused(err) || !isCode(err, pointpay.CodeCafe24) {
		t.Fatalf("overdraw: want refused by Cafe24, got %v", err)
	}
}

func TestNewBridgeRefusesBadOptions(t *testing.T) {
	srv, _ := newCafe24(t)
	for name, opts := range map[string][]pointpay.BridgeOption{
		"empty reason": {pointpay.WithBridgeReasons("", "x")},
		"same reasons": {pointpay.WithBridgeReasons("x", "x")},
		"long reason":  {pointpay.WithBridgeReasons(strings.Repeat("가", 256), "x")},
		"slack":        {pointpay.WithReconcileSlack(0)},
	} {
		if _, err := pointpay.NewBridge(srv.Client(), opts...); !pointpay.IsInvalidInput(err) {
			t.Errorf("%s: want invalid input, got %v", name, err)
		}
	}
	if _, err := pointpay.NewBridge(nil); !pointpay.IsInvalidInput(err) {
		t.Errorf("nil points: %v", err)
	}
}

// stubPoints substitutes the cafe24 client: it records adjustments and answers err.
type stubPoints struct {
	mu   sync.Mutex
	seen []cafe24.Adjustment
	err  error
}

func (s *stubPoints) AdjustPointsOnce(_ context.Context, a cafe24.Adjustment) (*cafe24.Adjusted, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, a)
	if s.err != nil {
		return nil, s.err
	}
	return &cafe24.Adjusted{Adjustment: a}, nil
}

func (s *stubPoints) ListPoints(context.Context, cafe24.PointsQuery) iter.Seq2[cafe24.PointRecord, error] {
	return func(func(cafe24.PointRecord, error) bool) {}
}

// The bridge sends what the conversion says, keyed by rw_orderno, through the interface.
func TestBridgeAdjustmentShape(t *testing.T) {
	stub := &stubPoints{}
	b, err := pointpay.NewBridge(stub, pointpay.WithBridgeReasons("포인트페이 전환", "포인트페이 전환 취소"))
	if err != nil {
		t.Fatal(err)
	}
	r := pointpay.Result{MemberID: "m1", Price: 1234, OrderNo: "202611230001", MediaCode: "MEDIA01"}
	if err := b.Credit(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	a := stub.seen[0]
	if a.MemberID != "m1" || a.OrderID != "202611230001" || !a.Amount.Equal(dec("1234")) || a.Direction != cafe24.Increase || a.Reason != "포인트페이 전환" {
		t.Fatalf("adjustment %+v", a)
	}
	stub.err = errors.New("not a cafe24 error")
	if err := b.Credit(context.Background(), r); !pointpay.IsRefused(err) || !errors.Is(err, stub.err) {
		t.Fatalf("an unknown failure: %v", err)
	}
}

// cutAfterPost is a transport that, once armed, lets the next points POST through and then
// fails every request: a credit applied whose answer and read-back are both lost.
type cutAfterPost struct {
	next http.RoundTripper
	mu   sync.Mutex
	arm  bool
	cut  bool
}

func (c *cutAfterPost) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	cut := c.cut
	if c.arm && req.Method == http.MethodPost {
		c.arm, c.cut = false, true
	}
	c.mu.Unlock()
	if cut {
		return nil, errors.New("network down")
	}
	resp, err := c.next.RoundTrip(req)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cut {
		if err == nil {
			resp.Body.Close()
		}
		return nil, errors.New("network down")
	}
	return resp, err
}

// The receiver with the bridge as its credit function, over HTTP to the cafe24 fake: a
// credit applied whose answer and read-back are both lost is answered "202|-|…"; the
// resend reads the credit back and answers "201" without crediting twice.
func TestReceiverWithBridge(t *testing.T) {
	srv := cafe24mock.NewServer(cafe24mock.WithBucket(0, 0))
	t.Cleanup(srv.Close)
	srv.AddMember("member01", "", dec("100"))
	tr := &cutAfterPost{next: srv.HTTPClient().Transport}
	b, err := pointpay.NewBridge(srv.Client(cafe24.WithHTTPClient(&http.Client{Transport: tr})), pointpay.WithBridgeClock(srv.Clock()))
	if err != nil {
		t.Fatal(err)
	}
	var hooked []error
	rv, err := pointpay.NewReceiver("MEDIA01", pointpay.NewMemoryStore(), b.Credit,
		pointpay.WithErrorHook(func(_ context.Context, e *pointpay.Error) { hooked = append(hooked, e) }))
	if err != nil {
		t.Fatal(err)
	}
	r := conversion(srv, "PP-9", 300)
	post := func() string {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(r.Form().Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		rv.ServeHTTP(w, req)
		return w.Body.String()
	}
	tr.mu.Lock()
	tr.arm = true
	tr.mu.Unlock()
	first := post()
	if !strings.HasPrefix(first, "202|-|credit failed") || srv.Credits("PP-9") != 1 {
		t.Fatalf("first answer %q, %d credits", first, srv.Credits("PP-9"))
	}
	if len(hooked) != 1 || !pointpay.IsCreditFailed(hooked[0]) || !pointpay.IsLost(hooked[0]) {
		t.Fatalf("hook saw %v", hooked)
	}
	tr.mu.Lock()
	tr.cut = false
	tr.mu.Unlock()
	if a := post(); a != "201" {
		t.Fatalf("resend answered %q", a)
	}
	if a := post(); !strings.HasPrefix(a, "202|-|duplicate") {
		t.Fatalf("second resend answered %q", a)
	}
	if srv.Credits("PP-9") != 1 || balance(t, srv, "member01") != "400.00" {
		t.Fatalf("credits %d balance %s", srv.Credits("PP-9"), balance(t, srv, "member01"))
	}
}

// Cafe24 echoes the client secret in a refusal: the bridge's error does not show it.
func TestBridgeErrorHidesSecrets(t *testing.T) {
	srv, b := newCafe24(t)
	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.Fail, Status: http.StatusBadRequest,
		Message: "bad client " + cafe24mock.ClientSecret})
	err := b.Credit(context.Background(), conversion(srv, "PP-10", 10))
	if !pointpay.IsRefused(err) {
		t.Fatalf("want refused, got %v", err)
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(s, cafe24mock.ClientSecret[:8]) || strings.Contains(s, "member01") {
			t.Fatalf("error shows a secret or the member: %s", s)
		}
	}
}
