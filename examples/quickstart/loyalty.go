package main

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock/loyaltymock"
)

// runLoyalty pays 12,000 KRW with loyalty points on the fake relay, then cancels it:
// balance, estimate, open, wallet approval, callback, close, cancel, owner approval.
func runLoyalty(ctx context.Context) error {
	var s step

	// The KIOSK's callback endpoint: the relay POSTs each leg's outcome here once.
	events := make(chan loyalty.CallbackEvent, 4)
	var waiter *loyalty.PaymentWaiter
	kiosk := httptest.NewServer(loyalty.NewCallbackHandler(loyaltymock.DefaultAccessKey,
		func(_ context.Context, ev loyalty.CallbackEvent) error {
			waiter.Notify(ev)
			events <- ev
			return nil
		}))
	defer kiosk.Close()

	// The fake relay. Its wallet acts only when the test says so: here relay.Approve
	// below (or relay.Sync(ctx) for a scripted wallet), so nothing races the close.
	relay := loyaltymock.NewServer(loyaltymock.WithCallbackURL(kiosk.URL),
		loyaltymock.WithWalletPolicy(loyaltymock.Ignore))
	defer relay.Close()
	seed := relay.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	shop := seed.Shop()
	client := relay.Client() // the document's routes; loyalty.WithRouteSet(loyalty.RouteSetRelay) for the relay's
	waiter = loyalty.NewPaymentWaiter(client)
	s.printf("fake relay at %s, kiosk callback at %s", relay.URL(), kiosk.URL)

	bal, err := client.Balance(ctx, alice.Account)
	if err != nil {
		return err
	}
	s.printf("balance of %s: %s points", short(alice.Account), bal.Balance.Decimal())

	price := loyalty.FromWhole(12000) // 12,000 KRW (FromBaseUnits counts 10⁻¹⁸ units)
	est, err := loyalty.EstimatePayment(price, "krw", loyalty.DefaultRates())
	if err != nil {
		return err
	}
	s.printf("offline estimate for 12,000 KRW: paid %s + fee %s = %s points",
		est.PaidPoint.Decimal(), est.FeePoint.Decimal(), est.TotalPoint.Decimal())
	info, err := client.PaymentInfo(ctx, alice.Account, price, "krw")
	if err != nil {
		return err
	}
	s.printf("relay estimate agrees: total %s points (balance %s)", info.TotalPoint.Decimal(), info.Balance.Decimal())

	p, err := client.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{
		PurchaseID: "ORDER-0001", Amount: price, Currency: "krw", ShopID: shop.ID, Account: alice.Account,
	})
	if err != nil {
		return err
	}
	s.printf("openNew: payment %s is %s", short(p.ID), p.Status)

	// The user's wallet app approves: a real secp256k1 signature over the payment.
	if err := relay.Approve(p.ID); err != nil {
		return err
	}
	s.printf("wallet app of %s signs and approves (nonce now %d)", short(alice.Account), relay.Nonce(alice.Account))
	ev, err := next(ctx, events)
	if err != nil {
		return err
	}
	s.printf("callback: %s leg %s (code %d)", ev.Leg, ev.Outcome, ev.Code)
	decided, err := waiter.Wait(ctx, p.ID, loyalty.LegNew)
	if err != nil {
		return err
	}
	s.printf("waiter: payment is %s", decided.Status)

	closed, err := client.CloseNewPayment(ctx, p.ID, true)
	if err != nil {
		return err
	}
	after, err := client.Balance(ctx, alice.Account)
	if err != nil {
		return err
	}
	s.printf("closeNew: %s; balance now %s points", closed.Status, after.Balance.Decimal())

	// The cancel leg: the KIOSK opens it, the shop owner approves, the KIOSK closes it.
	c, err := client.OpenCancelPayment(ctx, p.ID)
	if err != nil {
		return err
	}
	s.printf("openCancel: %s", c.Status)
	if err := relay.ApproveCancel(p.ID); err != nil {
		return err
	}
	s.printf("shop owner %s signs and approves the cancel", short(shop.Owner))
	if ev, err = next(ctx, events); err != nil {
		return err
	}
	s.printf("callback: %s leg %s (code %d)", ev.Leg, ev.Outcome, ev.Code)
	refunded, err := client.CloseCancelPayment(ctx, p.ID, true)
	if err != nil {
		return err
	}
	after, err = client.Balance(ctx, alice.Account)
	if err != nil {
		return err
	}
	s.printf("closeCancel: %s; balance back to %s points", refunded.Status, after.Balance.Decimal())
	if !after.Balance.Eq(bal.Balance) {
		return fmt.Errorf("balance %s after the refund, want %s", after.Balance, bal.Balance)
	}
	return nil
}

// next returns the next callback the KIOSK received, or fails when ctx ends first.
func next(ctx context.Context, events <-chan loyalty.CallbackEvent) (loyalty.CallbackEvent, error) {
	select {
	case ev := <-events:
		return ev, nil
	case <-ctx.Done():
		return loyalty.CallbackEvent{}, fmt.Errorf("no callback: %w", ctx.Err())
	}
}

// short abbreviates a 0x… id for display.
func short(id string) string {
	if len(id) <= 12 {
		return id
	}
	return id[:8] + "…" + id[len(id)-4:]
}
