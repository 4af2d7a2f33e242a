package smartromock

import (
	"errors"
	"fmt"
	"strconv"

	wire "github.com/poskit/poskit/internal/smartrowire"
	"github.com/poskit/poskit/smartro"
)

// This file reads the wire into smartro's model and back, as the fake agent sees it. It is
// the fake's own reading, independent of the client's, so that each checks the other.

// orderFromWire reads an order request body back into an Order and checks it with the
// rules the client applies before sending (Order.Validate), plus the wire's own arithmetic
// (SALE_AMT = SALE_PRICE × ITEM_CNT, ORG_ORDER_PAY_AMT = Σ SALE_AMT, ORDER_PAY_AMT =
// ORG − DISC, PREPAY_FLAG agrees with ORD_PAY_LIST). The error says what is wrong.
func orderFromWire(w *wire.OrderRequest) (*smartro.Order, error) {
	bad := func(format string, args ...any) (*smartro.Order, error) {
		return nil, fmt.Errorf(format, args...)
	}
	o := &smartro.Order{
		MerchantOrderNo: w.MerchantOrderNo,
		Table:           smartro.TableRef{FloorCode: w.FloorCode, TableCode: w.TableCode},
		Memo:            w.Memo,
		MemberTel:       w.MemberTel,
		Discount:        int64(w.Discount),
		OS:              w.OS,
		NoReceipt:       w.PrintReceipt == wire.FlagNo,
		NoOrderTicket:   w.PrintOrderTicket == wire.FlagNo,
		Lines:           make([]smartro.OrderLine, 0, len(w.Items)),
	}
	var sum int64
	for i := range w.Items {
		it := &w.Items[i]
		if it.Count < 0 || it.Count > smartro.MaxCount || it.SalePrice < 0 || it.SalePrice > smartro.MaxAmount {
			return bad("item %d count or price out of range", i+1)
		}
		if int64(it.SalePrice)*int64(it.Count) != int64(it.SaleAmount) {
			return bad("item %d SALE_AMT %d != SALE_PRICE %d × ITEM_CNT %d", i+1, it.SaleAmount, it.SalePrice, it.Count)
		}
		for j := range it.AddOns {
			if a := it.AddOns[j]; a.Price < 0 || a.Price > smartro.MaxAmount || a.Count < 0 || a.Count > smartro.MaxCount {
				return bad("item %d add-on %d price or count out of range", i+1, j+1)
			}
		}
		sum += int64(it.SaleAmount)
		o.Lines = append(o.Lines, lineFromWire(it))
	}
	if sum != int64(w.OriginalAmount) {
		return bad("ORG_ORDER_PAY_AMT %d != Σ SALE_AMT %d", w.OriginalAmount, sum)
	}
	if int64(w.OriginalAmount)-int64(w.Discount) != int64(w.PayAmount) {
		return bad("ORDER_PAY_AMT %d != ORG_ORDER_PAY_AMT %d − DISC_AMT %d", w.PayAmount, w.OriginalAmount, w.Discount)
	}
	switch {
	case w.Prepaid == wire.FlagYes:
		pays := make([]smartro.Payment, len(w.Pays))
		for i := range w.Pays {
			pays[i] = paymentFromWire(&w.Pays[i])
			if pays[i].Kind == 0 {
				return bad("payment %d has unknown PAY_TYPE", i+1)
			}
		}
		o.Settlement = smartro.Prepaid{Payments: pays}
	case len(w.Pays) > 0:
		return bad("PREPAY_FLAG is not Y but ORD_PAY_LIST is not empty")
	default:
		o.Settlement = smartro.Postpaid{}
	}
	if err := o.Validate(); err != nil {
		var e *smartro.Error
		if errors.As(err, &e) {
			return nil, errors.New(e.Message)
		}
		return nil, err
	}
	return o, nil
}

