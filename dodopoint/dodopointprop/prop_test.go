package dodopointprop_test

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/poskit/poskit/dodopoint"
	"github.com/poskit/poskit/dodopoint/dodopointprop"
)

// model is an in-memory assist program: de-duplicates by payment id, can be down, can
// drop answers after applying.
type model struct {
	mu      sync.Mutex
	down    bool
	drop    int
	state   map[string]string
	claims  map[string]int
	cancels map[string]int
}

func (m *model) answer(op string) error {
	if m.drop > 0 {
		m.drop--
		return &dodopoint.Error{Op: op, Code: dodopoint.CodeLost, Message: "answer dropped"}
	}
	return nil
}

func (m *model) Claim(_ context.Context, req dodopoint.ClaimRequest) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return &dodopoint.Error{Op: "dodopoint.Claim", Code: dodopoint.CodeUnavailable}
	}
	if err := req.Sale.Validate(); err != nil {
		return &dodopoint.Error{Op: "dodopoint.Claim", Code: dodopoint.CodeInvalidSale, Err: err}
	}
	id := req.Sale.PaymentID
	if m.state[id] == "" {
		m.state[id] = "claimed"
		m.claims[id]++
	}
	return m.answer("dodopoint.Claim")
}

func (m *model) Cancel(_ context.Context, req dodopoint.CancelRequest) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return &dodopoint.Error{Op: "dodopoint.Cancel", Code: dodopoint.CodeUnavailable}
	}
	switch m.state[req.PaymentID] {
	case "":
		return &dodopoint.Error{Op: "dodopoint.Cancel", Code: dodopoint.CodeNotClaimed}
	case "claimed":
		m.state[req.PaymentID] = "cancelled"
		m.cancels[req.PaymentID]++
	}
	return m.answer("dodopoint.Cancel")
}

func newModel(*rapid.T) dodopointprop.Program {
	m := &model{state: map[string]string{}, claims: map[string]int{}, cancels: map[string]int{}}
	return dodopointprop.Program{
		Transport:   m,
		SetDown:     func(d bool) { m.mu.Lock(); m.down = d; m.mu.Unlock() },
		DropAnswers: func(n int) { m.mu.Lock(); m.drop = n; m.mu.Unlock() },
		Applied: func(id string) (int, int) {
			m.mu.Lock()
			defer m.mu.Unlock()
			return m.claims[id], m.cancels[id]
		},
	}
}

func TestOutboxPropertyOnModel(t *testing.T) {
	dodopointprop.Check(t, newModel)
}

// forgetful is a program without de-duplication: every claim it gets is applied again.
type forgetful struct{ *model }

func (f forgetful) Claim(ctx context.Context, req dodopoint.ClaimRequest) error {
	f.mu.Lock()
	delete(f.state, req.Sale.PaymentID)
	f.mu.Unlock()
	return f.model.Claim(ctx, req)
}

// recordingTB is a rapid.TB that records a failure instead of failing the test.
type recordingTB struct {
	mu     sync.Mutex
	failed bool
	log    []string
}

func (r *recordingTB) Helper()      {}
func (r *recordingTB) Name() string { return "expect-failure" }
func (r *recordingTB) Logf(f string, a ...any) {
	r.mu.Lock()
	r.log = append(r.log, fmt.Sprintf(f, a...))
	r.mu.Unlock()
}
func (r *recordingTB) Log(a ...any)              { r.Logf("%s", fmt.Sprint(a...)) }
func (r *recordingTB) Skipf(string, ...any)      { runtime.Goexit() }
func (r *recordingTB) Skip(...any)               { runtime.Goexit() }
func (r *recordingTB) SkipNow()                  { runtime.Goexit() }
func (r *recordingTB) Errorf(f string, a ...any) { r.Fail(); r.Logf(f, a...) }
func (r *recordingTB) Error(a ...any)            { r.Fail(); r.Log(a...) }
func (r *recordingTB) Fatalf(f string, a ...any) { r.Errorf(f, a...); runtime.Goexit() }
func (r *recordingTB) Fatal(a ...any)            { r.Error(a...); runtime.Goexit() }
func (r *recordingTB) FailNow()                  { r.Fail(); runtime.Goexit() }
func (r *recordingTB) Fail()                     { r.mu.Lock(); r.failed = true; r.mu.Unlock() }
func (r *recordingTB) Failed() bool              { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }

// The property must catch a program that applies a claim twice (a resend after a lost
// answer, or a claim delivered again after a restart).
func TestPropertyCatchesMissingDeduplication(t *testing.T) {
	prop := dodopointprop.Property(t.TempDir(), func(rt *rapid.T) dodopointprop.Program {
		p := newModel(rt)
		p.Transport = forgetful{p.Transport.(*model)}
		return p
	})
	// The expected failure must not leave a fail file behind, and its shrinking is bounded.
	for name, v := range map[string]string{"rapid.nofailfile": "true", "rapid.shrinktime": "2s"} {
		old := flag.Lookup(name).Value.String()
		if err := flag.Set(name, v); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = flag.Set(name, old) })
	}
	rec := &recordingTB{}
	done := make(chan struct{})
	go func() { defer close(done); rapid.Check(rec, prop) }()
	<-done
	if !rec.Failed() {
		t.Fatal("a program without de-duplication passed the property")
	}
}
