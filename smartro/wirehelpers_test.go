package smartro

import (
	"time"

	wire "github.com/poskit/poskit/internal/smartrowire"
)

// newTracker starts a tracker for tests, with parked (may be nil) seeing the poller park;
// it panics on a bad option.
func newTracker(src OrderLookup, parked func(time.Time), opts ...TrackerOption) *Tracker {
	t, err := startTracker(src, parked, opts...)
	if err != nil {
		panic(err)
	}
	return t
}

// mustTracker is NewTracker for tests.
func mustTracker(src OrderLookup, opts ...TrackerOption) *Tracker {
	return newTracker(src, nil, opts...)
}

// menuToWire returns m as the menu answer's OBJ, as a stub agent serves it.
func menuToWire(m *Menu) wire.MenuAnswer {
	var part wire.Menu
	for _, g := range m.Groups {
		wg := wire.ItemGroup{Code: g.Code, Name: g.Name, UseFlag: flag(g.Active), Items: make([]wire.Item, 0, len(g.Items))}
		for _, it := range g.Items {
			wi := wire.Item{ID: it.ID, Name: it.Name, Price: wire.Num(it.Price), UseFlag: flag(it.Active)}
			for _, ag := range it.AddOnGroups {
				wag := wire.AdditiveGroup{Code: ag.Code, Name: ag.Name}
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

// toWireChecked returns the request body NewOrder (orgOrderNo empty) or AdditionalOrder
// would send, after the same checks.
func toWireChecked(o *Order, storeID, serviceID, orgOrderNo string) (*wire.OrderRequest, error) {
	if err := o.validate("smartro.toWire", orgOrderNo != ""); err != nil {
		return nil, err
	}
	return o.toWire(storeID, serviceID, orgOrderNo), nil
}
