package loyalty

// Conversions of Amount to and from JSON, text, *big.Int and decimal.Decimal.

import (
	"encoding/json"
	"math/big"
	"strconv"

	"github.com/holiman/uint256"
	"github.com/shopspring/decimal"
)

// MarshalJSON encodes the amount as a JSON string of the wire form, as the
// relay expects: "1000000000000000000".
func (a Amount) MarshalJSON() ([]byte, error) {
	var buf [maxAmountDigits + 1]byte
	i := formatWire(buf[:maxAmountDigits], a.v)
	out := make([]byte, 0, maxAmountDigits+2-i)
	out = append(out, '"')
	out = append(out, buf[i:maxAmountDigits]...)
	return append(out, '"'), nil
}

// UnmarshalJSON decodes a JSON string of the wire form ("123") or a JSON
// number written as plain integer digits (123); fractions, exponents, signs
// and other JSON values are rejected with an *AmountError. The relay
// sometimes sends an amount as a number (settledPoint); numbers are read from
// their text, so no precision is lost. As for the standard library's types,
// JSON null is a no-op: the amount keeps its value (zero for a fresh one).
func (a *Amount) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	body := b
	if len(b) > 0 && b[0] == '"' {
		if len(b) < 2 || b[len(b)-1] != '"' {
			return newAmountError("UnmarshalJSON", string(b), AmountNotDigit)
		}
		body = b[1 : len(b)-1]
		for _, c := range body {
			if c == '\\' || c == '"' {
				var s string
				if err := json.Unmarshal(b, &s); err != nil {
					return newAmountError("UnmarshalJSON", string(b), AmountNotDigit)
				}
				var v uint256.Int
				if r := parseWire(&v, s); r != 0 {
					return newAmountError("UnmarshalJSON", s, r)
				}
				a.v = v
				return nil
			}
		}
	}
	var v uint256.Int
	if r := parseWire(&v, body); r != 0 {
		return newAmountError("UnmarshalJSON", string(body), r)
	}
	a.v = v
	return nil
}

// MarshalText returns the wire form.
func (a Amount) MarshalText() ([]byte, error) {
	var buf [maxAmountDigits]byte
	i := formatWire(buf[:], a.v)
	return append([]byte(nil), buf[i:]...), nil
}

// UnmarshalText parses the wire form, with ParseAmount's rules.
func (a *Amount) UnmarshalText(b []byte) error {
	var v uint256.Int
	if r := parseWire(&v, b); r != 0 {
		return newAmountError("UnmarshalText", string(b), r)
	}
	a.v = v
	return nil
}

// FromBig returns the amount holding x units. A nil x is 0; a negative x or
// one above 2²⁵⁶−1 is rejected with an *AmountError.
func FromBig(x *big.Int) (Amount, error) {
	if x == nil {
		return Amount{}, nil
	}
	if x.Sign() < 0 {
		return Amount{}, newAmountError("FromBig", x.String(), AmountNegative)
	}
	if x.BitLen() > 256 {
		return Amount{}, newAmountError("FromBig", x.String(), AmountTooLarge)
	}
	var a Amount
	a.v.SetFromBig(x)
	return a, nil
}

// ToBig returns the amount's units as a new *big.Int.
func (a Amount) ToBig() *big.Int { return a.v.ToBig() }

// FromDecimal converts d, a value in whole units, to an amount: d × 10¹⁸,
// with digits beyond the 18th decimal truncated (as ParseDecimal does). A
// negative d or a result above 2²⁵⁶−1 units is rejected with an *AmountError.
func FromDecimal(d decimal.Decimal) (Amount, error) {
	if d.Sign() < 0 {
		return Amount{}, newAmountError("FromDecimal", decimalDisplay(d), AmountNegative)
	}
	coef := d.Coefficient()
	if coef.Sign() == 0 {
		return Amount{}, nil
	}
	shift := int64(d.Exponent()) + AmountDecimals
	switch {
	case shift > 0:
		if shift > maxAmountDigits {
			return Amount{}, newAmountError("FromDecimal", decimalDisplay(d), AmountTooLarge)
		}
		coef.Mul(coef, new(big.Int).Exp(big.NewInt(10), big.NewInt(shift), nil))
	case shift < 0:
		// Past ~len(coef) digits the result is 0; bound the power.
		if -shift > int64(len(coef.Bits()))*20+1 {
			return Amount{}, nil
		}
		coef.Quo(coef, new(big.Int).Exp(big.NewInt(10), big.NewInt(-shift), nil))
	}
	if coef.BitLen() > 256 {
		return Amount{}, newAmountError("FromDecimal", decimalDisplay(d), AmountTooLarge)
	}
	var a Amount
	a.v.SetFromBig(coef)
	return a, nil
}

// decimalDisplay writes d for an error message without expanding a huge
// exponent (d.String() would write every zero of 1e2147483647).
func decimalDisplay(d decimal.Decimal) string {
	if e := d.Exponent(); e >= -maxAmountDigits && e <= maxAmountDigits {
		return d.String()
	}
	return d.Coefficient().String() + "e" + strconv.Itoa(int(d.Exponent()))
}

// ToDecimal returns the amount in whole units (units × 10⁻¹⁸), exactly.
func (a Amount) ToDecimal() decimal.Decimal {
	return decimal.NewFromBigInt(a.v.ToBig(), -AmountDecimals)
}
