// Package smartroprop holds rapid generators — GenCatalog, GenBasket, GenInvalidBasket,
// GenPaymentSplit, GenScenario — and the exactly-once property (CheckExactlyOnce,
// RunScenario) for partners who build their own ordering flow on smartro and want to check
// it against the fake (mock/smartromock). It lives apart from the fake so that importing
// the fake does not pull pgregory.net/rapid into a build.
package smartroprop

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/smartromock"
	"github.com/poskit/poskit/smartro"
	"pgregory.net/rapid"
)

var itemNames = []string{"아메리카노", "카페라떼", "콜드브루", "녹차라떼", "레몬에이드", "치즈케이크", "크로와상", "마카롱", "스콘", "베이글", "떡볶이", "김밥", "냉면", "비빔밥"}
var addOnNames = []string{"샷 추가", "시럽 추가", "사이즈업", "휘핑크림", "치즈 추가", "곱빼기"}

// GenCatalog generates a store menu: 1–4 item groups of 1–5 items (prices 500–30000 won in
// steps of 100), some items or groups inactive, and 0–3 add-on groups of 1–3 add-ons
// (0–2000 won) shared among items, some items without add-ons. The first item of the first
// group is always active, so GenBasket always has something to order. Item ids are unique.
func GenCatalog() *rapid.Generator[*smartro.Menu] {
	return rapid.Custom(func(t *rapid.T) *smartro.Menu {
		pool := make([]smartro.AddOnGroup, rapid.IntRange(0, 3).Draw(t, "addOnGroups"))
		for i := range pool {
			g := smartro.AddOnGroup{Code: fmt.Sprintf("AG%d", i+1), Name: addOnNames[i%len(addOnNames)]}
			for j, n := 0, rapid.IntRange(1, 3).Draw(t, "addOns"); j < n; j++ {
				g.AddOns = append(g.AddOns, smartro.AddOn{
					ID:    fmt.Sprintf("AD%d%d", i+1, j+1),
					Name:  fmt.Sprintf("%s %d", g.Name, j+1),
					Price: int64(rapid.IntRange(0, 20).Draw(t, "addOnPrice")) * 100,
				})
			}
			pool[i] = g
		}
		m := &smartro.Menu{}
		n := 0
		for gi, ng := 0, rapid.IntRange(1, 4).Draw(t, "groups"); gi < ng; gi++ {
			g := smartro.ItemGroup{Code: fmt.Sprintf("G%02d", gi+1), Name: fmt.Sprintf("분류%d", gi+1),
				Active: gi == 0 || rapid.IntRange(0, 4).Draw(t, "groupActive") > 0}
			for ii, ni := 0, rapid.IntRange(1, 5).Draw(t, "items"); ii < ni; ii++ {
				n++
				it := smartro.Item{ID: fmt.Sprintf("I%03d", n), Name: itemNames[n%len(itemNames)],
					Price:  int64(rapid.IntRange(5, 300).Draw(t, "price")) * 100,
					Active: gi == 0 && ii == 0 || rapid.IntRange(0, 4).Draw(t, "itemActive") > 0}
				for _, ag := range pool {
					if rapid.Bool().Draw(t, "offers") {
						ag.AddOns = append([]smartro.AddOn(nil), ag.AddOns...)
						it.AddOnGroups = append(it.AddOnGroups, ag)
					}
				}
				g.Items = append(g.Items, it)
			}
			m.Groups = append(m.Groups, g)
		}
		return m
	})
}

// Basket is what a customer ordered: lines priced from the menu.
type Basket struct {
	Lines []smartro.OrderLine
}

// Amount returns the basket's total in won.
func (b Basket) Amount() int64 {
	o := smartro.Order{Lines: b.Lines}
	return o.OriginalAmount()
}

// Order returns a postpaid order of the basket under merchantOrderNo on table.
func (b Basket) Order(merchantOrderNo string, table smartro.TableRef) *smartro.Order {
	return &smartro.Order{MerchantOrderNo: merchantOrderNo, Table: table,
		Lines: append([]smartro.OrderLine(nil), b.Lines...), Settlement: smartro.Postpaid{}}
}