// lineFromWire reads a line back. The item's own price is SALE_PRICE minus the add-ons.
func lineFromWire(w *wire.OrderItem) smartro.OrderLine {
	l := smartro.OrderLine{
		ItemID:         w.ID,
		Name:           w.Name,
		Count:          int(w.Count),
		SetMenu:        w.SetMenu == wire.FlagYes,
		MerchantMenuNo: w.MerchantMenuNo,
		Memo:           w.Memo,
	}
	unit := int64(w.SalePrice)
	for _, a := range w.AddOns {
		ad := smartro.LineAddOn{ID: a.ID, Name: a.Name, GroupCode: a.RuleID, Price: int64(a.Price), Count: int(a.Count)}
		l.AddOns = append(l.AddOns, ad)
		n := int64(ad.Count)
		if n == 0 {
			n = 1
		}
		unit -= ad.Price * n
	}
	l.Price = unit
	return l
}

var payKinds = map[string]smartro.PayKind{wire.PayCard: smartro.PayCard, wire.PayCash: smartro.PayCash,
	wire.PayETicket: smartro.PayETicket, wire.PayMobile: smartro.PayMobile, wire.PayEtc: smartro.PayEtc}

var cardEntries = map[string]smartro.CardEntry{wire.CardMS: smartro.EntryMS, wire.CardIC: smartro.EntryIC, wire.CardRF: smartro.EntryRF}

// paymentFromWire reads a payment back.
func paymentFromWire(w *wire.Pay) smartro.Payment {
	p := smartro.Payment{
		Kind:          payKinds[w.PayType],
		Amount:        int64(w.Amount),
		VAT:           int64(w.VAT),
		ServiceCharge: int64(w.ServiceCharge),
		Cancelled:     w.Cancelled == wire.FlagYes,
	}
	switch p.Kind {
	case smartro.PayCard:
		inst, _ := strconv.Atoi(w.Installment)
		p.Card = &smartro.CardApproval{
			TerminalID: w.TerminalID, AuthNo: w.AuthNo, AuthDate: w.AuthDate, AuthTime: w.AuthTime,
			CardNo: smartro.CardNumber(w.CardNo), MerchantNo: w.CardMerchantNo, Entry: cardEntries[w.CardPayType], Installments: inst,
		}
	case smartro.PayCash:
		c := &smartro.CashPayment{StaffConfirmed: true, ReceiptID: smartro.CardNumber(w.CardNo)}
		switch w.CashAuthType {
		case wire.CashPersonal:
			c.Receipt = smartro.ReceiptPersonal
		case wire.CashCorporate:
			c.Receipt = smartro.ReceiptCorporate
		}
		p.Cash = c
	default:
		p.Reference = smartro.CardNumber(w.CardNo)
	}
	return p
}

func flag(b bool) string {
	if b {
		return wire.FlagYes
	}
	return wire.FlagNo
}

