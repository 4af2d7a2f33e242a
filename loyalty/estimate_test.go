package loyalty

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

func whole(t testing.TB, n string) Amount {
	t.Helper()
	a, err := ParseDecimal(n)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestEstimateExamples(t *testing.T) {
	r := DefaultRates()
	tests := []struct {
		amount   string // whole units
		currency string
		want     Estimate
	}{
		{"1", "usd", Estimate{
			PaidPoint: whole(t, "1000"), FeePoint: whole(t, "50"), TotalPoint: whole(t, "1050"),
			// 1 × 1000 / 150 = 6.666666666… token, truncated to 9 decimals
			PaidToken: whole(t, "6.666666666"), FeeToken: whole(t, "0.333333333"), TotalToken: whole(t, "6.999999999"),
			PaidValue: whole(t, "1"), FeeValue: whole(t, "0.05"), TotalValue: whole(t, "1.05"),
		}},
		{"10000", "KRW", Estimate{
			PaidPoint: whole(t, "10000"), FeePoint: whole(t, "500"), TotalPoint: whole(t, "10500"),
			PaidToken: whole(t, "66.666666666"), FeeToken: whole(t, "3.333333333"), TotalToken: whole(t, "69.999999999"),
			PaidValue: whole(t, "10000"), FeeValue: whole(t, "500"), TotalValue: whole(t, "10500"),
		}},
		{"150", "Point", Estimate{
			PaidPoint: whole(t, "150"), FeePoint: whole(t, "7.5"), TotalPoint: whole(t, "157.5"),
			PaidToken: whole(t, "1"), FeeToken: whole(t, "0.05"), TotalToken: whole(t, "1.05"),
			PaidValue: whole(t, "150"), FeeValue: whole(t, "7.5"), TotalValue: whole(t, "157.5"),
		}},
		{"0.000000001999999999", "jpy", Estimate{ // 1.999999999e-9 × 10 = 1.999999999e-8 → 1.9e-8
			PaidPoint: whole(t, "0.000000019"), FeePoint: whole(t, "0"), TotalPoint: whole(t, "0.000000019"),
			PaidToken: whole(t, "0"), FeeToken: whole(t, "0"), TotalToken: whole(t, "0"),
			PaidValue: whole(t, "0.000000001999999999"), FeeValue: whole(t, "0"), TotalValue: whole(t, "0.000000001999999999"),
		}},
	}
	for _, tc := range tests {
		got, err := EstimatePayment(whole(t, tc.amount), tc.currency, r)
		if err != nil {
			t.Errorf("%s %s: %v", tc.amount, tc.currency, err)
			continue
		}
		if got != tc.want {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(tc.want)
			t.Errorf("%s %s:\n got %s\nwant %s", tc.amount, tc.currency, g, w)
		}
	}
}

func TestEstimateWireNames(t *testing.T) {
	e, err := EstimatePayment(FromWhole(1), "usd", DefaultRates())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"paidPoint", "feePoint", "totalPoint", "paidToken", "feeToken", "totalToken", "paidValue", "feeValue", "totalValue"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %q in %s", k, b)
		}
	}
	if len(m) != 9 || m["totalPoint"] != "1050000000000000000000" {
		t.Errorf("JSON %s", b)
	}
	var back Estimate
	if err := json.Unmarshal(b, &back); err != nil || back != e {
		t.Errorf("round trip: %v %v", back, err)
	}
}

func TestEstimateErrors(t *testing.T) {
	r := DefaultRates()
	code := func(err error) int {
		t.Helper()
		var ee *Error
		if !errors.As(err, &ee) {
			t.Fatalf("error %v (%T) is not an *Error", err, err)
		}
		return int(ee.Code)
	}
	_, err := EstimatePayment(FromWhole(1), "eur", r)
	if code(err) != int(CodeUnsupportedCurrency) || !strings.Contains(err.Error(), `"eur"`) || !strings.Contains(err.Error(), "1211") {
		t.Errorf("unknown currency: %v", err)
	}
	var ae *AmountError
	if errors.As(err, &ae) {
		t.Error("an estimate error is not an *AmountError")
	}
	_, err = EstimatePayment(FromWhole(1), "", r)
	if code(err) != int(CodeUnsupportedCurrency) {
		t.Errorf("empty currency: %v", err)
	}
	zeroRate := DefaultRates()
	zeroRate.Currency["usd"] = Amount{}
	if _, err = EstimatePayment(FromWhole(1), "usd", zeroRate); code(err) != int(CodeUnsupportedCurrency) {
		t.Errorf("zero rate: %v", err)
	}
	fee := DefaultRates()
	fee.FeeBasisPoints = MaxFeeBasisPoints + 1
	if _, err = EstimatePayment(FromWhole(1), "usd", fee); code(err) != int(CodeInvalidParameters) {
		t.Errorf("fee 501: %v", err)
	}
	max := MustParseAmount(maxBig.String())
	if _, err = EstimatePayment(max, "usd", r); code(err) != int(CodeInvalidParameters) {
		t.Errorf("overflow: %v", err)
	}
	if _, err = EstimatePayment(max, "point", r); code(err) != int(CodeInvalidParameters) { // totalValue overflows
		t.Errorf("total overflow: %v", err)
	}
	noFee := DefaultRates()
	noFee.FeeBasisPoints = 0
	if e, err := EstimatePayment(max, "point", noFee); err != nil || !e.TotalValue.Eq(max) {
		t.Errorf("max without fee: %v %v", e.TotalValue, err)
	}
}

