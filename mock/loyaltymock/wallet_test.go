package loyaltymock_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/loyaltymock"
)

// TestWalletActsOnlyWhenTold: with the default policy (approve at once) the wallet does
// nothing until Sync; a close right after the open therefore meets an unapproved payment
// every time (2030), never a race; after Sync it settles.
func TestWalletActsOnlyWhenTold(t *testing.T) {
	ctx := context.Background()
	srv := loyaltymock.NewServer()
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	c := srv.Client()
	for i := range 20 {
		p, err := c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: fmt.Sprint("W-", i),
			Amount: loyalty.FromWhole(10), Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CloseNewPayment(ctx, p.ID, true); !loyalty.IsCode(err, loyalty.CodeNotApprovedYet) {
			t.Fatalf("close before Sync: %v, want 2030", err)
		}
		if got, _ := srv.Payment(p.ID); got.Status != loyalty.StatusNewOpened {
			t.Fatalf("the wallet acted by itself: %s", got.Status)
		}
		if err := srv.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		closed, err := c.CloseNewPayment(ctx, p.ID, true)
		if err != nil || closed.Status != loyalty.StatusNewClosed {
			t.Fatalf("close after Sync: %v %v", closed, err)
		}
	}
	if n := len(srv.WalletAnswers()); n != 20 {
		t.Fatalf("%d scripted answers recorded, want 20", n)
	}
}

// TestWalletDelayRunsOnClockAdvance: ApproveAfter waits for the clock; an advance short of
// the delay changes nothing, one past it lets the wallet answer (Sync waits for it).
func TestWalletDelayRunsOnClockAdvance(t *testing.T) {
	ctx := context.Background()
	srv := loyaltymock.NewServer(loyaltymock.WithWalletPolicy(loyaltymock.ApproveAfter(10 * time.Second)))
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	p, err := srv.Client().OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "D-1",
		Amount: loyalty.FromWhole(10), Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account})
	if err != nil {
		t.Fatal(err)
	}
	srv.Clock().Advance(9 * time.Second)
	if err := srv.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.Payment(p.ID); got.Status != loyalty.StatusNewOpened {
		t.Fatalf("approved before its delay: %s", got.Status)
	}
	srv.Clock().Advance(time.Second)
	if err := srv.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.Payment(p.ID); got.Status != loyalty.StatusNewReported {
		t.Fatalf("not approved after its delay: %s", got.Status)
	}
}

// TestScriptedWalletLateAnswerIsRecorded: an answer after the 45 s window is the relay's
// 7000 verdict: recorded in WalletAnswers, not a Sync failure.
func TestScriptedWalletLateAnswerIsRecorded(t *testing.T) {
	ctx := context.Background()
	srv := loyaltymock.NewServer(loyaltymock.WithWalletPolicy(loyaltymock.ApproveAfter(50 * time.Second)))
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	if _, err := srv.Client().OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "L-1",
		Amount: loyalty.FromWhole(10), Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account}); err != nil {
		t.Fatal(err)
	}
	srv.Clock().Advance(time.Minute)
	if err := srv.Sync(ctx); err != nil {
		t.Fatalf("a relay verdict is not a Sync failure: %v", err)
	}
	ans := srv.WalletAnswers()
	if len(ans) != 1 || !loyalty.IsTimeout(ans[0].Err) {
		t.Fatalf("answers %+v, want one 7000", ans)
	}
}

// TestScriptedWalletFailureReturnedBySync: an answer whose relay reply is lost is not
// dropped: Sync returns it.
func TestScriptedWalletFailureReturnedBySync(t *testing.T) {
	ctx := context.Background()
	srv := loyaltymock.NewServer()
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	if _, err := srv.Client().OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "F-1",
		Amount: loyalty.FromWhole(10), Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account}); err != nil {
		t.Fatal(err)
	}
	srv.Faults().MustInject("ApproveNewPayment", mock.Fault{Kind: mock.DropAnswer})
	err := srv.Sync(ctx)
	if err == nil || !loyalty.IsLost(err) {
		t.Fatalf("Sync = %v, want the lost approval", err)
	}
	if err := srv.Sync(ctx); err != nil {
		t.Fatalf("a failure is returned once: %v", err)
	}
}

