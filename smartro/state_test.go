package smartro

import (
	"testing"

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