func TestEstimateLookup(t *testing.T) {
	r := Rates{Currency: map[string]Amount{"KRW": FromBaseUnits(RateOne), "usd": FromBaseUnits(1000 * RateOne)}, FeeBasisPoints: 100}
	for _, cur := range []string{"krw", "KRW", "Krw", "usd", "USD", "point", "POINT"} {
		e, err := EstimatePayment(FromWhole(2), cur, r)
		if err != nil {
			t.Errorf("%s: %v", cur, err)
			continue
		}
		if !e.PaidToken.IsZero() || !e.TotalToken.IsZero() {
			t.Errorf("%s: token fields without a token price: %v", cur, e.PaidToken)
		}
		if e.FeeValue.String() != "20000000000000000" {
			t.Errorf("%s: fee 1%% of 2 = %v", cur, e.FeeValue.Decimal())
		}
	}
	// "point" is 1:1 even if the map says otherwise
	r.Currency["point"] = FromBaseUnits(5 * RateOne)
	if e, _ := EstimatePayment(FromWhole(2), "point", r); !e.PaidPoint.Eq(FromWhole(2)) {
		t.Errorf("point rate %v", e.PaidPoint)
	}
}

// refEstimate is the relay's formula on big.Int (ethers BigNumber).
func refEstimate(amount, rate, tokenPrice *big.Int, fee int64) (map[string]*big.Int, bool) {
	gwei := big.NewInt(1_000_000_000)
	zg := func(x *big.Int) *big.Int { return new(big.Int).Mul(new(big.Int).Quo(x, gwei), gwei) }
	ok := true
	q := func(x, y, d *big.Int) *big.Int {
		v := new(big.Int).Mul(x, y)
		v.Quo(v, d)
		if v.Cmp(maxBig) > 0 {
			ok = false
		}
		return zg(v)
	}
	add := func(x, y *big.Int) *big.Int {
		v := new(big.Int).Add(x, y)
		if v.Cmp(maxBig) > 0 {
			ok = false
		}
		return v
	}
	f, bp := big.NewInt(fee), big.NewInt(10000)
	m := map[string]*big.Int{}
	m["paidPoint"] = q(amount, rate, gwei)
	m["feePoint"] = q(m["paidPoint"], f, bp)
	m["totalPoint"] = add(m["paidPoint"], m["feePoint"])
	m["paidToken"], m["feeToken"], m["totalToken"] = new(big.Int), new(big.Int), new(big.Int)
	if tokenPrice.Sign() != 0 {
		m["paidToken"] = q(amount, rate, tokenPrice)
		m["feeToken"] = q(m["paidToken"], f, bp)
		m["totalToken"] = add(m["paidToken"], m["feeToken"])
	}
	m["paidValue"] = amount
	m["feeValue"] = q(amount, f, bp)
	m["totalValue"] = add(amount, m["feeValue"])
	return m, ok
}

