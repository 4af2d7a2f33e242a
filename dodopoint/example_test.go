package dodopoint_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/poskit/poskit/dodopoint"
)

// printProgram is a tiny assist program: it prints what it is asked to do.
type printProgram struct{ mu sync.Mutex }

func (p *printProgram) Claim(_ context.Context, req dodopoint.ClaimRequest) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Printf("program: claim %s, %d won\n", req.Sale.PaymentID, req.Sale.Total)
	return nil
}

func (p *printProgram) Cancel(_ context.Context, req dodopoint.CancelRequest) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Printf("program: cancel %s\n", req.PaymentID)
	return nil
}

func Example() {
	ctx := context.Background()
	store := dodopoint.NewMemoryStore() // OpenFile("…") in production: a bbolt file
	ob, err := dodopoint.NewOutbox(&printProgram{}, store)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ob.Close()

	paid := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("KST", 9*3600))
	sale := dodopoint.Sale{PaymentID: "POS1-0001", Total: 9000, PaidAt: paid, Items: []dodopoint.Item{
		{Name: "아메리카노", UnitPrice: 4500, Quantity: 2},
	}}
	if err := ob.Claim(ctx, sale); err != nil { // returns once on disk
		fmt.Println(err)
	}
	_ = ob.Claim(ctx, sale) // the same payment again: one claim
	_ = ob.Drain(ctx)

	if err := ob.Cancel(ctx, "POS1-0001"); err != nil {
		fmt.Println(err)
	}
	_ = ob.Drain(ctx)
	st, _ := ob.Status("POS1-0001")
	fmt.Println("claim:", st.Claim, "cancel:", st.Cancel)

	err = ob.Cancel(ctx, "POS1-9999")
	fmt.Println("never claimed:", dodopoint.IsNotClaimed(err))

	bad := sale
	bad.PaymentID, bad.Total = "POS1-0002", 8000 // items sum to 9000
	err = ob.Claim(ctx, bad)
	fmt.Println("invalid:", dodopoint.IsInvalidInput(err))
	// Output:
	// program: claim POS1-0001, 9000 won
	// program: cancel POS1-0001
	// claim: delivered cancel: delivered
	// never claimed: true
	// invalid: true
}
