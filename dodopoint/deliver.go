package dodopoint

import (
	"sync"

	"github.com/cenkalti/backoff/v4"

	"github.com/poskit/poskit/internal/clockx"
)

// submitLocked hands w to the writer goroutine.
func (ob *Outbox) submitLocked(w *write) {
	ob.writes = append(ob.writes, w)
	ob.unwritten++
	poke(ob.wakeCommit)
}

func (ob *Outbox) notifyLocked() {
	close(ob.changed)
	ob.changed = make(chan struct{})
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// writer is the group commit: it takes every write submitted since its last commit and
// stores them in one Store.Write (one fsync'd transaction), so concurrent callers share
// commits. Writes are stored in submission order.
func (ob *Outbox) writer() {
	defer close(ob.writeDone)
	for {
		stopping := false
		select {
		case <-ob.wakeCommit:
		case <-ob.stopWrite:
			stopping = true
		}
		ob.flush()
		if stopping {
			ob.flush()
			return
		}
	}
}

func (ob *Outbox) flush() {
	ob.mu.Lock()
	ws := ob.writes
	ob.writes = nil
	broken := ob.broken
	ob.mu.Unlock()
	if len(ws) == 0 {
		return
	}
	var puts []Entry
	var dels []uint64
	for _, w := range ws {
		puts = append(puts, w.puts...)
		dels = append(dels, w.dels...)
	}
	err := broken
	if err == nil {
		err = ob.store.Write(puts, dels)
	}
	ob.mu.Lock()
	if err != nil && ob.broken == nil {
		ob.broken = err
	}
	var werr error
	if err != nil {
		werr = newError("dodopoint.Outbox", CodeStore, "cannot write "+ob.name, err)
	}
	for _, w := range ws {
		for _, o := range w.ops {
			o.werr = werr
			close(o.committed)
		}
	}
	ob.unwritten -= len(ws)
	ob.notifyLocked()
	ob.mu.Unlock()
	if err != nil {
		return
	}
	for _, w := range ws {
		ob.ev.add(w.events)
	}
	poke(ob.wakeSend)
}

// deliver is the delivery goroutine: it sends the oldest queued operation, and only when
// it is settled the next one, so operations reach the program in submission order (and so
// in order per payment id).
func (ob *Outbox) deliver() {
	defer close(ob.sendDone)
	var cur *op
	var sched backoff.BackOff
	for {
		o := ob.next()
		if o == nil {
			return
		}
		if o != cur {
			cur, sched = o, nil
		}
		err := ob.send(o)
		if ob.ctx.Err() != nil {
			ob.release(o, err != nil && IsLost(err))
			return
		}
		if err == nil || !retryable(err) {
			ob.finish(o, err)
			continue
		}
		ob.release(o, IsLost(err))
		if sched == nil {
			sched = ob.cfg.retry.Schedule()
		}
		d := sched.NextBackOff()
		if d == backoff.Stop {
			d = ob.cfg.retry.Max
		}
		if !clockx.Sleep(ob.cfg.clock, d, ob.ctx.Done()) {
			return
		}
	}
}

// next returns the oldest queued operation once it is on disk, marked in flight, or nil
// when the outbox closes.
func (ob *Outbox) next() *op {
	for {
		ob.mu.Lock()
		for len(ob.queue) > 0 && ob.queue[0].rec.state != StateQueued {
			ob.queue[0] = nil
			ob.queue = ob.queue[1:]
		}
		if len(ob.queue) > 0 && ob.broken == nil {
			o := ob.queue[0]
			select {
			case <-o.committed:
				o.inFlight = true
				ob.mu.Unlock()
				return o
			default:
			}
		}
		ob.mu.Unlock()
		select {
		case <-ob.wakeSend:
		case <-ob.ctx.Done():
			return nil
		}
	}
}

func (ob *Outbox) send(o *op) error {
	if o.kind == KindCancel {
		return ob.tr.Cancel(ob.ctx, CancelRequest{PaymentID: o.rec.sale.PaymentID})
	}
	return ob.tr.Claim(ob.ctx, ClaimRequest{Sale: o.rec.sale.clone()})
}

// release puts o back after an attempt that did not settle it.
func (ob *Outbox) release(o *op, lost bool) {
	ob.mu.Lock()
	o.inFlight = false
	o.maybeSent = o.maybeSent || lost
	ob.mu.Unlock()
}

// finish settles o: delivered (err nil) or failed (a definitive refusal).
func (ob *Outbox) finish(o *op, err error) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	o.inFlight = false
	o.rec.state = StateDelivered
	if err != nil {
		o.rec.state = StateFailed
		o.err = err
		o.rec.errCode, o.rec.errMsg = string(CodeLost), err.Error()
		if e, ok := asError(err); ok {
			o.rec.errCode, o.rec.errMsg = string(e.Code), e.Message
		}
	}
	o.rec.compacted = o.kind == KindClaim // the items were for the program: drop them
	ob.queued--
	w := &write{puts: []Entry{ob.entry(o)}, events: []Event{o.event()}}
	if p := ob.payments[o.rec.sale.PaymentID]; p != nil && p.finished() {
		ob.markDoneLocked(p, w)
	}
	ob.submitLocked(w)
	ob.notifyLocked()
}

// events runs the WithOnState callback on its own goroutine, in order.
type events struct {
	f    func(Event)
	mu   sync.Mutex
	q    []Event
	wake chan struct{}
	quit chan struct{}
	done chan struct{}
}

func (e *events) start(f func(Event)) {
	e.f = f
	e.wake, e.quit, e.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go e.run()
}

func (e *events) add(evs []Event) {
	if e.f == nil || len(evs) == 0 {
		return
	}
	e.mu.Lock()
	e.q = append(e.q, evs...)
	e.mu.Unlock()
	poke(e.wake)
}

func (e *events) run() {
	defer close(e.done)
	for {
		quitting := false
		select {
		case <-e.wake:
		case <-e.quit:
			quitting = true
		}
		for {
			e.mu.Lock()
			q := e.q
			e.q = nil
			e.mu.Unlock()
			if len(q) == 0 {
				break
			}
			for _, ev := range q {
				e.f(ev)
			}
		}
		if quitting {
			return
		}
	}
}

// stop delivers the events still pending and ends the goroutine.
func (e *events) stop() {
	close(e.quit)
	<-e.done
}
