package loyalty_test

import (
	"testing"

	"github.com/poskit/poskit/loyalty"
)

// TestContractChargeTable: the ledger contract's figures, worked by hand from its source
// (bosagora/dms-osx @06e21248):
//
//	paidPoint = zeroGWEI(amount × rate / 1e9)      contracts/currency/CurrencyRate.sol 142–149
//	feeValue  = zeroGWEI(amount × fee / 10000)      contracts/controllers/LoyaltyConsumer.sol 99
//	feePoint  = zeroGWEI(feeValue × rate / 1e9)    LoyaltyConsumer.sol 100, CurrencyRate.sol 147
//	paidToken = zeroGWEI(paidPoint × 1e9 / token)   LoyaltyConsumer.sol 98, CurrencyRate.sol 129–131
//	feeToken  = zeroGWEI(feePoint × 1e9 / token)    LoyaltyConsumer.sol 101
//	total*    = paid* + fee*                        relay/src/scheduler/WatchScheduler.ts 262–263
//	zeroGWEI(x) = x / 1e9 × 1e9                     contracts/lib/DMS.sol 11–13
//
// against the relay's estimate (relay/src/routers/PaymentRouter.ts 395–400: feePoint from
// paidPoint), which differs in the last digits when the fee value is not whole gwei.
func TestContractChargeTable(t *testing.T) {
	rates := loyalty.DefaultRates() // krw 1e9, usd 1000e9, token 150e9, fee 500 bp
	usd, _ := loyalty.ParseDecimal("12.345678901")
	cases := []struct {
		name            string
		amount          loyalty.Amount
		currency        string
		paid, fee, tot  string // contract points
		estFee, estTot  string // the relay's estimate
		paidTok, feeTok string // contract tokens
		feeValue        string
	}{
		{"1 USD", loyalty.FromWhole(1), "usd",
			"1000000000000000000000", "50000000000000000000", "1050000000000000000000",
			"50000000000000000000", "1050000000000000000000",
			"6666666666000000000", "333333333000000000", "50000000000000000"},
		{"12,000 KRW", loyalty.FromWhole(12000), "krw",
			"12000000000000000000000", "600000000000000000000", "12600000000000000000000",
			"600000000000000000000", "12600000000000000000000",
			"80000000000000000000", "4000000000000000000", "600000000000000000000"},
		{"12.345678901 USD: the orders differ", usd, "usd",
			"12345678901000000000000", "617283945000000000000", "12962962846000000000000",
			"617283945050000000000", "12962962846050000000000",
			"82304526006000000000", "4115226300000000000", "617283945000000000"},
		{"12000 base units of KRW: zero points", loyalty.FromBaseUnits(12000), "krw",
			"0", "0", "0", "0", "0", "0", "0", "0"},
		{"currency trimmed and any case, as the relay", loyalty.FromWhole(1), " \tUSD\n",
			"1000000000000000000000", "50000000000000000000", "1050000000000000000000",
			"50000000000000000000", "1050000000000000000000",
			"6666666666000000000", "333333333000000000", "50000000000000000"},
	}
	for _, c := range cases {
		got, err := loyalty.ContractCharge(c.amount, c.currency, rates)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		est, err := loyalty.EstimatePayment(c.amount, c.currency, rates)
		if err != nil {
			t.Fatalf("%s: estimate: %v", c.name, err)
		}
		for _, f := range []struct {
			what string
			got  loyalty.Amount
			want string
		}{
			{"paidPoint", got.PaidPoint, c.paid}, {"feePoint", got.FeePoint, c.fee}, {"totalPoint", got.TotalPoint, c.tot},
			{"paidToken", got.PaidToken, c.paidTok}, {"feeToken", got.FeeToken, c.feeTok},
			{"feeValue", got.FeeValue, c.feeValue}, {"paidValue", got.PaidValue, c.amount.String()},
			{"estimate feePoint", est.FeePoint, c.estFee}, {"estimate totalPoint", est.TotalPoint, c.estTot},
		} {
			if f.got.String() != f.want {
				t.Errorf("%s: %s = %s, want %s", c.name, f.what, f.got, f.want)
			}
		}
	}
	if _, err := loyalty.ContractCharge(loyalty.FromWhole(1), "eur", rates); !loyalty.IsCode(err, loyalty.CodeUnsupportedCurrency) {
		t.Fatalf("unknown currency: %v, want 1211", err)
	}
}
