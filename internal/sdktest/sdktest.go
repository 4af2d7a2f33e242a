// Package sdktest is the contract every poskit client package runs against its fake: the
// same tests for every API, so the call, retry, error and secret rules hold alike in all of
// them. A package wires itself in from an external test file:
//
//	func TestContract(t *testing.T) { sdktest.Run(t, sdktest.Subject[*smartro.Client]{…}) }
//
// The tests: every operation of the endpoint table has a call; the caller's *http.Client
// is the one used; a context cancelled before or during a call ends it with the context's
// error; a request that is not safe to repeat is sent once whatever the answer, one that is
// safe is retried after a server error; a lost answer ("applied, answer dropped") is
// reported as lost; a non-JSON or oversized answer is a typed error; and no secret (nor a
// fragment of 8 or more of its characters) appears in the client's %v, %+v, %#v, %s or
// %d, in an error string, or in a debug log line, also when the server echoes it back.
package sdktest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/endpoint"
	"github.com/poskit/poskit/internal/redact"
	"github.com/poskit/poskit/mock"
)

// Subject is one client package under the contract; C is its client type.
type Subject[C any] struct {
	// Table is the API's endpoint table.
	Table endpoint.Table
	// Start starts a fresh fake (closed by t.Cleanup) and returns it with the secrets the
	// client is configured with.
	Start func(t *testing.T) (fake mock.Fake, secrets []string)
	// NewClient returns a client of fake that sends with hc, logs to log, bounds answers
	// to maxBody bytes (0: the default) and retries without sleeping.
	NewClient func(fake mock.Fake, hc *http.Client, log *slog.Logger, maxBody int64) (C, error)
	// Calls holds, for every operation of the table, a call that succeeds on a fresh fake
	// (it may make other calls first to set the stage; only requests of its own operation
	// are counted).
	Calls map[string]func(ctx context.Context, c C) error
	// IsLost, IsRefused and IsTyped are the package's helpers: lost (may have been
	// applied), refused (not applied), and "an error of the package's *Error type".
	IsLost, IsRefused, IsTyped func(error) bool
	// Echo returns answer bodies that carry secret back inside an error message, a
	// validation entry or a field that fails to parse, for op (nil: none beyond the
	// suite's injected error message).
	Echo func(op, secret string) [][]byte
}

// Run runs the contract against s.
func Run[C any](t *testing.T, s Subject[C]) {
	t.Run("EveryOperationHasACall", func(t *testing.T) { everyOperationHasACall(t, s) })
	t.Run("CallersHTTPClientIsUsed", func(t *testing.T) { callersClientIsUsed(t, s) })
	t.Run("ContextEndsTheCall", func(t *testing.T) { contextEndsTheCall(t, s) })
	t.Run("UnsafeRequestsAreNeverRetried", func(t *testing.T) { retries(t, s) })
	t.Run("LostAnswersAreLost", func(t *testing.T) { lostAnswers(t, s) })
	t.Run("BadAnswersAreTyped", func(t *testing.T) { badAnswers(t, s) })
	t.Run("SecretsNeverPrinted", func(t *testing.T) { secretsNeverPrinted(t, s) })
}

func everyOperationHasACall[C any](t *testing.T, s Subject[C]) {
	for _, op := range s.Table.Ops() {
		if s.Calls[op] == nil {
			t.Errorf("%s: operation %s has no client call in the contract", s.Table.API, op)
		}
	}
	for op := range s.Calls {
		if !s.Table.Has(op) {
			t.Errorf("%s: call %s is not an operation of the endpoint table", s.Table.API, op)
		}
	}
}

// countingTransport counts the requests sent through it.
type countingTransport struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

// env is one fake and one client of it.
type env[C any] struct {
	fake    mock.Fake
	secrets []string
	client  C
	ct      *countingTransport
	logs    *bytes.Buffer
}

func start[C any](t *testing.T, s Subject[C], maxBody int64) *env[C] {
	t.Helper()
	fake, secrets := s.Start(t)
	ct := &countingTransport{base: &http.Transport{}}
	t.Cleanup(func() { ct.base.(*http.Transport).CloseIdleConnections() })
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := s.NewClient(fake, &http.Client{Transport: ct, Timeout: time.Minute}, log, maxBody)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return &env[C]{fake: fake, secrets: secrets, client: c, ct: ct, logs: &logs}
}

