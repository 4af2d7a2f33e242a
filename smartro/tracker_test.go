package smartro

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
	"pgregory.net/rapid"
)

// simOrder is one order in the in-memory agent's world, in seconds from the start.
type simOrder struct {
	mcht    string
	orderNo string
	table   TableRef
	recv    int  // second the agent received it (= when Track is called)
	deliver int  // seconds after recv it reaches the POS; <0 never
	finish  int  // seconds after delivery the POS finishes it; <0 never
	cancel  bool // the POS cancels instead of finishing
	lost    bool // the step-1 answer is lost
}

const simExpiry = 60

func (o *simOrder) delivered(sec int) bool {
	return o.deliver >= 0 && o.deliver < simExpiry && sec >= o.recv+o.deliver
}

func (o *simOrder) visible(sec int) bool {
	return sec >= o.recv && (o.delivered(sec) || sec < o.recv+simExpiry)
}

func (o *simOrder) status(sec int) OrderStatus {
	if o.delivered(sec) && o.finish >= 0 && sec >= o.recv+o.deliver+o.finish {
		if o.cancel {
			return StatusCancelled
		}
		return StatusDone
	}
	return StatusReceived
}

// simAgent serves TableOrders from the world at the clock's time.
type simAgent struct {
	clk     *mock.Clock
	start   time.Time
	mu      sync.Mutex
	orders  []*simOrder
	failAt  map[int]bool // seconds at which every lookup fails
	lookups map[TableRef]int
	calls   atomic.Int64
}

func (a *simAgent) sec() int { return int(a.clk.Now().Sub(a.start) / time.Second) }

func (a *simAgent) TableOrders(ctx context.Context, floor, table string) ([]LiveOrder, error) {
	a.calls.Add(1)
	sec := a.sec()
	a.mu.Lock()
	defer a.mu.Unlock()
	ref := TableRef{floor, table}
	if a.lookups != nil {
		a.lookups[ref]++
	}
	if a.failAt[sec] {
		return nil, &Error{Op: "sim", Code: CodeTransport}
	}
	var out []LiveOrder
	for _, o := range a.orders {
		if o.table != ref || !o.visible(sec) {
			continue
		}
		lo := LiveOrder{OrderNo: o.orderNo, OrgOrderNo: o.orderNo, MerchantOrderNo: o.mcht, Table: ref, Status: o.status(sec)}
		if o.delivered(sec) {
			lo.Delivery = DeliveryDelivered
		}
		out = append(out, lo)
	}
	return out, nil
}

// quiet follows the poller's parking so a test advances the clock only when it is parked.
type quiet struct {
	ch   chan time.Time
	last time.Time // deadline of the armed timer; zero when idle
}

// fataler is the part of testing.TB and *rapid.T the helpers need.
type fataler interface {
	Fatalf(format string, args ...any)
	Fatal(args ...any)
}

func newQuiet() *quiet { return &quiet{ch: make(chan time.Time, 16)} }

func (q *quiet) hook(until time.Time) { q.ch <- until }

// settle waits until the poller has parked with no timer due at or before now, and with a
// timer armed whenever tr has orders in flight.
func (q *quiet) settle(t fataler, tr *Tracker, now time.Time) {
	for {
		due := !q.last.IsZero() && !q.last.After(now)
		if due || (q.last.IsZero() && tr.Len() > 0) {
			select {
			case q.last = <-q.ch:
			case <-time.After(5 * time.Second):
				t.Fatalf("poller did not park (due %v, now %v)", q.last, now)
			}
			continue
		}
		select {
		case q.last = <-q.ch:
			continue
		default:
		}
		return
	}
}

type modelEvent struct {
	mcht     string
	from, to OrderState
	sec      int
}

