package smartroprop

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/smartromock"
	"github.com/poskit/poskit/smartro"
	"pgregory.net/rapid"
)

// CheckExactlyOnce is the exactly-once property of an ordering flow: under any mix of
// occupied tables, POS payments, lost and garbled answers, delivery delays up to and
// beyond 60 s, refused deliveries, agent restarts and outages (GenScenario), every basket
// ends in the POS exactly once when place reports success, and not at all when it reports
// failure — never twice, never silently lost, never delivered after being reported failed.
// newServer builds the fake from the options the property passes (it may add its own);
// place is the flow under test (see Placer and PlaceWithTracker).
//
//	rapid.Check(t, func(t *rapid.T) {
//		smartromock.CheckExactlyOnce(t, smartromock.NewServer, smartromock.PlaceWithTracker(4, 5*time.Second))
//	})
func CheckExactlyOnce(t *rapid.T, newServer func(...smartromock.Option) *smartromock.Server, place Placer) {
	sc := GenScenario().Draw(t, "scenario")
	if err := RunScenario(sc, newServer, place); err != nil {
		t.Fatal(err)
	}
}

// MaxScenarioTime bounds a RunScenario on the fake clock: placers still running then are a
// failure (liveness).
const MaxScenarioTime = 30 * time.Minute

// scenarioStep is how far the driver moves the clock at most in one step.
const scenarioStep = smartro.DefaultPollInterval

