package dodopoint_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/poskit/poskit/dodopoint"
	"github.com/poskit/poskit/mock"
)

var paidAt = time.Date(2026, 3, 1, 12, 30, 0, 0, time.FixedZone("KST", 9*3600))

func sale(id string, total int64) dodopoint.Sale {
	return dodopoint.Sale{PaymentID: id, Total: total, PaidAt: paidAt,
		Items: []dodopoint.Item{{Name: "아메리카노", UnitPrice: total, Quantity: 1}}}
}

// testRetry keeps pauses short and bounded on the fake clock: Advance(time.Minute) ends
// any pause.
var testRetry = dodopoint.RetryPolicy{MaxRetries: 3, Initial: 100 * time.Millisecond, Max: time.Second, Multiplier: 2, Jitter: 0.1}

type rig struct {
	t     *testing.T
	clk   *mock.Clock
	prog  *fakeProgram
	store dodopoint.Store
	ob    *dodopoint.Outbox
	opts  []dodopoint.Option
}

func newRig(t *testing.T, store dodopoint.Store, opts ...dodopoint.Option) *rig {
	t.Helper()
	r := &rig{t: t, clk: mock.NewClock(time.Time{}), prog: newFakeProgram(), store: store}
	r.opts = append([]dodopoint.Option{dodopoint.WithClock(r.clk), dodopoint.WithRetry(testRetry)}, opts...)
	r.open()
	t.Cleanup(func() { _ = r.ob.Close() })
	return r
}

func (r *rig) open() {
	r.t.Helper()
	ob, err := dodopoint.NewOutbox(r.prog, r.store, r.opts...)
	if err != nil {
		r.t.Fatalf("NewOutbox: %v", err)
	}
	r.ob = ob
}

// restart closes the outbox and opens a new one on the same store.
func (r *rig) restart() {
	r.t.Helper()
	if err := r.ob.Close(); err != nil {
		r.t.Fatalf("Close: %v", err)
	}
	r.open()
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // safety net only
	t.Cleanup(cancel)
	return ctx
}

// drain lets the delivery loop run until nothing is queued, advancing the fake clock each
// time the loop is parked on it. Bounded.
func drain(t *testing.T, ob *dodopoint.Outbox, clk *mock.Clock) {
	t.Helper()
	done := make(chan error, 1)
	stop := make(chan struct{})
	go func() { done <- ob.Drain(ctxT(t)); close(stop) }()
	for i := 0; i < 100_000; i++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Drain: %v", err)
			}
			return
		default:
		}
		if clk.WaitForWaiters(1, stop) {
			clk.Advance(time.Minute)
		}
	}
	t.Fatalf("outbox not drained; %d queued", ob.Queued())
}

// parked waits until the delivery loop sleeps on the clock (a retry pause).
func parked(t *testing.T, clk *mock.Clock) {
	t.Helper()
	ctx := ctxT(t)
	if !clk.WaitForWaiters(1, ctx.Done()) {
		t.Fatal("delivery loop never parked on the clock")
	}
}

func mustClaim(t *testing.T, ob *dodopoint.Outbox, s dodopoint.Sale) {
	t.Helper()
	if err := ob.Claim(ctxT(t), s); err != nil {
		t.Fatalf("Claim(%s): %v", s.PaymentID, err)
	}
}

func mustStatus(t *testing.T, ob *dodopoint.Outbox, id string) dodopoint.Status {
	t.Helper()
	st, ok := ob.Status(id)
	if !ok {
		t.Fatalf("Status(%s): unknown", id)
	}
	return st
}

func boltPath(t *testing.T) string { return filepath.Join(t.TempDir(), "dodopoint.outbox") }

func ids(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%04d", prefix, i)
	}
	return out
}