func orderables(menu *smartro.Menu) []*smartro.Item {
	var out []*smartro.Item
	for gi := range menu.Groups {
		if g := &menu.Groups[gi]; g.Active {
			for ii := range g.Items {
				if g.Items[ii].Active {
					out = append(out, &g.Items[ii])
				}
			}
		}
	}
	return out
}

// GenBasket generates a valid basket of menu: 1–5 lines of active items (in active
// groups), counts 1–3, each add-on group of the item contributing at most one add-on with
// the menu's price. It panics if menu has no orderable item.
func GenBasket(menu *smartro.Menu) *rapid.Generator[Basket] {
	items := orderables(menu)
	if len(items) == 0 {
		panic("smartromock.GenBasket: the menu has no active item")
	}
	return rapid.Custom(func(t *rapid.T) Basket {
		var b Basket
		for i, n := 0, rapid.IntRange(1, 5).Draw(t, "lines"); i < n; i++ {
			it := rapid.SampledFrom(items).Draw(t, "item")
			l := smartro.OrderLine{ItemID: it.ID, Name: it.Name, Price: it.Price, Count: rapid.IntRange(1, 3).Draw(t, "count")}
			for _, ag := range it.AddOnGroups {
				if len(ag.AddOns) == 0 || !rapid.Bool().Draw(t, "withAddOn") {
					continue
				}
				a := rapid.SampledFrom(ag.AddOns).Draw(t, "addOn")
				l.AddOns = append(l.AddOns, smartro.LineAddOn{ID: a.ID, Name: a.Name, GroupCode: ag.Code, Price: a.Price, Count: 1})
			}
			b.Lines = append(b.Lines, l)
		}
		return b
	})
}

// InvalidBasket is a basket with exactly one fault against the menu, and the ERRCODE the
// fake answers it with (the client's catalog check refuses it with the same kind of code).
type InvalidBasket struct {
	Basket
	Code   string // smartro.CodeUnknownItem, CodeInactiveItem, CodeUnknownAddOn or CodePriceMismatch
	Reason string
}

// GenInvalidBasket generates a basket of menu with one fault: an unknown item, an inactive
// item (when the menu has one), an item price off the menu, an add-on the item does not
// offer, or an add-on price off the menu. Every other line is valid, and the basket passes
// smartro's own input checks, so it reaches the agent.
func GenInvalidBasket(menu *smartro.Menu) *rapid.Generator[InvalidBasket] {
	valid := GenBasket(menu)
	var inactive []*smartro.Item
	for gi := range menu.Groups {
		g := &menu.Groups[gi]
		for ii := range g.Items {
			if !g.Active || !g.Items[ii].Active {
				inactive = append(inactive, &g.Items[ii])
			}
		}
	}
	return rapid.Custom(func(t *rapid.T) InvalidBasket {
		b := valid.Draw(t, "basket")
		lines := append([]smartro.OrderLine(nil), b.Lines...)
		i := rapid.IntRange(0, len(lines)-1).Draw(t, "line")
		l := lines[i]
		l.AddOns = append([]smartro.LineAddOn(nil), l.AddOns...)
		kinds := []string{"unknownItem", "itemPrice", "foreignAddOn"}
		if len(inactive) > 0 {
			kinds = append(kinds, "inactiveItem")
		}
		if len(l.AddOns) > 0 {
			kinds = append(kinds, "addOnPrice")
		}
		var ib InvalidBasket
		switch k := rapid.SampledFrom(kinds).Draw(t, "fault"); k {
		case "unknownItem":
			l.ItemID = "NO-SUCH-ITEM"
			l.AddOns = nil
			ib.Code, ib.Reason = smartro.CodeUnknownItem, "unknown item"
		case "inactiveItem":
			it := rapid.SampledFrom(inactive).Draw(t, "inactive")
			l = smartro.OrderLine{ItemID: it.ID, Name: it.Name, Price: it.Price, Count: l.Count}
			ib.Code, ib.Reason = smartro.CodeInactiveItem, "inactive item "+it.ID
		case "itemPrice":
			l.Price += int64(rapid.IntRange(1, 50).Draw(t, "delta")) * 100
			ib.Code, ib.Reason = smartro.CodePriceMismatch, "item price"
		case "foreignAddOn":
			l.AddOns = append(l.AddOns, smartro.LineAddOn{ID: "NO-SUCH-ADDON", Name: "없는 옵션", GroupCode: "NO-GROUP", Price: 500, Count: 1})
			ib.Code, ib.Reason = smartro.CodeUnknownAddOn, "add-on not offered"
		case "addOnPrice":
			j := rapid.IntRange(0, len(l.AddOns)-1).Draw(t, "addOnIndex")
			l.AddOns[j].Price += int64(rapid.IntRange(1, 20).Draw(t, "delta")) * 100
			ib.Code, ib.Reason = smartro.CodePriceMismatch, "add-on price"
		}
		lines[i] = l
		ib.Lines = lines
		return ib
	})
}

