package loyalty

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/poskit/poskit/mock"
)

// scriptedReader returns the scripted statuses one poll at a time, repeating the last.
type scriptedReader struct {
	mu       sync.Mutex
	statuses []PaymentStatus
	errs     []error // error for poll i, if any
	polls    int
}

func (r *scriptedReader) Payment(ctx context.Context, id string) (*Payment, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := r.polls
	r.polls++
	if i < len(r.errs) && r.errs[i] != nil {
		return nil, r.errs[i]
	}
	s := r.statuses[min(i, len(r.statuses)-1)]
	return &Payment{ID: id, Status: s}, nil
}

func (r *scriptedReader) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.polls
}

type waitResult struct {
	p   *Payment
	err error
}

func startWait(w *PaymentWaiter, leg Leg) <-chan waitResult {
	ch := make(chan waitResult, 1)
	go func() {
		p, err := w.Wait(context.Background(), testPaymentID, leg)
		ch <- waitResult{p, err}
	}()
	return ch
}

// drive advances the fake clock step by step until the wait ends (bounded).
func drive(t *testing.T, clk *mock.Clock, step time.Duration, res <-chan waitResult) waitResult {
	t.Helper()
	for i := 0; i < 200; i++ {
		select {
		case r := <-res:
			return r
		default:
		}
		done := make(chan struct{})
		parked := make(chan bool, 1)
		go func() { parked <- clk.WaitForWaiters(2, done) }()
		select {
		case r := <-res:
			close(done)
			return r
		case <-parked:
		}
		clk.Advance(step)
	}
	t.Fatal("wait did not end")
	return waitResult{}
}

func newWaiter(r PaymentReader, clk *mock.Clock) *PaymentWaiter {
	return NewPaymentWaiter(r, WithWaiterPoll(RetryPolicy{Initial: time.Second, Max: 4 * time.Second}), WithWaiterClock(clk))
}

func TestWaiterPollingOutcomes(t *testing.T) {
	cases := []struct {
		name     string
		leg      Leg
		statuses []PaymentStatus
		code     Code // 0: approved (nil error)
		final    PaymentStatus
	}{
		{"approved new", LegNew, []PaymentStatus{11, 11, 14, 15}, 0, 15},
		{"skipped states are fine", LegNew, []PaymentStatus{11, 18}, 0, 18},
		{"denied", LegNew, []PaymentStatus{11, 16}, CodeDenied, 16},
		{"failed", LegNew, []PaymentStatus{11, 19}, CodePaymentFailed, 19},
		{"document approved", LegNew, []PaymentStatus{1, 2}, 0, 2},
		{"document timeout", LegNew, []PaymentStatus{1, 9}, CodeTimeout, 9},
		{"cancel approved", LegCancel, []PaymentStatus{18, 51, 54, 55}, 0, 55},
		{"cancel denied", LegCancel, []PaymentStatus{51, 56}, CodeDenied, 56},
		{"illegal backwards", LegNew, []PaymentStatus{14, 11}, CodeIllegalTransition, 11},
		{"illegal cross numbering", LegNew, []PaymentStatus{11, 2}, CodeIllegalTransition, 2},
		{"unknown status", LegNew, []PaymentStatus{11, 42}, CodeIllegalTransition, 42},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := mock.NewClock(time.Time{})
			r := &scriptedReader{statuses: c.statuses}
			res := drive(t, clk, time.Second, startWait(newWaiter(r, clk), c.leg))
			if c.code == 0 && res.err != nil || c.code != 0 && !IsCode(res.err, c.code) {
				t.Fatalf("err %v, want code %v", res.err, c.code)
			}
			if res.p == nil || res.p.Status != c.final {
				t.Fatalf("payment %+v, want status %v", res.p, c.final)
			}
		})
	}
}

func TestWaiterBackoffAndTimeout(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	r := &scriptedReader{statuses: []PaymentStatus{11}}
	w := newWaiter(r, clk)
	start := clk.Now()
	res := drive(t, clk, 500*time.Millisecond, startWait(w, LegNew))
	if !IsTimeout(res.err) || res.p == nil || res.p.Status != StatusNewOpened {
		t.Fatalf("want timeout with last payment, got %+v %v", res.p, res.err)
	}
	if el := clk.Since(start); el < DefaultApprovalTimeout || el > DefaultApprovalTimeout+time.Second {
		t.Fatalf("timed out after %v", el)
	}
	// Polls at 0, 1, 3, 7, 11, …, 43 s (13 polls: delays 1, 2, 4, 4, …) and a last one at 45 s.
	if n := r.count(); n != 14 {
		t.Fatalf("%d polls, want 14", n)
	}
}

