package loyalty

import (
	"strconv"
	"time"
)

// LoyaltyType is the kind of loyalty a user holds.
type LoyaltyType int

// Loyalty types (the document's loyaltyType field).
const (
	LoyaltyPoint LoyaltyType = 0
	LoyaltyToken LoyaltyType = 1
)

// String returns "point", "token" or "loyalty(n)".
func (t LoyaltyType) String() string {
	switch t {
	case LoyaltyPoint:
		return "point"
	case LoyaltyToken:
		return "token"
	}
	return "loyalty(" + strconv.Itoa(int(t)) + ")"
}

// estimateAmounts holds the nine amounts of an estimate.
// TODO(merge): replace by the package's Estimate once estimate.go is merged.
type estimateAmounts struct {
	PaidPoint, PaidToken, PaidValue    Amount
	FeePoint, FeeToken, FeeValue       Amount
	TotalPoint, TotalToken, TotalValue Amount
}

// Payment is one payment as the relay reports it, typed.
type Payment struct {
	ID          string // paymentId, 0x + 64 hex
	PurchaseID  string // the KIOSK's purchase id
	Amount      Amount // price in Currency, 10⁻¹⁸ units
	Currency    string // e.g. "krw"
	ShopID      string
	Account     string // the user's wallet address
	LoyaltyType LoyaltyType
	estimateAmounts
	Balance        Amount        // the user's balance after the leg; callbacks only
	Status         PaymentStatus // paymentStatus
	OpenedAt       time.Time     // openNewTimestamp (document item: createTimestamp)
	ClosedAt       time.Time     // closeNewTimestamp
	CancelOpenedAt time.Time     // openCancelTimestamp (document item: cancelTimestamp)
	CancelClosedAt time.Time     // closeCancelTimestamp
	TxHash         string        // approval transaction, on approve answers
}
