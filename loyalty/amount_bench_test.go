package loyalty

import (
	"testing"

	"github.com/holiman/uint256"
	"github.com/shopspring/decimal"
)

var sinkString string

// BenchmarkAmountParseFormat parses and formats a 21-digit wire amount.
// Acceptance: poskit ≤ 1.0× uint256, ≥ 4× faster than shopspring, ≤ 1 alloc/op.
func BenchmarkAmountParseFormat(b *testing.B) {
	const wire = "989500000000000000000"
	b.Run("poskit", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			a, err := ParseAmount(wire)
			if err != nil {
				b.Fatal(err)
			}
			sinkString = a.String()
		}
	})
	b.Run("uint256", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			z, err := uint256.FromDecimal(wire)
			if err != nil {
				b.Fatal(err)
			}
			sinkString = z.Dec()
		}
	})
	b.Run("shopspring", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			d, err := decimal.NewFromString(wire)
			if err != nil {
				b.Fatal(err)
			}
			sinkString = d.String()
		}
	})
}

// BenchmarkAmountParseFormatMax is the same for 2^256-1 (78 digits).
func BenchmarkAmountParseFormatMax(b *testing.B) {
	const wire = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
	b.Run("poskit", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			a, _ := ParseAmount(wire)
			sinkString = a.String()
		}
	})
	b.Run("uint256", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			z, _ := uint256.FromDecimal(wire)
			sinkString = z.Dec()
		}
	})
}

// BenchmarkAmountDecimal formats the human form.
func BenchmarkAmountDecimal(b *testing.B) {
	a := MustParseAmount("989500000000000000000")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sinkString = a.Decimal()
	}
}

// BenchmarkAmountMarshalJSON encodes the wire form as a JSON string.
func BenchmarkAmountMarshalJSON(b *testing.B) {
	a := MustParseAmount("989500000000000000000")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		out, _ := a.MarshalJSON()
		sinkString = string(out[:1])
	}
}
