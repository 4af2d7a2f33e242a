package smartro_test

import (
	"context"
	"fmt"
	"time"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/smartromock"
	"github.com/poskit/poskit/smartro"
)

// A postpaid order placed at a table and followed by the tracker until the POS has it.
// The fake agent and the tracker share a fake clock, moved by hand.
func Example() {
	ctx := context.Background()
	clk := mock.NewClock(time.Time{})
	agent := smartromock.NewServer(smartromock.WithClock(clk))
	defer agent.Close()

	states := make(chan smartro.OrderState, 8)
	tracker, err := agent.Client().NewTracker(smartro.WithOnTransition(func(x smartro.Transition) { states <- x.To }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tracker.Close()

	order := &smartro.Order{
		MerchantOrderNo: "TAB-1", // the idempotency key: never reuse it for another basket
		Table:           smartro.TableRef{FloorCode: "1", TableCode: "01"},
		Lines:           []smartro.OrderLine{{ItemID: smartromock.ItemCafeLatte, Name: "카페라떼", Price: 5000, Count: 2}},
	}
	if _, _, err := tracker.PlaceTableOrder(ctx, order); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(<-states) // step 1: the agent's server accepted it

	clk.WaitForWaiters(1, ctx.Done()) // the tracker waits for its next poll
	clk.Advance(smartro.DefaultPollInterval)
	fmt.Println(<-states) // step 2, seen only by polling: the POS has it
	// Output:
	// Accepted
	// Delivered
}
