package smartro

import (
	"context"
	"testing"
)

// A prepaid order handed to the postpaid flow is bad input: refused before it is tracked,
// with no transition reported and nothing sent.
func TestTrackerPlaceTableOrderRefusesPrepaidUntracked(t *testing.T) {
	var transitions int
	agent := &countingAgent{}
	tr := mustTracker(agent, WithOnTransition(func(Transition) { transitions++ }))
	defer tr.Close()
	o := validPrepaid()
	_, _, err := tr.PlaceTableOrder(context.Background(), o)
	if !IsInvalidInput(err) {
		t.Fatalf("err = %v, want invalid input", err)
	}
	if transitions != 0 || tr.Len() != 0 || agent.calls != 0 {
		t.Errorf("transitions %d, tracked %d, agent calls %d; want none", transitions, tr.Len(), agent.calls)
	}
	if _, known := tr.State(o.MerchantOrderNo); known {
		t.Error("the refused order is tracked")
	}
}

// countingAgent is an OrderAgent that counts calls and answers nothing useful.
type countingAgent struct{ calls int }

func (a *countingAgent) TableOrders(context.Context, string, string) ([]LiveOrder, error) {
	a.calls++
	return nil, nil
}

func (a *countingAgent) NewOrder(context.Context, *Order) (*OrderAck, error) {
	a.calls++
	return &OrderAck{OrderNo: "1"}, nil
}

func (a *countingAgent) AdditionalOrder(context.Context, string, *Order) (*OrderAck, error) {
	a.calls++
	return &OrderAck{OrderNo: "1"}, nil
}
