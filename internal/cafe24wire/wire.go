// Package cafe24wire holds every name Cafe24 puts on the wire — the endpoint table, URL
// paths, form fields, query parameters, header names, JSON field names and values — with
// the wire structs, the error envelope and its decoding, and the writers the fake uses.
// Both the client (package cafe24) and the fake (mock/cafe24mock) import it; the client
// re-exports none of it.
//
// Sources: the Cafe24 Admin API reference (OAuth, points) as summarised in
// shared/specs/cafe24-pointpay.md. Names with no public spec say "Modelled:".
package cafe24wire

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/poskit/poskit/internal/endpoint"
)

// Operation names: the client's method names, which are also the fault names of the fake.
const (
	OpExchangeCode = "ExchangeCode"
	OpRefresh      = "Refresh"
	OpRevoke       = "Revoke"
	OpListPoints   = "ListPoints"
	OpAdjustPoints = "AdjustPoints"
)

// Table is Cafe24's endpoint table. The code exchange and the refresh share the token
// endpoint (told apart by grant_type); no OAuth POST is safe to repeat (a code is single
// use, a refresh rotates, a revoke's loss is reconciled by the caller), and the points POST
// has no idempotency key. Only the points list is retried.
var Table = endpoint.Table{API: "cafe24", Endpoints: []endpoint.Endpoint{
	{Op: OpExchangeCode, Method: http.MethodPost, Path: PathToken},
	{Op: OpRefresh, Method: http.MethodPost, Path: PathToken},
	{Op: OpRevoke, Method: http.MethodPost, Path: PathRevoke},
	{Op: OpListPoints, Method: http.MethodGet, Path: PathPoints, Idempotent: true},
	{Op: OpAdjustPoints, Method: http.MethodPost, Path: PathPoints},
}}

// Base URL of a mall: https://{mall_id}.cafe24api.com.
const (
	BaseScheme = "https://"
	BaseSuffix = ".cafe24api.com"
)

// OAuth 2.0 endpoints.
const (
	PathAuthorize = "/api/v2/oauth/authorize" // GET, the consent page (a browser's, not the client's)
	PathToken     = "/api/v2/oauth/token"     // POST, code exchange and refresh (Basic auth, form body)
	PathRevoke    = "/api/v2/oauth/revoke"    // POST, revoke a token (Basic auth, form body)
)

// Authorize query and token/revoke form field names and values.
const (
	FieldResponseType = "response_type"
	FieldClientID     = "client_id"
	FieldState        = "state"
	FieldRedirectURI  = "redirect_uri"
	FieldScope        = "scope" // comma-separated list
	FieldGrantType    = "grant_type"
	FieldCode         = "code"
	FieldRefreshToken = "refresh_token"
	FieldToken        = "token"

	ResponseTypeCode       = "code"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	ScopeSeparator         = ","
)

// OAuth error codes of the token endpoint (RFC 6749 §5.2).
const (
	OAuthInvalidGrant   = "invalid_grant"
	OAuthInvalidClient  = "invalid_client"
	OAuthInvalidRequest = "invalid_request"
	OAuthUnsupported    = "unsupported_grant_type"
)

// Admin API: points (mileage). GET lists point records (scope mall.read_mileage); POST
// increases or decreases a member's points (scope mall.write_mileage).
const PathPoints = "/api/v2/admin/points"

// Points list query parameter names and bounds.
const (
	QueryStartDate      = "start_date" // YYYY-MM-DD (KST), required
	QueryEndDate        = "end_date"   // YYYY-MM-DD (KST), required
	QueryMemberID       = "member_id"
	QueryEmail          = "email"
	QueryOrderID        = "order_id"
	QueryGroupNo        = "group_no"
	QueryCase           = "case"
	QueryPointsCategory = "points_category"
	QueryLimit          = "limit"  // 1–100, default 10
	QueryOffset         = "offset" // ≤ 8000

	DateLayout    = "2006-01-02"
	MaxListLimit  = 100
	MaxListOffset = 8000
)

// KSTLayout is Cafe24's timestamp layout in token answers: milliseconds, no zone, KST.
const KSTLayout = "2006-01-02T15:04:05.000"

// Points adjustment types.
const (
	PointsIncrease = "increase"
	PointsDecrease = "decrease"
)

