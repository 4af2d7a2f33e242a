package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
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

// runPointPay converts a member's outside points into shop points through the fake
// PointPay: the popup URL, the popup's form, the result callback (sent twice) credited
// once by the shop's receiver, a resend and a forged callback both refused.
func runPointPay(ctx context.Context) error {
	var s step

	// The shop's RETURN URL: the receiver records each rw_orderno and credits it once.
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
		return err
	}
	shop := httptest.NewServer(rv)
	defer shop.Close()

	// The fake PointPay sends every result twice, as a resend after a lost "201" would.
	pp := pointpaymock.NewServer(pointpaymock.WithReturnURL(shop.URL), pointpaymock.WithDuplicateSends(true))
	defer pp.Close()
	s.printf("fake PointPay at %s, shop RETURN URL %s", pp.URL(), shop.URL)

	u, err := pp.PopupURL("member01")
	if err != nil {
		return err
	}
	s.printf("popup URL for member01: %s", u)
	status, page, err := fetch(ctx, pp, "GET", u, nil)
	if err != nil {
		return err
	}
	if status != 200 || !strings.Contains(page, `name="points"`) {
		return fmt.Errorf("popup page: status %d", status)
	}
	s.printf("popup page: HTTP %d, a form to convert points for member01", status)

	form := url.Values{"a_code": {pp.MediaID()}, "user_id": {"member01"}, "points": {"1500"}}
	if status, _, err = fetch(ctx, pp, "POST", pp.URL()+"/pointhub/convert", form); err != nil {
		return err
	}
	convs := pp.Conversions()
	if status != 200 || len(convs) != 1 {
		return fmt.Errorf("convert: status %d, %d conversions", status, len(convs))
	}
	c := convs[0]
	s.printf("member01 converts 1,500 points: rw_orderno %s, rw_reg_datetime %s", c.OrderNo, c.RegisteredAt)
	for _, a := range c.Attempts {
		kind := "callback"
		if a.Duplicate {
			kind = "duplicate copy"
		}
		s.printf("%s of %s answered %q", kind, c.OrderNo, a.Answer)
	}

	c, err = pp.Resend(c.OrderNo)
	if err != nil {
		return err
	}
	s.printf("PointPay resends %s: answered %q", c.OrderNo, c.Attempts[len(c.Attempts)-1].Answer)

	forged := c.Result
	forged.MediaCode, forged.Price = "GUESSED", 1_000_000
	_, answer, err := fetch(ctx, pp, "POST", shop.URL, forged.Form())
	if err != nil {
		return err
	}
	s.printf("a forged callback (wrong rw_a_code) answered %q", answer)

	mu.Lock()
	got := balances["member01"]
	mu.Unlock()
	s.printf("member01 credited once: %d points", got)
	if got != 1500 {
		return fmt.Errorf("balance %d, want 1500", got)
	}
	return runPointPayCafe24(ctx, &s)
}

// runPointPayCafe24 is a shop on Cafe24: its receiver credits each conversion to the
// member's Cafe24 mileage through the bridge, keyed by rw_orderno — once, though PointPay
// sends the result twice and Cafe24's answer to the credit is lost.
func runPointPayCafe24(ctx context.Context, s *step) error {
	clk := mock.NewClock(time.Time{})
	mall := cafe24mock.NewServer(cafe24mock.WithClock(clk))
	defer mall.Close()
	mall.AddMember("member01", "", decimal.NewFromInt(100))
	bridge, err := pointpay.NewBridge(mall.Client(), pointpay.WithBridgeClock(clk))
	if err != nil {
		return err
	}
	store := pointpay.NewMemoryStore()
	rv, err := pointpay.NewReceiver(pointpaymock.DefaultMediaID, store, bridge.Credit, pointpay.WithClock(clk))
	if err != nil {
		return err
	}
	shop := httptest.NewServer(rv)
	defer shop.Close()
	pp := pointpaymock.NewServer(pointpaymock.WithClock(clk), pointpaymock.WithReturnURL(shop.URL), pointpaymock.WithDuplicateSends(true))
	defer pp.Close()
	s.printf("Cafe24 shop: fake mall at %s, member01 holds 100 mileage; the receiver credits through the bridge", mall.URL())

	mall.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.DropAnswer})
	s.printf("Cafe24 will apply the next credit and lose its answer")
	c, err := pp.Convert("member01", 2000, "")
	if err != nil {
		return err
	}
	s.printf("member01 converts 2,000 points: rw_orderno %s", c.OrderNo)
	for _, a := range c.Attempts {
		kind := "callback"
		if a.Duplicate {
			kind = "duplicate copy"
		}
		s.printf("%s of %s answered %q", kind, c.OrderNo, a.Answer)
	}
	b, _ := mall.Balance("member01")
	s.printf("member01's Cafe24 mileage: %s (%d credit for %s, read back after the lost answer)", b.StringFixed(0), mall.Credits(c.OrderNo), c.OrderNo)
	if !b.Equal(decimal.NewFromInt(2100)) || mall.Credits(c.OrderNo) != 1 {
		return fmt.Errorf("mileage %s, %d credits; want 2100 and 1", b, mall.Credits(c.OrderNo))
	}
	rep, err := bridge.Reconcile(ctx, store, clk.Now(), clk.Now())
	if err != nil {
		return err
	}
	s.printf("reconciliation of today: %d matched, %d differences", rep.Matched, len(rep.Differences))
	if !rep.OK() || rep.Matched != 1 {
		return fmt.Errorf("reconciliation: %+v", rep.Differences)
	}
	return nil
}

// fetch sends a GET, or a POST of form, through the fake's loopback client.
func fetch(ctx context.Context, pp *pointpaymock.Server, method, u string, form url.Values) (int, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return 0, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := pp.HTTPClient().Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
