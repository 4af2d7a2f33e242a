package smartro

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/clockx"
)

// Tracker defaults.
const (
	DefaultPollInterval = 5 * time.Second  // the guide's recommended lookup period
	DefaultExpiry       = 60 * time.Second // undelivered orders are dropped after this
	DefaultSettleAfter  = 10 * time.Minute
	DefaultRetention    = 10 * time.Minute
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
	src      OrderLookup
	clock    Clock
	log      *slog.Logger
	interval time.Duration
	expiry   time.Duration
	settle   time.Duration
	retain   time.Duration
	parallel int
	onTrans  func(Transition)
	occupied OccupiedPolicy
	noSleep  bool

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

// TrackerOption configures a Tracker.
type TrackerOption func(*Tracker)

// WithPollInterval sets the lookup period (default 5 s).
func WithPollInterval(d time.Duration) TrackerOption {
	return func(t *Tracker) {
		if d > 0 {
			t.interval = d
		}
	}
}

// WithExpiry sets how long an undelivered order may take (default 60 s, the guide's).
func WithExpiry(d time.Duration) TrackerOption {
	return func(t *Tracker) {
		if d > 0 {
			t.expiry = d
		}
	}
}

// WithSettleAfter sets how long a delivered order still "received" is followed before it
// settles as Succeeded (default 10 min).
func WithSettleAfter(d time.Duration) TrackerOption {
	return func(t *Tracker) {
		if d > 0 {
			t.settle = d
		}
	}
}

// WithRetention sets how long finished orders are remembered for State and CanReorder
// (default 10 min).
func WithRetention(d time.Duration) TrackerOption {
	return func(t *Tracker) {
		if d > 0 {
			t.retain = d
		}
	}
}

// WithOnTransition sets the callback that receives every transition.
func WithOnTransition(f func(Transition)) TrackerOption { return func(t *Tracker) { t.onTrans = f } }

// WithTrackerClock sets the clock the tracker polls on (default: the client's, or the wall
// clock).
func WithTrackerClock(c Clock) TrackerOption { return func(t *Tracker) { t.clock = c } }

// WithTrackerLogger logs failed lookups at Warn.
func WithTrackerLogger(l *slog.Logger) TrackerOption { return func(t *Tracker) { t.log = l } }

// WithPollConcurrency bounds the lookups in flight at once in one tick (default 8).
func WithPollConcurrency(n int) TrackerOption {
	return func(t *Tracker) {
		if n > 0 {
			t.parallel = n
		}
	}
}

// WithTrackerOccupiedRetry sets how the tracker's PlaceTableOrder/NewOrder wait out an
// occupied table (default: the client's policy); noSleep makes pauses zero.
func WithTrackerOccupiedRetry(p OccupiedPolicy, noSleep bool) TrackerOption {
	return func(t *Tracker) { t.occupied, t.noSleep = p, noSleep }
}

// NewTracker returns a tracker polling src (usually a *Client) and starts its poller;
// Close stops it.
func NewTracker(src OrderLookup, opts ...TrackerOption) *Tracker {
	return newTracker(src, nil, opts...)
}

func newTracker(src OrderLookup, parked func(time.Time), opts ...TrackerOption) *Tracker {
	t := &Tracker{
		parked: parked,
		src:    src, interval: DefaultPollInterval, expiry: DefaultExpiry, settle: DefaultSettleAfter,
		retain: DefaultRetention, parallel: 8,
		orders: make(map[string]*tracked), tables: make(map[TableRef]*tableWatch),
		wait: make(map[string][]chan OrderState),
		wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{}),
	}
	if c, ok := src.(*Client); ok {
		t.clock, t.log, t.occupied, t.noSleep = c.clock, c.log, c.occupied, c.noSleep
	}
	for _, o := range opts {
		o(t)
	}
	t.clock = clockx.Or(t.clock)
	go t.run()
	return t
}

