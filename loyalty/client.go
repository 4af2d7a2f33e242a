package loyalty

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/endpoint"
	"github.com/poskit/poskit/internal/httpx"
	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/internal/redact"
	"github.com/poskit/poskit/internal/retry"
)

// Clock is the time source of the client's retries and of waiters: the wall clock by
// default, mock.Clock in tests, or any implementation (Timer is exported for it).
type Clock = clockx.Clock

// Timer is what a Clock's NewTimer returns.
type Timer = clockx.Timer

// RetryPolicy says how idempotent calls (reads) are retried, and how a PaymentWaiter
// spaces its polls. Calls that move money are never retried.
type RetryPolicy = retry.Policy

// Network selects one of the relay's public deployments.
type Network int

// Networks (source document §2).
const (
	Mainnet Network = iota
	Testnet
	Devnet
)

// BaseURL returns the network's relay URL.
func (n Network) BaseURL() string {
	switch n {
	case Testnet:
		return "https://relay.kios.testnet.bosagora.org"
	case Devnet:
		return "https://relay.kios.devnet.bosagora.org"
	}
	return "https://relay.kios.bosagora.org"
}

// String returns "mainnet", "testnet" or "devnet".
func (n Network) String() string {
	switch n {
	case Testnet:
		return "testnet"
	case Devnet:
		return "devnet"
	}
	return "mainnet"
}

// RouteSet names one of the two known route tables.
type RouteSet int

// Route sets.
const (
	// RouteSetDocument is the source document's routes (/v1/payment/openNew,
	// create/confirm, …), the default.
	RouteSetDocument RouteSet = iota
	// RouteSetRelay is the running relay's routes (/v1/payment/new/open,
	// new/approval with an approval flag, …).
	RouteSetRelay
)

// String returns "document" or "relay".
func (s RouteSet) String() string {
	if s == RouteSetRelay {
		return "relay"
	}
	return "document"
}

func (s RouteSet) table() endpoint.Table {
	if s == RouteSetRelay {
		return loyaltywire.Relay
	}
	return loyaltywire.Document
}

type config struct {
	accessKey  string
	baseURL    string
	httpClient *http.Client
	logger     *slog.Logger
	clock      Clock
	routes     RouteSet
	retry      retry.Policy
	maxBody    int64
}

// String never shows the access key.
func (c config) String() string {
	return fmt.Sprintf("loyalty.config{baseURL: %s, routes: %v, accessKey: %s}", c.baseURL, c.routes, redacted(c.accessKey))
}

// Format writes String for every verb.
func (c config) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// Option configures a Client. Options cannot fail; NewClient checks the result.
type Option func(*config)

// WithAccessKey sets the KIOSK access key sent on the KIOSK calls. It is never
// shown in errors, logs or any fmt verb.
func WithAccessKey(key string) Option { return func(c *config) { c.accessKey = key } }

// WithNetwork selects a public relay (default Mainnet). WithBaseURL overrides it.
func WithNetwork(n Network) Option { return func(c *config) { c.baseURL = n.BaseURL() } }

// WithBaseURL points the client at another relay, such as the fake. NewClient refuses
// anything but an absolute http(s) URL.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithHTTPClient makes the client use hc as given (timeouts, transport).
// The default is a client with a 30 s timeout; http.DefaultClient is never used.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithLogger logs each request (op, method, path, status, elapsed) at debug
// level and failures at info/warn. Silent by default. Secrets are redacted.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithClock sets the time source of retry pauses and of waiters created from this client.
func WithClock(clk Clock) Option { return func(c *config) { c.clock = clk } }

// WithRouteSet selects the route table (default RouteSetDocument).
func WithRouteSet(s RouteSet) Option { return func(c *config) { c.routes = s } }

// WithRetry sets the retry policy of idempotent calls; zero fields keep the defaults
// (3 retries, 200 ms doubling to 5 s, ±50%).
func WithRetry(p RetryPolicy) Option {
	return func(c *config) {
		ns := c.retry.NoSleep
		c.retry = p
		c.retry.NoSleep = p.NoSleep || ns
	}
}

