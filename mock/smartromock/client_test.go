package smartromock

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/smartro"
)

// transLog records a tracker's transitions and signals states reached.
type transLog struct {
	mu      sync.Mutex
	seen    []smartro.Transition
	waiters []transWaiter
}

type transWaiter struct {
	mcht string
	to   smartro.OrderState
	ch   chan struct{}
}

func (l *transLog) on(x smartro.Transition) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, x)
	keep := l.waiters[:0]
	for _, w := range l.waiters {
		if w.mcht == x.MerchantOrderNo && w.to == x.To {
			close(w.ch)
			continue
		}
		keep = append(keep, w)
	}
	l.waiters = keep
}

// reached returns a channel closed once mcht has moved to state to (its latest attempt).
func (l *transLog) reached(mcht string, to smartro.OrderState) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	ch := make(chan struct{})
	for i := len(l.seen) - 1; i >= 0; i-- {
		if x := l.seen[i]; x.MerchantOrderNo == mcht {
			if x.To == to {
				close(ch)
				return ch
			}
			if x.From == smartro.Submitted && x.To != smartro.Occupied {
				break // an earlier attempt does not count
			}
		}
	}
	l.waiters = append(l.waiters, transWaiter{mcht, to, ch})
	return ch
}

// path returns "A>B>C" of mcht's transitions, and the time of the last one.
func (l *transLog) path(mcht string) (string, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var parts []string
	var at time.Time
	for _, x := range l.seen {
		if x.MerchantOrderNo != mcht {
			continue
		}
		if len(parts) == 0 {
			parts = append(parts, x.From.String())
		}
		parts = append(parts, x.To.String())
		at = x.At
	}
	return strings.Join(parts, ">"), at
}

// drive advances the clock one poll interval at a time, each time once the tracker is
// parked on it, until done is closed; it fails after max intervals.
func drive(t testing.TB, clk *mock.Clock, done <-chan struct{}, max int) {
	t.Helper()
	for i := 0; i <= max; i++ {
		select {
		case <-done:
			return
		default:
		}
		if i == max {
			break
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		stop := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-ctx.Done():
			}
			close(stop)
		}()
		parked := clk.WaitForWaiters(1, stop)
		cancel()
		<-stop
		if !parked {
			select {
			case <-done:
				return
			default:
				t.Fatal("the tracker never parked on the clock")
			}
		}
		clk.Advance(smartro.DefaultPollInterval)
	}
	t.Fatalf("state not reached within %d poll intervals", max)
}

func newFlow(t *testing.T, opts ...Option) (*Server, *mock.Clock, *smartro.Client, *smartro.Tracker, *transLog) {
	t.Helper()
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, append([]Option{WithClock(clk)}, opts...)...)
	c := s.Client()
	log := &transLog{}
	tr, err := c.NewTracker(smartro.WithOnTransition(log.on))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return s, clk, c, tr, log
}

func TestClientCatalog(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk))
	c := s.Client()
	ctx := context.Background()
	cat := smartro.NewCatalog(c, 0)
	snap, err := cat.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Tables) != len(DefaultTables()) || len(snap.Menu.Groups) != 2 {
		t.Fatalf("snapshot %d tables %d groups", len(snap.Tables), len(snap.Menu.Groups))
	}
	if err := snap.Validate(basket("V1", t1)); err != nil {
		t.Errorf("valid basket: %v", err)
	}
	inactive := basket("V2", t1)
	inactive.Lines[1] = line(ItemColdBrew, 5000, 1)
	if err := snap.Validate(inactive); !smartro.IsInactiveItem(err) {
		t.Errorf("inactive: %v", err)
	}
	price := basket("V3", t1)
	price.Lines[0].Price = 4000
	if err := snap.Validate(price); !smartro.IsPriceMismatch(err) {
		t.Errorf("price: %v", err)
	}
	// Unchanged menu: the refresh asks and does not refetch it.
	if _, err := cat.Refresh(ctx); err != nil || s.RequestCount(OpMenu) != 1 || s.RequestCount(OpMenuChanged) < 1 {
		t.Fatalf("refresh: %v menu=%d state=%d", err, s.RequestCount(OpMenu), s.RequestCount(OpMenuChanged))
	}
	clk.Advance(time.Hour)
	m := DefaultMenu()
	m.Groups[1].Items = append(m.Groups[1].Items, smartro.Item{ID: "D003", Name: "마카롱", Price: 2500, Active: true})
	s.SetMenu(m)
	snap, err = cat.Refresh(ctx)
	if err != nil || s.RequestCount(OpMenu) != 2 {
		t.Fatalf("refresh after change: %v menu=%d", err, s.RequestCount(OpMenu))
	}
	if _, _, found := snap.Menu.Item("D003"); !found {
		t.Error("new item missing")
	}
	// The fake refuses what the catalog refuses, with the same kind of code.
	_, err = c.NewOrder(ctx, inactive)
	if !smartro.IsRefused(err) || !smartro.IsInactiveItem(err) {
		t.Errorf("agent on inactive item: %v", err)
	}
	unknown := basket("V4", t1)
	unknown.Lines[0].ItemID = "ZZZ"
	if _, err := c.NewOrder(ctx, unknown); !smartro.IsUnknownItem(err) {
		t.Errorf("agent on unknown item: %v", err)
	}
	other, _ := smartro.NewClient("OTHER", s.ServiceID(), smartro.WithBaseURL(s.URL()), smartro.WithHTTPClient(s.HTTPClient()), smartro.WithoutRetrySleep())
	if _, err := other.Tables(ctx); err == nil || !strings.Contains(err.Error(), smartro.CodeUnknownStore) {
		t.Errorf("wrong store: %v", err)
	}
}

