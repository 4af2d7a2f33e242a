package cafe24_test

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/mock"
)

// The consent flow: an authorize URL with a fresh state, and the check of the state when
// Cafe24 redirects back.
func ExampleStates() {
	cfg := cafe24.Config{
		MallID:       "myshop",
		ClientID:     "my-client-id",
		ClientSecret: "my-client-secret",
		RedirectURI:  "https://example.com/cafe24/callback",
		Scopes:       []string{cafe24.ScopeReadMileage, cafe24.ScopeWriteMileage},
	}
	states := cafe24.NewStates()
	authURL, state, err := states.AuthorizeURL(cfg)
	if err != nil {
		panic(err)
	}
	u, _ := url.Parse(authURL)
	fmt.Println(u.Host + u.Path)
	fmt.Println(u.Query().Get("scope"))
	fmt.Println(u.Query().Get("state") == state)

	// Cafe24 redirects to https://example.com/cafe24/callback?code=…&state=…
	fmt.Println(states.Check(state) == nil)
	fmt.Println(cafe24.IsInvalidState(states.Check(state))) // single use
	fmt.Println(cfg)                                        // the secret never prints
	// Output:
	// myshop.cafe24api.com/api/v2/oauth/authorize
	// mall.read_mileage,mall.write_mileage
	// true
	// true
	// true
	// cafe24.Config{MallID:"myshop" ClientID:"my-client-id" ClientSecret:"[redacted]" RedirectURI:"https://example.com/cafe24/callback" Scopes:["mall.read_mileage" "mall.write_mileage"] APIVersion:"2025-12-01" BaseURL:""}
}

// A token source over a memory store, with a refresher standing in for Cafe24's token
// endpoint: it refreshes ahead of expiry and saves the rotated token before handing it out.
func ExampleTokenSource() {
	ctx := context.Background()
	clk := mock.NewClock(time.Time{}) // 2026-01-01 00:00 KST
	issue := func(n int) *cafe24.Token {
		now := clk.Now()
		return &cafe24.Token{
			AccessToken:      cafe24.Secret(fmt.Sprintf("access-%d", n)),
			RefreshToken:     cafe24.Secret(fmt.Sprintf("refresh-%d", n)),
			ExpiresAt:        now.Add(2 * time.Hour),
			RefreshExpiresAt: now.Add(14 * 24 * time.Hour),
			MallID:           "myshop",
		}
	}
	n := 1
	refresher := cafe24.RefresherFunc(func(ctx context.Context, refreshToken string) (*cafe24.Token, error) {
		if refreshToken != fmt.Sprintf("refresh-%d", n) {
			return nil, cafe24.DecodeError("cafe24.Refresh", 400, []byte(`{"error":"invalid_grant"}`))
		}
		n++
		return issue(n), nil
	})

	store := cafe24.NewMemoryStore()
	if _, err := store.Save(ctx, "myshop", issue(1), 0); err != nil { // after the code exchange
		panic(err)
	}
	ts, err := cafe24.NewTokenSource("myshop", store, refresher, cafe24.WithSourceClock(clk))
	if err != nil {
		panic(err)
	}
	tok, _ := ts.Token(ctx)
	fmt.Println(tok.AccessToken.Reveal(), tok) // %v never shows a token

	clk.Advance(116 * time.Minute) // 4 minutes left: inside the 5-minute margin
	tok, _ = ts.Token(ctx)
	stored, version, _ := store.Load(ctx, "myshop")
	fmt.Println(tok.AccessToken.Reveal(), stored.RefreshToken.Reveal(), version)

	clk.Advance(15 * 24 * time.Hour) // the refresh token expired: a person must consent
	_, err = ts.Token(ctx)
	fmt.Println(cafe24.IsConsentNeeded(err))
	// Output:
	// access-1 cafe24.Token{mall=myshop access=[redacted] refresh=[redacted] expires=2026-01-01T02:00:00+09:00 refresh_expires=2026-01-15T00:00:00+09:00 scopes=}
	// access-2 refresh-2 2
	// true
}

// Amounts are validated before anything is sent.
func ExampleValidateAmount() {
	for _, s := range []string{"10.50", "0", "1000000.01", "1.005"} {
		fmt.Println(s, cafe24.ValidateAmount(decimalOf(s)))
	}
	// Output:
	// 10.50 <nil>
	// 0 cafe24.AdjustPoints: poskit.invalid_input: amount must be greater than 0
	// 1000000.01 cafe24.AdjustPoints: poskit.invalid_input: amount must be at most 1000000
	// 1.005 cafe24.AdjustPoints: poskit.invalid_input: amount must have at most two decimals
}
