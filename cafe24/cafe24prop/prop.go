// Package cafe24prop holds rapid generators and properties for package cafe24's token
// handling, kept apart so that importing cafe24 does not pull in pgregory.net/rapid.
//
// The property (CheckNeverLockedOut): N goroutines spread over M token sources ("processes")
// sharing one store, under clock jumps, refused refreshes, lost refresh answers and crashes
// after receiving a refresh answer but before saving it, never lock the mall out unless the
// refresh token truly expired or a rotation's result was lost.
//
// What no client can do: when a refresh reached Cafe24 and its answer was lost, or the
// process died between receiving the answer and saving it, Cafe24 has already killed the old
// refresh token and the new one exists nowhere. FakeAuth models this honestly (the old token
// dies at once), and the property accepts a consent-needed error after such an event, and
// only then (or after the refresh token's own expiry). It also checks that the SDK says so
// with a typed error (cafe24.IsConsentNeeded) and recovers as soon as a person consents.
package cafe24prop

import (
	"context"
	"fmt"
	"sync"
	"time"

	"pgregory.net/rapid"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/mock"
)

// Kind is the kind of a scenario event.
type Kind int

// Event kinds.
const (
	Call        Kind = iota // Callers goroutines ask for a token at once, spread over the processes
	Advance                 // the clock moves by Advance
	FailRefresh             // the next refresh is refused without rotating (503)
	LoseAnswer              // the next rotation's answer is lost
	Crash                   // Process crashes on its next save (after receiving a rotated token)
)

// String names the kind.
func (k Kind) String() string {
	return [...]string{"call", "advance", "fail-refresh", "lose-answer", "crash"}[k]
}

// Event is one step of a Scenario.
type Event struct {
	Kind    Kind
	Callers int           // for Call
	Advance time.Duration // for Advance
	Process int           // for Crash
}

// String describes the event, for rapid's failure reports.
func (e Event) String() string {
	switch e.Kind {
	case Call:
		return fmt.Sprintf("call×%d", e.Callers)
	case Advance:
		return "advance " + e.Advance.String()
	case Crash:
		return fmt.Sprintf("crash p%d", e.Process)
	}
	return e.Kind.String()
}

// Scenario is a run of events over Processes token sources sharing one store.
type Scenario struct {
	Processes int
	Events    []Event
}

// EventGen generates events for a scenario of procs processes with up to maxCallers
// goroutines per call. Clock jumps range from a second to 15 days, so access tokens
// (2 h) and refresh tokens (14 days) expire.
func EventGen(procs, maxCallers int) *rapid.Generator[Event] {
	return rapid.Custom(func(t *rapid.T) Event {
		switch k := rapid.SampledFrom([]Kind{Call, Call, Call, Advance, Advance, FailRefresh, LoseAnswer, Crash}).Draw(t, "kind"); k {
		case Call:
			return Event{Kind: Call, Callers: rapid.IntRange(1, maxCallers).Draw(t, "callers")}
		case Advance:
			d := rapid.SampledFrom([]time.Duration{time.Second, 10 * time.Minute, 116 * time.Minute,
				2 * time.Hour, 13 * time.Hour, 7 * 24 * time.Hour, 15 * 24 * time.Hour}).Draw(t, "advance")
			return Event{Kind: Advance, Advance: d}
		case Crash:
			return Event{Kind: Crash, Process: rapid.IntRange(0, procs-1).Draw(t, "process")}
		default:
			return Event{Kind: k}
		}
	})
}

// ScenarioGen generates scenarios of 1–maxProcs processes, up to maxCallers goroutines per
// call and up to maxEvents events.
func ScenarioGen(maxProcs, maxCallers, maxEvents int) *rapid.Generator[Scenario] {
	return rapid.Custom(func(t *rapid.T) Scenario {
		p := rapid.IntRange(1, maxProcs).Draw(t, "processes")
		ev := rapid.SliceOfN(EventGen(p, maxCallers), 1, maxEvents).Draw(t, "events")
		return Scenario{Processes: p, Events: ev}
	})
}

// TB is the part of *testing.T and *rapid.T the checks use.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// procStore is one process's view of the shared store: Crash makes its next Save fail as a
// crash would, after which the process is dead (every call fails) until it is restarted.
type procStore struct {
	shared SharedStore
	auth   *FakeAuth

	mu      sync.Mutex
	armed   bool
	crashed bool
	orphan  bool // the crash took the live refresh token with it
}

var errCrashed = fmt.Errorf("cafe24prop: process crashed")

func (p *procStore) dead() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.crashed }

func (p *procStore) Load(ctx context.Context, mall string) (*cafe24.Token, uint64, error) {
	if p.dead() {
		return nil, 0, errCrashed
	}
	return p.shared.Load(ctx, mall)
}

func (p *procStore) Save(ctx context.Context, mall string, tok *cafe24.Token, v uint64) (uint64, error) {
	p.mu.Lock()
	if p.armed || p.crashed {
		if p.armed && tok != nil && p.auth.Accepts(tok.RefreshToken.Reveal()) {
			p.orphan = true
		}
		p.armed, p.crashed = false, true
		p.mu.Unlock()
		return 0, errCrashed
	}
	p.mu.Unlock()
	return p.shared.Save(ctx, mall, tok, v)
}

func (p *procStore) Lock(ctx context.Context, mall string) (func(), error) {
	if p.dead() {
		return nil, errCrashed
	}
	return p.shared.Lock(ctx, mall)
}

const mall = "propmall"

// SharedStore is a token store processes share, with its refresh lock.
type SharedStore interface {
	cafe24.TokenStore
	cafe24.TokenLocker
}