// NewTracker returns a tracker on the client (its clock, logger and occupied policy).
func (c *Client) NewTracker(opts ...TrackerOption) *Tracker { return NewTracker(c, opts...) }

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
// ends (*Error with CodeTransport wrapping ctx's error), or the tracker closes first: then
// it returns the order's last state and *Error with CodeTrackerClosed (IsTrackerClosed).
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
		return 0, &Error{Op: "smartro.Tracker.Wait", Code: CodeTransport, Message: ctx.Err().Error(), err: ctx.Err()}
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
	a, ok := t.src.(OrderAgent)
	if !ok {
		return 0, nil, invalid(op, "the tracker's source cannot send orders")
	}
	// The postpaid flow's own checks (a prepaid order is refused) come before the order is
	// tracked, so bad input leaves no Submitted → Rejected trace.
	if err := o.validate(op, true); err != nil {
		return 0, nil, err
	}
	return t.send(ctx, op, o, func(hook func(OrderState)) (*OrderAck, bool, error) {
		return placeTableOrder(ctx, a, o, t.clock, t.occupied, t.noSleep, hook)
	})
}

// NewOrder sends o as a new order (Client.NewOrder: prepaid orders, or a free table) and
// tracks it as PlaceTableOrder does; an occupied answer is retried after a pause.
//
// Idempotency: as Client.NewOrder; MCHT_ORDERNO is the key and is never resent after a
// lost answer.
func (t *Tracker) NewOrder(ctx context.Context, o *Order) (OrderState, *OrderAck, error) {
	const op = "smartro.Tracker.NewOrder"
	a, ok := t.src.(OrderAgent)
	if !ok {
		return 0, nil, invalid(op, "the tracker's source cannot send orders")
	}
	if err := o.validate(op, false); err != nil {
		return 0, nil, err
	}
	return t.send(ctx, op, o, func(hook func(OrderState)) (*OrderAck, bool, error) {
		return withOccupiedRetry(ctx, func() (*OrderAck, bool, error) {
			ack, err := a.NewOrder(ctx, o)
			return ack, true, err
		}, t.clock, t.occupied, t.noSleep, hook)
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
	case err != nil && sent && IsLost(err):
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

// move changes o's state if allowed and records the transition. mu held.
func (t *Tracker) move(o *tracked, to OrderState, now time.Time, ev *[]Transition) {
	if !CanTransition(o.state, to) {
		if t.log != nil {
			t.log.Warn("smartro tracker: transition not allowed", "order", o.mcht, "from", o.state, "to", to)
		}
		return
	}
	*ev = append(*ev, Transition{MerchantOrderNo: o.mcht, OrderNo: o.orderNo, Table: o.table.ref, From: o.state, To: to, At: now})
	o.state = to
	if to.IsTerminal() {
		o.doneAt = now.UnixNano()
		if chs := t.wait[o.mcht]; len(chs) > 0 {
			for _, ch := range chs {
				ch <- to
			}
			delete(t.wait, o.mcht)
		}
	}
}

func (t *Tracker) emit(ev []Transition) {
	if t.onTrans == nil {
		return
	}
	for _, e := range ev {
		t.onTrans(e)
	}
}

func (t *Tracker) run() {
	defer close(t.done)
	for {
		t.mu.Lock()
		active := len(t.tables) > 0
		t.mu.Unlock()
		if !active {
			if t.parked != nil {
				t.parked(time.Time{})
			}
			select {
			case <-t.wake:
				continue
			case <-t.quit:
				return
			}
		}
		tm := t.clock.NewTimer(t.interval)
		if t.parked != nil {
			t.parked(t.clock.Now().Add(t.interval))
		}
		select {
		case <-tm.C():
		case <-t.quit:
			tm.Stop()
			return
		}
		t.pollOnce()
	}
}

type lookupResult struct {
	w    *tableWatch
	live []LiveOrder
	err  error
}

// pollOnce looks up every table with orders in flight (one lookup each) and applies the
// rules.
func (t *Tracker) pollOnce() {
	t.mu.Lock()
	watches := make([]*tableWatch, 0, len(t.tables))
	for _, w := range t.tables {
		watches = append(watches, w)
	}
	t.mu.Unlock()

	// asOf is when the lookups were sent: a lookup proves "not delivered" only up to the
	// moment it was taken, so deadlines are judged against asOf, never against the time its
	// answer was read (a slow answer must not expire an order delivered meanwhile).
	asOf := t.clock.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-t.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	results := make([]lookupResult, len(watches))
	lookup := func(i int) {
		w := watches[i]
		live, err := t.src.TableOrders(ctx, w.ref.FloorCode, w.ref.TableCode)
		results[i] = lookupResult{w: w, live: live, err: err}
	}
	if len(watches) == 1 || t.parallel == 1 {
		for i := range watches {
			lookup(i)
		}
	} else {
		sem := make(chan struct{}, t.parallel)
		var wg sync.WaitGroup
		for i := range watches {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				lookup(i)
			}()
		}
		wg.Wait()
	}

	t.emitMu.Lock()
	defer t.emitMu.Unlock()
	now := t.clock.Now()
	var ev []Transition
	t.mu.Lock()
	for i := range results {
		r := &results[i]
		if r.err != nil {
			if t.log != nil {
				t.log.Warn("smartro tracker: lookup failed", "table", r.w.ref.String(), "error", r.err.Error())
			}
			continue
		}
		t.apply(r.w, r.live, now, asOf, &ev)
	}
	t.prune(now)
	t.mu.Unlock()
	t.emit(ev)
}

// apply runs the rules for every order of w against its lookup. mu held.
func (t *Tracker) apply(w *tableWatch, live []LiveOrder, now, asOf time.Time, ev *[]Transition) {
	var idx map[string]*LiveOrder
	if len(live) > 16 {
		idx = make(map[string]*LiveOrder, 2*len(live))
		for i := range live {
			if live[i].OrderNo != "" {
				idx["o:"+live[i].OrderNo] = &live[i]
			}
			if live[i].MerchantOrderNo != "" {
				idx["m:"+live[i].MerchantOrderNo] = &live[i]
			}
		}
	}
	find := func(o *tracked) *LiveOrder {
		if idx != nil {
			if e := idx["m:"+o.mcht]; e != nil {
				return e
			}
			if o.orderNo != "" {
				return idx["o:"+o.orderNo]
			}
			return nil
		}
		for i := range live {
			if live[i].MerchantOrderNo == o.mcht {
				return &live[i]
			}
		}
		if o.orderNo != "" {
			for i := range live {
				if live[i].OrderNo == o.orderNo {
					return &live[i]
				}
			}
		}
		return nil
	}
	asOfNs := asOf.UnixNano()
	full := len(live) >= TableLookupLimit
	keep := w.orders[:0]
	for _, o := range w.orders {
		t.step(o, find(o), full, now, asOfNs, ev)
		if o.state.IsTerminal() {
			continue
		}
		keep = append(keep, o)
	}
	for i := len(keep); i < len(w.orders); i++ {
		w.orders[i] = nil
	}
	w.orders = keep
	if len(keep) == 0 {
		w.orders = nil
		delete(t.tables, w.ref)
	}
}

// step applies the rules to one order given its lookup entry (nil: not listed), taken at
// asOfNs (UnixNano); full says the lookup was full, so that "not listed" proves nothing.
// mu held.
func (t *Tracker) step(o *tracked, e *LiveOrder, full bool, now time.Time, asOfNs int64, ev *[]Transition) {
	for i := 0; i < 4; i++ {
		switch o.state {
		case Unknown:
			if e != nil {
				if e.OrderNo != "" {
					o.orderNo = e.OrderNo
				}
				t.move(o, Accepted, now, ev)
				continue
			}
			if asOfNs >= o.deadline && !full {
				t.move(o, Expired, now, ev)
			}
		case Accepted:
			if e != nil && e.Delivered() {
				if o.orderNo == "" {
					o.orderNo = e.OrderNo
				}
				t.move(o, Delivered, now, ev)
				o.deadline = now.Add(t.settle).UnixNano()
				continue
			}
			if asOfNs >= o.deadline && (e != nil || !full) {
				t.move(o, Expired, now, ev)
			}
		case Delivered:
			switch {
			case e == nil && !full:
				t.move(o, Succeeded, now, ev)
			case e != nil && e.Status.Finished():
				t.move(o, Succeeded, now, ev)
			case e != nil && e.Status.Voided():
				t.move(o, Cancelled, now, ev)
			case asOfNs >= o.deadline:
				t.move(o, Succeeded, now, ev)
			}
		}
		return
	}
}

// prune forgets finished orders older than the retention time (a terminal order is in no
// table's poll list: apply drops it there as it ends). mu held.
func (t *Tracker) prune(now time.Time) {
	limit := now.Add(-t.retain).UnixNano()
	for k, o := range t.orders {
		if o.state.IsTerminal() && o.doneAt <= limit {
			delete(t.orders, k)
		}
	}
}
