package loyalty

import (
	"strings"
	"testing"

	"github.com/poskit/poskit/internal/loyaltywire"
)

func TestValidators(t *testing.T) {
	h40 := strings.Repeat("a", 40)
	h64 := strings.Repeat("F", 64)
	h130 := strings.Repeat("0", 130)
	cases := []struct {
		fn   func(string) bool
		in   string
		want bool
	}{
		{IsAccount, "0x" + h40, true},
		{IsAccount, "0X" + h40, true},
		{IsAccount, h40, false},
		{IsAccount, "0x" + h40[1:], false},
		{IsAccount, "0x" + h40[1:] + "g", false},
		{IsAccount, "", false},
		{IsBytes32, "0x" + h64, true},
		{IsBytes32, "0x" + h64 + "0", false},
		{IsBytes32, "0x" + h40, false},
		{IsSignature, "0x" + h130, true},
		{IsSignature, "0x" + h130[2:], false},
	}
	for _, c := range cases {
		if got := c.fn(c.in); got != c.want {
			t.Errorf("%q: got %v want %v", c.in, got, c.want)
		}
	}
	err := checkSignature("loyalty.ApproveNewPayment", "0xsecret-signature")
	if !IsInvalidInput(err) || strings.Contains(err.Error(), "secret-signature") {
		t.Fatalf("signature error must be invalid input and not echo the value: %v", err)
	}
	e := checkBytes32("loyalty.Payment", loyaltywire.ParamPaymentID, "nope").(*Error)
	if e.Field != loyaltywire.ParamPaymentID || e.Code != CodeInvalidInput {
		t.Fatalf("field %q code %v", e.Field, e.Code)
	}
	if checkNonEmpty("op", loyaltywire.ParamPurchaseID, "  ") == nil || checkNonEmpty("op", loyaltywire.ParamPurchaseID, "P1") != nil {
		t.Fatal("checkNonEmpty")
	}
	zero, _ := ParseAmount("0")
	one, _ := ParseAmount("1")
	if checkPositive("op", loyaltywire.ParamAmount, zero) == nil || checkPositive("op", loyaltywire.ParamAmount, one) != nil {
		t.Fatal("checkPositive")
	}
}
