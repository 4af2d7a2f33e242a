package smartromock

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	wire "github.com/poskit/poskit/internal/smartrowire"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/smartro"
)

func TestTablesAndMenu(t *testing.T) {
	s := newTestServer(t)
	var tables wire.TablesAnswer
	ok(t, s, wire.PathTables, storeReq(s), &tables)
	want := DefaultTables()
	if len(tables.TableList) != len(want) {
		t.Fatalf("tables: %d, want %d", len(tables.TableList), len(want))
	}
	for i, w := range want {
		g := tables.TableList[i]
		if g.FloorCode != w.FloorCode || g.TableCode != w.TableCode || g.TableName != w.TableName || g.FloorName != w.FloorName {
			t.Errorf("table %d = %+v, want %+v", i, g, w)
		}
	}

	var menu wire.MenuAnswer
	ok(t, s, wire.PathMenu, storeReq(s), &menu)
	if len(menu) != 1 || len(menu[0].Groups) != 2 {
		t.Fatalf("menu shape %+v", menu)
	}
	prices := map[string]wire.Num{}
	flags := map[string]string{}
	addOns := map[string]int{}
	for _, g := range menu[0].Groups {
		for _, it := range g.Items {
			prices[it.ID] = it.Price
			flags[it.ID] = it.UseFlag
			for _, ag := range it.AddOnGroups {
				addOns[it.ID] += len(ag.AddOns)
			}
		}
	}
	for id, p := range map[string]wire.Num{ItemAmericano: 4500, ItemCafeLatte: 5000, ItemVanillaLatte: 5500, ItemCheesecake: 6500, ItemCroissant: 4000} {
		if prices[id] != p || flags[id] != wire.FlagYes {
			t.Errorf("item %s: price %d flag %q, want %d Y", id, prices[id], flags[id], p)
		}
	}
	if flags[ItemColdBrew] != wire.FlagNo {
		t.Errorf("inactive item flag %q", flags[ItemColdBrew])
	}
	if addOns[ItemAmericano] != 4 || addOns[ItemCheesecake] != 0 {
		t.Errorf("add-ons %v", addOns)
	}

	// Replacing tables and menu shows in the answers.
	s.SetTables([]smartro.Table{{FloorCode: "9", FloorName: "테라스", TableCode: "T1", TableName: "T1"}})
	ok(t, s, wire.PathTables, storeReq(s), &tables)
	if len(tables.TableList) != 1 || tables.TableList[0].FloorCode != "9" {
		t.Errorf("after SetTables: %+v", tables.TableList)
	}
	m := &smartro.Menu{Groups: []smartro.ItemGroup{{Code: "X", Name: "X", Active: true, Items: []smartro.Item{{ID: "X1", Name: "x", Price: 1, Active: true}}}}}
	s.SetMenu(m)
	m.Groups[0].Items[0].Price = 999 // the server keeps its own copy
	ok(t, s, wire.PathMenu, storeReq(s), &menu)
	if len(menu[0].Groups) != 1 || menu[0].Groups[0].Items[0].Price != 1 {
		t.Errorf("after SetMenu: %+v", menu)
	}
}

func TestMenuState(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk))
	upd := s.MenuUpdated()
	ask := func(check string) wire.MenuStateAnswer {
		t.Helper()
		var a wire.MenuStateAnswer
		ok(t, s, wire.PathMenuState, wire.MenuStateRequest{StoreID: s.StoreID(), ServiceID: s.ServiceID(), CheckTime: check}, &a)
		return a
	}
	f := func(t time.Time) string { return t.In(kst).Format(wire.DateTimeLayout) }
	cases := []struct {
		check string
		want  string
	}{
		{"", wire.FlagYes},
		{f(upd.Add(-time.Second)), wire.FlagYes},
		{f(upd), wire.FlagNo},
		{f(upd.Add(time.Hour)), wire.FlagNo},
	}
	for _, c := range cases {
		a := ask(c.check)
		if a.Updated != c.want || a.UpdateTime != f(upd) {
			t.Errorf("check %q: %+v, want %s at %s", c.check, a, c.want, f(upd))
		}
	}
	later := upd.Add(2 * time.Hour)
	s.SetMenuUpdated(later)
	if a := ask(f(upd.Add(time.Hour))); a.Updated != wire.FlagYes || a.UpdateTime != f(later) {
		t.Errorf("after SetMenuUpdated: %+v", a)
	}
	clk.Advance(3 * time.Hour)
	s.SetMenu(DefaultMenu())
	if a := ask(f(later)); a.Updated != wire.FlagYes || a.UpdateTime != f(clk.Now()) {
		t.Errorf("after SetMenu: %+v", a)
	}
	if code := refused(t, s, wire.PathMenuState, wire.MenuStateRequest{StoreID: s.StoreID(), ServiceID: s.ServiceID(), CheckTime: "yesterday"}); code != smartro.CodeInvalidRequest {
		t.Errorf("bad check time: %s", code)
	}
}

