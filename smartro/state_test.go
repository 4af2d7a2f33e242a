package smartro

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
	"pgregory.net/rapid"
)

func TestTransitionTable(t *testing.T) {
	allowed := map[[2]OrderState]bool{
		{Submitted, Accepted}: true, {Submitted, Rejected}: true, {Submitted, Occupied}: true, {Submitted, Unknown}: true,
		{Occupied, Submitted}: true, {Occupied, Rejected}: true,
		{Unknown, Accepted}: true, {Unknown, Expired}: true,
		{Accepted, Delivered}: true, {Accepted, Expired}: true,
		{Delivered, Succeeded}: true, {Delivered, Cancelled}: true,
	}
	for f := OrderState(0); f < numStates; f++ {
		for to := OrderState(0); to < numStates+1; to++ {
			if got := CanTransition(f, to); got != allowed[[2]OrderState{f, to}] {
				t.Errorf("%v→%v = %v", f, to, got)
			}
		}
	}
	for _, s := range []OrderState{Succeeded, Cancelled, Expired, Rejected} {
		if !s.IsTerminal() {
			t.Errorf("%v not terminal", s)
		}
	}
	if OrderState(99).String() != "OrderState(99)" || Unknown.String() != "Unknown" || CanTransition(99, 0) {
		t.Fatal("names")
	}
	if !Expired.AllowsReorder() || !Rejected.AllowsReorder() || Cancelled.AllowsReorder() || Unknown.AllowsReorder() {
		t.Fatal("reorder")
	}
}

// Property: no transition leaves a terminal state, and from every state a terminal one is
// reachable along allowed transitions (a random walk that always picks an allowed step
// ends within numStates² steps when it avoids revisiting the Occupied loop forever).
func TestStateMachineProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := OrderState(rapid.IntRange(0, int(numStates)-1).Draw(t, "start"))
		if s.IsTerminal() {
			for to := OrderState(0); to < numStates; to++ {
				if CanTransition(s, to) {
					t.Fatalf("terminal %v → %v allowed", s, to)
				}
			}
			return
		}
		if !reachesTerminal(s) {
			t.Fatalf("%v cannot reach a terminal state", s)
		}
		// A random walk with a bound on the Occupied↔Submitted loop terminates.
		loops := 0
		for steps := 0; !s.IsTerminal(); steps++ {
			if steps > 100 {
				t.Fatalf("walk did not terminate")
			}
			next := s.Next()
			if len(next) == 0 {
				t.Fatalf("non-terminal %v has no successor", s)
			}
			n := rapid.SampledFrom(next).Draw(t, "next")
			if s == Occupied && n == Submitted {
				loops++
				if loops > 5 { // retries are bounded: give up
					n = Rejected
				}
			}
			if !CanTransition(s, n) {
				t.Fatalf("%v → %v not allowed", s, n)
			}
			s = n
		}
	})
}

func reachesTerminal(s OrderState) bool {
	seen := map[OrderState]bool{}
	var walk func(OrderState) bool
	walk = func(x OrderState) bool {
		if x.IsTerminal() {
			return true
		}
		if seen[x] {
			return false
		}
		seen[x] = true
		for _, n := range x.Next() {
			if walk(n) {
				return true
			}
		}
		return false
	}
	return walk(s)
}

// scriptedLookup answers TableOrders from a script drawn up front: each call takes the next
// answer (an error, or a list of live orders); when the script runs out it answers empty
// lists.
type scriptedLookup struct {
	mu     sync.Mutex
	script []scriptedAnswer
	calls  int
}

type scriptedAnswer struct {
	fail bool
	list []LiveOrder
}

func (s *scriptedLookup) TableOrders(_ context.Context, floor, table string) ([]LiveOrder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.calls
	s.calls++
	if i >= len(s.script) {
		return nil, nil
	}
	a := s.script[i]
	if a.fail {
		return nil, &Error{Op: "scripted", Code: CodeTransport}
	}
	out := make([]LiveOrder, len(a.list))
	for j, o := range a.list {
		o.Table = TableRef{floor, table}
		out[j] = o
	}
	return out, nil
}

