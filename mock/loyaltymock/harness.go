package loyaltymock

// Controls and probes a property harness (loyaltyprop) uses to drive the fake.

import "github.com/poskit/poskit/loyalty"

// Busy reports whether wallet answers or callbacks are under way or due: a wallet that
// answers at once is queued by the open and waits for the next Sync (or clock advance),
// so a harness that sees Busy calls Sync.
func (s *Server) Busy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inflight > 0 || (s.active.Len() > 0 && !s.active[0].at.After(s.clock.Now()))
}

// ClosedPayments returns the payments of a purchase that ended paid (18).
func (s *Server) ClosedPayments(shopID, purchaseID string) []loyalty.Payment {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.clock.Now())
	var out []loyalty.Payment
	for _, p := range s.payments {
		if p.p.PurchaseID == purchaseID && equalFold(p.p.ShopID, shopID) && p.p.Status == loyalty.StatusNewClosed {
			out = append(out, p.p)
		}
	}
	return out
}

// SetDuplicateCallbacks makes the fake deliver every callback twice (a relay or proxy
// that redelivers), as a KIOSK must tolerate.
func (s *Server) SetDuplicateCallbacks(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dupCallbacks = on
}