// WithoutRetrySleep retries without waiting between attempts (tests).
func WithoutRetrySleep() Option { return func(c *config) { c.retry.NoSleep = true } }

// WithMaxBodyBytes bounds the size of an answer (default 4 MiB); a larger one
// fails with CodeTooLarge.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// Client calls the DMS Relay KIOSK and mobile endpoints. It is safe for
// concurrent use. No fmt verb shows its access key — not even %p of a Client value,
// which fmt prints field by field past every formatter: the state, key included, sits
// behind a pointer.
type Client struct {
	*clientState
}

// clientState is a Client's state.
type clientState struct {
	engine    *httpx.Engine
	red       *redact.Redactor
	accessKey string
	routes    RouteSet
	clock     Clock
	baseURL   string
	reqs      map[string]httpx.Request // by operation, from the route set's table
	// keyHeader carries the access key; built once and shared by every call
	// (the engine copies a request's header, it never changes it).
	keyHeader http.Header
}

const newClientOp = "loyalty.NewClient"

// NewClient returns a client for the mainnet relay with the document's routes,
// changed by the options. A base URL that is not an absolute http(s) URL or an
// unknown route set is an *Error with CodeInvalidInput.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{baseURL: Mainnet.BaseURL()}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if pu, err := url.Parse(cfg.baseURL); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, invalidInput(newClientOp, "baseURL", "must be an absolute http(s) URL")
	}
	if cfg.routes != RouteSetDocument && cfg.routes != RouteSetRelay {
		return nil, invalidInput(newClientOp, "routes", "must be RouteSetDocument or RouteSetRelay")
	}
	if cfg.maxBody < 0 {
		return nil, invalidInput(newClientOp, "maxBodyBytes", "must not be negative")
	}
	c := &Client{&clientState{accessKey: cfg.accessKey, routes: cfg.routes, clock: clockx.Or(cfg.clock), baseURL: cfg.baseURL}}
	var secrets []string
	if cfg.accessKey != "" {
		c.keyHeader = http.Header{loyaltywire.HeaderAuthorization: {cfg.accessKey}}
		secrets = []string{cfg.accessKey}
	}
	c.red = redact.New(secrets...)
	t := cfg.routes.table()
	c.reqs = make(map[string]httpx.Request, len(t.Endpoints))
	for _, e := range t.Endpoints {
		r := httpx.NewRequest(t, e)
		if !isApproval(e.Op) {
			r.Header = c.keyHeader
		}
		c.reqs[e.Op] = r
	}
	eng, err := httpx.New(httpx.Config{
		BaseURL:      cfg.baseURL,
		HTTPClient:   cfg.httpClient,
		Logger:       cfg.logger,
		MaxBodyBytes: cfg.maxBody,
		Retry:        cfg.retry,
		Clock:        cfg.clock,
		Secrets:      secrets,
		UserAgent:    "poskit-loyalty",
		Decode:       c.decode,
		Wrap:         c.wrap,
	})
	if err != nil {
		return nil, invalidInput(newClientOp, "baseURL", "must be an absolute http(s) URL")
	}
	c.engine = eng
	return c, nil
}

// String describes the client without its access key.
func (c Client) String() string {
	if c.clientState == nil {
		return "loyalty.Client{}"
	}
	return fmt.Sprintf("loyalty.Client{baseURL: %s, routes: %v, accessKey: %s}", c.baseURL, c.routes, redacted(c.accessKey))
}

// GoString is String, so %#v does not show the key either.
func (c Client) GoString() string { return c.String() }

