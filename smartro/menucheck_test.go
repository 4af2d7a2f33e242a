package smartro

import (
	"context"
	wire "github.com/poskit/poskit/internal/smartrowire"
	"strings"
	"testing"
	"time"
)

// A zero "since" sends wire.MenuCheckAllTime, a valid UPDATE_CHECK_DTIME before any menu.
func TestMenuChangedAllTime(t *testing.T) {
	at, err := time.ParseInLocation(wire.DateTimeLayout, wire.MenuCheckAllTime, kst)
	if err != nil || at.Year() > 2000 {
		t.Fatalf("wire.MenuCheckAllTime %q: %v %v", wire.MenuCheckAllTime, at, err)
	}
	s := newStub(t)
	c := newTestClient(t, s)
	s.on(wire.PathMenuState, ok(wire.MenuStateAnswer{Updated: wire.FlagYes, UpdateTime: "20240102030405"}))
	if changed, _, err := c.MenuChanged(context.Background(), time.Time{}); err != nil || !changed {
		t.Fatal(changed, err)
	}
	if b := s.last(wire.PathMenuState); !strings.Contains(b, `"UPDATE_CHECK_DTIME":"`+wire.MenuCheckAllTime+`"`) {
		t.Fatal(b)
	}
}
