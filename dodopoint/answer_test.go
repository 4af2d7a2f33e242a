package dodopoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/dodopointwire"
)

func TestDecodeAnswer(t *testing.T) {
	cases := []struct {
		status int
		body   string
		result answerResult
		code   Code
		lost   bool
	}{
		{200, `{"code":"OK"}`, resultApplied, "", false},
		{200, `{"code":"DUPLICATE","message":"already"}`, resultDuplicate, "", false},
		{409, `{"code":"NOT_CLAIMED","message":"no such payment"}`, 0, CodeNotClaimed, false},
		{400, `{"code":"INVALID_SALE"}`, 0, CodeInvalidSale, false},
		{503, `{"code":"BUSY"}`, 0, CodeUnavailable, false},
		{400, `{"code":"LOST"}`, 0, Code("LOST"), false}, // a program code, refused
		{400, `{"code":"E42","message":"x"}`, 0, Code("E42"), false},
		{502, `<html>bad gateway</html>`, 0, CodeBadAnswer, true},
		{200, ``, 0, CodeBadAnswer, true},
		{200, `null`, 0, CodeBadAnswer, true},
		{200, `{}`, 0, CodeBadAnswer, true},
		{200, `{"code":""}`, 0, CodeBadAnswer, true},
		{200, `{"code":1}`, 0, CodeBadAnswer, true},
		{200, `{"code":"OK"} {"code":"OK"}`, 0, CodeBadAnswer, true},
		{200, `[{"code":"OK"}]`, 0, CodeBadAnswer, true},
	}
	for _, c := range cases {
		res, err := decodeAnswer("dodopoint.Claim", c.status, []byte(c.body))
		if res != c.result {
			t.Errorf("%s: result %v, want %v", c.body, res, c.result)
		}
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: %v", c.body, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != c.code || e.HTTPStatus != c.status || IsLost(err) != c.lost || IsRefused(err) == c.lost {
			t.Errorf("%s: err %v (%#v), want code %s lost %v", c.body, err, e, c.code, c.lost)
		}
	}
}

func TestClaimBody(t *testing.T) {
	s := Sale{PaymentID: "P-1", Total: 7000, PaidAt: time.Date(2026, 5, 5, 9, 0, 0, 1, time.FixedZone("KST", 9*3600)),
		Items: []Item{{Name: "라떼", UnitPrice: 3500, Quantity: 2}}}
	b, err := json.Marshal(claimBody(s))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"payment_id":"P-1"`, `"total":7000`, `"paid_at":"2026-05-05T09:00:00.000000001+09:00"`, `"name":"라떼"`, `"unit_price":3500`, `"quantity":2`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("body %s lacks %s", b, key)
		}
	}
	var w dodopointwire.Claim
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(time.RFC3339Nano, w.PaidAt)
	if err != nil || !at.Equal(s.PaidAt) {
		t.Fatalf("paid_at %q: %v", w.PaidAt, err)
	}
	if b, _ := json.Marshal(claimBody(Sale{PaymentID: "P", Total: 1, PaidAt: s.PaidAt})); strings.Contains(string(b), "items") {
		t.Errorf("a sale without items sends %s", b)
	}
}

// The endpoint table names exactly the Transport's methods, and errors use its names.
// Idempotent is false: the outbox is the one retry loop (see dodopointwire.Table).
func TestEndpointTableMatchesTransport(t *testing.T) {
	tr := reflect.TypeFor[Transport]()
	var methods []string
	for i := range tr.NumMethod() {
		methods = append(methods, tr.Method(i).Name)
	}
	endpoints := dodopointwire.Table
	ops := endpoints.Ops()
	slices.Sort(ops)
	if !slices.Equal(ops, methods) {
		t.Fatalf("table ops %v, Transport methods %v", ops, methods)
	}
	for _, op := range ops {
		e, _ := endpoints.Lookup(op)
		if e.Idempotent || e.Method != http.MethodPost || !strings.HasPrefix(e.Path, "/") {
			t.Errorf("%+v", e)
		}
		if endpoints.Name(op) != opFor(map[string]Kind{"Claim": KindClaim, "Cancel": KindCancel}[op]) {
			t.Errorf("error name of %s is %s", op, endpoints.Name(op))
		}
	}
}

func FuzzDecodeAnswer(f *testing.F) {
	for _, s := range []string{`{"code":"OK"}`, `{"code":"DUPLICATE"}`, `{"code":"NOT_CLAIMED","message":"m"}`,
		`{"code":"BUSY"}`, `{"code":"INVALID_SALE"}`, `{"code":"X"}`, `null`, `{`, `{"code":null}`, strings.Repeat(`[`, 100)} {
		f.Add(200, []byte(s))
		f.Add(503, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		res, err := decodeAnswer("dodopoint.Cancel", status, body)
		if (err == nil) == (res == 0) {
			t.Fatalf("result %v with err %v", res, err)
		}
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Op != "dodopoint.Cancel" || e.Code == "" {
			t.Fatalf("untyped error %v", err)
		}
		if IsLost(err) == IsRefused(err) {
			t.Fatalf("%v is both or neither lost and refused", err)
		}
		if IsLost(err) != (e.Code == CodeBadAnswer) {
			t.Fatalf("lost %v for code %s", IsLost(err), e.Code)
		}
		_ = e.Error()
	})
}

func TestErrorShape(t *testing.T) {
	cause := errors.New("connection refused")
	e := &Error{Op: "dodopoint.Claim", HTTPStatus: 503, Code: CodeUnavailable, Message: "program down", Err: cause}
	if got, want := e.Error(), "dodopoint.Claim: UNAVAILABLE: program down (HTTP 503): connection refused"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	wrapped := fmt.Errorf("pos: %w", e)
	if !errors.Is(wrapped, cause) || !IsUnavailable(wrapped) || !IsRefused(wrapped) || IsLost(wrapped) {
		t.Fatal("helpers do not see through wrapping")
	}
	if c, ok := CodeOf(wrapped); !ok || c != CodeUnavailable {
		t.Fatalf("CodeOf %q %v", c, ok)
	}
	if _, ok := CodeOf(cause); ok {
		t.Fatal("CodeOf of a foreign error")
	}
	if !IsLost(cause) || IsRefused(cause) {
		t.Fatal("a foreign transport error must count as lost")
	}
	ctxErr := &Error{Op: "dodopoint.Claim", Code: CodeLost, Err: context.Canceled}
	if IsLost(context.Canceled) || IsLost(ctxErr) || !errors.Is(ctxErr, context.Canceled) {
		t.Fatal("an ended context must not be lost")
	}
	if !IsLost(&Error{Code: CodeLost}) || !retryable(&Error{Code: CodeLost}) || retryable(&Error{Code: CodeNotClaimed}) {
		t.Fatal("outcomes by code")
	}
}
