package loyaltymock

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/loyalty"
)

// loadGen issues n GET requests to u from g goroutines over one keep-alive
// client and returns the requests per second.
func loadGen(tb testing.TB, client *http.Client, u string, n, g int) float64 {
	var wg sync.WaitGroup
	per := (n + g - 1) / g
	errs := make(chan error, g)
	start := time.Now()
	for i := 0; i < g; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < per; j++ {
				resp, err := client.Get(u)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	return float64(per*g) / el.Seconds()
}

func keepAliveClient(g int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = g * 2
	tr.MaxIdleConnsPerHost = g * 2
	return &http.Client{Transport: tr}
}

// BenchmarkFakeThroughput compares GET user/balance on the fake with a bare
// net/http handler answering a fixed body of the same size, under the same
// load generator. Metrics: fake_req/s, bare_req/s and fake/bare (target ≥ 0.6).
func BenchmarkFakeThroughput(b *testing.B) {
	const g = 16
	srv := NewServer(WithWalletPolicy(Ignore))
	defer srv.Close()
	alice, _ := srv.Seed().Wallet(Alice)
	fakeURL := srv.URL() + relayRoutes().UserBalance + "?account=" + alice.Account

	resp, err := http.Get(fakeURL)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	}))
	defer bare.Close()
	bareURL := bare.URL + relayRoutes().UserBalance + "?account=" + alice.Account

	n := b.N
	if n < 2000 {
		n = 2000
	}
	fc, bc := keepAliveClient(g), keepAliveClient(g)
	loadGen(b, fc, fakeURL, 500, g) // warm the connections
	loadGen(b, bc, bareURL, 500, g)
	b.ResetTimer()
	var fakeRate, bareRate float64
	// Alternate halves so drift hits both sides alike.
	for half := 0; half < 2; half++ {
		fakeRate += loadGen(b, fc, fakeURL, n/2, g)
		bareRate += loadGen(b, bc, bareURL, n/2, g)
	}
	b.StopTimer()
	srv.Recorder().Reset()
	b.ReportMetric(fakeRate/2, "fake_req/s")
	b.ReportMetric(bareRate/2, "bare_req/s")
	b.ReportMetric(fakeRate/bareRate, "fake/bare")
}

// BenchmarkHeldPayments measures the heap kept per open, unanswered payment
// with 100k of them (target ≤ 2 KiB/payment). Payments are created through
// the internal open, not HTTP.
func BenchmarkHeldPayments(b *testing.B) {
	const n = 100_000
	var perPayment float64
	for i := 0; i < b.N; i++ {
		srv := NewServer(WithWalletPolicy(Ignore))
		seed := srv.Seed()
		alice, _ := seed.Wallet(Alice)
		srv.SetBalance(alice.Account, loyalty.FromWhole(1<<60))
		srv.mu.Lock()
		key := srv.keys[seed.AccessKey()]
		srv.mu.Unlock()
		amount := loyalty.FromWhole(10_000)
		purchase := make([]string, n)
		for j := range purchase {
			purchase[j] = fmt.Sprintf("P-%08d", j)
		}
		// Servers of earlier iterations finish closing in the background:
		// collect until the heap stops shrinking.
		var before, after runtime.MemStats
		for k, last := 0, uint64(0); k < 10; k++ {
			runtime.GC()
			runtime.ReadMemStats(&before)
			if before.HeapAlloc == last {
				break
			}
			last = before.HeapAlloc
			time.Sleep(time.Millisecond)
		}
		srv.mu.Lock()
		for j := 0; j < n; j++ {
			if _, e := srv.openNewLocked(key, openInput{purchaseID: purchase[j], amount: amount, currency: "krw", shopID: seed.Shop().ID, account: alice.Account}); e != nil {
				srv.mu.Unlock()
				b.Fatalf("open %d: code %d", j, e.code)
			}
		}
		srv.mu.Unlock()
		runtime.GC()
		runtime.ReadMemStats(&after)
		if len(srv.Payments()) != n {
			b.Fatal("payments missing")
		}
		perPayment = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
		runtime.KeepAlive(purchase)
		srv.Close()
	}
	b.ReportMetric(perPayment, "bytes/payment")
}
