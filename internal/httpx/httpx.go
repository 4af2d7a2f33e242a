// Package httpx is the one HTTP engine every poskit client uses: it joins the base URL and
// path, encodes query structs (go-querystring) and JSON or form bodies, sends the request
// with the caller's context on the caller's *http.Client, reads the answer under a size
// limit, hands it to the package's Decode hook (which unwraps the API's envelope into a
// value or the package's typed error), retries only requests marked safe to repeat (the one
// retry.Policy, pausing on the injected clock), gives back the answer's status and headers
// with the error, and logs through an optional *slog.Logger with secrets redacted.
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
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-querystring/query"

	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/endpoint"
	"github.com/poskit/poskit/internal/redact"
	"github.com/poskit/poskit/internal/retry"
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
	// Body is valid only while the hook runs: the engine reuses its buffer afterwards, so
	// a hook copies what it keeps (json.Unmarshal does, into strings and RawMessage alike).
	Body []byte
}

// Response is what the engine tells of an answer besides its decoded body: the HTTP status
// and headers (rate limits, request ids). Do returns it whenever an answer arrived, with
// or without an error; nil means no answer was read.
type Response struct {
	Status int
	Header http.Header
}

// Config configures an Engine. BaseURL, Decode and Wrap are required.
type Config struct {
	BaseURL      string
	HTTPClient   *http.Client // used as given; nil → a client with DefaultTimeout
	Logger       *slog.Logger // nil → silent
	MaxBodyBytes int64        // 0 → DefaultMaxBodyBytes
	// Retry is the policy of requests marked Idempotent (zero fields: retry.Default).
	Retry retry.Policy
	// Clock is what retry pauses sleep on; nil → the wall clock.
	Clock clockx.Clock
	// ShouldRetry decides whether an idempotent attempt that ended with status and err is
	// repeated; nil → DefaultShouldRetry.
	ShouldRetry func(status int, err error) bool
	// Secrets (access keys, tokens) are redacted, with every fragment of 8 or more of their
	// characters, from log lines and from Redact's output.
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

// NewRequest returns the request of endpoint e of table t: its operation name as errors
// show it ("<api>.<Op>"), method, path and retry safety.
func NewRequest(t endpoint.Table, e endpoint.Endpoint) Request {
	return Request{Op: t.Name(e.Op), Method: e.Method, Path: e.Path, Idempotent: e.Idempotent}
}

// Engine sends requests for one API client. It is safe for concurrent use.
type Engine struct {
	base    *url.URL
	cfg     Config
	hc      *http.Client
	log     *slog.Logger
	maxBody int64
	redact  *redact.Redactor
	retry   retry.Policy
	should  func(status int, err error) bool
	ua      []string // the User-Agent header value, shared by every request (never mutated)
}

// Header values the engine sets, shared by every request: a request's header values are
// only read by the transport, and these slices have no room to append into.
var (
	acceptJSON = []string{"application/json"}
	ctypeJSON  = []string{"application/json"}
	ctypeForm  = []string{"application/x-www-form-urlencoded"}
)

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
	base.RawPath = "" // re-derived from Path by URL.EscapedPath, as url.Parse would
	base.RawQuery, base.Fragment = "", ""
	base.Host = strings.TrimSuffix(base.Host, ":") // an empty port, as http.NewRequest drops it
	e := &Engine{base: base, cfg: cfg, hc: cfg.HTTPClient, log: cfg.Logger, maxBody: cfg.MaxBodyBytes}
	if cfg.UserAgent != "" {
		e.ua = []string{cfg.UserAgent}
	}
	if e.hc == nil {
		e.hc = &http.Client{Timeout: DefaultTimeout}
	}
	if e.maxBody <= 0 {
		e.maxBody = DefaultMaxBodyBytes
	}
	e.redact = redact.New(cfg.Secrets...)
	e.retry = cfg.Retry.Or(retry.Default)
	e.should = cfg.ShouldRetry
	if e.should == nil {
		e.should = DefaultShouldRetry
	}
	return e, nil
}

// BaseURL returns the base URL requests are joined to.
func (e *Engine) BaseURL() string { return e.base.String() }

