package smartromock

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/smartro"
)

// polls moves the clock n poll intervals, each once the tracker is parked on it, and then
// waits until the tracker has parked again (its last lookup applied). It stops early when
// the tracker has nothing left to poll.
func polls(t *testing.T, clk *mock.Clock, tr *smartro.Tracker, n int) {
	t.Helper()
	for i := 0; i <= n; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		idle := make(chan struct{})
		go func() { // the tracker parks without a timer once nothing is in flight
			tk := time.NewTicker(time.Millisecond)
			defer tk.Stop()
			for tr.Len() > 0 {
				select {
				case <-ctx.Done():
					return
				case <-tk.C:
				}
			}
			close(idle)
		}()
		stop := make(chan struct{})
		go func() {
			select {
			case <-ctx.Done():
			case <-idle:
			}
			close(stop)
		}()
		ok := clk.WaitForWaiters(1, stop)
		cancel()
		if !ok {
			select {
			case <-idle:
				return
			default:
			}
			t.Fatal("the tracker never parked on the clock")
		}
		if i < n {
			clk.Advance(smartro.DefaultPollInterval)
		}
	}
}

// Found by the audit: the table lookup lists only the latest 10 orders, but the tracker took
// "not listed" for "not delivered". With 11 orders on one table within a poll interval the
// first one — delivered to the POS — was pushed out of the lookup, reported Expired, and
// CanReorder said yes: ordering the basket again would have put it in the POS twice.
func TestTrackerElevenOrdersOnOneTable(t *testing.T) {
	for _, rushDelivered := range []bool{true, false} {
		t.Run(fmt.Sprintf("others delivered=%v", rushDelivered), func(t *testing.T) {
			s, clk, c, tr, log := newFlow(t)
			ctx := context.Background()
			st, ack, err := tr.NewOrder(ctx, basket("R0", t1))
			if err != nil || st != smartro.Accepted {
				t.Fatal(st, err)
			}
			// Ten more orders on the same table from another tablet, 2 s later (before the
			// first poll): they leave the lookup, if ever, only after R0's 60 s deadline.
			clk.Advance(2 * time.Second)
			for i := 1; i <= 10; i++ {
				mcht := fmt.Sprintf("R%d", i)
				if !rushDelivered {
					s.SetDeliveryDelay(mcht, 2*Expiry) // never delivered: listed 60 s, then dropped
				}
				if _, err := c.NewOrder(ctx, basket(mcht, t1)); err != nil {
					t.Fatal(err)
				}
			}
			clk.Advance(3 * time.Second) // the first poll, at 5 s; then every 5 s
			polls(t, clk, tr, 0)
			list, err := c.TableOrders(ctx, t1.FloorCode, t1.TableCode)
			if err != nil || len(list) != TableLookupLimit {
				t.Fatalf("lookup: %d entries, %v", len(list), err)
			}
			for _, o := range list {
				if o.MerchantOrderNo == "R0" {
					t.Fatal("R0 is still listed: the case is not reproduced")
				}
			}
			if o, _ := s.Order(ack.OrderNo); !o.InPOS() {
				t.Fatalf("R0 not on the POS: %+v", o)
			}
			if rushDelivered {
				// The table stays full: R0 can be proven neither delivered nor dropped. It
				// stays Accepted long past its deadline and may not be ordered again.
				polls(t, clk, tr, 40) // 200 s
				if st, _ := tr.State("R0"); st != smartro.Accepted || tr.CanReorder("R0") {
					path, _ := log.path("R0")
					t.Fatalf("R0 is %v (%s), CanReorder %v; the POS has it", st, path, tr.CanReorder("R0"))
				}
				return
			}
			// The poll at 60 s still sees a full lookup (the others drop out at 62 s): R0 does
			// not expire; the next lookup is no longer full and shows R0 delivered.
			drive(t, clk, log.reached("R0", smartro.Delivered), 20)
			if err := s.POSComplete(ack.OrderNo); err != nil {
				t.Fatal(err)
			}
			drive(t, clk, log.reached("R0", smartro.Succeeded), 3)
			if path, _ := log.path("R0"); path != "Submitted>Accepted>Delivered>Succeeded" || tr.CanReorder("R0") {
				t.Fatalf("R0: %s", path)
			}
		})
	}
}