// Every route checks STORE_ID and SERVICE_ID, and refuses malformed bodies.
func TestStoreIdentityOnEveryRoute(t *testing.T) {
	s := newTestServer(t)
	paths := []string{wire.PathTables, wire.PathMenuState, wire.PathMenu, wire.PathOrderNew,
		wire.PathOrderAdd, wire.PathTableOrders, wire.PathStoreOrders, wire.PathOrderCancel}
	for _, p := range paths {
		for _, ids := range [][2]string{{"", ""}, {"WRONG", s.ServiceID()}, {s.StoreID(), "WRONG"}, {s.ServiceID(), s.StoreID()}} {
			body := map[string]any{"STORE_ID": ids[0], "SERVICE_ID": ids[1], "FLR_CODE": "1", "TBL_CODE": "01", "MCHT_ORDERNO": "M1"}
			if code := refused(t, s, p, body); code != smartro.CodeUnknownStore {
				t.Errorf("%s ids %v: %s, want %s", p, ids, code, smartro.CodeUnknownStore)
			}
		}
		if code := refused(t, s, p, []byte(`{"STORE_ID":`)); code != smartro.CodeInvalidRequest {
			t.Errorf("%s malformed: %s", p, code)
		}
	}
	if got := len(s.Orders()); got != 0 {
		t.Errorf("%d orders created", got)
	}
	// Every request was recorded under its operation.
	ops := map[string]int{}
	for _, r := range s.Requests() {
		ops[r.Op]++
	}
	for _, op := range []string{OpTables, OpMenuChanged, OpMenu, OpNewOrder, OpAdditionalOrder, OpTableOrders, OpStoreOrders, OpReturnOrder} {
		if ops[op] != 5 {
			t.Errorf("op %s recorded %d times, want 5", op, ops[op])
		}
	}
	// GET and unknown paths are not routes.
	resp, err := s.HTTPClient().Get(s.URL() + wire.PathTables)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET: HTTP %d", resp.StatusCode)
	}
}

func TestOrderRejections(t *testing.T) {
	type setup func(s *Server, w *wire.OrderRequest)
	cases := []struct {
		name  string
		order func() *smartro.Order
		setup setup
		code  string
	}{
		{"agent offline", nil, func(s *Server, _ *wire.OrderRequest) { s.SetAgentOnline(false) }, smartro.CodeAgentOffline},
		{"business day closed", nil, func(s *Server, _ *wire.OrderRequest) { s.SetBusinessDay(false) }, smartro.CodeBusinessDayClosed},
		{"occupied by screen", nil, func(s *Server, _ *wire.OrderRequest) { s.Occupy(t1.FloorCode, t1.TableCode) }, smartro.CodeOccupied},
		{"occupied by payment", nil, func(s *Server, _ *wire.OrderRequest) { s.StartPOSPayment(t1.FloorCode, t1.TableCode) }, smartro.CodeOccupied},
		{"unknown table", nil, func(_ *Server, w *wire.OrderRequest) { w.TableCode = "99" }, smartro.CodeUnknownTable},
		{"no merchant order number", nil, func(_ *Server, w *wire.OrderRequest) { w.MerchantOrderNo = "" }, smartro.CodeInvalidRequest},
		{"line amount", nil, func(_ *Server, w *wire.OrderRequest) { w.Items[0].SaleAmount++ }, smartro.CodeInvalidRequest},
		{"original amount", nil, func(_ *Server, w *wire.OrderRequest) { w.OriginalAmount++; w.PayAmount++ }, smartro.CodeInvalidRequest},
		{"pay amount", nil, func(_ *Server, w *wire.OrderRequest) { w.PayAmount-- }, smartro.CodeInvalidRequest},
		{"postpaid with payments", nil, func(_ *Server, w *wire.OrderRequest) {
			w.Pays = []wire.Pay{{PayType: "cash", Amount: w.PayAmount}}
		}, smartro.CodeInvalidRequest},
		{"unknown item", func() *smartro.Order {
			o := basket("M", t1)
			o.Lines[1] = line("NOPE", 6500, 1)
			return o
		}, nil, smartro.CodeUnknownItem},
		{"inactive item", func() *smartro.Order {
			o := basket("M", t1)
			o.Lines[1] = line(ItemColdBrew, 5000, 1)
			return o
		}, nil, smartro.CodeInactiveItem},
		{"add-on of another item", func() *smartro.Order {
			o := basket("M", t1)
			o.Lines[1] = line(ItemVanillaLatte, 5500, 1, addOn(GroupSyrup, AddOnVanilla, 500))
			return o
		}, nil, smartro.CodeUnknownAddOn},
		{"add-on of another group", func() *smartro.Order {
			o := basket("M", t1)
			o.Lines[0].AddOns[0].GroupCode = GroupSize
			return o
		}, nil, smartro.CodeUnknownAddOn},
		{"add-on on item without add-ons", func() *smartro.Order {
			o := basket("M", t1)
			o.Lines[1].AddOns = []smartro.LineAddOn{addOn(GroupShot, AddOnShot, 500)}
			return o
		}, nil, smartro.CodeUnknownAddOn},
		{"item price", func() *smartro.Order {
			o := basket("M", t1)
			o.Lines[1].Price = 6000
			return o
		}, nil, smartro.CodePriceMismatch},
		{"add-on price", func() *smartro.Order {
			o := basket("M", t1)
			o.Lines[0].AddOns[0].Price = 0
			return o
		}, nil, smartro.CodePriceMismatch},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestServer(t)
			o := basket("M", t1)
			if c.order != nil {
				o = c.order()
			}
			w := reqOf(t, s, o, "")
			if c.setup != nil {
				c.setup(s, w)
			}
			if code := refused(t, s, wire.PathOrderNew, w); code != c.code {
				t.Errorf("code %s, want %s", code, c.code)
			}
			if n := len(s.Orders()); n != 0 {
				t.Errorf("%d orders created by a refused request", n)
			}
			seen[c.code] = true
		})
	}
	if len(seen) != 9 {
		t.Errorf("distinct codes %v", seen)
	}
}

