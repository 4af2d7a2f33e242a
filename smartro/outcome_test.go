package smartro

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	wire "github.com/poskit/poskit/internal/smartrowire"
	"github.com/poskit/poskit/mock"
)

// The three outcomes never blur: refused (nothing applied), lost (may have been applied,
// never Retryable), the caller's context ended (the context's error, not lost).
func TestThreeOutcomes(t *testing.T) {
	s := newStub(t)
	c := newTestClient(t, s)
	s.on(wire.PathOrderNew, fail(200, CodeOccupied, "점유"))
	_, refused := c.NewOrder(context.Background(), validPrepaid())
	s.on(wire.PathOrderNew, drop)
	_, lost := c.NewOrder(context.Background(), validPrepaid())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, canceled := c.NewOrder(ctx, validPrepaid())

	if !IsRefused(refused) || IsLost(refused) || CodeOf(refused) != CodeOccupied {
		t.Errorf("refused: %v (refused %v lost %v)", refused, IsRefused(refused), IsLost(refused))
	}
	var e *Error
	if !IsLost(lost) || IsRefused(lost) || !errors.As(lost, &e) || e.Retryable() || CodeOf(lost) != CodeTransport {
		t.Errorf("lost: %v (lost %v refused %v)", lost, IsLost(lost), IsRefused(lost))
	}
	if !errors.Is(canceled, context.Canceled) || IsLost(canceled) || IsRefused(canceled) || CodeOf(canceled) != CodeCanceled {
		t.Errorf("canceled: %v (lost %v refused %v)", canceled, IsLost(canceled), IsRefused(canceled))
	}
	// One operation name, no stutter.
	for _, err := range []error{refused, lost, canceled} {
		msg := err.Error()
		if strings.Count(msg, "smartro.") != 1 || !strings.HasPrefix(msg, "smartro.NewOrder: ") || strings.Contains(msg, "transport error: transport") {
			t.Errorf("error string %q", msg)
		}
	}
	// A lost answer with a server-error status is still not retryable.
	if (&Error{Code: CodeBadAnswer, HTTPStatus: 502}).Retryable() {
		t.Error("a lost 502 answer says Retryable")
	}
}

// A deadline in Tracker.Wait is the context's error, not a lost answer; the order's state
// comes with it.
func TestTrackerWaitDeadlineIsTheContexts(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	tr := mustTracker(&countingAgent{}, WithTrackerClock(clk))
	defer tr.Close()
	if _, err := tr.Track(TableRef{"1", "01"}, "M-1", &OrderAck{OrderNo: "TO1"}, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	st, err := tr.Wait(ctx, "M-1")
	if !errors.Is(err, context.DeadlineExceeded) || IsLost(err) || IsRefused(err) || st != Accepted {
		t.Fatalf("Wait: %v %v (lost %v)", st, err, IsLost(err))
	}
}

// Constructors check their options and answer a typed error.
func TestConstructorsValidateOptions(t *testing.T) {
	for name, opts := range map[string][]Option{
		"negative max body": {WithMaxBodyBytes(-1)},
		"retry jitter":      {WithRetry(RetryPolicy{Jitter: 2})},
		"occupied max":      {WithOccupiedRetry(RetryPolicy{Initial: time.Second, Max: time.Millisecond})},
	} {
		if _, err := NewClient("S", "V", opts...); !IsInvalidInput(err) || CodeOf(err) != CodeInvalidInput {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, opts := range map[string][]TrackerOption{
		"negative interval": {WithPollInterval(-time.Second)},
		"negative parallel": {WithPollConcurrency(-1)},
		"occupied policy":   {WithTrackerOccupiedRetry(RetryPolicy{Multiplier: 0.5})},
	} {
		if _, err := NewTracker(&countingAgent{}, opts...); !IsInvalidInput(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
