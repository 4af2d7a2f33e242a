package pointpaymock_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
	"github.com/poskit/poskit/mock/pointpaymock"
	"github.com/poskit/poskit/pointpay"
)

// solutionMerchant is a Cafe24 solution merchant: the fake PointPay credits the member's
// mileage on a cafe24 fake through the pointpay bridge, both fakes on one clock.
func solutionMerchant(t *testing.T, opts ...pointpaymock.Option) (*pointpaymock.Server, *cafe24mock.Server, *mock.Clock) {
	t.Helper()
	clk := mock.NewClock(time.Time{})
	mall := cafe24mock.NewServer(cafe24mock.WithClock(clk))
	t.Cleanup(mall.Close)
	mall.AddMember("member01", "", decimal.NewFromInt(100))
	bridge, err := pointpay.NewBridge(mall.Client(), pointpay.WithBridgeClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	credit := func(ctx context.Context, member string, points int64, orderNo string) error {
		return bridge.Credit(ctx, pointpay.Result{MemberID: member, Price: points, OrderNo: orderNo, RegisteredAt: clk.Now()})
	}
	srv := newFake(t, append([]pointpaymock.Option{pointpaymock.WithClock(clk), pointpaymock.WithSolutionCredit(credit)}, opts...)...)
	return srv, mall, clk
}

func mileage(t *testing.T, mall *cafe24mock.Server) string {
	t.Helper()
	b, _ := mall.Balance("member01")
	return b.StringFixed(2)
}

// A conversion credits the member's Cafe24 mileage once the delay has passed on the
// clock, once, also when Cafe24's answer to the credit is lost.
func TestSolutionCreditReachesCafe24(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	srv, mall, clk := solutionMerchant(t)
	mall.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.DropAnswer})
	c, err := srv.Convert("member01", 1500, "")
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(pointpaymock.DefaultSolutionCreditDelay - time.Second)
	if got := mileage(t, mall); got != "100.00" || mall.Records() != 0 {
		t.Fatalf("credited before the delay: %s", got)
	}
	clk.Advance(time.Second)
	c, err = srv.WaitFor(ctx, c.OrderNo, func(c pointpaymock.Conversion) bool { return c.Credit != pointpaymock.CreditPending })
	if err != nil {
		t.Fatal(err)
	}
	if c.Credit != pointpaymock.CreditApplied || c.CreditError != "" {
		t.Fatalf("credit %q: %s", c.Credit, c.CreditError)
	}
	if got := mileage(t, mall); got != "1600.00" || mall.Credits(c.OrderNo) != 1 {
		t.Fatalf("mileage %s, %d credits", got, mall.Credits(c.OrderNo))
	}
}

// Cafe24 refuses the credit (an unknown member): the conversion's credit fails and no
// mileage moves.
func TestSolutionCreditRefusedByCafe24(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	srv, mall, clk := solutionMerchant(t, pointpaymock.WithSolutionCreditDelay(0))
	c, err := srv.Convert("stranger", 10, "")
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(0)
	c, err = srv.WaitFor(ctx, c.OrderNo, func(c pointpaymock.Conversion) bool { return c.Credit != pointpaymock.CreditPending })
	if err != nil {
		t.Fatal(err)
	}
	if c.Credit != pointpaymock.CreditFailed || mall.Records() != 0 {
		t.Fatalf("credit %q, %d records", c.Credit, mall.Records())
	}
}
