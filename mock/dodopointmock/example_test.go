package dodopointmock_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/poskit/poskit/dodopoint"
	"github.com/poskit/poskit/mock/dodopointmock"
)

// A sale is claimed through a durable outbox while the assist program is down; it is
// delivered once the program is back.
func Example() {
	srv := dodopointmock.NewServer()
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "dodopoint")
	defer os.RemoveAll(dir)

	ob, err := srv.Outbox(filepath.Join(dir, "outbox"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ob.Close()
	ctx := context.Background()

	srv.Down() // the tablet program is closed: its port refuses connections
	sale := dodopoint.Sale{PaymentID: "POS1-000123", Total: 12000, PaidAt: time.Date(2026, 5, 5, 9, 0, 0, 0, time.UTC)}
	if err := ob.Claim(ctx, sale); err != nil { // returns once the claim is on disk
		fmt.Println(err)
		return
	}
	st, _ := ob.Status("POS1-000123")
	fmt.Println("while down:", st.Claim)

	srv.Up()
	// The outbox retries on the fake's clock: each time it is parked there, move the clock.
	finished := make(chan struct{})
	var drainErr error
	go func() { drainErr = ob.Drain(ctx); close(finished) }()
	for i := 0; i < 100 && srv.Clock().WaitForWaiters(1, finished); i++ {
		srv.Clock().Advance(30 * time.Second)
	}
	<-finished
	if drainErr != nil {
		fmt.Println(drainErr)
		return
	}
	st, _ = ob.Status("POS1-000123")
	p, _ := srv.Payment("POS1-000123")
	fmt.Println("after up:", st.Claim)
	fmt.Printf("program: %d points offered, offer %s, %d credited\n", p.Points, p.Offer, p.Credited)
	// Output:
	// while down: queued
	// after up: delivered
	// program: 120 points offered, offer accepted, 120 credited
}
