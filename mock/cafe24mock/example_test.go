package cafe24mock_test

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
)

func decimalOf(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// A credit whose answer is lost: the fake applied it, the client reads it back instead of
// crediting twice.
func Example() {
	srv := cafe24mock.NewServer()
	defer srv.Close()
	srv.AddMember("member1", "", decimalOf("100"))
	c := srv.Client()

	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.DropAnswer})
	a := cafe24.Adjustment{MemberID: "member1", OrderID: "order-1", Amount: decimalOf("10"), Direction: cafe24.Increase}
	_, err := c.AdjustPoints(context.Background(), a)
	fmt.Println("lost:", cafe24.IsLost(err))

	res, err := c.AdjustPointsOnce(context.Background(), a)
	b, _ := srv.Balance("member1")
	fmt.Println("reconciled:", res.Reconciled, err, "credits:", srv.Credits("order-1"), "balance:", b.StringFixed(2))
	// Output:
	// lost: true
	// reconciled: true <nil> credits: 1 balance: 110.00
}
