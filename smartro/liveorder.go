package smartro

import "time"

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
