package smartromock

import "github.com/poskit/poskit/smartro"

// Default identity of the fake store. Any non-empty pair may be set with WithStore.
const (
	DefaultStoreID   = "ST0001"
	DefaultServiceID = "SV-POSKIT"
)

// DefaultTables returns the tables a new Server starts with: floor "1" (1층) with tables
// "01".."06" and floor "2" (2층) with tables "01".."04".
func DefaultTables() []smartro.Table {
	var ts []smartro.Table
	add := func(floor, floorName string, n int) {
		for i := 1; i <= n; i++ {
			code := string(rune('0'+i/10)) + string(rune('0'+i%10))
			ts = append(ts, smartro.Table{FloorCode: floor, FloorName: floorName, TableCode: code, TableName: floorName + " " + code + "번"})
		}
	}
	add("1", "1층", 6)
	add("2", "2층", 4)
	return ts
}

// Ids of the default menu, for tests that build orders by hand.
const (
	ItemAmericano    = "C001" // 아메리카노 4500
	ItemCafeLatte    = "C002" // 카페라떼 5000
	ItemVanillaLatte = "C003" // 바닐라라떼 5500
	ItemColdBrew     = "C004" // 콜드브루 5000, inactive (ITEM_USE_FLAG N)
	ItemCheesecake   = "D001" // 치즈케이크 6500, no add-ons
	ItemCroissant    = "D002" // 크로와상 4000, no add-ons

	GroupShot  = "A01" // 샷 추가
	GroupSyrup = "A02" // 시럽 추가
	GroupSize  = "A03" // 사이즈업

	AddOnShot     = "A011" // 샷 추가 +500
	AddOnVanilla  = "A021" // 바닐라 시럽 +500
	AddOnHazelnut = "A022" // 헤이즐넛 시럽 +500
	AddOnSizeUp   = "A031" // 사이즈업 +1000
)

// DefaultMenu returns the café menu a new Server starts with:
//
//	G01 커피:   C001 아메리카노 4500, C002 카페라떼 5000 (shot, syrup, size add-ons),
//	            C003 바닐라라떼 5500 (shot, size), C004 콜드브루 5000 (inactive)
//	G02 디저트: D001 치즈케이크 6500, D002 크로와상 4000 (no add-ons)
//
// Add-on groups: A01 샷 추가 (A011 +500), A02 시럽 추가 (A021 바닐라 +500, A022 헤이즐넛
// +500), A03 사이즈업 (A031 +1000). Each call returns a fresh copy.
func DefaultMenu() *smartro.Menu {
	shot := smartro.AddOnGroup{Code: GroupShot, Name: "샷 추가", AddOns: []smartro.AddOn{{ID: AddOnShot, Name: "샷 추가", Price: 500}}}
	syrup := smartro.AddOnGroup{Code: GroupSyrup, Name: "시럽 추가", AddOns: []smartro.AddOn{
		{ID: AddOnVanilla, Name: "바닐라 시럽", Price: 500},
		{ID: AddOnHazelnut, Name: "헤이즐넛 시럽", Price: 500},
	}}
	size := smartro.AddOnGroup{Code: GroupSize, Name: "사이즈업", AddOns: []smartro.AddOn{{ID: AddOnSizeUp, Name: "사이즈업", Price: 1000}}}
	m := &smartro.Menu{Groups: []smartro.ItemGroup{
		{Code: "G01", Name: "커피", Active: true, Items: []smartro.Item{
			{ID: ItemAmericano, Name: "아메리카노", Price: 4500, Active: true, AddOnGroups: []smartro.AddOnGroup{shot, syrup, size}},
			{ID: ItemCafeLatte, Name: "카페라떼", Price: 5000, Active: true, AddOnGroups: []smartro.AddOnGroup{shot, syrup, size}},
			{ID: ItemVanillaLatte, Name: "바닐라라떼", Price: 5500, Active: true, AddOnGroups: []smartro.AddOnGroup{shot, size}},
			{ID: ItemColdBrew, Name: "콜드브루", Price: 5000, Active: false, AddOnGroups: []smartro.AddOnGroup{shot}},
		}},
		{Code: "G02", Name: "디저트", Active: true, Items: []smartro.Item{
			{ID: ItemCheesecake, Name: "치즈케이크", Price: 6500, Active: true},
			{ID: ItemCroissant, Name: "크로와상", Price: 4000, Active: true},
		}},
	}}
	return cloneMenu(m)
}

// cloneMenu returns a deep copy of m (nil → empty menu).
func cloneMenu(m *smartro.Menu) *smartro.Menu {
	out := &smartro.Menu{}
	if m == nil {
		return out
	}
	out.Groups = make([]smartro.ItemGroup, len(m.Groups))
	for gi, g := range m.Groups {
		g.Items = append([]smartro.Item(nil), g.Items...)
		for ii := range g.Items {
			it := &g.Items[ii]
			ags := make([]smartro.AddOnGroup, len(it.AddOnGroups))
			for ai, ag := range it.AddOnGroups {
				ag.AddOns = append([]smartro.AddOn(nil), ag.AddOns...)
				ags[ai] = ag
			}
			if len(ags) == 0 {
				ags = nil
			}
			it.AddOnGroups = ags
		}
		out.Groups[gi] = g
	}
	return out
}
