package pointpay

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/pointpaywire"
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
	f.Del(pointpaywire.FieldPayType)
	f.Del(pointpaywire.FieldUTCCode)
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
		{"missing user", with(pointpaywire.FieldUserID, "\x00delete"), pointpaywire.FieldUserID},
		{"missing price", with(pointpaywire.FieldPrice, "\x00delete"), pointpaywire.FieldPrice},
		{"missing date", with(pointpaywire.FieldRegDatetime, "\x00delete"), pointpaywire.FieldRegDatetime},
		{"missing a_code", with(pointpaywire.FieldACode, "\x00delete"), pointpaywire.FieldACode},
		{"missing orderno", with(pointpaywire.FieldOrderNo, "\x00delete"), pointpaywire.FieldOrderNo},
		{"blank orderno", with(pointpaywire.FieldOrderNo, "  "), pointpaywire.FieldOrderNo},
		{"price letters", with(pointpaywire.FieldPrice, "12a"), pointpaywire.FieldPrice},
		{"price negative", with(pointpaywire.FieldPrice, "-100"), pointpaywire.FieldPrice},
		{"price decimal", with(pointpaywire.FieldPrice, "100.5"), pointpaywire.FieldPrice},
		{"price plus", with(pointpaywire.FieldPrice, "+100"), pointpaywire.FieldPrice},
		{"price separators", with(pointpaywire.FieldPrice, "1,000"), pointpaywire.FieldPrice},
		{"price zero", with(pointpaywire.FieldPrice, "000"), pointpaywire.FieldPrice},
		{"price huge", with(pointpaywire.FieldPrice, "9999999999999999999"), pointpaywire.FieldPrice},
		{"date iso", with(pointpaywire.FieldRegDatetime, "2026-11-23T15:04:05"), pointpaywire.FieldRegDatetime},
		{"date impossible", with(pointpaywire.FieldRegDatetime, "2026-02-30 10:00:00"), pointpaywire.FieldRegDatetime},
		{"date words", with(pointpaywire.FieldRegDatetime, "yesterday"), pointpaywire.FieldRegDatetime},
		{"orderno space", with(pointpaywire.FieldOrderNo, "PP 1"), pointpaywire.FieldOrderNo},
		{"orderno long", with(pointpaywire.FieldOrderNo, strings.Repeat("9", 101)), pointpaywire.FieldOrderNo},
		{"user long", with(pointpaywire.FieldUserID, strings.Repeat("m", 65)), pointpaywire.FieldUserID},
		{"control char", with(pointpaywire.FieldUserID, "kim\nINFO forged"), pointpaywire.FieldUserID},
		{"bad utf8", with(pointpaywire.FieldPayType, "\xff"), pointpaywire.FieldPayType},
		{"field too long", with(pointpaywire.FieldUTCCode, strings.Repeat("u", 257)), pointpaywire.FieldUTCCode},
	}
	dup := with(pointpaywire.FieldPrice, "100")
	dup.Add(pointpaywire.FieldPrice, "100000")
	cases = append(cases, struct {
		name  string
		form  url.Values
		field string
	}{"price twice", dup, pointpaywire.FieldPrice})
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
