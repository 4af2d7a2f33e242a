package smartro

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/poskit/poskit/internal/redact"
	wire "github.com/poskit/poskit/internal/smartrowire"
	"reflect"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// sameAnswerError reports whether two decodeAnswer results map to the same outcome.
func sameAnswerError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var ea, eb *Error
	if !errors.As(a, &ea) || !errors.As(b, &eb) {
		return false
	}
	return ea.Op == eb.Op && ea.HTTPStatus == eb.HTTPStatus && ea.Code == eb.Code && ea.Message == eb.Message
}

// objKeys counts the top-level keys of body that encoding/json would match to OBJ; the
// one-pass decode merges repeated OBJ members where the two-pass one keeps the last.
func objKeys(body []byte) int { return keyCount(body, "OBJ") }

// keyCount counts the top-level keys of body that encoding/json would match to name.
func keyCount(body []byte, name string) int {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0
	}
	n := 0
	for i := 0; i < 10000 && dec.More(); i++ {
		tok, err := dec.Token()
		if err != nil {
			return n
		}
		if k, ok := tok.(string); ok && strings.EqualFold(k, name) {
			n++
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return n
		}
	}
	return n
}

var onePassSeeds = []string{
	`{"RESULT":"SUCCESS","ERRCODE":"","MSG":"","MSG2":"","OBJ":{"ORDER_LIST":[{"ORDERNO":"TO1","ORDER_DATE":"20240229","ORDER_TIME":"235959","ITEM_LIST":[{"SALE_PRICE":"50","ITEM_CNT":"2","ADDITIVE_ITEM_LIST":[{"ADDITIVE_PRICE":"5"}]}],"ORD_PAY_LIST":[{"PAY_TYPE":"card","CARD_NO":"1234567890123456"},{"PAY_TYPE":"cash","CASH_AUTH_TYPE":"P"}]}]}}`,
	`{"RESULT":"FAIL","ERRCODE":"PKT_OCCUPIED","MSG":"점유","MSG2":"x","OBJ":"nope"}`,
	`{"RESULT":"FAIL","ERRCODE":"PKT_OCCUPIED","OBJ":{"ORDER_LIST":[{"ORG_ORDER_PAY_AMT":"x"}]}}`,
	`{"ERRCODE":"","OBJ":{"ORDER_LIST":[{"ORG_ORDER_PAY_AMT":"x"}]}}`,
	`{"ERRCODE":"","OBJ":{"ORDER_LIST":"x"}}`,
	`{"ERRCODE":"","OBJ":[{"ITEM_GROUP_LIST":[]}]}`,
	`{"ERRCODE":"","OBJ":null}`, `{"ERRCODE":""}`, `{"obj":{"ORDER_LIST":[]}}`,
	`{"RESULT":1,"OBJ":{}}`, `{"ERRCODE":2}`, `null`, `[]`, `"x"`, ``, `{`, `{"OBJ":{}} x`,
	"\f{\"OBJ\":{}}", ` {"OBJ":{"ORDER_LIST":[{"ORDERNO":"a"}]}} `,
	`{"RESULT":"SUCCESS","ERRCODE":"","OBJ":{"ORDER_LIST":[]}}`, `{"RESULT":"SUCCESS","ERRCODE":""}`,
	`{"RESULT":"SUCCESS","ERRCODE":"","OBJ":null}`, `{"RESULT":"FAIL","ERRCODE":""}`, `{"RESULT":"FAIL"}`,
	`{"RESULT":"WAIT","ERRCODE":"","MSG":"m","OBJ":{"ORDER_LIST":[]}}`, `{"RESULT":null,"ERRCODE":""}`,
	`{"RESULT":"SUCCESS","ERRCODE":null,"OBJ":{}}`, `{"status":"ok"}`, `{}`, `{"ORDER_LIST":[{"ORDERNO":"a"}]}`,
	`{"RESULT":"SUCCESS","ERRCODE":"","OBJ":{"ORDERNO":""}}`, `{"RESULT":"SUCCESS","ERRCODE":"","OBJ":{"ORDERNO":"TO1"}}`,
	`{"RESULT":"SUCCESS","ERRCODE":"","OBJ":"x"}`, `{"RESULT":"SUCCESS","ERRCODE":"","OBJ":[]}`,
}

