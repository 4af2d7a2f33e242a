package smartro

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/clockx"
)

// CatalogSource is what a Catalog reads; *Client implements it.
type CatalogSource interface {
	Tables(ctx context.Context) ([]Table, error)
	MenuChanged(ctx context.Context, since time.Time) (bool, time.Time, error)
	Menu(ctx context.Context) (*Menu, error)
}

// DefaultCatalogMaxAge is how old a catalog may get before Get refreshes it: the guide
// recommends refreshing base data once a day.
const DefaultCatalogMaxAge = 24 * time.Hour

// Catalog caches a store's tables and menu on the partner side, as the guide asks: it
// refreshes once MaxAge (default a day) has passed on its clock, and on demand (Refresh,
// e.g. from an admin button). A refresh asks MenuChanged first and fetches the menu only
// when it changed (tables are always refetched: there is no change check for them). When a
// refresh fails, the last good copy keeps being served and the error is returned alongside
// it. It is safe for concurrent use.
type Catalog struct {
	src    CatalogSource
	clock  Clock
	maxAge time.Duration

	mu        sync.Mutex // serialises refreshes
	snap      *CatalogSnapshot
	menuStamp time.Time // agent's UPDATE_DTIME of the cached menu
}

// CatalogSnapshot is one consistent copy of the tables and menu. Treat it as read-only.
type CatalogSnapshot struct {
	Tables    []Table
	Menu      *Menu
	FetchedAt time.Time // on the catalog's clock
	tables    map[TableRef]bool
	items     map[string]*catItem
}

type catItem struct {
	item  *Item
	group *ItemGroup
}

// NewCatalog returns an empty catalog over src (usually a *Client; a source with a Clock
// method, as *Client has, lends the catalog its clock).
// maxAge ≤ 0 means DefaultCatalogMaxAge. Nothing is fetched until Get or Refresh. A nil
// src is allowed only for WithCatalog, which makes the new client the source.
func NewCatalog(src CatalogSource, maxAge time.Duration) *Catalog {
	if maxAge <= 0 {
		maxAge = DefaultCatalogMaxAge
	}
	c := &Catalog{src: src, maxAge: maxAge, clock: clockx.Real}
	if cl, ok := src.(interface{ Clock() Clock }); ok && cl.Clock() != nil {
		c.clock = cl.Clock()
	}
	return c
}

// bind makes cl the source of a catalog made without one (WithCatalog).
func (c *Catalog) bind(cl *Client) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.src == nil {
		c.src = cl
		if c.clock == clockx.Real {
			c.clock = cl.clock
		}
	}
}

// WithCatalogClock sets the catalog's clock (tests) and returns the catalog.
func (c *Catalog) WithCatalogClock(clk Clock) *Catalog {
	c.clock = clockx.Or(clk)
	return c
}

// Snapshot returns the current copy without refreshing (nil before the first refresh).
func (c *Catalog) Snapshot() *CatalogSnapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snap
}

// Get returns the cached copy, refreshing first when there is none or it is older than
// maxAge. If that refresh fails it returns the last good copy (if any) and the error.
func (c *Catalog) Get(ctx context.Context) (*CatalogSnapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != nil && c.clock.Now().Sub(c.snap.FetchedAt) < c.maxAge {
		return c.snap, nil
	}
	return c.refreshLocked(ctx)
}

// Refresh refetches now (the admin button). The menu is fetched only when MenuChanged says
// it changed since the cached copy. On failure the last good copy is kept and returned with
// the error.
func (c *Catalog) Refresh(ctx context.Context) (*CatalogSnapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refreshLocked(ctx)
}

