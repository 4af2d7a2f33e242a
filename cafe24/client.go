package cafe24

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/cafe24wire"
	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/httpx"
)

// Client calls the Cafe24 Admin API and OAuth endpoints of one mall: code exchange,
// refresh and revoke, listing and adjusting points. Every call goes through poskit's one
// HTTP engine with the caller's context and *http.Client; Admin API calls take a unit of
// the Limiter first, carry a bearer token from the client's TokenSource, and feed the
// X-Api-Call-Limit header of every answer back to the Limiter. A Client is safe for
// concurrent use; it never prints the client secret or a token.
type Client struct {
	cfg     Config
	eng     *httpx.Engine
	clock   Clock
	log     *slog.Logger
	store   TokenStore
	limiter *Limiter
	ts      *TokenSource
	opt     config
	basic   []string // the Authorization header of the token endpoint

	mu     sync.Mutex
	known  []string // tokens of the mall seen lately (stored, exchanged, refreshed), to scrub
	last   CallLimit
	orders map[string]*orderLock // AdjustPointsOnce: one caller per order id at a time
}

type config struct {
	hc          *http.Client
	log         *slog.Logger
	clock       Clock
	retry       RetryPolicy
	store       TokenStore
	limiter     *Limiter
	maxBody     int64
	margin      time.Duration
	checkWindow time.Duration
	settle      time.Duration
	userAgent   string
}

// Option configures a Client. Options cannot fail; NewClient checks the result.
type Option func(*config)

// WithHTTPClient sends every request with hc, used as given (its timeout and transport).
// The default is a client with a 30 s timeout; http.DefaultClient is never used.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.hc = hc } }

// WithLogger logs each request (Debug; Info for errors, Warn for transport failures) and
// every refresh; the client secret and tokens are never logged. The default is silent.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithClock sets the clock of token expiries, the limiter, retry pauses and reconciliation
// (default: the wall clock). mock.Clock is a fake one.
func WithClock(clk Clock) Option { return func(c *config) { c.clock = clk } }

// WithRetry sets how the points list (the only request the engine repeats) is retried on
// 429, 5xx and transport failures, and how AdjustPointsOnce paces its attempts. Zero
// fields take RetryPolicy's defaults (3 retries, 200 ms doubling to 5 s).
func WithRetry(p RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithTokenStore keeps the mall's token in s. The default is a FileStore in
// $XDG_CONFIG_HOME/poskit/cafe24 (os.UserConfigDir).
func WithTokenStore(s TokenStore) Option { return func(c *config) { c.store = s } }

// WithLimiter shares l between clients of the same mall (every client of a mall in one
// process should share one). The default is a Limiter of its own on the client's clock.
func WithLimiter(l *Limiter) Option { return func(c *config) { c.limiter = l } }

// WithMaxBodyBytes bounds an answer's body (default 4 MiB); a larger answer is an *Error
// with CodeDecode, lost (the request may have been applied).
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithRefreshAhead refreshes the access token when less than d of its life is left
// (default DefaultRefreshMargin).
func WithRefreshAhead(d time.Duration) Option { return func(c *config) { c.margin = d } }

// WithCheckWindow sets how far back CheckAdjusted looks for an adjustment's record
// (default 31 days): at least as long as an adjustment can stay unresolved.
func WithCheckWindow(d time.Duration) Option { return func(c *config) { c.checkWindow = d } }

// WithSettle sets how long AdjustPointsOnce waits on the clock after a lost answer before
// reading the records back (default 3 s), so that a request still being processed by
// Cafe24 has finished when it looks.
func WithSettle(d time.Duration) Option { return func(c *config) { c.settle = d } }

// WithUserAgent sets the User-Agent header (default "poskit-cafe24").
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// Defaults of the options.
const (
	DefaultCheckWindow = 31 * 24 * time.Hour
	DefaultSettle      = 3 * time.Second
)

// NewClient returns a client of the mall cfg describes. An invalid cfg or option (a
// negative size, margin or window) is an *Error with CodeInvalidInput; a default FileStore
// that cannot be created is its error.
func NewClient(cfg Config, opts ...Option) (*Client, error) {
	const op = "cafe24.NewClient"
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := config{margin: DefaultRefreshMargin, checkWindow: DefaultCheckWindow, settle: DefaultSettle,
		userAgent: "poskit-cafe24"}
	for _, f := range opts {
		f(&o)
	}
	switch {
	case o.maxBody < 0:
		return nil, invalidInput(op, "WithMaxBodyBytes must not be negative")
	case o.margin < 0 || o.margin >= 2*time.Hour:
		return nil, invalidInput(op, "WithRefreshAhead must be in [0, 2h)")
	case o.checkWindow <= 0:
		return nil, invalidInput(op, "WithCheckWindow must be positive")
	case o.settle < 0:
		return nil, invalidInput(op, "WithSettle must not be negative")
	}
	o.clock = clockx.Or(o.clock)
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	if o.store == nil {
		dir, err := os.UserConfigDir()
		if err != nil {
			return nil, &Error{Op: op, Code: CodeStoreIO, Message: "no config directory for the default FileStore; use WithTokenStore", Err: err, outcome: apierr.Refused}
		}
		if o.store, err = NewFileStore(filepath.Join(dir, "poskit", "cafe24")); err != nil {
			return nil, err
		}
	}
	if o.limiter == nil {
		o.limiter = NewLimiter(WithLimiterClock(o.clock))
	}
	c := &Client{cfg: cfg, clock: o.clock, log: o.log, store: o.store, limiter: o.limiter, opt: o,
		orders: map[string]*orderLock{}}
	c.basic = []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.ClientID+":"+cfg.ClientSecret))}
	eng, err := httpx.New(httpx.Config{
		BaseURL:      cfg.Base(),
		HTTPClient:   o.hc,
		Logger:       o.log,
		MaxBodyBytes: o.maxBody,
		Retry:        o.retry,
		Clock:        o.clock,
		ShouldRetry:  httpx.DefaultShouldRetry,
		Secrets:      []string{cfg.ClientSecret},
		UserAgent:    o.userAgent,
		Decode:       c.decode,
		Wrap:         c.wrap,
	})
	if err != nil {
		return nil, invalidInput(op, "BaseURL is not usable")
	}
	c.eng = eng
	if tok, _, err := o.store.Load(context.Background(), cfg.MallID); err == nil {
		c.remember(tok) // so that an answer echoing the stored tokens is scrubbed
	}
	c.ts, err = NewTokenSource(cfg.MallID, o.store, c, WithSourceClock(o.clock),
		WithRefreshMargin(o.margin), WithSourceLogger(o.log))
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Config returns the client's Config (it prints without the client secret).
func (c *Client) Config() Config { return c.cfg }