// RunScenario runs sc against a fresh server from newServer with place, and returns an
// error describing the first violation of the exactly-once property, or nil. The server
// runs on its own fake clock; the driver moves it in steps of at most 5 s whenever every
// running placer is parked on it (see Placer), applies sc's events at their times, holds
// every answer for sc.AnswerLatency, and plays the kitchen: every
// delivered order still received is marked done (SMRO000069) at the next step. When every
// placer has returned, the clock moves 2 minutes further before the POS is counted, so an
// order still pending would have been delivered or dropped.
func RunScenario(sc Scenario, newServer func(...smartromock.Option) *smartromock.Server, place Placer) error {
	clk := mock.NewClock(time.Time{})
	opts := []smartromock.Option{smartromock.WithClock(clk), smartromock.WithDeliveryDelay(sc.DeliveryDelay), smartromock.WithRestartDowntime(sc.RestartDowntime)}
	if sc.Menu != nil {
		opts = append(opts, smartromock.WithMenu(sc.Menu))
	}
	s := newServer(opts...)
	defer s.Close()
	if s.Clock() != clk {
		return errors.New("smartromock: newServer must pass its options to smartromock.NewServer (the clock is not the property's)")
	}
	c := s.Client()
	for _, op := range []string{smartromock.OpTables, smartromock.OpMenuChanged, smartromock.OpMenu, smartromock.OpNewOrder, smartromock.OpAdditionalOrder, smartromock.OpTableOrders, smartromock.OpStoreOrders, smartromock.OpReturnOrder} {
		s.SetAnswerLatency(op, sc.AnswerLatency)
	}
	for _, b := range sc.Baskets {
		if b.DeliveryDelay > 0 {
			s.SetDeliveryDelay(b.MerchantOrderNo, b.DeliveryDelay)
		}
	}

	// Timed actions: events (with their ends) and basket starts, in time order.
	type action struct {
		at  time.Duration
		seq int
		do  func()
	}
	var acts []action
	add := func(at time.Duration, f func()) { acts = append(acts, action{at, len(acts), f}) }
	for _, e := range sc.Events {
		e := e
		switch e.Kind {
		case EventOccupy:
			add(e.At, func() { s.Occupy(e.Table.FloorCode, e.Table.TableCode) })
			add(e.At+e.For, func() { s.Release(e.Table.FloorCode, e.Table.TableCode) })
		case EventPOSPayment:
			add(e.At, func() { s.StartPOSPayment(e.Table.FloorCode, e.Table.TableCode) })
			add(e.At+e.For, func() { s.FinishPOSPayment(e.Table.FloorCode, e.Table.TableCode) })
		case EventRestart:
			add(e.At, s.Restart)
		case EventAgentOffline:
			add(e.At, func() { s.SetAgentOnline(false) })
			add(e.At+e.For, func() { s.SetAgentOnline(true) })
		case EventBusinessDayOff:
			add(e.At, func() { s.SetBusinessDay(false) })
			add(e.At+e.For, func() { s.SetBusinessDay(true) })
		case EventFailNextDelivery:
			add(e.At, s.FailNextDelivery)
		case EventLoseNextAnswer:
			add(e.At, func() { s.Faults().Inject(e.Op, mock.Fault{Kind: mock.DropAnswer}) })
		case EventGarbleNextAnswer:
			add(e.At, func() { s.Faults().Inject(e.Op, mock.Fault{Kind: mock.Garbage}) })
		case EventTableRush:
			add(e.At, func() { s.Rush(e.Table, e.N, fmt.Sprintf("RUSH%d-", len(acts))) })
		case EventRefuseOccupied:
			add(e.At, func() {
				s.Faults().Inject(e.Op, mock.Fault{Kind: mock.Fail, Code: smartro.CodeOccupied, Message: "테이블 점유 (injected)"})
			})
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	results := make([]error, len(sc.Baskets))
	finished := make(chan int, len(sc.Baskets))
	running := 0
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for i, b := range sc.Baskets {
		i, o := i, b.Order()
		add(b.Start, func() {
			running++
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = place(ctx, c, o)
				finished <- i
			}()
		})
	}
	sort.SliceStable(acts, func(i, j int) bool {
		if acts[i].at != acts[j].at {
			return acts[i].at < acts[j].at
		}
		return acts[i].seq < acts[j].seq
	})

	start := clk.Now()
	kitchen := func() {
		for _, o := range s.Orders() {
			if o.InPOS() && o.Status == smartro.StatusReceived {
				_ = s.POSComplete(o.OrderNo)
			}
		}
	}
	next := 0
	for {
		el := clk.Now().Sub(start)
		for next < len(acts) && acts[next].at <= el {
			acts[next].do()
			next++
		}
		for drained := false; !drained; {
			select {
			case <-finished:
				running--
			default:
				drained = true
			}
		}
		if running == 0 && next == len(acts) {
			break
		}
		if el >= MaxScenarioTime {
			return fmt.Errorf("smartromock: %d placers still running after %v of fake time (scenario %s)", running, MaxScenarioTime, sc)
		}
		if running > 0 {
			// Wait until every running placer is parked on the clock, or one returns:
			// progress either way, judged by the flow and the clock, never by real time.
			stop, wdone := make(chan struct{}), make(chan struct{})
			got := make(chan int, 1)
			var once sync.Once
			halt := func() { once.Do(func() { close(stop) }) }
			go func() {
				defer close(wdone)
				select {
				case i := <-finished:
					got <- i
					halt()
				case <-stop:
				}
			}()
			clk.WaitForWaiters(running, stop)
			halt()
			<-wdone
			select {
			case <-got:
				running--
				continue
			default:
			}
		}
		step := scenarioStep
		if next < len(acts) && acts[next].at-el < step {
			step = acts[next].at - el
		}
		clk.Advance(step)
		kitchen()
	}
	clk.Advance(2 * smartromock.Expiry)
	kitchen()
	return account(sc, s.Orders(), results)
}

// account checks the POS against what each placer reported.
func account(sc Scenario, orders []smartromock.Order, results []error) error {
	owner := func(mcht string) int {
		for i, b := range sc.Baskets {
			if mcht == b.MerchantOrderNo || strings.HasPrefix(mcht, b.MerchantOrderNo+"-") {
				return i
			}
		}
		return -1
	}
	inPOS := make([][]smartromock.Order, len(sc.Baskets))
	for _, o := range orders {
		if !o.InPOS() {
			continue
		}
		i := owner(o.MerchantOrderNo)
		if i < 0 {
			return fmt.Errorf("POS order %s (MCHT_ORDERNO %q) belongs to no basket (scenario %s)", o.OrderNo, o.MerchantOrderNo, sc)
		}
		inPOS[i] = append(inPOS[i], o)
	}
	for i, b := range sc.Baskets {
		got := inPOS[i]
		switch {
		case results[i] == nil && len(got) != 1:
			return fmt.Errorf("basket %s: reported placed, but the POS got it %d times (%s) (scenario %s)", b.MerchantOrderNo, len(got), orderNos(got), sc)
		case results[i] != nil && len(got) != 0:
			return fmt.Errorf("basket %s: reported failed (%v), but the POS got it %d times (%s) (scenario %s)", b.MerchantOrderNo, results[i], len(got), orderNos(got), sc)
		}
		for _, o := range got {
			if want := b.Basket.Amount(); o.OriginalAmount != want {
				return fmt.Errorf("basket %s: POS order %s amounts to %d, the basket to %d", b.MerchantOrderNo, o.OrderNo, o.OriginalAmount, want)
			}
		}
	}
	return nil
}

func orderNos(os []smartromock.Order) string {
	s := make([]string, len(os))
	for i, o := range os {
		s[i] = o.OrderNo + "/" + o.MerchantOrderNo
	}
	return strings.Join(s, ",")
}
