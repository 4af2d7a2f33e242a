package smartro

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A zero "since" sends MenuCheckAllTime, a valid UPDATE_CHECK_DTIME before any menu.
func TestMenuChangedAllTime(t *testing.T) {
	at, err := time.ParseInLocation(DateTimeLayout, MenuCheckAllTime, kst)
	if err != nil || at.Year() > 2000 {
		t.Fatalf("MenuCheckAllTime %q: %v %v", MenuCheckAllTime, at, err)
	}
	s := newStub(t)
	c := newTestClient(t, s)
	s.on(PathMenuState, ok(WireMenuStateAnswer{Updated: FlagYes, UpdateTime: "20240102030405"}))
	if changed, _, err := c.MenuChanged(context.Background(), time.Time{}); err != nil || !changed {
		t.Fatal(changed, err)
	}
	if b := s.last(PathMenuState); !strings.Contains(b, `"UPDATE_CHECK_DTIME":"`+MenuCheckAllTime+`"`) {
		t.Fatal(b)
	}
}
