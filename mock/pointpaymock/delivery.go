package pointpaymock

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/poskit/poskit/internal/pointpaywire"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/pointpay"
)

// DeliveryState is where the result callback of a conversion stands.
type DeliveryState string

// Delivery states.
const (
	// DeliveryPending: the first POST is under way, or a resend is waiting on the clock.
	DeliveryPending DeliveryState = "pending"
	// DeliveryDelivered: a POST was answered "201".
	DeliveryDelivered DeliveryState = "delivered"
	// DeliveryGaveUp: the resend schedule ran out without a "201".
	DeliveryGaveUp DeliveryState = "gave-up"
	// DeliveryNoReturnURL: the merchant has no return URL (a solution merchant); nothing
	// is sent. The resend action sends once a return URL is set.
	DeliveryNoReturnURL DeliveryState = "no-return-url"
	// DeliveryRefusedURL: the return URL is not loopback; nothing is sent.
	DeliveryRefusedURL DeliveryState = "refused-url"
)

// CreditState is where the solution credit of a conversion stands ("" without
// WithSolutionCredit).
type CreditState string

// Solution credit states.
const (
	CreditPending  CreditState = "pending"  // waiting for the delay on the fake clock, or running
	CreditApplied  CreditState = "credited" // the hook returned nil
	CreditFailed   CreditState = "failed"   // the hook returned an error (CreditError); not retried
	CreditCanceled CreditState = "canceled" // the fake closed before the delay passed
)

// Attempt is one POST of a result to the return URL.
type Attempt struct {
	At        time.Time `json:"at"`                  // on the fake clock
	N         int       `json:"n"`                   // 1 for the first send, 2… for resends
	Duplicate bool      `json:"duplicate,omitempty"` // the second copy of a duplicate send
	Status    int       `json:"status"`              // the HTTP status; 0 without an answer
	Answer    string    `json:"answer"`              // the body as answered (at most 512 bytes)
	OK        bool      `json:"ok"`                  // the answer was "201"
	Error     string    `json:"error,omitempty"`     // why no answer came back
}

// Conversion is one conversion the fake performed, and the fate of its result callback.
type Conversion struct {
	Result       pointpay.Result `json:"-"`       // the result as sent (its Form())
	OrderNo      string          `json:"orderNo"` // rw_orderno
	MemberID     string          `json:"member"`  // rw_user_id
	Points       int64           `json:"points"`  // rw_price
	AddParam     string          `json:"addParam,omitempty"`
	RegisteredAt string          `json:"registeredAt"` // rw_reg_datetime as sent (KST)
	Delivery     DeliveryState   `json:"delivery"`
	Attempts     []Attempt       `json:"attempts"`
	NextResend   time.Time       `json:"nextResend,omitzero"` // when the pending resend fires
	Credit       CreditState     `json:"credit,omitempty"`
	CreditError  string          `json:"creditError,omitempty"`
}

// Answers returns the answers of every attempt, in order (for tests and logs).
func (c Conversion) Answers() []string {
	out := make([]string, len(c.Attempts))
	for i, a := range c.Attempts {
		out[i] = a.Answer
	}
	return out
}

// conv is a conversion's mutable record; the Server's mu guards it.
type conv struct {
	c        Conversion
	attempts int            // attempts started (N of the last)
	loop     bool           // a resend is armed or running
	timer    pointpay.Timer // the armed resend; nil when none is waiting
	wake     chan struct{}  // closed to end the armed resend's wait (delivered meanwhile)
}

func (c *conv) snapshot() Conversion {
	out := c.c
	out.Attempts = append([]Attempt(nil), c.c.Attempts...)
	return out
}

// orderSeq numbers conversions across every fake of the process, so two fakes never hand
// out the same rw_orderno.
var orderSeq atomic.Int64

