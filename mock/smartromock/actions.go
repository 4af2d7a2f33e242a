package smartromock

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/smartro"
)

// This file holds the fake's named actions: the test-side controls poskit-mock serves as
// POST /smartro/do/{name} (GET /smartro/do lists them with an example body each).

// tableArgs names a table of the store.
type tableArgs struct {
	Floor string `json:"floor"`
	Table string `json:"table"`
}

// Validate requires both codes.
func (a *tableArgs) Validate() error {
	if a.Floor == "" || a.Table == "" {
		return errors.New(`floor and table are required`)
	}
	return nil
}

// delayArgs sets a delivery delay.
type delayArgs struct {
	Delay           string `json:"delay"`
	MerchantOrderNo string `json:"merchantOrderNo,omitempty"`
	d               time.Duration
}

// Validate parses the delay.
func (a *delayArgs) Validate() error {
	d, err := time.ParseDuration(a.Delay)
	if err != nil || d < 0 {
		return fmt.Errorf("delay %q is not a non-negative Go duration such as 10s", a.Delay)
	}
	a.d = d
	return nil
}

// tableAction acts on a table of the store; an unknown table is refused.
func (s *Server) tableAction(name, doc string, f func(floor, table string)) mock.Action {
	return mock.NewAction(name, doc, tableArgs{Floor: "1", Table: "01"}, func(_ context.Context, a tableArgs) (any, error) {
		if !s.hasTable(smartro.TableRef{FloorCode: a.Floor, TableCode: a.Table}) {
			return nil, mock.Unknown("table", a.Floor+"/"+a.Table)
		}
		f(a.Floor, a.Table)
		return map[string]bool{"occupied": s.Occupied(a.Floor, a.Table)}, nil
	})
}

// posAction acts on one delivered order; an unknown order is refused.
func (s *Server) posAction(name, doc string, f func(orderNo string) error) mock.Action {
	return mock.NewAction(name, doc, mock.OrderNoArgs{OrderNo: "20260101000001"}, func(_ context.Context, a mock.OrderNoArgs) (any, error) {
		if _, ok := s.Order(a.OrderNo); !ok {
			return nil, mock.Unknown("order", a.OrderNo)
		}
		if err := f(a.OrderNo); err != nil {
			return nil, err
		}
		o, _ := s.Order(a.OrderNo)
		return o, nil
	})
}

func (s *Server) hasTable(ref smartro.TableRef) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tableSet[ref]
}

// actions returns the fake's named actions.
func (s *Server) actions() []mock.Action {
	return []mock.Action{
		mock.NewAction("business-day", "Opens (on: true) or closes (on: false) the POS's business day; while closed, orders are refused (PKT_BIZDAY_CLOSED).",
			mock.Switch(), func(_ context.Context, a mock.SwitchArgs) (any, error) {
				s.SetBusinessDay(*a.On)
				return map[string]bool{"on": *a.On}, nil
			}),
		mock.NewAction("agent-online", "Starts (on: true) or stops (on: false) the Order Agent; while offline, orders are refused (PKT_AGENT_OFFLINE) and deliveries wait.",
			mock.Switch(), func(_ context.Context, a mock.SwitchArgs) (any, error) {
				s.SetAgentOnline(*a.On)
				return map[string]bool{"on": s.AgentOnline()}, nil
			}),
		s.tableAction("occupy", "Occupies the table (floor, table codes) by the POS screen until release: orders for it are refused (PKT_OCCUPIED).", s.Occupy),
		s.tableAction("release", "Ends an occupy of the table (floor, table codes).", s.Release),
		s.tableAction("pos-payment-start", "Starts a POS payment on the table (floor, table codes): it is occupied until pos-payment-finish.", s.StartPOSPayment),
		s.tableAction("pos-payment-finish", "Finishes the table's POS payment: no longer occupied by it, and its received/done orders become paid.", s.FinishPOSPayment),
		s.posAction("pos-complete", "Marks the delivered order orderNo done on the POS (SMRO000069).", s.POSComplete),
		s.posAction("pos-cancel", "Marks the delivered order orderNo cancelled on the POS (SMRO000070).", s.POSCancel),
		s.posAction("pos-return", "Marks the delivered order orderNo returned on the POS (SMRO000071).", s.POSReturn),
		s.posAction("pos-paid", "Marks the delivered order orderNo paid on the POS (SMRO000088).", s.POSPaid),
		mock.NewAction("fail-next-delivery", "Makes the POS refuse the next order accepted, for good (no arguments).",
			mock.NoArgs{}, func(context.Context, mock.NoArgs) (any, error) {
				s.FailNextDelivery()
				return struct{}{}, nil
			}),
		mock.NewAction("restart", "Restarts the Order Agent (offline for the server's restart downtime); answers the restart count (no arguments).",
			mock.NoArgs{}, func(context.Context, mock.NoArgs) (any, error) {
				s.Restart()
				return map[string]int{"restarts": s.Restarts()}, nil
			}),
		mock.NewAction("delivery-delay", "Sets the delivery delay (a Go duration) of orders accepted from now on, or with merchantOrderNo of that order only.",
			delayArgs{Delay: "10s"}, func(_ context.Context, a delayArgs) (any, error) {
				if a.MerchantOrderNo != "" {
					s.SetDeliveryDelay(a.MerchantOrderNo, a.d)
				} else {
					s.SetDefaultDeliveryDelay(a.d)
				}
				return map[string]string{"delay": a.d.String(), "merchantOrderNo": a.MerchantOrderNo}, nil
			}),
		mock.NewAction("orders", "Lists every order ever accepted with its delivery state and POS status (no arguments).",
			mock.NoArgs{}, func(context.Context, mock.NoArgs) (any, error) { return s.Orders(), nil }),
	}
}