func count(f mock.Fake, op string) int {
	n := 0
	for _, r := range f.Requests() {
		if r.Op == op {
			n++
		}
	}
	return n
}

func callersClientIsUsed[C any](t *testing.T, s Subject[C]) {
	for _, op := range s.Table.Ops() {
		e := start(t, s, 0)
		if err := s.Calls[op](context.Background(), e.client); err != nil {
			t.Errorf("%s on a fresh fake: %v", op, err)
			continue
		}
		if e.ct.n.Load() == 0 || count(e.fake, op) == 0 {
			t.Errorf("%s: %d requests through the caller's client, %d seen by the fake", op, e.ct.n.Load(), count(e.fake, op))
		}
	}
}

func contextEndsTheCall[C any](t *testing.T, s Subject[C]) {
	for _, op := range s.Table.Ops() {
		e := start(t, s, 0)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		before := count(e.fake, op)
		err := s.Calls[op](ctx, e.client)
		if !errors.Is(err, context.Canceled) || s.IsLost(err) {
			t.Errorf("%s with a cancelled context: %v (lost %v), want context.Canceled and not lost", op, err, s.IsLost(err))
		}
		if count(e.fake, op) != before {
			t.Errorf("%s with a cancelled context reached the fake", op)
		}

		// Cancelled while the fake holds the request: a delay on the fake's clock, which
		// nobody advances, parks the handler on that clock.
		e = start(t, s, 0)
		if err := e.fake.Faults().Inject(op, mock.Fault{Kind: mock.Delay, Delay: time.Hour}); err != nil {
			t.Fatalf("inject delay into %s: %v", op, err)
		}
		parked := e.fake.Clock().Waiters() + 1
		ctx, cancel = context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Calls[op](ctx, e.client) }()
		if !waitParked(e.fake.Clock(), parked, done) {
			cancel()
			t.Errorf("%s never reached the fake", op)
			continue
		}
		cancel()
		err = <-done
		if !errors.Is(err, context.Canceled) || s.IsLost(err) {
			t.Errorf("%s cancelled in flight: %v (lost %v), want context.Canceled and not lost", op, err, s.IsLost(err))
		}
	}
}

// waitParked waits until clk has n timers (the fake's handler is parked on it). It gives up
// when the call ends first (done receives; its error is put back) or after a minute.
func waitParked(clk *mock.Clock, n int, done chan error) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stop := make(chan struct{})
	go func() {
		select {
		case err := <-done:
			done <- err
		case <-ctx.Done():
		}
		close(stop)
	}()
	return clk.WaitForWaiters(n, stop) && len(done) == 0
}

func idempotent(t endpoint.Table, op string) bool {
	e, _ := t.Lookup(op)
	return e.Idempotent
}

func retries[C any](t *testing.T, s Subject[C]) {
	for _, op := range s.Table.Ops() {
		e := start(t, s, 0)
		if err := e.fake.Faults().Inject(op, mock.Fault{Kind: mock.Fail, Status: http.StatusServiceUnavailable}); err != nil {
			t.Fatal(err)
		}
		err := s.Calls[op](context.Background(), e.client)
		n := count(e.fake, op)
		if idempotent(s.Table, op) {
			if err != nil || n != 2 {
				t.Errorf("%s (safe to repeat) after one 503: err %v, %d requests; want success on the retry", op, err, n)
			}
			continue
		}
		if err == nil || n != 1 {
			t.Errorf("%s (not safe to repeat) after a 503: err %v, %d requests; want the error and exactly 1 request", op, err, n)
		}
		if s.IsLost(err) || !s.IsTyped(err) {
			t.Errorf("%s: a 503 answer is not lost (an answer came) and is the package's error: lost %v typed %v (%v)", op, s.IsLost(err), s.IsTyped(err), err)
		}
	}
}

