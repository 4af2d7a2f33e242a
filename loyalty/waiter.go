package loyalty

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/loyaltywire"
)

// PaymentReader is what a PaymentWaiter needs of a client: reading one payment. *Client
// implements it; so can a test double or a wrapper. A reader that also has a
// Clock() Clock method (as *Client does) lends the waiter its clock.
type PaymentReader interface {
	Payment(ctx context.Context, paymentID string) (*Payment, error)
}

// clocked is implemented by readers that carry a clock (*Client).
type clocked interface{ Clock() Clock }

// Defaults of a PaymentWaiter.
const (
	DefaultWaiterMinDelay        = 1 * time.Second
	DefaultWaiterMaxDelay        = 5 * time.Second
	DefaultApprovalTimeout       = 45 * time.Second
	defaultWaiterPendingCapacity = 1024
)

// DefaultWaiterPoll is the polling policy of a PaymentWaiter: the first poll at once, then
// pauses of 1 s doubling to 5 s, without jitter, until the approval timeout.
var DefaultWaiterPoll = RetryPolicy{MaxRetries: math.MaxInt32, Initial: DefaultWaiterMinDelay, Max: DefaultWaiterMaxDelay, Multiplier: 2, Jitter: -1}

// WaiterOption configures a PaymentWaiter.
type WaiterOption func(*waiterConfig)

type waiterConfig struct {
	poll            RetryPolicy
	approvalTimeout time.Duration
	clock           Clock
}

// WithWaiterPoll sets the pauses between polls (zero fields: DefaultWaiterPoll's; the
// retry count is ignored, polls go on until the approval timeout).
func WithWaiterPoll(p RetryPolicy) WaiterOption { return func(c *waiterConfig) { c.poll = p } }

// WithApprovalTimeout sets the document's rule: without a decision this long after Wait
// starts, the leg is treated as timed out (default 45 s).
func WithApprovalTimeout(d time.Duration) WaiterOption {
	return func(c *waiterConfig) { c.approvalTimeout = d }
}

// WithWaiterClock sets the time source (default: the reader's Clock(), when it has one,
// else the wall clock).
func WithWaiterClock(clk Clock) WaiterOption { return func(c *waiterConfig) { c.clock = clk } }

// PaymentWaiter waits for the decision on one leg of a payment: the callback
// if one arrives (feed it with Notify), otherwise by polling Payment with
// exponential back-off (RetryPolicy) on the injected clock, and at most the approval
// timeout. It rejects status changes the state machine does not allow. It is safe for
// concurrent use; many Waits may run at once.
type PaymentWaiter struct {
	reader PaymentReader
	cfg    waiterConfig

	mu      sync.Mutex
	subs    map[callbackKey][]chan CallbackEvent
	pending map[callbackKey]CallbackEvent // events that arrived before their Wait
	order   []callbackKey
}

// NewPaymentWaiter returns a waiter polling reader (usually a *Client).
func NewPaymentWaiter(reader PaymentReader, opts ...WaiterOption) *PaymentWaiter {
	cfg := waiterConfig{}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	cfg.poll = cfg.poll.Or(DefaultWaiterPoll)
	cfg.poll.MaxRetries = math.MaxInt32
	if cfg.approvalTimeout <= 0 {
		cfg.approvalTimeout = DefaultApprovalTimeout
	}
	if cfg.clock == nil {
		if c, ok := reader.(clocked); ok {
			cfg.clock = c.Clock()
		}
	}
	cfg.clock = clockx.Or(cfg.clock)
	return &PaymentWaiter{
		reader:  reader,
		cfg:     cfg,
		subs:    make(map[callbackKey][]chan CallbackEvent),
		pending: make(map[callbackKey]CallbackEvent),
	}
}

// callbackKey is how a waiter files callbacks: the canonical payment id and the leg.
type callbackKey = CallbackKey

func waitKey(paymentID string, leg Leg) callbackKey {
	if id, ok := CanonicalPaymentID(paymentID); ok {
		return callbackKey{PaymentID: id, Leg: leg}
	}
	return callbackKey{PaymentID: strings.ToLower(paymentID), Leg: leg}
}

// Notify hands a callback to the waiter: a Wait on the same (paymentId, leg)
// ends with it; if none runs yet, the event is kept (the newest 1024) for a
// Wait that starts later. Use it from the CallbackHandler's function.
func (w *PaymentWaiter) Notify(ev CallbackEvent) {
	if ev.Payment == nil {
		return
	}
	k := waitKey(ev.Payment.ID, ev.Leg)
	w.mu.Lock()
	defer w.mu.Unlock()
	if subs := w.subs[k]; len(subs) > 0 {
		for _, ch := range subs {
			select {
			case ch <- ev:
			default: // this Wait already has an event
			}
		}
		return
	}
	if _, ok := w.pending[k]; !ok {
		w.order = append(w.order, k)
	}
	w.pending[k] = ev
	for len(w.order) > defaultWaiterPendingCapacity {
		delete(w.pending, w.order[0])
		w.order = w.order[1:]
	}
}