// TokenSource returns the token source Admin API calls take their bearer token from; it
// also satisfies golang.org/x/oauth2 through its OAuth2 method.
func (c *Client) TokenSource() *TokenSource { return c.ts }

// Limiter returns the limiter the client waits on.
func (c *Client) Limiter() *Limiter { return c.limiter }

// CallLimit returns the X-Api-Call-Limit of the last Admin API answer (zero before one).
func (c *Client) CallLimit() CallLimit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// String describes the client without its secret.
func (c *Client) String() string {
	return "cafe24.Client{mall=" + c.cfg.MallID + " base=" + c.cfg.Base() + " client_id=" + c.cfg.ClientID + "}"
}

// GoString is String.
func (c *Client) GoString() string { return c.String() }

// Format writes String for every verb.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue shows the client in slog without its secret.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// CallLimit is a mall's bucket level as an X-Api-Call-Limit header tells it: Used calls of
// Max. The zero value means no header was seen.
type CallLimit struct {
	Used, Max int
}

// String writes "used/max".
func (l CallLimit) String() string { return strconv.Itoa(l.Used) + "/" + strconv.Itoa(l.Max) }

// target is what a call hands the engine as its out value: how to decode a successful
// answer, the secrets the request carried, and where the call limit goes.
type target struct {
	into    func(op string, status int, body []byte) error
	secrets []string
	limit   CallLimit
}

// decode is the engine's Decode hook: it follows X-Api-Call-Limit, turns an error answer
// (any status other than 2xx, or an "error" member in a 2xx) into an *Error with secrets
// removed, and hands a successful body to the target.
func (c *Client) decode(a *httpx.Answer, out any) error {
	t, _ := out.(*target)
	if t == nil {
		t = &target{}
	}
	if h := a.Header.Get(cafe24wire.HeaderCallLimit); h != "" {
		if used, size, ok := parseCallLimit(h); ok {
			t.limit = CallLimit{Used: used, Max: size}
			_ = c.limiter.Observe(c.cfg.MallID, h)
			c.mu.Lock()
			c.last = t.limit
			c.mu.Unlock()
		}
	}
	if a.Status < 200 || a.Status > 299 || cafe24wire.HasError(a.Body) {
		return DecodeError(a.Op, a.Status, a.Body, c.secrets(t.secrets)...)
	}
	if t.into == nil {
		return nil
	}
	return t.into(a.Op, a.Status, a.Body)
}

// secrets returns every secret an answer might echo: the client secret, the request's own,
// and the mall's tokens the client knows of (held by the token source, or seen lately:
// stored when the client was made, exchanged, refreshed). It never calls the store.
func (c *Client) secrets(extra []string) []string {
	s := append([]string{c.cfg.ClientSecret}, extra...)
	c.ts.mu.Lock()
	for _, t := range []*Token{c.ts.cur, c.ts.unsaved} {
		if t != nil {
			s = append(s, t.AccessToken.Reveal(), t.RefreshToken.Reveal())
		}
	}
	c.ts.mu.Unlock()
	c.mu.Lock()
	s = append(s, c.known...)
	c.mu.Unlock()
	return s
}

