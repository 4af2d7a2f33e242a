package smartro

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
)

func testMenu() *Menu {
	return &Menu{Groups: []ItemGroup{
		{Code: "G1", Name: "식사", Active: true, Items: []Item{
			{ID: "A", Name: "돼지불백", Price: 5000, Active: true, AddOnGroups: []AddOnGroup{{Code: "1000", Name: "맛", AddOns: []AddOn{{ID: "1001", Name: "시원함", Price: 500}}}}},
			{ID: "B", Name: "냉면", Price: 12000, Active: true},
			{ID: "C", Name: "품절", Price: 1000, Active: false},
		}},
		{Code: "G2", Name: "시즌", Active: false, Items: []Item{{ID: "D", Name: "겨울메뉴", Price: 1000, Active: true}}},
	}}
}

type fakeSource struct {
	tables                   []Table
	menu                     *Menu
	changed                  bool
	fail                     error
	nTables, nMenu, nChanged int
}

func (f *fakeSource) Tables(context.Context) ([]Table, error) {
	f.nTables++
	if f.fail != nil {
		return nil, f.fail
	}
	return f.tables, nil
}

func (f *fakeSource) MenuChanged(_ context.Context, since time.Time) (bool, time.Time, error) {
	f.nChanged++
	if f.fail != nil {
		return false, time.Time{}, f.fail
	}
	return f.changed || since.IsZero(), time.Date(2024, 1, 1, 0, 0, 0, 0, kst), nil
}

func (f *fakeSource) Menu(context.Context) (*Menu, error) {
	f.nMenu++
	if f.fail != nil {
		return nil, f.fail
	}
	return f.menu, nil
}

func TestCatalogRefreshPolicy(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	src := &fakeSource{tables: []Table{{FloorCode: "0001", TableCode: "0005"}}, menu: testMenu()}
	cat := NewCatalog(src, 0).WithCatalogClock(clk)
	ctx := context.Background()
	if cat.Snapshot() != nil {
		t.Fatal("fetched early")
	}
	s1, err := cat.Get(ctx)
	if err != nil || s1 == nil || src.nMenu != 1 {
		t.Fatal(err, src.nMenu)
	}
	clk.Advance(23 * time.Hour)
	if s, _ := cat.Get(ctx); s != s1 || src.nTables != 1 {
		t.Fatal("refreshed before a day")
	}
	clk.Advance(time.Hour)
	s2, err := cat.Get(ctx)
	if err != nil || s2 == s1 || src.nTables != 2 || src.nMenu != 1 {
		t.Fatalf("daily refresh: err=%v tables=%d menu=%d", err, src.nTables, src.nMenu)
	}
	src.changed = true
	if _, err := cat.Refresh(ctx); err != nil || src.nMenu != 2 {
		t.Fatal(err, src.nMenu)
	}
	src.fail = errors.New("agent down")
	clk.Advance(25 * time.Hour)
	s3, err := cat.Get(ctx)
	if err == nil || s3 == nil || s3.Menu == nil {
		t.Fatal("last good copy not served", err)
	}
}

func TestCatalogValidate(t *testing.T) {
	src := &fakeSource{tables: []Table{{FloorCode: "0001", TableCode: "0005"}}, menu: testMenu()}
	cat := NewCatalog(src, time.Hour).WithCatalogClock(mock.NewClock(time.Time{}))
	ctx := context.Background()
	cases := []struct {
		name string
		m    func(o *Order)
		is   func(error) bool
	}{
		{"valid", func(o *Order) {}, nil},
		{"table", func(o *Order) { o.Table.TableCode = "9999" }, IsUnknownTable},
		{"item", func(o *Order) { o.Lines[1].ItemID = "Z" }, IsUnknownItem},
		{"inactive item", func(o *Order) { o.Lines[1].ItemID = "C"; o.Lines[1].Price = 1000 }, IsInactiveItem},
		{"inactive group", func(o *Order) { o.Lines[1].ItemID = "D"; o.Lines[1].Price = 1000 }, IsInactiveItem},
		{"price", func(o *Order) { o.Lines[1].Price = 11000 }, IsPriceMismatch},
		{"add-on elsewhere", func(o *Order) { o.Lines[1].AddOns = []LineAddOn{{ID: "1001", Price: 500}} }, IsUnknownItem},
		{"add-on group", func(o *Order) { o.Lines[0].AddOns[0].GroupCode = "2000" }, IsUnknownItem},
		{"add-on price", func(o *Order) { o.Lines[0].AddOns[0].Price = 400 }, IsPriceMismatch},
		{"order rules", func(o *Order) { o.Lines[1].Count = 0 }, IsInvalidInput},
	}
	for _, c := range cases {
		o := postpaid()
		c.m(o)
		err := cat.Validate(ctx, o)
		if c.is == nil {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !c.is(err) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
