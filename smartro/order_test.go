package smartro

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	wire "github.com/poskit/poskit/internal/smartrowire"
)

func validPrepaid() *Order {
	return &Order{
		MerchantOrderNo: "M-1",
		Table:           TableRef{FloorCode: "0001", TableCode: "0005"},
		Lines: []OrderLine{
			{ItemID: "A", Name: "돼지불백", Price: 5000, Count: 2, AddOns: []LineAddOn{{ID: "1001", GroupCode: "1000", Price: 500}}},
			{ItemID: "B", Name: "냉면", Price: 12000, Count: 1},
		},
		Discount: 1000,
		Settlement: Prepaid{Payments: []Payment{
			{Kind: PayCash, Amount: 5000, Cash: &CashPayment{StaffConfirmed: true}},
			{Kind: PayCard, Amount: 17000, Card: &CardApproval{TerminalID: "CAT1", AuthNo: "A012", AuthDate: "20240101", AuthTime: "141921", CardNo: "9410-1234-5678-4321"}},
		}},
	}
}

func TestOrderTotals(t *testing.T) {
	o := validPrepaid()
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	// (5000+500)×2 + 12000 = 23000; − 1000 = 22000.
	if o.OriginalAmount() != 23000 || o.PayAmount() != 22000 {
		t.Fatalf("orig %d pay %d", o.OriginalAmount(), o.PayAmount())
	}
	w, err := toWireChecked(o, "S", "V", "")
	if err != nil {
		t.Fatal(err)
	}
	if w.Items[0].SalePrice != 5500 || w.Items[0].SaleAmount != 11000 || w.Items[0].Seq != 1 || w.Items[1].Seq != 2 {
		t.Fatalf("items %+v", w.Items)
	}
	if w.OriginalAmount != 23000 || w.PayAmount != 22000 || w.Discount != 1000 || w.Prepaid != wire.FlagYes {
		t.Fatalf("%+v", w)
	}
	if w.Pays[1].Installment != wire.LumpSum || w.Pays[1].CardPayType != wire.CardNone || w.Pays[0].PayType != "cash" {
		t.Fatalf("pays %+v", w.Pays)
	}
}

func TestOrderValidation(t *testing.T) {
	type mut func(o *Order)
	cases := []struct {
		name string
		m    mut
		ok   bool
	}{
		{"valid", func(o *Order) {}, true},
		{"postpaid", func(o *Order) { o.Settlement = nil }, true},
		{"postpaid value", func(o *Order) { o.Settlement = Postpaid{} }, true},
		{"no merchant no", func(o *Order) { o.MerchantOrderNo = "" }, false},
		{"control char in merchant no", func(o *Order) { o.MerchantOrderNo = "a\nb" }, false},
		{"no table", func(o *Order) { o.Table.TableCode = "" }, false},
		{"empty basket", func(o *Order) { o.Lines = nil }, false},
		{"zero count", func(o *Order) { o.Lines[1].Count = 0 }, false},
		{"huge count", func(o *Order) { o.Lines[1].Count = MaxCount + 1 }, false},
		{"negative price", func(o *Order) { o.Lines[1].Price = -1 }, false},
		{"negative add-on", func(o *Order) { o.Lines[0].AddOns[0].Price = -1 }, false},
		{"negative add-on count", func(o *Order) { o.Lines[0].AddOns[0].Count = -1 }, false},
		{"negative discount", func(o *Order) { o.Discount = -1 }, false},
		{"discount too big", func(o *Order) { o.Discount = 23001; o.Settlement = nil }, false},
		{"pays short", func(o *Order) { o.payments()[0].Amount = 4999 }, false},
		{"pays over", func(o *Order) { o.payments()[0].Amount = 5001 }, false},
		{"cash unconfirmed", func(o *Order) { o.payments()[0].Cash.StaffConfirmed = false }, false},
		{"cash without data", func(o *Order) { o.payments()[0].Cash = nil }, false},
		{"card without approval", func(o *Order) { o.payments()[1].Card = nil }, false},
		{"card without auth no", func(o *Order) { o.payments()[1].Card.AuthNo = "" }, false},
		{"card 1 installment", func(o *Order) { o.payments()[1].Card.Installments = 1 }, false},
		{"card 3 installments", func(o *Order) { o.payments()[1].Card.Installments = 3 }, true},
		{"prepaid no pays", func(o *Order) { o.Settlement = Prepaid{} }, false},
		{"zero payment", func(o *Order) {
			o.Settlement = Prepaid{Payments: append(o.payments(), Payment{Kind: PayEtc})}
		}, false},
		{"no kind", func(o *Order) { o.payments()[0].Kind = 0 }, false},
		{"overflow", func(o *Order) { o.Lines[1].Price = MaxAmount; o.Settlement = nil }, false},
		{"pointer prepaid", func(o *Order) { p := Prepaid{Payments: o.payments()}; o.Settlement = &p }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := validPrepaid()
			c.m(o)
			err := o.Validate()
			if (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if err != nil {
				if !IsInvalidInput(err) {
					t.Fatalf("not invalid input: %v", err)
				}
				if strings.Contains(err.Error(), "5678") {
					t.Fatalf("card number leaked: %v", err)
				}
			}
		})
	}
}

func TestAdditionalOrderMustBePostpaid(t *testing.T) {
	o := validPrepaid()
	if _, err := toWireChecked(o, "S", "V", "TO1"); !IsInvalidInput(err) {
		t.Fatalf("prepaid additional order accepted: %v", err)
	}
	o.Settlement = nil
	w, err := toWireChecked(o, "S", "V", "TO1")
	if err != nil || w.OrgOrderNo != "TO1" || w.Prepaid != wire.FlagNo || len(w.Pays) != 0 {
		t.Fatalf("%v %+v", err, w)
	}
}

func TestMaskCard(t *testing.T) {
	cases := map[string]string{
		"9410123456781234":    "************1234",
		"9410-1234-5678-4321": "****-****-****-4321",
		"941012******1234":    "******" + "******1234",
		"1234":                "****",
		"0101234":             "*******",
		"":                    "",
		"abc\x00":             "abc?",
	}
	for in, want := range cases {
		if got := wire.MaskCard(in); got != want {
			t.Errorf("wire.MaskCard(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCardNumberNeverPrintedWhole(t *testing.T) {
	const num = "9410123456785555"
	p := Payment{Kind: PayCard, Amount: 1, Card: &CardApproval{CardNo: num}}
	wp := paymentToWire(p)
	var logBuf strings.Builder
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("pay", "card", p.Card.CardNo, "wire", wp.CardNo)
	for _, s := range []string{
		fmt.Sprintf("%v", *p.Card), fmt.Sprintf("%+v", *p.Card), fmt.Sprintf("%#v", *p.Card),
		fmt.Sprintf("%v", wp), fmt.Sprintf("%+v", wp), fmt.Sprintf("%#v", wp),
		fmt.Sprintf("%s", p.Card.CardNo), logBuf.String(),
	} {
		if strings.Contains(s, "12345678") || !strings.Contains(s, "5555") {
			t.Errorf("not masked: %s", s)
		}
	}
	// ...but the wire carries it as given.
	b, _ := json.Marshal(wp)
	if !strings.Contains(string(b), num) {
		t.Fatalf("wire lost the number: %s", b)
	}
}
