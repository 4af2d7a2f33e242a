package dodopointmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/poskit/poskit/dodopoint"
	"github.com/poskit/poskit/internal/dodopointwire"
	"github.com/poskit/poskit/mock"
)

// TabletPolicy is how the simulated tablet answers the points offered for a claim.
type TabletPolicy string

// Tablet policies.
const (
	TabletAccept  TabletPolicy = "accept"  // the customer accepts every offer (default)
	TabletDecline TabletPolicy = "decline" // the customer declines every offer
	TabletManual  TabletPolicy = "manual"  // offers stay pending until AnswerOffer
)

func (p TabletPolicy) valid() bool {
	return p == TabletAccept || p == TabletDecline || p == TabletManual
}

// Offer is the state of a payment's offer on the tablet.
type Offer string

// Offer states.
const (
	OfferPending  Offer = "pending"
	OfferAccepted Offer = "accepted"
	OfferDeclined Offer = "declined"
)

// PointsFor returns the points the program derives from a sale's total. Modelled: 1% of
// the total in won, rounded down.
func PointsFor(total int64) int64 { return total / 100 }

// Payment is the program's record of one claimed payment.
type Payment struct {
	PaymentID   string    `json:"payment_id"`
	Total       int64     `json:"total"`
	Items       int       `json:"items"`
	Points      int64     `json:"points"`   // offered on the tablet
	Offer       Offer     `json:"offer"`    // the customer's answer
	Credited    int64     `json:"credited"` // Points when accepted and not cancelled, else 0
	Cancelled   bool      `json:"cancelled"`
	ClaimedAt   time.Time `json:"claimed_at"` // on the fake clock
	CancelledAt time.Time `json:"cancelled_at,omitzero"`
	Duplicates  int       `json:"duplicates"` // claims and cancels answered DUPLICATE
}

// Applied is one effect the program applied, in the order applied.
type Applied struct {
	Op        string    `json:"op"` // OpClaim or OpCancel
	PaymentID string    `json:"payment_id"`
	At        time.Time `json:"at"`
}

type payment struct {
	Payment
}

func (p *payment) view() Payment {
	v := p.Payment
	v.Credited = 0
	if v.Offer == OfferAccepted && !v.Cancelled {
		v.Credited = v.Points
	}
	return v
}

// answer is a handler's successful result: OK or DUPLICATE.
type answer struct{ code, message string }

// refusal is a handler's refusal in the modelled codes.
type refusal struct{ code, message string }

func (r refusal) Error() string { return r.code + ": " + r.message }

// codec reads the modelled JSON bodies and writes the modelled answers.
type codec struct{}

func (codec) Decode(_ *http.Request, body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return refusal{dodopointwire.CodeInvalidSale, "body is not the modelled JSON: " + err.Error()}
	}
	if dec.More() {
		return refusal{dodopointwire.CodeInvalidSale, "body has data after the JSON object"}
	}
	return nil
}

func (codec) Answer(w http.ResponseWriter, v any) {
	a := v.(answer)
	dodopointwire.WriteAnswer(w, dodopointwire.StatusOf(a.code), a.code, a.message)
}

func (codec) Refuse(w http.ResponseWriter, err error) {
	var r refusal
	if !errors.As(err, &r) {
		r = refusal{dodopointwire.CodeInvalidSale, err.Error()}
	}
	dodopointwire.WriteAnswer(w, dodopointwire.StatusOf(r.code), r.code, r.message)
}

// saleFromWire turns a claim body into a sale the rules of dodopoint accept.
func saleFromWire(w dodopointwire.Claim) (dodopoint.Sale, error) {
	t, err := time.Parse(time.RFC3339Nano, w.PaidAt)
	if err != nil {
		return dodopoint.Sale{}, fmt.Errorf("paid_at %q is not RFC 3339", w.PaidAt)
	}
	s := dodopoint.Sale{PaymentID: w.PaymentID, Total: w.Total, PaidAt: t}
	for _, it := range w.Items {
		s.Items = append(s.Items, dodopoint.Item(it))
	}
	return s, s.Validate()
}

