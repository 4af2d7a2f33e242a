package dodopoint

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/poskit/poskit/internal/dodopointwire"
)

// Outbox is the durable local queue between the POS and the assist program: Claim and
// Cancel return as soon as the operation is on disk, and one delivery goroutine sends the
// operations through the Transport in submission order, retrying while the program is
// down, so the POS never blocks a sale on the program. An Outbox is safe for concurrent
// use. See the package doc for its rules.
type Outbox struct {
	cfg      config
	tr       Transport
	store    Store
	ownStore bool
	name     string // the store's file, for errors

	mu         sync.Mutex
	seq        uint64
	payments   map[string]*payment
	queue      []*op // operations in submission order; terminal ones are skipped lazily
	queued     int   // operations in StateQueued
	done       []doneRef
	nDone      int
	forgotten  bool // some finished payments were compacted away (entry 0 on disk)
	writes     []*write
	unwritten  int // writes submitted and not yet committed
	broken     error
	closed     bool
	changed    chan struct{} // closed and replaced on every change (Drain waits on it)
	wakeCommit chan struct{}
	wakeSend   chan struct{}

	ctx       context.Context
	cancel    context.CancelFunc
	sendDone  chan struct{}
	stopWrite chan struct{}
	writeDone chan struct{}
	ev        events
	closeOnce sync.Once
	closeErr  error
}

type op struct {
	seq       uint64
	kind      Kind
	rec       record
	err       error         // StateFailed: the refusal
	committed chan struct{} // closed once the record (first version) is on disk or failed
	werr      error         // the write's error, read after committed is closed
	maybeSent bool          // loaded from disk queued, or an attempt's answer was lost
	inFlight  bool
}

type payment struct {
	claim, cancel *op
	gen           uint64 // bumped each time it becomes finished (see doneRef)
}

type doneRef struct {
	id  string
	gen uint64
}

// write is one submission to the store; the writer merges many into one Store.Write.
type write struct {
	puts   []Entry
	dels   []uint64
	ops    []*op // new operations made durable by this write
	events []Event
}

// Event is one change of an operation's state, told to the WithOnState callback.
type Event struct {
	PaymentID string
	Kind      Kind
	State     State
	Err       error // StateFailed: the program's refusal
}

// Status is what the outbox knows of one payment.
type Status struct {
	PaymentID string
	Claim     State // zero when only a cancel is known (its claim was compacted away)
	Cancel    State // zero when the payment was not cancelled
	Err       error // the refusal of a failed claim or cancel
}

// forgottenMarker is the data of entry 0: some finished payments were compacted away.
var forgottenMarker = []byte("dodopoint: finished payments compacted")

// NewOutbox opens an outbox on store, loads what it holds and starts delivering through
// t. The outbox never closes store: close it after Outbox.Close. A damaged record is an
// *Error with CodeStoreCorrupt; nothing is delivered then.
func NewOutbox(t Transport, store Store, opts ...Option) (*Outbox, error) {
	return newOutbox("dodopoint.NewOutbox", t, store, false, opts)
}

// OpenFile opens (creating if needed) the bbolt outbox file at path and starts delivering
// through t; Close closes the file. Errors name the file: CodeStoreLocked when another
// outbox has it open, CodeStoreCorrupt when it is damaged or truncated.
func OpenFile(path string, t Transport, opts ...Option) (*Outbox, error) {
	const op = "dodopoint.OpenFile"
	cfg, err := buildConfig(op, opts)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, newError(op, CodeInvalidInput, "transport is nil", nil)
	}
	s, err := OpenBoltStore(path, cfg.boltOpts...)
	if err != nil {
		return nil, err
	}
	ob, err := newOutbox(op, t, s, true, opts)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	return ob, nil
}

func newOutbox(opName string, t Transport, store Store, own bool, opts []Option) (*Outbox, error) {
	cfg, err := buildConfig(opName, opts)
	if err != nil {
		return nil, err
	}
	if t == nil || store == nil {
		return nil, newError(opName, CodeInvalidInput, "transport and store are required", nil)
	}
	ob := &Outbox{
		cfg: cfg, tr: t, store: store, ownStore: own, name: "store",
		payments:   map[string]*payment{},
		changed:    make(chan struct{}),
		wakeCommit: make(chan struct{}, 1),
		wakeSend:   make(chan struct{}, 1),
		sendDone:   make(chan struct{}),
		stopWrite:  make(chan struct{}),
		writeDone:  make(chan struct{}),
	}
	if p, ok := store.(interface{ Path() string }); ok {
		ob.name = "outbox file " + p.Path()
	}
	if err := ob.load(opName); err != nil {
		return nil, err
	}
	ob.ctx, ob.cancel = context.WithCancel(context.Background())
	ob.ev.start(cfg.onState)
	go ob.writer()
	go ob.deliver()
	return ob, nil
}

