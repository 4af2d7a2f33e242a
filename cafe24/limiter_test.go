package cafe24

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
)

func TestLimiterQueuesInsteadOfOverflowing(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	l := NewLimiter(WithLimiterClock(clk))
	ctx := context.Background()
	for i := range DefaultBucketSize {
		if err := l.Wait(ctx, "shop1"); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if lv, size := l.Level("shop1"); lv != 40 || size != 40 {
		t.Fatalf("level %v/%d", lv, size)
	}
	// Another mall has its own bucket.
	if err := l.Wait(ctx, "shop2"); err != nil {
		t.Fatal(err)
	}
	// The next three wait: 0.5 s, 1 s, 1.5 s, in order.
	var passed atomic.Int32
	done := make(chan int, 3)
	for i := range 3 {
		go func() {
			if err := l.Wait(ctx, "shop1"); err == nil {
				passed.Add(1)
				done <- i
			}
		}()
		if !clk.WaitForWaiters(i+1, nil) {
			t.Fatal("not parked")
		}
	}
	if passed.Load() != 0 {
		t.Fatal("a call passed a full bucket")
	}
	clk.Advance(499 * time.Millisecond)
	if passed.Load() != 0 {
		t.Fatal("passed before the bucket drained")
	}
	for want := 1; want <= 3; want++ {
		clk.Advance(500 * time.Millisecond)
		if who := <-done; who != want-1 {
			t.Fatalf("caller %d passed before caller %d", who, want-1)
		}
		if got := passed.Load(); got != int32(want) {
			t.Fatalf("after %d drains %d passed", want, got)
		}
	}
}

func TestLimiterObserveAndCancel(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	l := NewLimiter(WithLimiterClock(clk))
	ctx := context.Background()
	// Another program used 39 of the mall's calls; the header says so.
	if err := l.Observe("shop1", "39/40"); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(ctx, "shop1"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"x", "1/0", "-1/40", "a/b", "3", "500/40"} {
		if err := l.Observe("shop1", bad); !IsDecode(err) {
			t.Fatalf("Observe(%q) = %v", bad, err)
		}
	}
	if lv, _ := l.Level("shop1"); lv != 40 {
		t.Fatalf("bad headers changed the level to %v", lv)
	}
	if err := l.Observe("shop1", ""); err != nil {
		t.Fatal(err)
	}
	// A waiting caller whose context ends leaves the queue and gives its place back.
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- l.Wait(cctx, "shop1") }()
	clk.WaitForWaiters(1, nil)
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Fatalf("canceled wait: %v", err)
	}
	if lv, _ := l.Level("shop1"); lv != 40 {
		t.Fatalf("canceled caller kept its unit: %v", lv)
	}
	if err := l.Wait(cctx, "shop1"); err != context.Canceled {
		t.Fatalf("dead context: %v", err)
	}
	// The header's max replaces the bucket size; draining follows the clock.
	clk.Advance(10 * time.Second) // 20 units drained
	if err := l.Observe("shop1", "5/80"); err != nil {
		t.Fatal(err)
	}
	if lv, size := l.Level("shop1"); lv != 20 || size != 80 {
		t.Fatalf("level %v/%d", lv, size)
	}
}

func BenchmarkLimiterWait(b *testing.B) {
	clk := mock.NewClock(time.Time{})
	l := NewLimiter(WithLimiterClock(clk))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		clk.Advance(time.Second) // keeps the bucket from filling: Wait never parks
		if err := l.Wait(ctx, "shop1"); err != nil {
			b.Fatal(err)
		}
		_ = l.Observe("shop1", "1/40")
	}
}
