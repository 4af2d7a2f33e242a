package smartro

import (
	"log/slog"
	"strings"
	"time"
)

// kst is Korea Standard Time, the zone of every date and time on the wire.
var kst = time.FixedZone("KST", 9*3600)

// Table is one table of the store, as the POS defines it.
type Table struct {
	FloorCode string
	FloorName string
	TableCode string
	TableName string
}

// Ref returns the codes that identify the table in orders and lookups.
func (t Table) Ref() TableRef { return TableRef{FloorCode: t.FloorCode, TableCode: t.TableCode} }

// TableRef identifies a table by floor and table code.
type TableRef struct {
	FloorCode string
	TableCode string
}

// String returns "floor/table".
func (t TableRef) String() string { return t.FloorCode + "/" + t.TableCode }

func (t TableRef) valid() bool { return t.FloorCode != "" && t.TableCode != "" }

// CardNumber is a card number (or the cash-receipt / voucher number the same wire field
// carries). It is sent on the wire as given, but String, GoString and LogValue show only
// its last four digits, so %v, %+v, %#v and slog never print it whole.
type CardNumber string

// String returns the masked number.
func (c CardNumber) String() string { return maskCard(string(c)) }

// GoString returns the masked number, quoted.
func (c CardNumber) GoString() string { return `"` + maskCard(string(c)) + `"` }

// LogValue returns the masked number for log/slog.
func (c CardNumber) LogValue() slog.Value { return slog.StringValue(maskCard(string(c))) }

// Masked returns the masked number.
func (c CardNumber) Masked() string { return maskCard(string(c)) }

// maskCard replaces every digit but the last four with '*' (every digit when there are
// fewer than eight, so short numbers such as phone tails are hidden too). Other characters
// (separators, an issuer's own '*' mask) are kept.
func maskCard(s string) string {
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	keep := 4
	if digits < 8 {
		keep = 0
	}
	var b strings.Builder
	b.Grow(len(s))
	seen := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			seen++
			if seen > digits-keep {
				b.WriteRune(r)
			} else {
				b.WriteByte('*')
			}
			continue
		}
		if r > 0x7e || r < 0x20 { // never echo odd bytes of a number field
			b.WriteByte('?')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// OrderStatus is the POS status of a live order (ORDER_STATUS). The known values are the
// Status* constants; any other code is kept as received.
type OrderStatus string

// Open reports whether the table order still takes additional orders (received or done).
func (s OrderStatus) Open() bool { return s == StatusReceived || s == StatusDone }

// Finished reports whether the POS has completed the order (done or paid).
func (s OrderStatus) Finished() bool { return s == StatusDone || s == StatusPaid }

// Voided reports whether the order was cancelled or returned on the POS.
func (s OrderStatus) Voided() bool { return s == StatusCancelled || s == StatusReturned }

// String names the status in English (the code itself for unknown ones).
func (s OrderStatus) String() string {
	switch s {
	case StatusReceived:
		return "received"
	case StatusDone:
		return "done"
	case StatusCancelled:
		return "cancelled"
	case StatusReturned:
		return "returned"
	case StatusPaid:
		return "paid"
	case "":
		return "none"
	}
	return string(s)
}

// Delivery says whether the agent has handed an order to the POS (step 2). Modelled from
// SUCCESS_FLAG: "Y" delivered, "N" failed, "" pending.
type Delivery int

// Delivery values.
const (
	DeliveryPending Delivery = iota
	DeliveryDelivered
	DeliveryFailed
)

// String names the value.
func (d Delivery) String() string {
	switch d {
	case DeliveryDelivered:
		return "delivered"
	case DeliveryFailed:
		return "failed"
	}
	return "pending"
}

// LiveOrder is one order from the live-order lookup (TableOrders, StoreOrders).
type LiveOrder struct {
	OrderNo         string // ORDERNO: the agent's number for this order
	OrgOrderNo      string // ORG_ORDERNO: the table order it belongs to (itself for a new order)
	MerchantOrderNo string // MCHT_ORDERNO: the partner's idempotency key
	Table           TableRef
	OrderedAt       time.Time // ORDER_DATE + ORDER_TIME in Korea time; zero if unparsable
	Status          OrderStatus
	StatusName      string // ORDER_STATUS_NAME as the POS names it
	Delivery        Delivery
	POSOrderNo      string
	OriginalAmount  int64
	Amount          int64
	Discount        int64
	Prepaid         bool
	Lines           []OrderLine
	Payments        []Payment
}

// Delivered reports whether the order reached the POS (step 2). Modelled: SUCCESS_FLAG "Y",
// a POS order number, or a status only the POS sets (done, paid, cancelled, returned).
func (o *LiveOrder) Delivered() bool {
	return o.Delivery == DeliveryDelivered || o.POSOrderNo != "" || o.Status.Finished() || o.Status.Voided()
}

// OrderAck is the step-1 answer of NewOrder / AdditionalOrder: the agent's server accepted
// the order. It does not mean the POS has it; see Tracker.
type OrderAck struct {
	OrderNo         string
	OrgOrderNo      string
	MerchantOrderNo string
	POSOrderNo      string
}

func ackFromWire(w *WireOrderAnswer) *OrderAck {
	return &OrderAck{OrderNo: w.OrderNo, OrgOrderNo: w.OrgOrderNo, MerchantOrderNo: w.MerchantOrderNo, POSOrderNo: w.POSOrderNo}
}

func tableFromWire(w WireTable) Table {
	return Table{FloorCode: w.FloorCode, FloorName: w.FloorName, TableCode: w.TableCode, TableName: w.TableName}
}

func liveOrderFromWire(w *WireLiveOrder, buf *convBuf) LiveOrder {
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
		Prepaid:         w.Prepaid == FlagYes,
	}
	switch w.SuccessFlag {
	case FlagYes:
		o.Delivery = DeliveryDelivered
	case FlagNo:
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
func liveOrdersFromWire(w *WireOrderList) []LiveOrder {
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
func (b *convBuf) size(orders []WireLiveOrder) {
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
			case wirePayCard:
				nCards++
			case wirePayCash:
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

// parseOrderTime reads ORDER_DATE (DateLayout) and ORDER_TIME (TimeLayout) in Korea time,
// as time.ParseInLocation(DateLayout+TimeLayout, date+time, kst) would. The usual shape —
// 8 and 6 ASCII digits — is read by hand without allocating; anything else goes to
// time.ParseInLocation.
func parseOrderTime(date, tm string) (time.Time, bool) {
	if len(date) != len(DateLayout) || len(tm) != len(TimeLayout) || !digits(date) || !digits(tm) {
		t, err := time.ParseInLocation(DateLayout+TimeLayout, date+tm, kst)
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
		return FlagYes
	}
	return FlagNo
}
