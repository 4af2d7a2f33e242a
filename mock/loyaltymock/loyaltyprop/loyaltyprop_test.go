package loyaltyprop

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock/loyaltymock"
)

// referenceKiosk is a KIOSK that passes CheckKioskIntegration: it never
// resends an open or a close, learns the wallet's answer from the callback
// or by polling, and resolves a lost close answer by reading the payment.
func referenceKiosk(ctx context.Context, env KioskEnv, req loyalty.OpenNewPaymentInput) (bool, error) {
	p, err := env.Client.OpenNewPayment(ctx, req)
	if err != nil {
		// A lost open answer leaves a payment nobody approves for us to
		// close: the relay force-closes it unpaid. Never resend blindly.
		return false, err
	}
	if _, err := env.Waiter.Wait(ctx, p.ID, loyalty.LegNew); err != nil {
		// Denied, timed out or failed: make sure it cannot settle later.
		_, _ = env.Client.CloseNewPayment(ctx, p.ID, false)
		return false, err
	}
	cl, err := env.Client.CloseNewPayment(ctx, p.ID, true)
	if err != nil {
		// The answer may be lost after the close applied: read the truth.
		got, rerr := env.Client.Payment(ctx, p.ID)
		if rerr != nil {
			return false, errors.Join(err, rerr)
		}
		return got.Status == loyalty.StatusNewClosed, nil
	}
	return cl.Status == loyalty.StatusNewClosed, nil
}

func TestCheckKioskIntegrationReference(t *testing.T) {
	srv := loyaltymock.NewServer()
	defer srv.Close()
	var paid, unpaid atomic.Int64
	counting := func(ctx context.Context, env KioskEnv, req loyalty.OpenNewPaymentInput) (bool, error) {
		ok, err := referenceKiosk(ctx, env, req)
		if ok {
			paid.Add(1)
		} else {
			unpaid.Add(1)
		}
		return ok, err
	}
	rapid.Check(t, func(t *rapid.T) { CheckKioskIntegration(t, srv, counting) })
	if paid.Load() == 0 || unpaid.Load() == 0 {
		t.Fatalf("interleavings too narrow: %d paid, %d unpaid", paid.Load(), unpaid.Load())
	}
}

// naiveKiosk trusts the close answer and reports unpaid on any error: a
// lost close answer makes it wrong. The property must catch it.
func naiveKiosk(ctx context.Context, env KioskEnv, req loyalty.OpenNewPaymentInput) (bool, error) {
	p, err := env.Client.OpenNewPayment(ctx, req)
	if err != nil {
		return false, err
	}
	if _, err := env.Waiter.Wait(ctx, p.ID, loyalty.LegNew); err != nil {
		return false, err
	}
	cl, err := env.Client.CloseNewPayment(ctx, p.ID, true)
	if err != nil {
		return false, err
	}
	return cl.Status == loyalty.StatusNewClosed, nil
}

func TestCheckKioskIntegrationCatchesNaiveKiosk(t *testing.T) {
	srv := loyaltymock.NewServer()
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	req := loyalty.OpenNewPaymentInput{PurchaseID: "NAIVE-1", Amount: loyalty.FromWhole(100), Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account}
	if err := checkKiosk(srv, naiveKiosk, req, WalletBehaviour{DropCloseAnswer: true}); err == nil {
		t.Fatal("the property did not catch a kiosk that ignores a lost close answer")
	}
	req.PurchaseID = "NAIVE-2"
	if err := checkKiosk(srv, referenceKiosk, req, WalletBehaviour{DropCloseAnswer: true}); err != nil {
		t.Fatalf("reference kiosk: %v", err)
	}
}

func TestGenerators(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := GenAmount().Draw(t, "amount")
		back, err := loyalty.ParseAmount(a.String())
		if err != nil || !back.Eq(a) {
			t.Fatalf("amount %s does not round-trip: %v", a, err)
		}
		bad := GenInvalidAmount().Draw(t, "invalid")
		if _, err := loyalty.ParseAmount(bad); err == nil {
			t.Fatalf("%q parsed as an amount", bad)
		}
	})
}

// TestCheckKioskMovesTimeOnlyWhileParked: with a wallet that approves at once,
// the kiosk never waits for time to pass, so the property must not move the
// clock between its open and its close — not while a request is being
// dialled, written or read, nor while the kiosk is between two steps.
func TestCheckKioskMovesTimeOnlyWhileParked(t *testing.T) {
	srv := loyaltymock.NewServer()
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	for i := range 20 {
		var moved time.Duration
		timed := func(ctx context.Context, env KioskEnv, req loyalty.OpenNewPaymentInput) (bool, error) {
			start := env.Clock.Now()
			ok, err := naiveKiosk(ctx, env, req)
			moved = env.Clock.Now().Sub(start)
			return ok, err
		}
		req := loyalty.OpenNewPaymentInput{PurchaseID: fmt.Sprint("PARKED-", i), Amount: loyalty.FromWhole(1), Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account}
		if err := checkKiosk(srv, timed, req, WalletBehaviour{}); err != nil {
			t.Fatalf("purchase %d: %v", i, err)
		}
		if moved != 0 {
			t.Fatalf("purchase %d: the clock moved %v while the kiosk was working", i, moved)
		}
	}
}

// TestCheckKioskNaiveKioskCaughtEveryTime repeats the naive kiosk's lost
// close answer: every run must be caught (it was missed about 1 run in 10
// when the clock moved during the kiosk's first poll).
func TestCheckKioskNaiveKioskCaughtEveryTime(t *testing.T) {
	srv := loyaltymock.NewServer()
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	for i := range 40 {
		req := loyalty.OpenNewPaymentInput{PurchaseID: fmt.Sprint("NAIVE-LOOP-", i), Amount: loyalty.FromWhole(1), Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account}
		if err := checkKiosk(srv, naiveKiosk, req, WalletBehaviour{DropCloseAnswer: true}); err == nil {
			t.Fatalf("purchase %d: the property did not catch the naive kiosk", i)
		}
	}
}

// TestCheckKioskWaitOnEarlierChannel: a kiosk that receives from a timer
// channel it took before doing other work is not seen entering its wait; the
// property must still move time for it.
func TestCheckKioskWaitOnEarlierChannel(t *testing.T) {
	srv := loyaltymock.NewServer()
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	var waited time.Duration
	kiosk := func(ctx context.Context, env KioskEnv, req loyalty.OpenNewPaymentInput) (bool, error) {
		start := env.Clock.Now()
		later := env.Clock.After(3 * time.Second)
		if _, err := env.Client.Balance(ctx, req.Account); err != nil {
			return false, err
		}
		select {
		case <-later:
		case <-ctx.Done():
			return false, ctx.Err()
		}
		waited = env.Clock.Now().Sub(start)
		return false, nil
	}
	req := loyalty.OpenNewPaymentInput{PurchaseID: "EARLIER-1", Amount: loyalty.FromWhole(1), Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account}
	if err := checkKiosk(srv, kiosk, req, WalletBehaviour{}); err != nil {
		t.Fatal(err)
	}
	if waited < 3*time.Second {
		t.Fatalf("kiosk waited %v of fake time, want 3s", waited)
	}
}
