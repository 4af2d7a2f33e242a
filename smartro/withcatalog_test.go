package smartro

import (
	"context"
	wire "github.com/poskit/poskit/internal/smartrowire"
	"testing"
)

// With a catalog, an order for an unknown table (or item, add-on, price) is refused before
// any request: no order, no lookup. Without one, the agent judges it.
func TestWithCatalogRefusesBeforeSending(t *testing.T) {
	s := newStub(t)
	s.on(wire.PathTableOrders, ok(wire.OrderList{}))
	s.on(wire.PathOrderNew, ok(wire.OrderAnswer{OrderNo: "TO1"}))
	s.on(wire.PathOrderAdd, ok(wire.OrderAnswer{OrderNo: "TO2", OrgOrderNo: "TO1"}))
	src := &fakeSource{tables: []Table{{FloorCode: "0001", TableCode: "0005"}}, menu: testMenu()}
	c := newTestClient(t, s, WithCatalog(NewCatalog(src, 0)))
	ctx := context.Background()
	unknownTable := func(o *Order) { o.Table = TableRef{FloorCode: "0001", TableCode: "0099"} }
	cases := []struct {
		name  string
		spoil func(o *Order)
		is    func(error) bool
	}{
		{"unknown table", unknownTable, IsUnknownTable},
		{"unknown item", func(o *Order) { o.Lines[1].ItemID = "ZZ" }, IsUnknownItem},
		{"inactive item", func(o *Order) { o.Lines[1].ItemID = "C" }, IsInactiveItem},
		{"foreign add-on", func(o *Order) { o.Lines[0].AddOns[0].ID = "9999" }, IsUnknownItem},
		{"price", func(o *Order) {
			o.Lines[1].Price = 11000
			if p, ok := o.Settlement.(Prepaid); ok {
				p.Payments[1].Amount -= 1000
			}
		}, IsPriceMismatch},
	}
	ops := []struct {
		op string
		do func(o *Order) error
	}{
		{"smartro.NewOrder", func(o *Order) error { _, err := c.NewOrder(ctx, o); return err }},
		{"smartro.AdditionalOrder", func(o *Order) error { _, err := c.AdditionalOrder(ctx, "TO1", o); return err }},
		{"smartro.PlaceTableOrder", func(o *Order) error { _, err := c.PlaceTableOrder(ctx, o); return err }},
	}
	for _, op := range ops {
		for _, tc := range cases {
			o := validPrepaid()
			if op.op != "smartro.NewOrder" {
				o = postpaid()
			}
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			tc.spoil(o)
			if err := o.Validate(); err != nil {
				t.Fatalf("%s: the order fails its own checks (%v); it must reach the catalog check", tc.name, err)
			}
			err := op.do(o)
			var e *Error
			if !tc.is(err) || !asErr(err, &e) || e.Op != op.op || !IsRefused(err) {
				t.Errorf("%s %s: %v", op.op, tc.name, err)
			}
			if n := s.total(); n != 0 {
				t.Fatalf("%s %s: %d requests sent", op.op, tc.name, n)
			}
		}
	}
	// A tracker on the client refuses it too, as Rejected, without a request.
	tr := mustTracker(c)
	defer tr.Close()
	o := postpaid()
	unknownTable(o)
	if st, _, err := tr.PlaceTableOrder(ctx, o); st != Rejected || !IsUnknownTable(err) || s.total() != 0 {
		t.Fatalf("tracker: %v %v, %d requests", st, err, s.total())
	}
	// A known table and basket go out.
	if _, err := c.PlaceTableOrder(ctx, postpaid()); err != nil || s.n(wire.PathTableOrders) != 1 || s.n(wire.PathOrderNew) != 1 {
		t.Fatal(err)
	}
	// Without a catalog the agent judges: the unknown table is sent.
	plain := newTestClient(t, s)
	o = validPrepaid()
	unknownTable(o)
	if _, err := plain.NewOrder(ctx, o); err != nil || s.n(wire.PathOrderNew) != 2 {
		t.Fatalf("without a catalog: %v, %d order requests", err, s.n(wire.PathOrderNew))
	}
}

// NewCatalog(nil, …) passed to WithCatalog reads the tables and menu through the client.
func TestWithCatalogBindsToTheClient(t *testing.T) {
	s := newStub(t)
	s.on(wire.PathTables, ok(wire.TablesAnswer{TableList: []wire.Table{{FloorCode: "0001", TableCode: "0005"}}}))
	s.on(wire.PathMenuState, ok(wire.MenuStateAnswer{Updated: wire.FlagYes, UpdateTime: "20240101000000"}))
	s.on(wire.PathMenu, ok(menuToWire(testMenu())))
	s.on(wire.PathOrderNew, ok(wire.OrderAnswer{OrderNo: "TO1"}))
	c := newTestClient(t, s, WithCatalog(NewCatalog(nil, 0)))
	o := validPrepaid()
	o.Table.TableCode = "0099"
	if _, err := c.NewOrder(context.Background(), o); !IsUnknownTable(err) || s.n(wire.PathTables) != 1 || s.n(wire.PathOrderNew) != 0 {
		t.Fatalf("%v tables=%d orders=%d", err, s.n(wire.PathTables), s.n(wire.PathOrderNew))
	}
	if _, err := c.NewOrder(context.Background(), validPrepaid()); err != nil || s.n(wire.PathOrderNew) != 1 || s.n(wire.PathTables) != 1 {
		t.Fatalf("%v tables=%d orders=%d", err, s.n(wire.PathTables), s.n(wire.PathOrderNew))
	}
	if _, err := NewCatalog(nil, 0).Get(context.Background()); !IsInvalidInput(err) {
		t.Fatalf("unbound catalog: %v", err)
	}
}
