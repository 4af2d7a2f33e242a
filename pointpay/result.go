package pointpay

import (
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/pointpaywire"
)

// PayType is rw_pay_type as sent. Modelled: the guides do not list its values, so it is
// kept verbatim (it may be empty) and never used to decide a credit.
type PayType string

// Result is one conversion as PointPay reports it in the result callback, typed.
type Result struct {
	PayType      PayType   // rw_pay_type, verbatim (may be empty)
	MemberID     string    // rw_user_id: the shop's member id the popup was opened with
	Price        int64     // rw_price: the converted amount, integer won = shop points, > 0
	RegisteredAt time.Time // rw_reg_datetime, read as KST (UTC+9); Location is KST
	MediaCode    string    // rw_a_code: the merchant's media id
	OrderNo      string    // rw_orderno: PointPay's conversion number, the idempotency key
	UTCCode      string    // utc_code, verbatim (may be empty)
	AddParam     string    // add_param passed back (Modelled field name; may be empty)
}

// LogValue keeps a member id out of slog output but for a short prefix (see maskMember).
func (r Result) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("orderno", r.OrderNo),
		slog.String("member", maskMember(r.MemberID)),
		slog.Int64("price", r.Price),
		slog.String("registered", r.RegisteredAt.Format(pointpaywire.RegDatetimeLayout)),
	)
}

// maskMember shows at most the first two characters of a member id and its length, e.g.
// "ab***(8)": enough for support to tell two members apart in a log, not enough to name
// one.
func maskMember(id string) string {
	if id == "" {
		return ""
	}
	n := 0
	var b strings.Builder
	for _, r := range id {
		if n == 2 {
			break
		}
		b.WriteRune(r)
		n++
	}
	b.WriteString("***(")
	b.WriteString(strconv.Itoa(len(id)))
	b.WriteString(")")
	return b.String()
}

// Form encodes r as the form PointPay posts to the RETURN URL (the inverse of
// ParseResultForm). A fake PointPay and tests use it; empty optional fields are left out.
func (r Result) Form() url.Values {
	v := url.Values{}
	if r.PayType != "" {
		v.Set(pointpaywire.FieldPayType, string(r.PayType))
	}
	v.Set(pointpaywire.FieldUserID, r.MemberID)
	v.Set(pointpaywire.FieldPrice, strconv.FormatInt(r.Price, 10))
	v.Set(pointpaywire.FieldRegDatetime, r.RegisteredAt.In(pointpaywire.KST).Format(pointpaywire.RegDatetimeLayout))
	v.Set(pointpaywire.FieldACode, r.MediaCode)
	v.Set(pointpaywire.FieldOrderNo, r.OrderNo)
	if r.UTCCode != "" {
		v.Set(pointpaywire.FieldUTCCode, r.UTCCode)
	}
	if r.AddParam != "" {
		v.Set(pointpaywire.FieldAddParam, r.AddParam)
	}
	return v
}

const parseOp = "pointpay.ParseResult"

// ParseResult decodes a result-callback body (application/x-www-form-urlencoded) into a
// Result. It checks the form, not its origin: the receiver compares MediaCode with the
// configured media id. Failures are *Error with CodeInvalidInput naming the field; it
// never panics, whatever the body.
func ParseResult(body []byte) (Result, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return Result{}, invalid(parseOp, "body", "not a form")
	}
	return ParseResultForm(form)
}

