package cafe24_test

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
)

// Consent, code exchange, a credit, a lost answer resolved without a second credit, and a
// list — against the fake.
func ExampleClient() {
	ctx := context.Background()
	srv := cafe24mock.NewServer()
	defer srv.Close()
	srv.AddMember("member1", "", decimal.RequireFromString("100"))

	store := cafe24.NewMemoryStore()
	c, err := cafe24.NewClient(srv.AppConfig(), cafe24.WithHTTPClient(srv.HTTPClient()),
		cafe24.WithClock(srv.Clock()), cafe24.WithTokenStore(store), cafe24.WithSettle(0))
	if err != nil {
		panic(err)
	}

	// The operator consents (the fake's consent page answers at once) and the code is
	// exchanged for the first token pair, saved in the store.
	code := srv.Consent()
	tok, err := c.ExchangeCode(ctx, code)
	fmt.Println("token:", tok, err == nil)

	// A credit keyed by the caller's order id.
	credit := cafe24.Adjustment{MemberID: "member1", OrderID: "PP-1001",
		Amount: decimal.RequireFromString("500"), Direction: cafe24.Increase, Reason: "PointPay conversion"}
	res, err := c.AdjustPoints(ctx, credit)
	fmt.Println("credited:", res.Amount, err, "call limit:", res.CallLimit)

	// The next credit's answer is lost although Cafe24 applied it: never resend blindly.
	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.DropAnswer})
	credit.OrderID = "PP-1002"
	_, err = c.AdjustPoints(ctx, credit)
	fmt.Println("lost:", cafe24.IsLost(err))
	applied, err := c.CheckAdjusted(ctx, credit)
	fmt.Println("applied:", applied, err)
	res, err = c.AdjustPointsOnce(ctx, credit) // finds it applied: sends nothing
	fmt.Println("reconciled:", res.Reconciled, err, "credits of PP-1002:", srv.Credits("PP-1002"))

	now := srv.Clock().Now()
	for r, err := range c.ListPoints(ctx, cafe24.PointsQuery{From: now, To: now, MemberID: "member1"}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(r.OrderID, r.AvailableIncrease, r.AvailableTotal)
	}
	// Output:
	// token: cafe24.Token{mall=myshop access=[redacted] refresh=[redacted] expires=2026-01-01T02:00:00+09:00 refresh_expires=2026-01-15T00:00:00+09:00 scopes=mall.read_mileage,mall.write_mileage} true
	// credited: 500 <nil> call limit: 1/40
	// lost: true
	// applied: true <nil>
	// reconciled: true <nil> credits of PP-1002: 1
	// PP-1001 500 600
	// PP-1002 500 1100
}