// CheckNeverLockedOut runs CheckNeverLockedOutOn with one MemoryStore shared by every
// process.
func CheckNeverLockedOut(t TB, sc Scenario) {
	t.Helper()
	shared := cafe24.NewMemoryStore()
	CheckNeverLockedOutOn(t, sc, func() SharedStore { return shared })
}

// CheckNeverLockedOutOn runs sc and fails t if the mall is ever locked out without cause.
// open returns each process's handle on the one shared store (the same MemoryStore, or a
// new FileStore on one directory, whose flocks then exclude each other as processes' do):
//
//   - after every step, unless a rotation was lost or the refresh token expired, the store
//     holds the refresh token Cafe24 accepts (the live token is durable);
//   - every token handed out is issued by Cafe24, unexpired and valid for the margin;
//   - a caller sees an error only after a fault of the step, and CodeConsentNeeded only
//     after a lost rotation or an expired refresh token;
//   - a fresh process asking for a token succeeds, or reports CodeConsentNeeded with such a
//     cause; after a new consent it succeeds again.
func CheckNeverLockedOutOn(t TB, sc Scenario, open func() SharedStore) {
	t.Helper()
	ctx := context.Background()
	clk := mock.NewClock(time.Time{})
	auth := NewFakeAuth(clk, mall)
	shared := open()
	if _, err := shared.Save(ctx, mall, auth.Consent(), 0); err != nil {
		t.Fatalf("seed: %v", err)
	}
	margin := 5 * time.Minute
	newProc := func() (*cafe24.TokenSource, *procStore) {
		ps := &procStore{shared: open(), auth: auth}
		ts, err := cafe24.NewTokenSource(mall, ps, auth, cafe24.WithSourceClock(clk), cafe24.WithRefreshMargin(margin))
		if err != nil {
			t.Fatalf("NewTokenSource: %v", err)
		}
		return ts, ps
	}
	procs := make([]*cafe24.TokenSource, sc.Processes)
	views := make([]*procStore, sc.Processes)
	for i := range procs {
		procs[i], views[i] = newProc()
	}
	orphaned := false // a rotation's result was lost (answer lost, or crash before save)
	lostSeen := 0
	armed := false // a fault was armed since the last call step
	for step, ev := range sc.Events {
		switch ev.Kind {
		case Advance:
			clk.Advance(ev.Advance)
		case FailRefresh:
			auth.FailNext(1)
			armed = true
		case LoseAnswer:
			auth.LoseNext(1)
			armed = true
		case Crash:
			v := views[ev.Process%len(views)]
			v.mu.Lock()
			v.armed = true
			v.mu.Unlock()
			armed = true
		case Call:
			justified := orphaned || auth.RefreshExpired()
			errs := make([]error, ev.Callers)
			toks := make([]*cafe24.Token, ev.Callers)
			var wg sync.WaitGroup
			for g := range ev.Callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					toks[g], errs[g] = procs[g%len(procs)].Token(ctx)
				}()
			}
			wg.Wait()
			if auth.Lost() > lostSeen {
				lostSeen, orphaned = auth.Lost(), true
			}
			for i, v := range views {
				v.mu.Lock()
				v.armed = false // a crash that did not fire is disarmed with the other faults
				v.mu.Unlock()
				if v.dead() { // restart the crashed process: its memory is gone
					if v.orphan {
						orphaned = true
					}
					procs[i], views[i] = newProc()
				}
			}
			now := clk.Now()
			for g := range ev.Callers {
				if err := errs[g]; err != nil {
					if cafe24.IsConsentNeeded(err) {
						if !(justified || orphaned || auth.RefreshExpired()) {
							t.Fatalf("step %d (%v): consent needed without cause: %v", step, ev, err)
						}
					} else if !armed {
						t.Fatalf("step %d (%v): error without a fault: %v", step, ev, err)
					}
					continue
				}
				tok := toks[g]
				if !tok.AccessValidAt(now, margin) || !auth.Issued(tok.AccessToken.Reveal()) {
					t.Fatalf("step %d (%v): handed out an unusable token %v", step, ev, tok)
				}
			}
			armed = false
		}
		// The live refresh token is durable unless its result was lost or it expired.
		if !orphaned && !auth.RefreshExpired() {
			stored, _, err := shared.Load(ctx, mall)
			if err != nil || !auth.Accepts(stored.RefreshToken.Reveal()) {
				t.Fatalf("step %d (%v): the store lost the live refresh token (err %v)", step, ev, err)
			}
		}
		if ev.Kind != Call {
			continue
		}
		// A fresh process (no faults armed) gets a token, or a justified consent-needed.
		auth.ClearFaults()
		probe, _ := newProc()
		tok, err := probe.Token(ctx)
		switch {
		case err == nil:
			if !auth.Issued(tok.AccessToken.Reveal()) {
				t.Fatalf("step %d: probe got an unusable token", step)
			}
		case cafe24.IsConsentNeeded(err) && (orphaned || auth.RefreshExpired()):
			// A person consents again; everything works afterwards.
			_, v, lerr := shared.Load(ctx, mall)
			if lerr != nil {
				t.Fatalf("step %d: load: %v", step, lerr)
			}
			if _, err := shared.Save(ctx, mall, auth.Consent(), v); err != nil {
				t.Fatalf("step %d: consent save: %v", step, err)
			}
			orphaned = false
			if _, err := probe.Token(ctx); err != nil {
				t.Fatalf("step %d: after a new consent: %v", step, err)
			}
		default:
			t.Fatalf("step %d (%v): locked out without cause: %v", step, ev, err)
		}
	}
}
