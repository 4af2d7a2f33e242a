package smartro

import (
	"fmt"
	"strconv"
	"time"

	wire "github.com/poskit/poskit/internal/smartrowire"
)

// This file converts between the model and the wire structs of internal/smartrowire.

// kst is Korea Standard Time, the zone of every date and time on the wire.
var kst = time.FixedZone("KST", 9*3600)

func ackFromWire(w *wire.OrderAnswer) *OrderAck {
	return &OrderAck{OrderNo: w.OrderNo, OrgOrderNo: w.OrgOrderNo, MerchantOrderNo: w.MerchantOrderNo, POSOrderNo: w.POSOrderNo}
}

func tableFromWire(w wire.Table) Table {
	return Table{FloorCode: w.FloorCode, FloorName: w.FloorName, TableCode: w.TableCode, TableName: w.TableName}
}

func liveOrderFromWire(w *wire.LiveOrder, buf *convBuf) LiveOrder {
	o := LiveOrder{
		OrderNo:         w.OrderNo,
		OrgOrderNo:      w.OrgOrderNo,
		MerchantOrderNo: w.MerchantOrderNo,
		Table:           TableRef{FloorCode: w.FloorCode, TableCode: w.TableCode},
		Status:          OrderStatus(w.Status),
		StatusName:      w.StatusName,
		POSOrderNo:      w.POSOrderNo,
		OriginalAmount:  int64(w.OriginalAmount),
		Amount:          int64(w.PayAmount),
		Discount:        int64(w.Discount),
		Prepaid:         w.Prepaid == wire.FlagYes,
	}
	switch w.SuccessFlag {
	case wire.FlagYes:
		o.Delivery = DeliveryDelivered
	case wire.FlagNo:
		o.Delivery = DeliveryFailed
	}
	if t, ok := parseOrderTime(w.OrderDate, w.OrderTime); ok {
		o.OrderedAt = t
	}
	if len(w.Items) > 0 {
		o.Lines = buf.lines(len(w.Items))
		for i := range w.Items {
			o.Lines[i] = lineFromWire(&w.Items[i], buf)
		}
	}
	if len(w.Pays) > 0 {
		o.Payments = buf.payments(len(w.Pays))
		for i := range w.Pays {
			o.Payments[i] = paymentFromWire(&w.Pays[i], buf)
		}
	}
	return o
}

// liveOrdersFromWire converts a lookup's orders. Their lines, add-ons, payments and card
// and cash details are cut from a few arrays sized up front (see convBuf) rather than
// allocated one by one.
func liveOrdersFromWire(w *wire.OrderList) []LiveOrder {
	out := make([]LiveOrder, len(w.Orders))
	var buf convBuf
	buf.size(w.Orders)
	for i := range w.Orders {
		out[i] = liveOrderFromWire(&w.Orders[i], &buf)
	}
	return out
}

// convBuf hands out the slices and structs of converted live orders from backing arrays
// sized for the whole list, so converting N orders costs a few allocations instead of
// several per order. Every slice handed out is capped at its length, so appending to one
// order's lines or payments never writes into another's. A nil *convBuf (or one that ran
// short) allocates each piece on its own.
type convBuf struct {
	lineBuf  []OrderLine
	addOnBuf []LineAddOn
	payBuf   []Payment
	cardBuf  []CardApproval
	cashBuf  []CashPayment
}

// size makes the backing arrays for converting orders.
func (b *convBuf) size(orders []wire.LiveOrder) {
	var nLines, nAddOns, nPays, nCards, nCash int
	for i := range orders {
		o := &orders[i]
		nLines += len(o.Items)
		for j := range o.Items {
			nAddOns += len(o.Items[j].AddOns)
		}
		nPays += len(o.Pays)
		for j := range o.Pays {
			switch o.Pays[j].PayType {
			case wire.PayCard:
				nCards++
			case wire.PayCash:
				nCash++
			}
		}
	}
	if nLines > 0 {
		b.lineBuf = make([]OrderLine, nLines)
	}
	if nAddOns > 0 {
		b.addOnBuf = make([]LineAddOn, nAddOns)
	}
	if nPays > 0 {
		b.payBuf = make([]Payment, nPays)
	}
	if nCards > 0 {
		b.cardBuf = make([]CardApproval, nCards)
	}
	if nCash > 0 {
		b.cashBuf = make([]CashPayment, nCash)
	}
}

