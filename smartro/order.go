package smartro

import (
	"fmt"
	"strconv"
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
	if w := k.wire(); w != "" {
		return w
	}
	return "PayKind(" + strconv.Itoa(int(k)) + ")"
}

func (k PayKind) wire() string {
	switch k {
	case PayCard:
		return wirePayCard
	case PayCash:
		return wirePayCash
	case PayETicket:
		return wirePayETicket
	case PayMobile:
		return wirePayMobile
	case PayEtc:
		return wirePayEtc
	}
	return ""
}

func payKindFromWire(s string) PayKind {
	for k := PayCard; k <= PayEtc; k++ {
		if k.wire() == s {
			return k
		}
	}
	return 0
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

func (e CardEntry) wire() string {
	switch e {
	case EntryMS:
		return wireCardMS
	case EntryIC:
		return wireCardIC
	case EntryRF:
		return wireCardRF
	}
	return wireCardNone
}

func cardEntryFromWire(s string) CardEntry {
	switch s {
	case wireCardMS:
		return EntryMS
	case wireCardIC:
		return EntryIC
	case wireCardRF:
		return EntryRF
	}
	return EntryNone
}

// CashPayment describes a cash payment. The guide requires cash orders to be sent only
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

func (c CashReceipt) wire() string {
	switch c {
	case ReceiptPersonal:
		return wireCashPersonal
	case ReceiptCorporate:
		return wireCashCorporate
	}
	return ""
}

// invalid returns an input-validation error for op.
func invalid(op, format string, args ...any) *Error {
	return &Error{Op: op, Code: CodeInvalidInput, Message: fmt.Sprintf(format, args...)}
}

func checkID(op, what, s string) error {
	if s == "" {
		return invalid(op, "%s is required", what)
	}
	if len(s) > maxIDLen {
		return invalid(op, "%s is longer than %d bytes", what, maxIDLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return invalid(op, "%s contains a control character", what)
		}
	}
	return nil
}

func checkAmount(op, what string, v int64) error {
	if v < 0 {
		return invalid(op, "%s is negative", what)
	}
	if v > MaxAmount {
		return invalid(op, "%s exceeds %d", what, int64(MaxAmount))
	}
	return nil
}

// Validate checks the order as NewOrder would (see Order) and returns *Error with
// CodeInvalidInput, or nil. It sends nothing.
func (o *Order) Validate() error { return o.validate("smartro.Validate", false) }

func (o *Order) validate(op string, additional bool) error {
	if o == nil {
		return invalid(op, "order is nil")
	}
	if err := checkID(op, "merchant order number", o.MerchantOrderNo); err != nil {
		return err
	}
	if !o.Table.valid() {
		return invalid(op, "table floor and table codes are required")
	}
	if len(o.Lines) == 0 {
		return invalid(op, "the basket is empty")
	}
	if len(o.Lines) > MaxLines {
		return invalid(op, "more than %d lines", MaxLines)
	}
	if len(o.Memo) > maxMemoBytes {
		return invalid(op, "memo longer than %d bytes", maxMemoBytes)
	}
	var total int64
	for i, l := range o.Lines {
		if err := checkID(op, fmt.Sprintf("line %d item id", i+1), l.ItemID); err != nil {
			return err
		}
		if l.Count < 1 || l.Count > MaxCount {
			return invalid(op, "line %d count %d is outside 1..%d", i+1, l.Count, MaxCount)
		}
		if err := checkAmount(op, fmt.Sprintf("line %d price", i+1), l.Price); err != nil {
			return err
		}
		unit := l.Price
		for j, a := range l.AddOns {
			if err := checkID(op, fmt.Sprintf("line %d add-on %d id", i+1, j+1), a.ID); err != nil {
				return err
			}
			if a.Count < 0 || a.Count > MaxCount {
				return invalid(op, "line %d add-on %d count %d is outside 0..%d", i+1, j+1, a.Count, MaxCount)
			}
			if err := checkAmount(op, fmt.Sprintf("line %d add-on %d price", i+1, j+1), a.Price); err != nil {
				return err
			}
			unit += a.Price * a.count()
			if unit > MaxAmount {
				return invalid(op, "line %d unit price exceeds %d", i+1, int64(MaxAmount))
			}
		}
		amt := unit * int64(l.Count)
		if amt > MaxAmount {
			return invalid(op, "line %d amount exceeds %d", i+1, int64(MaxAmount))
		}
		total += amt
		if total > MaxAmount {
			return invalid(op, "order amount exceeds %d", int64(MaxAmount))
		}
	}
	if err := checkAmount(op, "discount", o.Discount); err != nil {
		return err
	}
	if o.Discount > total {
		return invalid(op, "discount %d exceeds the original amount %d", o.Discount, total)
	}
	due := total - o.Discount
	switch s := o.Settlement.(type) {
	case nil, Postpaid, *Postpaid:
		return nil
	case Prepaid:
		return checkPayments(op, s.Payments, due, additional)
	case *Prepaid:
		if s == nil {
			return invalid(op, "prepaid settlement is nil")
		}
		return checkPayments(op, s.Payments, due, additional)
	default:
		return invalid(op, "unknown settlement %T", s)
	}
}

func checkPayments(op string, pays []Payment, due int64, additional bool) error {
	if additional {
		return invalid(op, "a prepaid order is sent as one new order; additional orders are postpaid")
	}
	if len(pays) == 0 {
		return invalid(op, "a prepaid order needs at least one payment")
	}
	if len(pays) > MaxPayments {
		return invalid(op, "more than %d payments", MaxPayments)
	}
	var sum int64
	for i, p := range pays {
		n := i + 1
		if p.Kind.wire() == "" {
			return invalid(op, "payment %d has no valid kind", n)
		}
		if p.Cancelled {
			return invalid(op, "payment %d is marked cancelled", n)
		}
		if p.Amount <= 0 {
			return invalid(op, "payment %d amount must be positive", n)
		}
		for _, f := range []struct {
			what string
			v    int64
		}{{"amount", p.Amount}, {"VAT", p.VAT}, {"service charge", p.ServiceCharge}} {
			if err := checkAmount(op, fmt.Sprintf("payment %d %s", n, f.what), f.v); err != nil {
				return err
			}
		}
		if p.VAT > p.Amount {
			return invalid(op, "payment %d VAT exceeds its amount", n)
		}
		switch p.Kind {
		case PayCard:
			c := p.Card
			if c == nil {
				return invalid(op, "payment %d is a card payment without approval data", n)
			}
			if c.TerminalID == "" || c.AuthNo == "" {
				return invalid(op, "payment %d (card %s) needs the terminal id and approval number", n, c.CardNo)
			}
			if c.Installments < 0 || c.Installments == 1 || c.Installments > 99 {
				return invalid(op, "payment %d (card %s) installments %d: use 0 (lump sum) or 2..99", n, c.CardNo, c.Installments)
			}
			if !digits(c.AuthDate) || !digits(c.AuthTime) {
				return invalid(op, "payment %d (card %s) approval date/time must be digits", n, c.CardNo)
			}
		case PayCash:
			if p.Cash == nil || !p.Cash.StaffConfirmed {
				return invalid(op, "payment %d is cash not confirmed by staff; send cash orders only after staff confirm them", n)
			}
		}
		sum += p.Amount
		if sum > MaxAmount {
			return invalid(op, "payments exceed %d", int64(MaxAmount))
		}
	}
	if sum != due {
		return invalid(op, "payments total %d but the order amount is %d", sum, due)
	}
	return nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// payments returns the prepaid payments, or nil.
func (o *Order) payments() []Payment {
	switch s := o.Settlement.(type) {
	case Prepaid:
		return s.Payments
	case *Prepaid:
		return s.Payments
	}
	return nil
}

// toWire builds the request body; the order must have been validated.
func (o *Order) toWire(storeID, serviceID, orgOrderNo string) *WireOrderRequest {
	pays := o.payments()
	w := &WireOrderRequest{
		StoreID:          storeID,
		ServiceID:        serviceID,
		MerchantOrderNo:  o.MerchantOrderNo,
		OrgOrderNo:       orgOrderNo,
		MemberTel:        o.MemberTel,
		Memo:             o.Memo,
		OriginalAmount:   WireNum(o.OriginalAmount()),
		PayAmount:        WireNum(o.PayAmount()),
		Discount:         WireNum(o.Discount),
		Prepaid:          flag(pays != nil),
		OS:               o.OS,
		FloorCode:        o.Table.FloorCode,
		TableCode:        o.Table.TableCode,
		PrintReceipt:     flag(!o.NoReceipt),
		PrintOrderTicket: flag(!o.NoOrderTicket),
		Items:            make([]WireOrderItem, len(o.Lines)),
		Pays:             make([]WirePay, len(pays)),
	}
	for i, l := range o.Lines {
		w.Items[i] = lineToWire(i+1, l)
	}
	for i, p := range pays {
		w.Pays[i] = paymentToWire(p)
	}
	return w
}

func lineToWire(seq int, l OrderLine) WireOrderItem {
	unit := l.UnitPrice()
	it := WireOrderItem{
		Seq:            WireNum(seq),
		ID:             l.ItemID,
		Name:           l.Name,
		SalePrice:      WireNum(unit),
		SaleAmount:     WireNum(unit * int64(l.Count)),
		Count:          WireNum(l.Count),
		SetMenu:        flag(l.SetMenu),
		MerchantMenuNo: l.MerchantMenuNo,
		Memo:           l.Memo,
		AddOns:         make([]WireOrderAdditive, len(l.AddOns)),
	}
	for j, a := range l.AddOns {
		it.AddOns[j] = WireOrderAdditive{ID: a.ID, Name: a.Name, RuleID: a.GroupCode, Price: WireNum(a.Price), Count: WireNum(a.count())}
	}
	return it
}

// lineFromWire reads a line back. The item's own price is SALE_PRICE minus the add-ons
// (the inverse of lineToWire). Its add-ons come from buf (nil: allocated).
func lineFromWire(w *WireOrderItem, buf *convBuf) OrderLine {
	l := OrderLine{
		ItemID:         w.ID,
		Name:           w.Name,
		Count:          int(w.Count),
		SetMenu:        w.SetMenu == FlagYes,
		MerchantMenuNo: w.MerchantMenuNo,
		Memo:           w.Memo,
	}
	unit := int64(w.SalePrice)
	if len(w.AddOns) > 0 {
		l.AddOns = buf.addOns(len(w.AddOns))
		for j, a := range w.AddOns {
			l.AddOns[j] = LineAddOn{ID: a.ID, Name: a.Name, GroupCode: a.RuleID, Price: int64(a.Price), Count: int(a.Count)}
			unit -= l.AddOns[j].Price * l.AddOns[j].count()
		}
	}
	l.Price = unit
	return l
}

func paymentToWire(p Payment) WirePay {
	w := WirePay{
		PayType:       p.Kind.wire(),
		Cancelled:     flag(p.Cancelled),
		Amount:        WireNum(p.Amount),
		VAT:           WireNum(p.VAT),
		ServiceCharge: WireNum(p.ServiceCharge),
		CardNo:        p.Reference,
	}
	if c := p.Card; c != nil {
		w.TerminalID = c.TerminalID
		w.AuthNo = c.AuthNo
		w.AuthDate = c.AuthDate
		w.AuthTime = c.AuthTime
		w.CardNo = c.CardNo
		w.CardMerchantNo = c.MerchantNo
		w.CardPayType = c.Entry.wire()
		w.Installment = WireLumpSum
		if c.Installments > 0 {
			w.Installment = fmt.Sprintf("%02d", c.Installments)
		}
	}
	if c := p.Cash; c != nil {
		w.CashAuthType = c.Receipt.wire()
		if c.ReceiptID != "" {
			w.CardNo = c.ReceiptID
		}
	}
	return w
}

// paymentFromWire reads a payment back; its card or cash details come from buf (nil:
// allocated).
func paymentFromWire(w *WirePay, buf *convBuf) Payment {
	p := Payment{
		Kind:          payKindFromWire(w.PayType),
		Amount:        int64(w.Amount),
		VAT:           int64(w.VAT),
		ServiceCharge: int64(w.ServiceCharge),
		Cancelled:     w.Cancelled == FlagYes,
	}
	switch p.Kind {
	case PayCard:
		inst, _ := strconv.Atoi(w.Installment)
		p.Card = buf.card()
		*p.Card = CardApproval{
			TerminalID: w.TerminalID, AuthNo: w.AuthNo, AuthDate: w.AuthDate, AuthTime: w.AuthTime,
			CardNo: w.CardNo, MerchantNo: w.CardMerchantNo, Entry: cardEntryFromWire(w.CardPayType), Installments: inst,
		}
	case PayCash:
		c := buf.cash()
		*c = CashPayment{StaffConfirmed: true, ReceiptID: w.CardNo}
		switch w.CashAuthType {
		case wireCashPersonal:
			c.Receipt = ReceiptPersonal
		case wireCashCorporate:
			c.Receipt = ReceiptCorporate
		}
		p.Cash = c
	default:
		p.Reference = w.CardNo
	}
	return p
}

// OrderFromWire reads an order request body back into an Order (for fakes) and checks it
// with the same rules the client applies before sending, plus the wire's own arithmetic
// (SALE_AMT = SALE_PRICE × ITEM_CNT, ORG_ORDER_PAY_AMT = Σ SALE_AMT, ORDER_PAY_AMT =
// ORG − DISC, PREPAY_FLAG agrees with ORD_PAY_LIST). It returns the order and
// ORG_ORDERNO; a failed check is *Error with CodeInvalidRequest.
func OrderFromWire(w *WireOrderRequest) (*Order, string, error) {
	const op = "smartro.OrderFromWire"
	bad := func(format string, args ...any) (*Order, string, error) {
		e := invalid(op, format, args...)
		e.Code = CodeInvalidRequest
		return nil, "", e
	}
	o := &Order{
		MerchantOrderNo: w.MerchantOrderNo,
		Table:           TableRef{FloorCode: w.FloorCode, TableCode: w.TableCode},
		Memo:            w.Memo,
		MemberTel:       w.MemberTel,
		Discount:        int64(w.Discount),
		OS:              w.OS,
		NoReceipt:       w.PrintReceipt == FlagNo,
		NoOrderTicket:   w.PrintOrderTicket == FlagNo,
		Lines:           make([]OrderLine, 0, len(w.Items)),
	}
	var sum int64
	for i := range w.Items {
		it := &w.Items[i]
		if it.Count < 0 || it.Count > MaxCount || it.SalePrice < 0 || it.SalePrice > MaxAmount {
			return bad("item %d count or price out of range", i+1)
		}
		if int64(it.SalePrice)*int64(it.Count) != int64(it.SaleAmount) {
			return bad("item %d SALE_AMT %d != SALE_PRICE %d × ITEM_CNT %d", i+1, it.SaleAmount, it.SalePrice, it.Count)
		}
		for j := range it.AddOns {
			if a := it.AddOns[j]; a.Price < 0 || a.Price > MaxAmount || a.Count < 0 || a.Count > MaxCount {
				return bad("item %d add-on %d price or count out of range", i+1, j+1)
			}
		}
		sum += int64(it.SaleAmount)
		o.Lines = append(o.Lines, lineFromWire(it, nil))
	}
	if sum != int64(w.OriginalAmount) {
		return bad("ORG_ORDER_PAY_AMT %d != Σ SALE_AMT %d", w.OriginalAmount, sum)
	}
	if int64(w.OriginalAmount)-int64(w.Discount) != int64(w.PayAmount) {
		return bad("ORDER_PAY_AMT %d != ORG_ORDER_PAY_AMT %d − DISC_AMT %d", w.PayAmount, w.OriginalAmount, w.Discount)
	}
	switch {
	case w.Prepaid == FlagYes:
		pays := make([]Payment, len(w.Pays))
		for i := range w.Pays {
			pays[i] = paymentFromWire(&w.Pays[i], nil)
			if pays[i].Kind == 0 {
				return bad("payment %d has unknown PAY_TYPE", i+1)
			}
		}
		o.Settlement = Prepaid{Payments: pays}
	case len(w.Pays) > 0:
		return bad("PREPAY_FLAG is not Y but ORD_PAY_LIST is not empty")
	default:
		o.Settlement = Postpaid{}
	}
	if err := o.validate(op, false); err != nil {
		err.(*Error).Code = CodeInvalidRequest
		return nil, "", err
	}
	return o, w.OrgOrderNo, nil
}

// ToWire returns the request body NewOrder (orgOrderNo empty) or AdditionalOrder would
// send, after the same checks; for fakes and tests.
func (o *Order) ToWire(storeID, serviceID, orgOrderNo string) (*WireOrderRequest, error) {
	if err := o.validate("smartro.ToWire", orgOrderNo != ""); err != nil {
		return nil, err
	}
	return o.toWire(storeID, serviceID, orgOrderNo), nil
}
