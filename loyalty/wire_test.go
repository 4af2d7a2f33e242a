package loyalty

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/endpoint"
	"github.com/poskit/poskit/internal/loyaltywire"
)

func TestRouteSets(t *testing.T) {
	doc, relay := RouteSetDocument.table(), RouteSetRelay.table()
	path := func(tb endpoint.Table, op string) string { e, _ := tb.Lookup(op); return e.Path }
	if path(doc, "OpenNewPayment") != "/v1/payment/openNew" || path(doc, "ApproveNewPayment") != "/v1/payment/create/confirm" || path(doc, "DenyCancelPayment") != "/v1/payment/cancel/deny" {
		t.Fatalf("document routes: %+v", doc)
	}
	if path(relay, "OpenNewPayment") != "/v1/payment/new/open" || path(relay, "ApproveNewPayment") != path(relay, "DenyNewPayment") || path(relay, "ApproveCancelPayment") != "/v1/payment/cancel/approval" {
		t.Fatalf("relay routes: %+v", relay)
	}
	if path(relay, "Nonce") != "/v1/ledger/nonce/"+loyaltywire.NoncePlaceholder {
		t.Fatalf("nonce path %q", path(relay, "Nonce"))
	}
	for _, tb := range []endpoint.Table{doc, relay} {
		for _, rt := range tb.Endpoints {
			if rt.Path == "" || !strings.HasPrefix(rt.Path, "/v1/") || (rt.Method != "GET" && rt.Method != "POST") {
				t.Errorf("bad route %+v", rt)
			}
			if rt.Idempotent != (rt.Method == "GET") {
				t.Errorf("%s: only reads are idempotent", rt.Op)
			}
		}
		if len(tb.Ops()) != 15 {
			t.Errorf("%d operations", len(tb.Ops()))
		}
	}
}

