package loyalty

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/holiman/uint256"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// maxBig is 2^256-1.
var maxBig = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

var tenPow18 = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)

func bigOf(t testing.TB, s string) *big.Int {
	t.Helper()
	x, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("bad big literal %q", s)
	}
	return x
}

// genBig draws values over the whole uint256 range, biased towards the edges:
// small numbers, numbers of every bit length, and numbers near 2^256-1.
func genBig() *rapid.Generator[*big.Int] {
	return rapid.Custom(func(t *rapid.T) *big.Int {
		x := new(big.Int)
		for i := 0; i < 4; i++ {
			x.Lsh(x, 64)
			x.Or(x, new(big.Int).SetUint64(rapid.Uint64().Draw(t, "limb")))
		}
		switch rapid.IntRange(0, 3).Draw(t, "kind") {
		case 0: // random bit length
			n := rapid.IntRange(0, 256).Draw(t, "bits")
			mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(n)), big.NewInt(1))
			x.And(x, mask)
		case 1: // full width
		case 2: // just below the top
			x.Sub(maxBig, new(big.Int).SetUint64(rapid.Uint64Range(0, 1<<20).Draw(t, "gap")))
		case 3: // small
			x.SetUint64(rapid.Uint64Range(0, 1<<20).Draw(t, "small"))
		}
		return x
	})
}

func genAmount() *rapid.Generator[Amount] {
	return rapid.Map(genBig(), func(x *big.Int) Amount {
		a, err := FromBig(x)
		if err != nil {
			panic(err)
		}
		return a
	})
}

// fataler is what testing.TB and *rapid.T share.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func reasonOf(t fataler, err error) AmountErrorReason {
	t.Helper()
	var ae *AmountError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *AmountError", err, err)
	}
	return ae.Reason
}

