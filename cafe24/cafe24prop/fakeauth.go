package cafe24prop

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/poskit/poskit/cafe24"
)

// FakeAuth models Cafe24's token endpoint for refreshes, as far as token rotation goes:
//
//   - a refresh with the live refresh token rotates: it issues a new pair (access 2 h,
//     refresh 14 days on the clock) and the old refresh token dies at once;
//   - any other refresh token, or the live one after its expiry, is refused with
//     invalid_grant;
//   - Consent issues a fresh pair as a person's consent would, killing the old one.
//
// Faults: FailNext refuses the next refresh without rotating (a 503 before anything was
// applied); LoseNext rotates on the next refresh that would succeed and loses the answer:
// the SDK never sees the new refresh token, and the old one is dead, exactly as on the real
// service. A FakeAuth implements cafe24.Refresher and is safe for concurrent use.
type FakeAuth struct {
	clk  cafe24.Clock
	mall string

	mu        sync.Mutex
	live      string
	liveExp   time.Time
	access    map[string]time.Time // every access token issued, with its expiry
	calls     int
	rotations int
	failNext  int
	loseNext  int
	lost      int
	gate      chan struct{}
}

// Lifetimes of the tokens FakeAuth issues (Cafe24's).
const (
	AccessLife  = 2 * time.Hour
	RefreshLife = 14 * 24 * time.Hour
)

// NewFakeAuth returns a token endpoint for mall with no live token: call Consent first.
func NewFakeAuth(clk cafe24.Clock, mall string) *FakeAuth {
	return &FakeAuth{clk: clk, mall: mall, access: map[string]time.Time{}}
}

func randomToken(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func (f *FakeAuth) issueLocked() *cafe24.Token {
	now := f.clk.Now()
	t := &cafe24.Token{
		AccessToken:      cafe24.Secret(randomToken("acc-")),
		RefreshToken:     cafe24.Secret(randomToken("ref-")),
		ExpiresAt:        now.Add(AccessLife),
		RefreshExpiresAt: now.Add(RefreshLife),
		MallID:           f.mall,
		ClientID:         "prop-client",
		UserID:           "admin",
		Scopes:           []string{cafe24.ScopeReadMileage, cafe24.ScopeWriteMileage},
		IssuedAt:         now,
	}
	f.live, f.liveExp = t.RefreshToken.Reveal(), t.RefreshExpiresAt
	f.access[t.AccessToken.Reveal()] = t.ExpiresAt
	return t
}

// Consent issues a fresh token pair (a person consented again); the old refresh token dies.
func (f *FakeAuth) Consent() *cafe24.Token {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issueLocked()
}

// Gate makes every refresh wait until the returned function is called (to hold refreshes
// in flight while a test piles up callers).
func (f *FakeAuth) Gate() (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.gate = ch
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			f.gate = nil
			f.mu.Unlock()
			close(ch)
		})
	}
}

// Refresh implements cafe24.Refresher.
func (f *FakeAuth) Refresh(ctx context.Context, refreshToken string) (*cafe24.Token, error) {
	f.mu.Lock()
	f.calls++
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failNext > 0 {
		f.failNext--
		return nil, cafe24.DecodeError("cafe24.Refresh", 503, []byte(`{"error":{"code":503,"message":"temporarily unavailable"}}`))
	}
	if refreshToken == "" || refreshToken != f.live || !f.clk.Now().Before(f.liveExp) {
		return nil, cafe24.DecodeError("cafe24.Refresh", 400,
			[]byte(`{"error":"invalid_grant","error_description":"Invalid refresh_token"}`), refreshToken)
	}
	t := f.issueLocked()
	f.rotations++
	if f.loseNext > 0 {
		f.loseNext--
		f.lost++
		return nil, &cafe24.Error{Op: "cafe24.Refresh", Message: "connection reset after the request was sent",
			Err: errLost}
	}
	return t, nil
}

type lostError struct{}

func (lostError) Error() string { return "answer lost" }

var errLost error = lostError{}

// FailNext refuses the next n refreshes without rotating.
func (f *FakeAuth) FailNext(n int) { f.mu.Lock(); f.failNext += n; f.mu.Unlock() }

// LoseNext rotates on the next n refreshes that would succeed and loses their answers.
func (f *FakeAuth) LoseNext(n int) { f.mu.Lock(); f.loseNext += n; f.mu.Unlock() }

// ClearFaults disarms FailNext and LoseNext faults that did not fire.
func (f *FakeAuth) ClearFaults() { f.mu.Lock(); f.failNext, f.loseNext = 0, 0; f.mu.Unlock() }

// Accepts reports whether refreshToken is the live one and not expired.
func (f *FakeAuth) Accepts(refreshToken string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return refreshToken != "" && refreshToken == f.live && f.clk.Now().Before(f.liveExp)
}

// RefreshExpired reports whether the live refresh token has expired on the clock.
func (f *FakeAuth) RefreshExpired() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.clk.Now().Before(f.liveExp)
}

// Issued reports whether accessToken was issued by f and has not expired.
func (f *FakeAuth) Issued(accessToken string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	exp, ok := f.access[accessToken]
	return ok && f.clk.Now().Before(exp)
}

// Calls returns the number of Refresh calls; Rotations the number that rotated; Lost the
// number of rotations whose answer was lost.
func (f *FakeAuth) Calls() int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls }

// Rotations returns the number of refreshes that rotated the refresh token.
func (f *FakeAuth) Rotations() int { f.mu.Lock(); defer f.mu.Unlock(); return f.rotations }

// Lost returns the number of rotations whose answer was lost.
func (f *FakeAuth) Lost() int { f.mu.Lock(); defer f.mu.Unlock(); return f.lost }
