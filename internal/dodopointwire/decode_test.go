package dodopointwire

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDecodeAnswer(t *testing.T) {
	cases := []struct {
		body, code string
		applied    bool
	}{
		{`{"code":"OK"}`, CodeOK, true},
		{`{"code":"DUPLICATE","message":"already"}`, CodeDuplicate, true},
		{`{"code":"NOT_CLAIMED"}`, CodeNotClaimed, false},
		{`{"code":"E42","message":"x"}`, "E42", false},
		{`<html>bad gateway</html>`, "", false},
		{``, "", false},
		{`null`, "", false},
		{`{}`, "", false},
		{`{"code":""}`, "", false},
		{`{"code":1}`, "", false},
		{`{"code":"OK"} {"code":"OK"}`, "", false},
		{`[{"code":"OK"}]`, "", false},
	}
	for _, c := range cases {
		d := DecodeAnswer([]byte(c.body))
		if d.Code != c.code || d.Applied() != c.applied || (d.Problem == "") != (c.code != "") {
			t.Errorf("%s: %+v", c.body, d)
		}
	}
	if d := DecodeAnswer([]byte(`{"code":"OK","message":"` + strings.Repeat("x", MaxAnswerBytes) + `"}`)); d.Problem == "" {
		t.Errorf("oversized answer read: %+v", d.Code)
	}
}

// What the fake writes, the client reads back.
func TestWriteAnswerRoundTrip(t *testing.T) {
	for _, code := range []string{CodeOK, CodeDuplicate, CodeNotClaimed, CodeInvalidSale, CodeBusy, CodeNoSuchCall, "X"} {
		rec := httptest.NewRecorder()
		WriteAnswer(rec, StatusOf(code), code, "m")
		d := DecodeAnswer(rec.Body.Bytes())
		if rec.Code != StatusOf(code) || d.Code != code || d.Message != "m" {
			t.Errorf("%s: status %d, %+v", code, rec.Code, d)
		}
	}
}

func TestTable(t *testing.T) {
	if ops := Table.Ops(); len(ops) != 2 || ops[0] != OpClaim || ops[1] != OpCancel {
		t.Fatalf("ops %v", ops)
	}
	for _, e := range Table.Endpoints {
		if e.Idempotent {
			t.Errorf("%s: the engine must not retry (the outbox does): %+v", e.Op, e)
		}
	}
}

func FuzzDecodeAnswer(f *testing.F) {
	for _, s := range []string{`{"code":"OK"}`, `{"code":"DUPLICATE"}`, `{"code":"NOT_CLAIMED","message":"m"}`,
		`{"code":"BUSY"}`, `{"code":"INVALID_SALE"}`, `{"code":"X"}`, `null`, `{`, `{"code":null}`, strings.Repeat(`[`, 100)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d := DecodeAnswer(body)
		if (d.Code == "") == (d.Problem == "") {
			t.Fatalf("neither or both code and problem: %+v", d)
		}
		if d.Applied() && d.Code != CodeOK && d.Code != CodeDuplicate {
			t.Fatalf("applied with code %q", d.Code)
		}
	})
}
