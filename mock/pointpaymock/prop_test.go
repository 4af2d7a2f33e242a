package pointpaymock_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/pointpaymock"
	"github.com/poskit/poskit/pointpay"
	"github.com/poskit/poskit/pointpay/pointpayprop"
	"pgregory.net/rapid"
)

// The partner property of pointpayprop, over HTTP against the fake: conversions made by
// the fake reach a pointpay.Receiver on loopback with duplicate sends, resends on the
// fake clock, manual resends, credit failures, receiver restarts (the store outlives the
// receiver), forged and conflicting callbacks. Every conversion ends credited exactly
// once, nothing forged is credited, and each member's balance is the sum of their
// conversions.
func TestPropertyOverHTTP(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		ctx := testCtx(t)
		clk := mock.NewClock(time.Time{})
		h := &propShop{calls: map[string]int{}, balances: map[string]int64{}}
		stores := pointpayprop.MemoryStores()
		store, _, _ := stores("run")
		restart := func() {
			rv, err := pointpay.NewReceiver(pointpaymock.DefaultMediaID, store, h.credit,
				pointpay.WithClock(clk), pointpay.WithCreditLease(time.Minute))
			if err != nil {
				rt.Fatal(err)
			}
			h.rv.Store(rv)
		}
		restart()
		shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.rv.Load().ServeHTTP(w, r) }))
		defer shop.Close()
		srv := pointpaymock.NewServer(pointpaymock.WithClock(clk), pointpaymock.WithReturnURL(shop.URL),
			pointpaymock.WithResendSchedule(time.Minute, 2*time.Minute, 5*time.Minute, 10*time.Minute),
			pointpaymock.WithDuplicateSends(rapid.Bool().Draw(rt, "duplicates")))
		defer srv.Close()
		members := []string{"m1", "m2", "m3"}
		var orders []string
		pick := func() string { return orders[rapid.IntRange(0, len(orders)-1).Draw(rt, "order")] }

		for range rapid.IntRange(1, 25).Draw(rt, "steps") {
			switch rapid.IntRange(0, 9).Draw(rt, "action") {
			case 0, 1, 2:
				c, err := srv.Convert(rapid.SampledFrom(members).Draw(rt, "member"), rapid.Int64Range(1, 100_000).Draw(rt, "points"), "")
				if err != nil {
					rt.Fatal(err)
				}
				orders = append(orders, c.OrderNo)
			case 3:
				if len(orders) > 0 {
					if _, err := srv.Resend(pick()); err != nil {
						rt.Fatal(err)
					}
				}
			case 4:
				srv.SetDuplicateSends(!srv.DuplicateSends())
			case 5:
				h.failCredits(rapid.IntRange(1, 3).Draw(rt, "failures"))
			case 6:
				restart()
			case 7:
				advance(ctx, rt, srv, clk, time.Duration(rapid.IntRange(1, 12).Draw(rt, "minutes"))*time.Minute)
			case 8: // forged: the media id is wrong
				if len(orders) > 0 {
					c, _ := srv.Lookup(pick())
					r := c.Result
					r.MediaCode, r.Price = "FORGED", r.Price+1
					if a := h.post(rt, shop, r); a != "202|-|unknown rw_a_code" {
						rt.Fatalf("forged callback answered %q", a)
					}
				}
			case 9: // conflicting: a recorded order number with another amount
				if len(orders) > 0 {
					c, _ := srv.Lookup(pick())
					if c.Delivery == pointpaymock.DeliveryDelivered {
						r := c.Result
						r.Price++
						if a := h.post(rt, shop, r); a != "202|-|rw_orderno already used with other values" {
							rt.Fatalf("conflicting callback answered %q", a)
						}
					}
				}
			}
		}

		// The credit function works again; every conversion is settled by resends.
		h.failCredits(0)
		want := map[string]int64{}
		for _, no := range orders {
			var c pointpaymock.Conversion
			for try := 0; try < 3 && c.Delivery != pointpaymock.DeliveryDelivered; try++ {
				var err error
				if c, err = srv.Resend(no); err != nil {
					rt.Fatal(err)
				}
			}
			if c.Delivery != pointpaymock.DeliveryDelivered {
				rt.Fatalf("%s never delivered: %q", no, c.Answers())
			}
			want[c.MemberID] += c.Points
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, no := range orders {
			if h.calls[no] != 1 {
				rt.Fatalf("%s credited %d times", no, h.calls[no])
			}
		}
		if len(h.calls) != len(orders) {
			rt.Fatalf("%d orders credited, %d conversions", len(h.calls), len(orders))
		}
		for _, m := range members {
			if h.balances[m] != want[m] {
				rt.Fatalf("%s: balance %d, conversions sum to %d", m, h.balances[m], want[m])
			}
		}
	})
}

// advance moves the clock and waits until every resend it released has been sent and
// its next step decided, so the run stays deterministic.
func advance(ctx context.Context, rt *rapid.T, srv *pointpaymock.Server, clk *mock.Clock, d time.Duration) {
	end := clk.Now().Add(d)
	due := map[string]int{}
	for _, c := range srv.Conversions() {
		if !c.NextResend.IsZero() && !c.NextResend.After(end) {
			due[c.OrderNo] = len(c.Attempts)
		}
	}
	clk.Advance(d)
	for no, n := range due {
		_, err := srv.WaitFor(ctx, no, func(c pointpaymock.Conversion) bool {
			return len(c.Attempts) > n && (c.Delivery != pointpaymock.DeliveryPending || !c.NextResend.IsZero())
		})
		if err != nil {
			rt.Fatal(err)
		}
	}
}

// propShop is the shop of the property: a swappable receiver and a counting credit.
type propShop struct {
	rv       atomic.Pointer[pointpay.Receiver]
	mu       sync.Mutex
	failNext int
	calls    map[string]int
	balances map[string]int64
}

func (h *propShop) credit(_ context.Context, r pointpay.Result) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failNext > 0 {
		h.failNext--
		return errors.New("shop database down")
	}
	h.calls[r.OrderNo]++
	h.balances[r.MemberID] += r.Price
	return nil
}

func (h *propShop) failCredits(n int) {
	h.mu.Lock()
	h.failNext = n
	h.mu.Unlock()
}

func (h *propShop) post(rt *rapid.T, shop *httptest.Server, r pointpay.Result) string {
	resp, err := shop.Client().PostForm(shop.URL, r.Form())
	if err != nil {
		rt.Fatal(err)
	}
	defer resp.Body.Close()
	var b [256]byte
	n, _ := resp.Body.Read(b[:])
	return string(b[:n])
}
