package mock

import (
	"sort"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/clockx"
)

// Clock is a fake clock for tests: time stands still until the test calls Advance.
// Timers fire, in deadline order, when Advance moves the clock past their deadline. A
// Clock is safe for concurrent use. Each fake server has its own; share one between a
// client and a fake by passing the same *Clock to both.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*fakeTimer
	changed chan struct{} // closed and replaced whenever the set of timers changes
}

var _ clockx.Clock = (*Clock)(nil)

// NewClock returns a fake clock reading start. A zero start means 2026-01-01 00:00 UTC+9.
func NewClock(start time.Time) *Clock {
	if start.IsZero() {
		start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("KST", 9*3600))
	}
	return &Clock{now: start, changed: make(chan struct{})}
}

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Since returns the fake time elapsed since t.
func (c *Clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// After returns a channel that receives the fake time once d has passed on the clock.
func (c *Clock) After(d time.Duration) <-chan time.Time { return c.NewTimer(d).C() }

// NewTimer returns a timer that fires once d has passed on the clock. A timer with d <= 0
// fires at once.
func (c *Clock) NewTimer(d time.Duration) clockx.Timer { return c.newTimer(d, "") }

func (c *Clock) newTimer(d time.Duration, tag string) clockx.Timer {
	t := &fakeTimer{clock: c, ch: make(chan time.Time, 1), tag: tag}
	c.mu.Lock()
	defer c.mu.Unlock()
	t.arm(d)
	return t
}

// Advance moves the clock forward by d and fires every timer whose deadline is reached,
// earliest first, each seeing the clock at its own deadline.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	// Firing only sends on buffered channels, so no timer is added while the lock is held:
	// one sort orders the whole run.
	sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].when.Before(c.timers[j].when) })
	for {
		if len(c.timers) == 0 || c.timers[0].when.After(end) {
			break
		}
		t := c.timers[0]
		c.timers = c.timers[1:]
		if t.when.After(c.now) {
			c.now = t.when
		}
		t.fire(c.now)
	}
	c.now = end
	c.notifyLocked()
	c.mu.Unlock()
}

// Waiters returns the number of timers armed and not yet fired or stopped.
func (c *Clock) Waiters() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Tagged returns a view of c whose timers carry tag, so a test can tell whose timers are
// pending (TaggedWaiters): give the code under test c.Tagged("kiosk") and advance the
// clock only while that code is parked on it, never while it is busy talking to a fake.
func (c *Clock) Tagged(tag string) clockx.Clock { return taggedClock{c, tag} }

// TaggedWaiters returns the number of armed timers made through c.Tagged(tag).
func (c *Clock) TaggedWaiters(tag string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if t.tag == tag {
			n++
		}
	}
	return n
}

type taggedClock struct {
	c   *Clock
	tag string
}

func (v taggedClock) Now() time.Time                         { return v.c.Now() }
func (v taggedClock) NewTimer(d time.Duration) clockx.Timer  { return v.c.newTimer(d, v.tag) }
func (v taggedClock) After(d time.Duration) <-chan time.Time { return v.NewTimer(d).C() }

// WaitForWaiters blocks until at least n timers are armed or done is closed, and reports
// whether the count was reached. Tests use it instead of sleeping: "the poller is parked on
// the clock, now advance it".
func (c *Clock) WaitForWaiters(n int, done <-chan struct{}) bool {
	for {
		c.mu.Lock()
		if len(c.timers) >= n {
			c.mu.Unlock()
			return true
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-done:
			return false
		}
	}
}

func (c *Clock) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Clock) removeLocked(t *fakeTimer) bool {
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			c.notifyLocked()
			return true
		}
	}
	return false
}

type fakeTimer struct {
	clock *Clock
	ch    chan time.Time
	when  time.Time
	tag   string
}

// arm schedules t; the clock's lock is held.
func (t *fakeTimer) arm(d time.Duration) {
	c := t.clock
	t.when = c.now.Add(d)
	if d <= 0 {
		t.fire(c.now)
		return
	}
	c.timers = append(c.timers, t)
	c.notifyLocked()
}

func (t *fakeTimer) fire(now time.Time) {
	select {
	case t.ch <- now:
	default: // an unread earlier tick is kept, as with time.Timer
	}
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	return t.clock.removeLocked(t)
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	active := t.clock.removeLocked(t)
	select { // drain a stale tick, as Go 1.23 timers do
	case <-t.ch:
	default:
	}
	t.arm(d)
	return active
}