// claim handles POST /claim.
func (s *Server) claim(_ *http.Request, in dodopointwire.Claim) (answer, error) {
	sale, err := saleFromWire(in)
	if err != nil {
		var e *dodopoint.Error
		msg := err.Error()
		if errors.As(err, &e) {
			msg = e.Message
		}
		return answer{}, refusal{dodopointwire.CodeInvalidSale, msg}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.payments[sale.PaymentID]; p != nil {
		p.Duplicates++
		return answer{dodopointwire.CodeDuplicate, "payment already claimed"}, nil
	}
	now := s.Clock().Now()
	p := &payment{Payment{PaymentID: sale.PaymentID, Total: sale.Total, Items: len(sale.Items),
		Points: PointsFor(sale.Total), Offer: OfferPending, ClaimedAt: now}}
	switch s.policy {
	case TabletAccept:
		p.Offer = OfferAccepted
	case TabletDecline:
		p.Offer = OfferDeclined
	}
	s.payments[sale.PaymentID] = p
	s.order = append(s.order, p)
	s.history = append(s.history, Applied{Op: OpClaim, PaymentID: sale.PaymentID, At: now})
	return answer{dodopointwire.CodeOK, fmt.Sprintf("%d points offered", p.Points)}, nil
}

// cancel handles POST /cancel.
func (s *Server) cancel(_ *http.Request, in dodopointwire.Cancel) (answer, error) {
	if err := dodopoint.ValidatePaymentID(in.PaymentID); err != nil {
		var e *dodopoint.Error
		errors.As(err, &e)
		return answer{}, refusal{dodopointwire.CodeInvalidSale, e.Message}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[in.PaymentID]
	switch {
	case p == nil:
		return answer{}, refusal{dodopointwire.CodeNotClaimed, "payment was never claimed"}
	case p.Cancelled:
		p.Duplicates++
		return answer{dodopointwire.CodeDuplicate, "payment already cancelled"}, nil
	}
	now := s.Clock().Now()
	p.Cancelled, p.CancelledAt = true, now
	s.history = append(s.history, Applied{Op: OpCancel, PaymentID: in.PaymentID, At: now})
	return answer{dodopointwire.CodeOK, "points voided"}, nil
}

// Payment returns the program's record of a payment id.
func (s *Server) Payment(id string) (Payment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[id]
	if p == nil {
		return Payment{}, false
	}
	return p.view(), true
}

// Payments returns every claimed payment, in the order claimed.
func (s *Server) Payments() []Payment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Payment, len(s.order))
	for i, p := range s.order {
		out[i] = p.view()
	}
	return out
}

// History returns every claim and cancel the program applied, in the order applied
// (duplicates and refusals are not in it).
func (s *Server) History() []Applied {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Applied(nil), s.history...)
}

// Counts returns how many claims and cancels the program applied for a payment id (each 0
// or 1: the program de-duplicates by payment id).
func (s *Server) Counts(id string) (claims, cancels int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[id]
	if p == nil {
		return 0, 0
	}
	if p.Cancelled {
		return 1, 1
	}
	return 1, 0
}

// SetTabletPolicy sets how the tablet answers offers from now on; offers already answered
// keep their answer. It refuses an unknown policy.
func (s *Server) SetTabletPolicy(p TabletPolicy) error {
	if !p.valid() {
		return fmt.Errorf("dodopointmock: unknown tablet policy %q (accept, decline, manual)", p)
	}
	s.mu.Lock()
	s.policy = p
	s.mu.Unlock()
	return nil
}

// TabletPolicy returns the tablet's policy.
func (s *Server) TabletPolicy() TabletPolicy {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.policy
}

// AnswerOffer makes the customer accept or decline the pending offer of a payment (under
// TabletManual). The error wraps mock.ErrUnknown for an id never claimed; an offer already
// answered is an error.
func (s *Server) AnswerOffer(id string, accept bool) (Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[id]
	if p == nil {
		return Payment{}, mock.Unknown("payment", id)
	}
	if p.Offer != OfferPending {
		return p.view(), fmt.Errorf("payment %q: offer already %s", id, p.Offer)
	}
	p.Offer = OfferDeclined
	if accept {
		p.Offer = OfferAccepted
	}
	return p.view(), nil
}