// Header names.
const (
	// HeaderCallLimit is the header of every Admin API answer telling the mall's bucket
	// level, "used/max" (e.g. "12/40").
	HeaderCallLimit = "X-Api-Call-Limit"
	// HeaderAPIVersion is the request header pinning the Admin API version (YYYY-MM-DD).
	HeaderAPIVersion = "X-Cafe24-Api-Version"
	// TokenTypeBearer is the token_type of token answers.
	TokenTypeBearer = "bearer"
)

// Scopes of the points (mileage) API.
const (
	ScopeReadMileage  = "mall.read_mileage"
	ScopeWriteMileage = "mall.write_mileage"
)

// Token is the token endpoint's answer. Times are KST without a zone (KSTLayout).
type Token struct {
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

// PointsPost is the body of POST /api/v2/admin/points.
type PointsPost struct {
	ShopNo  int           `json:"shop_no"`
	Request PointsRequest `json:"request"`
}

// PointsRequest is the adjustment of a points POST, echoed by its answer.
type PointsRequest struct {
	ShopNo   int    `json:"shop_no,omitempty"`
	MemberID string `json:"member_id"`
	OrderID  string `json:"order_id,omitempty"`
	Amount   string `json:"amount"` // decimal string "10.00"
	Type     string `json:"type"`   // PointsIncrease or PointsDecrease
	Reason   string `json:"reason,omitempty"`
}

// PointAnswer is the answer of a points POST (HTTP 201). Modelled: the adjustment echoed
// under "point", as the Admin API reference's example shows.
type PointAnswer struct {
	Point *PointsRequest `json:"point"`
}

// PointsList is the answer of GET /api/v2/admin/points.
type PointsList struct {
	Points *[]PointRecord `json:"points"` // nil when the key is missing
}

// PointRecord is one record of the list. Money fields are decimal strings ("500.00").
// Modelled: created_date as an ISO time with its zone ("2026-11-23T15:04:05+09:00").
type PointRecord struct {
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

// RecordTimeLayout is how the fake writes created_date. Modelled.
const RecordTimeLayout = "2006-01-02T15:04:05-07:00"

// errorEnvelope is an error answer: the Admin API's {"error":{"code","message","more_info"}}
// or the token endpoint's OAuth {"error":"invalid_grant","error_description":"…"}.
type errorEnvelope struct {
	Error            json.RawMessage `json:"error"`
	ErrorDescription string          `json:"error_description"`
}

type errorBody struct {
	Code     json.RawMessage `json:"code"`
	Message  string          `json:"message"`
	MoreInfo json.RawMessage `json:"more_info"`
}

// ParseError reads an error answer. ok is false when body is not an error envelope (no
// non-null "error" member). more is the raw more_info ("" when absent, null or {}).
func ParseError(body []byte) (code, message, more string, ok bool) {
	var w errorEnvelope
	if json.Unmarshal(body, &w) != nil {
		return "", "", "", false
	}
	e := bytes.TrimSpace(w.Error)
	if len(e) == 0 || bytes.Equal(e, []byte("null")) {
		return "", "", "", false
	}
	var s string
	var b errorBody
	switch {
	case json.Unmarshal(e, &s) == nil:
		return s, w.ErrorDescription, "", true
	case json.Unmarshal(e, &b) == nil:
		m := bytes.TrimSpace(b.MoreInfo)
		if len(m) > 0 && !bytes.Equal(m, []byte("null")) && !bytes.Equal(m, []byte("{}")) {
			more = string(m)
		}
		return RawScalar(b.Code), b.Message, more, true
	}
	return "", "", "", true
}

// HasError reports whether body is a JSON object with a non-null "error" member.
func HasError(body []byte) bool {
	_, _, _, ok := ParseError(body)
	return ok
}

// RawScalar returns a JSON string's value or a number's text; "" for anything else.
func RawScalar(r json.RawMessage) string {
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

// WriteJSON writes v as a JSON answer with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":500,"message":"encode"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteError writes an Admin API error answer: {"error":{"code":…,"message":…,"more_info":{}}}.
// code is written as a number when it is one ("422"), else as a string.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	var c any = code
	if n, err := strconv.Atoi(code); err == nil {
		c = n
	}
	WriteJSON(w, status, map[string]any{"error": map[string]any{
		"code": c, "message": message, "more_info": map[string]any{},
	}})
}

// WriteOAuthError writes a token endpoint error: {"error":"…","error_description":"…"}.
func WriteOAuthError(w http.ResponseWriter, status int, code, description string) {
	WriteJSON(w, status, map[string]string{"error": code, "error_description": description})
}
