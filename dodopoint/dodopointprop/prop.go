// Package dodopointprop is the rapid property of the dodopoint outbox, exported so a
// partner can run it against their own Transport (a DLL binding, the HTTP transport over
// the fake assist program, …). It lives in its own package so that importing dodopoint
// never pulls in pgregory.net/rapid.
//
// The property: under any sequence of sales, repeated claims, cancels (also of ids never
// claimed, also twice), assist-program outages, dropped answers (applied, answer lost) and
// POS restarts (close the outbox, reopen the same file), once the program is back every
// acknowledged sale ends claimed exactly once or cancelled, every cancel is applied at
// most once (exactly once when its claim reached the program), nothing acknowledged is
// lost, and the outbox's status agrees with the program.
package dodopointprop

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/poskit/poskit/dodopoint"
	"github.com/poskit/poskit/mock"
)

// Program is the assist program under test as the property drives it. Every field is
// required. The program must de-duplicate by payment id (a claim of a known id and a
// cancel of a cancelled id are applied no second time), answer a cancel of an id it never
// claimed with dodopoint.CodeNotClaimed, and count only effects it applied.
type Program struct {
	// Transport is what the outbox sends through.
	Transport dodopoint.Transport
	// SetDown makes the program unreachable (true: nothing is applied, the transport
	// returns dodopoint.CodeUnavailable) or reachable again.
	SetDown func(down bool)
	// DropAnswers makes the next n operations the program applies lose their answer (the
	// transport returns a lost error after the program applied them).
	DropAnswers func(n int)
	// Applied returns how many claims and cancels the program applied for a payment id.
	Applied func(paymentID string) (claims, cancels int)
}

// Check runs the property with rapid.Check; newProgram is called once per case and must
// return a program with no state. Outbox files live under t.TempDir().
func Check(t *testing.T, newProgram func(t *rapid.T) Program) {
	t.Helper()
	rapid.Check(t, Property(t.TempDir(), newProgram))
}

// Property returns the property for rapid.Check, keeping each case's outbox file in a
// fresh directory under dir.
func Property(dir string, newProgram func(t *rapid.T) Program) func(*rapid.T) {
	return func(t *rapid.T) {
		d, err := os.MkdirTemp(dir, "case")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(d)
		h := &harness{t: t, prog: newProgram(t), path: filepath.Join(d, "outbox"), clk: mock.NewClock(time.Time{})}
		for _, f := range []any{h.prog.Transport, h.prog.SetDown, h.prog.DropAnswers, h.prog.Applied} {
			if f == nil {
				t.Fatal("dodopointprop: every field of Program is required")
			}
		}
		h.open()
		defer func() { _ = h.ob.Close() }()
		t.Repeat(map[string]func(*rapid.T){
			"claim":        h.claim,
			"claim again":  h.claimAgain,
			"cancel":       h.cancel,
			"cancel twice": h.cancelTwice,
			"cancel never": h.cancelNever,
			"outage":       h.outage,
			"drop answers": h.dropAnswers,
			"restart":      h.restart,
			"tick":         h.tick,
			"":             h.invariants,
		})
		h.finish()
	}
}

var retry = dodopoint.RetryPolicy{MaxRetries: 4, Initial: 100 * time.Millisecond, Max: time.Second, Multiplier: 2, Jitter: 0.2}

type harness struct {
	t         *rapid.T
	prog      Program
	path      string
	clk       *mock.Clock
	ob        *dodopoint.Outbox
	sales     []dodopoint.Sale
	cancelled map[string]bool
	n         int
}

func (h *harness) open() {
	ob, err := dodopoint.OpenFile(h.path, h.prog.Transport, dodopoint.WithClock(h.clk), dodopoint.WithRetry(retry),
		// The property is about restarts, not power loss: fsync adds nothing but time.
		dodopoint.WithBoltOptions(dodopoint.WithNoSync()))
	if err != nil {
		h.t.Fatalf("open outbox: %v", err)
	}
	h.ob = ob
}

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second) // safety net only
}

func (h *harness) claim(t *rapid.T) {
	h.n++
	total := rapid.Int64Range(1, 1_000_000).Draw(t, "total")
	s := dodopoint.Sale{PaymentID: fmt.Sprintf("PAY-%d", h.n), Total: total, PaidAt: h.clk.Now(),
		Items: []dodopoint.Item{{Name: "item", UnitPrice: total, Quantity: 1}}}
	c, cancel := ctx()
	defer cancel()
	if err := h.ob.Claim(c, s); err != nil {
		t.Fatalf("Claim(%s): %v", s.PaymentID, err)
	}
	h.sales = append(h.sales, s)
}