// ParseResultForm is ParseResult for a form already decoded.
//
// Rules (Modelled where the guide is silent): rw_user_id, rw_price, rw_reg_datetime,
// rw_a_code and rw_orderno are required and non-empty; rw_pay_type, utc_code and
// add_param are optional; no field may appear twice, be longer than 256 bytes, or hold
// control characters or invalid UTF-8; rw_price is decimal digits only (no sign, no
// separators), 1 to 15 digits, greater than zero; rw_reg_datetime is
// "2006-01-02 15:04:05" in KST; rw_orderno is at most 100 bytes of visible ASCII.
func ParseResultForm(form url.Values) (Result, error) {
	for _, name := range pointpaywire.AllFields {
		vs := form[name]
		if len(vs) > 1 {
			return Result{}, invalid(parseOp, name, "sent more than once")
		}
		if len(vs) == 1 {
			if len(vs[0]) > pointpaywire.MaxFieldLen {
				return Result{}, invalid(parseOp, name, "too long")
			}
			if !isCleanText(vs[0]) {
				return Result{}, invalid(parseOp, name, "control character or invalid UTF-8")
			}
		}
	}
	for _, name := range pointpaywire.RequiredFields {
		if strings.TrimSpace(form.Get(name)) == "" {
			return Result{}, invalid(parseOp, name, "missing")
		}
	}
	r := Result{
		PayType:   PayType(form.Get(pointpaywire.FieldPayType)),
		MemberID:  form.Get(pointpaywire.FieldUserID),
		MediaCode: form.Get(pointpaywire.FieldACode),
		OrderNo:   form.Get(pointpaywire.FieldOrderNo),
		UTCCode:   form.Get(pointpaywire.FieldUTCCode),
		AddParam:  form.Get(pointpaywire.FieldAddParam),
	}
	if len(r.MemberID) > pointpaywire.MaxMemberIDLen {
		return Result{}, invalid(parseOp, pointpaywire.FieldUserID, "too long")
	}
	if len(r.OrderNo) > pointpaywire.MaxOrderNoLen {
		return Result{}, invalid(parseOp, pointpaywire.FieldOrderNo, "too long")
	}
	for i := 0; i < len(r.OrderNo); i++ {
		if c := r.OrderNo[i]; c <= ' ' || c > '~' {
			return Result{}, invalid(parseOp, pointpaywire.FieldOrderNo, "not visible ASCII")
		}
	}
	price, err := parsePrice(form.Get(pointpaywire.FieldPrice))
	if err != nil {
		return Result{}, err
	}
	r.Price = price
	at, err := time.ParseInLocation(pointpaywire.RegDatetimeLayout, form.Get(pointpaywire.FieldRegDatetime), pointpaywire.KST)
	if err != nil {
		return Result{}, invalid(parseOp, pointpaywire.FieldRegDatetime, "not \"YYYY-MM-DD hh:mm:ss\"")
	}
	r.RegisteredAt = at
	return r, nil
}

func parsePrice(s string) (int64, error) {
	if s[0] == '-' {
		return 0, invalid(parseOp, pointpaywire.FieldPrice, "negative")
	}
	if len(s) > pointpaywire.MaxPriceDigits {
		return 0, invalid(parseOp, pointpaywire.FieldPrice, "more than 15 digits")
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, invalid(parseOp, pointpaywire.FieldPrice, "not a whole number of won")
		}
		n = n*10 + int64(c-'0')
	}
	if n == 0 {
		return 0, invalid(parseOp, pointpaywire.FieldPrice, "zero")
	}
	return n, nil
}

// Answer is the merchant's plain-text reply to a result callback: "201", or
// "202|-|<reason>".
type Answer struct {
	OK     bool   // "201"
	Reason string // the reason after "202|-|"; empty when OK
}

// String returns the answer as sent on the wire.
func (a Answer) String() string {
	if a.OK {
		return pointpaywire.AnswerOK
	}
	return pointpaywire.AnswerRefused + pointpaywire.AnswerSep + a.Reason
}

const parseAnswerOp = "pointpay.ParseAnswer"

// ParseAnswer reads a merchant's reply (what a fake PointPay does to decide whether to
// resend). Surrounding white space is ignored; anything but "201" or "202|-|…" is an
// *Error with CodeInvalidInput.
func ParseAnswer(body []byte) (Answer, error) {
	s := strings.TrimSpace(string(body))
	if s == pointpaywire.AnswerOK {
		return Answer{OK: true}, nil
	}
	if rest, ok := strings.CutPrefix(s, pointpaywire.AnswerRefused+pointpaywire.AnswerSep); ok {
		return Answer{Reason: rest}, nil
	}
	return Answer{}, &Error{Op: parseAnswerOp, Code: CodeInvalidInput, Message: "not \"201\" or \"202|-|reason\"", outcome: apierr.Refused}
}
