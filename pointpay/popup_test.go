package pointpay

import (
	"strings"
	"testing"
)

func TestPopupURLForms(t *testing.T) {
	cases := []struct {
		name string
		opts []PopupOption
		want string
	}{
		{"direct", nil, "https://ssl.pointpay.im/pointhub/direct?a_code=MEDIA01&user_id=member01"},
		{"php", []PopupOption{WithPopupForm(PopupDirectPHP)}, "https://ssl.pointpay.im/pointhub/direct.php?a_code=MEDIA01&user_id=member01"},
		{"add_param", []PopupOption{WithAddParam("cart-7_x")}, "https://ssl.pointpay.im/pointhub/direct?a_code=MEDIA01&user_id=member01&add_param=cart-7_x"},
		{"fake base", []PopupOption{WithPopupBaseURL("http://127.0.0.1:8080/pointhub/direct")}, "http://127.0.0.1:8080/pointhub/direct?a_code=MEDIA01&user_id=member01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := PopupURL("MEDIA01", "member01", c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
			p, err := ParsePopupURL(got)
			if err != nil {
				t.Fatal(err)
			}
			if p.MediaID != "MEDIA01" || p.MemberID != "member01" {
				t.Fatalf("parsed back %+v", p)
			}
			if strings.Contains(got, "add_param") != (p.AddParam != "") {
				t.Fatalf("add_param not read back: %+v", p)
			}
			if strings.Contains(got, ".php") != (p.Form == PopupDirectPHP) {
				t.Fatalf("form not read back: %v", p.Form)
			}
		})
	}
}

func TestPopupURLAcceptsSNSMemberID(t *testing.T) {
	got, err := PopupURL("MEDIA01", "3412345678@k")
	if err != nil || !strings.HasSuffix(got, "user_id=3412345678@k") {
		t.Fatalf("%q %v", got, err)
	}
}

func TestPopupURLRefusesBadInput(t *testing.T) {
	long := strings.Repeat("a", 65)
	cases := []struct {
		name, media, member string
		opts                []PopupOption
		field               string
	}{
		{"empty media", "", "m", nil, "a_code"},
		{"empty member", "M", "", nil, "user_id"},
		{"long media", long, "m", nil, "a_code"},
		{"long member", "M", long, nil, "user_id"},
		{"escaping member", "M", "kim&a_code=X", nil, "user_id"},
		{"space media", "ME DIA", "m", nil, "a_code"},
		{"hangul member", "M", "회원", nil, "user_id"},
		{"percent", "M", "a%20b", nil, "user_id"},
		{"empty add_param", "M", "m", []PopupOption{WithAddParam("")}, "add_param"},
		{"long add_param", "M", "m", []PopupOption{WithAddParam(strings.Repeat("x", 257))}, "add_param"},
		{"escaping add_param", "M", "m", []PopupOption{WithAddParam("a/b")}, "add_param"},
		{"bad form", "M", "m", []PopupOption{WithPopupForm(9)}, "form"},
		{"bad base", "M", "m", []PopupOption{WithPopupBaseURL("ftp://x/y")}, "base URL"},
		{"base with query", "M", "m", []PopupOption{WithPopupBaseURL("https://x/y?z=1")}, "base URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := PopupURL(c.media, c.member, c.opts...)
			if err == nil {
				t.Fatalf("accepted: %s", u)
			}
			e, ok := err.(*Error)
			if !ok || !IsInvalidInput(err) || !IsRefused(err) || e.Op != "pointpay.PopupURL" {
				t.Fatalf("not a typed invalid-input error: %#v", err)
			}
			if !strings.HasPrefix(e.Message, c.field+":") {
				t.Fatalf("message %q does not name %s", e.Message, c.field)
			}
			if strings.Count(err.Error(), "pointpay.PopupURL") != 1 {
				t.Fatalf("op not named once: %s", err)
			}
		})
	}
}

func TestParsePopupURLRefuses(t *testing.T) {
	for _, raw := range []string{
		"https://ssl.pointpay.im/pointhub/direct?user_id=m",
		"https://ssl.pointpay.im/pointhub/direct?a_code=M",
		"https://ssl.pointpay.im/pointhub/direct?a_code=M&a_code=N&user_id=m",
		"https://ssl.pointpay.im/pointhub/direct?a_code=M&user_id=%3Cscript%3E",
		"https://ssl.pointpay.im/pointhub/direct?a_code=M&user_id=m&add_param=",
		"https://ssl.pointpay.im/pointhub/direct?a_code=M;&user_id=m",
		"://bad",
	} {
		if p, err := ParsePopupURL(raw); err == nil || !IsInvalidInput(err) {
			t.Errorf("%s: %+v %v", raw, p, err)
		}
	}
}
