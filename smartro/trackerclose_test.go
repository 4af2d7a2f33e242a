package smartro

import (
	"context"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
)

// Close makes Wait return a typed error for orders not yet terminal — while waiting and
// after — and the order's last state; a terminal order still waits out to a nil error.
func TestTrackerWaitAfterClose(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	agent := &simAgent{clk: clk, start: clk.Now()}
	tr := mustTracker(agent, WithTrackerClock(clk))
	ref := TableRef{"01", "T1"}
	if st, err := tr.Track(ref, "M1", &OrderAck{OrderNo: "TO1"}, nil); err != nil || st != Accepted {
		t.Fatal(st, err)
	}
	if st, err := tr.Track(ref, "M2", nil, &Error{Code: CodeUnknownItem}); err != nil || st != Rejected {
		t.Fatal(st, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type res struct {
		st  OrderState
		err error
	}
	waiting := make(chan res, 1)
	go func() {
		st, err := tr.Wait(ctx, "M1")
		waiting <- res{st, err}
	}()
	// Wait is parked on its channel (not on the clock); Close must release it.
	for i := 0; i < 1000 && !trackerHasWaiter(tr, "M1"); i++ {
		time.Sleep(time.Millisecond)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	check := func(r res, when string) {
		t.Helper()
		var e *Error
		if r.st != Accepted || !IsTrackerClosed(r.err) || !asErr(r.err, &e) || e.Op != "smartro.Tracker.Wait" || e.Code != CodeTrackerClosed {
			t.Fatalf("%s: Wait = %v, %v; want Accepted and %s", when, r.st, r.err, CodeTrackerClosed)
		}
		if IsLost(r.err) || IsRefused(r.err) {
			t.Fatalf("%s: a closed tracker is neither lost nor refused: %v", when, r.err)
		}
	}
	select {
	case r := <-waiting:
		check(r, "waiting when closed")
	case <-ctx.Done():
		t.Fatal("Wait did not return after Close")
	}
	st, err := tr.Wait(ctx, "M1")
	check(res{st, err}, "after close")
	if st, err := tr.Wait(ctx, "M2"); st != Rejected || err != nil {
		t.Fatalf("terminal order after close: %v %v", st, err)
	}
}

func trackerHasWaiter(tr *Tracker, mcht string) bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.wait[mcht]) > 0
}
