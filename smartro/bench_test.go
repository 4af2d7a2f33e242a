package smartro

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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

func benchServer(b *testing.B) *httptest.Server {
	list := WireOrderList{}
	for i := 0; i < 10; i++ {
		list.Orders = append(list.Orders, WireLiveOrder{OrderNo: fmt.Sprint("TO", i), OrgOrderNo: "TO0", MerchantOrderNo: fmt.Sprint("M", i),
			OrderDate: "20240101", OrderTime: "120000", Status: string(StatusReceived), SuccessFlag: "Y", OriginalAmount: 12000, PayAmount: 12000,
			FloorCode: "0001", TableCode: "0005",
			Items: []WireOrderItem{{Seq: 1, ID: "A", Name: "냉면", SalePrice: 12000, SaleAmount: 12000, Count: 1}}})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = WriteEnvelope(w, list)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkClientCall compares Client.TableOrders with a hand-written net/http +
// encoding/json call of the same endpoint against the same httptest server.
func BenchmarkClientCall(b *testing.B) {
	srv := benchServer(b)
	ctx := context.Background()
	b.Run("sdk", func(b *testing.B) {
		c, err := NewClient("S", "V", WithBaseURL(srv.URL), WithHTTPClient(srv.Client()))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			o, err := c.TableOrders(ctx, "0001", "0005")
			if err != nil || len(o) != 10 {
				b.Fatal(err)
			}
		}
	})
	b.Run("nethttp", func(b *testing.B) {
		hc := srv.Client()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			body, _ := json.Marshal(map[string]string{"STORE_ID": "S", "SERVICE_ID": "V", "FLR_CODE": "0001", "TBL_CODE": "0005"})
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+PathTableOrders, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			var env struct {
				ErrCode string          `json:"ERRCODE"`
				Obj     json.RawMessage `json:"OBJ"`
			}
			if err := json.Unmarshal(data, &env); err != nil || env.ErrCode != "" {
				b.Fatal(err)
			}
			var list WireOrderList
			if err := json.Unmarshal(env.Obj, &list); err != nil || len(list.Orders) != 10 {
				b.Fatal(err)
			}
		}
	})
}
