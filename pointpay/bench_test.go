package pointpay

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/pointpaywire"
)

// BenchmarkReceiverLoopback posts callbacks to a receiver over loopback HTTP, with
// de-duplication on: "new" conversions (create, credit, record) and "dup"licates of a
// credited one (one lookup), in parallel, on each store.
func BenchmarkReceiverLoopback(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) Store
	}{
		{"memory", func(*testing.B) Store { return NewMemoryStore() }},
		{"bolt", func(b *testing.B) Store {
			s, err := OpenBoltStore(filepath.Join(b.TempDir(), "pp.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
	for _, st := range stores {
		for _, kind := range []string{"new", "dup"} {
			b.Run(st.name+"/"+kind, func(b *testing.B) {
				rv, err := NewReceiver(testMedia, st.open(b), func(context.Context, Result) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
				srv := httptest.NewServer(rv)
				defer srv.Close()
				tr := &http.Transport{MaxIdleConnsPerHost: 64}
				defer tr.CloseIdleConnections()
				client := &http.Client{Transport: tr}
				want := "201"
				if kind == "dup" {
					want = "202|-|" + pointpaywire.ReasonDuplicate
					if _, body := post(b, rv, sampleResult("DUP", 100).Form()); body != "201" {
						b.Fatal(body)
					}
				}
				var seq atomic.Int64
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					var sb strings.Builder
					for pb.Next() {
						order := "DUP"
						if kind == "new" {
							order = fmt.Sprintf("N%d", seq.Add(1))
						}
						resp, err := client.Post(srv.URL, pointpaywire.FormContentType, strings.NewReader(sampleResult(order, 100).Form().Encode()))
						if err != nil {
							b.Error(err)
							return
						}
						sb.Reset()
						_, _ = io.Copy(&sb, resp.Body)
						resp.Body.Close()
						if sb.String() != want {
							b.Errorf("answer %q", sb.String())
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "callbacks/s")
			})
		}
	}
}

// BenchmarkRecordMemory measures what one recorded conversion costs: heap bytes in a
// MemoryStore, file bytes in a BoltStore.
func BenchmarkRecordMemory(b *testing.B) {
	ctx := context.Background()
	rec := func(i int) Record {
		return Record{Result: sampleResult(fmt.Sprintf("PP-%010d", i), 1000), State: StateCredited, Attempts: 1, UpdatedAt: time.Unix(1e9, 0)}
	}
	b.Run("memory", func(b *testing.B) {
		n := max(b.N, 10000)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := NewMemoryStore()
		for i := range n {
			if _, _, err := s.Create(ctx, rec(i)); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "heapB/conversion")
		runtime.KeepAlive(s)
	})
	b.Run("bolt", func(b *testing.B) {
		n := max(b.N, 10000)
		path := filepath.Join(b.TempDir(), "pp.db")
		s, err := OpenBoltStore(path, WithNoSync())
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			if _, _, err := s.Create(ctx, rec(i)); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(fi.Size())/float64(n), "fileB/conversion")
	})
}