func TestWaiterCallbackEndsWait(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	r := &scriptedReader{statuses: []PaymentStatus{11}}
	w := newWaiter(r, clk)
	res := startWait(w, LegNew)
	clk.WaitForWaiters(2, nil)
	// A cancel-leg event for the same payment does not end a new-leg wait…
	w.Notify(CallbackEvent{Leg: LegCancel, Outcome: OutcomeApproved, Payment: &Payment{ID: testPaymentID, Status: 55}})
	// …the new-leg denial does, without another poll and without moving the clock.
	w.Notify(CallbackEvent{Leg: LegNew, Outcome: OutcomeDenied, Message: "Denied by user", Payment: &Payment{ID: testPaymentID, Status: 16}})
	got := <-res
	if !IsDenied(got.err) || got.p.Status != 16 || r.count() != 1 {
		t.Fatalf("%+v %v after %d polls", got.p, got.err, r.count())
	}
}

func TestWaiterCallbackBeforeWait(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	r := &scriptedReader{statuses: []PaymentStatus{11}}
	w := newWaiter(r, clk)
	w.Notify(CallbackEvent{Leg: LegNew, Outcome: OutcomeApproved, Payment: &Payment{ID: testPaymentID, Status: 15}})
	got := <-startWait(w, LegNew)
	if got.err != nil || got.p.Status != 15 {
		t.Fatalf("%+v %v", got.p, got.err)
	}
}

func TestWaiterFromCallbackHandler(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	w := newWaiter(&scriptedReader{statuses: []PaymentStatus{11}}, clk)
	h := NewCallbackHandler(testKey, func(ctx context.Context, ev CallbackEvent) error { w.Notify(ev); return nil })
	res := startWait(w, LegNew)
	clk.WaitForWaiters(2, nil)
	if code := post(h, relayBody(testKey, "pay_new", 7000), nil).Code; code != 200 {
		t.Fatalf("callback answered %d", code)
	}
	if got := <-res; !IsTimeout(got.err) {
		t.Fatalf("want timeout callback, got %v", got.err)
	}
}

func TestWaiterPollErrors(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	r := &scriptedReader{statuses: []PaymentStatus{11, 11, 15},
		errs: []error{nil, &Error{Code: CodeTransport, Err: errors.New("reset")}}}
	res := drive(t, clk, time.Second, startWait(newWaiter(r, clk), LegNew))
	if res.err != nil || res.p.Status != 15 {
		t.Fatalf("temporary error must be polled through: %v", res.err)
	}
	r2 := &scriptedReader{statuses: []PaymentStatus{11}, errs: []error{&Error{Code: CodePaymentNotFound}}}
	got := <-startWait(newWaiter(r2, clk), LegNew)
	if !IsNotFound(got.err) {
		t.Fatalf("want not found, got %v", got.err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newWaiter(&scriptedReader{statuses: []PaymentStatus{11}}, clk).Wait(ctx, testPaymentID, LegNew); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if _, err := newWaiter(r, clk).Wait(context.Background(), "0x1", LegNew); !IsInvalidInput(err) {
		t.Fatalf("bad id: %v", err)
	}
	if _, err := newWaiter(r, clk).Wait(context.Background(), testPaymentID, LegUnknown); !IsInvalidInput(err) {
		t.Fatalf("bad leg: %v", err)
	}
}

func TestWaiterOverHTTPClient(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	cl, mt := mockClient(t, WithClock(clk), WithRouteSet(RouteSetRelay))
	statuses := []int{11, 14, 15}
	i := 0
	var mu sync.Mutex
	mt.RegisterResponder("GET", "https://relay.test/v1/payment/item", func(*http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		s := statuses[min(i, len(statuses)-1)]
		i++
		return httpmock.NewStringResponse(200, `{"code":0,"data":`+callbackData(s)+`}`), nil
	})
	res := drive(t, clk, time.Second, startWait(NewPaymentWaiter(cl), LegNew))
	if res.err != nil || res.p.Status != StatusNewApproved || res.p.TotalPoint.String() != "10500000000000000000" {
		t.Fatalf("%+v %v", res.p, res.err)
	}
}