func TestWireScalars(t *testing.T) {
	var v struct {
		A WireNumber `json:"a"`
		B WireNumber `json:"b"`
		C WireNumber `json:"c"`
		I WireInt    `json:"i"`
		J WireInt    `json:"j"`
		K WireBool   `json:"k"`
		L WireBool   `json:"l"`
	}
	in := `{"a":"1000000000000000000","b":123456789012345678901234567890,"c":null,"i":"18","j":1.7e9,"k":"TRUE","l":false}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "1000000000000000000" || v.B != "123456789012345678901234567890" || v.C != "" || v.I != 18 || v.J != 1700000000 || !bool(v.K) || bool(v.L) {
		t.Fatalf("decoded %+v", v)
	}
	out, _ := json.Marshal(v)
	if !strings.Contains(string(out), `"b":"123456789012345678901234567890"`) || !strings.Contains(string(out), `"i":18`) {
		t.Fatalf("encoded %s", out)
	}
	for _, bad := range []string{`{"i":"x"}`, `{"i":1.5}`, `{"a":true}`, `{"k":"yes"}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestDecodeEnvelope(t *testing.T) {
	type data struct {
		Account string `json:"account"`
	}
	t.Run("success", func(t *testing.T) {
		var d data
		if err := DecodeEnvelope("loyalty.Balance", 200, []byte(`{"code":0,"data":{"account":"0x1"}}`), &d); err != nil || d.Account != "0x1" {
			t.Fatalf("%v %+v", err, d)
		}
		if err := DecodeEnvelope("op", 200, []byte(`{"code":"0"}`), nil); err != nil {
			t.Fatal(err)
		}
	})
	cases := []struct {
		name   string
		status int
		body   string
		code   Code
		msg    string
	}{
		{"relay error", 200, `{"code":2002,"error":{"message":"The access key entered is not valid"}}`, CodeInvalidAccessKey, "The access key entered is not valid"},
		{"validation", 200, `{"code":2001,"error":{"message":"Failed","validation":[{"type":"field","value":"zz","msg":"Invalid value","path":"shopId","location":"body"},{"param":"account","msg":"bad"}]}}`, CodeInvalidParameters, "Failed"},
		{"error without object", 200, `{"code":9000}`, CodeUnknown, ""},
		{"html 502", 502, `<html>bad gateway</html>`, CodeHTTPStatus, ""},
		{"html 200", 200, `<html>portal</html>`, CodeDecode, ""},
		{"empty", 200, ``, CodeDecode, "empty body"},
		{"truncated", 200, `{"code":0,"data":{"acc`, CodeDecode, ""},
		{"no code", 200, `{"data":{}}`, CodeDecode, "envelope without a code"},
		{"no data", 200, `{"code":0}`, CodeDecode, "success without data"},
		{"null data", 200, `{"code":0,"data":null}`, CodeDecode, "success without data"},
		{"wrong shape", 200, `{"code":0,"data":{"account":5}}`, CodeDecode, ""},
		{"code 0 on 500", 500, `{"code":0,"data":{}}`, CodeHTTPStatus, ""},
		{"error on 500", 500, `{"code":6000,"error":{"message":"Server Error"}}`, CodeServerError, "Server Error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d data
			err := DecodeEnvelope("loyalty.Balance", c.status, []byte(c.body), &d)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %v", err)
			}
			if e.Code != c.code || e.Op != "loyalty.Balance" || e.HTTPStatus != c.status {
				t.Fatalf("got %+v", e)
			}
			if c.msg != "" && e.Message != c.msg {
				t.Fatalf("message %q, want %q", e.Message, c.msg)
			}
			if !strings.Contains(e.Error(), "loyalty.Balance") {
				t.Fatalf("Error() lacks op: %s", e)
			}
			if c.name == "validation" {
				if len(e.Validation) != 2 || e.Validation[0].Field != "shopId" || e.Validation[1].Field != "account" {
					t.Fatalf("validation %+v", e.Validation)
				}
				if strings.Contains(e.Error(), "zz") {
					t.Fatal("validation value must not be kept")
				}
			}
		})
	}
	t.Run("message bounded", func(t *testing.T) {
		long := strings.Repeat("é", 1000) + "\n\x00"
		body, _ := json.Marshal(NewErrorEnvelope(CodeContractError, long))
		err := DecodeEnvelope("op", 200, body, nil).(*Error)
		if len(err.Message) > loyaltywire.MaxMessageLen+4 || strings.ContainsAny(err.Message, "\n\x00") {
			t.Fatalf("message not bounded: %d bytes", len(err.Message))
		}
	})
}

func TestEnvelopeRoundTrip(t *testing.T) {
	body, err := json.Marshal(NewSuccessEnvelope(WireChainID{ChainID: 24680}))
	if err != nil {
		t.Fatal(err)
	}
	var id WireChainID
	if err := DecodeEnvelope("op", 200, body, &id); err != nil || id.ChainID != 24680 {
		t.Fatalf("%s → %v %v", body, id, err)
	}
	body, _ = json.Marshal(NewErrorEnvelope(CodePaymentNotFound, ""))
	if !strings.Contains(string(body), `"message":"unknown payment id"`) || strings.Contains(string(body), `"data"`) {
		t.Fatalf("error envelope %s", body)
	}
	if err := DecodeEnvelope("op", 200, body, &id); !IsNotFound(err) {
		t.Fatalf("want not found, got %v", err)
	}
}