// load rebuilds the in-memory state from the store.
func (ob *Outbox) load(opName string) error {
	entries, err := ob.store.Load()
	if err != nil {
		if _, ok := asError(err); ok {
			return err
		}
		return newError(opName, CodeStore, "cannot read "+ob.name, err)
	}
	var finished []*payment
	for _, e := range entries {
		if e.Seq == 0 {
			if string(e.Data) != string(forgottenMarker) {
				return newError(opName, CodeStoreCorrupt, fmt.Sprintf("%s: entry 0 is damaged", ob.name), nil)
			}
			ob.forgotten = true
			continue
		}
		r, err := decodeRecord(e.Data)
		if err != nil {
			return newError(opName, CodeStoreCorrupt, fmt.Sprintf("%s: record %d is damaged", ob.name, e.Seq), err)
		}
		o := &op{seq: e.Seq, kind: r.kind, rec: r, committed: closedChan}
		if r.state == StateFailed {
			o.err = &Error{Op: opFor(r.kind), Code: Code(r.errCode), Message: r.errMsg}
		}
		if r.state == StateQueued {
			o.maybeSent = true // it may have been in flight when the process stopped
			ob.queue = append(ob.queue, o)
			ob.queued++
		}
		id := r.sale.PaymentID
		p := ob.payments[id]
		if p == nil {
			p = &payment{}
			ob.payments[id] = p
		}
		slot := &p.claim
		if r.kind == KindCancel {
			slot = &p.cancel
		}
		if *slot != nil {
			return newError(opName, CodeStoreCorrupt, fmt.Sprintf("%s: record %d repeats the %s of payment %q", ob.name, e.Seq, r.kind, id), nil)
		}
		*slot = o
		ob.seq = max(ob.seq, e.Seq)
	}
	for _, p := range ob.payments {
		if p.finished() {
			finished = append(finished, p)
		}
	}
	sort.Slice(finished, func(i, j int) bool { return finished[i].lastSeq() < finished[j].lastSeq() })
	for _, p := range finished {
		ob.markDoneLocked(p, nil)
	}
	return nil
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// opFor returns the error name of an operation kind ("dodopoint.Claim").
func opFor(k Kind) string {
	if k == KindCancel {
		return dodopointwire.Table.Name("Cancel")
	}
	return dodopointwire.Table.Name("Claim")
}

func (p *payment) finished() bool {
	return (p.claim == nil || p.claim.rec.state.Terminal()) && (p.cancel == nil || p.cancel.rec.state.Terminal())
}

func (p *payment) lastSeq() uint64 {
	var s uint64
	if p.claim != nil {
		s = p.claim.seq
	}
	if p.cancel != nil {
		s = max(s, p.cancel.seq)
	}
	return s
}

// Claim queues a claim (적립) of the sale and returns once it is on disk; the delivery
// goroutine passes it to the assist program (Modelled: POST /claim) when it is reachable.
// The sale is validated first (CodeInvalidInput; nothing written).
//
// Idempotency: the payment id is the key. Claiming an id already claimed with the same
// sales data is one claim: Claim returns nil (after the first claim is on disk) and
// queues nothing; with other data it is CodeConflict; for a cancelled payment it is
// CodeAlreadyCancelled; a claim that ended StateFailed stays failed (Claim returns nil,
// Status tells). The program also de-duplicates by payment id, which is what makes
// a resend after a lost answer or a restart safe; the outbox never sends a claim after a
// cancel of the same payment. When ctx ends first, Claim returns ctx's error and the claim
// may or may not be queued: claim again (it is one claim) or look at Status.
func (ob *Outbox) Claim(ctx context.Context, s Sale) error {
	const opName = "dodopoint.Claim"
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.check(opName); err != nil {
		return err
	}
	s = s.clone()
	ob.mu.Lock()
	if err := ob.usableLocked(opName); err != nil {
		ob.mu.Unlock()
		return err
	}
	if p := ob.payments[s.PaymentID]; p != nil {
		c := p.claim
		switch {
		case p.cancel != nil:
			ob.mu.Unlock()
			return newError(opName, CodeAlreadyCancelled, fmt.Sprintf("payment %q is cancelled", s.PaymentID), nil)
		case !c.rec.sale.equal(s, c.rec.compacted):
			ob.mu.Unlock()
			return newError(opName, CodeConflict, fmt.Sprintf("payment %q was claimed with other sales data", s.PaymentID), nil)
		}
		ob.mu.Unlock()
		return ob.wait(ctx, c)
	}
	if ob.queued >= ob.cfg.maxQueued {
		ob.mu.Unlock()
		return ob.fullError(opName)
	}
	o := ob.newOpLocked(KindClaim, record{kind: KindClaim, state: StateQueued, sale: s})
	ob.payments[s.PaymentID] = &payment{claim: o}
	ob.submitLocked(&write{puts: []Entry{ob.entry(o)}, ops: []*op{o}, events: []Event{o.event()}})
	ob.mu.Unlock()
	return ob.wait(ctx, o)
}

// Cancel queues a cancel (적립 취소) of a claimed payment and returns once it is on disk.
//
// When the claim has not reached the assist program yet (queued, not in flight, never
// attempted with a lost answer, not left over from before a restart), the cancel
// withdraws it: the claim is never sent, the cancel is not sent either, and both end
// StateCancelledBeforeDelivery. Otherwise the cancel is queued behind the claim and
// delivered after it (Modelled: POST /cancel): a claim that may have reached the program
// is completed (the program de-duplicates it) and then voided.
//
// Idempotency: keyed by payment id. Cancelling twice is one cancel (nil). Cancelling an
// id never claimed is CodeNotClaimed — except once finished payments were compacted away
// (WithRetainDone), when an unknown id is queued and the program is the judge (a refusal
// ends the cancel StateFailed with CodeNotClaimed). ctx as for Claim.
func (ob *Outbox) Cancel(ctx context.Context, paymentID string) error {
	const opName = "dodopoint.Cancel"
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkID(opName, paymentID); err != nil {
		return err
	}
	ob.mu.Lock()
	if err := ob.usableLocked(opName); err != nil {
		ob.mu.Unlock()
		return err
	}
	p := ob.payments[paymentID]
	if p != nil && p.cancel != nil {
		ob.mu.Unlock()
		return ob.wait(ctx, p.cancel)
	}
	if p == nil && !ob.forgotten {
		ob.mu.Unlock()
		return newError(opName, CodeNotClaimed, fmt.Sprintf("payment %q was never claimed", paymentID), nil)
	}
	rec := record{kind: KindCancel, state: StateQueued, sale: Sale{PaymentID: paymentID}}
	w := &write{}
	var c *op
	if p != nil {
		c = p.claim
	}
	switch {
	case c != nil && c.rec.state == StateQueued && !c.inFlight && !c.maybeSent:
		// Withdraw the claim: it never reached the program.
		c.rec.state, c.rec.compacted = StateCancelledBeforeDelivery, true
		ob.queued--
		rec.state = StateCancelledBeforeDelivery
		w.puts = append(w.puts, ob.entry(c))
		w.events = append(w.events, c.event())
	case c != nil && c.rec.state == StateFailed:
		rec.state = StateCancelledBeforeDelivery // nothing was credited: nothing to void
	default:
		if ob.queued >= ob.cfg.maxQueued {
			ob.mu.Unlock()
			return ob.fullError(opName)
		}
	}
	if p == nil {
		p = &payment{}
		ob.payments[paymentID] = p
	}
	wasDone := p.finished() && p.gen > 0
	x := ob.newOpLocked(KindCancel, rec)
	p.cancel = x
	w.puts = append(w.puts, ob.entry(x))
	w.ops = append(w.ops, x)
	w.events = append(w.events, x.event())
	switch {
	case wasDone && !p.finished():
		ob.nDone-- // a delivered claim waits for its cancel again
	case !wasDone && p.finished():
		ob.markDoneLocked(p, w)
	}
	ob.submitLocked(w)
	ob.mu.Unlock()
	return ob.wait(ctx, x)
}

// Status returns what the outbox knows of a payment, and false when it knows nothing
// (never claimed, or finished and compacted away).
func (ob *Outbox) Status(paymentID string) (Status, bool) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	p := ob.payments[paymentID]
	if p == nil {
		return Status{}, false
	}
	st := Status{PaymentID: paymentID}
	if p.claim != nil {
		st.Claim, st.Err = p.claim.rec.state, p.claim.err
	}
	if p.cancel != nil {
		st.Cancel = p.cancel.rec.state
		if p.cancel.err != nil {
			st.Err = p.cancel.err
		}
	}
	return st, true
}

