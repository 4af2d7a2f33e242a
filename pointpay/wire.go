package pointpay

import "time"

// Every PointPay wire name lives in this file: popup URLs and their query parameters, the
// result callback's form fields, the merchant's plain-text answers and the date layout.
// Source: the solution-merchant guide (seeds/pointpay-solution-merchant-guide.md) and
// PointPay's public merchant guide as summarised in specs/cafe24-pointpay.md. Whatever
// neither fixes is marked Modelled.

// Popup URL forms. The solution-merchant guide's button opens the first; PointPay's public
// guide also shows the ".php" spelling.
const (
	wirePopupDirect    = "https://ssl.pointpay.im/pointhub/direct"
	wirePopupDirectPHP = "https://ssl.pointpay.im/pointhub/direct.php"
)

// Popup query parameters.
const (
	wireParamACode    = "a_code"    // the merchant's media id (매체아이디)
	wireParamUserID   = "user_id"   // the shop's member id (Cafe24 member_id)
	wireParamAddParam = "add_param" // optional, passed back to the merchant
)

// Result callback form fields (application/x-www-form-urlencoded POST to the merchant's
// RETURN URL).
const (
	wireFieldPayType     = "rw_pay_type"
	wireFieldUserID      = "rw_user_id"
	wireFieldPrice       = "rw_price"        // integer won (= points)
	wireFieldRegDatetime = "rw_reg_datetime" // "2006-01-02 15:04:05", KST
	wireFieldACode       = "rw_a_code"
	wireFieldOrderNo     = "rw_orderno"
	wireFieldUTCCode     = "utc_code"
	// Modelled: the guide says add_param "is passed back" without naming the callback
	// field; we read it from a form field of the same name, and it is optional.
	wireFieldAddParam = "add_param"
)

// wireRequiredFields are the fields a callback must carry, non-empty. Modelled: the guide
// lists the fields without saying which may be empty; rw_pay_type and utc_code are not
// used for crediting, so they may be absent or empty rather than refuse a real conversion.
var wireRequiredFields = [...]string{
	wireFieldUserID, wireFieldPrice, wireFieldRegDatetime, wireFieldACode, wireFieldOrderNo,
}

// wireAllFields lists every field the parser reads; a field sent twice is refused.
var wireAllFields = [...]string{
	wireFieldPayType, wireFieldUserID, wireFieldPrice, wireFieldRegDatetime,
	wireFieldACode, wireFieldOrderNo, wireFieldUTCCode, wireFieldAddParam,
}

// The merchant's answers: plain text. "201" is success; "202|-|<reason>" is a refusal
// (the guide's example reason is a duplicate rw_orderno). PointPay resends on anything but
// "201".
const (
	wireAnswerOK          = "201"
	wireAnswerRefused     = "202"
	wireAnswerSep         = "|-|"
	wireAnswerContentType = "text/plain; charset=utf-8"
	wireRegDatetimeLayout = "2006-01-02 15:04:05"
	wireFormContentType   = "application/x-www-form-urlencoded"
)

// Refusal reasons sent after "202|-|". Modelled: the guide fixes only the "202|-|" prefix
// and names a duplicate order number as one reason; the words are ours, ASCII, and never
// carry a member id.
const (
	reasonDuplicate    = "duplicate rw_orderno"
	reasonConflict     = "rw_orderno already used with other values"
	reasonForgedMedia  = "unknown rw_a_code"
	reasonForgedSource = "source not allowed"
	reasonInvalid      = "invalid " // + field name
	reasonMethod       = "method not allowed"
	reasonTooLarge     = "body too large"
	reasonUnreadable   = "cannot read body"
	reasonBusy         = "rw_orderno in progress, resend later"
	reasonCreditFailed = "credit failed, resend later"
	reasonStoreFailed  = "store unavailable, resend later"
)

// kst is PointPay's time zone (UTC+9, no daylight saving).
var kst = time.FixedZone("KST", 9*60*60)

// Modelled limits: the guide gives none. They are generous for the values seen
// (numeric order numbers, Cafe24 member ids of at most 20 characters plus "@k"/"@n" SNS
// suffixes, short media ids).
const (
	maxMediaIDLen  = 64
	maxMemberIDLen = 64
	maxAddParamLen = 256
	maxOrderNoLen  = 100
	maxFieldLen    = 256
	maxPriceDigits = 15 // up to 999,999,999,999,999 won
)
