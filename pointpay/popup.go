package pointpay

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/poskit/poskit/internal/pointpaywire"
)

// PopupForm is one of the two popup URL spellings the guides show.
type PopupForm uint8

const (
	// PopupDirect is https://ssl.pointpay.im/pointhub/direct, the spelling of the
	// solution-merchant guide's button (the default).
	PopupDirect PopupForm = iota
	// PopupDirectPHP is https://ssl.pointpay.im/pointhub/direct.php, the spelling of
	// PointPay's public merchant guide.
	PopupDirectPHP
)

// String returns "direct" or "direct.php".
func (f PopupForm) String() string {
	switch f {
	case PopupDirect:
		return "direct"
	case PopupDirectPHP:
		return "direct.php"
	}
	return "unknown"
}

// PopupOption configures PopupURL.
type PopupOption func(*popupConfig)

type popupConfig struct {
	form     PopupForm
	base     string
	addParam string
	hasAdd   bool
}

// WithPopupForm chooses the URL spelling (default PopupDirect).
func WithPopupForm(f PopupForm) PopupOption { return func(c *popupConfig) { c.form = f } }

// WithAddParam adds the optional add_param, which PointPay passes back (Result.AddParam).
// It is validated like the other values: 1 to 256 characters that need no escaping.
func WithAddParam(s string) PopupOption {
	return func(c *popupConfig) { c.addParam, c.hasAdd = s, true }
}

// WithPopupBaseURL replaces the popup's address (scheme, host, path), e.g. with a fake
// server's. PopupURL refuses a base that is not an absolute http(s) URL without a query.
func WithPopupBaseURL(base string) PopupOption { return func(c *popupConfig) { c.base = base } }

const popupOp = "pointpay.PopupURL"

// PopupURL returns the address of PointPay's conversion popup for one member of the shop:
//
//	https://ssl.pointpay.im/pointhub/direct?a_code=<mediaID>&user_id=<memberID>[&add_param=…]
//
// The shop's page opens it (window.open) from its conversion button; mediaID is the
// merchant's media id (매체아이디) and memberID the logged-in member's id (for Cafe24,
// sessionStorage member_1.data.member_id). No request is sent.
//
// Values are checked, never escaped: the guide's button concatenates them raw, so a value
// that would need escaping (anything but ASCII letters, digits, '-', '.', '_', '~' and
// '@') is refused, as are empty and over-long values (media id ≤ 64, member id ≤ 64,
// add_param ≤ 256 bytes; Modelled, the guide gives no limits). Failures are *Error with
// CodeInvalidInput naming the parameter.
func PopupURL(mediaID, memberID string, opts ...PopupOption) (string, error) {
	var c popupConfig
	for _, o := range opts {
		o(&c)
	}
	base := pointpaywire.PopupDirect
	switch c.form {
	case PopupDirect:
	case PopupDirectPHP:
		base = pointpaywire.PopupDirectPHP
	default:
		return "", invalid(popupOp, "form", "unknown popup form")
	}
	if c.base != "" {
		u, err := url.Parse(c.base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return "", invalid(popupOp, "base URL", "not an absolute http(s) URL without query")
		}
		base = c.base
	}
	if err := checkPopupValue(pointpaywire.ParamACode, mediaID, pointpaywire.MaxMediaIDLen); err != nil {
		return "", err
	}
	if err := checkPopupValue(pointpaywire.ParamUserID, memberID, pointpaywire.MaxMemberIDLen); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(len(base) + len(mediaID) + len(memberID) + len(c.addParam) + 32)
	b.WriteString(base)
	b.WriteString("?" + pointpaywire.ParamACode + "=")
	b.WriteString(mediaID)
	b.WriteString("&" + pointpaywire.ParamUserID + "=")
	b.WriteString(memberID)
	if c.hasAdd {
		if err := checkPopupValue(pointpaywire.ParamAddParam, c.addParam, pointpaywire.MaxAddParamLen); err != nil {
			return "", err
		}
		b.WriteString("&" + pointpaywire.ParamAddParam + "=")
		b.WriteString(c.addParam)
	}
	return b.String(), nil
}

// Popup is what a popup URL carries.
type Popup struct {
	Form     PopupForm // which spelling the path used; PopupDirect for another path
	MediaID  string    // a_code
	MemberID string    // user_id
	AddParam string    // add_param, empty if absent
}

const parsePopupOp = "pointpay.ParsePopupURL"

// ParsePopupURL reads a popup URL back (a fake PointPay serving the popup, or a test of a
// shop page). It checks the values as PopupURL does; any path is accepted (a fake's), and
// Form tells whether it ended in "direct.php".
func ParsePopupURL(raw string) (Popup, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Popup{}, invalid(parsePopupOp, "URL", "unparsable")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Popup{}, invalid(parsePopupOp, "query", "unparsable")
	}
	var p Popup
	if strings.HasSuffix(u.Path, "/direct.php") {
		p.Form = PopupDirectPHP
	}
	get := func(name string, limit int, required bool) (string, error) {
		vs, ok := q[name]
		if !ok && !required {
			return "", nil
		}
		if len(vs) > 1 {
			return "", invalid(parsePopupOp, name, "sent more than once")
		}
		v := ""
		if ok {
			v = vs[0]
		}
		if err := checkPopupValue(name, v, limit); err != nil {
			err.Op = parsePopupOp
			return "", err
		}
		return v, nil
	}
	if p.MediaID, err = get(pointpaywire.ParamACode, pointpaywire.MaxMediaIDLen, true); err != nil {
		return Popup{}, err
	}
	if p.MemberID, err = get(pointpaywire.ParamUserID, pointpaywire.MaxMemberIDLen, true); err != nil {
		return Popup{}, err
	}
	if p.AddParam, err = get(pointpaywire.ParamAddParam, pointpaywire.MaxAddParamLen, false); err != nil {
		return Popup{}, err
	}
	return p, nil
}

func checkPopupValue(name, v string, limit int) *Error {
	if v == "" {
		return invalid(popupOp, name, "empty")
	}
	if len(v) > limit {
		return invalid(popupOp, name, "longer than "+strconv.Itoa(limit)+" bytes")
	}
	for i := 0; i < len(v); i++ {
		if !isPlainURLByte(v[i]) {
			return invalid(popupOp, name, "contains a character that needs URL escaping")
		}
	}
	return nil
}

// isPlainURLByte reports whether b stands for itself in a query value: RFC 3986's
// unreserved characters plus '@' (Cafe24 SNS member ids end in "@k", "@n", …).
func isPlainURLByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return b == '-' || b == '.' || b == '_' || b == '~' || b == '@'
}

// isCleanText reports whether s is valid UTF-8 without control characters.
func isCleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}