func TestParseAmountValid(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"000", "0"},
		{"7", "7"},
		{"007", "7"},
		{"18446744073709551615", "18446744073709551615"},
		{"18446744073709551616", "18446744073709551616"},
		{"989500000000000000000", "989500000000000000000"},
		{"340282366920938463463374607431768211455", "340282366920938463463374607431768211455"},
		{"340282366920938463463374607431768211456", "340282366920938463463374607431768211456"},
		{maxBig.String(), maxBig.String()},
		{strings.Repeat("0", 100) + maxBig.String(), maxBig.String()},
		{strings.Repeat("0", 200), "0"},
	}
	for _, tc := range tests {
		a, err := ParseAmount(tc.in)
		if err != nil {
			t.Errorf("ParseAmount(%q): %v", tc.in, err)
			continue
		}
		if got := a.String(); got != tc.want {
			t.Errorf("ParseAmount(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
		if a.ToBig().Cmp(bigOf(t, tc.want)) != 0 {
			t.Errorf("ParseAmount(%q).ToBig() = %v", tc.in, a.ToBig())
		}
	}
}

func TestParseAmountErrors(t *testing.T) {
	tooBig := new(big.Int).Add(maxBig, big.NewInt(1)).String()
	tests := []struct {
		in   string
		want AmountErrorReason
	}{
		{"", AmountEmpty},
		{"+1", AmountSign},
		{"-1", AmountSign},
		{"-0", AmountSign},
		{"1-", AmountSign},
		{"1e18", AmountExponent},
		{"1E18", AmountExponent},
		{"1.5", AmountFraction},
		{"1.", AmountFraction},
		{".", AmountFraction},
		{"1 ", AmountWhitespace},
		{" 1", AmountWhitespace},
		{"1\t2", AmountWhitespace},
		{"1\n", AmountWhitespace},
		{"12a", AmountNotDigit},
		{"0x10", AmountNotDigit},
		{"1,000", AmountNotDigit},
		{"1_000", AmountNotDigit},
		{"١", AmountNotDigit},
		{"123456789012345678901234567890x", AmountNotDigit},
		{tooBig, AmountTooLarge},
		{strings.Repeat("9", 79), AmountTooLarge},
		{strings.Repeat("1", 500), AmountTooLarge},
		{strings.Repeat("9", 100) + "-", AmountSign}, // bad bytes win over size
	}
	for _, tc := range tests {
		a, err := ParseAmount(tc.in)
		if err == nil {
			t.Errorf("ParseAmount(%q) = %v, want error %v", tc.in, a, tc.want)
			continue
		}
		if got := reasonOf(t, err); got != tc.want {
			t.Errorf("ParseAmount(%q) reason %v, want %v", tc.in, got, tc.want)
		}
		if !a.IsZero() {
			t.Errorf("ParseAmount(%q) returned non-zero %v with error", tc.in, a)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "loyalty: invalid amount ") || !strings.HasSuffix(msg, ": "+tc.want.String()) {
			t.Errorf("ParseAmount(%q) error text %q", tc.in, msg)
		}
		var ae *AmountError
		errors.As(err, &ae)
		if len(ae.Input) > maxInputDisplay+len("…") {
			t.Errorf("ParseAmount(%q): Input %q longer than %d bytes", tc.in, ae.Input, maxInputDisplay)
		}
		if len(tc.in) <= maxInputDisplay && ae.Input != tc.in {
			t.Errorf("ParseAmount(%q): Input %q", tc.in, ae.Input)
		}
		if ae.Op != "ParseAmount" {
			t.Errorf("Op = %q", ae.Op)
		}
	}
}

func TestAmountErrorText(t *testing.T) {
	_, err := ParseAmount("-1")
	if got, want := err.Error(), `loyalty: invalid amount "-1": sign not allowed`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	long := strings.Repeat("é", 30) // 60 bytes; a cut must not split a rune
	_, err = ParseAmount(long)
	var ae *AmountError
	if !errors.As(err, &ae) {
		t.Fatal("not an *AmountError")
	}
	if !strings.HasSuffix(ae.Input, "…") || !strings.HasPrefix(long, strings.TrimSuffix(ae.Input, "…")) {
		t.Errorf("Input = %q", ae.Input)
	}
	if n := len(strings.TrimSuffix(ae.Input, "…")); n > maxInputDisplay || n%2 != 0 {
		t.Errorf("cut at %d bytes", n)
	}
	_, err = FromBaseUnits(1).Sub(FromBaseUnits(2))
	if got, want := err.Error(), "loyalty: amount Sub: underflow (result below zero)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// control bytes are escaped in the message
	_, err = ParseAmount("1\x00")
	if strings.ContainsRune(err.Error(), 0) {
		t.Errorf("raw NUL in %q", err.Error())
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"1", "1000000000000000000"},
		{"1,234.5", "1234500000000000000000"},
		{"1_234.5", "1234500000000000000000"},
		{"1234.0000000000000005678", "1234000000000000000567"},
		{"0.000000000000000001", "1"},
		{"0.0000000000000000009", "0"},
		{"0.999999999999999999999", "999999999999999999"},
		{".5", "500000000000000000"},
		{"5.", "5000000000000000000"},
		{"0.1,2", "120000000000000000"},
		{"000.000", "0"},
		{",1,", "1000000000000000000"},
		{"115792089237316195423570985008687907853269984665640564039457.584007913129639935", maxBig.String()},
		{"115792089237316195423570985008687907853269984665640564039457.5840079131296399359999", maxBig.String()},
	}
	for _, tc := range tests {
		a, err := ParseDecimal(tc.in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", tc.in, err)
			continue
		}
		if got := a.String(); got != tc.want {
			t.Errorf("ParseDecimal(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseDecimalErrors(t *testing.T) {
	tests := []struct {
		in   string
		want AmountErrorReason
	}{
		{"", AmountEmpty},
		{",", AmountEmpty},
		{"_,_", AmountEmpty},
		{".", AmountFraction},
		{",.,", AmountFraction},
		{"1.2.3", AmountFraction},
		{"-1", AmountSign},
		{"+1", AmountSign},
		{"1e3", AmountExponent},
		{"1.5E3", AmountExponent},
		{" 1", AmountWhitespace},
		{"1 000", AmountWhitespace},
		{"1a", AmountNotDigit},
		{"1.00000000000000000000x", AmountNotDigit}, // dropped digits are still checked
		{"115792089237316195423570985008687907853269984665640564039457.584007913129639936", AmountTooLarge},
		{"115792089237316195423570985008687907853269984665640564039458", AmountTooLarge},
		{strings.Repeat("9", 100), AmountTooLarge},
	}
	for _, tc := range tests {
		a, err := ParseDecimal(tc.in)
		if err == nil {
			t.Errorf("ParseDecimal(%q) = %v, want error %v", tc.in, a, tc.want)
			continue
		}
		if got := reasonOf(t, err); got != tc.want {
			t.Errorf("ParseDecimal(%q) reason %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestDecimalFormat(t *testing.T) {
	tests := []struct {
		in   Amount
		want string
	}{
		{Amount{}, "0"},
		{FromBaseUnits(1), "0.000000000000000001"},
		{FromBaseUnits(10), "0.00000000000000001"},
		{FromBaseUnits(999999999999999999), "0.999999999999999999"},
		{FromWhole(1), "1"},
		{FromWhole(1000), "1000"},
		{MustParseAmount("1234500000000000000000"), "1234.5"},
		{MustParseAmount("1234000000000000000567"), "1234.000000000000000567"},
		{MustParseAmount(maxBig.String()), "115792089237316195423570985008687907853269984665640564039457.584007913129639935"},
	}
	for _, tc := range tests {
		if got := tc.in.Decimal(); got != tc.want {
			t.Errorf("%s.Decimal() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestConstructors(t *testing.T) {
	if got := FromBaseUnits(42).String(); got != "42" {
		t.Errorf("FromBaseUnits(42) = %s", got)
	}
	if got := FromWhole(1).String(); got != "1000000000000000000" {
		t.Errorf("FromWhole(1) = %s", got)
	}
	maxU := ^uint64(0)
	want := new(big.Int).Mul(new(big.Int).SetUint64(maxU), tenPow18)
	if got := FromWhole(maxU).ToBig(); got.Cmp(want) != 0 {
		t.Errorf("FromWhole(max) = %v, want %v", got, want)
	}
	var zero Amount
	if !zero.IsZero() || zero.String() != "0" || FromBaseUnits(1).IsZero() {
		t.Error("zero value")
	}
	u := *uint256.NewInt(77)
	if a := AmountFromUint256(u); a.String() != "77" || a.Uint256() != u {
		t.Error("uint256 round trip")
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParseAmount did not panic")
		}
	}()
	MustParseAmount("x")
}

func TestFromBig(t *testing.T) {
	if a, err := FromBig(nil); err != nil || !a.IsZero() {
		t.Errorf("FromBig(nil) = %v, %v", a, err)
	}
	if _, err := FromBig(big.NewInt(-1)); reasonOf(t, err) != AmountNegative {
		t.Errorf("FromBig(-1) reason %v", reasonOf(t, err))
	}
	over := new(big.Int).Add(maxBig, big.NewInt(1))
	if _, err := FromBig(over); reasonOf(t, err) != AmountTooLarge {
		t.Errorf("FromBig(2^256) reason %v", reasonOf(t, err))
	}
	x := bigOf(t, "989500000000000000000")
	a, err := FromBig(x)
	if err != nil || a.String() != x.String() {
		t.Errorf("FromBig = %v, %v", a, err)
	}
	// ToBig returns a fresh value
	b := a.ToBig()
	b.SetInt64(1)
	if a.String() != x.String() {
		t.Error("ToBig aliases the amount")
	}
}

func TestFromDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = error
		r    AmountErrorReason
	}{
		{"0", "0", 0},
		{"1", "1000000000000000000", 0},
		{"1.5", "1500000000000000000", 0},
		{"1234.0000000000000005678", "1234000000000000000567", 0},
		{"0.0000000000000000019", "1", 0},
		{"1e-100", "0", 0},
		{"123e40", "1230000000000000000000000000000000000000000000000000000000000", 0},
		{"0e1000", "0", 0},
		{"115792089237316195423570985008687907853269984665640564039457.584007913129639935", maxBig.String(), 0},
		{"115792089237316195423570985008687907853269984665640564039457.584007913129639936", "", AmountTooLarge},
		{"1e100", "", AmountTooLarge},
		{"-1", "", AmountNegative},
		{"-0.0000000000000000001", "", AmountNegative},
	}
	for _, tc := range tests {
		d, err := decimal.NewFromString(tc.in)
		if err != nil {
			t.Fatalf("decimal %q: %v", tc.in, err)
		}
		a, err := FromDecimal(d)
		if tc.want == "" {
			if err == nil {
				t.Errorf("FromDecimal(%s) = %v, want error", tc.in, a)
			} else if got := reasonOf(t, err); got != tc.r {
				t.Errorf("FromDecimal(%s) reason %v, want %v", tc.in, got, tc.r)
			}
			continue
		}
		if err != nil || a.String() != tc.want {
			t.Errorf("FromDecimal(%s) = %v, %v; want %s", tc.in, a, err, tc.want)
		}
	}
	if a, err := FromDecimal(decimal.New(7, math.MinInt32)); err != nil || !a.IsZero() {
		t.Errorf("FromDecimal(7e-2147483648) = %v, %v", a, err)
	}
	if _, err := FromDecimal(decimal.New(7, math.MaxInt32)); reasonOf(t, err) != AmountTooLarge || !strings.Contains(err.Error(), `"7e2147483647"`) {
		t.Errorf("FromDecimal(7e2147483647): %v", err)
	}
	if _, err := FromDecimal(decimal.New(-7, math.MinInt32)); reasonOf(t, err) != AmountNegative {
		t.Errorf("FromDecimal(-7e-2147483648): %v", err)
	}
	if got := MustParseAmount("1234500000000000000000").ToDecimal().String(); got != "1234.5" {
		t.Errorf("ToDecimal = %s", got)
	}
}

func TestJSON(t *testing.T) {
	type doc struct {
		A Amount  `json:"a"`
		B *Amount `json:"b,omitempty"`
	}
	a := MustParseAmount("989500000000000000000")
	out, err := json.Marshal(doc{A: a})
	if err != nil || string(out) != `{"a":"989500000000000000000"}` {
		t.Fatalf("Marshal = %s, %v", out, err)
	}
	good := []struct{ in, want string }{
		{`{"a":"989500000000000000000"}`, "989500000000000000000"},
		{`{"a":989500000000000000000}`, "989500000000000000000"},
		{`{"a":0}`, "0"},
		{`{"a":"007"}`, "7"},
		{`{"a":"\u0031\u0032"}`, "12"},
		{`{"a":` + maxBig.String() + `}`, maxBig.String()},
	}
	for _, tc := range good {
		var d doc
		if err := json.Unmarshal([]byte(tc.in), &d); err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		if d.A.String() != tc.want {
			t.Errorf("Unmarshal(%s) = %s, want %s", tc.in, d.A, tc.want)
		}
	}
	bad := []struct {
		in   string
		want AmountErrorReason
	}{
		{`{"a":1.5}`, AmountFraction},
		{`{"a":1e18}`, AmountExponent},
		{`{"a":1E+18}`, AmountExponent},
		{`{"a":-1}`, AmountSign},
		{`{"a":"-1"}`, AmountSign},
		{`{"a":"1.0"}`, AmountFraction},
		{`{"a":""}`, AmountEmpty},
		{`{"a":" 1"}`, AmountWhitespace},
		{`{"a":"\u002d1"}`, AmountSign},
		{`{"a":true}`, AmountNotDigit},
		{`{"a":{}}`, AmountNotDigit},
		{`{"a":"` + new(big.Int).Add(maxBig, big.NewInt(1)).String() + `"}`, AmountTooLarge},
	}
	for _, tc := range bad {
		var d doc
		err := json.Unmarshal([]byte(tc.in), &d)
		if err == nil {
			t.Errorf("Unmarshal(%s) = %v, want error", tc.in, d.A)
			continue
		}
		if got := reasonOf(t, err); got != tc.want {
			t.Errorf("Unmarshal(%s) reason %v, want %v", tc.in, got, tc.want)
		}
	}
	// null is a no-op: a fresh amount stays zero, a set one keeps its value.
	d := doc{A: a}
	if err := json.Unmarshal([]byte(`{"a":null,"b":null}`), &d); err != nil || !d.A.Eq(a) || d.B != nil {
		t.Errorf("null: %v %v %v", d.A, d.B, err)
	}
	var z Amount
	if err := z.UnmarshalJSON([]byte("null")); err != nil || !z.IsZero() {
		t.Errorf("null on zero: %v %v", z, err)
	}
	// direct calls with malformed input
	for _, in := range []string{`"`, `"12`, ``} {
		if err := z.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("UnmarshalJSON(%q) accepted", in)
		}
	}
}

func TestText(t *testing.T) {
	a := MustParseAmount("123456789012345678901234567890")
	b, err := a.MarshalText()
	if err != nil || string(b) != a.String() {
		t.Fatalf("MarshalText = %s, %v", b, err)
	}
	var c Amount
	if err := c.UnmarshalText(b); err != nil || !c.Eq(a) {
		t.Fatalf("UnmarshalText = %v, %v", c, err)
	}
	if err := c.UnmarshalText([]byte("1.5")); reasonOf(t, err) != AmountFraction {
		t.Error("UnmarshalText(1.5)")
	}
	if !c.Eq(a) {
		t.Error("failed UnmarshalText changed the value")
	}
	// as a map key
	m := map[Amount]int{a: 1}
	out, err := json.Marshal(m)
	if err != nil || string(out) != `{"123456789012345678901234567890":1}` {
		t.Errorf("map key: %s %v", out, err)
	}
}

func TestMulDivErrors(t *testing.T) {
	if _, err := FromBaseUnits(0).MulDiv(FromBaseUnits(1), Amount{}); reasonOf(t, err) != AmountDivByZero {
		t.Error("div by zero with a zero numerator")
	}
	max := MustParseAmount(maxBig.String())
	if _, err := max.MulDiv(FromBaseUnits(2), FromBaseUnits(1)); reasonOf(t, err) != AmountOverflow {
		t.Error("overflow")
	}
	got, err := max.MulDiv(max, max)
	if err != nil || !got.Eq(max) {
		t.Errorf("max*max/max = %v, %v", got, err)
	}
	if _, err := max.Add(FromBaseUnits(1)); reasonOf(t, err) != AmountOverflow {
		t.Error("Add overflow")
	}
}

func TestPropertyWireRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := genBig().Draw(t, "x")
		zeros := rapid.IntRange(0, 3).Draw(t, "zeros")
		s := strings.Repeat("0", zeros) + x.String()
		a, err := ParseAmount(s)
		if err != nil {
			t.Fatalf("ParseAmount(%q): %v", s, err)
		}
		if a.String() != x.String() || a.ToBig().Cmp(x) != 0 {
			t.Fatalf("ParseAmount(%q) = %s", s, a)
		}
		var j Amount
		b, _ := json.Marshal(a)
		if err := json.Unmarshal(b, &j); err != nil || !j.Eq(a) {
			t.Fatalf("JSON round trip %s: %v %v", b, j, err)
		}
		if err := json.Unmarshal([]byte(x.String()), &j); err != nil || !j.Eq(a) {
			t.Fatalf("JSON number %s: %v %v", x, j, err)
		}
		u := a.Uint256()
		if u.ToBig().Cmp(x) != 0 {
			t.Fatal("Uint256 disagrees")
		}
		d, err := FromDecimal(a.ToDecimal())
		if err != nil || !d.Eq(a) {
			t.Fatalf("decimal round trip: %v %v", d, err)
		}
		// one above the top is rejected
		over := new(big.Int).Add(x, new(big.Int).Add(maxBig, big.NewInt(1)))
		if _, err := ParseAmount(over.String()); err == nil || reasonOf(t, err) != AmountTooLarge {
			t.Fatalf("ParseAmount(%s) accepted", over)
		}
	})
}

// refParseDecimal is the official SDK's algorithm on big.Int: drop ',' and
// '_', split at '.', cut the fraction to 18 digits, pad, add. It reports ok
// false for input the SDK would also choke on or we reject by rule.
func refParseDecimal(s string) (*big.Int, bool) {
	s = strings.NewReplacer(",", "", "_", "").Replace(s)
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return nil, false
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return nil, false
		}
	}
	_ = hasPoint
	if len(frac) > 18 {
		frac = frac[:18]
	}
	frac += strings.Repeat("0", 18-len(frac))
	x, ok := new(big.Int).SetString("0"+intPart+frac, 10)
	if !ok || x.Cmp(maxBig) > 0 {
		return nil, false
	}
	return x, true
}

