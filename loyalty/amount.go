package loyalty

import (
	"encoding/json"
	"math/bits"
	"unicode/utf8"

	"github.com/holiman/uint256"
)

// Amount is an exact, non-negative count of 10⁻¹⁸ units over the full uint256
// range [0, 2²⁵⁶−1]. It is how the relay moves every amount: "1 KRW" is
// 1 000 000 000 000 000 000 units.
//
// Amount is a small value type (32 bytes); the zero value is 0 and is ready to
// use. It is never a float: parsing, formatting and arithmetic are exact, and
// every operation that could leave the range returns an *AmountError.
//
// The wire form (String, MarshalJSON, MarshalText) is a decimal integer string
// of units, e.g. "989500000000000000000". The human form (Decimal, ParseDecimal)
// is the value in whole units with up to 18 decimals, e.g. "989.5".
//
// Build a price or a balance in whole won or points with FromWhole (FromWhole(12000) is
// 12,000 KRW), a fractional one with ParseDecimal, and a count of base units with
// FromBaseUnits.
type Amount struct{ v uint256.Int }

// AmountDecimals is the number of decimal places of an Amount: one whole unit
// (1 KRW, 1 point) is 10^AmountDecimals units of an Amount.
const AmountDecimals = 18

// maxAmountDigits is the number of decimal digits of 2²⁵⁶−1.
const maxAmountDigits = 78

// maxInputDisplay is how many bytes of a rejected input an *AmountError keeps.
const maxInputDisplay = 40

const (
	pow10_9  = 1_000_000_000
	pow10_18 = 1_000_000_000_000_000_000
	pow10_19 = 10_000_000_000_000_000_000
)

var pow10u64 = [20]uint64{
	1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
	10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000,
	100_000_000_000_000, 1_000_000_000_000_000, 10_000_000_000_000_000,
	100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
}

// AmountErrorReason tells why an amount was rejected.
type AmountErrorReason uint8

// Reasons an *AmountError carries.
const (
	// AmountEmpty: the input holds no digits.
	AmountEmpty AmountErrorReason = iota + 1
	// AmountSign: a '+' or '-' sign; amounts are unsigned and carry no sign.
	AmountSign
	// AmountExponent: an exponent ('e' or 'E'); amounts are written out in full.
	AmountExponent
	// AmountFraction: a decimal point where none is allowed (any in the wire
	// form, a second one or a lone "." in the human form).
	AmountFraction
	// AmountNotDigit: a byte that is not a decimal digit.
	AmountNotDigit
	// AmountWhitespace: a space, tab or line break.
	AmountWhitespace
	// AmountTooLarge: the value exceeds 2²⁵⁶−1.
	AmountTooLarge
	// AmountNegative: a negative big.Int or decimal.Decimal.
	AmountNegative
	// AmountOverflow: the result of Add or MulDiv exceeds 2²⁵⁶−1.
	AmountOverflow
	// AmountUnderflow: Sub would go below zero.
	AmountUnderflow
	// AmountDivByZero: MulDiv by zero.
	AmountDivByZero
)

// String returns the reason as the short phrase Error uses.
func (r AmountErrorReason) String() string {
	switch r {
	case AmountEmpty:
		return "empty"
	case AmountSign:
		return "sign not allowed"
	case AmountExponent:
		return "exponent not allowed"
	case AmountFraction:
		return "decimal point not allowed"
	case AmountNotDigit:
		return "not a decimal digit"
	case AmountWhitespace:
		return "whitespace not allowed"
	case AmountTooLarge:
		return "exceeds 2^256-1"
	case AmountNegative:
		return "negative"
	case AmountOverflow:
		return "overflow"
	case AmountUnderflow:
		return "underflow (result below zero)"
	case AmountDivByZero:
		return "division by zero"
	}
	return "invalid"
}

func (r AmountErrorReason) arithmetic() bool {
	return r == AmountOverflow || r == AmountUnderflow || r == AmountDivByZero
}

// AmountError is the error of every Amount parser, conversion and checked
// operation. Use errors.As to read the Reason.
type AmountError struct {
	// Op is the function that failed, e.g. "ParseAmount", "UnmarshalJSON", "Sub".
	Op string
	// Input is the rejected input, cut to 40 bytes (and "…") for display; empty
	// for arithmetic errors.
	Input string
	// Reason tells what is wrong.
	Reason AmountErrorReason
}

// Error returns e.g. `loyalty: invalid amount "-1": sign not allowed` or, for
// arithmetic, `loyalty: amount Sub: underflow (result below zero)`.
func (e *AmountError) Error() string {
	if e.Reason.arithmetic() {
		return "loyalty: amount " + e.Op + ": " + e.Reason.String()
	}
	b := make([]byte, 0, 48+len(e.Input))
	b = append(b, "loyalty: invalid amount "...)
	b = appendQuoted(b, e.Input)
	b = append(b, ": "...)
	b = append(b, e.Reason.String()...)
	return string(b)
}

