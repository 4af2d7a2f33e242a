package cafe24

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/clockx"
)

// Refresher trades a refresh token for a new token pair: POST /api/v2/oauth/token with
// grant_type=refresh_token. Cafe24 rotates the refresh token on every call, so the token it
// was given is dead once Refresh returns (or once the request reached Cafe24, even if the
// answer was lost). The Client implements it; tests implement it with a fake.
//
// Refresh reports Cafe24's refusal of the refresh token as an error for which
// IsInvalidGrant is true, and an answer it did not receive as one for which IsLost is true.
// It should bound its own duration (an http.Client timeout): the token source does not
// cancel a refresh when the caller that started it gives up, because cancelling a rotation
// half-way loses the new refresh token.
type Refresher interface {
	Refresh(ctx context.Context, refreshToken string) (*Token, error)
}

// RefresherFunc adapts a function to Refresher.
type RefresherFunc func(ctx context.Context, refreshToken string) (*Token, error)

// Refresh calls f.
func (f RefresherFunc) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	return f(ctx, refreshToken)
}

// SourceOption configures a TokenSource.
type SourceOption func(*sourceConfig)

type sourceConfig struct {
	margin time.Duration
	clock  Clock
	logger *slog.Logger
}

// DefaultRefreshMargin is how long before its expiry an access token is refreshed.
const DefaultRefreshMargin = 5 * time.Minute

// WithRefreshMargin refreshes an access token when less than d of its life is left
// (default 5 minutes; negative values keep the default, 0 refreshes only at expiry).
func WithRefreshMargin(d time.Duration) SourceOption {
	return func(c *sourceConfig) {
		if d >= 0 {
			c.margin = d
		}
	}
}

// WithSourceClock makes the token source read expiries on c (default: the wall clock).
func WithSourceClock(c Clock) SourceOption { return func(s *sourceConfig) { s.clock = c } }

// WithSourceLogger logs refreshes and consent-needed events to l (default: silent). Tokens
// are never logged.
func WithSourceLogger(l *slog.Logger) SourceOption { return func(s *sourceConfig) { s.logger = l } }

// TokenSource hands out a mall's access token and refreshes it ahead of its expiry, so that
// the mall is never locked out by its own refresh token rotation:
//
//   - One refresh at a time per mall: goroutines asking together share one refresh
//     (single-flight); with a store that is a TokenLocker (FileStore, MemoryStore) the
//     refresh runs under the store's lock, so processes sharing the store take turns.
//   - After taking the lock it re-reads the store: a token another process refreshed
//     meanwhile is used as it is, never refreshed again with a dead refresh token.
//   - The rotated token is saved (compare-and-swap) before any caller receives it. If the
//     save fails, the token is kept in memory and saved first on the next call.
//   - Cafe24 refusing the refresh token (invalid_grant) makes it re-read the store once
//     (another process may have rotated it) before reporting an *Error with
//     CodeConsentNeeded.
//   - A refresh is not cancelled when the caller that started it gives up.
//
// What it cannot do: when a refresh request reached Cafe24 and its answer was lost (or the
// process died between receiving and saving the answer), Cafe24 has already killed the old
// refresh token and nobody holds the new one. No client can recover from that; the next
// refresh gets invalid_grant and the token source reports CodeConsentNeeded: a person must
// consent again. Refreshing ahead of expiry keeps the access token usable meanwhile.
//
// A TokenSource is safe for concurrent use.
type TokenSource struct {
	mall  string
	store TokenStore
	r     Refresher
	cfg   sourceConfig

	mu         sync.Mutex
	cur        *Token // last token handed out (saved)
	unsaved    *Token // rotated by us, not yet saved: it holds the live refresh token
	unsavedVer uint64 // version unsaved replaces
	flight     *flight
}

type flight struct {
	done chan struct{}
	tok  *Token
	err  error
}

// NewTokenSource returns the token source of mall over store, refreshing with r. An
// invalid mall or a nil store or refresher is an *Error with CodeInvalidInput.
func NewTokenSource(mall string, store TokenStore, r Refresher, opts ...SourceOption) (*TokenSource, error) {
	const op = "cafe24.NewTokenSource"
	if err := validMallID(op, mall); err != nil {
		return nil, err
	}
	if store == nil || r == nil {
		return nil, invalidInput(op, "store and refresher are required")
	}
	c := sourceConfig{margin: DefaultRefreshMargin}
	for _, o := range opts {
		o(&c)
	}
	c.clock = clockx.Or(c.clock)
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	return &TokenSource{mall: mall, store: store, r: r, cfg: c}, nil
}

// Mall returns the mall id.
func (s *TokenSource) Mall() string { return s.mall }

// Token returns a token whose access token is valid for at least the refresh margin,
// refreshing (and saving) it first if needed. It returns ctx's error if ctx ends first; a
// refresh already started goes on for the callers still waiting.
func (s *TokenSource) Token(ctx context.Context) (*Token, error) {
	return s.get(ctx, nil)
}

