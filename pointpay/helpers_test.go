package pointpay

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/pointpaywire"
	"github.com/poskit/poskit/mock"
)

const testMedia = "MEDIA01"

func sampleResult(orderNo string, price int64) Result {
	return Result{
		PayType:      "KT",
		MemberID:     "member01",
		Price:        price,
		RegisteredAt: time.Date(2026, 11, 23, 15, 4, 5, 0, pointpaywire.KST),
		MediaCode:    testMedia,
		OrderNo:      orderNo,
		UTCCode:      "U1",
	}
}

// ledger is a keyed credit function: it applies each order number once, counts calls,
// and can be told to fail.
type ledger struct {
	mu            sync.Mutex
	calls         map[string]int
	applied       map[string]int64
	fail          error
	applyThenFail bool
	block         chan struct{}
}

func newLedger() *ledger { return &ledger{calls: map[string]int{}, applied: map[string]int64{}} }

func (l *ledger) credit(ctx context.Context, r Result) error {
	if l.block != nil {
		<-l.block
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls[r.OrderNo]++
	if l.fail != nil && !l.applyThenFail {
		return l.fail
	}
	if _, ok := l.applied[r.OrderNo]; !ok {
		l.applied[r.OrderNo] = r.Price
	}
	return l.fail
}

func (l *ledger) callsOf(o string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[o]
}

func (l *ledger) setFail(err error, applyFirst bool) {
	l.mu.Lock()
	l.fail, l.applyThenFail = err, applyFirst
	l.mu.Unlock()
}

func post(t testing.TB, h http.Handler, form url.Values) (int, string) {
	t.Helper()
	return postBody(t, h, http.MethodPost, form.Encode())
}

func postBody(t testing.TB, h http.Handler, method, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, "/pointpay/result", strings.NewReader(body))
	req.Header.Set("Content-Type", pointpaywire.FormContentType)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

func newTestReceiver(t testing.TB, store Store, l *ledger, opts ...Option) (*Receiver, *mock.Clock) {
	t.Helper()
	clk := mock.NewClock(time.Time{})
	rv, err := NewReceiver(testMedia, store, l.credit, append([]Option{WithClock(clk)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return rv, clk
}