func (c *Catalog) refreshLocked(ctx context.Context) (*CatalogSnapshot, error) {
	old := c.snap
	if c.src == nil {
		return old, invalid("smartro.Catalog.Refresh", "the catalog has no source (NewCatalog(nil, …) is for WithCatalog)")
	}
	tables, err := c.src.Tables(ctx)
	if err != nil {
		return old, err
	}
	var menu *Menu
	stamp := c.menuStamp
	if old != nil {
		changed, at, err := c.src.MenuChanged(ctx, c.menuStamp)
		if err != nil {
			return old, err
		}
		if !changed {
			menu = old.Menu
		} else if !at.IsZero() {
			stamp = at
		}
	}
	if menu == nil {
		if old == nil {
			// Learn the agent's current stamp first so the next check compares against it.
			if _, at, err := c.src.MenuChanged(ctx, time.Time{}); err == nil && !at.IsZero() {
				stamp = at
			}
		}
		m, err := c.src.Menu(ctx)
		if err != nil {
			return old, err
		}
		menu = m
	}
	snap := newSnapshot(tables, menu, c.clock.Now())
	c.snap, c.menuStamp = snap, stamp
	return snap, nil
}

func newSnapshot(tables []Table, menu *Menu, at time.Time) *CatalogSnapshot {
	s := &CatalogSnapshot{Tables: tables, Menu: menu, FetchedAt: at, tables: make(map[TableRef]bool, len(tables)), items: map[string]*catItem{}}
	for _, t := range tables {
		s.tables[t.Ref()] = true
	}
	if menu != nil {
		for gi := range menu.Groups {
			g := &menu.Groups[gi]
			for ii := range g.Items {
				if _, dup := s.items[g.Items[ii].ID]; !dup {
					s.items[g.Items[ii].ID] = &catItem{item: &g.Items[ii], group: g}
				}
			}
		}
	}
	return s
}

// Validate checks o against the cached copy (refreshing as Get does): the table exists;
// every item exists, is active and in an active group, and has the catalog's price; every
// add-on belongs to one of the item's add-on groups (its GroupCode, when set, must be that
// group) and has the catalog's price. Failures are *Error with CodeUnknownTable,
// CodeUnknownItem, CodeInactiveItem, CodeUnknownAddOn or CodePriceMismatch; then the
// order's own checks (Order.Validate) run. Nothing is sent.
func (c *Catalog) Validate(ctx context.Context, o *Order) error {
	s, err := c.Get(ctx)
	if s == nil {
		return err
	}
	return s.Validate(o)
}

// Validate checks o against this copy; see Catalog.Validate.
func (s *CatalogSnapshot) Validate(o *Order) error {
	const op = "smartro.Catalog.Validate"
	if o == nil {
		return invalid(op, "order is nil")
	}
	if err := s.check(o); err != nil {
		return err
	}
	return o.validate(op, false)
}

// check checks o against this copy (table, items, add-ons, prices), without the order's
// own checks.
func (s *CatalogSnapshot) check(o *Order) *Error {
	const op = "smartro.Catalog.Validate"
	fail := func(code, format string, args ...any) *Error {
		return &Error{Op: op, Code: code, Message: fmt.Sprintf(format, args...)}
	}
	if !s.tables[o.Table] {
		return fail(CodeUnknownTable, "table %v is not in the catalog", o.Table)
	}
	for i, l := range o.Lines {
		ci := s.items[l.ItemID]
		if ci == nil {
			return fail(CodeUnknownItem, "line %d: item %q is not on the menu", i+1, l.ItemID)
		}
		if !ci.item.Active || !ci.group.Active {
			return fail(CodeInactiveItem, "line %d: item %q is switched off", i+1, l.ItemID)
		}
		if l.Price != ci.item.Price {
			return fail(CodePriceMismatch, "line %d: item %q costs %d, not %d", i+1, l.ItemID, ci.item.Price, l.Price)
		}
		for j, a := range l.AddOns {
			ad, ok := ci.item.AddOn(a.GroupCode, a.ID)
			if !ok {
				return fail(CodeUnknownAddOn, "line %d add-on %d: %q is not offered with item %q", i+1, j+1, a.ID, l.ItemID)
			}
			if a.Price != ad.Price {
				return fail(CodePriceMismatch, "line %d add-on %d: %q costs %d, not %d", i+1, j+1, a.ID, ad.Price, a.Price)
			}
		}
	}
	return nil
}