// model is the pure model of the tracker's rules: ticks every interval seconds while any
// order is in flight, starting when the first order arrives at an idle poller; at each tick
// (unless the lookup fails) Unknown→Accepted when visible, Accepted→Delivered when
// delivered, Delivered→Succeeded/Cancelled by status or after settle; Unknown/Accepted
// →Expired once the tick is at or after recv+60 s.
func model(orders []*simOrder, interval, settle int, failAt map[int]bool, horizon int) []modelEvent {
	type st struct {
		s      OrderState
		settle int
	}
	states := map[string]*st{}
	var ev []modelEvent
	move := func(o *simOrder, to OrderState, sec int) {
		ev = append(ev, modelEvent{o.mcht, states[o.mcht].s, to, sec})
		states[o.mcht].s = to
	}
	next := -1
	active := func() bool {
		for _, o := range orders {
			if s, ok := states[o.mcht]; ok && !s.s.IsTerminal() {
				return true
			}
		}
		return false
	}
	for sec := 0; sec <= horizon; sec++ {
		if sec == next {
			if !failAt[sec] {
				for _, o := range orders {
					s, ok := states[o.mcht]
					if !ok || s.s.IsTerminal() {
						continue
					}
					if s.s == Unknown {
						if o.visible(sec) {
							move(o, Accepted, sec)
						} else if sec >= o.recv+simExpiry {
							move(o, Expired, sec)
						}
					}
					if s.s == Accepted {
						if o.visible(sec) && o.delivered(sec) {
							move(o, Delivered, sec)
							s.settle = sec + settle
						} else if sec >= o.recv+simExpiry {
							move(o, Expired, sec)
						}
					}
					if s.s == Delivered {
						switch st := o.status(sec); {
						case !o.visible(sec), st == StatusDone:
							move(o, Succeeded, sec)
						case st == StatusCancelled:
							move(o, Cancelled, sec)
						case sec >= s.settle:
							move(o, Succeeded, sec)
						}
					}
				}
			}
			next = -1
			if active() {
				next = sec + interval
			}
		}
		for _, o := range orders {
			if o.recv != sec {
				continue
			}
			states[o.mcht] = &st{s: Submitted}
			if o.lost {
				move(o, Unknown, sec)
			} else {
				move(o, Accepted, sec)
			}
			if next < 0 {
				next = sec + interval
			}
		}
	}
	return ev
}

// runSim drives a real Tracker over the simulated world second by second.
func runSim(t fataler, orders []*simOrder, failAt map[int]bool, horizon int) ([]modelEvent, *simAgent) {
	clk := mock.NewClock(time.Time{})
	agent := &simAgent{clk: clk, start: clk.Now(), orders: orders, failAt: failAt, lookups: map[TableRef]int{}}
	var mu sync.Mutex
	var got []modelEvent
	q := newQuiet()
	tr := newTracker(agent, q.hook, WithTrackerClock(clk), WithSettleAfter(120*time.Second), WithOnTransition(func(tr Transition) {
		mu.Lock()
		got = append(got, modelEvent{tr.MerchantOrderNo, tr.From, tr.To, int(tr.At.Sub(agent.start) / time.Second)})
		mu.Unlock()
	}))
	defer tr.Close()
	for sec := 0; sec <= horizon; sec++ {
		if sec > 0 {
			clk.Advance(time.Second)
		}
		q.settle(t, tr, clk.Now())
		for _, o := range orders {
			if o.recv != sec {
				continue
			}
			var err error
			var ack *OrderAck
			if o.lost {
				err = &Error{Code: CodeTransport}
			} else {
				ack = &OrderAck{OrderNo: o.orderNo, MerchantOrderNo: o.mcht}
			}
			if st, terr := tr.Track(o.table, o.mcht, ack, err); terr != nil {
				t.Fatal(terr)
			} else if st != Accepted && st != Unknown {
				t.Fatalf("tracked as %v", st)
			}
		}
		q.settle(t, tr, clk.Now())
	}
	mu.Lock()
	defer mu.Unlock()
	return got, agent
}

func sortEvents(ev []modelEvent) {
	sort.SliceStable(ev, func(i, j int) bool {
		if ev[i].sec != ev[j].sec {
			return ev[i].sec < ev[j].sec
		}
		return ev[i].mcht < ev[j].mcht
	})
}

func TestTrackerMatchesModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 6).Draw(rt, "orders")
		tables := rapid.IntRange(1, 3).Draw(rt, "tables")
		var orders []*simOrder
		for i := 0; i < n; i++ {
			recv := 0
			if i > 0 {
				recv = rapid.IntRange(0, 90).Draw(rt, "recv")
			}
			orders = append(orders, &simOrder{
				mcht:    fmt.Sprintf("M%d", i),
				orderNo: fmt.Sprintf("TO%d", i),
				table:   TableRef{"01", fmt.Sprintf("T%d", rapid.IntRange(0, tables-1).Draw(rt, "table"))},
				recv:    recv,
				deliver: rapid.IntRange(-1, 75).Draw(rt, "deliver"),
				finish:  rapid.IntRange(-1, 200).Draw(rt, "finish"),
				cancel:  rapid.Bool().Draw(rt, "cancel"),
				lost:    rapid.Bool().Draw(rt, "lost"),
			})
		}
		failAt := map[int]bool{}
		for _, s := range rapid.SliceOfN(rapid.IntRange(1, 300), 0, 8).Draw(rt, "fail") {
			failAt[s] = true
		}
		const horizon = 420
		got, _ := runSim(rt, orders, failAt, horizon)
		want := model(orders, 5, 120, failAt, horizon)
		sortEvents(got)
		sortEvents(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			rt.Fatalf("tracker and model differ\n got  %v\n want %v", got, want)
		}
		// Every order ends in a terminal state, and Expired only when it never reached the POS.
		final := map[string]OrderState{}
		for _, e := range got {
			final[e.mcht] = e.to
		}
		for _, o := range orders {
			s := final[o.mcht]
			if !s.IsTerminal() {
				rt.Fatalf("%s ended %v", o.mcht, s)
			}
			if (s == Expired) != !o.delivered(horizon) {
				rt.Fatalf("%s: %v but delivered=%v", o.mcht, s, o.delivered(horizon))
			}
		}
	})
}

