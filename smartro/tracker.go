package smartro

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/clockx"
)

// Tracker follows orders after their step-1 answer until the POS has them (Delivered) and
// they end (Succeeded or Cancelled), or until they are known never to arrive (Expired,
// Rejected). It polls the live-order lookup of each table that has orders in flight, on its
// clock, every poll interval: ONE lookup per table per tick however many orders that table
// has, all tables from one goroutine (with bounded parallel lookups), not a goroutine per
// order.
//
// Rules, per tracked order, applied at each successful lookup of its table at time now
// (orders are found by MCHT_ORDERNO, else by ORDERNO):
//   - Unknown (the step-1 answer was lost): found → Accepted; not found (in a lookup that
//     is not full) once now ≥ the time Track was called + expiry → Expired. Never resent.
//   - Accepted: found delivered (see LiveOrder.Delivered) → Delivered; listed undelivered,
//     or not listed in a lookup that is not full, once now ≥ Track time + expiry →
//     Expired (the agent never sends it to the POS after 60 s of receiving it, and it
//     received it before Track was called, so this is safe).
//     A failed delivery (SUCCESS_FLAG N) is held until that deadline too.
//   - Delivered: status done/paid → Succeeded; cancelled/returned → Cancelled; dropped out
//     of the lookup (one that is not full, see below), or still "received" (or unseen)
//     after the settle time → Succeeded. Modelled.
//
// A lookup that fails changes nothing: an order never expires without a successful lookup
// after its deadline.
//
// A full lookup proves nothing about the orders it does not list. Modelled: the table
// lookup lists only the table's latest TableLookupLimit (10) orders, so with that many
// entries an order missing from it may have been pushed out by newer orders (11 orders on
// one table within a poll interval) rather than dropped. Orders missing from a full lookup
// therefore do not expire (Unknown, Accepted) and do not end by dropping out (Delivered:
// only its settle time or a status ends it); they stay pending past their deadline — State
// says so, CanReorder is false, Wait keeps waiting — until a lookup that is not full shows
// them (then the rules above apply) or shows them absent (then Expired, or Succeeded for a
// Delivered one). The store-wide lookup (StoreOrders) is not consulted: it lists at most
// StoreLookupLimit (5) orders per table, taken to be the newest, so when a table's lookup
// is full the store lookup's part for that table is full too and a subset of it — it can
// neither show such an order nor prove it absent. Only Expired and Rejected allow ordering the same basket again
// (CanReorder); the tracker refuses to send an order whose MCHT_ORDERNO is still in flight.
//
// Transitions are reported in order to the WithOnTransition callback, never concurrently;
// the callback must not call Track, PlaceTableOrder, NewOrder or Close.
type Tracker struct {
	src           OrderLookup
	agent         OrderAgent // src, when it can send orders
	trackerConfig            // checked, defaults filled in

	emitMu sync.Mutex // serialises apply+emit so callbacks see transitions in order
	mu     sync.Mutex
	orders map[string]*tracked
	tables map[TableRef]*tableWatch
	wait   map[string][]chan OrderState
	closed bool

	wake chan struct{}
	quit chan struct{}
	done chan struct{}
	once sync.Once

	// parked, if set (tests), is called each time the poller parks: with the deadline of
	// its timer, or zero when idle (no timer).
	parked func(until time.Time)
}

// tracked is one order; kept small (the tracker's memory is dominated by it).
type tracked struct {
	mcht     string
	orderNo  string
	table    *tableWatch
	deadline int64 // unix ns: expiry (Accepted/Unknown) or settle (Delivered) deadline
	doneAt   int64 // unix ns when it became terminal
	state    OrderState
}

type tableWatch struct {
	ref    TableRef
	orders []*tracked
}

// trackerSource is implemented by a source that gives a tracker its defaults (*Client:
// its clock, logger and occupied-table policy).
type trackerSource interface {
	trackerSettings() (Clock, *slog.Logger, RetryPolicy)
}

// NewTracker returns a tracker polling src (usually a *Client, whose clock, logger and
// occupied-table policy it takes unless options say otherwise) and starts its poller; Close
// stops it. A src that is also an OrderAgent lets the tracker send orders (PlaceTableOrder,
// NewOrder). A bad option (a negative duration or count, a bad policy) gives *Error with
// CodeInvalidInput.
func NewTracker(src OrderLookup, opts ...TrackerOption) (*Tracker, error) {
	return startTracker(src, nil, opts...)
}

func startTracker(src OrderLookup, parked func(time.Time), opts ...TrackerOption) (*Tracker, error) {
	const op = "smartro.NewTracker"
	if src == nil {
		return nil, invalid(op, "the tracker needs a source of lookups")
	}
	var cfg trackerConfig
	if d, ok := src.(trackerSource); ok {
		cfg.clock, cfg.log, cfg.occupied = d.trackerSettings()
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.check(op); err != nil {
		return nil, err
	}
	cfg.clock = clockx.Or(cfg.clock)
	t := &Tracker{
		parked: parked,
		src:    src, trackerConfig: cfg,
		orders: make(map[string]*tracked), tables: make(map[TableRef]*tableWatch),
		wait: make(map[string][]chan OrderState),
		wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{}),
	}
	t.agent, _ = src.(OrderAgent)
	go t.run()
	return t, nil
}

