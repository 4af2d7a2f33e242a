package retry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/retry"
	"github.com/poskit/poskit/mock"
)

var errBusy = errors.New("busy")

// run starts p.Do in a goroutine that fails every attempt and records the clock at each.
func run(t *testing.T, ctx context.Context, p retry.Policy, clk *mock.Clock) (<-chan time.Time, <-chan error) {
	t.Helper()
	at := make(chan time.Time, 64)
	done := make(chan error, 1)
	go func() {
		done <- p.Do(ctx, clk, func() (bool, error) { at <- clk.Now(); return true, errBusy })
	}()
	return at, done
}

func TestPausesGrowOnTheClockAndStopAtMaxRetries(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	p := retry.Policy{MaxRetries: 4, Initial: time.Second, Max: 3 * time.Second, Multiplier: 2, Jitter: -1}
	at, done := run(t, context.Background(), p, clk)
	start := <-at
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second}
	for i, d := range want {
		if !clk.WaitForWaiters(1, nil) {
			t.Fatal("no waiter")
		}
		clk.Advance(d - time.Nanosecond)
		select {
		case <-at:
			t.Fatalf("pause %d: attempt before %v passed", i, d)
		default:
		}
		clk.Advance(time.Nanosecond)
		got := <-at
		if got.Sub(start) != d {
			t.Fatalf("pause %d lasted %v, want %v", i, got.Sub(start), d)
		}
		start = got
	}
	if err := <-done; !errors.Is(err, errBusy) {
		t.Fatalf("after MaxRetries got %v, want the last error", err)
	}
}

func TestJitteredPauseNeverExceedsMax(t *testing.T) {
	p := retry.Policy{MaxRetries: 50, Initial: time.Second, Max: 2 * time.Second, Multiplier: 3, Jitter: 0.9}
	b := p.Schedule()
	for i := 0; i < 50; i++ {
		if d := b.NextBackOff(); d > p.Max || d < 0 {
			t.Fatalf("pause %d = %v outside [0, %v]", i, d, p.Max)
		}
	}
}

func TestStopsWhenAttemptSaysSoOrSucceeds(t *testing.T) {
	n := 0
	err := retry.Policy{MaxRetries: 5, NoSleep: true}.Do(context.Background(), nil, func() (bool, error) {
		n++
		return n < 2, errBusy
	})
	if n != 2 || !errors.Is(err, errBusy) {
		t.Fatalf("attempts %d err %v, want 2 and the error", n, err)
	}
	n = 0
	err = retry.Policy{MaxRetries: 5, NoSleep: true}.Do(context.Background(), nil, func() (bool, error) {
		n++
		if n == 3 {
			return false, nil
		}
		return true, errBusy
	})
	if n != 3 || err != nil {
		t.Fatalf("attempts %d err %v, want 3 and nil", n, err)
	}
}

func TestNegativeMaxRetriesNeverRepeats(t *testing.T) {
	n := 0
	err := retry.Policy{MaxRetries: -1}.Or(retry.Default).Do(context.Background(), nil, func() (bool, error) { n++; return true, errBusy })
	if n != 1 || !errors.Is(err, errBusy) {
		t.Fatalf("attempts %d err %v", n, err)
	}
}

func TestContextEndDuringPauseReturnsContextError(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	ctx, cancel := context.WithCancel(context.Background())
	at, done := run(t, ctx, retry.Policy{MaxRetries: 3, Initial: time.Minute, Max: time.Minute, Multiplier: 1}, clk)
	<-at
	clk.WaitForWaiters(1, nil)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if clk.Waiters() != 0 {
		t.Fatalf("%d timers left on the clock", clk.Waiters())
	}
}

func TestOrFillsOnlyZeroFields(t *testing.T) {
	p := retry.Policy{Initial: time.Second}.Or(retry.Default)
	if p.Initial != time.Second || p.MaxRetries != retry.Default.MaxRetries || p.Max != retry.Default.Max || p.Multiplier != 2 {
		t.Fatalf("Or: %+v", p)
	}
}
