package pointpaymock_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/mock/pointpaymock"
	"github.com/poskit/poskit/pointpay"
)

// shop is the merchant's side: a pointpay.Receiver on loopback whose credit function
// counts its calls and fails on demand.
type shop struct {
	*httptest.Server
	mu       sync.Mutex
	calls    map[string]int   // successful credit calls per order number
	failed   map[string]int   // failed credit calls per order number
	balances map[string]int64 // per member
	failNext int
	refusals []pointpay.Code
}

func newShop(t testing.TB, mediaID string, opts ...pointpay.Option) *shop {
	t.Helper()
	s := &shop{calls: map[string]int{}, failed: map[string]int{}, balances: map[string]int64{}}
	opts = append(opts, pointpay.WithErrorHook(func(_ context.Context, err *pointpay.Error) {
		s.mu.Lock()
		s.refusals = append(s.refusals, err.Code)
		s.mu.Unlock()
	}))
	rv, err := pointpay.NewReceiver(mediaID, pointpay.NewMemoryStore(), s.credit, opts...)
	if err != nil {
		t.Fatal(err)
	}
	s.Server = httptest.NewServer(rv)
	t.Cleanup(s.Close)
	return s
}

func (s *shop) credit(_ context.Context, r pointpay.Result) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		s.failed[r.OrderNo]++
		return errors.New("shop database down")
	}
	s.calls[r.OrderNo]++
	s.balances[r.MemberID] += r.Price
	return nil
}

func (s *shop) failCredits(n int) {
	s.mu.Lock()
	s.failNext = n
	s.mu.Unlock()
}

func (s *shop) creditCalls(orderNo string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[orderNo]
}

func (s *shop) balance(member string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.balances[member]
}

// post sends a form straight to the shop's receiver and returns the answer.
func (s *shop) post(t testing.TB, form url.Values) string {
	t.Helper()
	resp, err := s.Client().PostForm(s.URL, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func newFake(t testing.TB, opts ...pointpaymock.Option) *pointpaymock.Server {
	t.Helper()
	srv := pointpaymock.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// get fetches a page and returns its status and body.
func get(t testing.TB, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func postForm(t testing.TB, c *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var orderNoInPage = regexp.MustCompile(`id="orderno">([0-9]+)<`)

// attempts counts a conversion's POSTs.
func attempts(n int) func(pointpaymock.Conversion) bool {
	return func(c pointpaymock.Conversion) bool { return len(c.Attempts) >= n }
}

// runAction runs a named action of the fake with a JSON body.
func runAction(t testing.TB, srv *pointpaymock.Server, name, body string) (any, error) {
	t.Helper()
	for _, a := range srv.Actions() {
		if a.Name == name {
			return a.Run(context.Background(), []byte(body))
		}
	}
	t.Fatalf("no action %q", name)
	return nil, nil
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
