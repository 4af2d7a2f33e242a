package mock

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/clockx"
)

// FaultKind says what an injected fault does to one request.
type FaultKind int

const (
	// Fail answers with the fault's HTTP status and API error code without applying the
	// operation: no state changes.
	Fail FaultKind = iota + 1
	// DropAnswer applies the operation, then closes the connection without an answer: the
	// client sees a transport error although the server changed state ("lost answer").
	DropAnswer
	// Delay waits Fault.Delay on the fake server's clock before handling the request
	// normally; the test moves the clock to release it.
	Delay
	// Garbage applies nothing and answers HTTP 200 with Fault.Body (default: a non-JSON body).
	Garbage
)

// String names the kind as the admin API of poskit-mock spells it: fail, drop-answer, delay, garbage.
func (k FaultKind) String() string {
	switch k {
	case Fail:
		return "fail"
	case DropAnswer:
		return "drop-answer"
	case Delay:
		return "delay"
	case Garbage:
		return "garbage"
	}
	return "unknown"
}

// Fault is one injected misbehaviour for an operation.
type Fault struct {
	Kind FaultKind
	// Times is how many requests the fault applies to; 0 means once, a negative value
	// means every request until Clear.
	Times int
	// Status is the HTTP status of a Fail answer; 0 lets the fake choose (most APIs here
	// answer application errors with 200 and a code in the body).
	Status int
	// Code and Message are the API error code and text of a Fail answer, as the fake's
	// API spells them; empty lets the fake choose a server error.
	Code    string
	Message string
	// Delay is the wait of a Delay fault, on the fake's clock.
	Delay time.Duration
	// Body is the raw answer of a Garbage fault.
	Body []byte
}

// Faults holds the faults injected into one fake server, by operation name: the client's
// method names, as the API's endpoint table lists them. A fake's Faults refuses an
// operation the fake does not serve, so a misspelt name fails the test instead of
// injecting nothing. The zero value accepts any name.
type Faults struct {
	mu  sync.Mutex
	m   map[string][]*Fault
	ops map[string]bool // the operations served; nil: any
}

// NewFaults returns a Faults that accepts only the operations ops.
func NewFaults(ops ...string) *Faults {
	fs := &Faults{}
	fs.allow(ops...)
	return fs
}

// allow makes fs accept exactly ops (and refuse every other name).
func (fs *Faults) allow(ops ...string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.ops = make(map[string]bool, len(ops))
	for _, op := range ops {
		fs.ops[op] = true
	}
}

// UnknownOperationError is Inject's error for an operation the fake does not serve.
type UnknownOperationError struct {
	Op    string
	Known []string // the operations the fake serves, sorted
}

func (e *UnknownOperationError) Error() string {
	return fmt.Sprintf("mock: no operation %q; known: %s", e.Op, strings.Join(e.Known, ", "))
}

// Ops returns the operations faults can be injected into, sorted (nil: any name).
func (fs *Faults) Ops() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.opsLocked()
}

func (fs *Faults) opsLocked() []string {
	if fs.ops == nil {
		return nil
	}
	out := make([]string, 0, len(fs.ops))
	for op := range fs.ops {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}

// Inject queues f for the operation op; queued faults apply in order. It refuses, changing
// nothing, an operation the fake does not serve (*UnknownOperationError) and a fault whose
// Kind is not one of Fail, DropAnswer, Delay, Garbage.
func (fs *Faults) Inject(op string, f Fault) error {
	if f.Times == 0 {
		f.Times = 1
	}
	if f.Kind < Fail || f.Kind > Garbage {
		return fmt.Errorf("mock: fault for %q has no valid kind (fail, drop-answer, delay or garbage)", op)
	}
	if f.Kind == Delay && f.Delay <= 0 {
		return fmt.Errorf("mock: delay fault for %q needs a positive Delay", op)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.ops != nil && !fs.ops[op] {
		return &UnknownOperationError{Op: op, Known: fs.opsLocked()}
	}
	if fs.m == nil {
		fs.m = make(map[string][]*Fault)
	}
	fs.m[op] = append(fs.m[op], &f)
	return nil
}

// MustInject is Inject for tests: it panics on an error.
func (fs *Faults) MustInject(op string, f Fault) {
	if err := fs.Inject(op, f); err != nil {
		panic(err)
	}
}

// Clear removes every queued fault (the set of known operations stays).
func (fs *Faults) Clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.m = nil
}

// Take returns the next fault for op, consuming one of its Times, and whether there was one.
func (fs *Faults) Take(op string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	q := fs.m[op]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	if f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			fs.m[op] = q[1:]
		}
	}
	return *f, true
}

// Pending returns the number of faults still queued for op.
func (fs *Faults) Pending(op string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return len(fs.m[op])
}

// Wait blocks for d on clock c, or until ctx ends; it reports whether d elapsed.
func Wait(ctx context.Context, c clockx.Clock, d time.Duration) bool {
	return clockx.Sleep(c, d, ctx.Done())
}

// DropConnection closes the connection under w without writing an answer, so the client sees
// a transport error. It reports false when w cannot be hijacked (then nothing was written
// either; the caller should panic(http.ErrAbortHandler) to abort the answer).
func DropConnection(w http.ResponseWriter) bool {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return false
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
