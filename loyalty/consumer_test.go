package loyalty_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock/loyaltymock"
)

// TestConsumerFortyPaymentsBackToBack is a KIOSK's test as a user writes it: the fake
// with its default wallet (approve at once), a callback receiver, and 40 payments opened,
// approved (Sync: the wallet answers when the test says so) and closed back to back. No
// run may fail: the wallet never races the close.
func TestConsumerFortyPaymentsBackToBack(t *testing.T) {
	ctx := context.Background()
	var (
		mu     sync.Mutex
		events []loyalty.CallbackEvent
	)
	kiosk := httptest.NewServer(loyalty.NewCallbackHandler(loyaltymock.DefaultAccessKey,
		func(_ context.Context, ev loyalty.CallbackEvent) error {
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
			return nil
		}))
	defer kiosk.Close()
	srv := loyaltymock.NewServer(loyaltymock.WithCallbackURL(kiosk.URL))
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	client := srv.Client()
	start := srv.Balance(alice.Account)
	spent := loyalty.Amount{}
	for i := range 40 {
		p, err := client.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{
			PurchaseID: fmt.Sprintf("ORDER-%03d", i), Amount: loyalty.FromWhole(12000), Currency: "krw",
			ShopID: seed.Shop().ID, Account: alice.Account,
		})
		if err != nil {
			t.Fatalf("payment %d: open: %v", i, err)
		}
		if err := srv.Sync(ctx); err != nil {
			t.Fatalf("payment %d: wallet: %v", i, err)
		}
		closed, err := client.CloseNewPayment(ctx, p.ID, true)
		if err != nil || closed.Status != loyalty.StatusNewClosed {
			t.Fatalf("payment %d: close: %v %v", i, closed, err)
		}
		spent, _ = spent.Add(closed.TotalPoint)
	}
	mu.Lock()
	n := len(events)
	mu.Unlock()
	if n != 40 {
		t.Fatalf("%d callbacks, want 40", n)
	}
	want, _ := start.Sub(spent)
	if got := srv.Balance(alice.Account); !got.Eq(want) || !spent.Eq(loyalty.FromWhole(40*12600)) {
		t.Fatalf("balance %s (spent %s), want %s", got.Decimal(), spent.Decimal(), want.Decimal())
	}
}
