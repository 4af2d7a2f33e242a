package smartro

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/httpx"
	"github.com/poskit/poskit/internal/redact"
	wire "github.com/poskit/poskit/internal/smartrowire"
)

// Client calls the Order Agent of one store. It is safe for concurrent use.
type Client struct {
	storeID, serviceID string
	eng                *httpx.Engine
	red                *redact.Redactor
	clock              Clock
	log                *slog.Logger
	occupied           RetryPolicy
	catalog            *Catalog
}

// NewClient returns a client of the store storeID under the partner service serviceID
// (both issued by Smartro, and treated as credentials: never printed or logged). Missing
// ids, a bad base URL or a bad option give *Error with CodeInvalidInput.
func NewClient(storeID, serviceID string, opts ...Option) (*Client, error) {
	const op = "smartro.NewClient"
	if err := checkID(op, "store id", storeID); err != nil {
		return nil, err
	}
	if err := checkID(op, "service id", serviceID); err != nil {
		return nil, err
	}
	cfg := config{baseURL: wire.HostTest}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.check(op); err != nil {
		return nil, err
	}
	noSleep := RetryPolicy{NoSleep: cfg.noSleep}
	red := redact.New(storeID, serviceID)
	eng, err := httpx.New(httpx.Config{
		BaseURL:      cfg.baseURL,
		HTTPClient:   cfg.hc,
		Logger:       cfg.log,
		MaxBodyBytes: cfg.maxBody,
		Retry:        cfg.retry.Or(noSleep).Or(DefaultRetry),
		Clock:        cfg.clock,
		Secrets:      []string{storeID, serviceID},
		UserAgent:    "poskit-smartro",
		Decode: func(a *httpx.Answer, out any) error {
			return decodeAnswer(red, a.Op, a.Status, a.Body, out)
		},
		Wrap: func(op string, status int, err error) error { return wrapEngineError(red, op, status, err) },
	})
	if err != nil {
		return nil, &Error{Op: op, Code: CodeInvalidInput, Message: err.Error()}
	}
	c := &Client{
		storeID: storeID, serviceID: serviceID, eng: eng, red: red,
		clock: clockx.Or(cfg.clock), log: cfg.log,
		occupied: cfg.occupied.Or(noSleep).Or(DefaultOccupiedRetry),
		catalog:  cfg.catalog,
	}
	if cat := cfg.catalog; cat != nil {
		cat.bind(c)
	}
	return c, nil
}

// checkCatalog checks o against the client's catalog, if any (see WithCatalog); o has
// passed its own checks.
func (c *Client) checkCatalog(ctx context.Context, op string, o *Order) error {
	if c.catalog == nil {
		return nil
	}
	snap, err := c.catalog.Get(ctx)
	if snap == nil {
		if c.log != nil {
			c.log.Warn("smartro: no catalog copy; the order is sent unchecked", "op", op, "error", err)
		}
		return nil
	}
	if err := snap.check(o); err != nil {
		err.Op = op
		return err
	}
	return nil
}

// wrapEngineError turns the engine's own failures into *Error: no complete answer → lost
// (CodeTransport), an oversized answer → lost (CodeBadAnswer), the caller's context ended →
// CodeCanceled (not lost), a request that could not be built → CodeInvalidInput.
func wrapEngineError(red *redact.Redactor, op string, status int, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	err = redactCause(red, err)
	switch {
	case httpx.IsTransport(err):
		return &Error{Op: op, HTTPStatus: status, Code: CodeTransport, Message: "no complete answer; the request may have been applied", Err: err}
	case apierr.IsContext(err):
		return &Error{Op: op, HTTPStatus: status, Code: CodeCanceled, Err: err}
	case errors.Is(err, httpx.ErrBodyTooLarge):
		return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Err: err}
	}
	// httpx.ErrBadPath, or a body that could not be encoded: nothing was sent.
	return &Error{Op: op, HTTPStatus: status, Code: CodeInvalidInput, Err: err}
}

// String describes the client without its store and service ids.
func (c *Client) String() string {
	return fmt.Sprintf("smartro.Client{base: %s, ids: REDACTED}", c.eng.BaseURL())
}

// GoString is String.
func (c *Client) GoString() string { return c.String() }

// LogValue logs the client without its ids.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base", c.eng.BaseURL()), slog.String("ids", "REDACTED"))
}

// Format makes every fmt verb print String.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// Clock returns the client's clock.
func (c *Client) Clock() Clock { return c.clock }

// trackerSettings gives a Tracker on the client its clock, logger and occupied-table policy.
func (c *Client) trackerSettings() (Clock, *slog.Logger, RetryPolicy) {
	return c.clock, c.log, c.occupied
}

func (c *Client) store() wire.StoreRequest {
	return wire.StoreRequest{StoreID: c.storeID, ServiceID: c.serviceID}
}

// post sends body to the endpoint of operation op and decodes OBJ into out (nil: none).
func (c *Client) post(ctx context.Context, op string, body, out any) error {
	req := httpx.NewRequest(wire.Endpoints, wire.Endpoint(op))
	req.JSON = body
	_, err := c.eng.Do(ctx, req, out)
	return err
}
