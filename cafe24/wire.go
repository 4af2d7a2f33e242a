package cafe24

// This file holds every name Cafe24 puts on the wire: URL paths, form fields, query
// parameters, header names and JSON field names. Nothing else in the package spells one.
// Sources: the Cafe24 Admin API reference (OAuth, points) as summarised in
// shared/specs/cafe24-pointpay.md.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/poskit/poskit/internal/apierr"
)

// Base URL of a mall: https://{mall_id}.cafe24api.com.
const (
	wireBaseScheme = "https://"
	wireBaseSuffix = ".cafe24api.com"
)

// OAuth 2.0 endpoints.
const (
	pathAuthorize = "/api/v2/oauth/authorize" // GET, the consent page
	pathToken     = "/api/v2/oauth/token"     // POST, code exchange and refresh (Basic auth, form body)
	pathRevoke    = "/api/v2/oauth/revoke"    // POST, revoke a token (Basic auth, form body)
)

// Authorize query and token/revoke form field names.
const (
	fieldResponseType = "response_type"
	fieldClientID     = "client_id"
	fieldState        = "state"
	fieldRedirectURI  = "redirect_uri"
	fieldScope        = "scope" // comma-separated list
	fieldGrantType    = "grant_type"
	fieldCode         = "code"
	fieldRefreshToken = "refresh_token"
	fieldToken        = "token"

	responseTypeCode       = "code"
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
	scopeSeparator         = ","
)

// Admin API: points (mileage).
const (
	// pathPoints: GET lists point records (scope mall.read_mileage); POST increases or
	// decreases a member's points (scope mall.write_mileage).
	pathPoints = "/api/v2/admin/points"
	// pathPointsReport: GET, the points report (totals per period). Not in the spec
	// note; named after the public Admin API reference. Not yet used by the client.
	pathPointsReport = "/api/v2/admin/points/report"
)

// Points list query parameter names.
const (
	queryStartDate      = "start_date" // YYYY-MM-DD, required
	queryEndDate        = "end_date"   // YYYY-MM-DD, required
	queryMemberID       = "member_id"
	queryEmail          = "email"
	queryOrderID        = "order_id"
	queryGroupNo        = "group_no"
	queryCase           = "case"
	queryPointsCategory = "points_category"
	queryLimit          = "limit"  // 1–100, default 10
	queryOffset         = "offset" // ≤ 8000

	wireDateLayout = "2006-01-02"
	maxListLimit   = 100
	maxListOffset  = 8000
)

// Points adjustment types.
const (
	pointsIncrease = "increase"
	pointsDecrease = "decrease"
)

// Header names.
const (
	// HeaderCallLimit is the header of every Admin API answer telling the mall's bucket
	// level, "used/max" (e.g. "12/40").
	HeaderCallLimit = "X-Api-Call-Limit"
	// HeaderAPIVersion is the request header pinning the Admin API version (YYYY-MM-DD).
	HeaderAPIVersion = "X-Cafe24-Api-Version"
)

// tokenWire is the token endpoint's answer. Times are KST without a zone.
type tokenWire struct {
	AccessToken           string          `json:"access_token"`
	ExpiresAt             string          `json:"expires_at"`
	RefreshToken          string          `json:"refresh_token"`
	RefreshTokenExpiresAt string          `json:"refresh_token_expires_at"`
	ClientID              string          `json:"client_id"`
	MallID                string          `json:"mall_id"`
	UserID                string          `json:"user_id"`
	Scopes                []string        `json:"scopes"`
	IssuedAt              string          `json:"issued_at"`
	ShopNo                json.RawMessage `json:"shop_no,omitempty"`
	TokenType             string          `json:"token_type,omitempty"`
}

// pointsPostWire is the body of POST /api/v2/admin/points (the answer echoes it, 201).
type pointsPostWire struct {
	ShopNo  int               `json:"shop_no"`
	Request pointsRequestWire `json:"request"`
}

type pointsRequestWire struct {
	MemberID string `json:"member_id"`
	OrderID  string `json:"order_id,omitempty"`
	Amount   string `json:"amount"` // decimal string "10.00"
	Type     string `json:"type"`   // pointsIncrease or pointsDecrease
	Reason   string `json:"reason,omitempty"`
}

// pointsListWire is the answer of GET /api/v2/admin/points.
type pointsListWire struct {
	Points []pointRecordWire `json:"points"`
}

// pointRecordWire is one record of the list. Money fields are decimal strings ("500.00").
type pointRecordWire struct {
	ShopNo                     int    `json:"shop_no"`
	Case                       string `json:"case"`
	MemberID                   string `json:"member_id"`
	Email                      string `json:"email"`
	GroupName                  string `json:"group_name"`
	AvailablePointsIncrease    string `json:"available_points_increase"`
	AvailablePointsDecrease    string `json:"available_points_decrease"`
	AvailablePointsTotal       string `json:"available_points_total"`
	UnavailablePointsIncrease  string `json:"unavailable_points_increase"`
	UnavailablePointsDecrease  string `json:"unavailable_points_decrease"`
	UnavailablePointsTotal     string `json:"unavailable_points_total"`
	UnavailableCouponsIncrease string `json:"unavailable_coupons_increase,omitempty"`
	OrderID                    string `json:"order_id"`
	Reason                     string `json:"reason"`
	CreatedDate                string `json:"created_date"`
}

// errorWire is an error answer: the Admin API's {"error":{"code","message","more_info"}}
// or the token endpoint's OAuth {"error":"invalid_grant","error_description":"…"}.
type errorWire struct {
	Error            json.RawMessage `json:"error"`
	ErrorDescription string          `json:"error_description"`
}

type errorBodyWire struct {
	Code     json.RawMessage `json:"code"`
	Message  string          `json:"message"`
	MoreInfo json.RawMessage `json:"more_info"`
}

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
	var w tokenWire
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
		ShopNo:           rawScalar(w.ShopNo),
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
	w := tokenWire{
		AccessToken:           t.AccessToken.Reveal(),
		ExpiresAt:             FormatKST(t.ExpiresAt),
		RefreshToken:          t.RefreshToken.Reveal(),
		RefreshTokenExpiresAt: FormatKST(t.RefreshExpiresAt),
		ClientID:              t.ClientID,
		MallID:                t.MallID,
		UserID:                t.UserID,
		Scopes:                t.Scopes,
		TokenType:             "bearer",
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
// A 5xx answer is reported as lost (it may have been applied), anything else as refused.
func DecodeError(op string, status int, body []byte, secrets ...string) *Error {
	e := &Error{Op: op, HTTPStatus: status, outcome: statusOutcome(status)}
	var w errorWire
	if json.Unmarshal(body, &w) == nil && len(w.Error) > 0 {
		var s string
		var b errorBodyWire
		switch {
		case json.Unmarshal(w.Error, &s) == nil:
			e.Code, e.Message = s, w.ErrorDescription
		case json.Unmarshal(w.Error, &b) == nil:
			e.Code, e.Message = rawScalar(b.Code), b.Message
			if m := bytes.TrimSpace(b.MoreInfo); len(m) > 0 && !bytes.Equal(m, []byte("null")) &&
				!bytes.Equal(m, []byte("{}")) {
				e.MoreInfo = string(m)
			}
		}
	}
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

// rawScalar returns a JSON string's value or a number's text; "" for anything else.
func rawScalar(r json.RawMessage) string {
	r = bytes.TrimSpace(r)
	if len(r) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(r, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(r, &n) == nil {
		if _, err := strconv.ParseFloat(n.String(), 64); err == nil {
			return n.String()
		}
	}
	return ""
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