// Postpaid: new order, then an additional order on the open table order; both followed by
// the tracker to delivery and success.
func TestClientPostpaidFlow(t *testing.T) {
	s, clk, _, tr, log := newFlow(t)
	ctx := context.Background()
	start := clk.Now()
	st, ack, err := tr.PlaceTableOrder(ctx, basket("E1", t1))
	if err != nil || st != smartro.Accepted || ack.OrderNo == "" || ack.OrgOrderNo != ack.OrderNo {
		t.Fatalf("first: %v %+v %v", st, ack, err)
	}
	drive(t, clk, log.reached("E1", smartro.Delivered), 3)
	if _, at := log.path("E1"); at.Sub(start) != smartro.DefaultPollInterval {
		t.Errorf("delivered seen at +%v", at.Sub(start))
	}
	st, ack2, err := tr.PlaceTableOrder(ctx, basket("E2", t1))
	if err != nil || st != smartro.Accepted || ack2.OrgOrderNo != ack.OrderNo {
		t.Fatalf("second: %v %+v %v", st, ack2, err)
	}
	if s.RequestCount(OpNewOrder) != 1 || s.RequestCount(OpAdditionalOrder) != 1 {
		t.Errorf("new=%d add=%d", s.RequestCount(OpNewOrder), s.RequestCount(OpAdditionalOrder))
	}
	drive(t, clk, log.reached("E2", smartro.Delivered), 3)
	if err := s.POSComplete(ack.OrderNo); err != nil {
		t.Fatal(err)
	}
	if err := s.POSPaid(ack2.OrderNo); err != nil {
		t.Fatal(err)
	}
	drive(t, clk, log.reached("E1", smartro.Succeeded), 2)
	drive(t, clk, log.reached("E2", smartro.Succeeded), 2)
	for _, m := range []string{"E1", "E2"} {
		if p, _ := log.path(m); p != "Submitted>Accepted>Delivered>Succeeded" {
			t.Errorf("%s: %s", m, p)
		}
	}
	os := s.Orders()
	if len(os) != 2 || !os[0].InPOS() || !os[1].InPOS() || !os[1].Additional || os[1].OrgOrderNo != os[0].OrderNo {
		t.Errorf("fake orders %+v", os)
	}
}

// Prepaid: one new order with the payments, cancelled on the POS → tracker Cancelled.
func TestClientPrepaidCancelledOnPOS(t *testing.T) {
	s, clk, _, tr, log := newFlow(t)
	o := basket("P1", t2)
	o.Settlement = smartro.Prepaid{Payments: []smartro.Payment{{Kind: smartro.PayCard, Amount: 16500,
		Card: &smartro.CardApproval{TerminalID: "CAT01", AuthNo: "30001234", AuthDate: "20260101", AuthTime: "120000", CardNo: "9410-****-****-1234"}}}}
	st, ack, err := tr.NewOrder(context.Background(), o)
	if err != nil || st != smartro.Accepted {
		t.Fatal(st, err)
	}
	drive(t, clk, log.reached("P1", smartro.Delivered), 3)
	if err := s.POSCancel(ack.OrderNo); err != nil {
		t.Fatal(err)
	}
	drive(t, clk, log.reached("P1", smartro.Cancelled), 2)
	if got, _ := s.Order(ack.OrderNo); !got.Prepaid || len(got.Payments) != 1 || got.Payments[0].Amount != 16500 {
		t.Errorf("fake order %+v", got)
	}
}

