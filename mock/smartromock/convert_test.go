package smartromock

import (
	"encoding/json"
	"testing"

	wire "github.com/poskit/poskit/internal/smartrowire"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/smartro"
)

func prepaidOrder() *smartro.Order {
	return &smartro.Order{
		MerchantOrderNo: "M-1",
		Table:           t1,
		Lines: []smartro.OrderLine{
			line(ItemAmericano, 4500, 2, addOn(GroupShot, AddOnShot, 500)),
			line(ItemCheesecake, 6500, 1),
		},
		Discount: 1000,
		Settlement: smartro.Prepaid{Payments: []smartro.Payment{
			{Kind: smartro.PayCash, Amount: 5000, Cash: &smartro.CashPayment{StaffConfirmed: true}},
			{Kind: smartro.PayCard, Amount: 10500, Card: &smartro.CardApproval{TerminalID: "CAT1", AuthNo: "A012", AuthDate: "20240101", AuthTime: "141921", CardNo: "9410-1234-5678-4321"}},
		}},
	}
}

// The fake reads back what a client writes: the same order, amounts and add-ons.
func TestOrderWireRoundTrip(t *testing.T) {
	o := prepaidOrder()
	w, err := orderToWire(o, "S", "V", "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(w)
	var back wire.OrderRequest
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	o2, err := orderFromWire(&back)
	if err != nil {
		t.Fatal(err)
	}
	if o2.PayAmount() != o.PayAmount() || o2.Lines[0].Price != 4500 || o2.Lines[0].AddOns[0].Count != 1 ||
		o2.Settlement.(smartro.Prepaid).Payments[1].Card.CardNo != "9410-1234-5678-4321" {
		t.Fatalf("%+v", o2)
	}
}

// The fake checks the wire's own arithmetic, not only the model's rules.
func TestOrderFromWireChecksArithmetic(t *testing.T) {
	for name, m := range map[string]func(w *wire.OrderRequest){
		"sale amt":   func(w *wire.OrderRequest) { w.Items[0].SaleAmount++ },
		"org amt":    func(w *wire.OrderRequest) { w.OriginalAmount++ },
		"pay amt":    func(w *wire.OrderRequest) { w.PayAmount-- },
		"flag":       func(w *wire.OrderRequest) { w.Prepaid = wire.FlagNo },
		"pay type":   func(w *wire.OrderRequest) { w.Pays[0].PayType = "gold" },
		"pays sum":   func(w *wire.OrderRequest) { w.Pays[0].Amount++ },
		"no mcht no": func(w *wire.OrderRequest) { w.MerchantOrderNo = "" },
	} {
		w, err := orderToWire(prepaidOrder(), "S", "V", "")
		if err != nil {
			t.Fatal(err)
		}
		m(w)
		if _, err := orderFromWire(w); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Every operation of smartro's endpoint table has a handler, faults name operations by the
// client's method names, and an unknown name is refused.
func TestEndpointCoverageAndFaultNames(t *testing.T) {
	s := newTestServer(t)
	if u := s.Unhandled(); len(u) != 0 {
		t.Fatalf("unhandled operations: %v", u)
	}
	for _, op := range []string{OpTables, OpMenuChanged, OpMenu, OpNewOrder, OpAdditionalOrder, OpTableOrders, OpStoreOrders, OpReturnOrder} {
		if !wire.Endpoints.Has(op) {
			t.Errorf("%s is not in the endpoint table", op)
		}
	}
	if len(wire.Endpoints.Ops()) != 8 {
		t.Errorf("endpoint table has %d operations", len(wire.Endpoints.Ops()))
	}
	for _, old := range []string{"orderNew", "tables", "NewOrdr"} {
		if err := s.Faults().Inject(old, mockFault()); err == nil {
			t.Errorf("fault for unknown operation %q accepted", old)
		}
	}
}

func mockFault() mock.Fault { return mock.Fault{Kind: mock.DropAnswer} }
