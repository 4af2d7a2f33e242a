package smartro

import (
	"strconv"

	wire "github.com/poskit/poskit/internal/smartrowire"
)

// Limits the input checks enforce (ours, chosen to keep every sum far from int64 overflow).
const (
	MaxAmount    = 1_000_000_000_000 // 1조 won: bound of any single amount or sum
	MaxCount     = 9999              // bound of an item or add-on count
	MaxLines     = 500               // bound of lines in one order
	MaxPayments  = 50                // bound of payments in one order
	maxIDLen     = 64
	maxMemoBytes = 1000
)

// Order is the basket a partner sends with NewOrder or AdditionalOrder.
//
// Amounts are whole won. The SDK computes every total itself and checks, before any request
// is sent:
//   - at least one line; every line count in 1..MaxCount; no negative price;
//   - line amount (SALE_AMT) = unit price (SALE_PRICE) × count, where the unit price is the
//     item's price plus, for each add-on, its price × its count per unit. This follows the
//     observed field comment "판매단가 = 상품금액+첨가물금액"; add-ons therefore multiply with the
//     item count (two coffees with an extra shot pay for two shots);
//   - original amount (ORG_ORDER_PAY_AMT) = Σ line amounts;
//   - order amount (ORDER_PAY_AMT) = original − Discount, with 0 ≤ Discount ≤ original;
//   - prepaid: Σ payment amounts = order amount (split by item or amount is simply several
//     payments); postpaid: no payments.
//
// A check that fails returns *Error with Code CodeInvalidInput.
type Order struct {
	// MerchantOrderNo (MCHT_ORDERNO) is the partner's own order number and the idempotency
	// key: it must be unique per order attempt, and it is how a lost answer is resolved
	// (the tracker finds it in the live-order lookup).
	MerchantOrderNo string
	Table           TableRef
	Lines           []OrderLine
	Memo            string
	MemberTel       string // MEMB_TEL, optional
	Discount        int64
	// Settlement is Prepaid{Payments} (paid on the tablet before ordering) or Postpaid{}
	// (pay at the counter later). nil means Postpaid.
	Settlement Settlement
	// OS (OS_GBN) names the ordering device's OS, e.g. "AND" or "IOS"; optional.
	OS string
	// NoReceipt and NoOrderTicket turn off the POS printing the receipt (REPT_PRT_FLAG) and
	// the kitchen order ticket (ORDER_PRT_FLAG); both print by default.
	NoReceipt     bool
	NoOrderTicket bool
}

// OrderLine is one item of an order.
type OrderLine struct {
	ItemID string
	Name   string
	// Price is the item's own unit price, without add-ons.
	Price  int64
	Count  int
	AddOns []LineAddOn
	// SetMenu marks a set menu (ITEM_SET_GBN); for a set only the parent's price is sent.
	SetMenu bool
	// MerchantMenuNo is the partner's own menu number (MCHT_MENU_NO), optional.
	MerchantMenuNo string
	Memo           string
}

// LineAddOn is an add-on (첨가물/option) chosen for a line.
type LineAddOn struct {
	ID        string
	Name      string
	GroupCode string // RULE_ID: the add-on group it was chosen from
	Price     int64  // unit price (the menu's ADDITIVE_SALE_PRICE)
	// Count is how many per one unit of the item; 0 means 1.
	Count int
}

func (a LineAddOn) count() int64 {
	if a.Count == 0 {
		return 1
	}
	return int64(a.Count)
}

// UnitPrice returns the line's unit price: item price + Σ add-on price × add-on count.
func (l OrderLine) UnitPrice() int64 {
	p := l.Price
	for _, a := range l.AddOns {
		p += a.Price * a.count()
	}
	return p
}

// Amount returns UnitPrice × Count.
func (l OrderLine) Amount() int64 { return l.UnitPrice() * int64(l.Count) }

// OriginalAmount returns Σ line amounts (before discount).
func (o *Order) OriginalAmount() int64 {
	var s int64
	for _, l := range o.Lines {
		s += l.Amount()
	}
	return s
}

