package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/loyaltymock"
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

// loyaltyActions are the fake relay's wallet and seed controls.
func loyaltyActions(s *loyaltymock.Server) map[string]action {
	payment := func(f func(paymentID string) error) action {
		return func(b json.RawMessage) (any, error) {
			var a struct {
				PaymentID string `json:"paymentId"`
			}
			if err := args(b, &a); err != nil || a.PaymentID == "" {
				return nil, fmt.Errorf(`want {"paymentId":"0x…"}`)
			}
			if err := f(a.PaymentID); err != nil {
				return nil, err
			}
			p, _ := s.Payment(a.PaymentID)
			return map[string]string{"paymentId": p.ID, "status": p.Status.String()}, nil
		}
	}
	return map[string]action{
		"approve":        payment(s.Approve),
		"deny":           payment(s.Deny),
		"approve-cancel": payment(s.ApproveCancel),
		"deny-cancel":    payment(s.DenyCancel),
		"wallet-policy": func(b json.RawMessage) (any, error) {
			var a struct {
				Account string `json:"account"`
				Action  string `json:"action"` // approve, deny or ignore
				Delay   string `json:"delay"`
			}
			d, err := parseArgDuration(b, &a, &a.Delay)
			if err != nil || a.Account == "" {
				return nil, fmt.Errorf(`want {"account":"0x…","action":"approve|deny|ignore","delay":"10s"}: %v`, err)
			}
			var act loyaltymock.WalletAction
			switch a.Action {
			case "approve":
				act = loyaltymock.WalletApprove
			case "deny":
				act = loyaltymock.WalletDeny
			case "ignore":
				act = loyaltymock.WalletIgnore
			default:
				return nil, fmt.Errorf("unknown wallet action %q", a.Action)
			}
			s.SetWallet(a.Account, loyaltymock.WalletPolicy{Action: act, Delay: d})
			return a, nil
		},
		"balance": func(b json.RawMessage) (any, error) {
			var a struct {
				Account string         `json:"account"`
				Amount  loyalty.Amount `json:"amount"` // wire form; omit to read
				Set     bool           `json:"set"`
			}
			if err := args(b, &a); err != nil || a.Account == "" {
				return nil, fmt.Errorf(`want {"account":"0x…"} or {"account":"0x…","set":true,"amount":"1000000000000000000"}`)
			}
			if a.Set {
				s.SetBalance(a.Account, a.Amount)
			}
			return map[string]loyalty.Amount{"balance": s.Balance(a.Account)}, nil
		},
		"seed":      func(json.RawMessage) (any, error) { return seedView(s.Seed()), nil },
		"callbacks": func(json.RawMessage) (any, error) { return s.Callbacks(), nil },
	}
}

// seedView is what a non-Go suite needs of the seed to build requests: ids and accounts,
// and the access key (a test fixture of the fake, not a secret of anyone's).
func seedView(sd loyaltymock.Seed) map[string]any {
	var wallets []map[string]string
	for _, w := range sd.Wallets {
		wallets = append(wallets, map[string]string{"name": w.Name, "account": w.Account})
	}
	var shops []string
	for _, sh := range sd.Shops {
		shops = append(shops, sh.ID)
	}
	return map[string]any{"wallets": wallets, "shops": shops, "accessKey": sd.AccessKey()}
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
