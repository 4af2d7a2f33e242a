package smartro

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
)

type countingLookup struct{ n atomic.Int64 }

func (c *countingLookup) TableOrders(context.Context, string, string) ([]LiveOrder, error) {
	c.n.Add(1)
	return nil, nil
}

// BenchmarkTracker10k tracks 10,000 accepted orders over 100 tables on the fake clock and
// runs one poll tick: it reports the tracker's heap bytes per tracked order and the
// lookups made in the tick (must equal the number of tables).
func BenchmarkTracker10k(b *testing.B) {
	const orders, tables = 10_000, 100
	refs := make([]TableRef, tables)
	for i := range refs {
		refs[i] = TableRef{"01", fmt.Sprintf("T%03d", i)}
	}
	keys := make([]string, orders)
	acks := make([]OrderAck, orders)
	for i := range keys {
		keys[i] = fmt.Sprintf("M%06d", i)
		acks[i] = OrderAck{OrderNo: fmt.Sprintf("TO%06d", i)}
	}
	var bytesPerOrder, lookupsPerTick float64
	b.ReportAllocs()
	for it := 0; it < b.N; it++ {
		clk := mock.NewClock(time.Time{})
		src := &countingLookup{}
		q := newQuiet()
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		tr := newTracker(src, q.hook, WithTrackerClock(clk))
		for i := 0; i < orders; i++ {
			if _, err := tr.Track(refs[i%tables], keys[i], &acks[i], nil); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&ms1)
		bytesPerOrder = float64(int64(ms1.HeapAlloc)-int64(ms0.HeapAlloc)) / orders
		q.settle(b, tr, clk.Now())
		clk.Advance(5 * time.Second)
		q.settle(b, tr, clk.Now())
		lookupsPerTick = float64(src.n.Load())
		if tr.Len() != orders {
			b.Fatalf("%d tracked", tr.Len())
		}
		tr.Close()
	}
	b.ReportMetric(bytesPerOrder, "bytes/order")
	b.ReportMetric(lookupsPerTick, "lookups/tick")
	if lookupsPerTick != tables {
		b.Fatalf("%v lookups in one tick for %d tables", lookupsPerTick, tables)
	}
}

// The client's call overhead against a hand-written net/http call is measured against the
// fake agent, interleaved: BenchmarkClientCall in mock/smartromock.