func TestOccupancyReleased(t *testing.T) {
	s := newTestServer(t)
	s.Occupy(t1.FloorCode, t1.TableCode)
	s.StartPOSPayment(t1.FloorCode, t1.TableCode)
	w := reqOf(t, s, basket("M1", t1), "")
	if !s.Occupied(t1.FloorCode, t1.TableCode) || s.Occupied(t2.FloorCode, t2.TableCode) {
		t.Fatal("Occupied")
	}
	// Another table is not occupied.
	place(t, s, basket("M2", t2))
	s.Release(t1.FloorCode, t1.TableCode)
	if code := refused(t, s, wire.PathOrderNew, w); code != smartro.CodeOccupied {
		t.Fatalf("payment still in progress: %s", code)
	}
	s.FinishPOSPayment(t1.FloorCode, t1.TableCode)
	ok(t, s, wire.PathOrderNew, w, nil)
	if s.Occupied(t1.FloorCode, t1.TableCode) {
		t.Error("still occupied")
	}
}

func TestBusinessDayAndAgentReopen(t *testing.T) {
	s := newTestServer(t)
	s.SetBusinessDay(false)
	s.SetAgentOnline(false)
	w := reqOf(t, s, basket("M1", t1), "")
	if code := refused(t, s, wire.PathOrderNew, w); code != smartro.CodeAgentOffline {
		t.Errorf("both: %s", code)
	}
	// Lookups are answered while the agent is offline.
	lookup(t, s, t1)
	s.SetAgentOnline(true)
	if code := refused(t, s, wire.PathOrderNew, w); code != smartro.CodeBusinessDayClosed {
		t.Errorf("day closed: %s", code)
	}
	s.SetBusinessDay(true)
	place(t, s, basket("M1", t1))
}

func TestDeliveryDelayAndLookup(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk), WithDeliveryDelay(3*time.Second))
	start := clk.Now()
	ans := place(t, s, basket("M1", t1))
	if ans.OrgOrderNo != ans.OrderNo || ans.POSOrderNo != "" {
		t.Errorf("answer %+v", ans)
	}
	e := find(lookup(t, s, t1), ans.OrderNo)
	if e == nil || e.Status != "" || e.SuccessFlag != "" || e.POSOrderNo != "" || e.MerchantOrderNo != "M1" {
		t.Fatalf("pending entry %+v", e)
	}
	if e.OrderDate != start.In(kst).Format(wire.DateLayout) || e.OrderTime != start.In(kst).Format(wire.TimeLayout) ||
		e.PayAmount != 16500 || e.OriginalAmount != 16500 || len(e.Items) != 2 || e.FloorCode != "1" {
		t.Errorf("pending entry fields %+v", e)
	}
	clk.Advance(3*time.Second - time.Nanosecond)
	if e := find(lookup(t, s, t1), ans.OrderNo); e == nil || e.SuccessFlag != "" {
		t.Fatalf("delivered early: %+v", e)
	}
	clk.Advance(time.Nanosecond)
	e = find(lookup(t, s, t1), ans.OrderNo)
	if e == nil || e.Status != string(smartro.StatusReceived) || e.SuccessFlag != wire.FlagYes || e.POSOrderNo == "" || e.StatusName == "" {
		t.Fatalf("delivered entry %+v", e)
	}
	o, _ := s.Order(ans.OrderNo)
	if !o.InPOS() || !o.DeliveredAt.Equal(start.Add(3*time.Second)) || o.Status != smartro.StatusReceived {
		t.Errorf("order %+v", o)
	}
	// Delivered orders stay listed well after 60 s.
	clk.Advance(10 * time.Minute)
	if find(lookup(t, s, t1), ans.OrderNo) == nil {
		t.Error("delivered order left the lookup")
	}
}