// PayAmount returns OriginalAmount − Discount.
func (o *Order) PayAmount() int64 { return o.OriginalAmount() - o.Discount }

// Settlement is how an order is paid: Prepaid or Postpaid.
type Settlement interface{ isSettlement() }

// Prepaid orders were paid on the tablet (VCAT) before ordering; the payments travel with
// the one new-order request. Refunds happen on the POS.
type Prepaid struct{ Payments []Payment }

// Postpaid orders are paid later at the counter ("table occupancy").
type Postpaid struct{}

func (Prepaid) isSettlement()  {}
func (Postpaid) isSettlement() {}

// PayKind is a payment type.
type PayKind int

// Payment types.
const (
	PayCard PayKind = iota + 1
	PayCash
	PayETicket
	PayMobile
	PayEtc
)

// String names the kind.
func (k PayKind) String() string {
	if w := k.wireName(); w != "" {
		return w
	}
	return "PayKind(" + strconv.Itoa(int(k)) + ")"
}

func (k PayKind) wireName() string {
	switch k {
	case PayCard:
		return wire.PayCard
	case PayCash:
		return wire.PayCash
	case PayETicket:
		return wire.PayETicket
	case PayMobile:
		return wire.PayMobile
	case PayEtc:
		return wire.PayEtc
	}
	return ""
}

// Payment is one payment of a prepaid order (or of a live order read back).
type Payment struct {
	Kind          PayKind
	Amount        int64 // SALE_AMT, > 0
	VAT           int64 // SALE_VAT_AMT, part of Amount, ≥ 0
	ServiceCharge int64 // SVC_AMT, ≥ 0
	// Card holds the VCAT approval; required for PayCard.
	Card *CardApproval
	// Cash holds the staff confirmation; required for PayCash.
	Cash *CashPayment
	// Reference is the voucher / mobile payment number for eticket, mobile and etc
	// payments (sent in CARD_NO; masked like a card number when printed).
	Reference CardNumber
	// Cancelled is read back from lookups (CAN_FLAG Y); ReturnOrder sends it as Y.
	Cancelled bool
}

// CardApproval is what the VCAT card terminal returned for a card payment.
type CardApproval struct {
	TerminalID   string     // TML_NO: the VAN CAT id
	AuthNo       string     // AUTH_NO
	AuthDate     string     // AUTH_DATE, yyyyMMdd as the terminal gave it
	AuthTime     string     // AUTH_TIME, HHmmss
	CardNo       CardNumber // CARD_NO, masked by the terminal; never printed whole by the SDK
	MerchantNo   string     // CARD_MCHTNO: the card company's merchant number (VCAT merchant-no)
	Entry        CardEntry  // CARD_PAY_TYPE
	Installments int        // ISTM_TERM: 0 = lump sum, else months (2..99)
}

// CardEntry is how the card was read.
type CardEntry int

// Card entry modes.
const (
	EntryNone CardEntry = iota // X
	EntryMS                    // M: magnetic stripe
	EntryIC                    // I: chip
	EntryRF                    // R: contactless
)

func (e CardEntry) wireName() string {
	switch e {
	case EntryMS:
		return wire.CardMS
	case EntryIC:
		return wire.CardIC
	case EntryRF:
		return wire.CardRF
	}
	return wire.CardNone
}

// after the owner or staff confirmed the cash by hand: StaffConfirmed must be true.
type CashPayment struct {
	StaffConfirmed bool
	Receipt        CashReceipt
	// ReceiptID is the cash-receipt identity (phone or card number), sent in CARD_NO.
	ReceiptID CardNumber
}

// CashReceipt is the cash receipt issued (CASH_AUTH_TYPE).
type CashReceipt int

// Cash receipt types.
const (
	ReceiptNone      CashReceipt = iota
	ReceiptPersonal              // P: income deduction
	ReceiptCorporate             // C: expense proof
)

func (c CashReceipt) wireName() string {
	switch c {
	case ReceiptPersonal:
		return wire.CashPersonal
	case ReceiptCorporate:
		return wire.CashCorporate
	}
	return ""
}