func TestPropertyEstimate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := genBig().Draw(t, "amount")
		if rapid.Bool().Draw(t, "realistic") { // up to 10^30 whole units
			x.Mod(x, new(big.Int).Exp(big.NewInt(10), big.NewInt(48), nil))
		}
		rate := rapid.Uint64Range(1, 1<<62).Draw(t, "rate")
		var token *big.Int
		if rapid.Bool().Draw(t, "bigToken") {
			token = genBig().Draw(t, "token")
		} else {
			token = new(big.Int).SetUint64(rapid.Uint64Range(0, 1<<50).Draw(t, "token"))
		}
		fee := rapid.Int64Range(0, MaxFeeBasisPoints).Draw(t, "fee")
		amount, _ := FromBig(x)
		tp, _ := FromBig(token)
		r := Rates{Currency: map[string]Amount{"xyz": FromBaseUnits(rate)}, TokenPrice: tp, FeeBasisPoints: uint32(fee)}
		got, err := EstimatePayment(amount, "XyZ", r)
		want, ok := refEstimate(x, new(big.Int).SetUint64(rate), token, fee)
		if !ok {
			var ee *Error
			if !errors.As(err, &ee) || ee.Code != CodeInvalidParameters {
				t.Fatalf("want overflow error, got %v %v", got, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("EstimatePayment: %v", err)
		}
		b, _ := json.Marshal(got)
		var m map[string]string
		_ = json.Unmarshal(b, &m)
		for k, w := range want {
			if m[k] != w.String() {
				t.Fatalf("%s = %s, want %s", k, m[k], w)
			}
		}
	})
}

// estimateShopspring is the same formula with shopspring/decimal, the way a
// client without an integer type would write it (benchmark baseline and a
// second reference).
type decimalRates struct {
	currency   map[string]decimal.Decimal
	tokenPrice decimal.Decimal
	fee        decimal.Decimal
}

var (
	decGwei = decimal.New(1, 9)
	decBP   = decimal.New(1, 4)
)

func decZG(x decimal.Decimal) decimal.Decimal {
	q, _ := x.QuoRem(decGwei, 0)
	return q.Mul(decGwei)
}

func decMulDiv(x, y, d decimal.Decimal) decimal.Decimal {
	q, _ := x.Mul(y).QuoRem(d, 0)
	return decZG(q)
}

func estimateShopspring(amount decimal.Decimal, currency string, r decimalRates) (map[string]decimal.Decimal, bool) {
	rate, ok := r.currency[strings.ToLower(currency)]
	if !ok {
		return nil, false
	}
	m := make(map[string]decimal.Decimal, 9)
	m["paidPoint"] = decMulDiv(amount, rate, decGwei)
	m["feePoint"] = decMulDiv(m["paidPoint"], r.fee, decBP)
	m["totalPoint"] = m["paidPoint"].Add(m["feePoint"])
	m["paidToken"] = decMulDiv(amount, rate, r.tokenPrice)
	m["feeToken"] = decMulDiv(m["paidToken"], r.fee, decBP)
	m["totalToken"] = m["paidToken"].Add(m["feeToken"])
	m["paidValue"] = amount
	m["feeValue"] = decMulDiv(amount, r.fee, decBP)
	m["totalValue"] = amount.Add(m["feeValue"])
	return m, true
}

func defaultDecimalRates() decimalRates {
	return decimalRates{
		currency: map[string]decimal.Decimal{
			"krw": decimal.New(1, 9), "usd": decimal.New(1000, 9), "jpy": decimal.New(10, 9), "php": decimal.New(20, 9),
		},
		tokenPrice: decimal.New(150, 9),
		fee:        decimal.New(MaxFeeBasisPoints, 0),
	}
}

func TestEstimateAgreesWithShopspring(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := genBig().Draw(t, "amount")
		x.Mod(x, new(big.Int).Exp(big.NewInt(10), big.NewInt(60), nil))
		cur := rapid.SampledFrom([]string{"krw", "usd", "jpy", "php"}).Draw(t, "currency")
		amount, _ := FromBig(x)
		got, err := EstimatePayment(amount, cur, DefaultRates())
		if err != nil {
			t.Fatal(err)
		}
		want, _ := estimateShopspring(decimal.NewFromBigInt(x, 0), cur, defaultDecimalRates())
		b, _ := json.Marshal(got)
		var m map[string]string
		_ = json.Unmarshal(b, &m)
		for k, w := range want {
			if m[k] != w.String() {
				t.Fatalf("%s = %s, shopspring %s", k, m[k], w)
			}
		}
	})
}

var (
	sinkEstimate Estimate
	sinkDecimals map[string]decimal.Decimal
)

func BenchmarkEstimate(b *testing.B) {
	const wire = "989500000000000000000" // 989.5 units
	b.Run("poskit", func(b *testing.B) {
		amount := MustParseAmount(wire)
		r := DefaultRates()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			e, err := EstimatePayment(amount, "usd", r)
			if err != nil {
				b.Fatal(err)
			}
			sinkEstimate = e
		}
	})
	b.Run("shopspring", func(b *testing.B) {
		amount := decimal.RequireFromString(wire)
		r := defaultDecimalRates()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			m, ok := estimateShopspring(amount, "usd", r)
			if !ok {
				b.Fatal("currency")
			}
			sinkDecimals = m
		}
	})
}