func TestPerOrderDeliveryDelay(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk), WithDeliveryDelay(time.Second))
	s.SetDeliveryDelay("SLOW", 30*time.Second) // before the order exists
	slow := place(t, s, basket("SLOW", t1))
	fast := place(t, s, basket("FAST", t1))
	late := place(t, s, basket("LATE", t2))
	s.SetDeliveryDelay("LATE", 90*time.Second) // after acceptance
	clk.Advance(time.Second)
	state := func(no string) Delivery { o, _ := s.Order(no); return o.Delivery }
	if state(fast.OrderNo) != DeliveryDelivered || state(slow.OrderNo) != DeliveryPending || state(late.OrderNo) != DeliveryPending {
		t.Fatalf("at 1s: fast %s slow %s late %s", state(fast.OrderNo), state(slow.OrderNo), state(late.OrderNo))
	}
	clk.Advance(29 * time.Second)
	if state(slow.OrderNo) != DeliveryDelivered {
		t.Errorf("slow at 30s: %s", state(slow.OrderNo))
	}
	clk.Advance(30 * time.Second)
	if state(late.OrderNo) != DeliveryExpired {
		t.Errorf("late at 60s: %s", state(late.OrderNo))
	}
	// A default change applies to orders accepted afterwards.
	s.SetDefaultDeliveryDelay(5 * time.Second)
	next := place(t, s, basket("NEXT", t2))
	clk.Advance(4 * time.Second)
	if state(next.OrderNo) != DeliveryPending {
		t.Errorf("next at 4s: %s", state(next.OrderNo))
	}
	clk.Advance(time.Second)
	if state(next.OrderNo) != DeliveryDelivered {
		t.Errorf("next at 5s: %s", state(next.OrderNo))
	}
}

// The 60 s rule: an order not delivered within 60 s of acceptance is never sent to the POS
// and leaves the lookup at 60 s.
func TestSixtySecondRule(t *testing.T) {
	for _, c := range []struct {
		delay     time.Duration
		delivered bool
	}{
		{59 * time.Second, true},
		{60*time.Second - time.Millisecond, true},
		{60 * time.Second, false},
		{61 * time.Second, false},
		{10 * time.Minute, false},
	} {
		t.Run(c.delay.String(), func(t *testing.T) {
			clk := mock.NewClock(time.Time{})
			s := newTestServer(t, WithClock(clk), WithDeliveryDelay(c.delay))
			ans := place(t, s, basket("M1", t1))
			clk.Advance(Expiry - time.Millisecond)
			if find(lookup(t, s, t1), ans.OrderNo) == nil {
				t.Fatal("order not listed before 60 s")
			}
			clk.Advance(time.Millisecond)
			e := find(lookup(t, s, t1), ans.OrderNo)
			if c.delivered != (e != nil) {
				t.Fatalf("at 60 s listed=%v, want %v", e != nil, c.delivered)
			}
			clk.Advance(20 * time.Minute)
			o, _ := s.Order(ans.OrderNo)
			if o.InPOS() != c.delivered || (!c.delivered && o.Delivery != DeliveryExpired) {
				t.Errorf("order %s in POS=%v", o.Delivery, o.InPOS())
			}
			if !c.delivered && find(lookup(t, s, t1), ans.OrderNo) != nil {
				t.Error("expired order listed again")
			}
			if !o.ExpiresAt.Equal(o.AcceptedAt.Add(Expiry)) {
				t.Errorf("ExpiresAt %v", o.ExpiresAt)
			}
		})
	}
}

func TestFailNextDelivery(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk))
	s.FailNextDelivery()
	bad := place(t, s, basket("BAD", t1))
	good := place(t, s, basket("GOOD", t1))
	clk.Advance(DefaultDeliveryDelay)
	list := lookup(t, s, t1)
	if e := find(list, bad.OrderNo); e == nil || e.SuccessFlag != wire.FlagNo || e.Status != "" || e.POSOrderNo != "" {
		t.Errorf("failed entry %+v", e)
	}
	if e := find(list, good.OrderNo); e == nil || e.SuccessFlag != wire.FlagYes {
		t.Errorf("next order %+v", e)
	}
	clk.Advance(Expiry)
	if find(lookup(t, s, t1), bad.OrderNo) != nil {
		t.Error("failed order listed after 60 s")
	}
	if o, _ := s.Order(bad.OrderNo); o.Delivery != DeliveryExpired || o.InPOS() {
		t.Errorf("failed order %s", o.Delivery)
	}
}

func TestAgentOfflineDelaysDelivery(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk), WithDeliveryDelay(2*time.Second))
	a := place(t, s, basket("A", t1))
	b := place(t, s, basket("B", t2))
	s.SetAgentOnline(false)
	clk.Advance(10 * time.Second)
	if e := find(lookup(t, s, t1), a.OrderNo); e == nil || e.SuccessFlag != wire.FlagNo {
		t.Fatalf("while offline: %+v", e)
	}
	if s.AgentOnline() {
		t.Fatal("AgentOnline")
	}
	s.SetAgentOnline(true)
	o, _ := s.Order(a.OrderNo)
	if !o.InPOS() || !o.DeliveredAt.Equal(clk.Now()) {
		t.Fatalf("after reconnect: %+v", o)
	}
	// Offline past 60 s: dropped.
	clk.Advance(time.Second)
	c := place(t, s, basket("C", t1))
	s.SetAgentOnline(false)
	clk.Advance(Expiry)
	s.SetAgentOnline(true)
	if o, _ := s.Order(c.OrderNo); o.Delivery != DeliveryExpired {
		t.Errorf("offline past 60 s: %s", o.Delivery)
	}
	_ = b
}