func appendQuoted(b []byte, s string) []byte {
	bs, _ := json.Marshal(s) // never fails for a string; escapes control bytes
	return append(b, bs...)
}

func newAmountError(op, input string, r AmountErrorReason) *AmountError {
	return &AmountError{Op: op, Input: cutDisplay(input), Reason: r}
}

// cutDisplay cuts s to at most 40 bytes, on a rune boundary, marking the cut
// with "…".
func cutDisplay(s string) string {
	if len(s) <= maxInputDisplay {
		return s
	}
	n := maxInputDisplay
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// classify tells why byte c is not allowed in a digit string.
func classify(c byte) AmountErrorReason {
	switch c {
	case '+', '-':
		return AmountSign
	case 'e', 'E':
		return AmountExponent
	case '.':
		return AmountFraction
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return AmountWhitespace
	}
	return AmountNotDigit
}

// mulAdd sets z = z*m + add and returns the carry out of 256 bits.
func mulAdd(z *uint256.Int, m, add uint64) uint64 {
	carry := add
	for i := 0; i < 4; i++ {
		hi, lo := bits.Mul64(z[i], m)
		var c uint64
		lo, c = bits.Add64(lo, carry, 0)
		z[i] = lo
		carry = hi + c
	}
	return carry
}

// parseWire parses a string of decimal digits into z. It returns 0 or why the
// string is not a wire amount. Bad bytes are reported before size.
func parseWire[T string | []byte](z *uint256.Int, s T) AmountErrorReason {
	n := len(s)
	if n == 0 {
		return AmountEmpty
	}
	if n <= 19 { // fits in a uint64
		var x uint64
		for i := 0; i < n; i++ {
			d := s[i] - '0'
			if d > 9 {
				return classify(s[i])
			}
			x = x*10 + uint64(d)
		}
		*z = uint256.Int{x}
		return 0
	}
	// First chunk holds n%19 digits (or 19), then full chunks of 19 digits,
	// each folded in as z = z*10^19 + chunk.
	*z = uint256.Int{}
	over := false
	first := n % 19
	if first == 0 {
		first = 19
	}
	i := 0
	for end := first; end <= n; end += 19 {
		var x uint64
		for ; i < end; i++ {
			d := s[i] - '0'
			if d > 9 {
				return classify(s[i])
			}
			x = x*10 + uint64(d)
		}
		if z[3]|z[2]|z[1] == 0 && z[0] == 0 {
			z[0] = x
		} else if mulAdd(z, pow10_19, x) != 0 {
			over = true
		}
	}
	if over {
		return AmountTooLarge
	}
	return 0
}

// ParseAmount parses the wire form of an amount: a decimal integer string of
// 10⁻¹⁸ units, e.g. "989500000000000000000". Leading zeros are allowed ("0",
// "007"). It rejects, with an *AmountError, an empty string, a sign, an
// exponent, a decimal point, whitespace, any other non-digit, and values above
// 2²⁵⁶−1.
func ParseAmount(wire string) (Amount, error) {
	var a Amount
	if r := parseWire(&a.v, wire); r != 0 {
		return Amount{}, newAmountError("ParseAmount", wire, r)
	}
	return a, nil
}

// MustParseAmount is ParseAmount that panics on error; for constants and tests.
func MustParseAmount(wire string) Amount {
	a, err := ParseAmount(wire)
	if err != nil {
		panic(err)
	}
	return a
}

// decAcc accumulates decimal digits into a uint256 in chunks of up to 19.
type decAcc struct {
	z    uint256.Int
	x    uint64
	n    int
	over bool
}

func (a *decAcc) digit(d byte) {
	a.x = a.x*10 + uint64(d)
	a.n++
	if a.n == 19 {
		a.flush()
	}
}

func (a *decAcc) flush() {
	if a.n == 0 {
		return
	}
	if mulAdd(&a.z, pow10u64[a.n], a.x) != 0 {
		a.over = true
	}
	a.x, a.n = 0, 0
}

// ParseDecimal parses the human form of an amount in whole units, as the
// official SDKs do, and returns it ×10¹⁸: "1,234.5" is 1234500000000000000000
// units. Rules:
//   - ',' and '_' are ignored wherever they appear;
//   - at most one decimal point; ".5" (0.5) and "5." (5) are accepted, a lone
//     "." is not;
//   - digits beyond the 18th decimal are dropped (truncated, never rounded):
//     "1234.0000000000000005678" is 1234000000000000000567 units, but they
//     must still be digits;
//   - an empty string or one with no digits, a sign, an exponent, whitespace,
//     any other byte and a value above 2²⁵⁶−1 units are rejected with an
//     *AmountError. (The TypeScript SDK reads "" as 0; this one does not.)
func ParseDecimal(s string) (Amount, error) {
	var acc decAcc
	digits := 0
	frac := -1 // digits seen after the point; -1 before the point
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if frac < 0 {
				acc.digit(c - '0')
			} else {
				if frac < AmountDecimals {
					acc.digit(c - '0')
				}
				frac++
			}
		case c == ',' || c == '_':
		case c == '.' && frac < 0:
			frac = 0
		default:
			return Amount{}, newAmountError("ParseDecimal", s, classify(c))
		}
	}
	if digits == 0 {
		if frac >= 0 {
			return Amount{}, newAmountError("ParseDecimal", s, AmountFraction)
		}
		return Amount{}, newAmountError("ParseDecimal", s, AmountEmpty)
	}
	if frac < 0 {
		frac = 0
	}
	for pad := frac; pad < AmountDecimals; pad++ {
		acc.digit(0)
	}
	acc.flush()
	if acc.over {
		return Amount{}, newAmountError("ParseDecimal", s, AmountTooLarge)
	}
	return Amount{v: acc.z}, nil
}