// TestScriptedWalletTwoAnswersOneAccount: two payments of one account answered by the
// scripted wallet in the same Sync both go through (each signs with its own nonce).
func TestScriptedWalletTwoAnswersOneAccount(t *testing.T) {
	ctx := context.Background()
	srv := loyaltymock.NewServer()
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	c := srv.Client()
	var ids []string
	for i := range 8 {
		p, err := c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: fmt.Sprint("N-", i),
			Amount: loyalty.FromWhole(10), Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	if err := srv.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, a := range srv.WalletAnswers() {
		if a.Err != nil {
			t.Errorf("answer for %s: %v", a.PaymentID, a.Err)
		}
	}
	for _, id := range ids {
		if got, _ := srv.Payment(id); got.Status != loyalty.StatusNewReported {
			t.Errorf("%s is %s, want approved", id, got.Status)
		}
	}
	if n := srv.Nonce(alice.Account); n != 8 {
		t.Fatalf("nonce %d, want 8", n)
	}
}

// TestConcurrentCyclesOneFake: 200 goroutines open, approve and close payments of one
// account on one fake at once: no error, exact balances, nonces and shop figures. Every
// approval of the account is one signature with the next nonce, so they are serialised:
// 200 × 20 cycles take about 2.5 s; under -race, where secp256k1 runs about fifteen times
// slower (38 s for 200 × 20), the test runs 200 × 3.
func TestConcurrentCyclesOneFake(t *testing.T) {
	goroutines, cycles := 200, 20
	if raceEnabled {
		cycles = 3
	}
	if testing.Short() {
		goroutines, cycles = 50, 2
	}
	ctx := context.Background()
	srv := loyaltymock.NewServer(loyaltymock.WithWalletPolicy(loyaltymock.Ignore))
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	shop := seed.Shop()
	c := srv.Client()
	start := srv.Balance(alice.Account)
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*cycles)
	for g := range goroutines {
		wg.Go(func() {
			for i := range cycles {
				p, err := c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: fmt.Sprintf("G%d-%d", g, i),
					Amount: loyalty.FromWhole(1), Currency: "krw", ShopID: shop.ID, Account: alice.Account})
				if err != nil {
					errs <- fmt.Errorf("open: %w", err)
					continue
				}
				if err := srv.Approve(p.ID); err != nil {
					errs <- fmt.Errorf("approve: %w", err)
					continue
				}
				if cl, err := c.CloseNewPayment(ctx, p.ID, true); err != nil || cl.Status != loyalty.StatusNewClosed {
					errs <- fmt.Errorf("close: %v %v", cl, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	n := 0
	for err := range errs {
		if n++; n <= 5 {
			t.Error(err)
		}
	}
	if n > 0 {
		t.Fatalf("%d of %d cycles failed", n, goroutines*cycles)
	}
	total := uint64(goroutines * cycles)
	// 1 KRW costs 1 point + a 5 % fee of 0.05 point.
	spent := loyalty.FromBaseUnits(1_050_000_000_000_000_000)
	want := start
	for range total {
		want, _ = want.Sub(spent)
	}
	if got := srv.Balance(alice.Account); !got.Eq(want) {
		t.Fatalf("balance %s, want %s", got.Decimal(), want.Decimal())
	}
	if got := srv.Nonce(alice.Account); got != total {
		t.Fatalf("nonce %d, want %d", got, total)
	}
	st, _ := srv.ShopState(shop.ID)
	if !st.UsedPoint.Eq(loyalty.FromWhole(total)) {
		t.Fatalf("shop used %s points, want %d", st.UsedPoint.Decimal(), total)
	}
}
