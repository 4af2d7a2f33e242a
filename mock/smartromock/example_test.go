package smartromock_test

import (
	"context"
	"fmt"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/smartromock"
	"github.com/poskit/poskit/smartro"
)

// A test starts the fake agent, points a client at it, loses an order's answer on purpose
// and checks what reached the POS.
func Example() {
	ctx := context.Background()
	agent := smartromock.NewServer() // on its own fake clock; Close it when done
	defer agent.Close()
	client := agent.Client() // base URL, store ids, clock, no-sleep retries

	tables, _ := client.Tables(ctx)
	fmt.Println("tables:", len(tables))

	// Faults are named by the client's method names.
	_ = agent.Faults().Inject(smartromock.OpNewOrder, mock.Fault{Kind: mock.DropAnswer})
	order := &smartro.Order{
		MerchantOrderNo: "TAB-1",
		Table:           tables[0].Ref(),
		Lines:           []smartro.OrderLine{{ItemID: smartromock.ItemAmericano, Name: "아메리카노", Price: 4500, Count: 1}},
	}
	_, err := client.NewOrder(ctx, order)
	fmt.Println("lost:", smartro.IsLost(err)) // applied, answer dropped: never resend blindly

	agent.Clock().Advance(smartromock.DefaultDeliveryDelay)
	for _, o := range agent.Orders() {
		fmt.Println(o.MerchantOrderNo, "in POS:", o.InPOS())
	}
	// Output:
	// tables: 10
	// lost: true
	// TAB-1 in POS: true
}