// GenPaymentSplit generates 1–4 prepaid payments (card, cash confirmed by staff, mobile,
// e-ticket) whose amounts are positive and add up to total (total ≥ 1). Card payments
// carry VCAT approval data; VAT is amount / 11.
func GenPaymentSplit(total int64) *rapid.Generator[[]smartro.Payment] {
	if total < 1 {
		panic("smartromock.GenPaymentSplit: total must be at least 1")
	}
	return rapid.Custom(func(t *rapid.T) []smartro.Payment {
		maxParts := int64(4)
		if total < maxParts {
			maxParts = total
		}
		n := rapid.Int64Range(1, maxParts).Draw(t, "parts")
		cuts := map[int64]bool{}
		for int64(len(cuts)) < n-1 {
			cuts[rapid.Int64Range(1, total-1).Draw(t, "cut")] = true
		}
		points := []int64{0}
		for c := range cuts {
			points = append(points, c)
		}
		sort.Slice(points, func(i, j int) bool { return points[i] < points[j] })
		points = append(points, total)
		pays := make([]smartro.Payment, 0, n)
		for i := 1; i < len(points); i++ {
			amt := points[i] - points[i-1]
			p := smartro.Payment{Amount: amt, VAT: amt / 11}
			switch rapid.IntRange(0, 3).Draw(t, "kind") {
			case 0:
				p.Kind = smartro.PayCard
				p.Card = &smartro.CardApproval{TerminalID: "CAT0001", AuthNo: fmt.Sprintf("%08d", rapid.IntRange(0, 99999999).Draw(t, "authNo")),
					AuthDate: "20260101", AuthTime: "120000", CardNo: "9410-****-****-1234", MerchantNo: "00112233", Entry: smartro.EntryIC,
					Installments: rapid.SampledFrom([]int{0, 0, 2, 3}).Draw(t, "installments")}
			case 1:
				p.Kind = smartro.PayCash
				p.Cash = &smartro.CashPayment{StaffConfirmed: true, Receipt: smartro.ReceiptPersonal, ReceiptID: "010-****-5678"}
			case 2:
				p.Kind = smartro.PayMobile
				p.Reference = "MP-0001"
			default:
				p.Kind = smartro.PayETicket
				p.Reference = "ET-0001"
			}
			pays = append(pays, p)
		}
		return pays
	})
}

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

// EventKind is something that happens to the store during a Scenario.
type EventKind int

// Event kinds.
const (
	EventOccupy           EventKind = iota + 1 // POS screen occupies Table for For
	EventPOSPayment                            // POS payment on Table for For (then paid)
	EventRestart                               // agent restart (downtime: Scenario.RestartDowntime)
	EventAgentOffline                          // agent offline for For
	EventBusinessDayOff                        // business day closed for For
	EventFailNextDelivery                      // the POS refuses the next order accepted
	EventLoseNextAnswer                        // mock.DropAnswer on Op: applied, answer lost
	EventGarbleNextAnswer                      // mock.Garbage on Op: not applied, unreadable answer
	EventRefuseOccupied                        // mock.Fail with smartro.CodeOccupied on Op
	// EventTableRush: another device sends N orders to Table that never reach the POS
	// (delivery delay beyond smartromock.Expiry). Listed as pending for 60 s, they push the table's
	// earlier orders out of its latest-10 lookup (smartromock.TableLookupLimit), then drop out.
	EventTableRush
)

