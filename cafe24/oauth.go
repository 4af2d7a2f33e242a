package cafe24

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/cafe24wire"
	"github.com/poskit/poskit/internal/clockx"
)

// AuthorizeURL returns the consent page a person opens to grant cfg.Scopes to the app:
// GET {base}/api/v2/oauth/authorize?response_type=code&client_id=…&state=…&redirect_uri=…&scope=…
// (scopes comma-separated). Cafe24 redirects to cfg.RedirectURI with ?code=…&state=…; the
// code lives one minute. state must be a value from States.New, checked with States.Check
// when the redirect arrives. An invalid cfg or an empty state is an *Error with
// CodeInvalidInput.
func AuthorizeURL(cfg Config, state string) (string, error) {
	if err := cfg.Validate(); err != nil {
		return "", err
	}
	if state == "" || len(state) > 256 {
		return "", invalidInput("cafe24.AuthorizeURL", "state is empty or longer than 256 bytes")
	}
	q := url.Values{}
	q.Set(cafe24wire.FieldResponseType, cafe24wire.ResponseTypeCode)
	q.Set(cafe24wire.FieldClientID, cfg.ClientID)
	q.Set(cafe24wire.FieldState, state)
	q.Set(cafe24wire.FieldRedirectURI, cfg.RedirectURI)
	q.Set(cafe24wire.FieldScope, strings.Join(cfg.Scopes, cafe24wire.ScopeSeparator))
	return cfg.Base() + cafe24wire.PathAuthorize + "?" + q.Encode(), nil
}

// StateOption configures States.
type StateOption func(*stateConfig)

type stateConfig struct {
	clock Clock
	ttl   time.Duration
	max   int
}

// WithStateClock makes States read expiry on c (default: the wall clock).
func WithStateClock(c Clock) StateOption { return func(s *stateConfig) { s.clock = c } }

// WithStateTTL sets how long an issued state stays acceptable (default 10 minutes;
// values ≤ 0 keep the default).
func WithStateTTL(d time.Duration) StateOption { return func(s *stateConfig) { s.ttl = d } }

// WithStateLimit caps the number of pending states (default 10,000; values ≤ 0 keep the
// default); issuing one more forgets the oldest.
func WithStateLimit(n int) StateOption { return func(s *stateConfig) { s.max = n } }

// States issues OAuth state values and checks them when the redirect comes back: a state is
// 256 random bits (crypto/rand), accepted once, before its expiry, and compared in constant
// time. States lives in memory: with several replicas behind a load balancer, route the
// redirect to the replica that issued the state (or keep the state in the person's session).
// A States is safe for concurrent use.
type States struct {
	cfg     stateConfig
	mu      sync.Mutex
	pending []pendingState // oldest first
}

type pendingState struct {
	sum     [sha256.Size]byte
	expires time.Time
}

// NewStates returns an empty States.
func NewStates(opts ...StateOption) *States {
	c := stateConfig{ttl: 10 * time.Minute, max: 10000}
	for _, o := range opts {
		o(&c)
	}
	if c.ttl <= 0 {
		c.ttl = 10 * time.Minute
	}
	if c.max <= 0 {
		c.max = 10000
	}
	c.clock = clockx.Or(c.clock)
	return &States{cfg: c}
}

// New issues a fresh state value (43 URL-safe characters).
func (s *States) New() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", &Error{Op: "cafe24.States.New", Code: CodeInvalidState, Message: "no randomness", Err: err, outcome: apierr.Refused}
	}
	st := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.cfg.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropExpiredLocked(now)
	if len(s.pending) >= s.cfg.max {
		s.pending = append(s.pending[:0], s.pending[len(s.pending)-s.cfg.max+1:]...)
	}
	s.pending = append(s.pending, pendingState{sum: sha256.Sum256([]byte(st)), expires: now.Add(s.cfg.ttl)})
	return st, nil
}

// AuthorizeURL issues a state and returns the consent URL for cfg with it.
func (s *States) AuthorizeURL(cfg Config) (authURL, state string, err error) {
	if err := cfg.Validate(); err != nil {
		return "", "", err
	}
	if state, err = s.New(); err != nil {
		return "", "", err
	}
	authURL, err = AuthorizeURL(cfg, state)
	if err != nil {
		s.forget(state)
		return "", "", err
	}
	return authURL, state, nil
}

func (s *States) forget(state string) {
	sum := sha256.Sum256([]byte(state))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.pending {
		if s.pending[i].sum == sum {
			s.pending = append(s.pending[:i], s.pending[i+1:]...)
			return
		}
	}
}

// Check accepts state once: it must have been issued by New, not checked before and not be
// expired on the clock. Every pending state is compared in constant time. A refusal is an
// *Error with CodeInvalidState that never quotes state; it changes nothing (an unknown
// state does not consume a pending one).
func (s *States) Check(state string) error {
	const op = "cafe24.States.Check"
	sum := sha256.Sum256([]byte(state))
	now := s.cfg.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	found := -1
	for i := range s.pending {
		if subtle.ConstantTimeCompare(s.pending[i].sum[:], sum[:]) == 1 {
			found = i
		}
	}
	if found < 0 || state == "" {
		s.dropExpiredLocked(now)
		return &Error{Op: op, Code: CodeInvalidState, Message: "state unknown or already used", outcome: apierr.Refused}
	}
	p := s.pending[found]
	s.pending = append(s.pending[:found], s.pending[found+1:]...)
	s.dropExpiredLocked(now)
	if !now.Before(p.expires) {
		return &Error{Op: op, Code: CodeInvalidState, Message: "state expired", outcome: apierr.Refused}
	}
	return nil
}

// Pending returns the number of states issued and neither checked nor expired.
func (s *States) Pending() int {
	now := s.cfg.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropExpiredLocked(now)
	return len(s.pending)
}

func (s *States) dropExpiredLocked(now time.Time) {
	keep := s.pending[:0]
	for _, p := range s.pending {
		if now.Before(p.expires) {
			keep = append(keep, p)
		}
	}
	clear(s.pending[len(keep):])
	s.pending = keep
}
