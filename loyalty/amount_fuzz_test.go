package loyalty

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

var amountSeeds = []string{
	"", "0", "00", "1", "007", "+1", "-1", "1e18", "1E18", "1.5", ".", ".5", "5.",
	" 1", "1 ", "1,234.5", "1_000", "0x10", "١",
	"989500000000000000000",
	"18446744073709551615", "18446744073709551616",
	"340282366920938463463374607431768211456",
	"1234.0000000000000005678",
	"115792089237316195423570985008687907853269984665640564039457584007913129639935",
	"115792089237316195423570985008687907853269984665640564039457584007913129639936",
	"115792089237316195423570985008687907853269984665640564039457.584007913129639935",
	"115792089237316195423570985008687907853269984665640564039457.584007913129639936",
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range amountSeeds {
		f.Add(s)
	}
	f.Add(strings.Repeat("0", 90) + "1")
	f.Add(strings.Repeat("9", 79))
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAmount(s)
		allDigits := s != "" && strings.Trim(s, "0123456789") == ""
		var want *big.Int
		if allDigits {
			want, _ = new(big.Int).SetString(s, 10)
		}
		if err != nil {
			var ae *AmountError
			if !errors.As(err, &ae) {
				t.Fatalf("ParseAmount(%q): %T %v", s, err, err)
			}
			if want != nil && want.Cmp(maxBig) <= 0 {
				t.Fatalf("ParseAmount(%q) rejected a valid amount: %v", s, err)
			}
			if want != nil && ae.Reason != AmountTooLarge {
				t.Fatalf("ParseAmount(%q) reason %v, want TooLarge", s, ae.Reason)
			}
			return
		}
		if want == nil || want.Cmp(maxBig) > 0 {
			t.Fatalf("ParseAmount(%q) accepted: %v", s, a)
		}
		if a.ToBig().Cmp(want) != 0 || a.String() != want.String() {
			t.Fatalf("ParseAmount(%q) = %v, want %v", s, a, want)
		}
		b, err := ParseAmount(a.String())
		if err != nil || !b.Eq(a) {
			t.Fatalf("round trip of %q: %v %v", s, b, err)
		}
	})
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range amountSeeds {
		f.Add(s)
	}
	f.Add("0.0000000000000000009")
	f.Add(",.,")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseDecimal(s)
		want, ok := refParseDecimal(s)
		if err != nil {
			var ae *AmountError
			if !errors.As(err, &ae) {
				t.Fatalf("ParseDecimal(%q): %T %v", s, err, err)
			}
			if ok {
				t.Fatalf("ParseDecimal(%q) rejected, reference %v: %v", s, want, err)
			}
			return
		}
		if !ok || a.ToBig().Cmp(want) != 0 {
			t.Fatalf("ParseDecimal(%q) = %v, reference %v ok=%v", s, a, want, ok)
		}
		b, err := ParseDecimal(a.Decimal())
		if err != nil || !b.Eq(a) {
			t.Fatalf("round trip of %q via %q: %v %v", s, a.Decimal(), b, err)
		}
	})
}
