package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Fake is what every poskit fake offers a test harness, and what poskit-mock serves: adding
// a fake to the binary is one line. Fakes get it by embedding *Server.
type Fake interface {
	Name() string        // e.g. "smartro": the fake's path in the admin API
	URL() string         // base URL of the fake's loopback listener
	Clock() *Clock       // the fake's clock
	Faults() *Faults     // fault injection by operation (client method names)
	Requests() []Request // recorded requests, secrets redacted
	Actions() []Action   // named test-side controls with described arguments
	Down()               // takes the fake off the network (connections refused), state kept
	Up() error           // brings it back on the same port
	Close()              // stops the fake
}

// Action is one named test-side control of a fake (approve a payment, occupy a table, bring
// the assist program down, …). poskit-mock serves it as POST /{fake}/do/{Name} with a JSON
// body of arguments; GET /{fake}/do lists every action with Doc and Example.
type Action struct {
	Name    string          // e.g. "occupy"
	Doc     string          // what it does and what each argument means
	Example json.RawMessage // a valid argument body
	// Run decodes and checks the arguments, acts, and returns what to answer (as JSON).
	// An error wrapping ErrUnknown means the arguments name something the fake does not
	// have (a table, an account, an order); other errors are bad arguments.
	Run func(ctx context.Context, args json.RawMessage) (any, error)
}

// ErrUnknown is wrapped by an action's error when its arguments name a table, account, id
// or order the fake does not have.
var ErrUnknown = errors.New("not found")

// Unknown returns an error wrapping ErrUnknown: "unknown table \"9/99\"".
func Unknown(what, id string) error { return fmt.Errorf("unknown %s %q: %w", what, id, ErrUnknown) }

// Validator is implemented by action arguments that check themselves after decoding.
type Validator interface{ Validate() error }

// NewAction returns an action whose JSON arguments decode into A (unknown fields refused,
// an empty body is {}), are checked by A's Validate method when it has one, and are then
// passed to run. example is encoded as the action's Example.
func NewAction[A any](name, doc string, example A, run func(ctx context.Context, args A) (any, error)) Action {
	ex, err := json.Marshal(example)
	if err != nil {
		panic("mock: action " + name + ": example: " + err.Error())
	}
	return Action{Name: name, Doc: doc, Example: ex, Run: func(ctx context.Context, body json.RawMessage) (any, error) {
		var a A
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("{}")
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			return nil, fmt.Errorf("arguments: %v (example: %s)", err, ex)
		}
		if v, ok := any(&a).(Validator); ok {
			if err := v.Validate(); err != nil {
				return nil, fmt.Errorf("arguments: %v (example: %s)", err, ex)
			}
		}
		return run(ctx, a)
	}}
}

// NoArgs is the argument type of actions that take none.
type NoArgs struct{}

// SwitchArgs are the arguments of an on/off action: {"on":true}. On is required.
type SwitchArgs struct {
	On *bool `json:"on"`
}

// Validate requires on.
func (a *SwitchArgs) Validate() error {
	if a.On == nil {
		return errors.New("on (true or false) is required")
	}
	return nil
}

// Switch returns the example arguments {"on":true}.
func Switch() SwitchArgs { on := true; return SwitchArgs{On: &on} }

// OrderNoArgs name an order by its number: {"orderNo":"…"}.
type OrderNoArgs struct {
	OrderNo string `json:"orderNo"`
}

// Validate requires the number.
func (a *OrderNoArgs) Validate() error {
	if a.OrderNo == "" {
		return errors.New("orderNo is required")
	}
	return nil
}