// HTTPClient returns the *http.Client the engine sends with.
func (e *Engine) HTTPClient() *http.Client { return e.hc }

// Redact replaces every configured secret, and every fragment of 8 or more of its
// characters, in s.
func (e *Engine) Redact(s string) string { return e.redact.String(s) }

// Redactor returns the engine's redactor.
func (e *Engine) Redactor() *redact.Redactor { return e.redact }

// Do sends req and decodes the answer into out through the Decode hook. It returns the last
// answer's status and headers (nil when none was read) with the error. Requests marked
// Idempotent are retried as Config.Retry and Config.ShouldRetry say, pausing on
// Config.Clock; others are sent exactly once. When ctx ends during a pause, the error is
// the Wrap of ctx's error.
func (e *Engine) Do(ctx context.Context, req Request, out any) (*Response, error) {
	u, err := e.buildURL(req)
	if err != nil {
		return nil, e.cfg.Wrap(req.Op, 0, err)
	}
	body, ctype, err := encodeBody(req)
	if err != nil {
		return nil, e.cfg.Wrap(req.Op, 0, err)
	}
	resp, err := e.once(ctx, req, u, body, ctype, out)
	if err == nil || !req.Idempotent || !e.should(status(resp), err) {
		return resp, err
	}
	last := err
	err = e.retry.Continue(ctx, e.cfg.Clock, e.retry.Schedule(), err, func() (bool, error) {
		resp, last = e.once(ctx, req, u, body, ctype, out)
		return last != nil && e.should(status(resp), last), last
	})
	if err != nil && err != last { // the context ended during a pause
		return resp, e.cfg.Wrap(req.Op, 0, err)
	}
	return resp, err
}

func status(r *Response) int {
	if r == nil {
		return 0
	}
	return r.Status
}

// buildURL joins the base URL and req.Path and encodes the query. The URL is built as a
// value, not a string: http.NewRequest would only parse the string back.
func (e *Engine) buildURL(req Request) (*url.URL, error) {
	p := req.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if strings.ContainsAny(p, "?#") || hasDotSegment(p) {
		return nil, ErrBadPath
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
			return nil, fmt.Errorf("encode query: %w", err)
		}
		u.RawQuery = v.Encode()
	}
	return &u, nil
}