// Convert performs a conversion as if the member had submitted the popup's form: points
// (1 to MaxPoints) go to memberID (the popup's user_id), addParam ("" for none) is passed
// back. The result gets a new rw_orderno and rw_reg_datetime (KST, the fake clock); its
// first POST to the return URL is made before Convert returns, resends wait on the clock,
// and the solution credit (WithSolutionCredit) is scheduled. Invalid values are refused
// as pointpay.PopupURL refuses them (*pointpay.Error).
func (s *Server) Convert(memberID string, points int64, addParam string) (Conversion, error) {
	var popt []pointpay.PopupOption
	if addParam != "" {
		popt = append(popt, pointpay.WithAddParam(addParam))
	}
	if _, err := pointpay.PopupURL(s.mediaID, memberID, popt...); err != nil {
		return Conversion{}, err
	}
	if points < 1 || points > MaxPoints {
		return Conversion{}, fmt.Errorf("pointpaymock: points %d: want 1 to %d", points, MaxPoints)
	}
	now := s.Clock().Now().In(pointpaywire.KST).Truncate(time.Second)
	orderNo := fmt.Sprintf("%s%06d", now.Format("20060102"), orderSeq.Add(1))
	r := pointpay.Result{PayType: pointpaywire.PayTypeKT, MemberID: memberID, Price: points,
		RegisteredAt: now, MediaCode: s.mediaID, OrderNo: orderNo, UTCCode: pointpaywire.UTCCodeKST, AddParam: addParam}
	c := &conv{c: Conversion{Result: r, OrderNo: orderNo, MemberID: memberID, Points: points, AddParam: addParam,
		RegisteredAt: now.Format(pointpaywire.RegDatetimeLayout), Delivery: DeliveryPending}}
	s.mu.Lock()
	s.convs[orderNo] = c
	s.order = append(s.order, c)
	if s.credit != nil && s.closed {
		c.c.Credit = CreditCanceled
	} else if s.credit != nil {
		c.c.Credit = CreditPending
		t := s.Clock().Tagged(CreditTag).NewTimer(s.creditDelay)
		s.goLocked(func() { s.solutionCredit(c, r, t) })
	}
	s.notifyLocked()
	s.mu.Unlock()

	if s.attempt(c) {
		s.mu.Lock()
		s.scheduleLocked(c, 0)
		s.mu.Unlock()
	}
	return s.Lookup(orderNo)
}

// Resend POSTs the result of the conversion orderNo again now (twice with duplicate
// sends), whatever its state, and returns the conversion afterwards. When it is not
// answered "201" and no resend is pending, the resend schedule starts again. An order number the
// fake did not hand out is mock.Unknown.
func (s *Server) Resend(orderNo string) (Conversion, error) {
	s.mu.Lock()
	c, ok := s.convs[orderNo]
	s.mu.Unlock()
	if !ok {
		return Conversion{}, mock.Unknown("order", orderNo)
	}
	if s.attempt(c) {
		s.mu.Lock()
		if !c.loop {
			s.scheduleLocked(c, 0)
		}
		s.mu.Unlock()
	}
	return s.Lookup(orderNo)
}

// Lookup returns the conversion orderNo; an order number the fake did not hand out is
// mock.Unknown.
func (s *Server) Lookup(orderNo string) (Conversion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.convs[orderNo]
	if !ok {
		return Conversion{}, mock.Unknown("order", orderNo)
	}
	return c.snapshot(), nil
}

// Conversions returns every conversion, oldest first.
func (s *Server) Conversions() []Conversion {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Conversion, len(s.order))
	for i, c := range s.order {
		out[i] = c.snapshot()
	}
	return out
}

