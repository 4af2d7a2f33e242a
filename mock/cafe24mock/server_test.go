package cafe24mock_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/mock/cafe24mock"
)

// oauthConfig is the fake's app as golang.org/x/oauth2 sees it (Basic auth at the token
// endpoint; Cafe24 separates scopes with commas, hence one joined scope).
func oauthConfig(srv *cafe24mock.Server) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     cafe24mock.ClientID,
		ClientSecret: cafe24mock.ClientSecret,
		RedirectURL:  cafe24mock.RedirectURI,
		Scopes:       []string{cafe24.ScopeReadMileage + "," + cafe24.ScopeWriteMileage},
		Endpoint: oauth2.Endpoint{
			AuthURL:   srv.URL() + "/api/v2/oauth/authorize",
			TokenURL:  srv.URL() + "/api/v2/oauth/token",
			AuthStyle: oauth2.AuthStyleInHeader,
		},
	}
}

// follow opens u like a browser that stops at the redirect and returns its Location.
func follow(t *testing.T, u string) *url.URL {
	t.Helper()
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent page answered %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestStandardOAuthClient(t *testing.T) {
	srv := cafe24mock.NewServer()
	defer srv.Close()
	conf := oauthConfig(srv)
	loc := follow(t, conf.AuthCodeURL("state-123"))
	if loc.Query().Get("state") != "state-123" || !strings.HasPrefix(loc.String(), cafe24mock.RedirectURI) {
		t.Fatalf("redirect %s", loc)
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.HTTPClient())
	tok, err := conf.Exchange(ctx, loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || !strings.EqualFold(tok.TokenType, "bearer") {
		t.Fatalf("token %+v", tok)
	}
	if got := srv.Requests()[len(srv.Requests())-1]; got.Op != "ExchangeCode" || got.Header.Get("Authorization") != "REDACTED" {
		t.Fatalf("recorded %+v", got)
	}
	// The same code again is invalid_grant, as x/oauth2 reports it.
	_, err = conf.Exchange(ctx, loc.Query().Get("code"))
	var re *oauth2.RetrieveError
	if !errorsAs(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("reused code: %v", err)
	}
	// A refresh through x/oauth2 rotates: the old refresh token dies.
	tok.Expiry = time.Now().Add(-time.Minute)
	nt, err := conf.TokenSource(ctx, tok).Token()
	if err != nil || nt.RefreshToken == tok.RefreshToken || nt.AccessToken == tok.AccessToken {
		t.Fatalf("refresh: %v %v", nt, err)
	}
	if _, err := conf.TokenSource(ctx, tok).Token(); !errorsAs(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("refresh with the rotated-out token: %v", err)
	}
}

func errorsAs(err error, target **oauth2.RetrieveError) bool {
	re, ok := err.(*oauth2.RetrieveError)
	if ok {
		*target = re
	}
	return ok
}

func TestConsentPageRefusesBadRequests(t *testing.T) {
	srv := cafe24mock.NewServer()
	defer srv.Close()
	good := oauthConfig(srv).AuthCodeURL("s")
	for name, edit := range map[string]func(q url.Values){
		"client":   func(q url.Values) { q.Set("client_id", "other") },
		"redirect": func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") },
		"scope":    func(q url.Values) { q.Set("scope", "mall.write_order") },
		"type":     func(q url.Values) { q.Set("response_type", "token") },
	} {
		u, _ := url.Parse(good)
		q := u.Query()
		edit(q)
		u.RawQuery = q.Encode()
		resp, err := http.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
}

func adminGet(t *testing.T, srv *cafe24mock.Server, tok *cafe24.Token, query string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL()+"/api/v2/admin/points?"+query, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken.Reveal())
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestPointsListRules(t *testing.T) {
	srv := cafe24mock.NewServer()
	defer srv.Close()
	tok := srv.Grant()
	for q, want := range map[string]int{
		"start_date=2026-01-01&end_date=2026-01-01":             200,
		"start_date=2026-01-01&end_date=2026-01-01&offset=8000": 200,
		"start_date=2026-01-01&end_date=2026-01-01&offset=8001": 422,
		"start_date=2026-01-01&end_date=2026-01-01&limit=101":   422,
		"start_date=2026-01-01&end_date=2025-12-31":             422,
		"end_date=2026-01-01":                                   422,
	} {
		status, body, h := adminGet(t, srv, tok, q)
		if status != want {
			t.Errorf("%s: %d %s, want %d", q, status, body, want)
		}
		if h.Get("X-Api-Call-Limit") == "" {
			t.Errorf("%s: no X-Api-Call-Limit", q)
		}
		if want == 422 && !strings.Contains(body, `"error":{"code":422`) {
			t.Errorf("%s: error body %s", q, body)
		}
	}
	bad := &cafe24.Token{AccessToken: "not-a-token-at-all"}
	if status, body, _ := adminGet(t, srv, bad, "start_date=2026-01-01&end_date=2026-01-01"); status != 401 {
		t.Errorf("unknown token: %d %s", status, body)
	}
}

func TestRecordedRequestsHideSecrets(t *testing.T) {
	srv := cafe24mock.NewServer()
	defer srv.Close()
	srv.AddMember("m1", "", decimalOf("10"))
	c := srv.Client()
	tok, _ := c.TokenSource().Token(context.Background())
	if _, err := c.Refresh(context.Background(), tok.RefreshToken.Reveal()); err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Requests() {
		all := r.Query + string(r.Body) + strings.Join(r.Header.Values("Authorization"), "")
		for _, s := range []string{cafe24mock.ClientSecret, tok.RefreshToken.Reveal(), tok.AccessToken.Reveal()} {
			if strings.Contains(all, s[:8]) {
				t.Fatalf("recorded %s shows a secret: %s", r.Op, all)
			}
		}
	}
}
