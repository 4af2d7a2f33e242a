package smartroprop

import (
	"context"
	"fmt"
	"time"

	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/smartro"
)

// Placer is a partner's ordering flow under test: it sends o (postpaid, or prepaid with
// o.Settlement) through c, follows it, and returns nil once it knows the POS has it, or an
// error once it gives up (reported failed). Every order it sends for o must carry
// MCHT_ORDERNO o.MerchantOrderNo, or o.MerchantOrderNo + "-" + a suffix of its choice, so
// that the property can count the POS orders of each basket. It must return once ctx ends.
//
// While it waits, a Placer must be parked on the client's clock with a timer of its own
// (a tracker's poll, a pause): the driver moves the clock only when at least as many timers
// are armed as placers are running, so every placer has reacted to one step before the
// next (lock-step, reproducible). PlaceWithTracker (one tracker per basket) does this; a
// placer that waits without a timer of its own (and never returns) stalls the driver, which
// never consults real time: the test binary's -timeout reports it.
type Placer func(ctx context.Context, c *smartro.Client, o *smartro.Order) error

// PlaceWithTracker is the reference Placer: smartro.Tracker's PlaceTableOrder (postpaid)
// or NewOrder (prepaid), then Tracker.Wait. Delivered and then done/paid/cancelled on the
// POS is success. Expired, or refused (occupied, agent offline, business day closed, …),
// is tried again under the same MCHT_ORDERNO after pause on the client's clock, up to
// attempts times in all; a lost answer is never resent (the tracker resolves it).
func PlaceWithTracker(attempts int, pause time.Duration) Placer {
	return PlaceWithTrackerOpts(attempts, pause)
}

// PlaceWithTrackerOpts is PlaceWithTracker with options for the tracker it creates.
func PlaceWithTrackerOpts(attempts int, pause time.Duration, opts ...smartro.TrackerOption) Placer {
	return func(ctx context.Context, c *smartro.Client, o *smartro.Order) error {
		tr, err := c.NewTracker(opts...)
		if err != nil {
			return err
		}
		defer tr.Close()
		_, prepaid := o.Settlement.(smartro.Prepaid)
		var last error
		for a := 0; a < attempts; a++ {
			if a > 0 && !clockx.Sleep(c.Clock(), pause, ctx.Done()) {
				return ctx.Err()
			}
			var st smartro.OrderState
			var err error
			if prepaid {
				st, _, err = tr.NewOrder(ctx, o)
			} else {
				st, _, err = tr.PlaceTableOrder(ctx, o)
			}
			if st != smartro.Accepted && st != smartro.Unknown {
				if err == nil {
					err = fmt.Errorf("order ended %v", st)
				}
				last = err
				continue
			}
			st, err = tr.Wait(ctx, o.MerchantOrderNo)
			if err != nil {
				return err
			}
			switch st {
			case smartro.Succeeded, smartro.Cancelled:
				return nil
			}
			last = fmt.Errorf("order %s ended %v", o.MerchantOrderNo, st)
		}
		return fmt.Errorf("gave up after %d attempts: %w", attempts, last)
	}
}
