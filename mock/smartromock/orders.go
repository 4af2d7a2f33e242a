package smartromock

import (
	"fmt"
	wire "github.com/poskit/poskit/internal/smartrowire"
	"sort"
	"time"

	"github.com/poskit/poskit/smartro"
)

// Delivery is where an accepted order stands between the Smartro server and the POS.
type Delivery int

// Delivery states.
const (
	// DeliveryPending: accepted (step 1), waiting for its delivery time. Listed by the
	// lookup with no status and SUCCESS_FLAG "".
	DeliveryPending Delivery = iota
	// DeliveryRetrying: its delivery time came while the agent was offline; it is delivered
	// when the agent is back, if within Expiry. Listed with SUCCESS_FLAG "N".
	DeliveryRetrying
	// DeliveryFailed: the POS refused it (FailNextDelivery); never delivered. Listed with
	// SUCCESS_FLAG "N" until Expiry.
	DeliveryFailed
	// DeliveryDelivered: the POS has it (step 2, 접수성공). Listed with its POS status and
	// SUCCESS_FLAG "Y".
	DeliveryDelivered
	// DeliveryExpired: not delivered within Expiry of acceptance: dropped, never sent to the
	// POS, never listed again.
	DeliveryExpired
)

// String names the state.
func (d Delivery) String() string {
	switch d {
	case DeliveryPending:
		return "pending"
	case DeliveryRetrying:
		return "retrying"
	case DeliveryFailed:
		return "failed"
	case DeliveryDelivered:
		return "delivered"
	case DeliveryExpired:
		return "expired"
	}
	return fmt.Sprintf("Delivery(%d)", int(d))
}

// Order is one order the server accepted, as Orders reports it.
type Order struct {
	OrderNo         string // ORDERNO
	OrgOrderNo      string // ORG_ORDERNO: the table order (itself for a new order)
	MerchantOrderNo string // MCHT_ORDERNO
	POSOrderNo      string // set once delivered
	Table           smartro.TableRef
	Additional      bool // accepted by PathOrderAdd
	Prepaid         bool
	OriginalAmount  int64
	Amount          int64
	Discount        int64
	Memo            string
	Lines           []smartro.OrderLine
	Payments        []smartro.Payment
	AcceptedAt      time.Time // on the fake clock
	DeliverAt       time.Time // when delivery is (or was) attempted
	ExpiresAt       time.Time // AcceptedAt + Expiry
	DeliveredAt     time.Time // zero unless delivered
	Delivery        Delivery
	Status          smartro.OrderStatus // POS status; "" until delivered
}

// InPOS reports whether the order reached the POS.
func (o *Order) InPOS() bool { return o.Delivery == DeliveryDelivered }

type order struct {
	no, org, mcht string
	pos           string
	table         smartro.TableRef
	additional    bool
	req           *wire.OrderRequest
	parsed        *smartro.Order
	acceptedAt    time.Time
	deliverAt     time.Time
	expiresAt     time.Time
	deliveredAt   time.Time
	delivery      Delivery
	willFail      bool
	status        smartro.OrderStatus
	answer        wire.OrderAnswer
}

func (o *order) export() Order {
	e := Order{
		OrderNo: o.no, OrgOrderNo: o.org, MerchantOrderNo: o.mcht, POSOrderNo: o.pos,
		Table: o.table, Additional: o.additional, Prepaid: o.req.Prepaid == wire.FlagYes,
		OriginalAmount: int64(o.req.OriginalAmount), Amount: int64(o.req.PayAmount), Discount: int64(o.req.Discount),
		Memo: o.req.Memo, Lines: append([]smartro.OrderLine(nil), o.parsed.Lines...),
		AcceptedAt: o.acceptedAt, DeliverAt: o.deliverAt, ExpiresAt: o.expiresAt, DeliveredAt: o.deliveredAt,
		Delivery: o.delivery, Status: o.status,
	}
	if p, ok := o.parsed.Settlement.(smartro.Prepaid); ok {
		e.Payments = append([]smartro.Payment(nil), p.Payments...)
	}
	return e
}

// statusNames are ORDER_STATUS_NAME of each status (Modelled wording).
var statusNames = map[smartro.OrderStatus]string{
	smartro.StatusReceived:  "주문성공",
	smartro.StatusDone:      "완료",
	smartro.StatusCancelled: "주문취소",
	smartro.StatusReturned:  "반품",
	smartro.StatusPaid:      "결제완료",
}

