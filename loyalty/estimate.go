package loyalty

import (
	"strconv"
	"strings"

	"github.com/holiman/uint256"
)

// RateOne is the fixed-point 1.0 of a currency rate or token price: rates
// carry 9 decimals, so NewAmount(RateOne) is a rate of 1.0 (1 KRW = 1 point).
const RateOne = 1_000_000_000

// MaxFeeBasisPoints is the relay's highest (and default) payment fee: 500
// basis points, 5 %.
const MaxFeeBasisPoints = 500

// Codes of an *EstimateError; they are the relay's codes for the same failure.
const (
	// EstimateUnsupportedCurrency (relay 1211): the currency has no rate.
	EstimateUnsupportedCurrency = 1211
	// EstimateInvalidParameters (relay 2001): a fee above MaxFeeBasisPoints or
	// an amount whose estimate does not fit in 256 bits.
	EstimateInvalidParameters = 2001
)

// Rates are the relay's conversion parameters for EstimatePayment.
//
// A rate is a fixed-point number with 9 decimals held in an Amount's integer
// units: NewAmount(RateOne) is 1.0, NewAmount(1000*RateOne) is 1000 (1 USD =
// 1000 points). This is how the relay's CurrencyRate contract stores them.
type Rates struct {
	// Currency maps a lower-case currency code ("krw", "usd", …) to its rate in
	// points. Lookups are case-insensitive. "point" is always 1:1 and needs no
	// entry. A zero rate counts as missing (the contract answers 1211).
	Currency map[string]Amount
	// TokenPrice is the token's rate in points (the contract's rate of the
	// token symbol). Zero leaves the token fields of an Estimate zero.
	TokenPrice Amount
	// FeeBasisPoints is the payment fee in basis points (1/10000), at most
	// MaxFeeBasisPoints.
	FeeBasisPoints uint32
}

// DefaultRates returns the relay's default parameters: krw 1.0, usd 1000,
// jpy 10, php 20 points per unit, token price 150 points, fee 500 basis
// points (5 %).
//
// Modelled: the values come from the relay's development deployment; a live
// relay's rates move. Ask the relay (GET /v1/payment/info) for a binding
// estimate.
func DefaultRates() Rates {
	return Rates{
		Currency: map[string]Amount{
			"krw": NewAmount(1 * RateOne),
			"usd": NewAmount(1000 * RateOne),
			"jpy": NewAmount(10 * RateOne),
			"php": NewAmount(20 * RateOne),
		},
		TokenPrice:     NewAmount(150 * RateOne),
		FeeBasisPoints: MaxFeeBasisPoints,
	}
}

// Estimate is what a payment of an amount in a currency costs the user, as
// the relay's GET /v1/payment/info reports it. All fields are Amounts of
// 10⁻¹⁸ units; Point and Token fields are multiples of 10⁹ units (zeroGWEI).
type Estimate struct {
	// PaidPoint is the amount converted to points.
	PaidPoint Amount `json:"paidPoint"`
	// FeePoint is the fee on PaidPoint.
	FeePoint Amount `json:"feePoint"`
	// TotalPoint is PaidPoint + FeePoint, what the user's point balance needs.
	TotalPoint Amount `json:"totalPoint"`
	// PaidToken is the amount converted to tokens.
	PaidToken Amount `json:"paidToken"`
	// FeeToken is the fee on PaidToken.
	FeeToken Amount `json:"feeToken"`
	// TotalToken is PaidToken + FeeToken.
	TotalToken Amount `json:"totalToken"`
	// PaidValue is the amount itself, in the payment currency.
	PaidValue Amount `json:"paidValue"`
	// FeeValue is the fee in the payment currency.
	FeeValue Amount `json:"feeValue"`
	// TotalValue is PaidValue + FeeValue.
	TotalValue Amount `json:"totalValue"`
}

// EstimateError is the error of EstimatePayment. Code is the relay's code for
// the same failure: EstimateUnsupportedCurrency (1211) or
// EstimateInvalidParameters (2001). No request is involved.
type EstimateError struct {
	// Code is 1211 or 2001.
	Code int
	// Currency is the currency asked for (cut to 40 bytes).
	Currency string
	// Message says what is wrong.
	Message string
}

// Error returns e.g. `loyalty: estimate: unsupported currency "xyz" (code 1211)`.
func (e *EstimateError) Error() string {
	return "loyalty: estimate: " + e.Message + " (code " + strconv.Itoa(e.Code) + ")"
}

func estimateError(code int, currency, msg string) *EstimateError {
	return &EstimateError{Code: code, Currency: cutDisplay(currency), Message: msg}
}

