package cafe24_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/mock/cafe24mock"
)

// 1,000 goroutines call with an expired access token: exactly one refresh request reaches
// the fake (checked every iteration); the time is that of the 1,000 calls.
func BenchmarkThousandGoroutinesExpiredToken(b *testing.B) {
	srv, c := fake(b, cafe24mock.WithBucket(0, 0))
	for b.Loop() {
		b.StopTimer()
		srv.Clock().Advance(2 * time.Hour)
		b.StartTimer()
		if n := thousandCallers(b, srv, c); n != 1 {
			b.Fatalf("%d refresh requests, want 1", n)
		}
	}
}

// The limiter's cost per call: Wait and Observe of one answer, bucket never full.
func BenchmarkLimiterPerCall(b *testing.B) {
	l := cafe24.NewLimiter(cafe24.WithBucket(1<<30, 1<<30))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Wait(ctx, "myshop"); err != nil {
			b.Fatal(err)
		}
		_ = l.Observe("myshop", "1/40")
	}
}

// One Admin API call (a one-record ListPoints page) end to end against the fake on
// loopback, limiter included: compare with BenchmarkLimiterPerCall.
func BenchmarkListPointsOneCall(b *testing.B) {
	srv, c := fake(b, cafe24mock.WithBucket(0, 0))
	now := srv.Clock().Now()
	q := cafe24.PointsQuery{From: now, To: now, PageSize: 1}
	b.ReportAllocs()
	for b.Loop() {
		for _, err := range c.ListPoints(context.Background(), q) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// Listing 1,000 and 10,000 records: B/op grows with the records decoded, but the live heap
// while iterating stays flat (one page at a time): live-B is the heap growth measured at
// the last record — in this process, which also holds the fake and its recorded requests
// (about 1.5 KB per page request).
func BenchmarkListPoints(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			srv, c := fake(b, cafe24mock.WithBucket(0, 0))
			start := time.Date(2025, 12, 1, 0, 0, 0, 0, cafe24.KST)
			srv.AddRecords("member2", "seed", n, start, time.Minute)
			q := cafe24.PointsQuery{From: start, To: start.AddDate(0, 0, 7), MemberID: "member2"}
			var ms runtime.MemStats
			var live uint64
			b.ReportAllocs()
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				base := ms.HeapAlloc
				i := 0
				for _, err := range c.ListPoints(context.Background(), q) {
					if err != nil {
						b.Fatal(err)
					}
					if i++; i == n {
						b.StopTimer()
						runtime.GC()
						runtime.ReadMemStats(&ms)
						if ms.HeapAlloc > base {
							live = max(live, ms.HeapAlloc-base)
						}
						b.StartTimer()
					}
				}
				if i != n {
					b.Fatalf("listed %d of %d", i, n)
				}
			}
			b.ReportMetric(float64(live), "live-B")
		})
	}
}
