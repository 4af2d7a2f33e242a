package smartro

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// refTotals is an independent reading of the document's arithmetic: a line's unit price is
// its price plus each add-on's price × count (0 counts as 1), its amount is unit × count, the
// original amount is the sum of the lines and the pay amount is the original less the
// discount. ok is false when the discount exceeds the original.
func refTotals(o *Order) (orig, pay int64, ok bool) {
	for _, l := range o.Lines {
		unit := l.Price
		for _, a := range l.AddOns {
			n := int64(a.Count)
			if n == 0 {
				n = 1
			}
			unit += a.Price * n
		}
		orig += unit * int64(l.Count)
	}
	return orig, orig - o.Discount, o.Discount <= orig
}

// genTotalsOrder draws an order with small, valid lines and a discount and (for prepaid)
// payments that may or may not add up.
func genTotalsOrder(t *rapid.T) *Order {
	o := &Order{MerchantOrderNo: "M-" + rapid.StringMatching(`[0-9]{1,6}`).Draw(t, "no"), Table: TableRef{FloorCode: "1", TableCode: "01"}}
	for i := range rapid.IntRange(1, 6).Draw(t, "lines") {
		l := OrderLine{ItemID: fmt.Sprint("I", i), Price: rapid.Int64Range(0, 50_000).Draw(t, "price"), Count: rapid.IntRange(1, 20).Draw(t, "count")}
		for j := range rapid.IntRange(0, 3).Draw(t, "addons") {
			l.AddOns = append(l.AddOns, LineAddOn{ID: fmt.Sprint("A", j), GroupCode: "G", Price: rapid.Int64Range(0, 3_000).Draw(t, "addonPrice"), Count: rapid.IntRange(0, 3).Draw(t, "addonCount")})
		}
		o.Lines = append(o.Lines, l)
	}
	orig, _, _ := refTotals(o)
	o.Discount = rapid.Int64Range(0, orig+1000).Draw(t, "discount")
	if rapid.Bool().Draw(t, "prepaid") {
		pay := orig - o.Discount
		if pay < 0 {
			pay = 0
		}
		// Split the pay amount over 1–3 payments, then maybe nudge one off by a won or more.
		n := rapid.IntRange(1, 3).Draw(t, "payments")
		var ps []Payment
		left := pay
		for k := range n {
			amt := left
			if k < n-1 {
				amt = rapid.Int64Range(0, left).Draw(t, "split")
			}
			left -= amt
			ps = append(ps, Payment{Kind: PayCash, Amount: amt, Cash: &CashPayment{StaffConfirmed: true}})
		}
		if rapid.Bool().Draw(t, "nudge") {
			ps[0].Amount += rapid.Int64Range(1, 1000).Draw(t, "by")
		}
		o.Settlement = Prepaid{Payments: ps}
	}
	return o
}

// Validate accepts exactly the orders whose totals add up by an independent sum, and then
// reports the same original and pay amounts; the wire form carries those amounts.
func TestTotalsAgreeWithIndependentSum(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := genTotalsOrder(t)
		orig, pay, ok := refTotals(o)
		if p, prepaid := o.Settlement.(Prepaid); prepaid {
			var sum int64
			for _, x := range p.Payments {
				sum += x.Amount
				ok = ok && x.Amount > 0 // a payment of nothing is no payment
			}
			ok = ok && sum == pay
		}
		err := o.Validate()
		if ok != (err == nil) {
			t.Fatalf("independent sum says ok=%v (orig %d, pay %d), Validate says %v", ok, orig, pay, err)
		}
		if err != nil {
			if !IsInvalidInput(err) {
				t.Fatalf("refusal is not an invalid-input *Error: %v", err)
			}
			return
		}
		if o.OriginalAmount() != orig || o.PayAmount() != pay {
			t.Fatalf("orig %d pay %d, independent %d %d", o.OriginalAmount(), o.PayAmount(), orig, pay)
		}
		w, err := toWireChecked(o, "S", "V", "")
		if err != nil {
			t.Fatal(err)
		}
		var sumAmt int64
		for i, it := range w.Items {
			if int64(it.SaleAmount) != int64(it.SalePrice)*int64(it.Count) {
				t.Fatalf("item %d: SALE_AMT %d ≠ %d × %d", i, it.SaleAmount, it.SalePrice, it.Count)
			}
			sumAmt += int64(it.SaleAmount)
		}
		if sumAmt != orig || int64(w.OriginalAmount) != orig || int64(w.PayAmount) != pay {
			t.Fatalf("wire ORG %d ORDER %d Σ SALE_AMT %d, independent %d %d", w.OriginalAmount, w.PayAmount, sumAmt, orig, pay)
		}
	})
}