func TestRestart(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk), WithDeliveryDelay(5*time.Second), WithRestartDowntime(30*time.Second))
	a := place(t, s, basket("A", t1))
	s.Occupy(t2.FloorCode, t2.TableCode)
	s.Restart()
	if s.AgentOnline() || s.Restarts() != 1 {
		t.Fatal("agent online during restart")
	}
	if code := refused(t, s, wire.PathOrderNew, reqOf(t, s, basket("B", t1), "")); code != smartro.CodeAgentOffline {
		t.Errorf("during restart: %s", code)
	}
	// De-duplication survives the restart (and answers even while the agent is down).
	var again wire.OrderAnswer
	ok(t, s, wire.PathOrderNew, reqOf(t, s, basket("A", t1), ""), &again)
	if again.OrderNo != a.OrderNo {
		t.Errorf("de-dupe across restart: %s vs %s", again.OrderNo, a.OrderNo)
	}
	clk.Advance(30*time.Second - time.Millisecond)
	if o, _ := s.Order(a.OrderNo); o.InPOS() {
		t.Fatal("delivered while the agent was down")
	}
	clk.Advance(time.Millisecond)
	o, _ := s.Order(a.OrderNo)
	if !o.InPOS() || !o.DeliveredAt.Equal(o.AcceptedAt.Add(30*time.Second)) {
		t.Fatalf("after restart: %+v", o)
	}
	if !s.AgentOnline() || !s.Occupied(t2.FloorCode, t2.TableCode) {
		t.Error("agent not back, or POS occupancy lost")
	}
	// A downtime past 60 s drops the order; orders are accepted again afterwards.
	b := place(t, s, basket("B", t1))
	s.Restart()
	clk.Advance(20 * time.Second)
	s.Restart() // restarted again while down: back 30 s from now
	clk.Advance(20 * time.Second)
	s.Restart()
	clk.Advance(30 * time.Second)
	if o, _ := s.Order(b.OrderNo); o.Delivery != DeliveryExpired {
		t.Errorf("long downtime: %s", o.Delivery)
	}
	place(t, s, basket("C", t1))
	if s.Restarts() != 4 {
		t.Errorf("Restarts %d", s.Restarts())
	}
	// Without downtime a restart brings an offline agent back at once.
	s2 := newTestServer(t)
	s2.SetAgentOnline(false)
	s2.Restart()
	if !s2.AgentOnline() {
		t.Error("Restart did not bring the agent online")
	}
}

func TestMerchantOrderNoDeduplicates(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk), WithDeliveryDelay(2*Expiry))
	first := place(t, s, basket("M1", t1))
	// The same MCHT_ORDERNO, even with another basket, answers the same order.
	other := basket("M1", t1)
	other.Lines = other.Lines[:1]
	second := place(t, s, other)
	if second != first {
		t.Errorf("repeat answered %+v, first %+v", second, first)
	}
	if n := len(s.Orders()); n != 1 {
		t.Fatalf("%d orders after a repeat", n)
	}
	// Another table under the same number is refused.
	if code := refused(t, s, wire.PathOrderNew, reqOf(t, s, basket("M1", t2), "")); code != smartro.CodeInvalidRequest {
		t.Errorf("reuse on another table: %s", code)
	}
	// After expiry the number is free: a new order.
	clk.Advance(Expiry)
	third := place(t, s, basket("M1", t1))
	if third.OrderNo == first.OrderNo {
		t.Error("expired order answered again")
	}
	os := s.Orders()
	if len(os) != 2 || os[0].Delivery != DeliveryExpired || os[1].Delivery != DeliveryPending {
		t.Errorf("orders %+v", os)
	}
}

// DropAnswer accepts the order and loses the answer; the repeat finds the same order.
func TestDropAnswerAppliesOrder(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk))
	s.Faults().Inject(OpNewOrder, mock.Fault{Kind: mock.DropAnswer})
	if _, _, err := rawPost(t, s, wire.PathOrderNew, reqOf(t, s, basket("M1", t1), "")); err == nil {
		t.Fatal("an answer arrived")
	}
	os := s.Orders()
	if len(os) != 1 || os[0].MerchantOrderNo != "M1" {
		t.Fatalf("orders after a lost answer: %+v", os)
	}
	list := lookup(t, s, t1)
	if len(list) != 1 || list[0].MerchantOrderNo != "M1" || list[0].OrderNo != os[0].OrderNo {
		t.Errorf("lookup after a lost answer: %+v", list)
	}
	again := place(t, s, basket("M1", t1))
	if again.OrderNo != os[0].OrderNo || len(s.Orders()) != 1 {
		t.Errorf("repeat created another order: %+v", again)
	}
	clk.Advance(DefaultDeliveryDelay)
	if o, _ := s.Order(again.OrderNo); !o.InPOS() {
		t.Error("lost-answer order not delivered")
	}
}

