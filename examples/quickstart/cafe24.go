package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
)

// runCafe24 connects a mall on the fake Cafe24 and credits mileage exactly once: consent
// (authorize URL, state check), code exchange, a credit, a credit whose answer is lost
// resolved without a second credit, and the list of the member's records.
func runCafe24(ctx context.Context) error {
	var s step
	srv := cafe24mock.NewServer()
	defer srv.Close()
	srv.AddMember("member1", "member1@example.com", decimal.RequireFromString("1000"))
	cfg := srv.AppConfig()
	c, err := cafe24.NewClient(cfg, cafe24.WithHTTPClient(srv.HTTPClient()), cafe24.WithClock(srv.Clock()),
		cafe24.WithTokenStore(cafe24.NewMemoryStore()), cafe24.WithSettle(0))
	if err != nil {
		return err
	}
	s.printf("fake Cafe24 mall %q at %s", cfg.MallID, srv.URL())

	// Consent: the operator opens the authorize URL; Cafe24 redirects back with a code and
	// the state, which is checked once.
	states := cafe24.NewStates()
	authURL, _, err := states.AuthorizeURL(cfg)
	if err != nil {
		return err
	}
	code, state, err := consent(ctx, authURL)
	if err != nil {
		return err
	}
	if err := states.Check(state); err != nil {
		return err
	}
	s.printf("operator consented; redirect carried a code and the state (checked once)")

	tok, err := c.ExchangeCode(ctx, code)
	if err != nil {
		return err
	}
	s.printf("code exchanged and saved: %v", tok) // tokens never print

	credit := cafe24.Adjustment{MemberID: "member1", OrderID: "PP-20260101-0001",
		Amount: decimal.RequireFromString("1500"), Direction: cafe24.Increase, Reason: "PointPay conversion"}
	res, err := c.AdjustPoints(ctx, credit)
	if err != nil {
		return err
	}
	s.printf("credited %s points for order %s (X-Api-Call-Limit %v)", res.Amount, res.OrderID, res.CallLimit)

	// The next credit reaches Cafe24, which applies it, but the answer is lost.
	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.DropAnswer})
	credit.OrderID = "PP-20260101-0002"
	if _, err = c.AdjustPoints(ctx, credit); !cafe24.IsLost(err) {
		return fmt.Errorf("want a lost answer, got %v", err)
	}
	s.printf("answer lost for order %s: not resending blindly", credit.OrderID)
	applied, err := c.CheckAdjusted(ctx, credit)
	if err != nil {
		return err
	}
	s.printf("read back the member's records for the order: applied=%v", applied)
	res, err = c.AdjustPointsOnce(ctx, credit)
	if err != nil {
		return err
	}
	s.printf("AdjustPointsOnce: reconciled=%v, credits recorded for the order: %d", res.Reconciled, srv.Credits(credit.OrderID))

	now := srv.Clock().Now()
	for r, err := range c.ListPoints(ctx, cafe24.PointsQuery{From: now, To: now, MemberID: "member1"}) {
		if err != nil {
			return err
		}
		s.printf("record: order %s +%s → %s available", r.OrderID, r.AvailableIncrease, r.AvailableTotal)
	}
	return nil
}

// consent opens authURL like the operator's browser and returns the code and state of the
// redirect.
func consent(ctx context.Context, authURL string) (code, state string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return "", "", err
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Do(req)
	if err != nil {
		return "", "", err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return "", "", err
	}
	return loc.Query().Get("code"), loc.Query().Get("state"), nil
}