func (b *convBuf) lines(n int) []OrderLine {
	if b == nil || len(b.lineBuf) < n {
		return make([]OrderLine, n)
	}
	s := b.lineBuf[:n:n]
	b.lineBuf = b.lineBuf[n:]
	return s
}

func (b *convBuf) addOns(n int) []LineAddOn {
	if b == nil || len(b.addOnBuf) < n {
		return make([]LineAddOn, n)
	}
	s := b.addOnBuf[:n:n]
	b.addOnBuf = b.addOnBuf[n:]
	return s
}

func (b *convBuf) payments(n int) []Payment {
	if b == nil || len(b.payBuf) < n {
		return make([]Payment, n)
	}
	s := b.payBuf[:n:n]
	b.payBuf = b.payBuf[n:]
	return s
}

func (b *convBuf) card() *CardApproval {
	if b == nil || len(b.cardBuf) == 0 {
		return new(CardApproval)
	}
	c := &b.cardBuf[0]
	b.cardBuf = b.cardBuf[1:]
	return c
}

func (b *convBuf) cash() *CashPayment {
	if b == nil || len(b.cashBuf) == 0 {
		return new(CashPayment)
	}
	c := &b.cashBuf[0]
	b.cashBuf = b.cashBuf[1:]
	return c
}

// parseOrderTime reads ORDER_DATE (wire.DateLayout) and ORDER_TIME (wire.TimeLayout) in Korea time,
// as time.ParseInLocation(wire.DateLayout+wire.TimeLayout, date+time, kst) would. The usual shape —
// 8 and 6 ASCII digits — is read by hand without allocating; anything else goes to
// time.ParseInLocation.
func parseOrderTime(date, tm string) (time.Time, bool) {
	if len(date) != len(wire.DateLayout) || len(tm) != len(wire.TimeLayout) || !digits(date) || !digits(tm) {
		t, err := time.ParseInLocation(wire.DateLayout+wire.TimeLayout, date+tm, kst)
		return t, err == nil
	}
	year, month, day := digitsValue(date[0:4]), digitsValue(date[4:6]), digitsValue(date[6:8])
	hour, min, sec := digitsValue(tm[0:2]), digitsValue(tm[2:4]), digitsValue(tm[4:6])
	if month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour > 23 || min > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, min, sec, 0, kst), true
}