var eventNames = map[EventKind]string{EventOccupy: "occupy", EventPOSPayment: "posPayment", EventRestart: "restart",
	EventAgentOffline: "agentOffline", EventBusinessDayOff: "businessDayOff", EventFailNextDelivery: "failNextDelivery",
	EventLoseNextAnswer: "loseNextAnswer", EventGarbleNextAnswer: "garbleNextAnswer", EventRefuseOccupied: "refuseOccupied",
	EventTableRush: "tableRush"}

// String names the kind.
func (k EventKind) String() string {
	if s, ok := eventNames[k]; ok {
		return s
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one timed happening of a Scenario, at At after its start.
type Event struct {
	At    time.Duration
	Kind  EventKind
	Table smartro.TableRef // EventOccupy, EventPOSPayment, EventTableRush
	For   time.Duration    // EventOccupy, EventPOSPayment, EventAgentOffline, EventBusinessDayOff
	Op    string           // EventLoseNextAnswer, EventGarbleNextAnswer, EventRefuseOccupied
	N     int              // EventTableRush: how many orders
}

// ScenarioBasket is one basket placed during a Scenario.
type ScenarioBasket struct {
	MerchantOrderNo string
	Table           smartro.TableRef
	Basket          Basket
	Payments        []smartro.Payment // prepaid when not empty
	Start           time.Duration     // when the Placer is called, after the scenario's start
	DeliveryDelay   time.Duration     // its first order's delivery delay; 0 → the server's
}

// Order returns the basket's order.
func (b ScenarioBasket) Order() *smartro.Order {
	o := b.Basket.Order(b.MerchantOrderNo, b.Table)
	if len(b.Payments) > 0 {
		o.Settlement = smartro.Prepaid{Payments: append([]smartro.Payment(nil), b.Payments...)}
	}
	return o
}

// Scenario is one run of the exactly-once property.
type Scenario struct {
	Menu            *smartro.Menu
	DeliveryDelay   time.Duration // server default (smartromock.WithDeliveryDelay)
	RestartDowntime time.Duration // smartromock.WithRestartDowntime
	// AnswerLatency holds every answer for this long on the fake clock after the server
	// acted (SetAnswerLatency on every operation).
	AnswerLatency time.Duration
	Baskets       []ScenarioBasket
	Events        []Event
}

// GenScenario generates a Scenario: a menu (GenCatalog), 1–4 baskets on 3 tables (some
// prepaid, with GenPaymentSplit), started within 30 s, with delivery delays from 0.5 s to
// beyond 60 s, agent restart downtimes up to 90 s, and 0–6 events in the first 2 minutes:
// occupied tables, POS payments, restarts, agent offline, business day closed, refused
// deliveries, lost, garbled and occupied answers, and table rushes (10–12 orders from
// another device on one table, so that the table has more than smartromock.TableLookupLimit orders
// and the baskets' orders drop out of its lookup for a while). A quarter of the scenarios
// start with a rush on a basket's table in its first 20 s.
func GenScenario() *rapid.Generator[Scenario] {
	tables := smartromock.DefaultTables()[:3]
	refs := make([]smartro.TableRef, len(tables))
	for i, t := range tables {
		refs[i] = t.Ref()
	}
	return rapid.Custom(func(t *rapid.T) Scenario {
		sc := Scenario{
			Menu:            GenCatalog().Draw(t, "menu"),
			DeliveryDelay:   rapid.SampledFrom([]time.Duration{500 * time.Millisecond, 2 * time.Second, 10 * time.Second, 45 * time.Second, 75 * time.Second}).Draw(t, "deliveryDelay"),
			RestartDowntime: rapid.SampledFrom([]time.Duration{0, 10 * time.Second, 45 * time.Second, 90 * time.Second}).Draw(t, "downtime"),
			AnswerLatency:   rapid.SampledFrom([]time.Duration{0, 0, 0, time.Second, 3 * time.Second, 7 * time.Second}).Draw(t, "latency"),
		}
		for i, n := 0, rapid.IntRange(1, 4).Draw(t, "baskets"); i < n; i++ {
			b := ScenarioBasket{
				MerchantOrderNo: fmt.Sprintf("PK%d", i+1),
				Table:           rapid.SampledFrom(refs).Draw(t, "table"),
				Basket:          GenBasket(sc.Menu).Draw(t, "basket"),
				Start:           time.Duration(rapid.IntRange(0, 30).Draw(t, "start")) * time.Second,
				DeliveryDelay:   rapid.SampledFrom([]time.Duration{0, 0, time.Second, 30 * time.Second, 59 * time.Second, 60 * time.Second, 61 * time.Second, 120 * time.Second}).Draw(t, "basketDelay"),
			}
			if rapid.IntRange(0, 3).Draw(t, "prepaid") == 0 {
				b.Payments = GenPaymentSplit(b.Basket.Amount()).Draw(t, "payments")
			}
			sc.Baskets = append(sc.Baskets, b)
		}
		kinds := []EventKind{EventOccupy, EventPOSPayment, EventRestart, EventAgentOffline, EventBusinessDayOff,
			EventFailNextDelivery, EventLoseNextAnswer, EventGarbleNextAnswer, EventRefuseOccupied, EventTableRush}
		if rapid.IntRange(0, 3).Draw(t, "rush") == 0 {
			b := rapid.SampledFrom(sc.Baskets).Draw(t, "rushBasket")
			sc.Events = append(sc.Events, Event{
				At:   b.Start + time.Duration(rapid.IntRange(0, 20).Draw(t, "rushAfter"))*time.Second,
				Kind: EventTableRush, Table: b.Table, N: rapid.IntRange(smartromock.TableLookupLimit, smartromock.TableLookupLimit+2).Draw(t, "rushN"),
			})
		}
		for i, n := 0, rapid.IntRange(0, 6).Draw(t, "events"); i < n; i++ {
			e := Event{
				At:   time.Duration(rapid.IntRange(0, 120).Draw(t, "at")) * time.Second,
				Kind: rapid.SampledFrom(kinds).Draw(t, "kind"),
			}
			switch e.Kind {
			case EventOccupy, EventPOSPayment:
				e.Table = rapid.SampledFrom(refs).Draw(t, "eventTable")
				e.For = time.Duration(rapid.IntRange(1, 40).Draw(t, "for")) * time.Second
			case EventAgentOffline, EventBusinessDayOff:
				e.For = time.Duration(rapid.IntRange(1, 90).Draw(t, "for")) * time.Second
			case EventLoseNextAnswer, EventGarbleNextAnswer, EventRefuseOccupied:
				e.Op = rapid.SampledFrom([]string{smartromock.OpNewOrder, smartromock.OpNewOrder, smartromock.OpAdditionalOrder, smartromock.OpTableOrders}).Draw(t, "op")
			case EventTableRush:
				e.Table = rapid.SampledFrom(refs).Draw(t, "eventTable")
				e.N = rapid.IntRange(smartromock.TableLookupLimit, smartromock.TableLookupLimit+2).Draw(t, "rushN")
			}
			sc.Events = append(sc.Events, e)
		}
		return sc
	})
}

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

// String summarises the scenario (for failure messages).
func (sc Scenario) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "delay=%v downtime=%v latency=%v baskets=[", sc.DeliveryDelay, sc.RestartDowntime, sc.AnswerLatency)
	for i, k := range sc.Baskets {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s@%v table=%s won=%d", k.MerchantOrderNo, k.Start, k.Table, k.Basket.Amount())
		if len(k.Payments) > 0 {
			fmt.Fprintf(&b, " prepaid×%d", len(k.Payments))
		}
		if k.DeliveryDelay > 0 {
			fmt.Fprintf(&b, " delay=%v", k.DeliveryDelay)
		}
	}
	b.WriteString("] events=[")
	for i, e := range sc.Events {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%v@%v", e.Kind, e.At)
		if e.Table.FloorCode != "" {
			fmt.Fprintf(&b, ":%s", e.Table)
		}
		if e.For > 0 {
			fmt.Fprintf(&b, "+%v", e.For)
		}
		if e.Op != "" {
			fmt.Fprintf(&b, ":%s", e.Op)
		}
		if e.N > 0 {
			fmt.Fprintf(&b, "×%d", e.N)
		}
	}
	b.WriteString("]")
	return b.String()
}
