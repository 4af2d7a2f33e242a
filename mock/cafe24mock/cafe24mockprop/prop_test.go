package cafe24mockprop_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/poskit/poskit/mock/cafe24mock/cafe24mockprop"
)

func TestExactlyOnce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cafe24mockprop.CheckExactlyOnce(t, cafe24mockprop.ScenarioGen(4, 25).Draw(t, "steps"))
	})
}

// A fixed scenario: every kind of fault and a crash after a lost answer, for one order.
func TestExactlyOnceFixed(t *testing.T) {
	c := cafe24mockprop.Credit
	cafe24mockprop.CheckExactlyOnce(t, []cafe24mockprop.Step{
		{Kind: cafe24mockprop.SendAndCrash, Order: 0, Lose: true},
		{Kind: c, Order: 0, Post: []cafe24mockprop.Fault{cafe24mockprop.Lost}},
		{Kind: c, Order: 1, Post: []cafe24mockprop.Fault{cafe24mockprop.Err500, cafe24mockprop.Err429, cafe24mockprop.Lost},
			Read: []cafe24mockprop.Fault{cafe24mockprop.Lost}},
		{Kind: cafe24mockprop.ExpireAccess},
		{Kind: c, Order: 2, Post: []cafe24mockprop.Fault{cafe24mockprop.Err503, cafe24mockprop.Err502}},
		{Kind: cafe24mockprop.Restart},
		{Kind: c, Order: 1},
	})
}
