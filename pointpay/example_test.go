package pointpay_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"time"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
	"github.com/poskit/poskit/mock/pointpaymock"
	"github.com/poskit/poskit/pointpay"
)

func ExamplePopupURL() {
	u, err := pointpay.PopupURL("MEDIA01", "member01")
	if err != nil {
		panic(err)
	}
	fmt.Println(u)
	u, _ = pointpay.PopupURL("MEDIA01", "3412345678@k", pointpay.WithPopupForm(pointpay.PopupDirectPHP), pointpay.WithAddParam("cart7"))
	fmt.Println(u)
	_, err = pointpay.PopupURL("MEDIA01", "kim&a_code=X")
	fmt.Println(pointpay.IsInvalidInput(err), err)
	// Output:
	// https://ssl.pointpay.im/pointhub/direct?a_code=MEDIA01&user_id=member01
	// https://ssl.pointpay.im/pointhub/direct.php?a_code=MEDIA01&user_id=3412345678@k&add_param=cart7
	// true pointpay.PopupURL: invalid_input: user_id: contains a character that needs URL escaping
}

func ExampleReceiver() {
	balances := map[string]int64{}
	credited := map[string]bool{} // the credit function is keyed by order number
	credit := func(ctx context.Context, r pointpay.Result) error {
		if !credited[r.OrderNo] {
			credited[r.OrderNo] = true
			balances[r.MemberID] += r.Price
		}
		return nil
	}
	rv, err := pointpay.NewReceiver("MEDIA01", pointpay.NewMemoryStore(), credit)
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(rv) // the RETURN URL given to PointPay
	defer srv.Close()

	conversion := pointpay.Result{
		PayType: "KT", MemberID: "member01", Price: 1500, MediaCode: "MEDIA01", OrderNo: "PP-000123",
		RegisteredAt: time.Date(2026, 11, 23, 15, 4, 5, 0, time.FixedZone("KST", 9*3600)),
	}
	for range 2 { // PointPay's callback, then a resend of it
		resp, err := srv.Client().PostForm(srv.URL, conversion.Form())
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(body))
	}
	fmt.Println("balance:", balances["member01"])
	// Output:
	// 201
	// 202|-|duplicate rw_orderno
	// balance: 1500
}

// A shop on Cafe24: the receiver credits each conversion to the member's Cafe24 mileage
// through the bridge, once, though the fake PointPay sends every result twice; a cancel
// takes it back once; the reconciliation finds nothing amiss.
func ExampleBridge() {
	ctx := context.Background()
	clk := mock.NewClock(time.Time{})
	mall := cafe24mock.NewServer(cafe24mock.WithClock(clk)) // the shop's Cafe24 mall
	defer mall.Close()
	mall.AddMember("member01", "", decimal.NewFromInt(100))
	bridge, err := pointpay.NewBridge(mall.Client(), pointpay.WithBridgeClock(clk))
	if err != nil {
		panic(err)
	}
	store := pointpay.NewMemoryStore()
	rv, err := pointpay.NewReceiver(pointpaymock.DefaultMediaID, store, bridge.Credit, pointpay.WithClock(clk))
	if err != nil {
		panic(err)
	}
	shop := httptest.NewServer(rv) // the RETURN URL
	defer shop.Close()
	pp := pointpaymock.NewServer(pointpaymock.WithClock(clk), pointpaymock.WithReturnURL(shop.URL),
		pointpaymock.WithDuplicateSends(true))
	defer pp.Close()

	c, err := pp.Convert("member01", 1500, "")
	if err != nil {
		panic(err)
	}
	for _, a := range c.Attempts {
		fmt.Println("callback answered", a.Answer)
	}
	b, _ := mall.Balance("member01")
	fmt.Println("mileage:", b.StringFixed(0), "Cafe24 credits:", mall.Credits(c.OrderNo))

	rep, err := bridge.Reconcile(ctx, store, clk.Now(), clk.Now())
	if err != nil {
		panic(err)
	}
	fmt.Println("matched:", rep.Matched, "differences:", len(rep.Differences))

	for range 2 { // a manual cancel, repeated
		if err := bridge.Cancel(ctx, c.Result); err != nil {
			panic(err)
		}
	}
	b, _ = mall.Balance("member01")
	fmt.Println("after cancel:", b.StringFixed(0))
	// Output:
	// callback answered 201
	// callback answered 202|-|duplicate rw_orderno
	// mileage: 1600 Cafe24 credits: 1
	// matched: 1 differences: 0
	// after cancel: 100
}
