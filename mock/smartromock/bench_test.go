package smartromock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	wire "github.com/poskit/poskit/internal/smartrowire"

	"github.com/poskit/poskit/internal/benchx"
	"github.com/poskit/poskit/mock"
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
	body, _ := json.Marshal(wire.TableOrdersRequest{StoreID: s.StoreID(), ServiceID: s.ServiceID(), FloorCode: t1.FloorCode, TableCode: t1.TableCode})
	hc := s.HTTPClient()
	url := s.URL() + wire.PathTableOrders
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

// BenchmarkClientCall compares smartro.Client.TableOrders with a hand-written net/http +
// encoding/json call of the same endpoint (same body, envelope check, OBJ decoded into
// the wire type) against the fake holding 10 delivered orders on the table, interleaved.
// Metric sdk/hand is the time ratio (target ≤ 1.10).
func BenchmarkClientCall(b *testing.B) {
	clk := mock.NewClock(time.Time{})
	s := NewServer(WithClock(clk))
	defer s.Close()
	for i := 0; i < TableLookupLimit; i++ {
		place(b, s, basket("B"+string(rune('a'+i)), t1))
	}
	clk.Advance(DefaultDeliveryDelay)
	ctx := context.Background()
	c := s.Client()
	sdk := func() error {
		list, err := c.TableOrders(ctx, t1.FloorCode, t1.TableCode)
		if err == nil && len(list) != TableLookupLimit {
			err = fmt.Errorf("%d orders", len(list))
		}
		return err
	}
	hc := s.HTTPClient()
	url := s.URL() + wire.PathTableOrders
	hand := func() error {
		body, err := json.Marshal(wire.TableOrdersRequest{StoreID: s.StoreID(), ServiceID: s.ServiceID(), FloorCode: t1.FloorCode, TableCode: t1.TableCode})
		if err != nil {
			return err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s %v", resp.Status, err)
		}
		var env struct {
			ErrCode string         `json:"ERRCODE"`
			Obj     wire.OrderList `json:"OBJ"`
		}
		if err := json.Unmarshal(data, &env); err != nil || env.ErrCode != "" || len(env.Obj.Orders) != TableLookupLimit {
			return fmt.Errorf("%s %v", env.ErrCode, err)
		}
		return nil
	}
	benchx.CompareCalls(b, hand, sdk, s.Recorder().Reset)
}
