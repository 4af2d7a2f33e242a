package dodopoint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/dodopointwire"
	"github.com/poskit/poskit/internal/httpx"
)

// TransportOption configures an HTTPTransport. Options cannot fail; NewHTTPTransport checks
// the result and returns an *Error with CodeInvalidInput.
type TransportOption func(*transportConfig)

type transportConfig struct {
	hc        *http.Client
	log       *slog.Logger
	maxBody   int64
	userAgent string
}

// DefaultMaxAnswerBytes bounds the answer bodies an HTTPTransport reads unless
// WithMaxBodyBytes says otherwise.
const DefaultMaxAnswerBytes = dodopointwire.MaxAnswerBytes

// WithHTTPClient sends with hc, used as given (its timeout, its transport). The default is
// a client with a 30 s timeout.
func WithHTTPClient(hc *http.Client) TransportOption {
	return func(c *transportConfig) { c.hc = hc }
}

// WithLogger logs each request (operation, path, status, time; never a body) to l at debug
// level, failures at info and warn. The default logs nothing.
func WithLogger(l *slog.Logger) TransportOption { return func(c *transportConfig) { c.log = l } }

// WithMaxBodyBytes bounds the answer bodies read (default DefaultMaxAnswerBytes; 0 keeps
// the default); a longer answer is CodeLost.
func WithMaxBodyBytes(n int64) TransportOption { return func(c *transportConfig) { c.maxBody = n } }

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) TransportOption { return func(c *transportConfig) { c.userAgent = ua } }

// HTTPTransport is the shipped Transport: JSON over HTTP to the assist program on loopback
// (Modelled: POST /claim and POST /cancel, see the Modelled section of the package doc).
// It sends each request once and maps every failure to the three outcomes:
//
//   - the program refused the connection or the request could not be sent (program not
//     running): CodeUnavailable, refused — nothing was applied;
//   - the program answered BUSY: CodeUnavailable; it refused the data: CodeInvalidSale,
//     CodeNotClaimed or its own code;
//   - the connection dropped after the request went out, a timeout of the *http.Client,
//     an oversized or unreadable answer: CodeLost or CodeBadAnswer (IsLost) — it may have
//     been applied;
//   - the caller's context ended: the context's error (errors.Is(err, context.Canceled)).
//
// It does not retry: both operations are safe to repeat (the program de-duplicates by
// payment id), and the Outbox is the one that repeats them, durably, in order, on its
// clock. A caller using an HTTPTransport directly may resend after CodeUnavailable or a
// lost answer for the same reason. It is safe for concurrent use.
type HTTPTransport struct {
	engine *httpx.Engine
	claim  httpx.Request
	cancel httpx.Request
}

var _ Transport = (*HTTPTransport)(nil)

// NewHTTPTransport returns a transport to the assist program at baseURL, e.g.
// "http://127.0.0.1:8650" (Modelled: the document names no port). It returns an *Error
// with CodeInvalidInput when baseURL is not an absolute http(s) URL or an option is out
// of range.
func NewHTTPTransport(baseURL string, opts ...TransportOption) (*HTTPTransport, error) {
	const op = "dodopoint.NewHTTPTransport"
	var cfg transportConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.maxBody < 0 {
		return nil, newError(op, CodeInvalidInput, fmt.Sprintf("max body bytes %d is negative", cfg.maxBody), nil)
	}
	if cfg.maxBody == 0 {
		cfg.maxBody = DefaultMaxAnswerBytes
	}
	eng, err := httpx.New(httpx.Config{
		BaseURL:      baseURL,
		HTTPClient:   cfg.hc,
		Logger:       cfg.log,
		MaxBodyBytes: cfg.maxBody,
		UserAgent:    cfg.userAgent,
		ShouldRetry:  func(int, error) bool { return false }, // the outbox retries; see Table
		Decode:       decodeHTTPAnswer,
		Wrap:         wrapTransportError,
	})
	if err != nil {
		return nil, newError(op, CodeInvalidInput, err.Error(), nil)
	}
	return &HTTPTransport{
		engine: eng,
		claim:  request(dodopointwire.OpClaim),
		cancel: request(dodopointwire.OpCancel),
	}, nil
}

func request(op string) httpx.Request {
	e, ok := dodopointwire.Table.Lookup(op)
	if !ok {
		panic("dodopoint: no endpoint " + op)
	}
	return httpx.NewRequest(dodopointwire.Table, e)
}

// Claim sends POST /claim with the sale (Modelled) so the program sets the points and
// offers them on the tablet. The sale is checked first (CodeInvalidInput, nothing sent).
// Idempotency: the program de-duplicates by Sale.PaymentID, so a second Claim of the same
// id — after a lost answer — is no second claim (answered DUPLICATE, returned as nil).
func (t *HTTPTransport) Claim(ctx context.Context, req ClaimRequest) error {
	r := t.claim
	if err := req.Sale.check(r.Op); err != nil {
		return err
	}
	r.JSON = claimBody(req.Sale)
	_, err := t.engine.Do(ctx, r, nil)
	return err
}

// Cancel sends POST /cancel with the payment id (Modelled) so the program voids the points
// of that payment. The id is checked first (CodeInvalidInput, nothing sent). Idempotency:
// cancelling twice is one cancel (the second is answered DUPLICATE, returned as nil); an
// id the program never claimed is CodeNotClaimed.
func (t *HTTPTransport) Cancel(ctx context.Context, req CancelRequest) error {
	r := t.cancel
	if err := checkID(r.Op, req.PaymentID); err != nil {
		return err
	}
	r.JSON = dodopointwire.Cancel{PaymentID: req.PaymentID}
	_, err := t.engine.Do(ctx, r, nil)
	return err
}

// decodeHTTPAnswer is the engine's Decode hook.
func decodeHTTPAnswer(a *httpx.Answer, _ any) error {
	_, err := decodeAnswer(a.Op, a.Status, a.Body)
	return err
}

// wrapTransportError is the engine's Wrap hook: it turns the engine's own failures into
// the three outcomes (see HTTPTransport).
func wrapTransportError(op string, status int, err error) error {
	switch {
	case httpx.IsTransport(err):
		// Checked before the context: an *http.Client timeout also matches
		// context.DeadlineExceeded, yet it is the program not answering, not the caller.
		if notSent(err) {
			e := newError(op, CodeUnavailable, "assist program not reachable", err)
			e.outcome = apierr.Refused
			return e
		}
		e := newError(op, CodeLost, "no answer from the assist program", opaque(err))
		e.HTTPStatus, e.outcome = status, apierr.Lost
		return e
	case apierr.IsContext(err):
		return err // the caller's context ended: its own error, not an *Error
	case errors.Is(err, httpx.ErrBodyTooLarge):
		e := newError(op, CodeLost, "answer too large", err)
		e.HTTPStatus, e.outcome = status, apierr.Lost
		return e
	}
	// Nothing was sent: a bad path or a body that cannot be encoded.
	return newError(op, CodeInvalidInput, "request not sent", err)
}

// notSent reports whether a transport failure happened while connecting, before anything
// of the request was written: connection refused, no route, unknown host.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// opaque keeps a lost attempt's cause as text only when it matches a context error (an
// *http.Client timeout does): the outcome is lost, and errors.Is(err, context.…) must not
// say the caller's context ended.
func opaque(err error) error {
	if !apierr.IsContext(err) {
		return err
	}
	return opaqueError{msg: err.Error(), timeout: true}
}

type opaqueError struct {
	msg     string
	timeout bool
}

func (o opaqueError) Error() string { return o.msg }
func (o opaqueError) Timeout() bool { return o.timeout }
