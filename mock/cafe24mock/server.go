package cafe24mock

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/internal/cafe24wire"
	"github.com/poskit/poskit/mock"
)

// The app the fake knows (a Cafe24 "Web" app registered for the mall).
const (
	MallID       = "myshop"
	ClientID     = "poskit-fake-client-id"
	ClientSecret = "Zr8vK2mQ9xW4tB7nL3cH"
	RedirectURI  = "https://example.com/cafe24/callback"
	UserID       = "admin" // the operator who consents
)

// Lifetimes on the fake clock (Cafe24's).
const (
	AccessLife  = 2 * time.Hour
	RefreshLife = 14 * 24 * time.Hour
	CodeLife    = time.Minute
)

// Option configures the fake.
type Option func(*options)

type options struct {
	clock     *mock.Clock
	codeLife  time.Duration
	granted   []string
	size      int
	drain     float64
	autoGrant bool
}

// WithClock runs the fake on c (default: a new mock.NewClock(time.Time{})).
func WithClock(c *mock.Clock) Option { return func(o *options) { o.clock = c } }

// WithCodeLife sets how long an authorization code stays exchangeable (default CodeLife,
// one minute as on Cafe24).
func WithCodeLife(d time.Duration) Option { return func(o *options) { o.codeLife = d } }

// WithGrantedScopes makes the operator grant only scopes at consent, whatever the app asks
// (default: what it asks), to exercise 403 answers.
func WithGrantedScopes(scopes ...string) Option {
	return func(o *options) { o.granted = append([]string(nil), scopes...) }
}

// WithBucket sets the mall's leaky bucket: size calls, draining perSecond (default 40 and
// 2, Cafe24's). size 0 turns the bucket off: no 429 and no X-Api-Call-Limit header.
func WithBucket(size int, perSecond float64) Option {
	return func(o *options) { o.size, o.drain = size, perSecond }
}

// Server is the fake Cafe24: the OAuth endpoints and the points API of one mall, with its
// members, their balances and point records, on a fake clock. It embeds *mock.Server
// (faults, recorded requests, actions, clock). Safe for concurrent use.
type Server struct {
	*mock.Server
	o options

	mu        sync.Mutex
	codes     map[string]*authCode
	access    map[string]*grant
	refresh   map[string]*grant
	members   map[string]*member
	records   []record
	level     float64
	levelAt   time.Time
	lastGrant *cafe24.Token
	issued    int
}

type authCode struct {
	scopes  []string
	expires time.Time
	used    bool
}

type grant struct {
	access, refresh       string
	accessExp, refreshExp time.Time
	scopes                []string
	issued                time.Time
}

type member struct {
	id, email, group string
	groupNo          int
	balance          decimal.Decimal
}

type record struct {
	memberID, email, group string
	groupNo                int
	inc, dec, total        decimal.Decimal
	orderID, reason, kind  string
	created                time.Time
}

// NewServer starts the fake with no members and no tokens (Grant or a consent issues one).
func NewServer(opts ...Option) *Server {
	o := options{codeLife: CodeLife, size: cafe24.DefaultBucketSize, drain: cafe24.DefaultBucketDrain}
	for _, f := range opts {
		f(&o)
	}
	if o.clock == nil {
		o.clock = mock.NewClock(time.Time{})
	}
	if o.codeLife <= 0 {
		o.codeLife = CodeLife
	}
	if o.drain <= 0 {
		o.drain = cafe24.DefaultBucketDrain
	}
	s := &Server{o: o, codes: map[string]*authCode{}, access: map[string]*grant{},
		refresh: map[string]*grant{}, members: map[string]*member{}}
	s.levelAt = o.clock.Now()
	s.Server = mock.NewServer(mock.Config{
		Name:     "cafe24",
		Table:    cafe24wire.Table,
		Clock:    o.clock,
		Fail:     fail,
		NotFound: s.serveAuthorize,
		Secrets:  []string{ClientSecret},
	})
	s.routes()
	s.AddActions(s.actions()...)
	s.Start()
	return s
}

// fail answers an injected Fail fault as Cafe24 does: {"error":{"code","message","more_info"}}.
func fail(w http.ResponseWriter, f mock.Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	code := f.Code
	if code == "" {
		code = itoa(status)
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(status)
	}
	cafe24wire.WriteError(w, status, code, msg)
}

// AppConfig returns the cafe24.Config of the fake's app, pointed at the fake.
func (s *Server) AppConfig() cafe24.Config {
	return cafe24.Config{
		MallID: MallID, ClientID: ClientID, ClientSecret: ClientSecret, RedirectURI: RedirectURI,
		Scopes:  []string{cafe24.ScopeReadMileage, cafe24.ScopeWriteMileage},
		BaseURL: s.URL(),
	}
}

// Client returns a client of the fake: the fake's URL, clock and loopback *http.Client,
// the token pair of the last Grant (granting one if none) in a MemoryStore, a limiter
// mirroring the fake's bucket, retries and reconciliation without pauses. opts come last
// and may replace any of these. It panics when the options are invalid.
func (s *Server) Client(opts ...cafe24.Option) *cafe24.Client {
	s.mu.Lock()
	tok := s.lastGrant.Clone()
	s.mu.Unlock()
	if tok == nil {
		tok = s.Grant()
	}
	store := cafe24.NewMemoryStore()
	if _, err := store.Save(context.Background(), MallID, tok, 0); err != nil {
		panic(err)
	}
	size := s.o.size
	if size <= 0 {
		size = 1 << 30
	}
	base := []cafe24.Option{
		cafe24.WithHTTPClient(s.HTTPClient()),
		cafe24.WithClock(s.Clock()),
		cafe24.WithRetry(cafe24.RetryPolicy{NoSleep: true}),
		cafe24.WithTokenStore(store),
		cafe24.WithLimiter(cafe24.NewLimiter(cafe24.WithLimiterClock(s.Clock()), cafe24.WithBucket(size, s.o.drain))),
		cafe24.WithSettle(0),
	}
	c, err := cafe24.NewClient(s.AppConfig(), append(base, opts...)...)
	if err != nil {
		panic(err)
	}
	return c
}

// randomToken returns 22 URL-safe random characters, like Cafe24's tokens and codes.
func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func itoa(n int) string { return strconv.Itoa(n) }