func TestWirePaymentConversion(t *testing.T) {
	// The document's item spelling: createTimestamp, loyaltyType, token fields.
	docItem := `{"paymentId":"0x644a5568445869656a16b67ab82894bbe7fb40e984bc5bff90002aa40177292f","purchaseId":"P000002",
	"amount":"10000000000000000000","currency":"krw","shopId":"0x5b2eaa90dbb877356c28cf13fe9263b1e749abeb78f031a4b35fa63c7d30e5db",
	"account":"0x53801Bf69Cb9B6Ad205BAc9134766807551F26BC","loyaltyType":0,"paidPoint":"10000000000000000000","paidToken":"0",
	"paidValue":"10000000000000000000","feePoint":"500000000000000000","feeToken":"0","feeValue":"500000000000000000",
	"totalPoint":"10500000000000000000","totalToken":"0","totalValue":"10500000000000000000","paymentStatus":4,
	"createTimestamp":1700000000,"cancelTimestamp":0}`
	var w WirePayment
	if err := json.Unmarshal([]byte(docItem), &w); err != nil {
		t.Fatal(err)
	}
	p, err := paymentOf(&w, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != StatusDocClosed || p.TotalPoint.String() != "10500000000000000000" || p.FeePoint.String() != "500000000000000000" ||
		!p.OpenedAt.Equal(time.Unix(1700000000, 0)) || !p.CancelOpenedAt.IsZero() || p.PurchaseID != "P000002" {
		t.Fatalf("converted %+v", p)
	}
	// Round trip through the relay spelling.
	w2 := NewWirePayment(p)
	b, _ := json.Marshal(w2)
	var w3 WirePayment
	if err := json.Unmarshal(b, &w3); err != nil {
		t.Fatal(err)
	}
	p3, err := paymentOf(&w3, nil)
	if err != nil || p3.TotalValue.String() != p.TotalValue.String() || p3.Status != p.Status || !p3.OpenedAt.Equal(p.OpenedAt) {
		t.Fatalf("round trip %+v %v", p3, err)
	}
	if !strings.Contains(string(b), `"openNewTimestamp":1700000000`) || strings.Contains(string(b), "closeNewTimestamp") {
		t.Fatalf("relay spelling %s", b)
	}
	// "status" as fallback spelling; an invalid amount is refused.
	var w4 WirePayment
	_ = json.Unmarshal([]byte(`{"paymentId":"0x1","status":"15","amount":"1.5"}`), &w4)
	if w4.Status != 15 {
		t.Fatalf("status fallback %v", w4.Status)
	}
	if _, err := paymentOf(&w4, nil); err == nil {
		t.Fatal("amount 1.5 accepted")
	}
}

func TestShopInfoSettledPointNumberOrString(t *testing.T) {
	for _, in := range []string{`{"settledPoint":12345678901234567890123}`, `{"settledPoint":"12345678901234567890123"}`} {
		var s WireShopInfo
		if err := json.Unmarshal([]byte(in), &s); err != nil || s.SettledPoint != "12345678901234567890123" {
			t.Fatalf("%s → %q %v", in, s.SettledPoint, err)
		}
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"code":0,"data":{"paymentId":"0x1","amount":"5","paymentStatus":11}}`,
		`{"code":2001,"error":{"message":"x","validation":[{"path":"a","msg":"b"}]}}`,
		`{"code":"7000","error":{"message":["weird"]}}`,
		`{"code":0,"data":[]}`, `{"code":1e400}`, `null`, `[]`, ``, `{`, `{"code":0,"data":{"amount":{}}}`,
	} {
		f.Add([]byte(s), 200)
	}
	f.Add([]byte(`<html>`), 502)
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		var w WirePayment
		err := DecodeEnvelope("loyalty.Fuzz", status, body, &w)
		checkSameAsTwoPass(t, status, body, err, &w)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Op != "loyalty.Fuzz" {
				t.Fatalf("not a *Error with op: %v", err)
			}
			_ = e.Error()
			return
		}
		_, _ = paymentOf(&w, nil)
	})
}

// checkSameAsTwoPass asserts that DecodeEnvelope (one pass on success) gave
// got and err as the two-pass decoding does.
func checkSameAsTwoPass(t *testing.T, status int, body []byte, err error, got *WirePayment) {
	t.Helper()
	var want WirePayment
	werr := twoPass("loyalty.Fuzz", status, body, &want)
	if (err == nil) != (werr == nil) {
		t.Fatalf("%q (status %d): one pass %v, two passes %v", body, status, err, werr)
	}
	if err != nil {
		if err.Error() != werr.Error() {
			t.Fatalf("%q (status %d): one pass %q, two passes %q", body, status, err, werr)
		}
		return
	}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("%q (status %d): one pass %+v, two passes %+v", body, status, *got, want)
	}
}

func TestDecodeEnvelopeOnePassAsTwo(t *testing.T) {
	bodies := []string{
		`{"code":0,"data":{"paymentId":"0x1","amount":"5","paymentStatus":11}}`,
		` {"data":{"paymentId":"0x2"},"code":"0"} `,
		`{"code":0,"data":{"paymentId":"0x1"},"error":{"message":"ignored"}}`,
		`{"code":0,"Data":{"paymentId":"0x3"}}`,
		`{"code":0,"data":{}}`, `{"code":0,"data":null}`, `{"code":0}`, `{"code":0,"data":[]}`,
		`{"code":0,"data":{"amount":{}}}`, `{"code":0,"data":{"paymentId":5}}`,
		`{"code":2003,"data":{"paymentId":"0x1"},"error":{"message":"Payment ID does not exist"}}`,
		`{"code":0,"data":{"paymentId":"0x1"}} trailing`, `{"code":1e400}`, `null`, `[]`, ``, `<html>`,
	}
	for _, b := range bodies {
		for _, status := range []int{0, 200, 204, 404, 500} {
			var w WirePayment
			err := DecodeEnvelope("loyalty.Fuzz", status, []byte(b), &w)
			checkSameAsTwoPass(t, status, []byte(b), err, &w)
		}
	}
	// A value that is not zero cannot tell "data absent" apart: the two passes decide.
	pre := WirePayment{PaymentID: "0xpre"}
	if err := DecodeEnvelope("op", 200, []byte(`{"code":0}`), &pre); !IsCode(err, CodeDecode) {
		t.Fatalf("absent data into a filled value: %v", err)
	}
}

// refWireInt and refWireNumber are the decoders before the allocation-free
// fast paths, kept as the reference.
func refWireInt(b []byte) (WireInt, error) {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return 0, nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return 0, errors.New("not an integer")
		}
		v = int64(f)
	}
	return WireInt(v), nil
}

func refWireNumber(b []byte) (WireNumber, error) {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return "", nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return WireNumber(strings.TrimSpace(s)), nil
	}
	var num json.Number
	if err := json.Unmarshal(b, &num); err != nil {
		return "", err
	}
	return WireNumber(num.String()), nil
}

func FuzzWireScalars(f *testing.F) {
	for _, s := range []string{`0`, `17`, `"17"`, `" 42 "`, `-5`, `+5`, `"+5"`, `007`, `"007"`, `1.7e9`, `"1e3"`,
		`123456789012345678`, `1234567890123456789`, `99999999999999999999`, `"12\u0033"`, `"é"`, `"a"`, `""`, `"`, `null`, `true`, `" 5`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var i WireInt
		ierr := i.UnmarshalJSON(b)
		ri, rerr := refWireInt(b)
		if (ierr == nil) != (rerr == nil) || (ierr == nil && i != ri) {
			t.Fatalf("WireInt %q: %v %v, reference %v %v", b, i, ierr, ri, rerr)
		}
		var n WireNumber
		nerr := n.UnmarshalJSON(b)
		rn, rnerr := refWireNumber(b)
		if (nerr == nil) != (rnerr == nil) || (nerr == nil && n != rn) {
			t.Fatalf("WireNumber %q: %q %v, reference %q %v", b, n, nerr, rn, rnerr)
		}
	})
}

// twoPass decodes as the envelope's second pass does (data kept raw until the code is known).
func twoPass(op string, status int, body []byte, out any) error {
	if err := loyaltywire.DecodeTwoPass(status, body, out); err != nil {
		return answerError(op, status, err, nil)
	}
	return nil
}
