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