// live returns the lookup entry of o; o must be listed (not expired).
func (o *order) live() wire.LiveOrder {
	at := o.acceptedAt.In(kst)
	w := wire.LiveOrder{
		OrderNo:         o.no,
		OrgOrderNo:      o.org,
		MerchantOrderNo: o.mcht,
		OrderDate:       at.Format(wire.DateLayout),
		OrderTime:       at.Format(wire.TimeLayout),
		OriginalAmount:  o.req.OriginalAmount,
		PayAmount:       o.req.PayAmount,
		Discount:        o.req.Discount,
		Prepaid:         o.req.Prepaid,
		FloorCode:       o.table.FloorCode,
		TableCode:       o.table.TableCode,
		Items:           o.req.Items,
		Pays:            o.req.Pays,
	}
	switch o.delivery {
	case DeliveryPending:
		w.StatusName = "주문대기"
	case DeliveryRetrying, DeliveryFailed:
		w.StatusName = "주문실패"
		w.SuccessFlag = wire.FlagNo
	case DeliveryDelivered:
		w.Status = string(o.status)
		w.StatusName = statusNames[o.status]
		w.SuccessFlag = wire.FlagYes
		w.POSOrderNo = o.pos
	}
	return w
}

// settleLocked brings every pending order up to now: delivered, failed, waiting for the
// agent or expired. State between two calls is constant except for the end of a restart,
// which is handled at its own time, so the lazy evaluation is exact. mu held.
func (s *Server) settleLocked(now time.Time) {
	if !s.backAt.IsZero() && !now.Before(s.backAt) {
		s.settleTo(s.backAt)
		s.online = true
		s.onlineSince = s.backAt
		s.backAt = time.Time{}
	}
	s.settleTo(now)
}

func (s *Server) settleTo(t time.Time) {
	if len(s.pending) == 0 {
		return
	}
	keep := s.pending[:0]
	var delivered []*order
	for _, o := range s.pending {
		if o.delivery == DeliveryPending || o.delivery == DeliveryRetrying {
			if s.online {
				at := o.deliverAt
				if at.Before(s.onlineSince) {
					at = s.onlineSince
				}
				if at.Before(o.expiresAt) && !at.After(t) {
					if o.willFail {
						o.delivery = DeliveryFailed
					} else {
						o.deliveredAt = at
						delivered = append(delivered, o)
						continue
					}
				}
			} else if o.delivery == DeliveryPending && !o.deliverAt.After(t) && o.deliverAt.Before(o.expiresAt) {
				o.delivery = DeliveryRetrying
			}
		}
		if !t.Before(o.expiresAt) {
			o.delivery = DeliveryExpired
			if s.byMcht[o.mcht] == o {
				delete(s.byMcht, o.mcht)
			}
			continue
		}
		keep = append(keep, o)
	}
	for i := len(keep); i < len(s.pending); i++ {
		s.pending[i] = nil
	}
	s.pending = keep
	sort.SliceStable(delivered, func(i, j int) bool { return delivered[i].deliveredAt.Before(delivered[j].deliveredAt) })
	for _, o := range delivered {
		s.posSeq++
		o.pos = fmt.Sprintf("%04d", s.posSeq)
		o.delivery = DeliveryDelivered
		o.status = smartro.StatusReceived
	}
}

// Orders returns every order the server ever accepted, oldest first, with its state at
// the clock's now: delivered, pending, failed or expired, and its POS status. A test
// counts what reached the POS with Order.InPOS.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.clock.Now())
	out := make([]Order, len(s.orders))
	for i, o := range s.orders {
		out[i] = o.export()
	}
	return out
}

// Order returns the order with ORDERNO orderNo.
func (s *Server) Order(orderNo string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.clock.Now())
	o := s.byNo[orderNo]
	if o == nil {
		return Order{}, false
	}
	return o.export(), true
}

// POSComplete marks the delivered order orderNo done on the POS (SMRO000069).
func (s *Server) POSComplete(orderNo string) error { return s.posSet(orderNo, smartro.StatusDone) }

// POSCancel marks the delivered order orderNo cancelled on the POS (SMRO000070).
func (s *Server) POSCancel(orderNo string) error {
	return s.posSet(orderNo, smartro.StatusCancelled)
}

// POSReturn marks the delivered order orderNo returned on the POS (SMRO000071).
func (s *Server) POSReturn(orderNo string) error { return s.posSet(orderNo, smartro.StatusReturned) }

// POSPaid marks the delivered order orderNo paid on the POS (SMRO000088).
func (s *Server) POSPaid(orderNo string) error { return s.posSet(orderNo, smartro.StatusPaid) }

// posSet sets the POS status of one order. Each POS call acts on the order it names only;
// a table order's status is that of its root order (ORDERNO = ORG_ORDERNO).
func (s *Server) posSet(orderNo string, st smartro.OrderStatus) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.clock.Now())
	o := s.byNo[orderNo]
	if o == nil {
		return fmt.Errorf("smartromock: no order %q", orderNo)
	}
	if o.delivery != DeliveryDelivered {
		return fmt.Errorf("smartromock: order %q is %s, not on the POS", orderNo, o.delivery)
	}
	o.status = st
	return nil
}