// WaitFor blocks until the conversion orderNo satisfies cond (checked at once and after
// every change) or ctx ends, and returns it. Tests use it after moving the clock: the
// resend it released runs on another goroutine.
func (s *Server) WaitFor(ctx context.Context, orderNo string, cond func(Conversion) bool) (Conversion, error) {
	for {
		s.mu.Lock()
		c, ok := s.convs[orderNo]
		if !ok {
			s.mu.Unlock()
			return Conversion{}, mock.Unknown("order", orderNo)
		}
		snap, ch := c.snapshot(), s.changed
		s.mu.Unlock()
		if cond(snap) {
			return snap, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return snap, fmt.Errorf("pointpaymock: waiting for order %s: %w", orderNo, ctx.Err())
		}
	}
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// goLocked runs f on a goroutine the fake waits for at Close; after Close it does nothing.
func (s *Server) goLocked(f func()) {
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// scheduleLocked arms the resend number i+1 of c on the clock and waits for it on a
// goroutine; after it, the next one is armed, until the schedule runs out.
func (s *Server) scheduleLocked(c *conv, i int) {
	c.loop = false
	if c.c.Delivery != DeliveryPending || s.closed {
		return
	}
	if i >= len(s.schedule) {
		c.c.Delivery, c.c.NextResend = DeliveryGaveUp, time.Time{}
		s.notifyLocked()
		return
	}
	c.loop = true
	t, wake := s.Clock().Tagged(ResendTag).NewTimer(s.schedule[i]), make(chan struct{})
	c.timer, c.wake = t, wake
	c.c.NextResend = s.Clock().Now().Add(s.schedule[i])
	s.notifyLocked()
	s.goLocked(func() {
		select {
		case <-t.C():
		case <-wake: // delivered by a manual resend; cancelResendLocked stopped t
			return
		case <-s.ctx.Done():
			t.Stop()
			return
		}
		s.mu.Lock()
		c.timer, c.wake = nil, nil
		c.c.NextResend = time.Time{}
		pending := c.c.Delivery == DeliveryPending
		if !pending {
			c.loop = false
		}
		s.mu.Unlock()
		if !pending {
			return
		}
		if !s.attempt(c) {
			s.mu.Lock()
			c.loop = false
			s.mu.Unlock()
			return
		}
		s.mu.Lock()
		s.scheduleLocked(c, i+1)
		s.mu.Unlock()
	})
}

// cancelResendLocked drops c's armed resend, if any: c was delivered meanwhile.
func (s *Server) cancelResendLocked(c *conv) {
	if c.timer != nil {
		c.timer.Stop()
		close(c.wake)
		c.timer, c.wake, c.loop = nil, nil, false
	}
	c.c.NextResend = time.Time{}
}

// attempt POSTs c's result to the return URL (twice with duplicate sends) and records
// the answers. It reports whether a resend is due: c is still pending and was sent to a
// usable return URL.
func (s *Server) attempt(c *conv) (again bool) {
	s.mu.Lock()
	target, terr, copies := s.returnURL, s.returnErr, 1
	if s.duplicate {
		copies = 2
	}
	form := c.c.Result.Form().Encode()
	if target == "" || terr != nil {
		if c.c.Delivery != DeliveryDelivered {
			c.c.Delivery = DeliveryNoReturnURL
			if terr != nil {
				c.c.Delivery = DeliveryRefusedURL
			}
		}
		s.notifyLocked()
		s.mu.Unlock()
		return false
	}
	if c.c.Delivery != DeliveryDelivered {
		c.c.Delivery = DeliveryPending
	}
	c.attempts++
	n := c.attempts
	s.mu.Unlock()
	for i := range copies {
		a := s.post(target, form)
		a.N, a.Duplicate = n, i > 0
		s.mu.Lock()
		c.c.Attempts = append(c.c.Attempts, a)
		if a.OK {
			c.c.Delivery = DeliveryDelivered
			s.cancelResendLocked(c)
		}
		s.notifyLocked()
		s.mu.Unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return c.c.Delivery == DeliveryPending
}

// post sends one result form and reads the answer.
func (s *Server) post(target, form string) Attempt {
	a := Attempt{At: s.Clock().Now()}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, target, strings.NewReader(form))
	if err != nil {
		a.Error = err.Error()
		return a
	}
	req.Header.Set("Content-Type", pointpaywire.FormContentType)
	resp, err := s.client.Do(req)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 512))
	a.Status, a.Answer = resp.StatusCode, string(body)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	// Modelled: the body decides ("201"), on any 2xx status; the guide names no status.
	ans, perr := pointpay.ParseAnswer(body)
	a.OK = perr == nil && ans.OK && resp.StatusCode/100 == 2
	return a
}

// solutionCredit waits for t, then credits the member through the solution credit hook.
func (s *Server) solutionCredit(c *conv, r pointpay.Result, t pointpay.Timer) {
	select {
	case <-t.C():
	case <-s.ctx.Done():
		t.Stop()
		s.setCredit(c, CreditCanceled, "")
		return
	}
	err := s.credit(s.ctx, r.MemberID, r.Price, r.OrderNo)
	if err != nil {
		s.setCredit(c, CreditFailed, err.Error())
		return
	}
	s.setCredit(c, CreditApplied, "")
}

func (s *Server) setCredit(c *conv, st CreditState, msg string) {
	s.mu.Lock()
	c.c.Credit, c.c.CreditError = st, msg
	s.notifyLocked()
	s.mu.Unlock()
}
