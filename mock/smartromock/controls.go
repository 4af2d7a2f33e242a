package smartromock

import (
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/smartro"
)

// This file holds the Go-side controls of the store and the POS a test drives: business
// day, agent, occupancy, POS payments, delivery delays and answer latency.

// SetBusinessDay opens (true) or closes (false) the POS's business day. While it is
// closed, new and additional orders are refused with smartro.CodeBusinessDayClosed.
func (s *Server) SetBusinessDay(open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bizOpen = open
}

// SetAgentOnline starts (true) or stops (false) the Order Agent on the shop PC. While it
// is offline, orders and return requests are refused with smartro.CodeAgentOffline and
// deliveries wait (see the package doc); lookups, tables and menu are still answered.
func (s *Server) SetAgentOnline(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.settleLocked(now)
	s.backAt = time.Time{}
	if on && !s.online {
		s.onlineSince = now
	}
	s.online = on
}

// AgentOnline reports whether the agent is online now.
func (s *Server) AgentOnline() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.clock.Now())
	return s.online
}

// Restart restarts the Order Agent: it goes offline now and is online again after the
// WithRestartDowntime (at once by default), whatever its state before. Everything on the
// Smartro server (orders, MCHT_ORDERNO de-duplication, statuses, tables, menu) and on the
// POS (business day, occupancy) survives; orders not yet delivered are delivered once the
// agent is back if that is still within Expiry of their acceptance, else dropped.
func (s *Server) Restart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.settleLocked(now)
	s.restarts++
	if s.downtime <= 0 {
		s.online = true
		s.onlineSince = now
		s.backAt = time.Time{}
		return
	}
	s.online = false
	s.backAt = now.Add(s.downtime)
}

// Restarts returns how many times Restart was called.
func (s *Server) Restarts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restarts
}

// Occupy marks the table occupied by the POS screen until Release: orders for it are
// refused with smartro.CodeOccupied.
func (s *Server) Occupy(floor, table string) {
	s.setOcc(floor, table, func(o *occupancy) { o.screen = true })
}

// Release ends an Occupy.
func (s *Server) Release(floor, table string) {
	s.setOcc(floor, table, func(o *occupancy) { o.screen = false })
}

// StartPOSPayment starts a payment of the table on the POS: the table is occupied (orders
// refused with smartro.CodeOccupied) until FinishPOSPayment.
func (s *Server) StartPOSPayment(floor, table string) {
	s.setOcc(floor, table, func(o *occupancy) { o.payment = true })
}

// FinishPOSPayment ends the table's payment on the POS: the table is no longer occupied by
// it, and every delivered order of the table still received or done (SMRO000068/069) is
// now paid (SMRO000088), which closes the table order. Modelled.
func (s *Server) FinishPOSPayment(floor, table string) {
	ref := smartro.TableRef{FloorCode: floor, TableCode: table}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.clock.Now())
	if o, ok := s.occ[ref]; ok {
		o.payment = false
		s.putOcc(ref, o)
	}
	for _, o := range s.byTable[ref] {
		if o.delivery == DeliveryDelivered && o.status.Open() {
			o.status = smartro.StatusPaid
		}
	}
}

func (s *Server) setOcc(floor, table string, f func(*occupancy)) {
	ref := smartro.TableRef{FloorCode: floor, TableCode: table}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.occ[ref]
	f(&o)
	s.putOcc(ref, o)
}

func (s *Server) putOcc(ref smartro.TableRef, o occupancy) {
	if o == (occupancy{}) {
		delete(s.occ, ref)
		return
	}
	s.occ[ref] = o
}

// Occupied reports whether the table is occupied (by Occupy or a POS payment).
func (s *Server) Occupied(floor, table string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.occ[smartro.TableRef{FloorCode: floor, TableCode: table}] != occupancy{}
}

// SetDefaultDeliveryDelay changes the delivery delay of orders accepted from now on.
func (s *Server) SetDefaultDeliveryDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetDeliveryDelay sets the delivery delay of one order, by its MCHT_ORDERNO: the live
// order with that number if there is one and it is not yet delivered (the delay counts from
// its acceptance; a delay already passed delivers it at the next look), else the next order
// accepted with that number.
func (s *Server) SetDeliveryDelay(merchantOrderNo string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.settleLocked(now)
	if o := s.byMcht[merchantOrderNo]; o != nil {
		if o.delivery == DeliveryPending || o.delivery == DeliveryRetrying {
			at := o.acceptedAt.Add(d)
			if at.Before(now) {
				at = now
			}
			o.deliverAt = at
		}
		return
	}
	s.delayFor[merchantOrderNo] = d
}

// FailNextDelivery makes the delivery of the next order accepted fail for good: the POS
// refuses it, the lookup shows it as failed (SUCCESS_FLAG N) until Expiry after its
// acceptance, then it disappears. Calls add up.
func (s *Server) FailNextDelivery() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext++
}

// SetAnswerLatency holds every answer of operation op (an Op* constant) for d on the fake
// clock after the server has acted and taken its snapshot: the latency of the network and
// the agent between the server's state and the client reading it. 0 removes it.
func (s *Server) SetAnswerLatency(op string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.latency, op)
		return
	}
	s.latency[op] = d
}

// withLatency wraps h so that its answer is held for the operation's answer latency.
func (s *Server) withLatency(op string, h mock.HandlerFunc) mock.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		s.mu.Lock()
		d := s.latency[op]
		s.mu.Unlock()
		if d <= 0 {
			h(w, r, body)
			return
		}
		rec := httptest.NewRecorder()
		h(rec, r, body)
		if !mock.Wait(r.Context(), s.clock, d) {
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}
}
