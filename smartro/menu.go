package smartro

import wire "github.com/poskit/poskit/internal/smartrowire"

// Menu is the store's product catalogue as the POS defines it (wire.PathMenu).
type Menu struct {
	Groups []ItemGroup
}

// ItemGroup is a menu group (category).
type ItemGroup struct {
	Code   string
	Name   string
	Active bool // ITEM_GROUP_USE_FLAG = Y
	Items  []Item
}

// Item is a product with its unit price in won and the add-on groups it offers.
type Item struct {
	ID          string
	Name        string
	Price       int64
	Active      bool // ITEM_USE_FLAG = Y
	AddOnGroups []AddOnGroup
}

// AddOnGroup is a group of add-ons (options) offered with an item.
type AddOnGroup struct {
	Code   string
	Name   string
	AddOns []AddOn
}

// AddOn is one add-on with its sale price in won.
type AddOn struct {
	ID    string
	Name  string
	Price int64
}

// Item returns the item with the given id and its group, if any.
func (m *Menu) Item(id string) (*Item, *ItemGroup, bool) {
	for gi := range m.Groups {
		g := &m.Groups[gi]
		for ii := range g.Items {
			if g.Items[ii].ID == id {
				return &g.Items[ii], g, true
			}
		}
	}
	return nil, nil, false
}

// AddOn returns the add-on id from the item's add-on group code (any group when code is
// empty).
func (it *Item) AddOn(groupCode, id string) (*AddOn, bool) {
	for gi := range it.AddOnGroups {
		g := &it.AddOnGroups[gi]
		if groupCode != "" && g.Code != groupCode {
			continue
		}
		for ai := range g.AddOns {
			if g.AddOns[ai].ID == id {
				return &g.AddOns[ai], true
			}
		}
	}
	return nil, false
}

func menuFromWire(w wire.MenuAnswer) *Menu {
	m := &Menu{}
	for _, part := range w {
		for _, wg := range part.Groups {
			g := ItemGroup{Code: wg.Code, Name: wg.Name, Active: wg.UseFlag != wire.FlagNo, Items: make([]Item, 0, len(wg.Items))}
			for _, wi := range wg.Items {
				it := Item{ID: wi.ID, Name: wi.Name, Price: int64(wi.Price), Active: wi.UseFlag != wire.FlagNo}
				for _, wag := range wi.AddOnGroups {
					ag := AddOnGroup{Code: wag.Code, Name: wag.Name, AddOns: make([]AddOn, 0, len(wag.AddOns))}
					for _, wa := range wag.AddOns {
						ag.AddOns = append(ag.AddOns, AddOn{ID: wa.ID, Name: wa.Name, Price: int64(wa.SalePrice)})
					}
					it.AddOnGroups = append(it.AddOnGroups, ag)
				}
				g.Items = append(g.Items, it)
			}
			m.Groups = append(m.Groups, g)
		}
	}
	return m
}
