package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/smartromock"
)

// action is one test-side control of a fake, called as POST /{fake}/do/{name} with a JSON
// body; it answers what it returns as JSON. (Transitional: each fake is moving its actions
// into its own package as mock.Actions.)
type action func(body json.RawMessage) (any, error)

// oldFake is a fake not yet built on mock.Server.
type oldFake interface {
	URL() string
	Clock() *mock.Clock
	Faults() *mock.Faults
	Requests() []mock.Request
	Close()
}

// legacyFake adapts an oldFake and its actions to mock.Fake.
type legacyFake struct {
	oldFake
	name    string
	actions map[string]action
}

func legacy(name string, f oldFake, acts map[string]action) mock.Fake {
	return legacyFake{oldFake: f, name: name, actions: acts}
}

func (l legacyFake) Name() string { return l.name }

func (l legacyFake) Actions() []mock.Action {
	var out []mock.Action
	for n, a := range l.actions {
		out = append(out, mock.Action{Name: n, Run: func(_ context.Context, b json.RawMessage) (any, error) { return a(b) }})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// args decodes an action's body into v, refusing unknown fields.
func args(body json.RawMessage, v any) error {
	if len(body) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

type tableArgs struct {
	Floor string `json:"floor"`
	Table string `json:"table"`
}

type orderArgs struct {
	OrderNo string `json:"orderNo"`
}

type flagArgs struct {
	On bool `json:"on"`
}

// smartroActions are the fake Order Agent's switches and POS-side calls.
func smartroActions(s *smartromock.Server) map[string]action {
	table := func(f func(floor, table string)) action {
		return func(b json.RawMessage) (any, error) {
			var a tableArgs
			if err := args(b, &a); err != nil || a.Floor == "" || a.Table == "" {
				return nil, fmt.Errorf(`want {"floor":"…","table":"…"}`)
			}
			f(a.Floor, a.Table)
			return map[string]bool{"occupied": s.Occupied(a.Floor, a.Table)}, nil
		}
	}
	order := func(f func(orderNo string) error) action {
		return func(b json.RawMessage) (any, error) {
			var a orderArgs
			if err := args(b, &a); err != nil || a.OrderNo == "" {
				return nil, fmt.Errorf(`want {"orderNo":"…"}`)
			}
			if err := f(a.OrderNo); err != nil {
				return nil, err
			}
			o, _ := s.Order(a.OrderNo)
			return o, nil
		}
	}
	flag := func(f func(bool)) action {
		return func(b json.RawMessage) (any, error) {
			var a flagArgs
			if err := args(b, &a); err != nil {
				return nil, fmt.Errorf(`want {"on":true|false}`)
			}
			f(a.On)
			return a, nil
		}
	}
	return map[string]action{
		"business-day":       flag(s.SetBusinessDay),
		"agent-online":       flag(s.SetAgentOnline),
		"occupy":             table(s.Occupy),
		"release":            table(s.Release),
		"pos-payment-start":  table(s.StartPOSPayment),
		"pos-payment-finish": table(s.FinishPOSPayment),
		"pos-complete":       order(s.POSComplete),
		"pos-cancel":         order(s.POSCancel),
		"pos-return":         order(s.POSReturn),
		"pos-paid":           order(s.POSPaid),
		"fail-next-delivery": func(json.RawMessage) (any, error) { s.FailNextDelivery(); return struct{}{}, nil },
		"restart":            func(json.RawMessage) (any, error) { s.Restart(); return map[string]int{"restarts": s.Restarts()}, nil },
		"delivery-delay": func(b json.RawMessage) (any, error) {
			var a struct {
				Delay           string `json:"delay"`
				MerchantOrderNo string `json:"merchantOrderNo"`
			}
			d, err := parseArgDuration(b, &a, &a.Delay)
			if err != nil {
				return nil, err
			}
			if a.MerchantOrderNo != "" {
				s.SetDeliveryDelay(a.MerchantOrderNo, d)
			} else {
				s.SetDefaultDeliveryDelay(d)
			}
			return a, nil
		},
		"orders": func(json.RawMessage) (any, error) { return s.Orders(), nil },
	}
}

// parseArgDuration decodes b into v and parses *field as a Go duration ("" is 0).
func parseArgDuration(b json.RawMessage, v any, field *string) (time.Duration, error) {
	if err := args(b, v); err != nil {
		return 0, err
	}
	if *field == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(*field)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a non-negative duration such as 10s", *field)
	}
	return d, nil
}
