package loyalty

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/httpx"
	"github.com/poskit/poskit/internal/retry"
)

// Clock is the time source of waiters: clockx.Real by default, mock.Clock in tests.
type Clock = clockx.Clock

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

// RetryPolicy bounds the retries of idempotent calls (reads). Calls that move
// money are never retried.
type RetryPolicy struct {
	MaxRetries int           // 0 → 3; negative → never retry
	Initial    time.Duration // first back-off, 0 → 200 ms
	Max        time.Duration // back-off cap, 0 → 5 s
}

type config struct {
	accessKey  string
	baseURL    string
	httpClient *http.Client
	logger     *slog.Logger
	clock      Clock
	routes     Routes
	retry      retry.Policy
	maxBody    int64
}

// String never shows the access key.
func (c config) String() string {
	return fmt.Sprintf("loyalty.config{baseURL: %s, routes: %v, accessKey: %s}", c.baseURL, c.routes.Set, redacted(c.accessKey))
}

// GoString is String.
func (c config) GoString() string { return c.String() }

// Option configures a Client.
type Option func(*config) error

// WithAccessKey sets the KIOSK access key sent on the KIOSK calls. It is never
// shown in errors, logs or %v.
func WithAccessKey(key string) Option {
	return func(c *config) error {
		c.accessKey = key
		return nil
	}
}

// WithNetwork selects a public relay (default Mainnet). WithBaseURL overrides it.
func WithNetwork(n Network) Option {
	return func(c *config) error {
		c.baseURL = n.BaseURL()
		return nil
	}
}

// WithBaseURL points the client at another relay, such as the fake.
func WithBaseURL(u string) Option {
	return func(c *config) error {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return invalidInput("loyalty.NewClient", "baseURL", "must be an absolute http(s) URL")
		}
		c.baseURL = u
		return nil
	}
}

// WithHTTPClient makes the client use hc as given (timeouts, transport).
// The default is a client with a 30 s timeout; http.DefaultClient is never used.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		c.httpClient = hc
		return nil
	}
}

// WithLogger logs each request (op, method, path, status, elapsed) at debug
// level and failures at info/warn. Silent by default. Secrets are redacted.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithClock sets the time source of waiters created from this client.
func WithClock(clk Clock) Option {
	return func(c *config) error {
		c.clock = clk
		return nil
	}
}

// WithRoutes selects the route table (default DocumentRoutes()).
func WithRoutes(r Routes) Option {
	return func(c *config) error {
		c.routes = r
		return nil
	}
}

// WithRetry sets the retry policy of idempotent calls.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		c.retry.MaxRetries, c.retry.Initial, c.retry.Max = p.MaxRetries, p.Initial, p.Max
		return nil
	}
}

// WithoutRetrySleep retries without waiting between attempts (tests).
func WithoutRetrySleep() Option {
	return func(c *config) error {
		c.retry.NoSleep = true
		return nil
	}
}

// WithMaxBodyBytes bounds the size of an answer (default 4 MiB); a larger one
// fails with CodeTooLarge.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) error {
		c.maxBody = n
		return nil
	}
}

// Client calls the DMS Relay KIOSK and mobile endpoints. It is safe for
// concurrent use. Its %v never shows the access key.
type Client struct {
	engine    *httpx.Engine
	accessKey string
	routes    Routes
	clock     Clock
	baseURL   string
	// keyHeader carries the access key; built once and shared by every call
	// (the engine copies a request's header, it never changes it).
	keyHeader http.Header
}

// NewClient returns a client for the mainnet relay with the document's routes,
// changed by the options.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{baseURL: Mainnet.BaseURL(), routes: DocumentRoutes()}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	c := &Client{accessKey: cfg.accessKey, routes: cfg.routes, clock: clockx.Or(cfg.clock), baseURL: cfg.baseURL}
	var secrets []string
	if cfg.accessKey != "" {
		c.keyHeader = http.Header{HeaderAuthorization: {cfg.accessKey}}
		secrets = []string{cfg.accessKey}
	}
	eng, err := httpx.New(httpx.Config{
		BaseURL:      cfg.baseURL,
		HTTPClient:   cfg.httpClient,
		Logger:       cfg.logger,
		MaxBodyBytes: cfg.maxBody,
		Retry:        cfg.retry,
		Secrets:      secrets,
		UserAgent:    "poskit-loyalty",
		Decode:       c.decode,
		Wrap:         c.wrap,
	})
	if err != nil {
		return nil, invalidInput("loyalty.NewClient", "baseURL", "must be an absolute http(s) URL")
	}
	c.engine = eng
	return c, nil
}

