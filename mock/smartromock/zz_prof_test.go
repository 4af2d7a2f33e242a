package smartromock

import (
	"context"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
)

func BenchmarkZZSDKOnly(b *testing.B) {
	clk := mock.NewClock(time.Time{})
	s := NewServer(WithClock(clk))
	defer s.Close()
	for i := 0; i < TableLookupLimit; i++ {
		place(b, s, basket("B"+string(rune('a'+i)), t1))
	}
	clk.Advance(DefaultDeliveryDelay)
	c := s.Client()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := c.TableOrders(context.Background(), t1.FloorCode, t1.TableCode); err != nil {
			b.Fatal(err)
		}
		if i%1000 == 0 {
			s.rt.Recorder.Reset()
		}
	}
}
