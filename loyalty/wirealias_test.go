package loyalty

import (
	"testing"

	"github.com/poskit/poskit/internal/loyaltywire"
)

// Short names for the wire types the tests build answers from.
type (
	WireNumber         = loyaltywire.Number
	WireInt            = loyaltywire.Int
	WireBool           = loyaltywire.Bool
	WireEnvelope       = loyaltywire.Envelope
	WireValidation     = loyaltywire.Validation
	WirePayment        = loyaltywire.Payment
	WireEstimate       = loyaltywire.Estimate
	WireBalance        = loyaltywire.Balance
	WirePaymentInfo    = loyaltywire.PaymentInfo
	WireShopInfo       = loyaltywire.ShopInfo
	WireShopWithdrawal = loyaltywire.ShopWithdrawal
	WireChainID        = loyaltywire.ChainID
	WireNonce          = loyaltywire.Nonce
	WireCallback       = loyaltywire.Callback
)

const HeaderAuthorization = loyaltywire.HeaderAuthorization

// DecodeEnvelope decodes an answer as the client's Decode hook does, without secrets.
func DecodeEnvelope(op string, status int, body []byte, out any) error {
	if err := loyaltywire.Decode(status, body, out); err != nil {
		return answerError(op, status, err, nil)
	}
	return nil
}

// NewSuccessEnvelope returns {"code":0,"data":data}.
func NewSuccessEnvelope(data any) WireEnvelope { return loyaltywire.NewSuccess(data) }

// NewErrorEnvelope returns an error envelope; an empty message is the code's name.
func NewErrorEnvelope(code Code, message string, v ...WireValidation) WireEnvelope {
	if message == "" {
		message = code.String()
	}
	return loyaltywire.NewError(int(code), message, v...)
}

// WireAmount is an amount's wire form.
func WireAmount(a Amount) WireNumber { return WireNumber(a.String()) }

// NewWirePayment spells a payment as the relay does.
func NewWirePayment(p *Payment) WirePayment {
	e := p.Estimate
	return WirePayment{
		PaymentID: p.ID, PurchaseID: p.PurchaseID, Amount: WireAmount(p.Amount), Currency: p.Currency,
		ShopID: p.ShopID, Account: p.Account, LoyaltyType: WireInt(p.LoyaltyType),
		Estimate: WireEstimate{
			PaidPoint: WireAmount(e.PaidPoint), PaidToken: WireAmount(e.PaidToken), PaidValue: WireAmount(e.PaidValue),
			FeePoint: WireAmount(e.FeePoint), FeeToken: WireAmount(e.FeeToken), FeeValue: WireAmount(e.FeeValue),
			TotalPoint: WireAmount(e.TotalPoint), TotalToken: WireAmount(e.TotalToken), TotalValue: WireAmount(e.TotalValue),
		},
		PaymentStatus:        WireInt(p.Status),
		OpenNewTimestamp:     loyaltywire.Unix(p.OpenedAt),
		CloseNewTimestamp:    loyaltywire.Unix(p.ClosedAt),
		OpenCancelTimestamp:  loyaltywire.Unix(p.CancelOpenedAt),
		CloseCancelTimestamp: loyaltywire.Unix(p.CancelClosedAt),
		TxHash:               p.TxHash,
	}
}

// NewWireCallback spells a callback in dialect d.
func NewWireCallback(d CallbackDialect, leg Leg, o Outcome, msg string, data WirePayment) (WireCallback, error) {
	return loyaltywire.NewCallback(loyaltywire.Dialect(d), loyaltywire.Leg(leg), loyaltywire.Outcome(o), msg, data)
}

// The wire package's enums are cast to this package's: their values must agree.
func TestWireEnumsAgree(t *testing.T) {
	type pair struct{ got, want int }
	for i, p := range []pair{
		{int(loyaltywire.DialectRelay), int(CallbackDialectRelay)},
		{int(loyaltywire.DialectDocTable), int(CallbackDialectDocTable)},
		{int(loyaltywire.DialectDocExample), int(CallbackDialectDocExample)},
		{int(loyaltywire.LegUnknown), int(LegUnknown)}, {int(loyaltywire.LegNew), int(LegNew)}, {int(loyaltywire.LegCancel), int(LegCancel)},
		{int(loyaltywire.OutcomePending), int(OutcomePending)}, {int(loyaltywire.OutcomeApproved), int(OutcomeApproved)},
		{int(loyaltywire.OutcomeDenied), int(OutcomeDenied)}, {int(loyaltywire.OutcomeContractError), int(OutcomeContractError)},
		{int(loyaltywire.OutcomeServerError), int(OutcomeServerError)}, {int(loyaltywire.OutcomeTimeout), int(OutcomeTimeout)},
		{int(loyaltywire.OutcomeFailed), int(OutcomeFailed)},
	} {
		if p.got != p.want {
			t.Errorf("pair %d: wire %d, loyalty %d", i, p.got, p.want)
		}
	}
}
