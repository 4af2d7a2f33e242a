package pointpayprop

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
	"github.com/poskit/poskit/pointpay"
)

// WithCafe24 returns cfg with the Cafe24 bridge as the credit function under test: a
// pointpay.Bridge over a cafe24 client talking HTTP (loopback) to a cafe24mock fake, a new
// one for each run (the last is closed by t.Cleanup), with balances read from the fake's
// mileage. Its Disturb injects Cafe24 faults for the next requests — answers dropped after
// the credit applied, 500s (answer lost, nothing applied), 503s, failing reads of the
// records — and its Calm clears them. The property then checks that each member's Cafe24
// balance grew by exactly the sum of their genuine conversions and that Cafe24 holds one
// credit per genuine order number; at the end of each run, Bridge.Reconcile of the run's
// store against Cafe24 must find every conversion matched and no difference.
//
// The fake's rate-limit bucket is off (the property does not advance the fake's clock)
// and the client retries without pauses. Members are added to the fake when the property
// first reads their balance (with 0 points).
func WithCafe24(t testing.TB, cfg Config) Config {
	t.Helper()
	var (
		mu     sync.Mutex
		srv    *cafe24mock.Server
		bridge *pointpay.Bridge
	)
	current := func() (*cafe24mock.Server, *pointpay.Bridge) {
		mu.Lock()
		defer mu.Unlock()
		return srv, bridge
	}
	t.Cleanup(func() {
		if s, _ := current(); s != nil {
			s.Close()
		}
	})
	cfg.NewCredit = func(rt *rapid.T) (pointpay.CreditFunc, Balance) {
		s := cafe24mock.NewServer(cafe24mock.WithBucket(0, 0))
		b, err := pointpay.NewBridge(s.Client(), pointpay.WithBridgeClock(s.Clock()))
		if err != nil {
			s.Close()
			rt.Fatalf("pointpayprop: new bridge: %v", err)
		}
		mu.Lock()
		if srv != nil {
			srv.Close()
		}
		srv, bridge = s, b
		mu.Unlock()
		credit := func(ctx context.Context, r pointpay.Result) error {
			if err := b.Credit(ctx, r); err != nil {
				return err
			}
			if n := s.Credits(r.OrderNo); n != 1 {
				return fmt.Errorf("pointpayprop: Cafe24 holds %d credits for %s, want 1", n, r.OrderNo)
			}
			return nil
		}
		return credit, func(_ context.Context, m string) (int64, error) {
			bal, ok := s.Balance(m)
			if !ok {
				s.AddMember(m, "", decimal.Zero)
			}
			if !bal.Equal(bal.Truncate(0)) {
				return 0, fmt.Errorf("pointpayprop: %s's Cafe24 balance %s is not whole points", m, bal)
			}
			return bal.IntPart(), nil
		}
	}
	cfg.Disturb = func(rt *rapid.T) {
		s, _ := current()
		op, f := "AdjustPoints", mock.Fault{}
		switch rapid.IntRange(0, 3).Draw(rt, "cafe24 fault") {
		case 0: // the credit is applied, its answer lost
			f = mock.Fault{Kind: mock.DropAnswer, Times: rapid.IntRange(1, 3).Draw(rt, "dropped answers")}
		case 1: // 500: the answer says nothing about the credit (nothing applied here)
			f = mock.Fault{Kind: mock.Fail, Status: http.StatusInternalServerError, Times: rapid.IntRange(1, 6).Draw(rt, "500s")}
		case 2: // 503: refused, nothing applied
			f = mock.Fault{Kind: mock.Fail, Status: http.StatusServiceUnavailable, Times: rapid.IntRange(1, 6).Draw(rt, "503s")}
		case 3: // the records cannot be read (the check before and after a POST)
			op = "ListPoints"
			f = mock.Fault{Kind: mock.Fail, Status: http.StatusInternalServerError, Times: rapid.IntRange(1, 8).Draw(rt, "list 500s")}
		}
		s.Faults().MustInject(op, f)
	}
	cfg.Calm = func() {
		s, _ := current()
		s.Faults().Clear()
	}
	cfg.Verify = func(ctx context.Context, orderNos []string, store pointpay.Store) error {
		s, b := current()
		day := s.Clock().Now()
		rep, err := b.Reconcile(ctx, store, day, day)
		if err != nil {
			return err
		}
		if len(rep.Differences) > 0 {
			d := rep.Differences[0]
			return fmt.Errorf("reconciliation: %s %s (Cafe24 +%s -%s)", d.Kind, d.OrderNo, d.Increased, d.Decreased)
		}
		if rep.Matched != len(orderNos) {
			return fmt.Errorf("reconciliation matched %d conversions, want %d", rep.Matched, len(orderNos))
		}
		return nil
	}
	return cfg
}
