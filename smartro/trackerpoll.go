package smartro

import (
	"context"
	"sync"
	"time"
)

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
