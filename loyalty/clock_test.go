package loyalty_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/poskit/poskit/loyalty"
)

// manualClock is a clock written outside the module, as a user would: its own timer type
// satisfies loyalty.Timer, so the clock satisfies loyalty.Clock.
type manualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer
}

type manualTimer struct {
	clk    *manualClock
	c      chan time.Time
	at     time.Time
	active bool
}

var _ loyalty.Clock = (*manualClock)(nil)

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) NewTimer(d time.Duration) loyalty.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTimer{clk: c, c: make(chan time.Time, 1), at: c.now.Add(d), active: true}
	c.timers = append(c.timers, t)
	return t
}

func (c *manualClock) After(d time.Duration) <-chan time.Time { return c.NewTimer(d).C() }

// pending returns the number of timers not yet fired or stopped.
func (c *manualClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if t.active {
			n++
		}
	}
	return n
}

// advance moves the clock and fires every timer that came due.
func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for _, t := range c.timers {
		if t.active && !t.at.After(c.now) {
			t.active = false
			t.c <- c.now
		}
	}
}

func (t *manualTimer) C() <-chan time.Time { return t.c }

func (t *manualTimer) Stop() bool {
	t.clk.mu.Lock()
	defer t.clk.mu.Unlock()
	was := t.active
	t.active = false
	return was
}

func (t *manualTimer) Reset(d time.Duration) bool {
	t.clk.mu.Lock()
	defer t.clk.mu.Unlock()
	was := t.active
	t.at, t.active = t.clk.now.Add(d), true
	return was
}

// scriptedReader is a PaymentReader that is not a *loyalty.Client: the waiter needs only
// the one call.
type scriptedReader struct {
	polls     atomic.Int32
	approveAt int32 // the poll that first sees the payment approved; 0: never
}

func (r *scriptedReader) Payment(_ context.Context, id string) (*loyalty.Payment, error) {
	n := r.polls.Add(1)
	st := loyalty.StatusNewOpened
	if r.approveAt > 0 && n >= r.approveAt {
		st = loyalty.StatusNewApproved
	}
	return &loyalty.Payment{ID: id, Status: st}, nil
}

const waitID = "0x00000000000000000000000000000000000000000000000000000000000000aa"

// waitParked waits (bounded) until the waiter holds its deadline and its poll timer.
func waitParked(t *testing.T, clk *manualClock) {
	t.Helper()
	for i := 0; i < 10000; i++ {
		if clk.pending() >= 2 {
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
	t.Fatal("the waiter never parked on the clock")
}

func TestExternalClockDrivesWaiter(t *testing.T) {
	clk := &manualClock{now: time.Unix(1_700_000_000, 0)}
	r := &scriptedReader{approveAt: 3}
	w := loyalty.NewPaymentWaiter(r, loyalty.WithWaiterClock(clk))
	done := make(chan error, 1)
	var got *loyalty.Payment
	go func() {
		p, err := w.Wait(context.Background(), waitID, loyalty.LegNew)
		got = p
		done <- err
	}()
	// Polls at 0, then after 1 s and 2 s (DefaultWaiterPoll doubles): approved on the third.
	for _, step := range []time.Duration{time.Second, 2 * time.Second} {
		waitParked(t, clk)
		clk.advance(step)
	}
	if err := <-done; err != nil || got.Status != loyalty.StatusNewApproved {
		t.Fatalf("Wait: %v %+v", err, got)
	}
	if n := r.polls.Load(); n != 3 {
		t.Fatalf("%d polls, want 3", n)
	}
}

func TestExternalClockApprovalTimeout(t *testing.T) {
	clk := &manualClock{now: time.Unix(1_700_000_000, 0)}
	r := &scriptedReader{}
	w := loyalty.NewPaymentWaiter(r, loyalty.WithWaiterClock(clk), loyalty.WithApprovalTimeout(10*time.Second),
		loyalty.WithWaiterPoll(loyalty.RetryPolicy{Initial: time.Minute, Max: time.Minute}))
	done := make(chan error, 1)
	go func() { _, err := w.Wait(context.Background(), waitID, loyalty.LegNew); done <- err }()
	waitParked(t, clk)
	clk.advance(10 * time.Second)
	if err := <-done; !loyalty.IsTimeout(err) {
		t.Fatalf("Wait: %v, want the approval timeout", err)
	}
}

func TestWaiterContextEndIsNotLost(t *testing.T) {
	clk := &manualClock{now: time.Unix(1_700_000_000, 0)}
	w := loyalty.NewPaymentWaiter(&scriptedReader{}, loyalty.WithWaiterClock(clk))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := w.Wait(ctx, waitID, loyalty.LegNew); done <- err }()
	waitParked(t, clk)
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || loyalty.IsLost(err) || loyalty.IsTransport(err) {
		t.Fatalf("Wait after cancel: %v (lost %v)", err, loyalty.IsLost(err))
	}
}