// FromBaseUnits returns an amount of n base units of 10⁻¹⁸ each, as the wire counts them:
// FromBaseUnits(12000) is 0.000000000000012 KRW, not 12,000 KRW (that is FromWhole(12000)).
// Use it for values already in base units, such as a rate (FromBaseUnits(RateOne)) or a
// count read from the wire.
func FromBaseUnits(n uint64) Amount { return Amount{v: uint256.Int{n}} }

// FromWhole returns n whole units (n × 10¹⁸) of a currency or of points: FromWhole(12000)
// is 12,000 KRW, or 12,000 points. It is the constructor for prices and balances; use
// ParseDecimal for a fraction ("12000.5") and FromBaseUnits for a wire count.
func FromWhole(n uint64) Amount {
	hi, lo := bits.Mul64(n, pow10_18)
	return Amount{v: uint256.Int{lo, hi}}
}

// AmountFromUint256 returns the amount holding v units.
func AmountFromUint256(v uint256.Int) Amount { return Amount{v: v} }

// Uint256 returns the amount's units as a uint256.Int (a copy).
func (a Amount) Uint256() uint256.Int { return a.v }

// IsZero reports whether the amount is 0.
func (a Amount) IsZero() bool { return a.v.IsZero() }

// Cmp returns -1, 0 or +1 when a is less than, equal to or greater than b.
func (a Amount) Cmp(b Amount) int { return a.v.Cmp(&b.v) }

// Eq reports whether a == b.
func (a Amount) Eq(b Amount) bool { return a.v == b.v }

// Lt reports whether a < b.
func (a Amount) Lt(b Amount) bool { return a.v.Lt(&b.v) }

// Gt reports whether a > b.
func (a Amount) Gt(b Amount) bool { return a.v.Gt(&b.v) }

// Add returns a + b, or an *AmountError (AmountOverflow) above 2²⁵⁶−1.
func (a Amount) Add(b Amount) (Amount, error) {
	var z Amount
	if _, over := z.v.AddOverflow(&a.v, &b.v); over {
		return Amount{}, &AmountError{Op: "Add", Reason: AmountOverflow}
	}
	return z, nil
}

// Sub returns a − b, or an *AmountError (AmountUnderflow) when b > a.
func (a Amount) Sub(b Amount) (Amount, error) {
	var z Amount
	if _, under := z.v.SubOverflow(&a.v, &b.v); under {
		return Amount{}, &AmountError{Op: "Sub", Reason: AmountUnderflow}
	}
	return z, nil
}

// MulDiv returns floor(a × mul / div), computed with a 512-bit intermediate
// product so only the result has to fit. It returns an *AmountError with
// AmountDivByZero when div is 0 and AmountOverflow when the result exceeds
// 2²⁵⁶−1.
func (a Amount) MulDiv(mul, div Amount) (Amount, error) {
	if div.v.IsZero() {
		return Amount{}, &AmountError{Op: "MulDiv", Reason: AmountDivByZero}
	}
	z, ok := mulDiv(&a.v, &mul.v, &div.v)
	if !ok {
		return Amount{}, &AmountError{Op: "MulDiv", Reason: AmountOverflow}
	}
	return Amount{v: z}, nil
}