// orderToWire writes o as the order request body a client would send (orgOrderNo empty:
// NewOrder; else AdditionalOrder) after o's own checks. Tests and Rush use it to send
// orders as another device would.
func orderToWire(o *smartro.Order, storeID, serviceID, orgOrderNo string) (*wire.OrderRequest, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	var pays []smartro.Payment
	if p, ok := o.Settlement.(smartro.Prepaid); ok {
		pays = p.Payments
	}
	w := &wire.OrderRequest{
		StoreID: storeID, ServiceID: serviceID, MerchantOrderNo: o.MerchantOrderNo, OrgOrderNo: orgOrderNo,
		MemberTel: o.MemberTel, Memo: o.Memo,
		OriginalAmount: wire.Num(o.OriginalAmount()), PayAmount: wire.Num(o.PayAmount()), Discount: wire.Num(o.Discount),
		Prepaid: flag(pays != nil), OS: o.OS, FloorCode: o.Table.FloorCode, TableCode: o.Table.TableCode,
		PrintReceipt: flag(!o.NoReceipt), PrintOrderTicket: flag(!o.NoOrderTicket),
		Items: make([]wire.OrderItem, len(o.Lines)), Pays: make([]wire.Pay, len(pays)),
	}
	for i, l := range o.Lines {
		unit := l.UnitPrice()
		it := wire.OrderItem{Seq: wire.Num(i + 1), ID: l.ItemID, Name: l.Name, SalePrice: wire.Num(unit),
			SaleAmount: wire.Num(unit * int64(l.Count)), Count: wire.Num(l.Count), SetMenu: flag(l.SetMenu),
			MerchantMenuNo: l.MerchantMenuNo, Memo: l.Memo, AddOns: make([]wire.OrderAdditive, len(l.AddOns))}
		for j, a := range l.AddOns {
			n := a.Count
			if n == 0 {
				n = 1
			}
			it.AddOns[j] = wire.OrderAdditive{ID: a.ID, Name: a.Name, RuleID: a.GroupCode, Price: wire.Num(a.Price), Count: wire.Num(n)}
		}
		w.Items[i] = it
	}
	for i, p := range pays {
		w.Pays[i] = paymentToWire(p)
	}
	return w, nil
}

// paymentToWire writes a payment as the client does.
func paymentToWire(p smartro.Payment) wire.Pay {
	w := wire.Pay{Cancelled: flag(p.Cancelled), Amount: wire.Num(p.Amount), VAT: wire.Num(p.VAT),
		ServiceCharge: wire.Num(p.ServiceCharge), CardNo: wire.CardNo(p.Reference)}
	for k, v := range payKinds {
		if v == p.Kind {
			w.PayType = k
		}
	}
	if c := p.Card; c != nil {
		w.TerminalID, w.AuthNo, w.AuthDate, w.AuthTime = c.TerminalID, c.AuthNo, c.AuthDate, c.AuthTime
		w.CardNo, w.CardMerchantNo = wire.CardNo(c.CardNo), c.MerchantNo
		w.CardPayType = wire.CardNone
		for k, v := range cardEntries {
			if v == c.Entry {
				w.CardPayType = k
			}
		}
		w.Installment = wire.LumpSum
		if c.Installments > 0 {
			w.Installment = fmt.Sprintf("%02d", c.Installments)
		}
	}
	if c := p.Cash; c != nil {
		switch c.Receipt {
		case smartro.ReceiptPersonal:
			w.CashAuthType = wire.CashPersonal
		case smartro.ReceiptCorporate:
			w.CashAuthType = wire.CashCorporate
		}
		if c.ReceiptID != "" {
			w.CardNo = wire.CardNo(c.ReceiptID)
		}
	}
	return w
}

// menuToWire returns m as the menu answer's OBJ.
func menuToWire(m *smartro.Menu) wire.MenuAnswer {
	var part wire.Menu
	for _, g := range m.Groups {
		wg := wire.ItemGroup{Code: g.Code, Name: g.Name, UseFlag: flag(g.Active), Items: make([]wire.Item, 0, len(g.Items))}
		for _, it := range g.Items {
			wi := wire.Item{ID: it.ID, Name: it.Name, Price: wire.Num(it.Price), UseFlag: flag(it.Active), AddOnGroups: make([]wire.AdditiveGroup, 0, len(it.AddOnGroups))}
			for _, ag := range it.AddOnGroups {
				wag := wire.AdditiveGroup{Code: ag.Code, Name: ag.Name, AddOns: make([]wire.Additive, 0, len(ag.AddOns))}
				for _, a := range ag.AddOns {
					wag.AddOns = append(wag.AddOns, wire.Additive{ID: a.ID, Name: a.Name, SalePrice: wire.Num(a.Price)})
				}
				wi.AddOnGroups = append(wi.AddOnGroups, wag)
			}
			wg.Items = append(wg.Items, wi)
		}
		part.Groups = append(part.Groups, wg)
	}
	return wire.MenuAnswer{part}
}