// NewTracker returns a tracker on the client (its clock, logger and occupied-table policy
// unless options say otherwise); see NewTracker.
func (c *Client) NewTracker(opts ...TrackerOption) (*Tracker, error) { return NewTracker(c, opts...) }

// Close stops polling and waits for the poller to end. Tracked orders keep their last
// state; Wait calls for orders not in a terminal state return that state with *Error
// CodeTrackerClosed (IsTrackerClosed), now and after.
func (t *Tracker) Close() error {
	t.once.Do(func() {
		t.mu.Lock()
		t.closed = true
		t.mu.Unlock()
		close(t.quit)
	})
	<-t.done
	return nil
}

// State returns the state of the order with MCHT_ORDERNO merchantOrderNo, if tracked (or
// finished within the retention time).
func (t *Tracker) State(merchantOrderNo string) (OrderState, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	o, ok := t.orders[merchantOrderNo]
	if !ok {
		return 0, false
	}
	return o.state, true
}

// CanReorder reports whether the basket sent as merchantOrderNo may be ordered again: the
// tracker knows the POS never got it (Expired or Rejected). It is false for orders still in
// flight, delivered ones and ones the tracker does not know.
func (t *Tracker) CanReorder(merchantOrderNo string) bool {
	s, ok := t.State(merchantOrderNo)
	return ok && s.AllowsReorder()
}

// Len returns the number of orders being polled.
func (t *Tracker) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, w := range t.tables {
		n += len(w.orders)
	}
	return n
}

// Wait blocks until the order reaches a terminal state (returned with a nil error), ctx
// ends (*Error with CodeCanceled wrapping ctx's error: errors.Is(err, context.Canceled) or
// context.DeadlineExceeded; not lost — the order's fate is unchanged, Wait again later), or
// the tracker closes first: then it returns the order's last state and *Error with
// CodeTrackerClosed (IsTrackerClosed).
func (t *Tracker) Wait(ctx context.Context, merchantOrderNo string) (OrderState, error) {
	const op = "smartro.Tracker.Wait"
	t.mu.Lock()
	o, ok := t.orders[merchantOrderNo]
	if !ok {
		t.mu.Unlock()
		return 0, invalid(op, "order %q is not tracked", merchantOrderNo)
	}
	if o.state.IsTerminal() || t.closed {
		s := o.state
		t.mu.Unlock()
		return s, closedError(op, merchantOrderNo, s)
	}
	ch := make(chan OrderState, 1)
	t.wait[merchantOrderNo] = append(t.wait[merchantOrderNo], ch)
	t.mu.Unlock()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		s, _ := t.State(merchantOrderNo)
		return s, &Error{Op: op, Code: CodeCanceled, Err: ctx.Err()}
	case <-t.quit:
		s, _ := t.State(merchantOrderNo)
		return s, closedError(op, merchantOrderNo, s)
	}
}

// closedError is Wait's answer on a closed tracker for an order in state s: nil when s is
// terminal, else CodeTrackerClosed.
func closedError(op, mcht string, s OrderState) error {
	if s.IsTerminal() {
		return nil
	}
	return &Error{Op: op, Code: CodeTrackerClosed, Message: fmt.Sprintf("tracker closed while order %q was %v", mcht, s)}
}

// Track starts following an order after its step-1 answer: ack and sendErr are what
// NewOrder, AdditionalOrder or PlaceTableOrder returned for it. It returns the state:
//   - ack, no error → Accepted, polled until delivery or expiry;
//   - a lost answer (IsLost(sendErr)) → Unknown, resolved by looking for MCHT_ORDERNO in
//     the lookup — found → Accepted, not found within the expiry → Expired;
//   - an occupied answer → Occupied then Rejected (the caller did not retry);
//   - any other refusal → Rejected.
//
// Tracking a MCHT_ORDERNO that is still in flight (or delivered) is refused with
// CodeInvalidInput; one that ended Expired or Rejected starts over.
func (t *Tracker) Track(table TableRef, merchantOrderNo string, ack *OrderAck, sendErr error) (OrderState, error) {
	const op = "smartro.Tracker.Track"
	if err := checkID(op, "merchant order number", merchantOrderNo); err != nil {
		return 0, err
	}
	if !table.valid() {
		return 0, invalid(op, "table floor and table codes are required")
	}
	if ack == nil && sendErr == nil {
		return 0, invalid(op, "neither an answer nor an error to track")
	}
	t.emitMu.Lock()
	defer t.emitMu.Unlock()
	o, err := t.begin(op, table, merchantOrderNo)
	if err != nil {
		return 0, err
	}
	return t.finish(o, ack, true, sendErr), nil
}

