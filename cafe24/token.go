package cafe24

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/poskit/poskit/internal/cafe24wire"
)

// KST is Korea Standard Time (UTC+9, no daylight saving), the zone of Cafe24's timestamps.
var KST = time.FixedZone("KST", 9*60*60)

var errBadKST = errors.New("cafe24: not a Cafe24 timestamp (want 2006-01-02T15:04:05.000, KST)")

// ParseKST parses a Cafe24 timestamp. "2026-11-23T15:04:05.000" without a zone means KST
// (UTC+9); the fraction may have any number of digits or be left out; a timestamp with a
// zone ("Z", "+09:00", "+0900") is read in that zone. Years outside 1970–9999 (in KST) are
// refused. The error never quotes s.
func ParseKST(s string) (time.Time, error) {
	if len(s) < len("2006-01-02T15:04:05") || len(s) > 64 {
		return time.Time{}, errBadKST
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", s, KST)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700"} {
		if err == nil {
			break
		}
		t, err = time.Parse(layout, s)
	}
	if y := t.In(KST).Year(); err != nil || y < 1970 || y > 9999 {
		return time.Time{}, errBadKST
	}
	return t, nil
}

// FormatKST writes t as Cafe24 does: KST, milliseconds, no zone.
func FormatKST(t time.Time) string { return t.In(KST).Format(cafe24wire.KSTLayout) }

// Token is a mall's OAuth token pair as the token endpoint issued it. The access token
// lives 2 hours, the refresh token 14 days; every refresh rotates both and the old refresh
// token dies at once. Printing a Token with any fmt verb or slog never shows either token.
type Token struct {
	AccessToken      Secret    // bearer token of Admin API calls
	RefreshToken     Secret    // single-use: a refresh returns a new one and kills this one
	ExpiresAt        time.Time // end of the access token
	RefreshExpiresAt time.Time // end of the refresh token; after it a person must consent again
	ClientID         string    // the app's client id
	MallID           string    // the mall the token is for
	UserID           string    // the Cafe24 operator who consented
	Scopes           []string  // granted scopes, e.g. mall.read_mileage
	IssuedAt         time.Time // issue time
	ShopNo           string    // shop number the token was issued for, as received ("" if none)
}

// Clone returns a deep copy of t (nil for nil).
func (t *Token) Clone() *Token {
	if t == nil {
		return nil
	}
	c := *t
	c.Scopes = append([]string(nil), t.Scopes...)
	return &c
}

// AccessValidAt reports whether the access token is usable at now with margin to spare.
func (t *Token) AccessValidAt(now time.Time, margin time.Duration) bool {
	return t != nil && t.AccessToken != "" && now.Add(margin).Before(t.ExpiresAt)
}

// RefreshValidAt reports whether the refresh token has not expired at now.
func (t *Token) RefreshValidAt(now time.Time) bool {
	return t != nil && t.RefreshToken != "" && now.Before(t.RefreshExpiresAt)
}

// OAuth2 converts t to golang.org/x/oauth2's token (type "Bearer").
func (t *Token) OAuth2() *oauth2.Token {
	if t == nil {
		return nil
	}
	return &oauth2.Token{
		AccessToken:  t.AccessToken.Reveal(),
		TokenType:    "Bearer",
		RefreshToken: t.RefreshToken.Reveal(),
		Expiry:       t.ExpiresAt,
	}
}

// String describes t without its tokens:
// "cafe24.Token{mall=shop1 access=[redacted] expires=2026-11-23T15:04:05+09:00 …}".
func (t Token) String() string {
	var b strings.Builder
	b.WriteString("cafe24.Token{mall=")
	b.WriteString(t.MallID)
	b.WriteString(" access=")
	b.WriteString(t.AccessToken.String())
	b.WriteString(" refresh=")
	b.WriteString(t.RefreshToken.String())
	b.WriteString(" expires=")
	b.WriteString(t.ExpiresAt.Format(time.RFC3339))
	b.WriteString(" refresh_expires=")
	b.WriteString(t.RefreshExpiresAt.Format(time.RFC3339))
	b.WriteString(" scopes=")
	b.WriteString(strings.Join(t.Scopes, ","))
	b.WriteString("}")
	return b.String()
}

// GoString is String: %#v never shows a token either.
func (t Token) GoString() string { return t.String() }

// Format writes String for every verb.
func (t Token) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue shows the mall, expiries and scopes in slog, never the tokens.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("mall", t.MallID),
		slog.String("access_token", t.AccessToken.String()),
		slog.String("refresh_token", t.RefreshToken.String()),
		slog.Time("expires_at", t.ExpiresAt),
		slog.Time("refresh_expires_at", t.RefreshExpiresAt),
		slog.String("scopes", strings.Join(t.Scopes, ",")),
	)
}
