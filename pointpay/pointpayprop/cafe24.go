package pointpayprop

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
	"github.com/poskit/poskit/pointpay"
)

// WithCafe24 returns cfg with the Cafe24 bridge as the credit function under test: a
// pointpay.Bridge over a cafe24 client talking HTTP (loopback) to a cafe24mock fake started
// for the test (closed by t.Cleanup), with balances read from the fake's mileage. Its
// Disturb injects Cafe24 faults for the next requests — answers dropped after the credit
// applied, 500s (answer lost, nothing applied), 503s, failing reads of the records — and
// its Calm clears them. The property then checks that each member's Cafe24 balance grew
// by exactly the sum of their genuine conversions and that Cafe24 holds one credit per
// genuine order number.
//
// The fake's rate-limit bucket is off (the property does not advance the fake's clock)
// and the client retries without pauses. Members are added to the fake when the property
// first reads their balance (with 0 points).
func WithCafe24(t testing.TB, cfg Config) Config {
	t.Helper()
	srv := cafe24mock.NewServer(cafe24mock.WithBucket(0, 0))
	t.Cleanup(srv.Close)
	bridge, err := pointpay.NewBridge(srv.Client(), pointpay.WithBridgeClock(srv.Clock()))
	if err != nil {
		t.Fatalf("pointpayprop: new bridge: %v", err)
	}
	cfg.NewCredit = func(*rapid.T) (pointpay.CreditFunc, Balance) {
		credit := func(ctx context.Context, r pointpay.Result) error {
			if err := bridge.Credit(ctx, r); err != nil {
				return err
			}
			if n := srv.Credits(r.OrderNo); n != 1 {
				return fmt.Errorf("pointpayprop: Cafe24 holds %d credits for %s, want 1", n, r.OrderNo)
			}
			return nil
		}
		return credit, func(_ context.Context, m string) (int64, error) {
			b, ok := srv.Balance(m)
			if !ok {
				srv.AddMember(m, "", decimal.Zero)
			}
			if !b.Equal(b.Truncate(0)) {
				return 0, fmt.Errorf("pointpayprop: %s's Cafe24 balance %s is not whole points", m, b)
			}
			return b.IntPart(), nil
		}
	}
	cfg.Disturb = func(t *rapid.T) {
		op, f := "AdjustPoints", mock.Fault{}
		switch rapid.IntRange(0, 3).Draw(t, "cafe24 fault") {
		case 0: // the credit is applied, its answer lost
			f = mock.Fault{Kind: mock.DropAnswer, Times: rapid.IntRange(1, 3).Draw(t, "dropped answers")}
		case 1: // 500: the answer says nothing about the credit (nothing applied here)
			f = mock.Fault{Kind: mock.Fail, Status: http.StatusInternalServerError, Times: rapid.IntRange(1, 6).Draw(t, "500s")}
		case 2: // 503: refused, nothing applied
			f = mock.Fault{Kind: mock.Fail, Status: http.StatusServiceUnavailable, Times: rapid.IntRange(1, 6).Draw(t, "503s")}
		case 3: // the records cannot be read (the check before and after a POST)
			op = "ListPoints"
			f = mock.Fault{Kind: mock.Fail, Status: http.StatusInternalServerError, Times: rapid.IntRange(1, 8).Draw(t, "list 500s")}
		}
		srv.Faults().MustInject(op, f)
	}
	cfg.Calm = srv.Faults().Clear
	return cfg
}