// An occupied table is refused and retried: by an injected refusal with the no-sleep
// client, and by the POS occupying the table with pauses on the fake clock.
func TestClientOccupiedRetried(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk))
	s.Faults().Inject(OpNewOrder, mock.Fault{Kind: mock.Fail, Code: smartro.CodeOccupied, Message: "테이블 점유", Times: 2})
	ack, err := s.Client().PlaceTableOrder(ctx, basket("O1", t1))
	if err != nil || ack.OrderNo == "" || s.RequestCount(OpNewOrder) != 3 || len(s.Orders()) != 1 {
		t.Fatalf("%+v %v new=%d", ack, err, s.RequestCount(OpNewOrder))
	}

	c, err := smartro.NewClient(s.StoreID(), s.ServiceID(), smartro.WithBaseURL(s.URL()), smartro.WithHTTPClient(s.HTTPClient()),
		smartro.WithClock(clk), smartro.WithOccupiedRetry(smartro.RetryPolicy{MaxRetries: 3, Initial: time.Second, Max: 2 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	s.StartPOSPayment(t2.FloorCode, t2.TableCode)
	type res struct {
		ack *smartro.OrderAck
		err error
	}
	done := make(chan res, 1)
	go func() {
		a, err := c.PlaceTableOrder(ctx, basket("O2", t2))
		done <- res{a, err}
	}()
	if !clk.WaitForWaiters(1, ctx.Done()) {
		t.Fatal("no occupied pause on the clock")
	}
	if len(s.Orders()) != 1 {
		t.Fatal("order accepted on an occupied table")
	}
	s.FinishPOSPayment(t2.FloorCode, t2.TableCode)
	clk.Advance(3 * time.Second)
	r := <-done
	if r.err != nil || r.ack == nil || len(s.Orders()) != 2 {
		t.Fatalf("after the payment: %+v %v", r.ack, r.err)
	}
	if s.RequestCount(OpNewOrder) != 5 {
		t.Errorf("new order requests %d, want 5 (3 + refused + accepted)", s.RequestCount(OpNewOrder))
	}
}

// The order answer is lost: the tracker finds MCHT_ORDERNO in the lookup; no second order.
func TestClientLostAnswerResolvedByLookup(t *testing.T) {
	s, clk, _, tr, log := newFlow(t)
	s.Faults().Inject(OpNewOrder, mock.Fault{Kind: mock.DropAnswer})
	st, _, err := tr.PlaceTableOrder(context.Background(), basket("L1", t1))
	if st != smartro.Unknown || !smartro.IsLost(err) {
		t.Fatalf("%v %v", st, err)
	}
	drive(t, clk, log.reached("L1", smartro.Delivered), 3)
	if p, _ := log.path("L1"); p != "Submitted>Unknown>Accepted>Delivered" {
		t.Errorf("path %s", p)
	}
	if s.RequestCount(OpNewOrder) != 1 || len(s.Orders()) != 1 || !s.Orders()[0].InPOS() {
		t.Errorf("new=%d orders=%+v", s.RequestCount(OpNewOrder), s.Orders())
	}
}

// Not delivered within 60 s: the tracker reports Expired at 60 s, the fake never delivers
// it, and ordering the basket again is allowed and reaches the POS once.
func TestClientExpiryThenReorder(t *testing.T) {
	s, clk, _, tr, log := newFlow(t)
	ctx := context.Background()
	s.SetDeliveryDelay("X1", 2*Expiry)
	start := clk.Now()
	if st, _, err := tr.PlaceTableOrder(ctx, basket("X1", t1)); err != nil || st != smartro.Accepted {
		t.Fatal(st, err)
	}
	if _, _, err := tr.PlaceTableOrder(ctx, basket("X1", t1)); !smartro.IsInvalidInput(err) {
		t.Fatalf("resend while in flight: %v", err)
	}
	drive(t, clk, log.reached("X1", smartro.Expired), 13)
	p, at := log.path("X1")
	if p != "Submitted>Accepted>Expired" || at.Sub(start) != Expiry {
		t.Errorf("path %s at +%v", p, at.Sub(start))
	}
	if !tr.CanReorder("X1") {
		t.Fatal("CanReorder false after expiry")
	}
	clk.Advance(Expiry) // long after: the fake still never delivers it
	if st, _, err := tr.PlaceTableOrder(ctx, basket("X1", t1)); err != nil || st != smartro.Accepted {
		t.Fatal(st, err)
	}
	drive(t, clk, log.reached("X1", smartro.Delivered), 3)
	os := s.Orders()
	if len(os) != 2 || os[0].Delivery != DeliveryExpired || !os[1].InPOS() || os[0].OrderNo == os[1].OrderNo {
		t.Errorf("fake orders %+v", os)
	}
}
