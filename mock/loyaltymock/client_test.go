package loyaltymock

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/benchx"
	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
)

// eventSink is a loyalty.CallbackHandler on a loopback server that hands the
// events to the test.
type eventSink struct {
	*httptest.Server
	events chan loyalty.CallbackEvent
}

func newEventSink(t testing.TB, key string) *eventSink {
	s := &eventSink{events: make(chan loyalty.CallbackEvent, 16)}
	h := loyalty.NewCallbackHandler(key, func(_ context.Context, ev loyalty.CallbackEvent) error {
		s.events <- ev
		return nil
	})
	s.Server = httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func (s *eventSink) next(t testing.TB, ctx context.Context) loyalty.CallbackEvent {
	t.Helper()
	select {
	case ev := <-s.events:
		return ev
	case <-ctx.Done():
		t.Fatal("no callback arrived")
	}
	return loyalty.CallbackEvent{}
}

// TestClientFullFlow drives the whole flow through loyalty.Client with both
// route sets: balance, info, shop info, openNew, the user's approval (signed
// with the client's ChainID/Nonce), the callback into a CallbackHandler,
// closeNew, openCancel, the owner's approval, closeCancel.
func TestClientFullFlow(t *testing.T) {
	for name, rs := range routeSets() {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			srv := NewServer(WithWalletPolicy(Ignore))
			defer srv.Close()
			seed := srv.Seed()
			sink := newEventSink(t, seed.AccessKey())
			srv.SetCallbackURL(sink.URL)
			c := srv.Client(loyalty.WithRouteSet(rs.Set))
			alice, _ := seed.Wallet(Alice)
			owner, _ := seed.Wallet(Owner)

			bal, err := c.Balance(ctx, alice.Account)
			if err != nil || !bal.Balance.Eq(alice.Balance) {
				t.Fatalf("Balance = %+v, %v", bal, err)
			}
			price := loyalty.FromWhole(20_000)
			info, err := c.PaymentInfo(ctx, alice.Account, price, "krw")
			if err != nil || info.TotalPoint.String() != "21000000000000000000000" {
				t.Fatalf("PaymentInfo = %+v, %v", info, err)
			}
			if si, err := c.ShopInfo(ctx, seed.Shop().ID); err != nil || si.Name != seed.Shop().Name {
				t.Fatalf("ShopInfo = %+v, %v", si, err)
			}
			p, err := c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "CL-1", Amount: price, Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account})
			if err != nil || p.Status != loyalty.StatusNewOpened {
				t.Fatalf("OpenNewPayment = %+v, %v", p, err)
			}

			// The wallet app: sign with the chain id and nonce it reads from the relay.
			chainID, err := c.ChainID(ctx)
			if err != nil {
				t.Fatal(err)
			}
			nonce, err := c.Nonce(ctx, alice.Account)
			if err != nil {
				t.Fatal(err)
			}
			sig, err := loyalty.SignNewPayment(alice.Key, loyalty.NewPaymentMessage{PaymentID: p.ID, PurchaseID: p.PurchaseID,
				Amount: p.Amount, Currency: p.Currency, ShopID: p.ShopID, Account: p.Account, ChainID: chainID, Nonce: nonce})
			if err != nil {
				t.Fatal(err)
			}
			if ap, err := c.ApproveNewPayment(ctx, p.ID, sig); err != nil || ap.Status != loyalty.StatusNewApprovalSent {
				t.Fatalf("ApproveNewPayment = %+v, %v", ap, err)
			}
			ev := sink.next(t, ctx)
			if ev.Leg != loyalty.LegNew || ev.Outcome != loyalty.OutcomeApproved || ev.Payment.ID != p.ID {
				t.Fatalf("callback %+v", ev)
			}
			if _, err := c.ApproveNewPayment(ctx, p.ID, sig); !loyalty.IsCode(err, loyalty.CodeAlreadyApproved) {
				t.Fatalf("second approval: %v", err)
			}
			cl, err := c.CloseNewPayment(ctx, p.ID, true)
			if err != nil || cl.Status != loyalty.StatusNewClosed {
				t.Fatalf("CloseNewPayment = %+v, %v", cl, err)
			}
			after, _ := c.Balance(ctx, alice.Account)
			if want, _ := alice.Balance.Sub(info.TotalPoint); !after.Balance.Eq(want) {
				t.Fatalf("balance after close %s, want %s", after.Balance, want)
			}

			oc, err := c.OpenCancelPayment(ctx, p.ID)
			if err != nil || oc.Status != loyalty.StatusCancelOpened {
				t.Fatalf("OpenCancelPayment = %+v, %v", oc, err)
			}
			on, _ := c.Nonce(ctx, owner.Account)
			csig, _ := loyalty.SignCancel(owner.Key, loyalty.CancelMessage{PaymentID: p.ID, PurchaseID: p.PurchaseID, Signer: owner.Account, ChainID: chainID, Nonce: on})
			if _, err := c.ApproveCancelPayment(ctx, p.ID, csig); err != nil {
				t.Fatal(err)
			}
			if ev := sink.next(t, ctx); ev.Leg != loyalty.LegCancel || ev.Outcome != loyalty.OutcomeApproved {
				t.Fatalf("cancel callback %+v", ev)
			}
			cc, err := c.CloseCancelPayment(ctx, p.ID, true)
			if err != nil || cc.Status != loyalty.StatusCancelClosed {
				t.Fatalf("CloseCancelPayment = %+v, %v", cc, err)
			}
			if b, _ := c.Balance(ctx, alice.Account); !b.Balance.Eq(alice.Balance) {
				t.Fatalf("balance after refund %s", b.Balance)
			}
			got, err := c.Payment(ctx, p.ID)
			if err != nil || got.Status != loyalty.StatusCancelClosed || got.CancelClosedAt.IsZero() {
				t.Fatalf("Payment = %+v, %v", got, err)
			}
		})
	}
}