// digitsValue reads a short string of ASCII digits (checked by the caller).
func digitsValue(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// daysIn returns the number of days of month m of year y.
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func flag(b bool) string {
	if b {
		return wire.FlagYes
	}
	return wire.FlagNo
}

func payKindFromWire(s string) PayKind {
	for k := PayCard; k <= PayEtc; k++ {
		if k.wireName() == s {
			return k
		}
	}
	return 0
}

func cardEntryFromWire(s string) CardEntry {
	switch s {
	case wire.CardMS:
		return EntryMS
	case wire.CardIC:
		return EntryIC
	case wire.CardRF:
		return EntryRF
	}
	return EntryNone
}

// CashPayment describes a cash payment. The guide requires cash orders to be sent only
// toWire builds the request body; the order must have been validated.
func (o *Order) toWire(storeID, serviceID, orgOrderNo string) *wire.OrderRequest {
	pays := o.payments()
	w := &wire.OrderRequest{
		StoreID:          storeID,
		ServiceID:        serviceID,
		MerchantOrderNo:  o.MerchantOrderNo,
		OrgOrderNo:       orgOrderNo,
		MemberTel:        o.MemberTel,
		Memo:             o.Memo,
		OriginalAmount:   wire.Num(o.OriginalAmount()),
		PayAmount:        wire.Num(o.PayAmount()),
		Discount:         wire.Num(o.Discount),
		Prepaid:          flag(pays != nil),
		OS:               o.OS,
		FloorCode:        o.Table.FloorCode,
		TableCode:        o.Table.TableCode,
		PrintReceipt:     flag(!o.NoReceipt),
		PrintOrderTicket: flag(!o.NoOrderTicket),
		Items:            make([]wire.OrderItem, len(o.Lines)),
		Pays:             make([]wire.Pay, len(pays)),
	}
	for i, l := range o.Lines {
		w.Items[i] = lineToWire(i+1, l)
	}
	for i, p := range pays {
		w.Pays[i] = paymentToWire(p)
	}
	return w
}

func lineToWire(seq int, l OrderLine) wire.OrderItem {
	unit := l.UnitPrice()
	it := wire.OrderItem{
		Seq:            wire.Num(seq),
		ID:             l.ItemID,
		Name:           l.Name,
		SalePrice:      wire.Num(unit),
		SaleAmount:     wire.Num(unit * int64(l.Count)),
		Count:          wire.Num(l.Count),
		SetMenu:        flag(l.SetMenu),
		MerchantMenuNo: l.MerchantMenuNo,
		Memo:           l.Memo,
		AddOns:         make([]wire.OrderAdditive, len(l.AddOns)),
	}
	for j, a := range l.AddOns {
		it.AddOns[j] = wire.OrderAdditive{ID: a.ID, Name: a.Name, RuleID: a.GroupCode, Price: wire.Num(a.Price), Count: wire.Num(a.count())}
	}
	return it
}

// lineFromWire reads a line back. The item's own price is SALE_PRICE minus the add-ons
// (the inverse of lineToWire). Its add-ons come from buf (nil: allocated).
func lineFromWire(w *wire.OrderItem, buf *convBuf) OrderLine {
	l := OrderLine{
		ItemID:         w.ID,
		Name:           w.Name,
		Count:          int(w.Count),
		SetMenu:        w.SetMenu == wire.FlagYes,
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

func paymentToWire(p Payment) wire.Pay {
	w := wire.Pay{
		PayType:       p.Kind.wireName(),
		Cancelled:     flag(p.Cancelled),
		Amount:        wire.Num(p.Amount),
		VAT:           wire.Num(p.VAT),
		ServiceCharge: wire.Num(p.ServiceCharge),
		CardNo:        wire.CardNo(p.Reference),
	}
	if c := p.Card; c != nil {
		w.TerminalID = c.TerminalID
		w.AuthNo = c.AuthNo
		w.AuthDate = c.AuthDate
		w.AuthTime = c.AuthTime
		w.CardNo = wire.CardNo(c.CardNo)
		w.CardMerchantNo = c.MerchantNo
		w.CardPayType = c.Entry.wireName()
		w.Installment = wire.LumpSum
		if c.Installments > 0 {
			w.Installment = fmt.Sprintf("%02d", c.Installments)
		}
	}
	if c := p.Cash; c != nil {
		w.CashAuthType = c.Receipt.wireName()
		if c.ReceiptID != "" {
			w.CardNo = wire.CardNo(c.ReceiptID)
		}
	}
	return w
}

// paymentFromWire reads a payment back; its card or cash details come from buf (nil:
// allocated).
func paymentFromWire(w *wire.Pay, buf *convBuf) Payment {
	p := Payment{
		Kind:          payKindFromWire(w.PayType),
		Amount:        int64(w.Amount),
		VAT:           int64(w.VAT),
		ServiceCharge: int64(w.ServiceCharge),
		Cancelled:     w.Cancelled == wire.FlagYes,
	}
	switch p.Kind {
	case PayCard:
		inst, _ := strconv.Atoi(w.Installment)
		p.Card = buf.card()
		*p.Card = CardApproval{
			TerminalID: w.TerminalID, AuthNo: w.AuthNo, AuthDate: w.AuthDate, AuthTime: w.AuthTime,
			CardNo: CardNumber(w.CardNo), MerchantNo: w.CardMerchantNo, Entry: cardEntryFromWire(w.CardPayType), Installments: inst,
		}
	case PayCash:
		c := buf.cash()
		*c = CashPayment{StaffConfirmed: true, ReceiptID: CardNumber(w.CardNo)}
		switch w.CashAuthType {
		case wire.CashPersonal:
			c.Receipt = ReceiptPersonal
		case wire.CashCorporate:
			c.Receipt = ReceiptCorporate
		}
		p.Cash = c
	default:
		p.Reference = CardNumber(w.CardNo)
	}
	return p
}
