package loyalty

import (
	"strconv"
	"strings"

	"github.com/holiman/uint256"

	"github.com/poskit/poskit/internal/loyaltywire"
)

// RateOne is the fixed-point 1.0 of a currency rate or token price: rates
// carry 9 decimals, so FromBaseUnits(RateOne) is a rate of 1.0 (1 KRW = 1 point).
const RateOne = 1_000_000_000

// MaxFeeBasisPoints is the relay's highest (and default) payment fee: 500
// basis points, 5 %.
const MaxFeeBasisPoints = 500

// Rates are the relay's conversion parameters for EstimatePayment.
//
// A rate is a fixed-point number with 9 decimals held in an Amount's integer
// units: FromBaseUnits(RateOne) is 1.0, FromBaseUnits(1000*RateOne) is 1000 (1 USD =
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
			"krw": FromBaseUnits(1 * RateOne),
			"usd": FromBaseUnits(1000 * RateOne),
			"jpy": FromBaseUnits(10 * RateOne),
			"php": FromBaseUnits(20 * RateOne),
		},
		TokenPrice:     FromBaseUnits(150 * RateOne),
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

// estimateError is the *Error of EstimatePayment, with the relay's code for the same
// failure: CodeUnsupportedCurrency (1211) for a currency without a rate, or
// CodeInvalidParameters (2001) for a fee above MaxFeeBasisPoints or an estimate that does
// not fit in 256 bits. No request is involved, so HTTPStatus is 0.
func estimateError(code Code, currency, msg string) *Error {
	return &Error{Op: "loyalty.EstimatePayment", Code: code, Field: loyaltywire.ParamCurrency, Message: msg}
}

// lookupRate finds a currency's rate, case-insensitively, after trimming the currency as
// the relay does (String(currency).trim(), dms-osx PaymentRouter.ts lines 378 and 460).
func (r *Rates) lookupRate(currency string) (uint256.Int, bool) {
	currency = loyaltywire.TrimJS(currency)
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
	const g = pow10_9
	// 2^(64k) mod 10⁹, so x mod 10⁹ needs no 128-bit division.
	const c1, c2, c3 = 709_551_616, 768_211_456, 34_512_896
	r := x[0] % g
	if x[3]|x[2] != 0 {
		r = (r + x[1]%g*c1 + x[2]%g*c2 + x[3]%g*c3) % g
	} else if x[1] != 0 {
		r = (r + x[1]%g*c1) % g
	}
	if x[0] >= r {
		x[0] -= r
		return
	}
	x.Sub(x, &uint256.Int{r})
}

// mulDivGWEI sets dst = zeroGWEI(floor(x*y/d)) and reports whether the
// quotient fits in 256 bits.
func mulDivGWEI(dst, x, y, d *uint256.Int) bool {
	z, ok := mulDiv(x, y, d)
	zeroGWEI(&z)
	*dst = z
	return ok
}