func lostAnswers[C any](t *testing.T, s Subject[C]) {
	for _, op := range s.Table.Ops() {
		e := start(t, s, 0)
		times := 1
		if idempotent(s.Table, op) {
			times = -1 // every attempt: the retries must give up and report the loss
		}
		if err := e.fake.Faults().Inject(op, mock.Fault{Kind: mock.DropAnswer, Times: times}); err != nil {
			t.Fatal(err)
		}
		err := s.Calls[op](context.Background(), e.client)
		if err == nil || !s.IsLost(err) || s.IsRefused(err) || !s.IsTyped(err) {
			t.Errorf("%s with its answer dropped: %v (lost %v refused %v typed %v), want lost", op, err, s.IsLost(err), s.IsRefused(err), s.IsTyped(err))
		}
		if n := count(e.fake, op); !idempotent(s.Table, op) && n != 1 {
			t.Errorf("%s (not safe to repeat) was sent %d times after a lost answer", op, n)
		}
		if r, ok := any(err).(interface{ Retryable() bool }); ok && r.Retryable() && !idempotent(s.Table, op) {
			t.Errorf("%s: a lost answer says Retryable", op)
		}
	}
}

func badAnswers[C any](t *testing.T, s Subject[C]) {
	bodies := map[string][]byte{
		"html":      []byte("<html><body>502 Bad Gateway</body></html>"),
		"truncated": []byte(`{"a":`),
		"oversized": append(append([]byte(`{"x":"`), bytes.Repeat([]byte("A"), 8<<10)...), `"}`...),
	}
	for _, op := range s.Table.Ops() {
		for name, body := range bodies {
			e := start(t, s, 4<<10)
			if err := e.fake.Faults().Inject(op, mock.Fault{Kind: mock.Garbage, Body: body, Times: -1}); err != nil {
				t.Fatal(err)
			}
			err := s.Calls[op](context.Background(), e.client)
			if err == nil || !s.IsTyped(err) || !s.IsLost(err) {
				t.Errorf("%s with a %s answer: %v (typed %v lost %v), want the package's error, lost", op, name, err, s.IsTyped(err), s.IsLost(err))
			}
		}
	}
}

func secretsNeverPrinted[C any](t *testing.T, s Subject[C]) {
	e := start(t, s, 0)
	red := redact.New(e.secrets...)
	if red.Empty() {
		t.Skip("no secrets configured")
	}
	check := func(what, text string) {
		t.Helper()
		if red.Contains(text) {
			t.Errorf("%s shows a secret or a fragment of one: %s", what, text)
		}
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%q", "%x"} {
		check("client "+verb, fmt.Sprintf(verb, e.client))
		check("*client "+verb, fmt.Sprintf(verb, &e.client))
	}
	for _, op := range s.Table.Ops() {
		for _, secret := range e.secrets {
			if secret == "" {
				continue
			}
			frag := secret[:min(len(secret), 12)]
			var answers []mock.Fault
			answers = append(answers,
				mock.Fault{Kind: mock.Fail, Status: http.StatusBadRequest, Code: "9999", Message: "bad key " + secret + " / " + frag},
				mock.Fault{Kind: mock.Fail, Status: http.StatusOK, Message: strings.ToUpper(frag) + " " + frag + "…"})
			if s.Echo != nil {
				for _, b := range s.Echo(op, secret) {
					answers = append(answers, mock.Fault{Kind: mock.Garbage, Body: b})
				}
			}
			for i, f := range answers {
				f.Times = -1
				e := start(t, s, 0)
				if err := e.fake.Faults().Inject(op, f); err != nil {
					t.Fatal(err)
				}
				err := s.Calls[op](context.Background(), e.client)
				if err == nil {
					t.Errorf("%s answer %d echoing a secret: no error", op, i)
					continue
				}
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
					check(fmt.Sprintf("%s answer %d error %s", op, i, verb), fmt.Sprintf(verb, err))
				}
				for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
					check(fmt.Sprintf("%s answer %d cause", op, i), u.Error())
				}
				check(fmt.Sprintf("%s answer %d logs", op, i), e.logs.String())
				for _, r := range e.fake.Requests() {
					check(fmt.Sprintf("%s recorded request", op), fmt.Sprintf("%s %s %v %s", r.Path, r.Query, r.Header, r.Body))
				}
			}
		}
	}
}
