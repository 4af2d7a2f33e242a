package smartromock

import (
	"fmt"

	"github.com/poskit/poskit/smartro"
)

// Rush places n orders of one line (the menu's first orderable item) on table as another
// device would, each under MCHT_ORDERNO prefix + i and never delivered to the POS
// (delivery delay beyond Expiry): listed as pending for 60 s, they push the table's earlier
// orders out of its latest-10 lookup, then drop out. Orders the server refuses (occupied
// table, agent offline, …) are skipped. It bypasses HTTP, so a driver of the fake clock
// never waits on it.
func (s *Server) Rush(table smartro.TableRef, n int, prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := orderables(s.menu)
	if len(items) == 0 {
		return
	}
	it := items[0]
	for i := 0; i < n; i++ {
		o := &smartro.Order{MerchantOrderNo: fmt.Sprintf("%s%d", prefix, i), Table: table,
			Lines: []smartro.OrderLine{{ItemID: it.ID, Name: it.Name, Price: it.Price, Count: 1}}}
		req, err := orderToWire(o, s.storeID, s.serviceID, "")
		if err != nil {
			return
		}
		s.delayFor[o.MerchantOrderNo] = 2 * Expiry
		if _, r := s.placeLocked(req, false); r != nil {
			delete(s.delayFor, o.MerchantOrderNo)
		}
	}
}

// orderables returns the menu's active items of active groups.
func orderables(menu *smartro.Menu) []*smartro.Item {
	var out []*smartro.Item
	for gi := range menu.Groups {
		g := &menu.Groups[gi]
		if !g.Active {
			continue
		}
		for ii := range g.Items {
			if g.Items[ii].Active {
				out = append(out, &g.Items[ii])
			}
		}
	}
	return out
}
