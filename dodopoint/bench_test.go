package dodopoint_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/poskit/poskit/dodopoint"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/dodopointmock"
)

// benchOutbox opens an outbox whose program is down and whose clock never moves, so the
// delivery loop stays parked and the benchmark measures acknowledged claims only.
func benchOutbox(b *testing.B, kind string) (*dodopoint.Outbox, *fakeProgram, *mock.Clock, string) {
	b.Helper()
	prog := newFakeProgram()
	prog.setDown(true)
	clk := mock.NewClock(time.Time{})
	opts := []dodopoint.Option{dodopoint.WithClock(clk), dodopoint.WithRetry(testRetry), dodopoint.WithMaxQueued(1 << 30)}
	var ob *dodopoint.Outbox
	var err error
	path := ""
	switch kind {
	case "bbolt":
		path = filepath.Join(b.TempDir(), "outbox")
		ob, err = dodopoint.OpenFile(path, prog, opts...)
	default:
		ob, err = dodopoint.NewOutbox(prog, dodopoint.NewMemoryStore(), opts...)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ob.Close() })
	return ob, prog, clk, path
}

var benchRun atomic.Int64

// claimAll makes n claims from the given number of concurrent callers and returns the
// elapsed time.
func claimAll(b *testing.B, claim func(id string) error, n, callers int) time.Duration {
	run := benchRun.Add(1)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				if err := claim(fmt.Sprintf("B%d-%d", run, i)); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// BenchmarkClaim: acknowledged claims per second into the bbolt outbox (fsync) and the
// memory store, at 1 and 64 concurrent callers.
func BenchmarkClaim(b *testing.B) {
	for _, kind := range []string{"bbolt", "memory"} {
		for _, callers := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/callers=%d", kind, callers), func(b *testing.B) {
				ob, _, _, path := benchOutbox(b, kind)
				b.ResetTimer()
				d := claimAll(b, func(id string) error { return ob.Claim(b.Context(), sale(id, 1000)) }, b.N, callers)
				b.StopTimer()
				b.ReportMetric(float64(b.N)/d.Seconds(), "claims/s")
				if path != "" {
					if fi, err := os.Stat(path); err == nil {
						b.ReportMetric(float64(fi.Size())/float64(b.N), "file_B/claim")
					}
				}
			})
		}
	}
}

// BenchmarkGroupCommitVsUpdatePerClaim compares, in one run at 64 callers, the outbox's
// group commit with the baseline of one fsync'd bbolt transaction per claim (db.Update
// per claim), and reports the ratio (acceptance: ≥ 5).
func BenchmarkGroupCommitVsUpdatePerClaim(b *testing.B) {
	const callers = 64
	n := max(b.N, 1024)
	ob, _, _, _ := benchOutbox(b, "bbolt")
	db, err := bolt.Open(filepath.Join(b.TempDir(), "baseline"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	_ = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("ops")); return err })
	var seq atomic.Uint64
	value := make([]byte, 64) // about the size of one encoded claim record
	perClaim := func(string) error {
		return db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("ops")).Put(binary.BigEndian.AppendUint64(nil, seq.Add(1)), value)
		})
	}
	b.ResetTimer()
	var tGroup, tUpdate time.Duration
	for range 2 { // interleaved, so drift hits both alike
		tGroup += claimAll(b, func(id string) error { return ob.Claim(b.Context(), sale(id, 1000)) }, n/2, callers)
		tUpdate += claimAll(b, perClaim, n/2, callers)
	}
	b.StopTimer()
	group := float64(n/2*2) / tGroup.Seconds()
	update := float64(n/2*2) / tUpdate.Seconds()
	b.ReportMetric(group, "outbox_claims/s")
	b.ReportMetric(update, "update_per_claim/s")
	b.ReportMetric(group/update, "ratio")
}

// BenchmarkDelivery10k: delivery throughput with 10,000 operations queued in the bbolt
// outbox, and the bytes on disk per queued operation.
func BenchmarkDelivery10k(b *testing.B) {
	const queued = 10_000
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ob, prog, clk, path := benchOutbox(b, "bbolt")
		claimAll(b, func(id string) error { return ob.Claim(b.Context(), sale(id, 1000)) }, queued, 64)
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(fi.Size())/queued, "disk_B/queued_op")
		if !clk.WaitForWaiters(1, nil) {
			b.Fatal("loop not parked")
		}
		prog.setDown(false)
		b.StartTimer()
		start := time.Now()
		clk.Advance(time.Minute)
		if err := ob.Drain(b.Context()); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		b.StopTimer()
		if prog.calls < queued {
			b.Fatalf("%d delivered", prog.calls)
		}
		_ = ob.Close()
	}
	b.ReportMetric(float64(queued*b.N)/total.Seconds(), "delivered/s")
}

// BenchmarkDelivery10kHTTP: delivery throughput over the HTTP transport to the fake assist
// program when it comes back with 10,000 operations queued in the bbolt outbox (one
// request at a time, in order, on loopback).
func BenchmarkDelivery10kHTTP(b *testing.B) {
	const queued = 10_000
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		srv := dodopointmock.NewServer()
		srv.Down()
		clk := srv.Clock()
		ob, err := srv.Outbox(filepath.Join(b.TempDir(), "outbox"), dodopoint.WithRetry(testRetry), dodopoint.WithMaxQueued(1<<20))
		if err != nil {
			b.Fatal(err)
		}
		claimAll(b, func(id string) error { return ob.Claim(b.Context(), sale(id, 1000)) }, queued, 64)
		if !clk.WaitForWaiters(1, nil) {
			b.Fatal("loop not parked")
		}
		if err := srv.Up(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		clk.Advance(time.Minute)
		if err := ob.Drain(b.Context()); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		b.StopTimer()
		if n := len(srv.Payments()); n != queued {
			b.Fatalf("%d delivered", n)
		}
		_ = ob.Close()
		srv.Close()
	}
	b.ReportMetric(float64(queued*b.N)/total.Seconds(), "delivered/s")
}
