// Package pointpaywire holds every PointPay wire name, for the pointpay package (the
// merchant's side) and the fake (mock/pointpaymock): popup URLs and their query
// parameters, the result callback's form fields, the merchant's plain-text answers, the
// date layout, the limits, and the endpoint table of the fake's PointPay side.
//
// Source: the solution-merchant guide (seeds/pointpay-solution-merchant-guide.md) and
// PointPay's public merchant guide as summarised in specs/cafe24-pointpay.md. Whatever
// neither fixes is marked Modelled.
package pointpaywire

import (
	"net/http"
	"time"

	"github.com/poskit/poskit/internal/endpoint"
)

// Popup URL forms. The solution-merchant guide's button opens the first; PointPay's public
// guide also shows the ".php" spelling.
const (
	PopupHost          = "https://ssl.pointpay.im"
	PathPopupDirect    = "/pointhub/direct"
	PathPopupDirectPHP = "/pointhub/direct.php"
	PopupDirect        = PopupHost + PathPopupDirect
	PopupDirectPHP     = PopupHost + PathPopupDirectPHP
)

// Popup query parameters.
const (
	ParamACode    = "a_code"    // the merchant's media id (매체아이디)
	ParamUserID   = "user_id"   // the shop's member id (Cafe24 member_id)
	ParamAddParam = "add_param" // optional, passed back to the merchant
)

// The conversion submit of the popup page. Modelled: PointPay's popup is its own page
// (the member logs into the outside point service and picks an amount); its form is not
// documented. The fake's page posts these fields to PathConvert: the popup's a_code,
// user_id and add_param, and the points to convert.
const (
	PathConvert     = "/pointhub/convert"
	ConvertPoints   = "points"
	ConvertACode    = ParamACode
	ConvertUserID   = ParamUserID
	ConvertAddParam = ParamAddParam
)

// Operations of the fake's PointPay side: what a client-side caller (the member's
// browser, a test) calls them. They are also the fault names.
const (
	OpPopup   = "Popup"   // GET the popup page (either URL form)
	OpConvert = "Convert" // POST the popup's form: convert points, then call back
)

// Endpoints is the endpoint table of the fake's PointPay side: the popup page on both
// documented URL forms and the conversion submit (Modelled path).
var Endpoints = endpoint.Table{API: "pointpay", Endpoints: []endpoint.Endpoint{
	{Op: OpPopup, Method: http.MethodGet, Path: PathPopupDirect, Idempotent: true},
	{Op: OpPopup, Method: http.MethodGet, Path: PathPopupDirectPHP, Idempotent: true},
	{Op: OpConvert, Method: http.MethodPost, Path: PathConvert},
}}

// Result callback form fields (application/x-www-form-urlencoded POST to the merchant's
// RETURN URL).
const (
	FieldPayType     = "rw_pay_type"
	FieldUserID      = "rw_user_id"
	FieldPrice       = "rw_price"        // integer won (= points)
	FieldRegDatetime = "rw_reg_datetime" // "2006-01-02 15:04:05", KST
	FieldACode       = "rw_a_code"
	FieldOrderNo     = "rw_orderno"
	FieldUTCCode     = "utc_code"
	// Modelled: the guide says add_param "is passed back" without naming the callback
	// field; we read it from a form field of the same name, and it is optional.
	FieldAddParam = "add_param"
)

// RequiredFields are the fields a callback must carry, non-empty. Modelled: the guide
// lists the fields without saying which may be empty; rw_pay_type and utc_code are not
// used for crediting, so they may be absent or empty rather than refuse a real conversion.
var RequiredFields = [...]string{
	FieldUserID, FieldPrice, FieldRegDatetime, FieldACode, FieldOrderNo,
}

// AllFields lists every field the parser reads; a field sent twice is refused.
var AllFields = [...]string{
	FieldPayType, FieldUserID, FieldPrice, FieldRegDatetime,
	FieldACode, FieldOrderNo, FieldUTCCode, FieldAddParam,
}

// The merchant's answers: plain text. "201" is success; "202|-|<reason>" is a refusal
// (the guide's example reason is a duplicate rw_orderno). PointPay resends on anything but
// "201".
const (
	AnswerOK          = "201"
	AnswerRefused     = "202"
	AnswerSep         = "|-|"
	AnswerContentType = "text/plain; charset=utf-8"
	RegDatetimeLayout = "2006-01-02 15:04:05"
	FormContentType   = "application/x-www-form-urlencoded"
)

// Refusal reasons sent after "202|-|". Modelled: the guide fixes only the "202|-|" prefix
// and names a duplicate order number as one reason; the words are ours, ASCII, and never
// carry a member id.
const (
	ReasonDuplicate    = "duplicate rw_orderno"
	ReasonConflict     = "rw_orderno already used with other values"
	ReasonForgedMedia  = "unknown rw_a_code"
	ReasonForgedSource = "source not allowed"
	ReasonInvalid      = "invalid " // + field name
	ReasonMethod       = "method not allowed"
	ReasonTooLarge     = "body too large"
	ReasonUnreadable   = "cannot read body"
	ReasonBusy         = "rw_orderno in progress, resend later"
	ReasonCreditFailed = "credit failed, resend later"
	ReasonStoreFailed  = "store unavailable, resend later"
)

// KST is PointPay's time zone (UTC+9, no daylight saving).
var KST = time.FixedZone("KST", 9*60*60)

// Modelled limits: the guide gives none. They are generous for the values seen
// (numeric order numbers, Cafe24 member ids of at most 20 characters plus "@k"/"@n" SNS
// suffixes, short media ids).
const (
	MaxMediaIDLen  = 64
	MaxMemberIDLen = 64
	MaxAddParamLen = 256
	MaxOrderNoLen  = 100
	MaxFieldLen    = 256
	MaxPriceDigits = 15 // up to 999,999,999,999,999 won
)

// Modelled values of the fake's callbacks: the guides name the fields, not these values.
const (
	// PayTypeKT is the rw_pay_type the fake sends: the cancellation section of the
	// solution-merchant guide names "KT포인트다모아" as the outside point service.
	PayTypeKT = "KT"
	// UTCCodeKST is the utc_code the fake sends (its meaning is not documented).
	UTCCodeKST = "+09:00"
)