// Format writes String for every verb, so no verb (%d, %x, …) reaches the key.
func (c Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue keeps the key out of slog output.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// RouteSet returns the client's route set.
func (c *Client) RouteSet() RouteSet { return c.routes }

// Clock returns the client's time source.
func (c *Client) Clock() Clock { return c.clock }

// clean makes server-supplied text safe for an error: the access key and its fragments
// redacted before the text is bounded.
func (c *Client) clean(s string) string { return loyaltywire.Clean(s, c.red) }

// decode is the engine's Decode hook: the envelope, with secrets scrubbed from
// server-supplied text.
func (c *Client) decode(a *httpx.Answer, out any) error {
	err := loyaltywire.Decode(a.Status, a.Body, out)
	if err == nil {
		return nil
	}
	return answerError(a.Op, a.Status, err, c.red)
}

// answerError turns the wire decoder's error into an *Error, cleaning and redacting the
// server's text with red.
func answerError(op string, status int, err error, red *redact.Redactor) *Error {
	e := &Error{Op: op, HTTPStatus: status, Code: CodeDecode}
	var ref *loyaltywire.Refusal
	var bad *loyaltywire.Malformed
	switch {
	case errors.As(err, &ref):
		e.Code = Code(ref.Code)
		e.Message = loyaltywire.Clean(ref.Message, red)
		for _, v := range ref.Validation {
			e.Validation = append(e.Validation, ValidationIssue{
				Field:    loyaltywire.Clean(v.Path, red),
				Location: loyaltywire.Clean(v.Location, red),
				Message:  loyaltywire.Clean(v.Msg, red),
			})
		}
	case errors.As(err, &bad):
		if bad.Kind == loyaltywire.BadStatus {
			e.Code = CodeHTTPStatus
		}
		e.Message = bad.Message
	}
	e.idempotent = idempotentOp(op)
	return e
}

// idempotentOp reports whether the operation "loyalty.<Op>" is safe to repeat.
func idempotentOp(op string) bool {
	e, ok := loyaltywire.Table.Lookup(strings.TrimPrefix(op, loyaltywire.API+"."))
	return ok && e.Idempotent
}

// wrap is the engine's Wrap hook: its own failures as *Error.
func (c *Client) wrap(op string, status int, err error) error {
	e := &Error{Op: op, HTTPStatus: status, Code: CodeTransport, Err: err}
	switch {
	case apierr.IsContext(err):
		e.Code = CodeCanceled
	case errors.Is(err, httpx.ErrBodyTooLarge):
		e.Code, e.Err = CodeTooLarge, nil
	case errors.Is(err, httpx.ErrBadPath):
		e.Code, e.Err, e.Message = CodeInvalidInput, nil, "path escapes the base URL"
	case httpx.IsTransport(err):
	default:
		e.Code = CodeDecode
	}
	e.idempotent = idempotentOp(op)
	return e
}

// do sends the request of operation op. Idempotent requests are retried by the engine.
// The access key goes in the Authorization header of every call except the four
// wallet-signed approvals, which are not the KIOSK's to make.
func (c *Client) do(ctx context.Context, op string, q url.Values, body any, out any) error {
	req := c.reqs[op]
	if len(q) > 0 {
		req.Query = q
	}
	req.JSON = body
	_, err := c.engine.Do(ctx, req, out)
	return err
}

func isApproval(op string) bool {
	switch op {
	case loyaltywire.OpApproveNewPayment, loyaltywire.OpDenyNewPayment,
		loyaltywire.OpApproveCancelPayment, loyaltywire.OpDenyCancelPayment:
		return true
	}
	return false
}

// opName returns the operation's name as errors show it: "loyalty.<Op>".
func opName(op string) string {
	if n, ok := opNames[op]; ok {
		return n
	}
	return loyaltywire.API + "." + op
}

// opNames holds the names of the table's operations, so a call does not build its name.
var opNames = func() map[string]string {
	m := make(map[string]string)
	for _, op := range loyaltywire.Table.Ops() {
		m[op] = loyaltywire.Table.Name(op)
	}
	return m
}()

// bodyKey returns the access key for the body: the document's POSTs carry it,
// the relay set relies on the header only.
func (c *Client) bodyKey() string {
	if c.routes == RouteSetDocument {
		return c.accessKey
	}
	return ""
}

func (c *Client) requireKey(op string) error {
	if strings.TrimSpace(c.accessKey) == "" {
		return invalidInput(opName(op), loyaltywire.ParamAccessKey, "no access key configured (WithAccessKey)")
	}
	return nil
}
