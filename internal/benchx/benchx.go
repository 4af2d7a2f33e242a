// Package benchx holds the benchmark harness the client packages share: it compares an
// SDK call with a hand-written net/http call of the same endpoint, interleaved in rounds
// so machine drift hits both alike, and reports the ratio as a metric.
package benchx

import (
	"testing"
	"time"
)

// CompareCalls runs hand and sdk b.N times each (at least 1000), interleaved in four
// rounds, calling between (if non-nil) after every round — e.g. to reset a fake's request
// recorder so neither side pays for the other's garbage. It reports hand_ns/call,
// sdk_ns/call and sdk/hand, the overhead ratio the acceptance figures speak of.
func CompareCalls(b *testing.B, hand, sdk func() error, between func()) {
	b.Helper()
	measure := func(n int, f func() error) time.Duration {
		start := time.Now()
		for i := 0; i < n; i++ {
			if err := f(); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	measure(200, hand) // warm connections and caches for both
	measure(200, sdk)
	if between != nil {
		between()
	}
	n := max(b.N, 1000)
	const rounds = 4
	b.ReportAllocs()
	b.ResetTimer()
	var th, ts time.Duration
	for range rounds {
		th += measure(n/rounds, hand)
		ts += measure(n/rounds, sdk)
		if between != nil {
			between()
		}
	}
	b.StopTimer()
	calls := float64(n / rounds * rounds)
	b.ReportMetric(float64(th.Nanoseconds())/calls, "hand_ns/call")
	b.ReportMetric(float64(ts.Nanoseconds())/calls, "sdk_ns/call")
	b.ReportMetric(float64(ts)/float64(th), "sdk/hand")
}