func TestTrackerOneLookupPerTablePerTick(t *testing.T) {
	var orders []*simOrder
	for i := 0; i < 30; i++ {
		orders = append(orders, &simOrder{mcht: fmt.Sprint("M", i), orderNo: fmt.Sprint("TO", i),
			table: TableRef{"01", fmt.Sprint("T", i%3)}, deliver: -1, finish: -1})
	}
	_, agent := runSim(t, orders, nil, 70)
	// Orders expire at the tick at 60 s: ticks at 5..60 → 12 lookups per table.
	for ref, n := range agent.lookups {
		if n != 12 {
			t.Errorf("%v: %d lookups, want 12", ref, n)
		}
	}
	if len(agent.lookups) != 3 {
		t.Fatalf("tables looked up: %v", agent.lookups)
	}
}

func TestTrackerLostAnswerResolvedNotResent(t *testing.T) {
	o := &simOrder{mcht: "M1", orderNo: "TO1", table: TableRef{"01", "T1"}, deliver: 12, finish: 3, lost: true}
	got, _ := runSim(t, []*simOrder{o}, nil, 40)
	want := []modelEvent{{"M1", Submitted, Unknown, 0}, {"M1", Unknown, Accepted, 5}, {"M1", Accepted, Delivered, 15}, {"M1", Delivered, Succeeded, 15}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v want %v", got, want)
	}
}

func TestTrackerExpiryWaitsForASuccessfulLookup(t *testing.T) {
	o := &simOrder{mcht: "M1", orderNo: "TO1", table: TableRef{"01", "T1"}, deliver: -1, finish: -1}
	got, _ := runSim(t, []*simOrder{o}, map[int]bool{60: true, 65: true}, 80)
	last := got[len(got)-1]
	if last.to != Expired || last.sec != 70 {
		t.Fatalf("got %v", got)
	}
}

func TestTrackerRefusesDuplicateAndAllowsReorderAfterExpiry(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	agent := &simAgent{clk: clk, start: clk.Now()}
	q := newQuiet()
	tr := newTracker(agent, q.hook, WithTrackerClock(clk))
	defer tr.Close()
	ref := TableRef{"01", "T1"}
	if s, err := tr.Track(ref, "M1", &OrderAck{OrderNo: "TO1"}, nil); err != nil || s != Accepted {
		t.Fatal(s, err)
	}
	if tr.CanReorder("M1") {
		t.Fatal("reorder allowed while accepted")
	}
	if _, err := tr.Track(ref, "M1", &OrderAck{OrderNo: "TO2"}, nil); !IsInvalidInput(err) {
		t.Fatalf("duplicate tracked: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan OrderState, 1)
	go func() { s, _ := tr.Wait(ctx, "M1"); done <- s }()
	for i := 0; i < 13; i++ {
		q.settle(t, tr, clk.Now())
		clk.Advance(5 * time.Second)
	}
	if s := <-done; s != Expired || !tr.CanReorder("M1") {
		t.Fatalf("state %v", s)
	}
	// A refused order is Rejected; occupied shows Occupied → Rejected.
	var seen []string
	tr2 := mustTracker(agent, WithTrackerClock(clk), WithOnTransition(func(x Transition) { seen = append(seen, x.From.String()+">"+x.To.String()) }))
	defer tr2.Close()
	if s, _ := tr2.Track(ref, "M2", nil, &Error{Code: CodeOccupied}); s != Rejected || fmt.Sprint(seen) != "[Submitted>Occupied Occupied>Rejected]" {
		t.Fatal(s, seen)
	}
	if s, _ := tr2.Track(ref, "M2", nil, &Error{Code: CodeUnknownItem}); s != Rejected {
		t.Fatal(s)
	}
}
