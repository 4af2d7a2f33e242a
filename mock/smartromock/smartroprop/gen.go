// Package smartroprop holds rapid generators — GenCatalog, GenBasket, GenInvalidBasket,
// GenPaymentSplit, GenScenario — and the exactly-once property (CheckExactlyOnce,
// RunScenario) for partners who build their own ordering flow on smartro and want to check
// it against the fake (mock/smartromock). It lives apart from the fake so that importing
// the fake does not pull pgregory.net/rapid into a build.
package smartroprop

import (
	"fmt"
	"sort"

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