func (w *PaymentWaiter) subscribe(k callbackKey) chan CallbackEvent {
	ch := make(chan CallbackEvent, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if ev, ok := w.pending[k]; ok {
		delete(w.pending, k)
		for i, o := range w.order {
			if o == k {
				w.order = append(w.order[:i], w.order[i+1:]...)
				break
			}
		}
		ch <- ev
	}
	w.subs[k] = append(w.subs[k], ch)
	return ch
}

func (w *PaymentWaiter) unsubscribe(k callbackKey, ch chan CallbackEvent) {
	w.mu.Lock()
	defer w.mu.Unlock()
	subs := w.subs[k]
	for i, c := range subs {
		if c == ch {
			subs = append(subs[:i], subs[i+1:]...)
			break
		}
	}
	if len(subs) == 0 {
		delete(w.subs, k)
	} else {
		w.subs[k] = subs
	}
}

const waitOp = "loyalty.PaymentWaiter.Wait"

// Wait blocks until the leg of the payment is decided and returns the payment
// as last seen:
//
//   - approved (callback code 0, or a polled status 15/17/18, 55/57/58, 2/4,
//     6/8): the payment and nil — the KIOSK should now close the leg;
//   - denied: the payment and an *Error with CodeDenied (IsDenied);
//   - contract or server error callback: CodeContractError / CodeServerError;
//   - no decision within ApprovalTimeout, a timeout callback or status 9:
//     CodeTimeout (IsTimeout); the payment is the last one polled (may be nil);
//   - failed (19/59): CodePaymentFailed;
//   - a polled status the state machine cannot reach from the previous one:
//     CodeIllegalTransition;
//   - a poll error that is a refusal (e.g. unknown payment 2003): that error;
//   - ctx done: an *Error with CodeCanceled wrapping ctx.Err() (errors.Is(err,
//     context.Canceled) or DeadlineExceeded holds; it is not IsLost).
//
// A poll is a read: a lost answer, the relay's 6000 and 429/5xx answers are
// retried at the next poll.
func (w *PaymentWaiter) Wait(ctx context.Context, paymentID string, leg Leg) (*Payment, error) {
	if err := checkBytes32(waitOp, loyaltywire.ParamPaymentID, paymentID); err != nil {
		return nil, err
	}
	if leg != LegNew && leg != LegCancel {
		return nil, invalidInput(waitOp, "leg", "must be LegNew or LegCancel")
	}
	k := waitKey(paymentID, leg)
	events := w.subscribe(k)
	defer w.unsubscribe(k, events)

	clk := w.cfg.clock
	deadline := clk.NewTimer(w.cfg.approvalTimeout)
	defer deadline.Stop()

	var last *Payment
	poll := func() (*Payment, error, bool) {
		p, err := w.reader.Payment(ctx, paymentID)
		if err != nil {
			if ctx.Err() != nil {
				return last, abandoned(ctx), true
			}
			var t interface{ Retryable() bool }
			if IsLost(err) || (errors.As(err, &t) && t.Retryable()) {
				return nil, nil, false // a read: safe to poll again
			}
			return last, err, true
		}
		if !p.Status.Known() {
			return p, &Error{Op: waitOp, Code: CodeIllegalTransition, Message: "unknown status " + p.Status.String()}, true
		}
		if last != nil && p.Status != last.Status && !Reachable(last.Status, p.Status) {
			return p, &Error{Op: waitOp, Code: CodeIllegalTransition,
				Message: "status moved from " + last.Status.String() + " to " + p.Status.String()}, true
		}
		last = p
		if o := p.Status.OutcomeFor(leg); o != OutcomePending {
			return p, outcomeError(o, "payment status "+p.Status.String()), true
		}
		return nil, nil, false
	}

	if p, err, done := poll(); done {
		return p, err
	}
	pauses := w.cfg.poll.Schedule()
	for {
		timer := clk.NewTimer(pauses.NextBackOff())
		select {
		case ev := <-events:
			timer.Stop()
			return ev.Payment, outcomeError(ev.Outcome, ev.Message)
		case <-ctx.Done():
			timer.Stop()
			return last, abandoned(ctx)
		case <-deadline.C():
			timer.Stop()
			// One last look: a decision may have landed just before the deadline.
			select {
			case ev := <-events:
				return ev.Payment, outcomeError(ev.Outcome, ev.Message)
			default:
			}
			if p, err, done := poll(); done {
				return p, err
			}
			return last, &Error{Op: waitOp, Code: CodeTimeout,
				Message: "no decision within " + w.cfg.approvalTimeout.String()}
		case <-timer.C():
			if p, err, done := poll(); done {
				return p, err
			}
		}
	}
}

// outcomeError is nil for an approval and the matching *Error otherwise.
func outcomeError(o Outcome, msg string) error {
	var code Code
	switch o {
	case OutcomeApproved:
		return nil
	case OutcomeDenied:
		code = CodeDenied
	case OutcomeContractError:
		code = CodeContractError
	case OutcomeServerError:
		code = CodeServerError
	case OutcomeTimeout:
		code = CodeTimeout
	case OutcomeFailed:
		code = CodePaymentFailed
	default:
		code = CodeUnknown
	}
	return &Error{Op: waitOp, Code: code, Message: loyaltywire.Clean(msg, nil)}
}

// abandoned is Wait's error when ctx ended: the context's own error, not a lost answer.
func abandoned(ctx context.Context) error {
	return &Error{Op: waitOp, Code: CodeCanceled, Message: "wait abandoned", Err: ctx.Err()}
}
