package cafe24_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/cafe24/cafe24prop"
	"github.com/poskit/poskit/mock"
)

const mall = "shop1"

type fixture struct {
	clk   *mock.Clock
	auth  *cafe24prop.FakeAuth
	store *cafe24.MemoryStore
	ts    *cafe24.TokenSource
	first *cafe24.Token
}

func newFixture(t testing.TB, opts ...cafe24.SourceOption) *fixture {
	t.Helper()
	f := &fixture{clk: mock.NewClock(time.Time{}), store: cafe24.NewMemoryStore()}
	f.auth = cafe24prop.NewFakeAuth(f.clk, mall)
	f.first = f.auth.Consent()
	if _, err := f.store.Save(context.Background(), mall, f.first, 0); err != nil {
		t.Fatal(err)
	}
	ts, err := cafe24.NewTokenSource(mall, f.store, f.auth, append([]cafe24.SourceOption{cafe24.WithSourceClock(f.clk)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	f.ts = ts
	return f
}

func TestTokenSourceRefreshesAheadOfExpiry(t *testing.T) {
	f := newFixture(t, cafe24.WithRefreshMargin(10*time.Minute))
	ctx := context.Background()
	tok, err := f.ts.Token(ctx)
	if err != nil || tok.AccessToken != f.first.AccessToken || f.auth.Calls() != 0 {
		t.Fatalf("fresh token: %v %v calls %d", tok, err, f.auth.Calls())
	}
	f.clk.Advance(109 * time.Minute) // 11 minutes left: still fresh
	if tok, _ = f.ts.Token(ctx); tok.AccessToken != f.first.AccessToken || f.auth.Calls() != 0 {
		t.Fatal("refreshed too early")
	}
	f.clk.Advance(2 * time.Minute) // 9 minutes left: inside the margin
	tok, err = f.ts.Token(ctx)
	if err != nil || tok.AccessToken == f.first.AccessToken || f.auth.Calls() != 1 {
		t.Fatalf("not refreshed ahead: %v calls %d", err, f.auth.Calls())
	}
	// Saved before it was handed out.
	stored, v, _ := f.store.Load(ctx, mall)
	if stored.AccessToken != tok.AccessToken || v != 2 || !f.auth.Accepts(stored.RefreshToken.Reveal()) {
		t.Fatal("rotated token not saved")
	}
	if tok.MallID != mall || len(tok.Scopes) == 0 {
		t.Fatalf("token fields %v", tok)
	}
	// The old refresh token is dead on the fake: the store must be the only place it came from.
	if f.auth.Accepts(f.first.RefreshToken.Reveal()) {
		t.Fatal("fake did not rotate")
	}
}

func TestTokenSourceThousandGoroutinesOneRefresh(t *testing.T) {
	f := newFixture(t)
	f.clk.Advance(3 * time.Hour) // access token expired
	release := f.auth.Gate()     // hold the refresh until every goroutine asked
	ctx := context.Background()
	const n = 1000
	var wg sync.WaitGroup
	var started sync.WaitGroup
	toks := make([]*cafe24.Token, n)
	errs := make([]error, n)
	started.Add(n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			toks[i], errs[i] = f.ts.Token(ctx)
		}()
	}
	started.Wait()
	release()
	wg.Wait()
	if c := f.auth.Calls(); c != 1 {
		t.Fatalf("%d refresh calls, want 1", c)
	}
	for i := range n {
		if errs[i] != nil || toks[i].AccessToken != toks[0].AccessToken {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
	}
	toks[1].Scopes[0] = "mutated" // callers get copies
	if again, _ := f.ts.Token(ctx); again.Scopes[0] == "mutated" {
		t.Fatal("callers share the cached token")
	}
}

func BenchmarkTokenSourceThousandExpired(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		f := newFixture(b)
		f.clk.Advance(3 * time.Hour)
		b.StartTimer()
		var wg sync.WaitGroup
		for range 1000 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.ts.Token(ctx); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
		if f.auth.Calls() != 1 {
			b.Fatalf("%d refreshes", f.auth.Calls())
		}
	}
}

func BenchmarkTokenSourceFresh(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.ts.Token(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func TestTokenSourceUsesAnotherProcessesToken(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other, _ := cafe24.NewTokenSource(mall, f.store, f.auth, cafe24.WithSourceClock(f.clk))
	if _, err := f.ts.Token(ctx); err != nil { // caches the first token
		t.Fatal(err)
	}
	f.clk.Advance(3 * time.Hour)
	rotated, err := other.Token(ctx) // "another process" refreshes first
	if err != nil || f.auth.Calls() != 1 {
		t.Fatal(err)
	}
	tok, err := f.ts.Token(ctx) // re-reads the store under the lock: no second refresh
	if err != nil || tok.AccessToken != rotated.AccessToken || f.auth.Calls() != 1 {
		t.Fatalf("second source refreshed again: %v calls %d", err, f.auth.Calls())
	}
}

// staleStore hides the first save from one reader, as a store without a lock shared by two
// processes would: the source loads a token whose refresh token was just rotated.
type staleStore struct {
	*cafe24.MemoryStore
	stale     *cafe24.Token
	staleOnce atomic.Bool
}

func (s *staleStore) Load(ctx context.Context, m string) (*cafe24.Token, uint64, error) {
	if s.staleOnce.CompareAndSwap(true, false) {
		return s.stale.Clone(), 1, nil
	}
	return s.MemoryStore.Load(ctx, m)
}

func TestTokenSourceInvalidGrantRereadsOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clk.Advance(3 * time.Hour)
	// Another process rotated and saved; this one loads the old token first.
	other, _ := cafe24.NewTokenSource(mall, f.store, f.auth, cafe24.WithSourceClock(f.clk))
	rotated, err := other.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ss := &staleStore{MemoryStore: f.store, stale: f.first}
	ss.staleOnce.Store(true)
	ts, _ := cafe24.NewTokenSource(mall, ss, f.auth, cafe24.WithSourceClock(f.clk))
	tok, err := ts.Token(ctx)
	if err != nil || tok.AccessToken != rotated.AccessToken {
		t.Fatalf("after invalid_grant: %v", err)
	}
	if f.auth.Calls() != 2 { // one by other, one refused
		t.Fatalf("calls %d", f.auth.Calls())
	}
}

func TestTokenSourceConsentNeeded(t *testing.T) {
	ctx := context.Background()
	t.Run("refresh token expired", func(t *testing.T) {
		f := newFixture(t)
		f.clk.Advance(15 * 24 * time.Hour)
		_, err := f.ts.Token(ctx)
		if !cafe24.IsConsentNeeded(err) || f.auth.Calls() != 0 {
			t.Fatalf("%v, calls %d", err, f.auth.Calls())
		}
	})
	t.Run("lost answer", func(t *testing.T) {
		f := newFixture(t)
		f.clk.Advance(3 * time.Hour)
		f.auth.LoseNext(1)
		_, err := f.ts.Token(ctx)
		if !cafe24.IsLost(err) || cafe24.IsConsentNeeded(err) {
			t.Fatalf("lost answer: %v", err)
		}
		_, err = f.ts.Token(ctx) // the old refresh token is dead: consent needed, typed
		if !cafe24.IsConsentNeeded(err) || f.auth.Calls() != 2 {
			t.Fatalf("after lost answer: %v calls %d", err, f.auth.Calls())
		}
		stored, _, _ := f.store.Load(ctx, mall)
		if stored.AccessToken != f.first.AccessToken {
			t.Fatal("store changed")
		}
		for _, s := range []string{f.first.RefreshToken.Reveal(), f.first.AccessToken.Reveal()} {
			if strings.Contains(err.Error(), s[:8]) {
				t.Fatalf("secret in %q", err)
			}
		}
		// A new consent saved to the store: the source recovers.
		_, v, _ := f.store.Load(ctx, mall)
		if _, err := f.store.Save(ctx, mall, f.auth.Consent(), v); err != nil {
			t.Fatal(err)
		}
		if _, err := f.ts.Token(ctx); err != nil {
			t.Fatalf("after consent: %v", err)
		}
	})
	t.Run("no token", func(t *testing.T) {
		clk := mock.NewClock(time.Time{})
		ts, _ := cafe24.NewTokenSource(mall, cafe24.NewMemoryStore(), cafe24prop.NewFakeAuth(clk, mall), cafe24.WithSourceClock(clk))
		if _, err := ts.Token(ctx); !cafe24.IsConsentNeeded(err) || !strings.Contains(err.Error(), "no token") {
			t.Fatalf("no token: %v", err)
		}
	})
	t.Run("refused refresh is not consent", func(t *testing.T) {
		f := newFixture(t)
		f.clk.Advance(3 * time.Hour)
		f.auth.FailNext(1)
		_, err := f.ts.Token(ctx)
		if cafe24.IsConsentNeeded(err) || err == nil {
			t.Fatalf("503: %v", err)
		}
		if _, err := f.ts.Token(ctx); err != nil {
			t.Fatalf("after 503: %v", err)
		}
	})
}

// failingStore fails its next n saves.
type failingStore struct {
	*cafe24.MemoryStore
	fail atomic.Int32
}

func (s *failingStore) Save(ctx context.Context, m string, tok *cafe24.Token, v uint64) (uint64, error) {
	if s.fail.Add(-1) >= 0 {
		return 0, errors.New("disk full")
	}
	return s.MemoryStore.Save(ctx, m, tok, v)
}

func TestTokenSourceUnsavedTokenIsSavedFirst(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fs := &failingStore{MemoryStore: f.store}
	ts, _ := cafe24.NewTokenSource(mall, fs, f.auth, cafe24.WithSourceClock(f.clk))
	f.clk.Advance(3 * time.Hour)
	fs.fail.Store(1)
	_, err := ts.Token(ctx)
	if cafe24.CodeOf(err) != cafe24.CodeRefreshUnsaved {
		t.Fatalf("save failure: %v", err)
	}
	if f.auth.Calls() != 1 {
		t.Fatal("calls")
	}
	tok, err := ts.Token(ctx) // saves the kept token, no second refresh
	if err != nil || f.auth.Calls() != 1 || !f.auth.Accepts(tok.RefreshToken.Reveal()) {
		t.Fatalf("retry: %v calls %d", err, f.auth.Calls())
	}
	stored, _, _ := f.store.Load(ctx, mall)
	if stored.RefreshToken != tok.RefreshToken {
		t.Fatal("kept token not saved")
	}
}

func TestTokenSourceCallerCancelDoesNotAbortRefresh(t *testing.T) {
	f := newFixture(t)
	f.clk.Advance(3 * time.Hour)
	release := f.auth.Gate()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := f.ts.Token(ctx); errc <- err }()
	for i := 0; f.auth.Calls() == 0 && i < 5000; i++ { // the refresh starts at once
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) || cafe24.IsLost(err) {
		t.Fatalf("canceled caller: %v", err)
	}
	release()
	tok, err := f.ts.Token(context.Background())
	if err != nil || f.auth.Calls() != 1 || !f.auth.Accepts(tok.RefreshToken.Reveal()) {
		t.Fatalf("refresh was aborted: %v calls %d", err, f.auth.Calls())
	}
}

func TestTokenSourceForceRefreshAndOAuth2(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tok, _ := f.ts.Token(ctx)
	// A 401 for a token that looked valid: one refresh, shared.
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nt, err := f.ts.ForceRefresh(ctx, tok)
			if err != nil || nt.AccessToken == tok.AccessToken {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if f.auth.Calls() != 1 {
		t.Fatalf("ForceRefresh calls %d", f.auth.Calls())
	}
	o, err := f.ts.OAuth2(ctx).Token()
	if err != nil || o.AccessToken == tok.AccessToken.Reveal() || o.TokenType != "Bearer" {
		t.Fatalf("oauth2: %v", err)
	}
	if _, err := cafe24.NewTokenSource("", f.store, f.auth); !cafe24.IsInvalidInput(err) {
		t.Fatalf("bad mall: %v", err)
	}
	if _, err := cafe24.NewTokenSource(mall, nil, f.auth); !cafe24.IsInvalidInput(err) {
		t.Fatalf("nil store: %v", err)
	}
}

func TestTokenSourceLogsNoSecret(t *testing.T) {
	var buf bytes.Buffer
	f := newFixture(t, cafe24.WithSourceLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	ctx := context.Background()
	f.clk.Advance(3 * time.Hour)
	tok, err := f.ts.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(15 * 24 * time.Hour)
	_, _ = f.ts.Token(ctx)
	out := buf.String()
	if !strings.Contains(out, "token refreshed") || !strings.Contains(out, "consent needed") {
		t.Fatalf("log: %s", out)
	}
	for _, s := range []string{tok.AccessToken.Reveal(), tok.RefreshToken.Reveal(), f.first.RefreshToken.Reveal()} {
		if strings.Contains(out, s[:8]) {
			t.Fatal("token in the log")
		}
	}
}

func decimalOf(s string) decimal.Decimal { return decimal.RequireFromString(s) }