// PlaceTableOrder runs Client.PlaceTableOrder's postpaid flow for o and tracks the order:
// Submitted, Occupied while the table is occupied (retried after a pause), then Accepted,
// Unknown (answer lost: resolved by lookup, never resent) or Rejected. It returns the state
// after step 1 and the ack or error; follow the rest with Wait, State or the callback.
// An o.MerchantOrderNo still in flight is refused without sending anything.
//
// Idempotency: as Client.PlaceTableOrder; MCHT_ORDERNO is the key.
func (t *Tracker) PlaceTableOrder(ctx context.Context, o *Order) (OrderState, *OrderAck, error) {
	const op = "smartro.Tracker.PlaceTableOrder"
	a := t.agent
	if a == nil {
		return 0, nil, invalid(op, "the tracker's source cannot send orders")
	}
	// The postpaid flow's own checks (a prepaid order is refused) come before the order is
	// tracked, so bad input leaves no Submitted → Rejected trace.
	if err := o.validate(op, true); err != nil {
		return 0, nil, err
	}
	return t.send(ctx, op, o, func(hook func(OrderState)) (*OrderAck, bool, error) {
		return placeTableOrder(ctx, a, o, t.clock, t.occupied, hook)
	})
}

// NewOrder sends o as a new order (Client.NewOrder: prepaid orders, or a free table) and
// tracks it as PlaceTableOrder does; an occupied answer is retried after a pause.
//
// Idempotency: as Client.NewOrder; MCHT_ORDERNO is the key and is never resent after a
// lost answer.
func (t *Tracker) NewOrder(ctx context.Context, o *Order) (OrderState, *OrderAck, error) {
	const op = "smartro.Tracker.NewOrder"
	a := t.agent
	if a == nil {
		return 0, nil, invalid(op, "the tracker's source cannot send orders")
	}
	if err := o.validate(op, false); err != nil {
		return 0, nil, err
	}
	return t.send(ctx, op, o, func(hook func(OrderState)) (*OrderAck, bool, error) {
		return withOccupiedRetry(ctx, func() (*OrderAck, bool, error) {
			ack, err := a.NewOrder(ctx, o)
			return ack, true, err
		}, t.clock, t.occupied, hook)
	})
}

func (t *Tracker) send(ctx context.Context, op string, o *Order, run func(hook func(OrderState)) (*OrderAck, bool, error)) (OrderState, *OrderAck, error) {
	if o == nil {
		return 0, nil, invalid(op, "order is nil")
	}
	if err := o.validate(op, o.payments() == nil); err != nil {
		return 0, nil, err
	}
	t.emitMu.Lock()
	rec, err := t.begin(op, o.Table, o.MerchantOrderNo)
	t.emitMu.Unlock()
	if err != nil {
		return 0, nil, err
	}
	hook := func(to OrderState) {
		t.emitMu.Lock()
		defer t.emitMu.Unlock()
		t.mu.Lock()
		var ev []Transition
		t.move(rec, to, t.clock.Now(), &ev)
		t.mu.Unlock()
		t.emit(ev)
	}
	ack, sent, err := run(hook)
	t.emitMu.Lock()
	defer t.emitMu.Unlock()
	return t.finish(rec, ack, sent, err), ack, err
}

// begin records a Submitted order, or refuses a MCHT_ORDERNO still in flight. emitMu held.
func (t *Tracker) begin(op string, table TableRef, mcht string) (*tracked, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, invalid(op, "tracker is closed")
	}
	if old, ok := t.orders[mcht]; ok && !old.state.AllowsReorder() {
		return nil, invalid(op, "order %q is %v: it may still reach the POS; a new attempt must wait until it is Expired or Rejected", mcht, old.state)
	}
	w := t.tables[table]
	if w == nil {
		w = &tableWatch{ref: table}
	}
	o := &tracked{mcht: mcht, table: w, state: Submitted}
	t.orders[mcht] = o
	return o, nil
}

// finish applies the step-1 outcome. emitMu held.
func (t *Tracker) finish(o *tracked, ack *OrderAck, sent bool, err error) OrderState {
	now := t.clock.Now()
	var ev []Transition
	t.mu.Lock()
	switch {
	case err == nil && ack != nil:
		o.orderNo = ack.OrderNo
		t.move(o, Accepted, now, &ev)
	case err != nil && sent && (IsLost(err) || apierr.IsContext(err)):
		// The answer was lost, or the caller gave up while the request was out: the order
		// may exist. Resolve it by lookup; never resend.
		t.move(o, Unknown, now, &ev)
	case IsOccupied(err):
		if o.state != Occupied {
			t.move(o, Occupied, now, &ev)
		}
		t.move(o, Rejected, now, &ev)
	default:
		if o.state == Occupied { // the retry after a pause failed before sending
			t.move(o, Submitted, now, &ev)
		}
		t.move(o, Rejected, now, &ev)
	}
	if o.state == Accepted || o.state == Unknown {
		o.deadline = now.Add(t.expiry).UnixNano()
		w := t.tables[o.table.ref]
		if w == nil {
			w = o.table
			t.tables[w.ref] = w
		}
		o.table = w
		w.orders = append(w.orders, o)
	}
	s := o.state
	t.mu.Unlock()
	t.emit(ev)
	select {
	case t.wake <- struct{}{}:
	default:
	}
	return s
}
