package loyalty

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/clockx"
)

// PaymentReader reads one payment; *Client implements it. PaymentWaiter polls it.
type PaymentReader interface {
	Payment(ctx context.Context, paymentID string) (*Payment, error)
}

// Defaults of a PaymentWaiter.
const (
	DefaultWaiterMinDelay        = 1 * time.Second
	DefaultWaiterMaxDelay        = 5 * time.Second
	DefaultApprovalTimeout       = 45 * time.Second
	defaultWaiterPendingCapacity = 1024
)

// WaiterOptions configures a PaymentWaiter. Zero fields take the defaults.
type WaiterOptions struct {
	// MinDelay is the wait before the second poll (the first is immediate);
	// each further delay doubles, up to MaxDelay. Defaults 1 s and 5 s.
	MinDelay, MaxDelay time.Duration
	// ApprovalTimeout is the document's rule: without a decision this long
	// after Wait starts, the leg is treated as timed out (default 45 s).
	ApprovalTimeout time.Duration
	// Clock is the time source; default the client's (WithClock) or the real clock.
	Clock Clock
}

// PaymentWaiter waits for the decision on one leg of a payment: the callback
// if one arrives (feed it with Notify), otherwise by polling Payment with
// exponential back-off on the injected clock, and at most ApprovalTimeout.
// It rejects status changes the state machine does not allow. It is safe for
// concurrent use; many Waits may run at once.
type PaymentWaiter struct {
	reader PaymentReader
	opts   WaiterOptions

	mu      sync.Mutex
	subs    map[callbackKey][]chan CallbackEvent
	pending map[callbackKey]CallbackEvent // events that arrived before their Wait
	order   []callbackKey
}

// NewPaymentWaiter returns a waiter polling reader (usually a *Client).
func NewPaymentWaiter(reader PaymentReader, opts WaiterOptions) *PaymentWaiter {
	if opts.MinDelay <= 0 {
		opts.MinDelay = DefaultWaiterMinDelay
	}
	if opts.MaxDelay < opts.MinDelay {
		opts.MaxDelay = max(DefaultWaiterMaxDelay, opts.MinDelay)
	}
	if opts.ApprovalTimeout <= 0 {
		opts.ApprovalTimeout = DefaultApprovalTimeout
	}
	if opts.Clock == nil {
		if c, ok := reader.(*Client); ok {
			opts.Clock = c.Clock()
		}
	}
	opts.Clock = clockx.Or(opts.Clock)
	return &PaymentWaiter{
		reader:  reader,
		opts:    opts,
		subs:    make(map[callbackKey][]chan CallbackEvent),
		pending: make(map[callbackKey]CallbackEvent),
	}
}

func waitKey(paymentID string, leg Leg) callbackKey {
	return callbackKey{paymentID: strings.ToLower(paymentID), leg: leg}
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
//   - a poll error that is not temporary (e.g. unknown payment 2003): that error;
//   - ctx done: an *Error wrapping ctx.Err().
//
// Transport and 6000 errors of a poll are retried at the next poll.
func (w *PaymentWaiter) Wait(ctx context.Context, paymentID string, leg Leg) (*Payment, error) {
	if err := checkBytes32(waitOp, ParamPaymentID, paymentID); err != nil {
		return nil, err
	}
	if leg != LegNew && leg != LegCancel {
		return nil, invalidInput(waitOp, "leg", "must be LegNew or LegCancel")
	}
	k := waitKey(paymentID, leg)
	events := w.subscribe(k)
	defer w.unsubscribe(k, events)

	clk := w.opts.Clock
	deadline := clk.NewTimer(w.opts.ApprovalTimeout)
	defer deadline.Stop()

	var last *Payment
	poll := func() (*Payment, error, bool) {
		p, err := w.reader.Payment(ctx, paymentID)
		if err != nil {
			if ctx.Err() != nil {
				return last, &Error{Op: waitOp, Code: CodeTransport, Message: "wait abandoned", Err: ctx.Err()}, true
			}
			var t interface{ Retryable() bool }
			if errors.As(err, &t) && t.Retryable() {
				return nil, nil, false
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
	delay := w.opts.MinDelay
	for {
		timer := clk.NewTimer(delay)
		select {
		case ev := <-events:
			timer.Stop()
			return ev.Payment, outcomeError(ev.Outcome, ev.Message)
		case <-ctx.Done():
			timer.Stop()
			return last, &Error{Op: waitOp, Code: CodeTransport, Message: "wait abandoned", Err: ctx.Err()}
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
				Message: "no decision within " + w.opts.ApprovalTimeout.String()}
		case <-timer.C():
			if p, err, done := poll(); done {
				return p, err
			}
			delay = min(2*delay, w.opts.MaxDelay)
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
	return &Error{Op: waitOp, Code: code, Message: cleanMessage(msg)}
}