func TestPropertyDecimal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := genAmount().Draw(t, "a")
		s := a.Decimal()
		b, err := ParseDecimal(s)
		if err != nil || !b.Eq(a) {
			t.Fatalf("ParseDecimal(%q) = %v, %v; want %v", s, b, err, a)
		}
		if strings.Contains(s, ".") && strings.HasSuffix(s, "0") {
			t.Fatalf("trailing zero in %q", s)
		}
		x, _ := refParseDecimal(s)
		if x.Cmp(a.ToBig()) != 0 {
			t.Fatalf("reference disagrees on %q", s)
		}
	})
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.StringMatching(`[0-9,_]{0,85}(\.[0-9,_]{0,30})?`).Draw(t, "s")
		a, err := ParseDecimal(s)
		want, ok := refParseDecimal(s)
		if ok != (err == nil) {
			t.Fatalf("ParseDecimal(%q) = %v, %v; reference ok=%v", s, a, err, ok)
		}
		if ok && a.ToBig().Cmp(want) != 0 {
			t.Fatalf("ParseDecimal(%q) = %v, want %v", s, a, want)
		}
	})
}

func TestPropertyArithmetic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x, y, z := genBig().Draw(t, "x"), genBig().Draw(t, "y"), genBig().Draw(t, "z")
		a, _ := FromBig(x)
		b, _ := FromBig(y)
		c, _ := FromBig(z)

		if got, want := a.Cmp(b), x.Cmp(y); got != want {
			t.Fatalf("Cmp = %d, want %d", got, want)
		}
		if a.Eq(b) != (x.Cmp(y) == 0) || a.Lt(b) != (x.Cmp(y) < 0) || a.Gt(b) != (x.Cmp(y) > 0) {
			t.Fatal("Eq/Lt/Gt disagree with Cmp")
		}

		sum := new(big.Int).Add(x, y)
		s, err := a.Add(b)
		if sum.Cmp(maxBig) > 0 {
			if err == nil || reasonOf(t, err) != AmountOverflow {
				t.Fatalf("Add: want overflow, got %v %v", s, err)
			}
		} else if err != nil || s.ToBig().Cmp(sum) != 0 {
			t.Fatalf("Add = %v %v, want %v", s, err, sum)
		}

		diff := new(big.Int).Sub(x, y)
		d, err := a.Sub(b)
		if diff.Sign() < 0 {
			if err == nil || reasonOf(t, err) != AmountUnderflow {
				t.Fatalf("Sub: want underflow, got %v %v", d, err)
			}
		} else if err != nil || d.ToBig().Cmp(diff) != 0 {
			t.Fatalf("Sub = %v %v, want %v", d, err, diff)
		}

		m, err := a.MulDiv(b, c)
		switch {
		case z.Sign() == 0:
			if err == nil || reasonOf(t, err) != AmountDivByZero {
				t.Fatalf("MulDiv by 0: %v %v", m, err)
			}
		default:
			q := new(big.Int).Mul(x, y)
			q.Quo(q, z)
			if q.Cmp(maxBig) > 0 {
				if err == nil || reasonOf(t, err) != AmountOverflow {
					t.Fatalf("MulDiv: want overflow, got %v %v", m, err)
				}
			} else if err != nil || m.ToBig().Cmp(q) != 0 {
				t.Fatalf("MulDiv = %v %v, want %v", m, err, q)
			}
		}
	})
}