// FuzzDecodeAnswerOnePass checks that the one-pass decode gives what the two-pass one
// gives: the same error (operation, status, code, message) and, on success, the same value.
func FuzzDecodeAnswerOnePass(f *testing.F) {
	for _, s := range onePassSeeds {
		for _, st := range []int{200, 404, 500} {
			f.Add([]byte(s), st)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		if objKeys(body) > 1 {
			t.Skip("repeated OBJ members")
		}
		check := func(fast, slow any) {
			t.Helper()
			ef := decodeAnswer(nil, "smartro.Fuzz", status, body, fast)
			es := decodeAnswerSlow(nil, "smartro.Fuzz", status, body, slow)
			if !sameAnswerError(ef, es) {
				t.Fatalf("one pass: %v; two passes: %v", ef, es)
			}
			if ef == nil && !reflect.DeepEqual(fast, slow) {
				t.Fatalf("one pass decoded %+v; two passes %+v", fast, slow)
			}
		}
		check(new(wire.OrderList), new(wire.OrderList))
		check(new(wire.MenuAnswer), new(wire.MenuAnswer))
		check(new(wire.OrderAnswer), new(wire.OrderAnswer))
		check(nil, nil)
	})
}

func TestDecodeAnswerRequiresOBJAndLeavesOutOnNullOrMissingOBJ(t *testing.T) {
	for _, body := range []string{`{"RESULT":"SUCCESS","ERRCODE":""}`, `{"RESULT":"SUCCESS","ERRCODE":"","OBJ":null}`} {
		for name, decode := range map[string]func(*redact.Redactor, string, int, []byte, any) error{"one pass": decodeAnswer, "two passes": decodeAnswerSlow} {
			out := wire.OrderList{Orders: []wire.LiveOrder{{OrderNo: "kept"}}}
			err := decode(nil, "smartro.T", 200, []byte(body), &out)
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeBadAnswer || e.Op != "smartro.T" || e.HTTPStatus != 200 {
				t.Fatalf("%s %s: %v, want %s", name, body, err, CodeBadAnswer)
			}
			if len(out.Orders) != 1 || out.Orders[0].OrderNo != "kept" {
				t.Errorf("%s %s: out = %+v, want it unchanged", name, body, out)
			}
			// A call without data (nil out) accepts the envelope without OBJ.
			if err := decode(nil, "smartro.T", 200, []byte(body), nil); err != nil {
				t.Errorf("%s %s, nil out: %v", name, body, err)
			}
		}
	}
}

func TestDecodeAnswerRejectsUnusableOut(t *testing.T) {
	body := []byte(`{"RESULT":"SUCCESS","ERRCODE":"","OBJ":{"ORDER_LIST":[]}}`)
	for _, out := range []any{(*wire.OrderList)(nil), wire.OrderList{}} {
		err := decodeAnswer(nil, "smartro.T", 200, body, out)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeBadAnswer {
			t.Errorf("out %T: err = %v, want %s", out, err, CodeBadAnswer)
		}
	}
}

// FuzzParseOrderTime checks the allocation-free reading of ORDER_DATE/ORDER_TIME against
// time.ParseInLocation.
func FuzzParseOrderTime(f *testing.F) {
	for _, s := range [][2]string{
		{"20240229", "235959"}, {"20230229", "120000"}, {"21000229", "000000"}, {"20000229", "000000"},
		{"20241231", "240000"}, {"20241301", "000000"}, {"20240001", "000000"}, {"20240100", "000000"},
		{"20240101", "006000"}, {"20240101", "000060"}, {"00000101", "000000"}, {"+0240101", "000000"},
		{"-0240101", "000000"}, {"2024011", "1000000"}, {"2024-01-", "010000"}, {"", ""}, {"20240431", "000000"},
		{"٢٠٢٤٠١٠١", "000000"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, date, tm string) {
		got, ok := parseOrderTime(date, tm)
		want, err := time.ParseInLocation(wire.DateLayout+wire.TimeLayout, date+tm, kst)
		if ok != (err == nil) || (ok && (!got.Equal(want) || got.Location() != kst)) {
			t.Fatalf("parseOrderTime(%q, %q) = %v, %v; time.ParseInLocation: %v, %v", date, tm, got, ok, want, err)
		}
	})
}