// ForceRefresh is for an access token Cafe24 answered 401 to before its expiry: unless the
// token source already holds another access token, it refreshes (once, shared with the
// goroutines asking together) and returns the new token.
func (s *TokenSource) ForceRefresh(ctx context.Context, rejected *Token) (*Token, error) {
	if rejected == nil {
		return s.Token(ctx)
	}
	return s.get(ctx, rejected)
}

// OAuth2 returns an adapter to golang.org/x/oauth2's TokenSource whose Token calls
// s.Token(ctx), for code that already uses x/oauth2 (oauth2.NewClient, …).
func (s *TokenSource) OAuth2(ctx context.Context) oauth2.TokenSource {
	return oauth2Source{s: s, ctx: ctx}
}

type oauth2Source struct {
	s   *TokenSource
	ctx context.Context
}

// Token returns the current token in x/oauth2's form.
func (o oauth2Source) Token() (*oauth2.Token, error) {
	t, err := o.s.Token(o.ctx)
	if err != nil {
		return nil, err
	}
	return t.OAuth2(), nil
}

func (s *TokenSource) get(ctx context.Context, rejected *Token) (*Token, error) {
	for range 2 { // a rejected token may need one flight that started before the 401
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.mu.Lock()
		now := s.cfg.clock.Now()
		if s.unsaved == nil && s.cur.AccessValidAt(now, s.cfg.margin) &&
			(rejected == nil || s.cur.AccessToken != rejected.AccessToken) {
			t := s.cur.Clone()
			s.mu.Unlock()
			return t, nil
		}
		f := s.flight
		joined := f != nil
		if !joined {
			f = &flight{done: make(chan struct{})}
			s.flight = f
			go s.run(context.WithoutCancel(ctx), f, rejected)
		}
		s.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.err != nil {
			return nil, f.err
		}
		if !joined || rejected == nil || f.tok.AccessToken != rejected.AccessToken {
			return f.tok.Clone(), nil
		}
	}
	return nil, &Error{Op: "cafe24.TokenSource", Code: CodeConsentNeeded,
		Message: "the refreshed access token was rejected again", outcome: apierr.Refused}
}

func (s *TokenSource) run(ctx context.Context, f *flight, rejected *Token) {
	var tok *Token
	var err error
	defer func() {
		if p := recover(); p != nil { // a panicking Refresher or store must not strand the waiters
			tok, err = nil, &Error{Op: "cafe24.TokenSource", Message: "refresh panicked", outcome: apierr.Lost}
		}
		s.mu.Lock()
		if err == nil {
			s.cur = tok
		}
		f.tok, f.err = tok, err
		s.flight = nil
		close(f.done)
		s.mu.Unlock()
	}()
	tok, err = s.refresh(ctx, rejected)
}

