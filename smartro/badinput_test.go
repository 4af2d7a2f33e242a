package smartro

import (
	"context"
	wire "github.com/poskit/poskit/internal/smartrowire"
	"testing"
)

// total returns how many requests the stub received, on any path.
func (s *stub) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.count {
		n += c
	}
	return n
}

// Bad input is refused with CodeInvalidInput by NewOrder, AdditionalOrder and
// PlaceTableOrder before anything is sent.
func TestBadInputSendsNothing(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(o *Order)
	}{
		{"empty basket", func(o *Order) { o.Lines = nil }},
		{"zero count", func(o *Order) { o.Lines[0].Count = 0 }},
		{"negative count", func(o *Order) { o.Lines[1].Count = -1 }},
		{"count above MaxCount", func(o *Order) { o.Lines[0].Count = MaxCount + 1 }},
		{"negative add-on count", func(o *Order) { o.Lines[0].AddOns[0].Count = -1 }},
		{"negative price", func(o *Order) { o.Lines[1].Price = -1 }},
		{"negative discount", func(o *Order) { o.Discount = -1 }},
		{"discount above the amount", func(o *Order) { o.Discount = o.OriginalAmount() + 1 }},
		{"prepaid payments short of the amount", func(o *Order) {
			o.Settlement = Prepaid{Payments: []Payment{{Kind: PayCash, Amount: o.PayAmount() - 1, Cash: &CashPayment{StaffConfirmed: true}}}}
		}},
		{"prepaid payments above the amount", func(o *Order) {
			o.Settlement = Prepaid{Payments: []Payment{{Kind: PayCash, Amount: o.PayAmount() + 1000, Cash: &CashPayment{StaffConfirmed: true}}}}
		}},
		{"no merchant order number", func(o *Order) { o.MerchantOrderNo = "" }},
		{"no table", func(o *Order) { o.Table = TableRef{} }},
		{"no item id", func(o *Order) { o.Lines[0].ItemID = "" }},
	}
	ops := []struct {
		name string
		do   func(ctx context.Context, c *Client, o *Order) error
	}{
		{"smartro.NewOrder", func(ctx context.Context, c *Client, o *Order) error { _, err := c.NewOrder(ctx, o); return err }},
		{"smartro.AdditionalOrder", func(ctx context.Context, c *Client, o *Order) error {
			_, err := c.AdditionalOrder(ctx, "TO1", o)
			return err
		}},
		{"smartro.PlaceTableOrder", func(ctx context.Context, c *Client, o *Order) error { _, err := c.PlaceTableOrder(ctx, o); return err }},
	}
	s := newStub(t)
	s.on(wire.PathTableOrders, ok(wire.OrderList{}))
	s.on(wire.PathOrderNew, ok(wire.OrderAnswer{OrderNo: "TO1"}))
	s.on(wire.PathOrderAdd, ok(wire.OrderAnswer{OrderNo: "TO2"}))
	c := newTestClient(t, s)
	ctx := context.Background()
	for _, op := range ops {
		for _, tc := range cases {
			t.Run(op.name+"/"+tc.name, func(t *testing.T) {
				before := s.total()
				o := validPrepaid()
				if op.name != "smartro.NewOrder" {
					o = postpaid()
				}
				tc.spoil(o)
				err := op.do(ctx, c, o)
				var e *Error
				if !asErr(err, &e) || e.Code != CodeInvalidInput || e.Op != op.name || e.HTTPStatus != 0 || !IsRefused(err) {
					t.Fatalf("err = %v, want %s from %s", err, CodeInvalidInput, op.name)
				}
				if n := s.total() - before; n != 0 {
					t.Fatalf("%d requests sent", n)
				}
			})
		}
	}
	// The unbroken orders do go out: the checks above are not vacuous.
	if _, err := c.NewOrder(ctx, validPrepaid()); err != nil || s.n(wire.PathOrderNew) != 1 {
		t.Fatal(err)
	}
	if _, err := c.PlaceTableOrder(ctx, postpaid()); err != nil || s.n(wire.PathTableOrders) != 1 || s.n(wire.PathOrderNew) != 2 {
		t.Fatal(err)
	}
}

// Missing or bad STORE_ID / SERVICE_ID: NewClient fails with CodeInvalidInput and no
// client exists to send anything.
func TestNewClientMissingIDsSendsNothing(t *testing.T) {
	s := newStub(t)
	for _, ids := range [][2]string{{"", "SVC9"}, {"STORE123", ""}, {"", ""}, {"ST\x01", "SVC9"}, {"STORE123", string(make([]byte, maxIDLen+1))}} {
		c, err := NewClient(ids[0], ids[1], WithBaseURL(s.srv.URL), WithHTTPClient(s.srv.Client()))
		var e *Error
		if c != nil || !asErr(err, &e) || e.Code != CodeInvalidInput || e.Op != "smartro.NewClient" {
			t.Errorf("NewClient(%q, %q) = %v, %v", ids[0], ids[1], c, err)
		}
	}
	if s.total() != 0 {
		t.Fatalf("%d requests sent", s.total())
	}
}