// TestParseOrderTimeMatchesTimePackage compares well-formed and near-miss digit strings.
func TestParseOrderTimeMatchesTimePackage(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		two := func(name string, max int) string { return pad(rapid.IntRange(0, max).Draw(t, name), 2) }
		date := pad(rapid.IntRange(0, 9999).Draw(t, "year"), 4) + two("month", 14) + two("day", 32)
		tm := two("hour", 25) + two("min", 61) + two("sec", 61)
		got, ok := parseOrderTime(date, tm)
		want, err := time.ParseInLocation(wire.DateLayout+wire.TimeLayout, date+tm, kst)
		if ok != (err == nil) || (ok && (!got.Equal(want) || got.Location() != kst)) {
			t.Fatalf("parseOrderTime(%q, %q) = %v, %v; time.ParseInLocation: %v, %v", date, tm, got, ok, want, err)
		}
	})
}

// pad formats n with at least w digits.
func pad(n, w int) string {
	s := []byte{}
	for n > 0 || len(s) == 0 {
		s = append([]byte{byte('0' + n%10)}, s...)
		n /= 10
	}
	for len(s) < w {
		s = append([]byte{'0'}, s...)
	}
	return string(s)
}

// TestLiveOrdersFromWireKeepsOrdersApart checks that the shared backing arrays do not let
// one order's lines, add-ons or payments reach another's.
func TestLiveOrdersFromWireKeepsOrdersApart(t *testing.T) {
	wl := wire.OrderList{Orders: []wire.LiveOrder{
		{OrderNo: "A", Items: []wire.OrderItem{{ID: "a1", SalePrice: 10, AddOns: []wire.OrderAdditive{{ID: "x", Price: 1}}}},
			Pays: []wire.Pay{{PayType: wire.PayCard, CardNo: "1111222233334444", Installment: "03"}}},
		{OrderNo: "B"},
		{OrderNo: "C", Items: []wire.OrderItem{{ID: "c1", SalePrice: 7}, {ID: "c2", SalePrice: 9, AddOns: []wire.OrderAdditive{{ID: "y", Price: 2, Count: 2}}}},
			Pays: []wire.Pay{{PayType: wire.PayCash, CashAuthType: wire.CashCorporate, CardNo: "0101"}, {PayType: wire.PayCard, AuthNo: "n2"}}},
	}}
	got := liveOrdersFromWire(&wl)
	if len(got) != 3 || got[1].Lines != nil || got[1].Payments != nil {
		t.Fatalf("orders = %+v", got)
	}
	for i, o := range got {
		if cap(o.Lines) != len(o.Lines) || cap(o.Payments) != len(o.Payments) {
			t.Errorf("order %d: slices not capped at their length", i)
		}
		for _, l := range o.Lines {
			if cap(l.AddOns) != len(l.AddOns) {
				t.Errorf("order %d line %s: add-ons not capped", i, l.ItemID)
			}
		}
	}
	// Each conversion must equal converting the order on its own, without shared arrays.
	for i := range wl.Orders {
		if want := liveOrderFromWire(&wl.Orders[i], nil); !reflect.DeepEqual(got[i], want) {
			t.Errorf("order %d = %+v, want %+v", i, got[i], want)
		}
	}
	got[0].Lines = append(got[0].Lines, OrderLine{ItemID: "extra"})
	got[0].Lines[0].AddOns = append(got[0].Lines[0].AddOns, LineAddOn{ID: "extra"})
	got[0].Payments = append(got[0].Payments, Payment{Kind: PayEtc})
	got[0].Payments[0].Card.AuthNo = "changed"
	if got[2].Lines[0].ItemID != "c1" || got[2].Lines[1].AddOns[0].ID != "y" || got[2].Payments[0].Kind != PayCash || got[2].Payments[1].Card.AuthNo != "n2" {
		t.Errorf("appending to order A changed order C: %+v", got[2])
	}
	if c := got[0].Payments[0].Card; c.Installments != 3 || c.CardNo != "1111222233334444" {
		t.Errorf("card = %+v", c)
	}
	if c := got[2].Payments[0].Cash; c == nil || c.Receipt != ReceiptCorporate || !c.StaffConfirmed || c.ReceiptID != "0101" {
		t.Errorf("cash = %+v", c)
	}
	if l := got[2].Lines[1]; l.Price != 5 {
		t.Errorf("line c2 price = %d, want 9 - 2×2", l.Price)
	}
}