// refresh runs in the flight's goroutine: lock, save a pending token, re-read, refresh if
// still needed, save, unlock.
func (s *TokenSource) refresh(ctx context.Context, rejected *Token) (*Token, error) {
	if l, ok := s.store.(TokenLocker); ok {
		unlock, err := l.Lock(ctx, s.mall)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	s.mu.Lock()
	pending, pendingVer := s.unsaved, s.unsavedVer
	s.mu.Unlock()
	if pending != nil {
		if tok, err := s.save(ctx, pending, pendingVer); err != nil || tok != nil {
			return tok, err
		}
	}
	tok, ver, err := s.store.Load(ctx, s.mall)
	if err != nil {
		if IsNoToken(err) {
			return nil, s.consent(err, "no token stored: a person must consent", "")
		}
		return nil, err
	}
	now := s.cfg.clock.Now()
	if tok.AccessValidAt(now, s.cfg.margin) && (rejected == nil || tok.AccessToken != rejected.AccessToken) {
		return tok, nil // fresh, possibly refreshed by another process meanwhile
	}
	if !tok.RefreshValidAt(now) {
		return nil, s.consent(nil, "refresh token expired at "+tok.RefreshExpiresAt.Format(time.RFC3339), "")
	}
	nt, err := s.call(ctx, tok)
	if err != nil && IsInvalidGrant(err) {
		// Another process may have rotated the token: re-read the store once.
		again, v2, lerr := s.store.Load(ctx, s.mall)
		switch {
		case lerr != nil || again.RefreshToken == tok.RefreshToken:
			return nil, s.consent(err, "Cafe24 refused the refresh token", tok.RefreshToken.Reveal())
		case again.AccessValidAt(now, s.cfg.margin) && (rejected == nil || again.AccessToken != rejected.AccessToken):
			return again, nil
		case !again.RefreshValidAt(now):
			return nil, s.consent(err, "refresh token expired", "")
		}
		tok, ver = again, v2
		if nt, err = s.call(ctx, tok); err != nil && IsInvalidGrant(err) {
			return nil, s.consent(err, "Cafe24 refused the refresh token", tok.RefreshToken.Reveal())
		}
	}
	if err != nil {
		return nil, err
	}
	s.cfg.logger.LogAttrs(ctx, slog.LevelInfo, "cafe24: token refreshed",
		slog.String("mall", s.mall), slog.Time("expires_at", nt.ExpiresAt))
	saved, err := s.save(ctx, nt, ver)
	if err != nil {
		return nil, err
	}
	if saved == nil { // lost a compare-and-swap: take the newer stored token
		return s.afterConflict(ctx, nt)
	}
	return saved, nil
}

// call asks the refresher and checks its answer; errors come back scrubbed of tokens.
func (s *TokenSource) call(ctx context.Context, tok *Token) (*Token, error) {
	const op = "cafe24.Refresh"
	rt := tok.RefreshToken.Reveal()
	nt, err := s.r.Refresh(ctx, rt)
	if err != nil {
		secrets := []string{rt, tok.AccessToken.Reveal()}
		if e, ok := asError(err); ok {
			c := *e
			c.Message, c.MoreInfo = scrub(c.Message, secrets...), scrub(c.MoreInfo, secrets...)
			c.Err = scrubErr(e.Err, secrets...)
			return nil, &c
		}
		if apierr.IsContext(err) {
			return nil, &Error{Op: op, Message: "refresh interrupted", Err: scrubErr(err, secrets...), outcome: apierr.Lost}
		}
		return nil, &Error{Op: op, Message: "refresh failed", Err: scrubErr(err, secrets...), outcome: apierr.Lost}
	}
	if nt == nil || nt.AccessToken == "" || nt.RefreshToken == "" {
		return nil, &Error{Op: op, Code: CodeDecode, Message: "refresh answer lacks its tokens", outcome: apierr.Lost}
	}
	nt = nt.Clone()
	if nt.MallID == "" {
		nt.MallID = s.mall
	}
	if nt.ClientID == "" {
		nt.ClientID = tok.ClientID
	}
	if nt.UserID == "" {
		nt.UserID = tok.UserID
	}
	if len(nt.Scopes) == 0 {
		nt.Scopes = append([]string(nil), tok.Scopes...)
	}
	return nt, nil
}

// save stores tok over version and clears the pending token. It returns the token on
// success, (nil, nil) when a newer token was stored meanwhile, and an *Error with
// CodeRefreshUnsaved (keeping tok pending) when the store failed.
func (s *TokenSource) save(ctx context.Context, tok *Token, version uint64) (*Token, error) {
	_, err := s.store.Save(ctx, s.mall, tok, version)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err == nil:
		s.unsaved = nil
		return tok, nil
	case IsStoreConflict(err):
		s.unsaved = nil
		return nil, nil
	default:
		s.unsaved, s.unsavedVer = tok, version
		return nil, &Error{Op: "cafe24.TokenSource", Code: CodeRefreshUnsaved,
			Message: "refreshed token could not be saved; kept in memory and saved on the next call",
			Err:     err, outcome: apierr.Refused}
	}
}

// afterConflict runs when saving our rotated token found a newer token in the store
// (written without the lock, e.g. a new consent). The newer one is used if it is usable;
// otherwise ours is saved over it.
func (s *TokenSource) afterConflict(ctx context.Context, ours *Token) (*Token, error) {
	stored, ver, err := s.store.Load(ctx, s.mall)
	if err == nil && stored.AccessValidAt(s.cfg.clock.Now(), s.cfg.margin) {
		return stored, nil
	}
	if err != nil && !IsNoToken(err) {
		s.mu.Lock()
		s.unsaved, s.unsavedVer = ours, ver
		s.mu.Unlock()
		return nil, err
	}
	saved, err := s.save(ctx, ours, ver)
	if err != nil {
		return nil, err
	}
	if saved == nil {
		return nil, &Error{Op: "cafe24.TokenSource", Code: CodeStoreConflict,
			Message: "the store kept changing while saving a refreshed token", outcome: apierr.Refused}
	}
	return saved, nil
}

func (s *TokenSource) consent(cause error, msg, secret string) error {
	s.cfg.logger.LogAttrs(context.Background(), slog.LevelWarn, "cafe24: consent needed",
		slog.String("mall", s.mall), slog.String("reason", msg))
	var err error
	if cause != nil {
		err = scrubErr(cause, secret)
	}
	return &Error{Op: "cafe24.TokenSource", Code: CodeConsentNeeded, Message: msg, Err: err, outcome: apierr.Refused}
}

// adopt makes tok, just stored by a code exchange, the token handed out from now on.
func (s *TokenSource) adopt(tok *Token) {
	s.mu.Lock()
	s.cur, s.unsaved = tok.Clone(), nil
	s.mu.Unlock()
}