// Queued returns the number of operations waiting for delivery.
func (ob *Outbox) Queued() int {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	return ob.queued
}

// Drain waits until no operation is queued and every state change is on disk. It returns
// ctx's error when ctx ends first, and CodeClosed (or the store's error) when the outbox
// closes or breaks with operations still queued.
func (ob *Outbox) Drain(ctx context.Context) error {
	for {
		ob.mu.Lock()
		if ob.queued == 0 && ob.unwritten == 0 {
			ob.mu.Unlock()
			return nil
		}
		if err := ob.usableLocked("dodopoint.Drain"); err != nil {
			ob.mu.Unlock()
			return err
		}
		ch := ob.changed
		ob.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (ob *Outbox) usableLocked(opName string) error {
	if ob.closed {
		return newError(opName, CodeClosed, "outbox is closed", nil)
	}
	if ob.broken != nil {
		return newError(opName, CodeStore, "outbox stopped after a failed write to "+ob.name, ob.broken)
	}
	return nil
}

func (ob *Outbox) fullError(opName string) error {
	return newError(opName, CodeOutboxFull, fmt.Sprintf("%d operations are queued, the maximum", ob.queued), nil)
}

func (ob *Outbox) newOpLocked(k Kind, r record) *op {
	ob.seq++
	o := &op{seq: ob.seq, kind: k, rec: r, committed: make(chan struct{})}
	if r.state == StateQueued {
		ob.queue = append(ob.queue, o)
		ob.queued++
	}
	return o
}

func (ob *Outbox) entry(o *op) Entry { return Entry{Seq: o.seq, Data: encodeRecord(o.rec)} }

func (o *op) event() Event {
	return Event{PaymentID: o.rec.sale.PaymentID, Kind: o.kind, State: o.rec.state, Err: o.err}
}

// wait returns once o's first write is on disk (its error), or ctx's error.
func (ob *Outbox) wait(ctx context.Context, o *op) error {
	select {
	case <-o.committed:
		return o.werr
	default:
	}
	select {
	case <-o.committed:
		return o.werr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// markDoneLocked records that p finished and compacts the oldest finished payments
// beyond the retention into w (or a write of its own when w is nil, at load).
func (ob *Outbox) markDoneLocked(p *payment, w *write) {
	p.gen++
	ob.nDone++
	id := p.lastID()
	ob.done = append(ob.done, doneRef{id: id, gen: p.gen})
	var dels []uint64
	for ob.nDone > ob.cfg.retainDone && len(ob.done) > 0 {
		ref := ob.done[0]
		ob.done = ob.done[1:]
		q := ob.payments[ref.id]
		if q == nil || q.gen != ref.gen || !q.finished() {
			continue // stale reference
		}
		for _, o := range []*op{q.claim, q.cancel} {
			if o != nil {
				dels = append(dels, o.seq)
			}
		}
		delete(ob.payments, ref.id)
		ob.nDone--
	}
	if len(dels) == 0 {
		return
	}
	var puts []Entry
	if !ob.forgotten {
		ob.forgotten = true
		puts = []Entry{{Seq: 0, Data: forgottenMarker}}
	}
	if w == nil {
		ob.submitLocked(&write{puts: puts, dels: dels})
		return
	}
	w.puts = append(w.puts, puts...)
	w.dels = append(w.dels, dels...)
}

func (p *payment) lastID() string {
	if p.claim != nil {
		return p.claim.rec.sale.PaymentID
	}
	return p.cancel.rec.sale.PaymentID
}

// Close stops delivery (an operation in flight is abandoned and stays queued), writes
// what was submitted, and closes the store when OpenFile opened it. Operations still
// queued are delivered by the next outbox opened on the same store. Close is idempotent.
func (ob *Outbox) Close() error {
	ob.closeOnce.Do(func() {
		ob.mu.Lock()
		ob.closed = true
		ob.notifyLocked()
		ob.mu.Unlock()
		ob.cancel()
		<-ob.sendDone
		close(ob.stopWrite)
		<-ob.writeDone
		ob.ev.stop()
		if ob.ownStore {
			ob.closeErr = ob.store.Close()
		}
	})
	return ob.closeErr
}