// Property: driving a real Tracker — random Track calls (answered, lost, refused,
// occupied), random lookup answers (missing, pending, delivered, failed, any POS status,
// full lists, failures) on a fake clock — no reported transition starts from a terminal
// state, every transition is allowed by the table, and each order's transitions chain:
// the first from Submitted, each From the previous To, a new attempt (Submitted again)
// only after a terminal state (after Expired or Rejected while the tracker remembers it).
func TestTrackerTransitionsChainAndNeverLeaveTerminal(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		mchts := []string{"M0", "M1", "M2", "M3"}
		tables := []TableRef{{"01", "T1"}, {"01", "T2"}}
		statuses := []OrderStatus{"", StatusReceived, StatusDone, StatusCancelled, StatusReturned, StatusPaid}
		src := &scriptedLookup{}
		for i, n := 0, rapid.IntRange(0, 80).Draw(rt, "answers"); i < n; i++ {
			if rapid.IntRange(0, 5).Draw(rt, "fail") == 0 {
				src.script = append(src.script, scriptedAnswer{fail: true})
				continue
			}
			var a scriptedAnswer
			for j, m := 0, rapid.IntRange(0, len(mchts)).Draw(rt, "entries"); j < m; j++ {
				k := rapid.IntRange(0, len(mchts)-1).Draw(rt, "entry")
				a.list = append(a.list, LiveOrder{
					OrderNo:         fmt.Sprintf("TO%d", k),
					MerchantOrderNo: rapid.SampledFrom([]string{mchts[k], ""}).Draw(rt, "mcht"),
					Status:          rapid.SampledFrom(statuses).Draw(rt, "status"),
					Delivery:        Delivery(rapid.IntRange(0, 2).Draw(rt, "delivery")),
				})
			}
			if rapid.IntRange(0, 4).Draw(rt, "full") == 0 {
				for len(a.list) < TableLookupLimit {
					a.list = append(a.list, LiveOrder{OrderNo: fmt.Sprintf("X%d", len(a.list)), Delivery: DeliveryDelivered, Status: StatusReceived})
				}
			}
			src.script = append(src.script, a)
		}
		// A short retention lets the tracker forget finished orders (then any MCHT_ORDERNO may
		// be tracked anew); a long one keeps them, so a new attempt must follow Expired or
		// Rejected.
		retention := rapid.SampledFrom([]time.Duration{10 * time.Second, time.Hour}).Draw(rt, "retention")
		clk := mock.NewClock(time.Time{})
		var mu sync.Mutex
		var got []Transition
		q := newQuiet()
		tr := newTracker(src, q.hook, WithTrackerClock(clk),
			WithExpiry(time.Duration(rapid.IntRange(1, 30).Draw(rt, "expiry"))*time.Second),
			WithSettleAfter(time.Duration(rapid.IntRange(1, 60).Draw(rt, "settle"))*time.Second),
			WithRetention(retention),
			WithOnTransition(func(x Transition) {
				mu.Lock()
				got = append(got, x)
				mu.Unlock()
			}))
		defer tr.Close()
		for i, n := 0, rapid.IntRange(1, 60).Draw(rt, "steps"); i < n; i++ {
			q.settle(rt, tr, clk.Now())
			switch rapid.IntRange(0, 2).Draw(rt, "action") {
			case 0:
				k := rapid.IntRange(0, len(mchts)-1).Draw(rt, "track")
				var ack *OrderAck
				var err error
				switch rapid.IntRange(0, 3).Draw(rt, "answer") {
				case 0:
					ack = &OrderAck{OrderNo: fmt.Sprintf("TO%d", k)}
				case 1:
					err = &Error{Code: CodeTransport}
				case 2:
					err = &Error{Code: CodeOccupied}
				default:
					err = &Error{Code: CodeUnknownItem}
				}
				_, _ = tr.Track(rapid.SampledFrom(tables).Draw(rt, "table"), mchts[k], ack, err)
			case 1:
				clk.Advance(DefaultPollInterval)
			default:
				clk.Advance(time.Duration(rapid.IntRange(1, 7000).Draw(rt, "ms")) * time.Millisecond)
			}
		}
		q.settle(rt, tr, clk.Now())
		_ = tr.Close()
		mu.Lock()
		defer mu.Unlock()
		last := map[string]OrderState{}
		for i, x := range got {
			if x.From.IsTerminal() {
				rt.Fatalf("transition %d %s: %v → %v starts from a terminal state", i, x.MerchantOrderNo, x.From, x.To)
			}
			if !CanTransition(x.From, x.To) {
				rt.Fatalf("transition %d %s: %v → %v not allowed", i, x.MerchantOrderNo, x.From, x.To)
			}
			prev, ok := last[x.MerchantOrderNo]
			switch {
			case !ok && x.From != Submitted:
				rt.Fatalf("transition %d %s: first transition from %v, want Submitted", i, x.MerchantOrderNo, x.From)
			case ok && x.From != prev && !(prev.IsTerminal() && x.From == Submitted):
				rt.Fatalf("transition %d %s: %v → %v after %v: does not chain", i, x.MerchantOrderNo, x.From, x.To, prev)
			case ok && x.From == Submitted && !prev.AllowsReorder() && retention == time.Hour:
				rt.Fatalf("transition %d %s: a new attempt after %v", i, x.MerchantOrderNo, prev)
			}
			last[x.MerchantOrderNo] = x.To
		}
	})
}
