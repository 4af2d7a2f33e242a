package smartromock

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/smartro"
)

// BenchmarkFakeLookup measures table-lookup throughput of the fake over loopback HTTP,
// with the table holding 10 delivered orders (the lookup's limit).
func BenchmarkFakeLookup(b *testing.B) {
	clk := mock.NewClock(time.Time{})
	s := NewServer(WithClock(clk))
	defer s.Close()
	for i := 0; i < TableLookupLimit; i++ {
		place(b, s, basket("B"+string(rune('a'+i)), t1))
	}
	clk.Advance(DefaultDeliveryDelay)
	body, _ := json.Marshal(smartro.WireTableOrdersRequest{StoreID: s.StoreID(), ServiceID: s.ServiceID(), FloorCode: t1.FloorCode, TableCode: t1.TableCode})
	hc := s.HTTPClient()
	url := s.URL() + smartro.PathTableOrders
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := hc.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
	}
}