func TestAdditionalOrders(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk))
	root := place(t, s, basket("R", t1))
	// Not on the POS yet.
	if code := refused(t, s, wire.PathOrderAdd, reqOf(t, s, basket("A0", t1), root.OrderNo)); code != smartro.CodeAddNotAllowed {
		t.Errorf("add to pending: %s", code)
	}
	clk.Advance(DefaultDeliveryDelay)
	add := addTo(t, s, root.OrderNo, basket("A1", t1))
	if add.OrgOrderNo != root.OrderNo || add.OrderNo == root.OrderNo {
		t.Errorf("add answer %+v", add)
	}
	// Adding to an additional order's number adds to its table order.
	clk.Advance(DefaultDeliveryDelay)
	add2 := addTo(t, s, add.OrderNo, basket("A2", t1))
	if add2.OrgOrderNo != root.OrderNo {
		t.Errorf("add via add: %+v", add2)
	}
	clk.Advance(DefaultDeliveryDelay)
	list := lookup(t, s, t1)
	if e := find(list, add.OrderNo); e == nil || e.OrgOrderNo != root.OrderNo || e.SuccessFlag != wire.FlagYes {
		t.Errorf("add in lookup %+v", e)
	}
	if len(list) != 3 || list[0].OrderNo != add2.OrderNo || list[2].OrderNo != root.OrderNo {
		t.Errorf("lookup order %+v", list)
	}
	// Done (069) still takes additional orders.
	if err := s.POSComplete(root.OrderNo); err != nil {
		t.Fatal(err)
	}
	addTo(t, s, root.OrderNo, basket("A3", t1))

	refusals := []struct {
		name string
		org  string
		o    *smartro.Order
		w    func(*wire.OrderRequest)
		code string
	}{
		{"unknown org", "NOPE", basket("X1", t1), nil, smartro.CodeUnknownOrder},
		{"no org", "", basket("X2", t1), nil, smartro.CodeInvalidRequest},
		{"other table", root.OrderNo, basket("X3", t2), nil, smartro.CodeInvalidRequest},
		{"prepaid", root.OrderNo, basket("X4", t1), func(w *wire.OrderRequest) {
			w.Prepaid = wire.FlagYes
			w.Pays = []wire.Pay{{PayType: "card", Cancelled: "N", TerminalID: "T", AuthNo: "1", Amount: w.PayAmount}}
		}, smartro.CodeInvalidRequest},
	}
	for _, c := range refusals {
		w := reqOf(t, s, c.o, "X")
		w.OrgOrderNo = c.org
		if c.w != nil {
			c.w(w)
		}
		if code := refused(t, s, wire.PathOrderAdd, w); code != c.code {
			t.Errorf("%s: %s, want %s", c.name, code, c.code)
		}
	}
	for _, st := range []func(string) error{s.POSCancel, s.POSReturn, s.POSPaid} {
		r := place(t, s, basket("R"+time.Duration(len(s.Orders())).String(), t2))
		clk.Advance(DefaultDeliveryDelay)
		if err := st(r.OrderNo); err != nil {
			t.Fatal(err)
		}
		if code := refused(t, s, wire.PathOrderAdd, reqOf(t, s, basket("Y"+r.OrderNo, t2), r.OrderNo)); code != smartro.CodeAddNotAllowed {
			t.Errorf("add to closed table order: %s", code)
		}
	}
	// Expired table order.
	s.SetDefaultDeliveryDelay(2 * Expiry)
	gone := place(t, s, basket("GONE", t2))
	clk.Advance(Expiry)
	if code := refused(t, s, wire.PathOrderAdd, reqOf(t, s, basket("Z", t2), gone.OrderNo)); code != smartro.CodeOrderExpired {
		t.Errorf("add to expired: %s", code)
	}
}

func TestPOSStatusCodes(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk))
	calls := []struct {
		f    func(string) error
		want smartro.OrderStatus
	}{
		{s.POSComplete, smartro.StatusDone},
		{s.POSCancel, smartro.StatusCancelled},
		{s.POSReturn, smartro.StatusReturned},
		{s.POSPaid, smartro.StatusPaid},
	}
	for i, c := range calls {
		ans := place(t, s, basket("M"+string(rune('0'+i)), t1))
		if err := c.f(ans.OrderNo); err == nil {
			t.Errorf("POS call on a pending order succeeded")
		}
		clk.Advance(DefaultDeliveryDelay)
		if e := find(lookup(t, s, t1), ans.OrderNo); e == nil || e.Status != string(smartro.StatusReceived) {
			t.Fatalf("delivered status %+v", e)
		}
		if err := c.f(ans.OrderNo); err != nil {
			t.Fatal(err)
		}
		e := find(lookup(t, s, t1), ans.OrderNo)
		if e == nil || e.Status != string(c.want) || e.StatusName != statusNames[c.want] {
			t.Errorf("after POS call: %+v, want %s", e, c.want)
		}
	}
	if err := s.POSComplete("NOPE"); err == nil {
		t.Error("POS call on an unknown order succeeded")
	}
	// FinishPOSPayment pays the table's open orders.
	a := place(t, s, basket("P1", t2))
	clk.Advance(DefaultDeliveryDelay)
	s.StartPOSPayment(t2.FloorCode, t2.TableCode)
	s.FinishPOSPayment(t2.FloorCode, t2.TableCode)
	if o, _ := s.Order(a.OrderNo); o.Status != smartro.StatusPaid {
		t.Errorf("after FinishPOSPayment: %s", o.Status)
	}
}

