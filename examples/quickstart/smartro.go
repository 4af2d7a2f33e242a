package main

import (
	"context"
	"fmt"
	"time"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/smartromock"
	"github.com/poskit/poskit/smartro"
)

// runSmartro orders at a table of the fake Order Agent: catalog, a postpaid order followed
// to the POS by the tracker, an additional order on the same table, and an order on a
// table the POS occupies, retried after a pause. Time is the fake's clock, moved by hand.
func runSmartro(ctx context.Context) error {
	var s step
	clk := mock.NewClock(time.Time{})
	agent := smartromock.NewServer(smartromock.WithClock(clk))
	defer agent.Close()
	// agent.Client() would be ready-made, but it skips retry pauses (for tests); here the
	// occupied-table pauses run on the fake clock so the output shows them.
	client, err := smartro.NewClient(agent.StoreID(), agent.ServiceID(),
		smartro.WithBaseURL(agent.URL()), smartro.WithHTTPClient(agent.HTTPClient()), smartro.WithClock(clk))
	if err != nil {
		return err
	}
	s.printf("fake Order Agent at %s (store %s)", agent.URL(), agent.StoreID())

	cat, err := smartro.NewCatalog(client, 24*time.Hour).Get(ctx)
	if err != nil {
		return err
	}
	items := 0
	for _, g := range cat.Menu.Groups {
		items += len(g.Items)
	}
	americano, _, _ := cat.Menu.Item(smartromock.ItemAmericano)
	s.printf("catalog: %d tables, %d menu groups, %d items (e.g. %s %d won)",
		len(cat.Tables), len(cat.Menu.Groups), items, americano.Name, americano.Price)

	transitions := make(chan smartro.Transition, 32)
	tracker, err := client.NewTracker(smartro.WithOnTransition(func(x smartro.Transition) { transitions <- x }))
	if err != nil {
		return err
	}
	defer tracker.Close()
	table := smartro.TableRef{FloorCode: cat.Tables[0].FloorCode, TableCode: cat.Tables[0].TableCode}

	first := &smartro.Order{MerchantOrderNo: "TAB-0001", Table: table, Lines: []smartro.OrderLine{
		{ItemID: americano.ID, Name: americano.Name, Price: americano.Price, Count: 2,
			AddOns: []smartro.LineAddOn{{ID: smartromock.AddOnShot, Name: "샷 추가", GroupCode: smartromock.GroupShot, Price: 500}}},
	}}
	if err := cat.Validate(first); err != nil {
		return err
	}
	state, ack, err := tracker.PlaceTableOrder(ctx, first)
	if err != nil {
		return err
	}
	s.printf("postpaid new order %s for %d won: %s (step 1), agent order %s", first.MerchantOrderNo, first.PayAmount(), state, ack.OrderNo)
	if err := follow(ctx, clk, transitions, &s, first.MerchantOrderNo, smartro.Delivered); err != nil {
		return err
	}

	more := &smartro.Order{MerchantOrderNo: "TAB-0002", Table: table, Lines: []smartro.OrderLine{
		{ItemID: smartromock.ItemCheesecake, Name: "치즈케이크", Price: 6500, Count: 1},
	}}
	state, ack2, err := tracker.PlaceTableOrder(ctx, more)
	if err != nil {
		return err
	}
	s.printf("the table has an open order, so %s goes as an additional order on %s: %s", more.MerchantOrderNo, ack2.OrgOrderNo, state)
	if err := follow(ctx, clk, transitions, &s, more.MerchantOrderNo, smartro.Delivered); err != nil {
		return err
	}
	if err := agent.POSComplete(ack.OrderNo); err != nil {
		return err
	}
	if err := agent.POSComplete(ack2.OrderNo); err != nil {
		return err
	}
	s.printf("the POS completes both orders")
	if err := follow(ctx, clk, transitions, &s, first.MerchantOrderNo, smartro.Succeeded); err != nil {
		return err
	}
	if err := follow(ctx, clk, transitions, &s, more.MerchantOrderNo, smartro.Succeeded); err != nil {
		return err
	}

	// The POS is taking a payment at another table: the agent answers "occupied".
	busy := smartro.TableRef{FloorCode: cat.Tables[1].FloorCode, TableCode: cat.Tables[1].TableCode}
	agent.StartPOSPayment(busy.FloorCode, busy.TableCode)
	third := &smartro.Order{MerchantOrderNo: "TAB-0003", Table: busy, Lines: []smartro.OrderLine{
		{ItemID: smartromock.ItemCroissant, Name: "크로와상", Price: 4000, Count: 1},
	}}
	done := make(chan error, 1)
	go func() {
		_, _, err := tracker.PlaceTableOrder(ctx, third)
		done <- err
	}()
	if err := follow(ctx, clk, transitions, &s, third.MerchantOrderNo, smartro.Occupied); err != nil {
		return err
	}
	agent.FinishPOSPayment(busy.FloorCode, busy.TableCode)
	s.printf("the POS payment ends; the SDK retries after its pause")
	if err := follow(ctx, clk, transitions, &s, third.MerchantOrderNo, smartro.Delivered); err != nil {
		return err
	}
	if err := <-done; err != nil {
		return err
	}
	s.printf("orders at the POS: %d, each exactly once", countInPOS(agent))
	return nil
}

// follow prints the transitions of order mcht until it reaches want, moving the fake
// clock whenever the SDK waits on it (a poll interval or a retry pause).
func follow(ctx context.Context, clk *mock.Clock, transitions <-chan smartro.Transition, s *step, mcht string, want smartro.OrderState) error {
	for {
		select {
		case x := <-transitions:
			if x.MerchantOrderNo != mcht {
				continue
			}
			s.printf("  %s: %s → %s at %s", mcht, x.From, x.To, x.At.Format("15:04:05"))
			if x.To == want {
				return nil
			}
			if x.To.IsTerminal() {
				return fmt.Errorf("%s ended %s, want %s", mcht, x.To, want)
			}
		case <-ctx.Done():
			return fmt.Errorf("%s: waiting for %s: %w", mcht, want, ctx.Err())
		default:
			parked, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
			if clk.WaitForWaiters(1, parked.Done()) {
				clk.Advance(time.Second)
			}
			cancel()
		}
	}
}

func countInPOS(agent *smartromock.Server) int {
	n := 0
	for _, o := range agent.Orders() {
		if o.InPOS() {
			n++
		}
	}
	return n
}