func (h *harness) pick(t *rapid.T) dodopoint.Sale {
	if len(h.sales) == 0 {
		t.Skip("no sale yet")
	}
	return rapid.SampledFrom(h.sales).Draw(t, "sale")
}

func (h *harness) claimAgain(t *rapid.T) {
	s := h.pick(t)
	c, cancel := ctx()
	defer cancel()
	err := h.ob.Claim(c, s)
	switch {
	case h.cancelled[s.PaymentID]:
		if !dodopoint.IsAlreadyCancelled(err) {
			t.Fatalf("claim of cancelled %s: %v", s.PaymentID, err)
		}
	case err != nil:
		t.Fatalf("claim again %s: %v", s.PaymentID, err)
	}
}

func (h *harness) cancel(t *rapid.T) {
	s := h.pick(t)
	c, cancel := ctx()
	defer cancel()
	if err := h.ob.Cancel(c, s.PaymentID); err != nil {
		t.Fatalf("Cancel(%s): %v", s.PaymentID, err)
	}
	if h.cancelled == nil {
		h.cancelled = map[string]bool{}
	}
	h.cancelled[s.PaymentID] = true
}

func (h *harness) cancelTwice(t *rapid.T) {
	h.cancel(t)
	h.cancel(t)
}

func (h *harness) cancelNever(t *rapid.T) {
	c, cancel := ctx()
	defer cancel()
	if err := h.ob.Cancel(c, "NEVER-CLAIMED"); !dodopoint.IsNotClaimed(err) {
		t.Fatalf("cancel of an id never claimed: %v", err)
	}
}

func (h *harness) outage(t *rapid.T) { h.prog.SetDown(rapid.Bool().Draw(t, "down")) }

func (h *harness) dropAnswers(t *rapid.T) { h.prog.DropAnswers(rapid.IntRange(1, 3).Draw(t, "drops")) }

func (h *harness) restart(t *rapid.T) {
	if err := h.ob.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	h.open()
}

// tick lets time pass when the delivery loop waits on the clock.
func (h *harness) tick(t *rapid.T) {
	if h.clk.Waiters() > 0 {
		h.clk.Advance(retry.Max)
	}
}

func (h *harness) invariants(t *rapid.T) {
	for _, s := range h.sales {
		claims, cancels := h.prog.Applied(s.PaymentID)
		if claims > 1 || cancels > 1 || cancels > claims {
			t.Fatalf("%s: program applied %d claims, %d cancels", s.PaymentID, claims, cancels)
		}
		if _, ok := h.ob.Status(s.PaymentID); !ok {
			t.Fatalf("%s: acknowledged claim lost", s.PaymentID)
		}
	}
}

// finish brings the program back, lets the outbox drain and checks the end state.
func (h *harness) finish() {
	t := h.t
	h.prog.SetDown(false)
	c, cancel := ctx()
	defer cancel()
	done := make(chan error, 1)
	stop := make(chan struct{})
	go func() { done <- h.ob.Drain(c); close(stop) }()
	drained := false
	for i := 0; i < 10_000 && !drained; i++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("drain: %v", err)
			}
			drained = true
			continue
		default:
		}
		if h.clk.WaitForWaiters(1, stop) {
			h.clk.Advance(retry.Max)
		}
	}
	if !drained {
		t.Fatalf("outbox did not drain: %d queued", h.ob.Queued())
	}
	h.invariants(t)
	for _, s := range h.sales {
		id := s.PaymentID
		claims, cancels := h.prog.Applied(id)
		st, _ := h.ob.Status(id)
		if !h.cancelled[id] {
			if claims != 1 || cancels != 0 || st.Claim != dodopoint.StateDelivered || st.Cancel != 0 {
				t.Fatalf("%s: sale not claimed once: program %d/%d, status %+v", id, claims, cancels, st)
			}
			continue
		}
		switch st.Claim {
		case dodopoint.StateCancelledBeforeDelivery:
			if claims != 0 || cancels != 0 || st.Cancel != dodopoint.StateCancelledBeforeDelivery {
				t.Fatalf("%s: withdrawn claim reached the program: %d/%d, status %+v", id, claims, cancels, st)
			}
		case dodopoint.StateDelivered:
			if claims != 1 || cancels != 1 || st.Cancel != dodopoint.StateDelivered {
				t.Fatalf("%s: cancel not applied once: program %d/%d, status %+v", id, claims, cancels, st)
			}
		default:
			t.Fatalf("%s: cancelled sale ends %+v", id, st)
		}
	}
}
