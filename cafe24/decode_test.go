package cafe24

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

const tokenAnswer = `{"access_token":"0iqR5nM5EJIq5jVZ3lCiWB","expires_at":"2026-11-23T15:04:05.000",` +
	`"refresh_token":"JeTJ7XpnFC0P7ZmMFtKbDl","refresh_token_expires_at":"2026-12-07T13:04:05.000",` +
	`"client_id":"BrIfqEKoPxeE4Asdx3r1kA","mall_id":"shop1","user_id":"admin","scopes":["mall.read_mileage","mall.write_mileage"],` +
	`"issued_at":"2026-11-23T13:04:05.000","shop_no":"1","token_type":"bearer"}`

func TestDecodeToken(t *testing.T) {
	tok, err := DecodeToken([]byte(tokenAnswer))
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken.Reveal() != "0iqR5nM5EJIq5jVZ3lCiWB" || tok.RefreshToken.Reveal() != "JeTJ7XpnFC0P7ZmMFtKbDl" {
		t.Fatal("tokens")
	}
	if !tok.ExpiresAt.Equal(time.Date(2026, 11, 23, 6, 4, 5, 0, time.UTC)) ||
		!tok.RefreshExpiresAt.Equal(time.Date(2026, 12, 7, 4, 4, 5, 0, time.UTC)) ||
		!tok.IssuedAt.Equal(time.Date(2026, 11, 23, 4, 4, 5, 0, time.UTC)) {
		t.Fatalf("times %v %v %v", tok.ExpiresAt, tok.RefreshExpiresAt, tok.IssuedAt)
	}
	if tok.MallID != "shop1" || tok.UserID != "admin" || tok.ClientID != "BrIfqEKoPxeE4Asdx3r1kA" ||
		len(tok.Scopes) != 2 || tok.ShopNo != "1" {
		t.Fatalf("fields %+v", tok)
	}
	// Round trip through our encoder.
	b, err := encodeToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	again, err := DecodeToken(b)
	if err != nil || again.AccessToken != tok.AccessToken || !again.ExpiresAt.Equal(tok.ExpiresAt) || again.ShopNo != "1" {
		t.Fatalf("round trip: %v %v", again, err)
	}
}

func TestDecodeTokenBad(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal([]byte(tokenAnswer), &m); err != nil {
		t.Fatal(err)
	}
	variant := func(k string, v any) []byte {
		c := map[string]any{}
		for a, b := range m {
			c[a] = b
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		b, _ := json.Marshal(c)
		return b
	}
	bad := map[string][]byte{
		"empty":              nil,
		"not json":           []byte("<html>502</html>"),
		"truncated":          []byte(tokenAnswer[:len(tokenAnswer)/2]),
		"array":              []byte("[]"),
		"no access":          variant("access_token", nil),
		"no refresh":         variant("refresh_token", nil),
		"number access":      variant("access_token", 5),
		"bad expiry":         variant("expires_at", "JeTJ7XpnFC0P7ZmMFtKbDl"),
		"no refresh expiry":  variant("refresh_token_expires_at", nil),
		"bad issued":         variant("issued_at", "yesterday"),
		"oversized":          []byte(`{"x":"` + strings.Repeat("a", maxTokenAnswer) + `"}`),
		"scopes not a list":  variant("scopes", "mall.read_mileage"),
		"expires not string": variant("expires_at", 12),
	}
	for name, body := range bad {
		t.Run(name, func(t *testing.T) {
			tok, err := DecodeToken(body)
			if tok != nil || !IsDecode(err) || !IsLost(err) {
				t.Fatalf("want decode error, got %v %v", tok, err)
			}
			for _, s := range []string{"0iqR5nM5EJIq5jVZ3lCiWB", "JeTJ7XpnFC0P7ZmMFtKbDl"} {
				if leaks(err.Error(), s) {
					t.Fatalf("secret in %q", err)
				}
			}
		})
	}
}

func TestDecodeError(t *testing.T) {
	secret := "JeTJ7XpnFC0P7ZmMFtKbDl"
	cases := []struct {
		status          int
		body            string
		code, msg, more string
		lost            bool
	}{
		{401, `{"error":{"code":401,"message":"Invalid access_token (` + secret + `)","more_info":{}}}`, "401", "Invalid access_token ([redacted])", "", false},
		{422, `{"error":{"code":"422","message":"amount over limit","more_info":{"field":"amount"}}}`, "422", "amount over limit", `{"field":"amount"}`, false},
		{400, `{"error":"invalid_grant","error_description":"Invalid refresh_token: ` + secret[2:14] + `"}`, "invalid_grant", "Invalid refresh_token: [redacted]", "", false},
		{503, `<html>unavailable</html>`, "", "service unavailable", "", false},
		{502, `<html>bad gateway</html>`, "", "bad gateway", "", true},
		{500, ``, "", "internal server error", "", true},
		{429, `{"error":{"code":429,"message":"Too Many Requests"}}`, "429", "Too Many Requests", "", false},
		{599, `{"error":[1,2]}`, "", "unexpected answer", "", true},
	}
	for _, c := range cases {
		e := DecodeError("cafe24.ListPoints", c.status, []byte(c.body), secret)
		if e.Op != "cafe24.ListPoints" || e.HTTPStatus != c.status || e.Code != c.code || e.Message != c.msg || e.MoreInfo != c.more {
			t.Errorf("%d %s: got %#v", c.status, c.body, e)
		}
		if IsLost(e) != c.lost || IsRefused(e) == c.lost {
			t.Errorf("%d: lost=%v", c.status, IsLost(e))
		}
		if leaks(e.Error(), secret) {
			t.Errorf("secret in %q", e.Error())
		}
	}
	if !IsRateLimited(DecodeError("x", 429, nil)) || !IsUnauthorized(DecodeError("x", 401, nil)) ||
		!IsInvalidGrant(DecodeError("x", 400, []byte(`{"error":"invalid_grant"}`))) {
		t.Error("helpers")
	}
	if got := DecodeError("cafe24.Refresh", 400, []byte(`{"error":"invalid_grant","error_description":"expired"}`)).Error(); got != "cafe24.Refresh: invalid_grant: expired (HTTP 400)" {
		t.Errorf("Error() = %q", got)
	}
}

func TestValidateAmount(t *testing.T) {
	ok := []string{"0.01", "1", "10.5", "10.50", "999999.99", "1000000", "1000000.00"}
	for _, s := range ok {
		if err := ValidateAmount(decimal.RequireFromString(s)); err != nil {
			t.Errorf("%s refused: %v", s, err)
		}
	}
	bad := []string{"0", "0.00", "-1", "-0.01", "1000000.01", "2000000", "10.505", "0.001", "1e-3"}
	for _, s := range bad {
		err := ValidateAmount(decimal.RequireFromString(s))
		if !IsInvalidInput(err) || CodeOf(err) != CodeInvalidInput {
			t.Errorf("%s: want invalid input, got %v", s, err)
		}
	}
	if got := formatAmount(decimal.RequireFromString("10.5")); got != "10.50" {
		t.Errorf("formatAmount = %q", got)
	}
}
