// Package httpx is the one HTTP engine every poskit client uses: it joins the base URL and
// path, encodes query structs (go-querystring) and JSON or form bodies, sends the request
// with the caller's context on the caller's *http.Client, reads the answer under a size
// limit, hands it to the package's Decode hook (which unwraps the API's envelope into a
// value or the package's typed error), retries only requests marked safe to repeat
// (backoff/v4), and logs through an optional *slog.Logger with secrets redacted.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-querystring/query"
)

// DefaultTimeout is the timeout of the *http.Client an engine makes when none is given.
const DefaultTimeout = 30 * time.Second

// DefaultMaxBodyBytes bounds an answer's body when Config.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 4 << 20

// Answer is a read HTTP answer handed to a Decode hook.
type Answer struct {
	Op     string
	Status int
	Header http.Header
	Body   []byte
}

// Config configures an Engine. BaseURL, Decode and Wrap are required.
type Config struct {
	BaseURL      string
	HTTPClient   *http.Client // used as given; nil → a client with DefaultTimeout
	Logger       *slog.Logger // nil → silent
	MaxBodyBytes int64        // 0 → DefaultMaxBodyBytes
	Retry        Retry
	// Secrets are values (access keys, tokens) replaced by "REDACTED" in every log line.
	Secrets   []string
	UserAgent string
	// Decode unwraps a read answer into out (which may be nil) or returns the package's
	// typed error.
	Decode func(a *Answer, out any) error
	// Wrap turns the engine's own failures into the package's typed error: op is the
	// operation, status the HTTP status (0 when none arrived), err the cause.
	Wrap func(op string, status int, err error) error
}

// Request is one call.
type Request struct {
	Op     string // operation name used in errors and logs, e.g. "loyalty.Balance"
	Method string
	Path   string // joined to the base URL; may not contain ".." segments
	Query  any    // a struct with `url:"…"` tags, url.Values, or nil
	JSON   any    // encoded as the JSON body when non-nil
	Form   url.Values
	Header http.Header
	// Idempotent marks the request safe to repeat; only such requests are retried.
	Idempotent bool
}

// Engine sends requests for one API client. It is safe for concurrent use.
type Engine struct {
	base    *url.URL
	cfg     Config
	hc      *http.Client
	log     *slog.Logger
	maxBody int64
	redact  *strings.Replacer
}

// Errors the engine passes to Wrap.
var (
	ErrBodyTooLarge = errors.New("answer body exceeds the size limit")
	ErrBadPath      = errors.New("path escapes the base URL")
)

// New checks cfg and returns an engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Decode == nil || cfg.Wrap == nil {
		return nil, errors.New("httpx: Decode and Wrap hooks are required")
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("httpx: base URL must be an absolute http(s) URL, got %q", sanitizeURL(cfg.BaseURL))
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	base.RawQuery, base.Fragment = "", ""
	e := &Engine{base: base, cfg: cfg, hc: cfg.HTTPClient, log: cfg.Logger, maxBody: cfg.MaxBodyBytes}
	if e.hc == nil {
		e.hc = &http.Client{Timeout: DefaultTimeout}
	}
	if e.maxBody <= 0 {
		e.maxBody = DefaultMaxBodyBytes
	}
	var pairs []string
	for _, s := range cfg.Secrets {
		if s != "" {
			pairs = append(pairs, s, "REDACTED")
		}
	}
	e.redact = strings.NewReplacer(pairs...)
	return e, nil
}

// BaseURL returns the base URL requests are joined to.
func (e *Engine) BaseURL() string { return e.base.String() }

// HTTPClient returns the *http.Client the engine sends with.
func (e *Engine) HTTPClient() *http.Client { return e.hc }

// Redact replaces every configured secret in s.
func (e *Engine) Redact(s string) string { return e.redact.Replace(s) }

// Do sends req and decodes the answer into out through the Decode hook. Requests marked
// Idempotent are retried on transport errors, 429, 5xx and errors the hook marks retryable,
// as Config.Retry says; others are sent exactly once.
func (e *Engine) Do(ctx context.Context, req Request, out any) error {
	u, err := e.buildURL(req)
	if err != nil {
		return e.cfg.Wrap(req.Op, 0, err)
	}
	body, ctype, err := encodeBody(req)
	if err != nil {
		return e.cfg.Wrap(req.Op, 0, err)
	}
	attempt := func() (int, error) { return e.once(ctx, req, u, body, ctype, out) }
	if !req.Idempotent {
		_, err := attempt()
		return err
	}
	return e.cfg.Retry.run(ctx, attempt)
}

