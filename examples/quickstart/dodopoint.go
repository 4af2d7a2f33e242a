package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/poskit/poskit/dodopoint"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/dodopointmock"
)

// runDodopoint sets Dodopoint points from sales through the durable outbox and the HTTP
// transport to the fake assist program: a sale claimed, the program down, sales queued on
// disk, a cancel before delivery (the claim is never sent) and one after, the program
// back, everything delivered in order. Retry
// pauses run on the fake's clock, moved by hand.
func runDodopoint(ctx context.Context) error {
	var s step
	dir, err := os.MkdirTemp("", "poskit-dodopoint")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	program := dodopointmock.NewServer()
	defer program.Close()
	clk := program.Clock()
	path := filepath.Join(dir, "dodopoint.outbox")
	// program.Outbox(path) is the same as dodopoint.OpenFile(path,
	// dodopoint.NewHTTPTransport(program.URL()), dodopoint.WithClock(clk)).
	ob, err := program.Outbox(path)
	if err != nil {
		return err
	}
	defer ob.Close()
	s.printf("fake assist program at %s; outbox %s", program.URL(), filepath.Base(path))

	at := clk.Now()
	first := dodopoint.Sale{PaymentID: "POS1-0001", Total: 12000, PaidAt: at,
		Items: []dodopoint.Item{{Name: "아메리카노", UnitPrice: 4000, Quantity: 3}}}
	if err := ob.Claim(ctx, first); err != nil {
		return err
	}
	if err := drainOn(ctx, ob, clk); err != nil {
		return err
	}
	p, _ := program.Payment(first.PaymentID)
	s.printf("sale %s (%d won) claimed: %s; tablet offered %d points, customer %s",
		first.PaymentID, first.Total, state(ob, first.PaymentID), p.Points, p.Offer)

	program.Down()
	s.printf("assist program closed: its port refuses connections")
	for i, total := range []int64{4500, 8000, 3000} {
		sale := dodopoint.Sale{PaymentID: fmt.Sprintf("POS1-%04d", i+2), Total: total, PaidAt: at.Add(time.Duration(i+1) * time.Minute)}
		if err := ob.Claim(ctx, sale); err != nil { // on disk; never waits for the program
			return err
		}
		s.printf("sale %s (%d won): Claim returned at once, %s", sale.PaymentID, sale.Total, state(ob, sale.PaymentID))
	}
	if err := ob.Cancel(ctx, "POS1-0003"); err != nil {
		return err
	}
	s.printf("payment POS1-0003 cancelled on the POS before delivery: claim %s", state(ob, "POS1-0003"))
	if err := ob.Cancel(ctx, first.PaymentID); err != nil {
		return err
	}
	st, _ := ob.Status(first.PaymentID)
	s.printf("payment %s (already delivered) cancelled: the cancel is %s", first.PaymentID, st.Cancel)
	s.printf("%d operations queued while the program is down", ob.Queued())

	if err := program.Up(); err != nil {
		return err
	}
	s.printf("assist program back")
	if err := drainOn(ctx, ob, clk); err != nil {
		return err
	}
	var order []string
	for _, a := range program.History() {
		order = append(order, strings.ToLower(a.Op)+" "+a.PaymentID)
	}
	s.printf("delivered in order: %s", strings.Join(order, ", "))
	for _, id := range []string{"POS1-0002", "POS1-0003", "POS1-0004"} {
		_, reached := program.Payment(id)
		s.printf("  %s: %s (reached the program: %v)", id, state(ob, id), reached)
	}
	p, _ = program.Payment(first.PaymentID)
	s.printf("  %s: points voided by the program: cancelled %v, %d credited", first.PaymentID, p.Cancelled, p.Credited)
	return nil
}

func state(ob *dodopoint.Outbox, id string) dodopoint.State {
	st, _ := ob.Status(id)
	return st.Claim
}

// drainOn waits until the outbox has delivered everything, moving the fake clock whenever
// the delivery loop pauses between retries.
func drainOn(ctx context.Context, ob *dodopoint.Outbox, clk *mock.Clock) error {
	done := make(chan error, 1)
	go func() { done <- ob.Drain(ctx) }()
	for {
		select {
		case err := <-done:
			return err
		default:
			parked, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
			if clk.WaitForWaiters(1, parked.Done()) {
				clk.Advance(time.Minute)
			}
			cancel()
		}
	}
}