// lookupRate finds a currency's rate, case-insensitively.
func (r *Rates) lookupRate(currency string) (uint256.Int, bool) {
	if strings.EqualFold(currency, "point") {
		return uint256.Int{RateOne}, true
	}
	if rate, ok := r.Currency[currency]; ok {
		return rate.v, !rate.v.IsZero()
	}
	if lower := strings.ToLower(currency); lower != currency {
		if rate, ok := r.Currency[lower]; ok {
			return rate.v, !rate.v.IsZero()
		}
	}
	for code, rate := range r.Currency { // keys not written in lower case
		if strings.EqualFold(code, currency) && !rate.v.IsZero() {
			return rate.v, true
		}
	}
	return uint256.Int{}, false
}

// zeroGWEI truncates x down to a multiple of 10⁹.
func zeroGWEI(x *uint256.Int) {
	if x[3]|x[2]|x[1] == 0 {
		x[0] -= x[0] % pow10_9
		return
	}
	q := *x
	rem := divSmall(&q, pow10_9)
	x.Sub(x, uint256.NewInt(rem))
}

// EstimatePayment computes, without a network call, what the relay's
// GET /v1/payment/info reports for paying amount (10⁻¹⁸ units of currency),
// with the relay's formula (rate and token price with 9 decimals,
// zeroGWEI(x) = x truncated to a multiple of 10⁹, fee in basis points):
//
//	paidPoint  = zeroGWEI(amount × rate / 10⁹)
//	feePoint   = zeroGWEI(paidPoint × fee / 10000)
//	totalPoint = paidPoint + feePoint
//	paidToken  = zeroGWEI(amount × rate / tokenPrice)
//	feeToken   = zeroGWEI(paidToken × fee / 10000)
//	totalToken = paidToken + feeToken
//	paidValue  = amount
//	feeValue   = zeroGWEI(amount × fee / 10000)
//	totalValue = amount + feeValue
//
// Divisions are floors, products exact (512-bit). The currency is compared
// case-insensitively; "point" is 1:1. The relay reports either the point or
// the token fields depending on the account's loyalty type (recent relays
// only points); EstimatePayment fills both.
//
// Errors are *EstimateError: code 1211 for a currency without a (non-zero)
// rate, code 2001 for FeeBasisPoints above 500 or when a product quotient or
// a total exceeds 2²⁵⁶−1.
//
// Modelled: the token formula is that of the relay versions that reported
// tokens (PaymentRouter.ts, before the loyalty type was removed).
func EstimatePayment(amount Amount, currency string, r Rates) (Estimate, error) {
	if r.FeeBasisPoints > MaxFeeBasisPoints {
		return Estimate{}, estimateError(EstimateInvalidParameters, currency,
			"fee "+strconv.FormatUint(uint64(r.FeeBasisPoints), 10)+" basis points above 500")
	}
	rate, ok := r.lookupRate(currency)
	if !ok {
		return Estimate{}, estimateError(EstimateUnsupportedCurrency, currency,
			"unsupported currency "+strconv.Quote(cutDisplay(currency)))
	}
	var (
		e     Estimate
		fee   = uint256.Int{uint64(r.FeeBasisPoints)}
		bp    = uint256.Int{10000}
		one   = uint256.Int{RateOne}
		valid = true
	)
	step := func(dst *Amount, x, y, d *uint256.Int) {
		z, ok := mulDiv(x, y, d)
		if !ok {
			valid = false
			return
		}
		zeroGWEI(&z)
		dst.v = z
	}
	sum := func(dst *Amount, x, y *uint256.Int) {
		if _, over := dst.v.AddOverflow(x, y); over {
			valid = false
		}
	}
	step(&e.PaidPoint, &amount.v, &rate, &one)
	step(&e.FeePoint, &e.PaidPoint.v, &fee, &bp)
	sum(&e.TotalPoint, &e.PaidPoint.v, &e.FeePoint.v)
	if !r.TokenPrice.v.IsZero() {
		step(&e.PaidToken, &amount.v, &rate, &r.TokenPrice.v)
		step(&e.FeeToken, &e.PaidToken.v, &fee, &bp)
		sum(&e.TotalToken, &e.PaidToken.v, &e.FeeToken.v)
	}
	e.PaidValue = amount
	step(&e.FeeValue, &amount.v, &fee, &bp)
	sum(&e.TotalValue, &amount.v, &e.FeeValue.v)
	if !valid {
		return Estimate{}, estimateError(EstimateInvalidParameters, currency,
			"amount "+cutDisplay(amount.String())+" too large to estimate")
	}
	return e, nil
}
