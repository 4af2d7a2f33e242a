package smartroprop

import (
	"fmt"
	"strings"
	"time"

	"github.com/poskit/poskit/mock/smartromock"
	"github.com/poskit/poskit/smartro"
	"pgregory.net/rapid"
)

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
