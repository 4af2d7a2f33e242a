package loyalty

import (
	"errors"
	"fmt"
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