func TestLookupLimits(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk))
	var nos []string
	for i := 0; i < 12; i++ {
		nos = append(nos, place(t, s, basket("T1-"+string(rune('a'+i)), t1)).OrderNo)
		clk.Advance(time.Second)
	}
	for i := 0; i < 3; i++ {
		place(t, s, basket("T2-"+string(rune('a'+i)), t2))
	}
	list := lookup(t, s, t1)
	if len(list) != TableLookupLimit {
		t.Fatalf("table lookup %d orders", len(list))
	}
	for i, e := range list {
		if e.OrderNo != nos[11-i] {
			t.Errorf("entry %d = %s, want %s (newest first)", i, e.OrderNo, nos[11-i])
		}
	}
	var all wire.OrderList
	ok(t, s, wire.PathStoreOrders, storeReq(s), &all)
	per := map[string]int{}
	for _, e := range all.Orders {
		per[e.FloorCode+"/"+e.TableCode]++
	}
	if len(all.Orders) != 8 || per["1/01"] != StoreLookupLimit || per["1/02"] != 3 {
		t.Errorf("store lookup per table %v", per)
	}
	if code := refused(t, s, wire.PathTableOrders, wire.TableOrdersRequest{StoreID: s.StoreID(), ServiceID: s.ServiceID(), FloorCode: "7", TableCode: "7"}); code != smartro.CodeUnknownTable {
		t.Errorf("unknown table lookup: %s", code)
	}
}

func TestReturnRequest(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk))
	pre := basket("PRE", t1)
	pre.Settlement = smartro.Prepaid{Payments: []smartro.Payment{
		{Kind: smartro.PayCard, Amount: 10000, Card: &smartro.CardApproval{TerminalID: "CAT1", AuthNo: "A1", CardNo: "123456******1234"}},
		{Kind: smartro.PayCash, Amount: 6500, Cash: &smartro.CashPayment{StaffConfirmed: true}},
	}}
	ans := place(t, s, pre)
	ret := func(org string, pays ...wire.Pay) wire.CancelRequest {
		return wire.CancelRequest{StoreID: s.StoreID(), ServiceID: s.ServiceID(), OrgOrderNo: org, Pays: pays}
	}
	full := []wire.Pay{{PayType: "card", Cancelled: "Y", Amount: 10000}, {PayType: "cash", Cancelled: "Y", Amount: 6500}}
	if code := refused(t, s, wire.PathOrderCancel, ret(ans.OrderNo, full...)); code != smartro.CodeUnknownOrder {
		t.Errorf("return of a pending order: %s", code)
	}
	clk.Advance(DefaultDeliveryDelay)
	e := find(lookup(t, s, t1), ans.OrderNo)
	if e == nil || e.Prepaid != wire.FlagYes || len(e.Pays) != 2 || e.Pays[0].CardNo != "123456******1234" {
		t.Fatalf("prepaid entry %+v", e)
	}
	cases := []struct {
		name string
		req  wire.CancelRequest
		code string
	}{
		{"unknown", ret("NOPE"), smartro.CodeUnknownOrder},
		{"no org", ret(""), smartro.CodeInvalidRequest},
		{"not cancelled flag", ret(ans.OrderNo, wire.Pay{PayType: "card", Cancelled: "N", Amount: 16500}), smartro.CodeInvalidRequest},
		{"partial", ret(ans.OrderNo, full[0]), smartro.CodeInvalidRequest},
	}
	for _, c := range cases {
		if code := refused(t, s, wire.PathOrderCancel, c.req); code != c.code {
			t.Errorf("%s: %s, want %s", c.name, code, c.code)
		}
	}
	s.SetAgentOnline(false)
	if code := refused(t, s, wire.PathOrderCancel, ret(ans.OrderNo, full...)); code != smartro.CodeAgentOffline {
		t.Errorf("offline: %s", code)
	}
	s.SetAgentOnline(true)
	ok(t, s, wire.PathOrderCancel, ret(ans.OrderNo, full...), nil)
	if e := find(lookup(t, s, t1), ans.OrderNo); e == nil || e.Status != string(smartro.StatusReturned) {
		t.Errorf("after return: %+v", e)
	}
	ok(t, s, wire.PathOrderCancel, ret(ans.OrderNo, full...), nil) // idempotent
	// Cancelled on the POS: not returnable. Expired: PKT_ORDER_EXPIRED.
	post := place(t, s, basket("POST", t2))
	clk.Advance(DefaultDeliveryDelay)
	_ = s.POSCancel(post.OrderNo)
	if code := refused(t, s, wire.PathOrderCancel, ret(post.OrderNo)); code != smartro.CodeInvalidRequest {
		t.Errorf("return of a cancelled order: %s", code)
	}
	s.SetDefaultDeliveryDelay(Expiry)
	gone := place(t, s, basket("GONE", t2))
	clk.Advance(Expiry)
	if code := refused(t, s, wire.PathOrderCancel, ret(gone.OrderNo)); code != smartro.CodeOrderExpired {
		t.Errorf("return of an expired order: %s", code)
	}
}

