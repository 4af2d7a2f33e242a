package cafe24_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/internal/cafe24wire"
	"github.com/poskit/poskit/internal/sdktest"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
)

// consentCode opens the fake's consent page like a browser and returns the code of the
// redirect.
func consentCode(ctx context.Context, c *cafe24.Client) (string, error) {
	states := cafe24.NewStates()
	authURL, _, err := states.AuthorizeURL(c.Config())
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return "", err
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return "", err
	}
	if err := states.Check(loc.Query().Get("state")); err != nil {
		return "", err
	}
	return loc.Query().Get("code"), nil
}

func storedToken(ctx context.Context, c *cafe24.Client) (*cafe24.Token, error) {
	return c.TokenSource().Token(ctx)
}

var contractAdjustment = cafe24.Adjustment{MemberID: "member1", OrderID: "order-1",
	Amount: decimal.RequireFromString("10.50"), Direction: cafe24.Increase, Reason: "contract"}

func TestContract(t *testing.T) {
	sdktest.Run(t, sdktest.Subject[*cafe24.Client]{
		Table: cafe24wire.Table,
		Start: func(t *testing.T) (mock.Fake, []string) {
			srv := cafe24mock.NewServer()
			t.Cleanup(srv.Close)
			srv.AddMember("member1", "m1@example.com", decimal.RequireFromString("100"))
			tok := srv.GrantPair("AT9fQx2LmZ7wRk4Tn1Vb", "RTp3Hc8JdY6sGe5Ua0Wq")
			return srv, []string{cafe24mock.ClientSecret, tok.AccessToken.Reveal(), tok.RefreshToken.Reveal()}
		},
		NewClient: func(fake mock.Fake, hc *http.Client, log *slog.Logger, maxBody int64) (*cafe24.Client, error) {
			return fake.(*cafe24mock.Server).Client(cafe24.WithHTTPClient(hc), cafe24.WithLogger(log),
				cafe24.WithMaxBodyBytes(maxBody)), nil
		},
		Calls: map[string]func(ctx context.Context, c *cafe24.Client) error{
			"ExchangeCode": func(ctx context.Context, c *cafe24.Client) error {
				code, err := consentCode(ctx, c)
				if err != nil {
					return err
				}
				_, err = c.ExchangeCode(ctx, code)
				return err
			},
			"Refresh": func(ctx context.Context, c *cafe24.Client) error {
				tok, err := storedToken(ctx, c)
				if err != nil {
					return err
				}
				_, err = c.Refresh(ctx, tok.RefreshToken.Reveal())
				return err
			},
			"Revoke": func(ctx context.Context, c *cafe24.Client) error { return c.Revoke(ctx) },
			"ListPoints": func(ctx context.Context, c *cafe24.Client) error {
				now := time.Date(2026, 1, 1, 0, 0, 0, 0, cafe24.KST)
				for _, err := range c.ListPoints(ctx, cafe24.PointsQuery{From: now, To: now}) {
					if err != nil {
						return err
					}
				}
				return nil
			},
			"AdjustPoints": func(ctx context.Context, c *cafe24.Client) error {
				_, err := c.AdjustPoints(ctx, contractAdjustment)
				return err
			},
		},
		IsLost:    cafe24.IsLost,
		IsRefused: cafe24.IsRefused,
		IsTyped: func(err error) bool {
			var e *cafe24.Error
			return errors.As(err, &e)
		},
		Echo: func(op, secret string) [][]byte {
			q := `"` + secret + `"`
			bodies := [][]byte{
				[]byte(`{"error":{"code":400,"message":"bad ` + secret + `","more_info":{"token":` + q + `}}}`),
				[]byte(`{"error":{"code":` + q + `,"message":` + q + `,"more_info":` + q + `}}`),
				[]byte(`{"error":` + q + `,"error_description":"refresh token ` + secret + ` is dead"}`),
			}
			switch op {
			case "ExchangeCode", "Refresh":
				bodies = append(bodies, []byte(`{"access_token":`+q+`,"refresh_token":`+q+`,"expires_at":`+q+
					`,"refresh_token_expires_at":"2026-01-15T00:00:00.000"}`))
			case "ListPoints":
				bodies = append(bodies, []byte(`{"points":[{"member_id":"m","available_points_increase":`+q+`,"created_date":`+q+`}]}`))
			case "AdjustPoints":
				bodies = append(bodies, []byte(`{"point":`+q+`}`))
			}
			return bodies
		},
	})
}

// TestEveryOperationIsServed fails when an operation of the table has no fake handler.
func TestEveryOperationIsServed(t *testing.T) {
	srv := cafe24mock.NewServer()
	defer srv.Close()
	if u := srv.Unhandled(); len(u) > 0 {
		t.Fatalf("no fake handler for %v", u)
	}
}
