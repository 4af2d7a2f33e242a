package pointpay

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseResultTypesEveryField(t *testing.T) {
	body := "rw_pay_type=KT&rw_user_id=kim%40k&rw_price=1500&rw_reg_datetime=2026-11-23+15%3A04%3A05" +
		"&rw_a_code=MEDIA01&rw_orderno=PP-000123&utc_code=U9&add_param=cart7"
	r, err := ParseResult([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := Result{PayType: "KT", MemberID: "kim@k", Price: 1500, MediaCode: "MEDIA01", OrderNo: "PP-000123", UTCCode: "U9", AddParam: "cart7"}
	got := r
	got.RegisteredAt = time.Time{}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if !r.RegisteredAt.Equal(time.Date(2026, 11, 23, 6, 4, 5, 0, time.UTC)) {
		t.Fatalf("registered %v is not 15:04:05 KST", r.RegisteredAt)
	}
	if _, off := r.RegisteredAt.Zone(); off != 9*3600 {
		t.Fatalf("zone offset %d", off)
	}
}

func TestParseResultOptionalFields(t *testing.T) {
	f := sampleResult("1", 10).Form()
	f.Del(wireFieldPayType)
	f.Del(wireFieldUTCCode)
	r, err := ParseResultForm(f)
	if err != nil || r.PayType != "" || r.UTCCode != "" {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestResultFormRoundTrip(t *testing.T) {
	in := sampleResult("PP-1", 777)
	in.AddParam = "x"
	out, err := ParseResult([]byte(in.Form().Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if !out.RegisteredAt.Equal(in.RegisteredAt) {
		t.Fatalf("time %v != %v", out.RegisteredAt, in.RegisteredAt)
	}
	out.RegisteredAt = in.RegisteredAt
	if out != in {
		t.Fatalf("%+v != %+v", out, in)
	}
}

func TestParseResultRefusesBadFields(t *testing.T) {
	base := sampleResult("PP-1", 100).Form()
	with := func(field, value string) url.Values {
		f := url.Values{}
		for k, v := range base {
			f[k] = append([]string(nil), v...)
		}
		if value == "\x00delete" {
			f.Del(field)
		} else {
			f.Set(field, value)
		}
		return f
	}
	cases := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"missing user", with(wireFieldUserID, "\x00delete"), wireFieldUserID},
		{"missing price", with(wireFieldPrice, "\x00delete"), wireFieldPrice},
		{"missing date", with(wireFieldRegDatetime, "\x00delete"), wireFieldRegDatetime},
		{"missing a_code", with(wireFieldACode, "\x00delete"), wireFieldACode},
		{"missing orderno", with(wireFieldOrderNo, "\x00delete"), wireFieldOrderNo},
		{"blank orderno", with(wireFieldOrderNo, "  "), wireFieldOrderNo},
		{"price letters", with(wireFieldPrice, "12a"), wireFieldPrice},
		{"price negative", with(wireFieldPrice, "-100"), wireFieldPrice},
		{"price decimal", with(wireFieldPrice, "100.5"), wireFieldPrice},
		{"price plus", with(wireFieldPrice, "+100"), wireFieldPrice},
		{"price separators", with(wireFieldPrice, "1,000"), wireFieldPrice},
		{"price zero", with(wireFieldPrice, "000"), wireFieldPrice},
		{"price huge", with(wireFieldPrice, "9999999999999999999"), wireFieldPrice},
		{"date iso", with(wireFieldRegDatetime, "2026-11-23T15:04:05"), wireFieldRegDatetime},
		{"date impossible", with(wireFieldRegDatetime, "2026-02-30 10:00:00"), wireFieldRegDatetime},
		{"date words", with(wireFieldRegDatetime, "yesterday"), wireFieldRegDatetime},
		{"orderno space", with(wireFieldOrderNo, "PP 1"), wireFieldOrderNo},
		{"orderno long", with(wireFieldOrderNo, strings.Repeat("9", 101)), wireFieldOrderNo},
		{"user long", with(wireFieldUserID, strings.Repeat("m", 65)), wireFieldUserID},
		{"control char", with(wireFieldUserID, "kim\nINFO forged"), wireFieldUserID},
		{"bad utf8", with(wireFieldPayType, "\xff"), wireFieldPayType},
		{"field too long", with(wireFieldUTCCode, strings.Repeat("u", 257)), wireFieldUTCCode},
	}
	dup := with(wireFieldPrice, "100")
	dup.Add(wireFieldPrice, "100000")
	cases = append(cases, struct {
		name  string
		form  url.Values
		field string
	}{"price twice", dup, wireFieldPrice})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseResult([]byte(c.form.Encode()))
			if err == nil {
				t.Fatalf("accepted %+v", r)
			}
			e, ok := err.(*Error)
			if !ok || e.Code != CodeInvalidInput || e.Op != "pointpay.ParseResult" {
				t.Fatalf("%#v", err)
			}
			if !strings.HasPrefix(e.Message, c.field+":") {
				t.Fatalf("message %q does not name %s", e.Message, c.field)
			}
		})
	}
	if _, err := ParseResult([]byte("%zz")); !IsInvalidInput(err) {
		t.Fatalf("unparsable body: %v", err)
	}
}

func TestParseAnswer(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Answer
	}{
		{"201", Answer{OK: true}},
		{" 201\r\n", Answer{OK: true}},
		{"202|-|duplicate rw_orderno", Answer{Reason: "duplicate rw_orderno"}},
		{"202|-|", Answer{}},
	} {
		got, err := ParseAnswer([]byte(c.in))
		if err != nil || got != c.want {
			t.Errorf("%q: %+v %v", c.in, got, err)
		}
		if strings.TrimSpace(c.in) != got.String() {
			t.Errorf("%q: String() = %q", c.in, got.String())
		}
	}
	for _, bad := range []string{"", "200", "OK", "202", "202|duplicate", "2011"} {
		if _, err := ParseAnswer([]byte(bad)); !IsInvalidInput(err) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestMaskMember(t *testing.T) {
	for in, want := range map[string]string{"": "", "a": "a***(1)", "member01": "me***(8)", "김철수": "김철***(9)"} {
		if got := maskMember(in); got != want {
			t.Errorf("maskMember(%q) = %q, want %q", in, got, want)
		}
	}
}
