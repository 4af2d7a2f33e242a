package mock

import (
	"context"
	"testing"
	"time"
)

func TestClockFiresTimersInOrder(t *testing.T) {
	c := NewClock(time.Time{})
	start := c.Now()
	t2 := c.NewTimer(2 * time.Second)
	t1 := c.NewTimer(time.Second)
	stopped := c.NewTimer(time.Second)
	if !stopped.Stop() {
		t.Fatal("Stop of an armed timer returned false")
	}
	if c.Waiters() != 2 {
		t.Fatalf("Waiters = %d, want 2", c.Waiters())
	}
	c.Advance(1500 * time.Millisecond)
	select {
	case at := <-t1.C():
		if got := at.Sub(start); got != time.Second {
			t.Errorf("t1 fired at +%v, want +1s", got)
		}
	default:
		t.Fatal("t1 did not fire")
	}
	select {
	case <-t2.C():
		t.Fatal("t2 fired early")
	case <-stopped.C():
		t.Fatal("stopped timer fired")
	default:
	}
	c.Advance(time.Second)
	if at := <-t2.C(); at.Sub(start) != 2*time.Second {
		t.Errorf("t2 fired at +%v", at.Sub(start))
	}
	if got := c.Since(start); got != 2500*time.Millisecond {
		t.Errorf("Since = %v", got)
	}
}

func TestClockResetAndZeroTimer(t *testing.T) {
	c := NewClock(time.Time{})
	tm := c.NewTimer(time.Second)
	tm.Reset(5 * time.Second)
	c.Advance(4 * time.Second)
	select {
	case <-tm.C():
		t.Fatal("reset timer fired at its old deadline")
	default:
	}
	c.Advance(time.Second)
	<-tm.C()
	select {
	case <-c.After(0):
	default:
		t.Fatal("After(0) did not fire at once")
	}
}

func TestWaitForWaiters(t *testing.T) {
	c := NewClock(time.Time{})
	done := make(chan time.Time)
	go func() { done <- <-c.After(time.Minute) }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if !c.WaitForWaiters(1, ctx.Done()) {
		t.Fatal("goroutine never parked on the clock")
	}
	c.Advance(time.Minute)
	<-done
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if c.WaitForWaiters(1, ctx2.Done()) {
		t.Error("WaitForWaiters reported a timer that does not exist")
	}
}

func TestFaultsQueue(t *testing.T) {
	var fs Faults
	if _, ok := fs.Take("x"); ok {
		t.Fatal("empty Faults returned a fault")
	}
	fs.Inject("x", Fault{Kind: Fail, Times: 2, Status: 503})
	fs.Inject("x", Fault{Kind: DropAnswer})
	var kinds []FaultKind
	for i := 0; i < 4; i++ {
		f, ok := fs.Take("x")
		if !ok {
			break
		}
		kinds = append(kinds, f.Kind)
	}
	if len(kinds) != 3 || kinds[0] != Fail || kinds[1] != Fail || kinds[2] != DropAnswer {
		t.Errorf("kinds = %v", kinds)
	}
	fs.Inject("y", Fault{Kind: Delay, Times: -1, Delay: time.Second})
	for i := 0; i < 3; i++ {
		if _, ok := fs.Take("y"); !ok {
			t.Fatal("forever fault ran out")
		}
	}
	fs.Clear()
	if fs.Pending("y") != 0 {
		t.Error("Clear left faults")
	}
}

func TestTaggedWaiters(t *testing.T) {
	c := NewClock(time.Time{})
	kiosk := c.Tagged("kiosk")
	c.NewTimer(time.Minute)
	kt := kiosk.NewTimer(time.Second)
	if c.Waiters() != 2 || c.TaggedWaiters("kiosk") != 1 || c.TaggedWaiters("other") != 0 {
		t.Fatalf("waiters %d, kiosk %d", c.Waiters(), c.TaggedWaiters("kiosk"))
	}
	if !kiosk.Now().Equal(c.Now()) {
		t.Error("a tagged view reads another time")
	}
	c.Advance(time.Second)
	<-kt.C()
	if c.TaggedWaiters("kiosk") != 0 || c.Waiters() != 1 {
		t.Errorf("after firing: kiosk %d, all %d", c.TaggedWaiters("kiosk"), c.Waiters())
	}
}
