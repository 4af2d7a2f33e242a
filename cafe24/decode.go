package cafe24

// This file decodes Cafe24's token and error answers into Token and *Error; the wire
// names and structs are in internal/cafe24wire.

import (
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/cafe24wire"
)

// maxTokenAnswer bounds a token answer DecodeToken accepts; a real one is under 1 KiB.
const maxTokenAnswer = 64 << 10

// maxErrorText bounds the message and more_info kept from an error answer.
const maxErrorText = 1024

// DecodeToken decodes the token endpoint's answer (code exchange or refresh): access and
// refresh tokens, their expiries (KST without a zone, see ParseKST), client, mall and user
// ids, scopes and issue time. A malformed, oversized or incomplete answer is an *Error with
// CodeDecode whose text never quotes the answer.
func DecodeToken(body []byte) (*Token, error) { return decodeToken("cafe24.DecodeToken", body) }

func decodeToken(op string, body []byte) (*Token, error) {
	bad := func(msg string) error {
		return &Error{Op: op, Code: CodeDecode, Message: msg, outcome: apierr.Lost}
	}
	if len(body) > maxTokenAnswer {
		return nil, bad("token answer too large (" + itoa(len(body)) + " bytes)")
	}
	var w cafe24wire.Token
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, bad("token answer is not a JSON object")
	}
	if w.AccessToken == "" || w.RefreshToken == "" {
		return nil, bad("token answer lacks access_token or refresh_token")
	}
	exp, err := ParseKST(w.ExpiresAt)
	if err != nil {
		return nil, bad("token answer has an unreadable expires_at")
	}
	rexp, err := ParseKST(w.RefreshTokenExpiresAt)
	if err != nil {
		return nil, bad("token answer has an unreadable refresh_token_expires_at")
	}
	t := &Token{
		AccessToken:      Secret(w.AccessToken),
		RefreshToken:     Secret(w.RefreshToken),
		ExpiresAt:        exp,
		RefreshExpiresAt: rexp,
		ClientID:         w.ClientID,
		MallID:           w.MallID,
		UserID:           w.UserID,
		Scopes:           append([]string(nil), w.Scopes...),
		ShopNo:           cafe24wire.RawScalar(w.ShopNo),
	}
	if w.IssuedAt != "" {
		if t.IssuedAt, err = ParseKST(w.IssuedAt); err != nil {
			return nil, bad("token answer has an unreadable issued_at")
		}
	}
	return t, nil
}

// encodeToken writes t as the token endpoint answers it (KST times with milliseconds).
func encodeToken(t *Token) ([]byte, error) {
	w := cafe24wire.Token{
		AccessToken:           t.AccessToken.Reveal(),
		ExpiresAt:             FormatKST(t.ExpiresAt),
		RefreshToken:          t.RefreshToken.Reveal(),
		RefreshTokenExpiresAt: FormatKST(t.RefreshExpiresAt),
		ClientID:              t.ClientID,
		MallID:                t.MallID,
		UserID:                t.UserID,
		Scopes:                t.Scopes,
		TokenType:             cafe24wire.TokenTypeBearer,
	}
	if !t.IssuedAt.IsZero() {
		w.IssuedAt = FormatKST(t.IssuedAt)
	}
	if t.ShopNo != "" {
		w.ShopNo, _ = json.Marshal(t.ShopNo)
	}
	return json.Marshal(w)
}

// DecodeError decodes an error answer with HTTP status into an *Error named op: the Admin
// API's {"error":{"code","message","more_info"}} or the token endpoint's OAuth
// {"error":"…","error_description":"…"}. Any other body (HTML, empty, truncated) gives an
// *Error with the status and no Code. Every fragment of 8 or more characters of secrets
// (client secret, tokens sent with the request) is removed from the message and more_info.
// A 5xx answer other than 503 is reported as lost (it may have been applied), anything else
// (503 Service Unavailable, 4xx) as refused.
func DecodeError(op string, status int, body []byte, secrets ...string) *Error {
	e := &Error{Op: op, HTTPStatus: status, outcome: statusOutcome(status)}
	e.Code, e.Message, e.MoreInfo, _ = cafe24wire.ParseError(body)
	if e.Code == "" && e.Message == "" {
		e.Message = strings.ToLower(http.StatusText(status))
		if e.Message == "" {
			e.Message = "unexpected answer"
		}
	}
	e.Code = clip(scrub(e.Code, secrets...), 64)
	e.Message = clip(scrub(e.Message, secrets...), maxErrorText)
	e.MoreInfo = clip(scrub(e.MoreInfo, secrets...), maxErrorText)
	return e
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