// TestClientWithScriptedWalletAndWaiter: the scripted wallet approves after
// 5 s on the shared clock; the KIOSK waits with PaymentWaiter fed by the
// CallbackHandler, then closes.
func TestClientWithScriptedWalletAndWaiter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	clk := mock.NewClock(time.Time{})
	srv := NewServer(WithClock(clk), WithWalletPolicy(ApproveAfter(5*time.Second)))
	defer srv.Close()
	seed := srv.Seed()
	c := srv.Client(loyalty.WithRouteSet(loyalty.RouteSetRelay))
	waiter := loyalty.NewPaymentWaiter(c, loyalty.WithWaiterPoll(loyalty.RetryPolicy{Initial: time.Minute, Max: time.Minute}))
	h := loyalty.NewCallbackHandler(seed.AccessKey(), func(_ context.Context, ev loyalty.CallbackEvent) error {
		waiter.Notify(ev)
		return nil
	})
	kiosk := httptest.NewServer(h)
	defer kiosk.Close()
	srv.SetCallbackURL(kiosk.URL)
	alice, _ := seed.Wallet(Alice)
	p, err := c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "W-1", Amount: loyalty.FromWhole(100), Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := waiter.Wait(ctx, p.ID, loyalty.LegNew)
		done <- err
	}()
	// The fake's wallet timer and the waiter's poll timer.
	if !clk.WaitForWaiters(2, ctx.Done()) {
		t.Fatal("timers not armed")
	}
	clk.Advance(5 * time.Second)
	if err := srv.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if cl, err := c.CloseNewPayment(ctx, p.ID, true); err != nil || cl.Status != loyalty.StatusNewClosed {
		t.Fatalf("close %+v %v", cl, err)
	}
}

// BenchmarkClientCall compares loyalty.Client.Balance against a hand-written
// net/http + encoding/json call of the same endpoint on the same fake.
// Metric sdk/hand is the time ratio (target ≤ 1.10).
func BenchmarkClientCall(b *testing.B) {
	srv := NewServer(WithWalletPolicy(Ignore))
	defer srv.Close()
	alice, _ := srv.Seed().Wallet(Alice)
	ctx := context.Background()
	hc := srv.HTTPClient()
	c := srv.Client(loyalty.WithHTTPClient(hc))
	u := srv.URL() + documentRoutes().UserBalance + "?account=" + alice.Account
	hand := func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", srv.Seed().AccessKey())
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		var env struct {
			Code int                 `json:"code"`
			Data loyaltywire.Balance `json:"data"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return err
		}
		_, err = loyalty.ParseAmount(string(env.Data.Balance))
		return err
	}
	viaClient := func() error {
		_, err := c.Balance(ctx, alice.Account)
		return err
	}
	benchx.CompareCalls(b, hand, viaClient, srv.Recorder().Reset)
}
