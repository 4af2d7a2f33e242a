package dodopoint_test

import (
	"context"
	"sync"

	"github.com/poskit/poskit/dodopoint"
)

// fakeProgram is an in-memory model of the assist program: it de-duplicates by payment
// id, can be down (nothing applied), and can drop answers after applying.
type fakeProgram struct {
	mu      sync.Mutex
	down    bool
	drop    int
	state   map[string]string // "claimed" | "cancelled"
	claims  map[string]int
	cancels map[string]int
	order   []string // "claim:id" / "cancel:id" as applied
	calls   int
	refuse  map[string]dodopoint.Code // payment id → refusal code of its claim
	gate    chan struct{}             // when set, every call waits for a receive
}

func newFakeProgram() *fakeProgram {
	return &fakeProgram{state: map[string]string{}, claims: map[string]int{}, cancels: map[string]int{}, refuse: map[string]dodopoint.Code{}}
}

func (f *fakeProgram) setDown(d bool) { f.mu.Lock(); f.down = d; f.mu.Unlock() }
func (f *fakeProgram) dropNext(n int) { f.mu.Lock(); f.drop = n; f.mu.Unlock() }

func (f *fakeProgram) counts(id string) (claims, cancels int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.claims[id], f.cancels[id]
}

func (f *fakeProgram) applied() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.order...)
}

func (f *fakeProgram) enter(ctx context.Context) error {
	f.mu.Lock()
	g := f.gate
	f.mu.Unlock()
	if g != nil {
		select {
		case <-g:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (f *fakeProgram) answer(op string) error {
	if f.drop > 0 {
		f.drop--
		return &dodopoint.Error{Op: op, Code: dodopoint.CodeLost, Message: "answer dropped"}
	}
	return nil
}

func (f *fakeProgram) Claim(ctx context.Context, req dodopoint.ClaimRequest) error {
	if err := f.enter(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		return &dodopoint.Error{Op: "dodopoint.Claim", Code: dodopoint.CodeUnavailable, Message: "program down"}
	}
	id := req.Sale.PaymentID
	if c, ok := f.refuse[id]; ok {
		return &dodopoint.Error{Op: "dodopoint.Claim", Code: c, Message: "refused"}
	}
	if f.state[id] == "" {
		f.state[id] = "claimed"
		f.claims[id]++
		f.order = append(f.order, "claim:"+id)
	}
	return f.answer("dodopoint.Claim")
}

func (f *fakeProgram) Cancel(ctx context.Context, req dodopoint.CancelRequest) error {
	if err := f.enter(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		return &dodopoint.Error{Op: "dodopoint.Cancel", Code: dodopoint.CodeUnavailable, Message: "program down"}
	}
	id := req.PaymentID
	switch f.state[id] {
	case "":
		return &dodopoint.Error{Op: "dodopoint.Cancel", Code: dodopoint.CodeNotClaimed, Message: "never claimed"}
	case "claimed":
		f.state[id] = "cancelled"
		f.cancels[id]++
		f.order = append(f.order, "cancel:"+id)
	}
	return f.answer("dodopoint.Cancel")
}