// hasDotSegment reports whether the slash-separated path p has a "." or ".." segment.
func hasDotSegment(p string) bool {
	for len(p) > 0 {
		seg := p
		if i := strings.IndexByte(p, '/'); i >= 0 {
			seg, p = p[:i], p[i+1:]
		} else {
			p = ""
		}
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

func encodeBody(req Request) ([]byte, []string, error) {
	switch {
	case req.JSON != nil:
		b, err := json.Marshal(req.JSON)
		if err != nil {
			return nil, nil, fmt.Errorf("encode body: %w", err)
		}
		return b, ctypeJSON, nil
	case req.Form != nil:
		return []byte(req.Form.Encode()), ctypeForm, nil
	}
	return nil, nil, nil
}

// once sends one attempt and returns the answer's metadata (nil if none) and the error.
func (e *Engine) once(ctx context.Context, req Request, u *url.URL, body []byte, ctype []string, out any) (*Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	// NewRequestWithContext sets the body's length and GetBody; the URL is ours, a copy
	// per attempt.
	hr, err := http.NewRequestWithContext(ctx, req.Method, "", rd)
	if err != nil {
		return nil, e.cfg.Wrap(req.Op, 0, err)
	}
	uc := *u
	hr.URL, hr.Host = &uc, uc.Host
	hr.Header = e.header(req.Header, ctype)
	var start time.Time
	if e.log != nil {
		start = time.Now()
	}
	resp, err := e.hc.Do(hr)
	if err != nil {
		e.logf(ctx, slog.LevelWarn, req, 0, start, err)
		if cerr := ctx.Err(); cerr != nil {
			return nil, e.cfg.Wrap(req.Op, 0, cerr) // the caller's context ended: not a transport failure
		}
		return nil, e.cfg.Wrap(req.Op, 0, transportError{e.cleanErr(err)})
	}
	meta := &Response{Status: resp.StatusCode, Header: resp.Header}
	defer resp.Body.Close()
	bp := bodyPool.Get().(*[]byte)
	defer putBody(bp)
	data, err := readBody((*bp)[:0], resp.Body, resp.ContentLength, e.maxBody)
	*bp = data
	if err != nil {
		e.logf(ctx, slog.LevelWarn, req, resp.StatusCode, start, err)
		switch cerr := ctx.Err(); {
		case cerr != nil:
			err = cerr
		case !errors.Is(err, ErrBodyTooLarge):
			err = transportError{e.cleanErr(err)}
		}
		return meta, e.cfg.Wrap(req.Op, resp.StatusCode, err)
	}
	err = e.cfg.Decode(&Answer{Op: req.Op, Status: resp.StatusCode, Header: resp.Header, Body: data}, out)
	if e.log != nil {
		level := slog.LevelDebug
		if err != nil {
			level = slog.LevelInfo
		}
		e.logf(ctx, level, req, resp.StatusCode, start, err)
	}
	return meta, err
}

// header returns the request header: the caller's (keys canonicalized, its value slices
// shared but capped so nothing can append into them; the caller's map is never changed),
// then Content-Type, Accept and User-Agent.
func (e *Engine) header(in http.Header, ctype []string) http.Header {
	h := make(http.Header, len(in)+3)
	for k, vs := range in {
		if len(vs) == 0 {
			continue
		}
		ck := textproto.CanonicalMIMEHeaderKey(k)
		if prev, ok := h[ck]; ok {
			h[ck] = append(prev[:len(prev):len(prev)], vs...)
		} else {
			h[ck] = vs[:len(vs):len(vs)]
		}
	}
	if ctype != nil {
		h["Content-Type"] = ctype
	}
	h["Accept"] = acceptJSON
	if e.ua != nil {
		h["User-Agent"] = e.ua
	}
	return h
}

// bodyPool recycles answer buffers between calls: Answer.Body is valid only while the
// Decode hook runs, which copies what it keeps (encoding/json always does).
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooledBody is the largest buffer kept for reuse; a rare huge answer is left to the GC.
const maxPooledBody = 256 << 10

func putBody(bp *[]byte) {
	if cap(*bp) <= maxPooledBody {
		*bp = (*bp)[:0]
		bodyPool.Put(bp)
	}
}

// readBody appends r, read to the end, to b[:0] and returns it: at most max bytes
// (ErrBodyTooLarge beyond). A known length sizes the buffer at once.
func readBody(b []byte, r io.Reader, length, max int64) ([]byte, error) {
	size := int64(512)
	if length >= 0 && length < max {
		size = length + 1 // room to see the end without growing
	}
	if int64(cap(b)) < size {
		b = make([]byte, 0, size)
	}
	b = b[:0]
	for {
		buf := b[len(b):cap(b)]
		if rem := max + 1 - int64(len(b)); int64(len(buf)) > rem {
			buf = buf[:rem] // one byte past the limit is enough to know
		}
		n, err := r.Read(buf)
		b = b[:len(b)+n]
		if int64(len(b)) > max {
			return b[:0], ErrBodyTooLarge
		}
		if err != nil {
			if err == io.EOF {
				return b, nil
			}
			return b[:0], err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
	}
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
	msg := err.Error()
	if clean := e.Redact(msg); clean != msg {
		// The cause's text holds a secret: keep only the redacted text, so neither
		// Error() nor errors.Unwrap can reach it. A Timeout() answer survives.
		return redactedError{msg: clean, timeout: isTimeout(err)}
	}
	return err
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
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

func (t transportError) Error() string { return t.err.Error() }
func (t transportError) Unwrap() error { return t.err }

// IsTransport reports whether err is a failure to send or to read an answer (connection
// refused, reset, dropped, timed out) as opposed to an answer the server gave.
func IsTransport(err error) bool {
	var t transportError
	return errors.As(err, &t)
}

// redactedError stands for a transport error whose text contained a secret.
type redactedError struct {
	msg     string
	timeout bool
}

func (r redactedError) Error() string { return r.msg }
func (r redactedError) Timeout() bool { return r.timeout }

// sanitizeURL drops user info and query from a URL for error messages.
func sanitizeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