// maxKnown bounds the tokens remembered for scrubbing (four pairs).
const maxKnown = 8

// remember adds tok's tokens to those scrubbed from answers.
func (c *Client) remember(tok *Token) {
	if tok == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.known = append(c.known, tok.AccessToken.Reveal(), tok.RefreshToken.Reveal())
	if len(c.known) > maxKnown {
		c.known = append(c.known[:0], c.known[len(c.known)-maxKnown:]...)
	}
}

// wrap is the engine's Wrap hook: its own failures as *Error.
func (c *Client) wrap(op string, status int, err error) error {
	switch {
	case apierr.IsContext(err):
		return &Error{Op: op, HTTPStatus: status, Message: "call ended by its context", Err: err, outcome: apierr.Canceled}
	case errors.Is(err, httpx.ErrBadPath):
		return &Error{Op: op, Code: CodeInvalidInput, Message: "path escapes the base URL", outcome: apierr.Refused}
	case errors.Is(err, httpx.ErrBodyTooLarge):
		return &Error{Op: op, HTTPStatus: status, Code: CodeDecode, Message: "answer larger than the size limit", outcome: apierr.Lost}
	case httpx.IsTransport(err):
		return &Error{Op: op, HTTPStatus: status, Message: "no answer", Err: scrubErr(err, c.secrets(nil)...), outcome: apierr.Lost}
	}
	return &Error{Op: op, HTTPStatus: status, Message: "request not sent", Err: scrubErr(err, c.secrets(nil)...), outcome: apierr.Refused}
}

// badAnswer is the error of a 2xx answer that cannot be decoded; it never quotes the body.
func badAnswer(op string, status int, msg string) error {
	return &Error{Op: op, HTTPStatus: status, Code: CodeDecode, Message: msg, outcome: apierr.Lost}
}

// admin sends an Admin API request of operation op with a bearer token: Limiter.Wait
// first, then the engine; a 401 leads to one ForceRefresh and one more attempt (a 401 was
// not applied).
func (c *Client) admin(ctx context.Context, op string, prep func(*httpx.Request), t *target) error {
	ep, _ := cafe24wire.Table.Lookup(op)
	name := cafe24wire.Table.Name(op)
	tok, err := c.ts.Token(ctx)
	if err != nil {
		return c.tokenError(name, err)
	}
	for attempt := 0; ; attempt++ {
		if err := c.limiter.Wait(ctx, c.cfg.MallID); err != nil {
			return c.wrap(name, 0, err)
		}
		req := httpx.NewRequest(cafe24wire.Table, ep)
		prep(&req)
		req.Header = http.Header{
			"Authorization":             {"Bearer " + tok.AccessToken.Reveal()},
			cafe24wire.HeaderAPIVersion: {c.cfg.Version()},
		}
		t.secrets = []string{tok.AccessToken.Reveal(), tok.RefreshToken.Reveal()}
		_, err := c.eng.Do(ctx, req, t)
		if err == nil || attempt > 0 || !IsUnauthorized(err) {
			return err
		}
		c.log.LogAttrs(ctx, slog.LevelInfo, "cafe24: access token refused (401); refreshing once",
			slog.String("mall", c.cfg.MallID), slog.String("op", name))
		if tok, err = c.ts.ForceRefresh(ctx, tok); err != nil {
			return c.tokenError(name, err)
		}
	}
}

// tokenError reports that no usable token could be had for op: nothing was sent, so the
// operation was refused; the cause (consent needed, a lost refresh, …) stays in the chain
// and its Code is kept, so IsConsentNeeded works on the result.
func (c *Client) tokenError(op string, err error) error {
	if apierr.IsContext(err) {
		return &Error{Op: op, Message: "call ended by its context", Err: err, outcome: apierr.Canceled}
	}
	e := &Error{Op: op, Message: "no usable access token", Err: err, outcome: apierr.Refused}
	if inner, ok := asError(err); ok {
		e.Code = inner.Code
	}
	return e
}

// orderLock serialises AdjustPointsOnce calls for one order id in this process.
type orderLock struct {
	ch   chan struct{}
	refs int
}

func (c *Client) lockOrder(ctx context.Context, key string) (func(), error) {
	c.mu.Lock()
	l, ok := c.orders[key]
	if !ok {
		l = &orderLock{ch: make(chan struct{}, 1)}
		c.orders[key] = l
	}
	l.refs++
	c.mu.Unlock()
	release := func() {
		c.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(c.orders, key)
		}
		c.mu.Unlock()
	}
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// trimmed reports whether s is non-empty, at most n bytes, without control characters.
func trimmed(s string, n int) bool {
	if s == "" || len(s) > n || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func sleepCtx(ctx context.Context, clk Clock, d time.Duration) bool {
	return clockx.Sleep(clk, d, ctx.Done())
}
