package loyalty

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestErrorString(t *testing.T) {
	cases := []struct {
		err  *Error
		want string
	}{
		{&Error{Op: "loyalty.OpenNewPayment", HTTPStatus: 200, Code: CodeInvalidAccessKey}, "loyalty.OpenNewPayment: code 2002 wrong access key (HTTP 200)"},
		{&Error{Op: "loyalty.OpenNewPayment", HTTPStatus: 200, Code: CodeInvalidAccessKey, Message: "The access key entered is not valid"},
			"loyalty.OpenNewPayment: code 2002 wrong access key: The access key entered is not valid (HTTP 200)"},
		{&Error{Op: "loyalty.Payment", HTTPStatus: 200, Code: 1234, Message: "odd"}, "loyalty.Payment: code 1234: odd (HTTP 200)"},
		{invalidInput("loyalty.Balance", "account", "must be 0x followed by 40 hex digits"), "loyalty.Balance: invalid input: account must be 0x followed by 40 hex digits"},
		{&Error{Op: "loyalty.Payment", HTTPStatus: 200, Code: CodeInvalidParameters, Validation: []ValidationIssue{{Field: "paymentId", Message: "Invalid value"}}},
			"loyalty.Payment: code 2001 invalid parameters: [paymentId: Invalid value] (HTTP 200)"},
		{&Error{Op: "loyalty.Balance", Code: CodeTransport, Err: errors.New("dial tcp: refused")}, "loyalty.Balance: transport error: dial tcp: refused"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}

func TestErrorHelpers(t *testing.T) {
	base := &Error{Op: "loyalty.Payment", Code: CodePaymentNotFound}
	wrapped := fmt.Errorf("checkout: %w", base)
	if !IsNotFound(wrapped) || IsAccessDenied(wrapped) || !IsCode(wrapped, CodePaymentNotFound) {
		t.Fatal("helpers must see through wrapping")
	}
	if c, ok := CodeOf(wrapped); !ok || c != CodePaymentNotFound {
		t.Fatalf("CodeOf = %v %v", c, ok)
	}
	if !errors.Is(wrapped, &Error{Code: CodePaymentNotFound}) || errors.Is(wrapped, &Error{Code: CodeDenied}) {
		t.Fatal("errors.Is by code")
	}
	if _, ok := CodeOf(errors.New("plain")); ok || IsNotFound(nil) {
		t.Fatal("non-*Error must not match")
	}
	for _, c := range []struct {
		code Code
		fn   func(error) bool
	}{
		{CodeInvalidInput, IsInvalidInput}, {CodeInvalidParameters, IsInvalidInput}, {CodeInvalidAccessKey, IsAccessDenied},
		{CodeInsufficientBalance, IsInsufficientBalance}, {CodeDenied, IsDenied}, {CodeTimeout, IsTimeout},
		{CodeTransport, IsTransport}, {CodeCannotClose, IsStateConflict}, {CodeCancelPeriodExpired, IsStateConflict},
	} {
		if !c.fn(&Error{Code: c.code}) {
			t.Errorf("helper for %v did not match", c.code)
		}
		if c.fn(&Error{Code: CodeUnknown}) {
			t.Errorf("helper for %v matched 9000", c.code)
		}
	}
	for c := range codeNames {
		if c < 0 != c.IsClientSide() {
			t.Errorf("%v IsClientSide wrong", c)
		}
	}
}

func TestIsInvalidInputCoversParsingHelpers(t *testing.T) {
	_, err := ParseAmount("-1")
	if !IsInvalidInput(err) {
		t.Errorf("ParseAmount error %v is not invalid input", err)
	}
	_, err = (NewPaymentMessage{PaymentID: "0x12"}).Hash()
	if !IsInvalidInput(err) || IsInvalidSignature(err) {
		t.Errorf("malformed message field: %v", err)
	}
	id := "0x" + strings.Repeat("11", 32)
	msg := NewPaymentMessage{PaymentID: id, PurchaseID: "P1", Currency: "krw", ShopID: id, Account: "0x0000000000000000000000000000000000000001"}
	err = VerifyNewPayment("0x"+strings.Repeat("ab", 65), msg, msg.Account)
	if !IsInvalidSignature(err) {
		t.Fatalf("a bad signature: %v", err)
	}
	if IsInvalidInput(err) {
		t.Errorf("a signature problem is reported as invalid input: %v", err)
	}
	if IsInvalidInput(&Error{Code: CodeInvalidAccessKey}) || IsInvalidInput(nil) {
		t.Error("other errors are not invalid input")
	}
}

// TestThreeOutcomes: refused, lost and the caller's context ending never blur, and a lost
// answer is never Retryable (a generic retry helper must not resend a close).
func TestThreeOutcomes(t *testing.T) {
	lostClose := &Error{Op: "loyalty.CloseNewPayment", Code: CodeTransport, Err: io.EOF}
	if !IsLost(lostClose) || IsRefused(lostClose) || lostClose.Retryable() {
		t.Fatalf("lost close: lost %v refused %v retryable %v", IsLost(lostClose), IsRefused(lostClose), lostClose.Retryable())
	}
	for _, c := range []Code{CodeDecode, CodeTooLarge} {
		if e := (&Error{Code: c}); !IsLost(e) || e.Retryable() {
			t.Errorf("%v: want lost, not retryable", c)
		}
	}
	refused := &Error{Code: CodeInsufficientBalance, HTTPStatus: 200}
	if IsLost(refused) || !IsRefused(refused) || refused.Retryable() {
		t.Fatal("a relay refusal is refused, not retryable")
	}
	if e := (&Error{Code: CodeServerError, HTTPStatus: 200}); !e.Retryable() || !IsRefused(e) {
		t.Fatal("6000 is retryable")
	}
	if e := (&Error{Code: CodeHTTPStatus, HTTPStatus: 503, idempotent: true}); !e.Retryable() {
		t.Fatal("a 503 of a read is retryable")
	}
	if e := (&Error{Code: CodeHTTPStatus, HTTPStatus: 503}); e.Retryable() {
		t.Fatal("a 503 of a close is not retryable")
	}
	canceled := &Error{Op: "loyalty.Payment", Code: CodeCanceled, Err: context.Canceled}
	if !errors.Is(canceled, context.Canceled) || IsLost(canceled) || IsRefused(canceled) || canceled.Retryable() {
		t.Fatal("a cancelled call is the context's error only")
	}
	if !IsRefused(invalidInput("loyalty.Balance", "account", "bad")) {
		t.Fatal("invalid input is refused")
	}
}

func TestErrorStringDoesNotStutter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, _ := w.(http.Hijacker).Hijack()
		c.Close()
	}))
	defer srv.Close()
	c, err := NewClient(WithBaseURL(srv.URL), WithAccessKey(testKey), WithoutRetrySleep())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CloseNewPayment(context.Background(), testPaymentID, true)
	s := err.Error()
	if !IsLost(err) || strings.Count(s, "loyalty.") != 1 || strings.Count(strings.ToLower(s), "transport") != 1 {
		t.Fatalf("%q (lost %v)", s, IsLost(err))
	}
}
