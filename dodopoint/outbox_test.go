package dodopoint_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/dodopoint"
)

func TestClaimsDeliveredInSubmissionOrder(t *testing.T) {
	var mu sync.Mutex
	var evs []dodopoint.Event
	r := newRig(t, dodopoint.NewMemoryStore(), dodopoint.WithOnState(func(e dodopoint.Event) {
		mu.Lock()
		evs = append(evs, e)
		mu.Unlock()
	}))
	want := ids(20, "P")
	for i, id := range want {
		mustClaim(t, r.ob, sale(id, int64(1000+i)))
	}
	drain(t, r.ob, r.clk)
	var got []string
	for _, a := range r.prog.applied() {
		got = append(got, a[len("claim:"):])
	}
	if !slices.Equal(got, want) {
		t.Fatalf("applied %v, want %v", got, want)
	}
	for _, id := range want {
		if st := mustStatus(t, r.ob, id); st.Claim != dodopoint.StateDelivered || st.Cancel != 0 {
			t.Fatalf("%s: %+v", id, st)
		}
	}
	if err := r.ob.Close(); err != nil { // flushes the callback
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	seen := map[string][]dodopoint.State{}
	for _, e := range evs {
		seen[e.PaymentID] = append(seen[e.PaymentID], e.State)
	}
	for _, id := range want {
		if !slices.Equal(seen[id], []dodopoint.State{dodopoint.StateQueued, dodopoint.StateDelivered}) {
			t.Fatalf("%s events %v", id, seen[id])
		}
	}
}

func TestClaimTwiceIsOneClaim(t *testing.T) {
	r := newRig(t, dodopoint.NewMemoryStore())
	s := sale("TWICE", 5000)
	mustClaim(t, r.ob, s)
	mustClaim(t, r.ob, s)
	if q := r.ob.Queued(); q > 1 {
		t.Fatalf("second claim queued: %d queued", q)
	}
	other := sale("TWICE", 6000)
	if err := r.ob.Claim(ctxT(t), other); !dodopoint.IsConflict(err) || !dodopoint.IsRefused(err) {
		t.Fatalf("other data: %v", err)
	}
	drain(t, r.ob, r.clk)
	mustClaim(t, r.ob, s) // after delivery: still one claim
	drain(t, r.ob, r.clk)
	if c, _ := r.prog.counts("TWICE"); c != 1 || r.prog.calls != 1 {
		t.Fatalf("claims %d, calls %d", c, r.prog.calls)
	}
}

func TestCancelNeverClaimed(t *testing.T) {
	r := newRig(t, dodopoint.NewMemoryStore())
	err := r.ob.Cancel(ctxT(t), "NOPE")
	if !dodopoint.IsNotClaimed(err) || !dodopoint.IsRefused(err) || dodopoint.IsLost(err) {
		t.Fatalf("err %v", err)
	}
	if c, ok := dodopoint.CodeOf(err); !ok || c != dodopoint.CodeNotClaimed {
		t.Fatalf("code %q", c)
	}
	if _, ok := r.ob.Status("NOPE"); ok {
		t.Fatal("a refused cancel left a status")
	}
}

func TestCancelBeforeDeliveryWithdrawsClaim(t *testing.T) {
	r := newRig(t, dodopoint.NewMemoryStore())
	r.prog.setDown(true)
	mustClaim(t, r.ob, sale("W1", 3000))
	parked(t, r.clk) // the first attempt met the outage; nothing applied
	if err := r.ob.Cancel(ctxT(t), "W1"); err != nil {
		t.Fatal(err)
	}
	if err := r.ob.Cancel(ctxT(t), "W1"); err != nil { // twice: one cancel
		t.Fatal(err)
	}
	st := mustStatus(t, r.ob, "W1")
	if st.Claim != dodopoint.StateCancelledBeforeDelivery || st.Cancel != dodopoint.StateCancelledBeforeDelivery {
		t.Fatalf("status %+v", st)
	}
	r.prog.setDown(false)
	mustClaim(t, r.ob, sale("W2", 1000))
	drain(t, r.ob, r.clk)
	if a := r.prog.applied(); !slices.Equal(a, []string{"claim:W2"}) {
		t.Fatalf("applied %v: the withdrawn claim reached the program", a)
	}
	if err := r.ob.Claim(ctxT(t), sale("W1", 3000)); !dodopoint.IsAlreadyCancelled(err) {
		t.Fatalf("claim after cancel: %v", err)
	}
}

func TestCancelAfterLostAnswerIsDeliveredAfterClaim(t *testing.T) {
	r := newRig(t, dodopoint.NewMemoryStore())
	r.prog.setDown(false)
	r.prog.dropNext(1)
	mustClaim(t, r.ob, sale("L1", 2000))
	parked(t, r.clk) // applied, answer lost, waiting to retry
	if c, _ := r.prog.counts("L1"); c != 1 {
		t.Fatalf("claim not applied before the lost answer: %d", c)
	}
	if err := r.ob.Cancel(ctxT(t), "L1"); err != nil {
		t.Fatal(err)
	}
	drain(t, r.ob, r.clk)
	if c, x := r.prog.counts("L1"); c != 1 || x != 1 {
		t.Fatalf("claims %d cancels %d", c, x)
	}
	st := mustStatus(t, r.ob, "L1")
	if st.Claim != dodopoint.StateDelivered || st.Cancel != dodopoint.StateDelivered {
		t.Fatalf("status %+v", st)
	}
}

func TestCancelAfterDelivery(t *testing.T) {
	r := newRig(t, dodopoint.NewMemoryStore())
	mustClaim(t, r.ob, sale("D1", 2000))
	drain(t, r.ob, r.clk)
	for range 2 {
		if err := r.ob.Cancel(ctxT(t), "D1"); err != nil {
			t.Fatal(err)
		}
	}
	drain(t, r.ob, r.clk)
	if a := r.prog.applied(); !slices.Equal(a, []string{"claim:D1", "cancel:D1"}) {
		t.Fatalf("applied %v", a)
	}
}

func TestRetriesOnTheClockWhileProgramIsDown(t *testing.T) {
	r := newRig(t, dodopoint.NewMemoryStore())
	r.prog.setDown(true)
	mustClaim(t, r.ob, sale("R1", 1000))
	for want := 1; want <= 4; want++ {
		parked(t, r.clk)
		r.prog.mu.Lock()
		calls := r.prog.calls
		r.prog.mu.Unlock()
		if calls != want {
			t.Fatalf("attempt %d: program saw %d calls", want, calls)
		}
		if st := mustStatus(t, r.ob, "R1"); st.Claim != dodopoint.StateQueued {
			t.Fatalf("status %+v while down", st)
		}
		r.clk.Advance(time.Minute)
	}
	r.prog.setDown(false)
	drain(t, r.ob, r.clk)
	if st := mustStatus(t, r.ob, "R1"); st.Claim != dodopoint.StateDelivered {
		t.Fatalf("status %+v", st)
	}
}

func TestRefusalEndsFailed(t *testing.T) {
	var mu sync.Mutex
	var failed []dodopoint.Event
	r := newRig(t, dodopoint.NewMemoryStore(), dodopoint.WithOnState(func(e dodopoint.Event) {
		if e.State == dodopoint.StateFailed {
			mu.Lock()
			failed = append(failed, e)
			mu.Unlock()
		}
	}))
	r.prog.refuse["BAD"] = dodopoint.CodeInvalidSale
	mustClaim(t, r.ob, sale("BAD", 1000))
	mustClaim(t, r.ob, sale("GOOD", 1000))
	drain(t, r.ob, r.clk)
	st := mustStatus(t, r.ob, "BAD")
	if st.Claim != dodopoint.StateFailed || !dodopoint.IsInvalidInput(st.Err) {
		t.Fatalf("status %+v", st)
	}
	if st := mustStatus(t, r.ob, "GOOD"); st.Claim != dodopoint.StateDelivered {
		t.Fatalf("a failed claim blocked the next: %+v", st)
	}
	// A cancel of a failed claim has nothing to void: it is not sent.
	if err := r.ob.Cancel(ctxT(t), "BAD"); err != nil {
		t.Fatal(err)
	}
	if st := mustStatus(t, r.ob, "BAD"); st.Cancel != dodopoint.StateCancelledBeforeDelivery {
		t.Fatalf("status %+v", st)
	}
	r.restart() // the failure survives a restart
	if st := mustStatus(t, r.ob, "BAD"); st.Claim != dodopoint.StateFailed || !dodopoint.IsInvalidInput(st.Err) {
		t.Fatalf("after restart %+v", st)
	}
	_ = r.ob.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(failed) != 1 || failed[0].PaymentID != "BAD" || !dodopoint.IsInvalidInput(failed[0].Err) {
		t.Fatalf("failed events %+v", failed)
	}
}

func TestOutboxFull(t *testing.T) {
	store := dodopoint.NewMemoryStore()
	r := newRig(t, store, dodopoint.WithMaxQueued(2))
	r.prog.setDown(true)
	mustClaim(t, r.ob, sale("F1", 1000))
	mustClaim(t, r.ob, sale("F2", 1000))
	before := store.Len()
	err := r.ob.Claim(ctxT(t), sale("F3", 1000))
	if !dodopoint.IsOutboxFull(err) || !dodopoint.IsRefused(err) {
		t.Fatalf("err %v", err)
	}
	if _, ok := r.ob.Status("F3"); ok || store.Len() != before {
		t.Fatal("a refused claim was stored")
	}
	parked(t, r.clk)
	if err := r.ob.Cancel(ctxT(t), "F2"); err != nil { // withdraws F2: room again
		t.Fatal(err)
	}
	mustClaim(t, r.ob, sale("F3", 1000))
	r.prog.setDown(false)
	drain(t, r.ob, r.clk)
	if a := r.prog.applied(); !slices.Equal(a, []string{"claim:F1", "claim:F3"}) {
		t.Fatalf("applied %v", a)
	}
}

func TestCompactionOfFinishedPayments(t *testing.T) {
	store := dodopoint.NewMemoryStore()
	r := newRig(t, store, dodopoint.WithRetainDone(2))
	for _, id := range ids(5, "C") {
		mustClaim(t, r.ob, sale(id, 1000))
	}
	drain(t, r.ob, r.clk)
	if n := store.Len(); n != 3 { // two finished payments + the compaction marker
		t.Fatalf("store holds %d entries", n)
	}
	if _, ok := r.ob.Status("C-0000"); ok {
		t.Fatal("oldest payment not compacted")
	}
	if st := mustStatus(t, r.ob, "C-0004"); st.Claim != dodopoint.StateDelivered {
		t.Fatalf("status %+v", st)
	}
	r.restart()
	// A forgotten id: the claim is queued again and the program de-duplicates it; the
	// cancel is queued and the program judges it.
	mustClaim(t, r.ob, sale("C-0000", 1000))
	if err := r.ob.Cancel(ctxT(t), "C-0001"); err != nil {
		t.Fatal(err)
	}
	if err := r.ob.Cancel(ctxT(t), "NEVER"); err != nil {
		t.Fatal(err)
	}
	drain(t, r.ob, r.clk)
	if c, _ := r.prog.counts("C-0000"); c != 1 {
		t.Fatalf("C-0000 claimed %d times", c)
	}
	if _, x := r.prog.counts("C-0001"); x != 1 {
		t.Fatalf("C-0001 cancelled %d times", x)
	}
	if st := mustStatus(t, r.ob, "NEVER"); st.Cancel != dodopoint.StateFailed || !dodopoint.IsNotClaimed(st.Err) {
		t.Fatalf("NEVER %+v", st)
	}
}

func TestContextAndClose(t *testing.T) {
	r := newRig(t, dodopoint.NewMemoryStore())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := r.ob.Claim(ctx, sale("X1", 1000))
	if !errors.Is(err, context.Canceled) || dodopoint.IsLost(err) || dodopoint.IsRefused(err) {
		t.Fatalf("cancelled ctx: %v", err)
	}
	if err := r.ob.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.ob.Claim(ctxT(t), sale("X1", 1000)); !dodopoint.IsClosed(err) {
		t.Fatalf("after close: %v", err)
	}
	if err := r.ob.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestRestartResumesWithNothingLostNorSentTwice(t *testing.T) {
	store, err := dodopoint.OpenBoltStore(boltPath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r := newRig(t, store)
	r.prog.setDown(true)
	want := ids(10, "S")
	for _, id := range want {
		mustClaim(t, r.ob, sale(id, 1500))
	}
	if err := r.ob.Cancel(ctxT(t), want[3]); err != nil {
		t.Fatal(err)
	}
	parked(t, r.clk)
	r.restart()
	r.prog.setDown(false)
	drain(t, r.ob, r.clk)
	var wantApplied []string
	for i, id := range want {
		if i != 3 {
			wantApplied = append(wantApplied, "claim:"+id)
		}
	}
	if a := r.prog.applied(); !slices.Equal(a, wantApplied) {
		t.Fatalf("applied %v", a)
	}
	calls := r.prog.calls
	r.restart()
	drain(t, r.ob, r.clk)
	if r.prog.calls != calls {
		t.Fatalf("%d calls after a restart with nothing queued", r.prog.calls-calls)
	}
	for _, id := range want {
		if _, ok := r.ob.Status(id); !ok {
			t.Fatalf("%s lost", id)
		}
	}
}

// gateStore blocks the first Write until released, counting writes.
type gateStore struct {
	*dodopoint.MemoryStore
	mu      sync.Mutex
	writes  int
	release chan struct{}
}

func (g *gateStore) Write(puts []dodopoint.Entry, dels []uint64) error {
	g.mu.Lock()
	g.writes++
	first := g.writes == 1
	g.mu.Unlock()
	if first {
		<-g.release
	}
	return g.MemoryStore.Write(puts, dels)
}

func TestConcurrentClaimsShareCommits(t *testing.T) {
	g := &gateStore{MemoryStore: dodopoint.NewMemoryStore(), release: make(chan struct{})}
	r := newRig(t, g)
	r.prog.setDown(true)
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, id := range ids(n, "G") {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- r.ob.Claim(ctxT(t), sale(id, 1000)) }()
	}
	for i := 0; r.ob.Queued() < n; i++ { // all submitted (the first write is held)
		if i > 1_000_000 {
			t.Fatal("claims never submitted")
		}
		time.Sleep(10 * time.Microsecond)
	}
	close(g.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.writes > 2 {
		t.Fatalf("%d claims took %d writes, want ≤ 2", n, g.writes)
	}
	if g.Len() != n {
		t.Fatalf("%d stored", g.Len())
	}
}

// failStore fails every Write after the first okWrites.
type failStore struct {
	*dodopoint.MemoryStore
	okWrites int
}

func (f *failStore) Write(puts []dodopoint.Entry, dels []uint64) error {
	if f.okWrites == 0 {
		return errors.New("disk full")
	}
	f.okWrites--
	return f.MemoryStore.Write(puts, dels)
}

func TestFailedWriteIsNotAcknowledged(t *testing.T) {
	r := newRig(t, &failStore{MemoryStore: dodopoint.NewMemoryStore(), okWrites: 1})
	r.prog.setDown(true)
	mustClaim(t, r.ob, sale("OK1", 1000))
	err := r.ob.Claim(ctxT(t), sale("NO1", 1000))
	if c, _ := dodopoint.CodeOf(err); c != dodopoint.CodeStore {
		t.Fatalf("err %v", err)
	}
	if err := r.ob.Cancel(ctxT(t), "OK1"); err == nil {
		t.Fatal("outbox accepted work after a failed write")
	}
}

func TestWithdrawEventsAndDrainContext(t *testing.T) {
	var mu sync.Mutex
	var evs []string
	r := newRig(t, dodopoint.NewMemoryStore(), dodopoint.WithOnState(func(e dodopoint.Event) {
		mu.Lock()
		evs = append(evs, e.Kind.String()+":"+e.State.String())
		mu.Unlock()
	}))
	r.prog.setDown(true)
	mustClaim(t, r.ob, sale("E1", 1000))
	parked(t, r.clk)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.ob.Drain(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Drain with an ended context: %v", err)
	}
	if err := r.ob.Cancel(ctxT(t), "E1"); err != nil {
		t.Fatal(err)
	}
	if err := r.ob.Drain(ctxT(t)); err != nil { // nothing queued: no clock needed
		t.Fatal(err)
	}
	_ = r.ob.Close()
	mu.Lock()
	defer mu.Unlock()
	want := []string{"claim:queued", "claim:cancelled-before-delivery", "cancel:cancelled-before-delivery"}
	if !slices.Equal(evs, want) {
		t.Fatalf("events %v, want %v", evs, want)
	}
}