func (e *Engine) buildURL(req Request) (string, error) {
	p := req.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." {
			return "", ErrBadPath
		}
	}
	if strings.ContainsAny(p, "?#") {
		return "", ErrBadPath
	}
	u := *e.base
	u.Path = e.base.Path + p
	switch q := req.Query.(type) {
	case nil:
	case url.Values:
		u.RawQuery = q.Encode()
	default:
		v, err := query.Values(q)
		if err != nil {
			return "", fmt.Errorf("encode query: %w", err)
		}
		u.RawQuery = v.Encode()
	}
	return u.String(), nil
}

func encodeBody(req Request) ([]byte, string, error) {
	switch {
	case req.JSON != nil:
		b, err := json.Marshal(req.JSON)
		if err != nil {
			return nil, "", fmt.Errorf("encode body: %w", err)
		}
		return b, "application/json", nil
	case req.Form != nil:
		return []byte(req.Form.Encode()), "application/x-www-form-urlencoded", nil
	}
	return nil, "", nil
}

// once sends one attempt and returns the HTTP status seen (0 if none) and the error.
func (e *Engine) once(ctx context.Context, req Request, u string, body []byte, ctype string, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u, rd)
	if err != nil {
		return 0, e.cfg.Wrap(req.Op, 0, err)
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	hr.Header.Set("Accept", "application/json")
	if e.cfg.UserAgent != "" {
		hr.Header.Set("User-Agent", e.cfg.UserAgent)
	}
	start := time.Now()
	resp, err := e.hc.Do(hr)
	if err != nil {
		e.logf(ctx, slog.LevelWarn, req, 0, start, err)
		return 0, e.cfg.Wrap(req.Op, 0, transportError{e.cleanErr(err)})
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, e.maxBody+1))
	if err == nil && int64(len(data)) > e.maxBody {
		err = ErrBodyTooLarge
	}
	if err != nil {
		e.logf(ctx, slog.LevelWarn, req, resp.StatusCode, start, err)
		if !errors.Is(err, ErrBodyTooLarge) {
			err = transportError{e.cleanErr(err)}
		}
		return resp.StatusCode, e.cfg.Wrap(req.Op, resp.StatusCode, err)
	}
	err = e.cfg.Decode(&Answer{Op: req.Op, Status: resp.StatusCode, Header: resp.Header, Body: data}, out)
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelInfo
	}
	e.logf(ctx, level, req, resp.StatusCode, start, err)
	return resp.StatusCode, err
}

// cleanErr strips the URL out of a *url.Error (it may carry query secrets) and redacts the rest.
func (e *Engine) cleanErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return redactedError{msg: e.Redact(err.Error()), cause: err}
}

func (e *Engine) logf(ctx context.Context, level slog.Level, req Request, status int, start time.Time, err error) {
	if e.log == nil || !e.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("op", req.Op),
		slog.String("method", req.Method),
		slog.String("path", e.Redact(req.Path)),
		slog.Int("status", status),
		slog.Duration("elapsed", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", e.Redact(err.Error())))
	}
	e.log.LogAttrs(ctx, level, "poskit request", attrs...)
}

// transportError marks a failure before a complete answer arrived; it is retryable unless it
// is the context's own.
type transportError struct{ err error }

func (t transportError) Error() string { return "transport: " + t.err.Error() }
func (t transportError) Unwrap() error { return t.err }

// IsTransport reports whether err is a failure to send or to read an answer (connection
// refused, reset, dropped, timed out) as opposed to an answer the server gave.
func IsTransport(err error) bool {
	var t transportError
	return errors.As(err, &t)
}

type redactedError struct {
	msg   string
	cause error
}

func (r redactedError) Error() string { return r.msg }
func (r redactedError) Unwrap() error { return r.cause }

// sanitizeURL drops user info and query from a URL for error messages.
func sanitizeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