// addChecked sets dst = x + y and reports whether it fits in 256 bits.
func addChecked(dst, x, y *uint256.Int) bool {
	_, over := dst.AddOverflow(x, y)
	return !over
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
// case-insensitively after trimming surrounding white space, as the relay does; "point"
// is 1:1. The relay reports either the point or
// the token fields depending on the account's loyalty type (recent relays
// only points); EstimatePayment fills both.
//
// Errors are *Error: code 1211 for a currency without a (non-zero)
// rate, code 2001 for FeeBasisPoints above 500 or when a product quotient or
// a total exceeds 2²⁵⁶−1.
//
// Modelled: the token formula is that of the relay versions that reported
// tokens (PaymentRouter.ts, before the loyalty type was removed).
func EstimatePayment(amount Amount, currency string, r Rates) (Estimate, error) {
	if r.FeeBasisPoints > MaxFeeBasisPoints {
		return Estimate{}, estimateError(CodeInvalidParameters, currency,
			"fee "+strconv.FormatUint(uint64(r.FeeBasisPoints), 10)+" basis points above 500")
	}
	rate, ok := r.lookupRate(currency)
	if !ok {
		return Estimate{}, estimateError(CodeUnsupportedCurrency, currency,
			"unsupported currency "+strconv.Quote(cutDisplay(currency)))
	}
	var (
		e   Estimate
		fee = uint256.Int{uint64(r.FeeBasisPoints)}
		bp  = uint256.Int{10000}
		one = uint256.Int{RateOne}
	)
	valid := mulDivGWEI(&e.PaidPoint.v, &amount.v, &rate, &one) &&
		mulDivGWEI(&e.FeePoint.v, &e.PaidPoint.v, &fee, &bp) &&
		addChecked(&e.TotalPoint.v, &e.PaidPoint.v, &e.FeePoint.v)
	if valid && !r.TokenPrice.v.IsZero() {
		valid = mulDivGWEI(&e.PaidToken.v, &amount.v, &rate, &r.TokenPrice.v) &&
			mulDivGWEI(&e.FeeToken.v, &e.PaidToken.v, &fee, &bp) &&
			addChecked(&e.TotalToken.v, &e.PaidToken.v, &e.FeeToken.v)
	}
	e.PaidValue = amount
	valid = valid && mulDivGWEI(&e.FeeValue.v, &amount.v, &fee, &bp) &&
		addChecked(&e.TotalValue.v, &amount.v, &e.FeeValue.v)
	if !valid {
		return Estimate{}, estimateError(CodeInvalidParameters, currency,
			"amount "+cutDisplay(amount.String())+" too large to estimate")
	}
	return e, nil
}

// ContractCharge computes what the ledger contract actually charges when the wallet
// approves a payment of amount (10⁻¹⁸ units of currency): the values of its
// LoyaltyPaymentEvent, which the relay copies over its estimate once the approval is
// confirmed, so the success callback and the payment read after approval carry them
// (dms-osx WatchScheduler.ts lines 224–237, updateEvent). The contract converts the fee
// in another order than the relay's estimate (EstimatePayment), so FeePoint and TotalPoint
// can be lower by a few 10⁹ units:
//
//	paidPoint  = zeroGWEI(amount × rate / 10⁹)        CurrencyRate.sol 142–149
//	feeValue   = zeroGWEI(amount × fee / 10000)        LoyaltyConsumer.sol 99
//	feePoint   = zeroGWEI(feeValue × rate / 10⁹)      LoyaltyConsumer.sol 100
//	paidToken  = zeroGWEI(paidPoint × 10⁹ / tokenPrice)   CurrencyRate.sol 129–131
//	feeToken   = zeroGWEI(feePoint × 10⁹ / tokenPrice)
//	totalPoint = paidPoint + feePoint                  WatchScheduler.ts 262
//	paidValue  = amount; totalValue = amount + feeValue   WatchScheduler.ts 263
//
// (zeroGWEI truncates to a multiple of 10⁹, DMS.sol lines 11–13; totalToken = paidToken +
// feeToken is modelled.) Show TotalPoint of ContractCharge when the kiosk must say what the
// user will be charged; the relay checks the balance against EstimatePayment's TotalPoint
// at open and the contract against this one at approval. Errors are those of
// EstimatePayment.
func ContractCharge(amount Amount, currency string, r Rates) (Estimate, error) {
	const op = "loyalty.ContractCharge"
	if r.FeeBasisPoints > MaxFeeBasisPoints {
		e := estimateError(CodeInvalidParameters, currency,
			"fee "+strconv.FormatUint(uint64(r.FeeBasisPoints), 10)+" basis points above 500")
		e.Op = op
		return Estimate{}, e
	}
	rate, ok := r.lookupRate(currency)
	if !ok {
		e := estimateError(CodeUnsupportedCurrency, currency, "unsupported currency "+strconv.Quote(cutDisplay(currency)))
		e.Op = op
		return Estimate{}, e
	}
	var (
		e   Estimate
		fee = uint256.Int{uint64(r.FeeBasisPoints)}
		bp  = uint256.Int{10000}
		one = uint256.Int{RateOne}
	)
	valid := mulDivGWEI(&e.PaidPoint.v, &amount.v, &rate, &one) &&
		mulDivGWEI(&e.FeeValue.v, &amount.v, &fee, &bp) &&
		mulDivGWEI(&e.FeePoint.v, &e.FeeValue.v, &rate, &one) &&
		addChecked(&e.TotalPoint.v, &e.PaidPoint.v, &e.FeePoint.v)
	if valid && !r.TokenPrice.v.IsZero() {
		valid = mulDivGWEI(&e.PaidToken.v, &e.PaidPoint.v, &one, &r.TokenPrice.v) &&
			mulDivGWEI(&e.FeeToken.v, &e.FeePoint.v, &one, &r.TokenPrice.v) &&
			addChecked(&e.TotalToken.v, &e.PaidToken.v, &e.FeeToken.v)
	}
	e.PaidValue = amount
	valid = valid && addChecked(&e.TotalValue.v, &amount.v, &e.FeeValue.v)
	if !valid {
		e := estimateError(CodeInvalidParameters, currency, "amount "+cutDisplay(amount.String())+" too large to estimate")
		e.Op = op
		return Estimate{}, e
	}
	return e, nil
}