// mulDiv returns floor(x*y/d) and false on overflow; d must not be zero.
// With y and d below 2⁶⁴ (rates, fees) it multiplies and divides limb by
// limb, dividing by the constants 10⁹ and 10⁴ without a DIV instruction;
// otherwise it uses uint256's 512-bit MulDivOverflow.
func mulDiv(x, y, d *uint256.Int) (uint256.Int, bool) {
	if y[3]|y[2]|y[1]|d[3]|d[2]|d[1] != 0 {
		var z uint256.Int
		_, over := z.MulDivOverflow(x, y, d)
		return z, !over
	}
	m, dv := y[0], d[0]
	// p = x*m, 320 bits in 5 limbs; n = limbs in use
	var p [5]uint64
	var carry uint64
	n := 4
	for n > 0 && x[n-1] == 0 {
		n--
	}
	for i := 0; i < n; i++ {
		hi, lo := bits.Mul64(x[i], m)
		var c uint64
		p[i], c = bits.Add64(lo, carry, 0)
		carry = hi + c
	}
	p[n] = carry
	if p[4] >= dv { // the quotient's fifth limb would be non-zero
		return uint256.Int{}, false
	}
	var z uint256.Int
	switch dv {
	case pow10_9:
		divConst9(&z, &p, n)
	case 10_000:
		divConst4(&z, &p, n)
	default:
		r := p[4]
		for i := n; i >= 0; i-- {
			if i == 4 {
				continue
			}
			if r == 0 && p[i] < dv {
				r = p[i]
				continue
			}
			z[i], r = bits.Div64(r, p[i], dv)
		}
	}
	return z, true
}

// divConst9 sets z = p / 10⁹, p[n+1:] being zero and p[4] < 10⁹. It divides
// 32 bits at a time so the compiler turns the constant division into a
// multiplication.
func divConst9(z *uint256.Int, p *[5]uint64, n int) {
	const d = pow10_9
	r := p[4]
	for i := min(n, 3); i >= 0; i-- {
		cur := r<<32 | p[i]>>32
		qh := cur / d
		r = cur - qh*d
		cur = r<<32 | p[i]&0xffffffff
		ql := cur / d
		r = cur - ql*d
		z[i] = qh<<32 | ql
	}
}

// divConst4 is divConst9 for 10⁴.
func divConst4(z *uint256.Int, p *[5]uint64, n int) {
	const d = 10_000
	r := p[4]
	for i := min(n, 3); i >= 0; i-- {
		cur := r<<32 | p[i]>>32
		qh := cur / d
		r = cur - qh*d
		cur = r<<32 | p[i]&0xffffffff
		ql := cur / d
		r = cur - ql*d
		z[i] = qh<<32 | ql
	}
}

// divSmall sets z = z / d and returns the remainder.
func divSmall(z *uint256.Int, d uint64) uint64 {
	var r uint64
	for i := 3; i >= 0; i-- {
		if r == 0 && z[i] < d {
			r, z[i] = z[i], 0
			continue
		}
		z[i], r = bits.Div64(r, z[i], d)
	}
	return r
}

const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// putUint writes x's digits ending before buf[end] and returns the start; with
// pad it writes exactly 19 digits (leading zeros).
func putUint(buf []byte, end int, x uint64, pad bool) int {
	start := end
	for x >= 100 {
		q := x / 100
		r := (x - q*100) * 2
		start -= 2
		buf[start], buf[start+1] = digitPairs[r], digitPairs[r+1]
		x = q
	}
	if x >= 10 {
		start -= 2
		buf[start], buf[start+1] = digitPairs[2*x], digitPairs[2*x+1]
	} else {
		start--
		buf[start] = byte('0' + x)
	}
	if pad {
		for start > end-19 {
			start--
			buf[start] = '0'
		}
	}
	return start
}

// formatWire writes the wire digits of v ending at the end of buf (at least
// 78 bytes) and returns their start.
func formatWire(buf []byte, v uint256.Int) int {
	end := len(buf)
	for v[3]|v[2]|v[1] != 0 {
		r := divSmall(&v, pow10_19)
		end = putUint(buf, end, r, true)
	}
	return putUint(buf, end, v[0], false)
}

// String returns the wire form: the units as a decimal integer string.
func (a Amount) String() string {
	var buf [maxAmountDigits]byte
	i := formatWire(buf[:], a.v)
	return string(buf[i:])
}

// Decimal returns the human form in whole units, without trailing zeros:
// "1234.5", "0.000000000000000001", "1000", "0". ParseDecimal reads it back.
func (a Amount) Decimal() string {
	var buf [maxAmountDigits + 2]byte
	i := formatWire(buf[:], a.v)
	n := len(buf)
	// Keep at least 19 digits so there is an integer digit before the point.
	for n-i < AmountDecimals+1 {
		i--
		buf[i] = '0'
	}
	point := n - AmountDecimals
	end := n
	for end > point && buf[end-1] == '0' {
		end--
	}
	if end == point {
		return string(buf[i:point])
	}
	// Shift the integer part left by one to make room for the point.
	copy(buf[i-1:], buf[i:point])
	buf[point-1] = '.'
	return string(buf[i-1 : end])
}
