package loyalty

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

func allStatuses() []PaymentStatus {
	var out []PaymentStatus
	for s := range transitions {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// anyStatus draws known states most of the time and arbitrary ints sometimes.
func anyStatus() *rapid.Generator[PaymentStatus] {
	return rapid.OneOf(
		rapid.SampledFrom(allStatuses()),
		rapid.Custom(func(t *rapid.T) PaymentStatus { return PaymentStatus(rapid.IntRange(-5, 100).Draw(t, "raw")) }),
	)
}

func TestStatusTableShape(t *testing.T) {
	if got := len(allStatuses()); got != 27 {
		t.Fatalf("table has %d states, want 27 (9 document + 9 new + 9 cancel)", got)
	}
	for _, s := range allStatuses() {
		for _, n := range transitions[s] {
			if !n.Known() {
				t.Errorf("%v → %v: target not in the table", s, n)
			}
			if n == s {
				t.Errorf("%v has a self-loop", s)
			}
		}
	}
	wantTerminal := []PaymentStatus{3, 7, 8, 9, 19, 58, 59}
	var gotTerminal []PaymentStatus
	for _, s := range allStatuses() {
		if s.IsTerminal() {
			gotTerminal = append(gotTerminal, s)
		}
	}
	if !slices.Equal(gotTerminal, wantTerminal) {
		t.Fatalf("terminal states %v, want %v", gotTerminal, wantTerminal)
	}
	// Closed new payments end the new leg but may start a cancel.
	for _, c := range []struct{ from, to PaymentStatus }{{StatusNewClosed, StatusCancelOpened}, {StatusDocClosed, StatusDocCancelOpened}} {
		if c.from.IsTerminal() || !CanTransition(c.from, c.to) {
			t.Errorf("%v should allow %v", c.from, c.to)
		}
	}
}

func TestPropNoExitFromTerminal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		from := anyStatus().Draw(t, "from")
		to := anyStatus().Draw(t, "to")
		if from.IsTerminal() && CanTransition(from, to) {
			t.Fatalf("terminal %v → %v allowed", from, to)
		}
		if !from.Known() && CanTransition(from, to) {
			t.Fatalf("unknown %v → %v allowed", from, to)
		}
		if CanTransition(from, to) != slices.Contains(from.Next(), to) {
			t.Fatalf("CanTransition and Next disagree on %v → %v", from, to)
		}
	})
}

func TestPropEveryStateReachesTerminal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.SampledFrom(allStatuses()).Draw(t, "s")
		found := false
		for _, term := range allStatuses() {
			if term.IsTerminal() && Reachable(s, term) {
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("%v reaches no terminal state", s)
		}
	})
}

func TestPropTransitionsKeepNumberingAndLegOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		from := rapid.SampledFrom(allStatuses()).Draw(t, "from")
		next := from.Next()
		if len(next) == 0 {
			return
		}
		to := rapid.SampledFrom(next).Draw(t, "to")
		if from.IsDocument() != to.IsDocument() {
			t.Fatalf("%v → %v crosses numberings", from, to)
		}
		if from.Leg() == LegCancel && to.Leg() == LegNew {
			t.Fatalf("%v → %v goes back from cancel to new", from, to)
		}
		// A random walk of bounded length stays inside the table.
		cur := to
		for i := 0; i < 50 && !cur.IsTerminal(); i++ {
			cur = rapid.SampledFrom(cur.Next()).Draw(t, "step")
			if !Reachable(from, cur) {
				t.Fatalf("walk reached %v, not Reachable from %v", cur, from)
			}
		}
	})
}

func TestStatusNamesLegsOutcomes(t *testing.T) {
	cases := []struct {
		s       PaymentStatus
		name    string
		leg     Leg
		newOut  Outcome
		cancOut Outcome
	}{
		{StatusDocOpened, "doc-opened", LegNew, OutcomePending, OutcomePending},
		{StatusDocDenied, "doc-denied", LegNew, OutcomeDenied, OutcomePending},
		{StatusDocClosed, "doc-closed", LegNew, OutcomeApproved, OutcomePending},
		{StatusDocCancelApproved, "doc-cancel-approved", LegCancel, OutcomeApproved, OutcomeApproved},
		{StatusDocTimeout, "doc-timeout", LegUnknown, OutcomeTimeout, OutcomeTimeout},
		{StatusNewOpened, "new-opened", LegNew, OutcomePending, OutcomePending},
		{StatusNewApprovalSent, "new-approval-sent", LegNew, OutcomePending, OutcomePending},
		{StatusNewApproved, "new-approved", LegNew, OutcomeApproved, OutcomePending},
		{StatusNewDenied, "new-denied", LegNew, OutcomeDenied, OutcomePending},
		{StatusNewFailed, "new-failed", LegNew, OutcomeFailed, OutcomePending},
		{StatusCancelOpened, "cancel-opened", LegCancel, OutcomeApproved, OutcomePending},
		{StatusCancelDenied, "cancel-denied", LegCancel, OutcomeApproved, OutcomeDenied},
		{StatusCancelClosed, "cancel-closed", LegCancel, OutcomeApproved, OutcomeApproved},
		{StatusCancelFailed, "cancel-failed", LegCancel, OutcomeApproved, OutcomeFailed},
		{42, "status(42)", LegUnknown, OutcomePending, OutcomePending},
	}
	for _, c := range cases {
		if got := c.s.String(); got != c.name {
			t.Errorf("%d.String() = %q, want %q", int(c.s), got, c.name)
		}
		if got := c.s.Leg(); got != c.leg {
			t.Errorf("%v.Leg() = %v, want %v", c.s, got, c.leg)
		}
		if got := c.s.OutcomeFor(LegNew); got != c.newOut {
			t.Errorf("%v.OutcomeFor(new) = %v, want %v", c.s, got, c.newOut)
		}
		if got := c.s.OutcomeFor(LegCancel); got != c.cancOut {
			t.Errorf("%v.OutcomeFor(cancel) = %v, want %v", c.s, got, c.cancOut)
		}
	}
	if PaymentStatus(42).Known() || PaymentStatus(0).Known() {
		t.Error("42 and 0 must not be Known")
	}
	// Next returns a copy: mutating it must not change the table.
	n := StatusNewOpened.Next()
	n[0] = 99
	if CanTransition(StatusNewOpened, 99) {
		t.Fatal("Next leaked the table")
	}
}