// String describes the client without its access key.
func (c Client) String() string {
	return fmt.Sprintf("loyalty.Client{baseURL: %s, routes: %v, accessKey: %s}", c.baseURL, c.routes.Set, redacted(c.accessKey))
}

// GoString is String, so %#v does not show the key either.
func (c Client) GoString() string { return c.String() }

// LogValue keeps the key out of slog output.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Routes returns the client's route table.
func (c *Client) Routes() Routes { return c.routes }

// Clock returns the client's time source.
func (c *Client) Clock() Clock { return c.clock }

func (c *Client) scrub(s string) string {
	if c.accessKey == "" || c.engine == nil {
		return s
	}
	return c.engine.Redact(s)
}

// decode is the engine's Decode hook: the envelope, with secrets scrubbed from
// server-supplied text.
func (c *Client) decode(a *httpx.Answer, out any) error {
	err := DecodeEnvelope(a.Op, a.Status, a.Body, out)
	var e *Error
	if errors.As(err, &e) {
		e.Message = c.scrub(e.Message)
		for i := range e.Validation {
			e.Validation[i].Field = c.scrub(e.Validation[i].Field)
			e.Validation[i].Message = c.scrub(e.Validation[i].Message)
		}
	}
	return err
}

// wrap is the engine's Wrap hook: its own failures as *Error.
func (c *Client) wrap(op string, status int, err error) error {
	e := &Error{Op: op, HTTPStatus: status, Code: CodeTransport, Err: err}
	switch {
	case errors.Is(err, httpx.ErrBodyTooLarge):
		e.Code, e.Err = CodeTooLarge, nil
	case errors.Is(err, httpx.ErrBadPath):
		e.Code, e.Err, e.Message = CodeInvalidInput, nil, "path escapes the base URL"
	case httpx.IsTransport(err):
	default:
		e.Code = CodeDecode
	}
	return e
}

// Retryable reports whether a retry of an idempotent call may succeed: transport
// failures and the relay's server error (6000). The engine consults it.
func (e *Error) Retryable() bool {
	return e.Code == CodeTransport || e.Code == CodeServerError
}

// do sends one request. Idempotent requests are retried by the engine.
// The access key goes in the Authorization header of every call except the
// four wallet-signed approvals, which are not the KIOSK's to make.
func (c *Client) do(ctx context.Context, op Endpoint, method, path string, q url.Values, body any, idempotent bool, out any) error {
	var h http.Header
	if !isApproval(op) {
		h = c.keyHeader
	}
	_, err := c.engine.Do(ctx, httpx.Request{
		Op:         opName(op),
		Method:     method,
		Path:       path,
		Query:      nilIfEmpty(q),
		JSON:       body,
		Header:     h,
		Idempotent: idempotent,
	}, out)
	return err
}

func isApproval(op Endpoint) bool {
	switch op {
	case EndpointApproveNewPayment, EndpointDenyNewPayment, EndpointApproveCancelPayment, EndpointDenyCancelPayment:
		return true
	}
	return false
}

func nilIfEmpty(q url.Values) any {
	if len(q) == 0 {
		return nil
	}
	return q
}

func opName(e Endpoint) string {
	if n, ok := opNames[e]; ok {
		return n
	}
	return "loyalty." + string(e)
}

// opNames holds the operation names of the known endpoints, so a call does
// not build its name.
var opNames = func() map[Endpoint]string {
	m := make(map[Endpoint]string)
	for _, e := range []Endpoint{
		EndpointBalance, EndpointPaymentInfo, EndpointOpenNewPayment, EndpointCloseNewPayment,
		EndpointOpenCancelPayment, EndpointCloseCancelPayment, EndpointShopInfo, EndpointShopWithdrawal,
		EndpointPayment, EndpointApproveNewPayment, EndpointDenyNewPayment, EndpointApproveCancelPayment,
		EndpointDenyCancelPayment, EndpointChainID, EndpointNonce,
	} {
		m[e] = "loyalty." + string(e)
	}
	return m
}()

// bodyKey returns the access key for the body: the document's POSTs carry it,
// the relay set relies on the header only.
func (c *Client) bodyKey() string {
	if c.routes.Set == RouteSetDocument {
		return c.accessKey
	}
	return ""
}

func (c *Client) requireKey(op Endpoint) error {
	if strings.TrimSpace(c.accessKey) == "" {
		return invalidInput(opName(op), ParamAccessKey, "no access key configured (WithAccessKey)")
	}
	return nil
}
