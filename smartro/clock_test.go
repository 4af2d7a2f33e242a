package smartro_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/smartro"
)

// myClock is a clock written outside the module, as a user would: its own timer type
// satisfies smartro.Timer, so the clock satisfies smartro.Clock.
type myClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*myTimer
	armed  chan struct{} // a token each time a timer is armed
}

type myTimer struct {
	c    *myClock
	ch   chan time.Time
	at   time.Time
	live bool
}

func newMyClock() *myClock {
	return &myClock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), armed: make(chan struct{}, 64)}
}

func (c *myClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *myClock) NewTimer(d time.Duration) smartro.Timer {
	t := &myTimer{c: c, ch: make(chan time.Time, 1)}
	t.Reset(d)
	return t
}

func (c *myClock) After(d time.Duration) <-chan time.Time { return c.NewTimer(d).C() }

// advance moves the clock and fires the timers due.
func (c *myClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.timers[:0]
	for _, t := range c.timers {
		if t.live && !t.at.After(c.now) {
			t.live = false
			t.ch <- c.now
			continue
		}
		if t.live {
			keep = append(keep, t)
		}
	}
	c.timers = keep
}

func (t *myTimer) C() <-chan time.Time { return t.ch }

func (t *myTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.live
	t.live = false
	return was
}

func (t *myTimer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	was := t.live
	t.at, t.live = t.c.now.Add(d), true
	t.c.timers = append(t.c.timers, t)
	t.c.mu.Unlock()
	t.c.armed <- struct{}{}
	return was
}

var _ smartro.Clock = (*myClock)(nil)

// lookupOnce answers a table lookup with the order delivered.
type lookupOnce struct{ n int }

func (l *lookupOnce) TableOrders(context.Context, string, string) ([]smartro.LiveOrder, error) {
	l.n++
	return []smartro.LiveOrder{{OrderNo: "TO1", MerchantOrderNo: "M-1", Delivery: smartro.DeliveryDelivered, Status: smartro.StatusDone}}, nil
}

// A clock from another module drives a tracker: its poll waits on that clock's timer, and
// moving the clock makes the lookup that settles the order.
func TestClockWrittenOutsideTheModuleDrivesATracker(t *testing.T) {
	clk := newMyClock()
	src := &lookupOnce{}
	tr, err := smartro.NewTracker(src, smartro.WithTrackerClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if st, err := tr.Track(smartro.TableRef{FloorCode: "1", TableCode: "01"}, "M-1", &smartro.OrderAck{OrderNo: "TO1"}, nil); err != nil || st != smartro.Accepted {
		t.Fatal(st, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan smartro.OrderState, 1)
	go func() { st, _ := tr.Wait(ctx, "M-1"); done <- st }()
	for {
		select {
		case st := <-done:
			if st != smartro.Succeeded || src.n == 0 {
				t.Fatalf("state %v after %d lookups", st, src.n)
			}
			return
		case <-clk.armed: // the poller is parked on our timer
			clk.advance(smartro.DefaultPollInterval)
		case <-ctx.Done():
			t.Fatal("the tracker never settled on the foreign clock")
		}
	}
}