func TestInjectedFaults(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk))
	s.Faults().Inject(OpTables, mock.Fault{Kind: mock.Fail, Code: smartro.CodeAgentOffline, Message: "Agent 미실행"})
	status, env := call(t, s, wire.PathTables, storeReq(s))
	if status != http.StatusOK || env.ErrCode != smartro.CodeAgentOffline || env.Msg != "Agent 미실행" {
		t.Errorf("fail with code: %d %+v", status, env)
	}
	s.Faults().Inject(OpMenu, mock.Fault{Kind: mock.Fail})
	status, env = call(t, s, wire.PathMenu, storeReq(s))
	if status != http.StatusInternalServerError || env.ErrCode != CodeServerError {
		t.Errorf("fail without code: %d %+v", status, env)
	}
	s.Faults().Inject(OpNewOrder, mock.Fault{Kind: mock.Fail, Code: smartro.CodeOccupied})
	if code := refused(t, s, wire.PathOrderNew, reqOf(t, s, basket("M1", t1), "")); code != smartro.CodeOccupied || len(s.Orders()) != 0 {
		t.Errorf("fail on order: %s, %d orders", code, len(s.Orders()))
	}
	s.Faults().Inject(OpTableOrders, mock.Fault{Kind: mock.Garbage})
	_, data, err := rawPost(t, s, wire.PathTableOrders, wire.TableOrdersRequest{StoreID: s.StoreID(), ServiceID: s.ServiceID(), FloorCode: "1", TableCode: "01"})
	if err != nil || json.Valid(data) {
		t.Errorf("garbage: %q %v", data, err)
	}
	s.Faults().Inject(OpNewOrder, mock.Fault{Kind: mock.Delay, Delay: 5 * time.Second})
	done := make(chan string, 1)
	go func() {
		_, b, _ := rawPost(t, s, wire.PathOrderNew, reqOf(t, s, basket("M2", t1), ""))
		done <- string(b)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if !clk.WaitForWaiters(1, ctx.Done()) {
		t.Fatal("delayed request never parked")
	}
	if len(s.Orders()) != 0 {
		t.Error("delayed order applied early")
	}
	clk.Advance(5 * time.Second)
	if b := <-done; !strings.Contains(b, "M2") {
		t.Errorf("delayed answer %s", b)
	}
	if os := s.Orders(); len(os) != 1 || !os[0].AcceptedAt.Equal(clk.Now()) {
		t.Errorf("delayed order %+v", os)
	}
	if s.RequestCount(OpNewOrder) != 2 || s.RequestCount("") != 5 {
		t.Errorf("recorded %d/%d", s.RequestCount(OpNewOrder), s.RequestCount(""))
	}
}

func TestOrdersInspection(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk))
	o := basket("M1", t1)
	o.Discount = 1500
	o.Memo = "얼음 적게"
	ans := place(t, s, o)
	clk.Advance(DefaultDeliveryDelay)
	got := s.Orders()
	if len(got) != 1 {
		t.Fatal(len(got))
	}
	g := got[0]
	if g.OrderNo != ans.OrderNo || g.OrgOrderNo != ans.OrderNo || g.Table != t1 || g.Additional || g.Prepaid ||
		g.OriginalAmount != 16500 || g.Amount != 15000 || g.Discount != 1500 || g.Memo != "얼음 적게" ||
		len(g.Lines) != 2 || g.Lines[0].Price != 4500 || g.Lines[0].Count != 2 || g.POSOrderNo == "" ||
		g.Status != smartro.StatusReceived || !g.InPOS() {
		t.Errorf("order %+v", g)
	}
	if _, found := s.Order("NOPE"); found {
		t.Error("Order found a missing number")
	}
	if DeliveryRetrying.String() != "retrying" || Delivery(42).String() != "Delivery(42)" {
		t.Error("Delivery.String")
	}
}

// SetAnswerLatency: the server acts at arrival and the answer is held on the fake clock.
func TestAnswerLatency(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := newTestServer(t, WithClock(clk), WithDeliveryDelay(2*time.Second))
	s.SetAnswerLatency(OpTableOrders, 3*time.Second)
	ans := place(t, s, basket("M1", t1))
	done := make(chan []wire.LiveOrder, 1)
	go func() { done <- lookup(t, s, t1) }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if !clk.WaitForWaiters(1, ctx.Done()) {
		t.Fatal("answer not held on the clock")
	}
	clk.Advance(3 * time.Second) // delivered at +2 s, but the snapshot was taken at +0 s
	list := <-done
	if e := find(list, ans.OrderNo); e == nil || e.SuccessFlag != "" {
		t.Errorf("held answer shows %+v, want the pending snapshot", e)
	}
	s.SetAnswerLatency(OpTableOrders, 0)
	if e := find(lookup(t, s, t1), ans.OrderNo); e == nil || e.SuccessFlag != wire.FlagYes {
		t.Errorf("after latency removed: %+v", e)
	}
}

// The store's ids are credentials: recorded requests show neither.
func TestRecordedRequestsHideStoreIDs(t *testing.T) {
	s := NewServer()
	defer s.Close()
	if _, err := s.Client().Tables(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	if len(reqs) != 1 || !strings.Contains(string(reqs[0].Body), "REDACTED") {
		t.Fatalf("recorded %+v", reqs)
	}
	if b := string(reqs[0].Body); strings.Contains(b, s.StoreID()) || strings.Contains(b, s.ServiceID()) {
		t.Errorf("store ids in a recorded body: %s", b)
	}
}
