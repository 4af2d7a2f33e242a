package cafe24

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseKST(t *testing.T) {
	want := time.Date(2026, 11, 23, 6, 4, 5, 0, time.UTC)
	ok := map[string]time.Time{
		"2026-11-23T15:04:05.000":       want,
		"2026-11-23T15:04:05":           want,
		"2026-11-23T15:04:05.5":         want.Add(500 * time.Millisecond),
		"2026-11-23T15:04:05.000+09:00": want,
		"2026-11-23T06:04:05Z":          want,
		"2026-11-23T15:04:05+0900":      want,
		"2026-11-23T07:04:05.000+01:00": want,
	}
	for in, w := range ok {
		got, err := ParseKST(in)
		if err != nil || !got.Equal(w) {
			t.Errorf("ParseKST(%q) = %v, %v; want %v", in, got, err, w)
		}
	}
	for _, in := range []string{"", "2026-11-23", "2026-11-23 15:04:05", "2026-13-23T15:04:05", "x2026-11-23T15:04:05", "2026-11-23T15:04:05.000 ", "2026-11-23T25:04:05"} {
		if _, err := ParseKST(in); err == nil {
			t.Errorf("ParseKST(%q) accepted", in)
		} else if in != "" && strings.Contains(err.Error(), in) {
			t.Errorf("error quotes the input: %v", err)
		}
	}
	if got := FormatKST(want); got != "2026-11-23T15:04:05.000" {
		t.Errorf("FormatKST = %q", got)
	}
}

func testToken(now time.Time, n int) *Token {
	return &Token{
		AccessToken:      Secret("ACCESS-" + strings.Repeat("a", 10) + itoa(n)),
		RefreshToken:     Secret("REFRESH-" + strings.Repeat("r", 10) + itoa(n)),
		ExpiresAt:        now.Add(2 * time.Hour),
		RefreshExpiresAt: now.Add(14 * 24 * time.Hour),
		MallID:           "shop1", ClientID: "client-abc", UserID: "admin",
		Scopes: []string{ScopeReadMileage}, IssuedAt: now,
	}
}

func TestTokenNeverPrints(t *testing.T) {
	tok := testToken(time.Now(), 1)
	assertHidden(t, tok, tok.AccessToken.Reveal(), tok.RefreshToken.Reveal())
	assertHidden(t, *tok, tok.AccessToken.Reveal(), tok.RefreshToken.Reveal())
	if b, _ := json.Marshal(tok); leaks(string(b), tok.AccessToken.Reveal()) || leaks(string(b), tok.RefreshToken.Reveal()) {
		t.Fatalf("JSON shows a token: %s", b)
	}
	if s := tok.String(); !strings.Contains(s, "shop1") {
		t.Fatalf("String lost the mall: %q", s)
	}
	var nilTok *Token
	if fmt.Sprint(nilTok) != "<nil>" || nilTok.Clone() != nil || nilTok.OAuth2() != nil {
		t.Fatal("nil token methods")
	}
}

func TestTokenValidity(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, KST)
	tok := testToken(now, 1)
	if !tok.AccessValidAt(now, 5*time.Minute) || tok.AccessValidAt(now.Add(116*time.Minute), 5*time.Minute) {
		t.Fatal("AccessValidAt margin")
	}
	if !tok.RefreshValidAt(now.Add(13*24*time.Hour)) || tok.RefreshValidAt(now.Add(14*24*time.Hour)) {
		t.Fatal("RefreshValidAt")
	}
	o := tok.OAuth2()
	if o.AccessToken != tok.AccessToken.Reveal() || o.RefreshToken != tok.RefreshToken.Reveal() || !o.Expiry.Equal(tok.ExpiresAt) || o.TokenType != "Bearer" {
		t.Fatalf("OAuth2: %+v", o)
	}
	c := tok.Clone()
	c.Scopes[0] = "changed"
	if tok.Scopes[0] != ScopeReadMileage {
		t.Fatal("Clone shares Scopes")
	}
}
