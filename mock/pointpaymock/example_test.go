package pointpaymock_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
	"github.com/poskit/poskit/mock/pointpaymock"
	"github.com/poskit/poskit/pointpay"
)

// The shop's receiver credits each conversion once, though the fake sends every result
// twice.
func Example() {
	var mu sync.Mutex
	balances := map[string]int64{}
	credit := func(_ context.Context, r pointpay.Result) error {
		mu.Lock()
		defer mu.Unlock()
		balances[r.MemberID] += r.Price
		return nil
	}
	rv, err := pointpay.NewReceiver(pointpaymock.DefaultMediaID, pointpay.NewMemoryStore(), credit)
	if err != nil {
		panic(err)
	}
	shop := httptest.NewServer(rv) // the RETURN URL given to PointPay
	defer shop.Close()

	srv := pointpaymock.NewServer(pointpaymock.WithReturnURL(shop.URL), pointpaymock.WithDuplicateSends(true))
	defer srv.Close()

	// The shop's button opens the popup; the member sees a form.
	u, err := srv.PopupURL("member01")
	if err != nil {
		panic(err)
	}
	resp, err := srv.HTTPClient().Get(u)
	if err != nil {
		panic(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println("popup:", resp.StatusCode, strings.Contains(string(page), `name="points"`))

	// The member converts 1,500 points: the form posts to the fake, which calls the shop.
	resp, err = srv.HTTPClient().PostForm(srv.URL()+"/pointhub/convert",
		url.Values{"a_code": {srv.MediaID()}, "user_id": {"member01"}, "points": {"1500"}})
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	c := srv.Conversions()[0]
	for _, a := range c.Attempts {
		fmt.Printf("POST %d (duplicate %v): %s\n", a.N, a.Duplicate, a.Answer)
	}
	fmt.Println("delivery:", c.Delivery)
	mu.Lock()
	fmt.Println("balance:", balances["member01"])
	mu.Unlock()
	// Output:
	// popup: 200 true
	// POST 1 (duplicate false): 201
	// POST 1 (duplicate true): 202|-|duplicate rw_orderno
	// delivery: delivered
	// balance: 1500
}

// A Cafe24 solution merchant: PointPay credits the mileage itself about a minute after the
// conversion. The hook is where a cafe24 fake's point API plugs in.
func ExampleWithSolutionCredit() {
	clk := mock.NewClock(time.Time{})
	credited := make(chan string, 1)
	srv := pointpaymock.NewServer(pointpaymock.WithClock(clk), pointpaymock.WithSolutionCredit(
		func(_ context.Context, member string, points int64, orderNo string) error {
			credited <- fmt.Sprintf("%d points to %s", points, member)
			return nil
		}))
	defer srv.Close()

	c, err := srv.Convert("member01", 2000, "")
	if err != nil {
		panic(err)
	}
	fmt.Println("credit:", c.Credit, "delivery:", c.Delivery)
	clk.Advance(time.Minute) // the solution credit delay, on the fake clock
	fmt.Println(<-credited)
	c, _ = srv.WaitFor(context.Background(), c.OrderNo, func(c pointpaymock.Conversion) bool {
		return c.Credit != pointpaymock.CreditPending
	})
	fmt.Println("credit:", c.Credit)
	// Output:
	// credit: pending delivery: no-return-url
	// 2000 points to member01
	// credit: credited
}

// A Cafe24 solution merchant wired to a cafe24 fake: about a minute after the conversion
// the member's Cafe24 mileage grows by the converted points, credited once through the
// pointpay bridge (keyed by rw_orderno).
func ExampleWithSolutionCredit_cafe24() {
	clk := mock.NewClock(time.Time{})
	mall := cafe24mock.NewServer(cafe24mock.WithClock(clk))
	defer mall.Close()
	mall.AddMember("member01", "", decimal.NewFromInt(100))
	bridge, err := pointpay.NewBridge(mall.Client(), pointpay.WithBridgeClock(clk))
	if err != nil {
		panic(err)
	}
	srv := pointpaymock.NewServer(pointpaymock.WithClock(clk), pointpaymock.WithSolutionCredit(
		func(ctx context.Context, member string, points int64, orderNo string) error {
			return bridge.Credit(ctx, pointpay.Result{MemberID: member, Price: points, OrderNo: orderNo, RegisteredAt: clk.Now()})
		}))
	defer srv.Close()

	c, err := srv.Convert("member01", 2000, "")
	if err != nil {
		panic(err)
	}
	b, _ := mall.Balance("member01")
	fmt.Println("mileage at once:", b.StringFixed(0))
	clk.Advance(time.Minute) // the solution credit delay, on the fake clock
	c, _ = srv.WaitFor(context.Background(), c.OrderNo, func(c pointpaymock.Conversion) bool {
		return c.Credit != pointpaymock.CreditPending
	})
	b, _ = mall.Balance("member01")
	fmt.Println("credit:", c.Credit, "mileage:", b.StringFixed(0), "Cafe24 credits:", mall.Credits(c.OrderNo))
	// Output:
	// mileage at once: 100
	// credit: credited mileage: 2100 Cafe24 credits: 1
}
