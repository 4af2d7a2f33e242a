package smartro

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/httpx"
	"github.com/poskit/poskit/internal/retry"
)

// Clock tells the time and makes timers; mock.Clock is a fake one for tests.
type Clock = clockx.Clock

// Environment selects the agent's host.
type Environment int

// Environments (hosts in wire.go).
const (
	Test Environment = iota // https://tordif.smilebiz.co.kr
	Live                    // https://ordif.smilebiz.co.kr
)

// RetryPolicy says how lookups (the only requests this package repeats) are retried.
// Zero fields take the defaults: 3 retries, 200 ms initial and 5 s maximum pause.
type RetryPolicy struct {
	MaxRetries int // negative: never retry
	Initial    time.Duration
	Max        time.Duration
}

// OccupiedPolicy says how PlaceTableOrder waits out an occupied table: up to MaxRetries
// more attempts, pausing with exponential backoff on the client's clock (a Tracker's: on
// the tracker's). The k-th pause (k = 0, 1, …) is Initial × 1.5^k capped at Max, with ±50%
// jitter, and never longer than Max. Zero fields take the defaults: 5 retries, 1 s, 5 s.
type OccupiedPolicy struct {
	MaxRetries int // negative: never retry
	Initial    time.Duration
	Max        time.Duration
}

// Client calls the Order Agent of one store. It is safe for concurrent use.
type Client struct {
	storeID, serviceID string
	eng                *httpx.Engine
	clock              Clock
	log                *slog.Logger
	occupied           OccupiedPolicy
	noSleep            bool
	catalog            *Catalog
}

type config struct {
	baseURL  string
	hc       *http.Client
	log      *slog.Logger
	clock    Clock
	retry    RetryPolicy
	occupied OccupiedPolicy
	noSleep  bool
	catalog  *Catalog
	maxBody  int64
}

// Option configures a Client.
type Option func(*config)

// WithBaseURL sends requests to u (e.g. a fake's URL) instead of an environment's host.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithEnvironment selects the Test (default) or Live host.
func WithEnvironment(e Environment) Option {
	return func(c *config) {
		if e == Live {
			c.baseURL = HostLive
		} else {
			c.baseURL = HostTest
		}
	}
}

// WithHTTPClient sends with hc, used as given (its timeout and transport). The default is a
// client with a 30 s timeout; http.DefaultClient is never used.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.hc = hc } }

// WithLogger logs each request at Debug (Info on errors, Warn on transport failures);
// STORE_ID and SERVICE_ID are redacted. The default is silent.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithClock sets the clock occupied-table pauses sleep on (and trackers made by
// Client.NewTracker poll on). The default is the wall clock.
func WithClock(clk Clock) Option { return func(c *config) { c.clock = clk } }

// WithRetry sets how lookups are retried.
func WithRetry(p RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithOccupiedRetry sets how PlaceTableOrder waits out an occupied table.
func WithOccupiedRetry(p OccupiedPolicy) Option { return func(c *config) { c.occupied = p } }

// WithCatalog makes NewOrder, AdditionalOrder and PlaceTableOrder (and a Tracker's, which
// call them) check every order against cat before any request: table known, items known
// and active, add-ons offered, prices the catalog's (see Catalog.Validate). A failed check
// is *Error with CodeUnknownTable, CodeUnknownItem, CodeInactiveItem, CodeUnknownAddOn or
// CodePriceMismatch and the method's Op, and nothing is sent. The catalog refreshes as
// Catalog.Get says (its own lookups); a catalog made with NewCatalog(nil, …) reads from
// this client. When no copy can be had (no copy yet and its refresh fails) the order is
// sent unchecked: the agent judges it. Without WithCatalog the agent is the only judge.
func WithCatalog(cat *Catalog) Option { return func(c *config) { c.catalog = cat } }

// WithMaxBodyBytes bounds the size of an answer's body (default 4 MiB); a larger answer is
// *Error with CodeBadAnswer (lost: the request may have acted).
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithoutRetrySleep makes every retry pause zero (for tests).
func WithoutRetrySleep() Option { return func(c *config) { c.noSleep = true } }

// NewClient returns a client of the store storeID under the partner service serviceID
// (both issued by Smartro). Missing ids or a bad base URL give *Error with CodeInvalidInput.
func NewClient(storeID, serviceID string, opts ...Option) (*Client, error) {
	const op = "smartro.NewClient"
	if err := checkID(op, "store id", storeID); err != nil {
		return nil, err
	}
	if err := checkID(op, "service id", serviceID); err != nil {
		return nil, err
	}
	cfg := config{baseURL: HostTest}
	for _, o := range opts {
		o(&cfg)
	}
	eng, err := httpx.New(httpx.Config{
		BaseURL:      cfg.baseURL,
		HTTPClient:   cfg.hc,
		Logger:       cfg.log,
		MaxBodyBytes: cfg.maxBody,
		Retry: retry.Policy{
			MaxRetries: cfg.retry.MaxRetries,
			Initial:    cfg.retry.Initial,
			Max:        cfg.retry.Max,
			NoSleep:    cfg.noSleep,
		},
		Secrets:   []string{storeID, serviceID},
		UserAgent: "poskit-smartro",
		Decode: func(a *httpx.Answer, out any) error {
			return decodeAnswer(a.Op, a.Status, a.Body, out)
		},
		Wrap: wrapEngineError,
	})
	if err != nil {
		return nil, &Error{Op: op, Code: CodeInvalidInput, Message: err.Error()}
	}
	c := &Client{
		storeID: storeID, serviceID: serviceID, eng: eng,
		clock: clockx.Or(cfg.clock), log: cfg.log, occupied: cfg.occupied, noSleep: cfg.noSleep,
		catalog: cfg.catalog,
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

func wrapEngineError(op string, status int, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	code := CodeTransport
	switch {
	case errors.Is(err, httpx.ErrBodyTooLarge):
		code = CodeBadAnswer
	case errors.Is(err, httpx.ErrBadPath):
		code = CodeInvalidInput
	case !httpx.IsTransport(err) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded):
		code = CodeInvalidInput // could not build the request: nothing was sent
	}
	return &Error{Op: op, HTTPStatus: status, Code: code, Message: err.Error(), err: err}
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

func (c *Client) store() WireStoreRequest {
	return WireStoreRequest{StoreID: c.storeID, ServiceID: c.serviceID}
}

func (c *Client) post(ctx context.Context, op, path string, body, out any, idempotent bool) error {
	_, err := c.eng.Do(ctx, httpx.Request{Op: op, Method: http.MethodPost, Path: path, JSON: body, Idempotent: idempotent}, out)
	return err
}

// Tables returns the store's tables (POST /partner/v1/table). It is a lookup: retried on
// transport errors and 5xx.
func (c *Client) Tables(ctx context.Context) ([]Table, error) {
	var ans WireTablesAnswer
	if err := c.post(ctx, "smartro.Tables", PathTables, c.store(), &ans, true); err != nil {
		return nil, err
	}
	out := make([]Table, 0, len(ans.TableList))
	for _, t := range ans.TableList {
		out = append(out, tableFromWire(t))
	}
	return out, nil
}

// MenuChanged asks whether the menu changed since the given time (POST
// /partner/v1/menu/state, UPDATE_CHECK_DTIME in Korea time) and returns the agent's
// last-update time (UPDATE_DTIME; zero when absent). A zero since asks about all time
// (MenuCheckAllTime).
// It is a lookup: retried.
func (c *Client) MenuChanged(ctx context.Context, since time.Time) (bool, time.Time, error) {
	check := MenuCheckAllTime
	if !since.IsZero() {
		check = since.In(kst).Format(DateTimeLayout)
	}
	req := WireMenuStateRequest{StoreID: c.storeID, ServiceID: c.serviceID, CheckTime: check}
	var ans WireMenuStateAnswer
	if err := c.post(ctx, "smartro.MenuChanged", PathMenuState, req, &ans, true); err != nil {
		return false, time.Time{}, err
	}
	var at time.Time
	if t, err := time.ParseInLocation(DateTimeLayout, ans.UpdateTime, kst); err == nil {
		at = t
	}
	return ans.Updated == FlagYes, at, nil
}

// Menu returns the full menu with add-ons (POST /partner/v1/menu/edit). It is a lookup:
// retried. Catalog caches it.
func (c *Client) Menu(ctx context.Context) (*Menu, error) {
	var ans WireMenuAnswer
	if err := c.post(ctx, "smartro.Menu", PathMenu, c.store(), &ans, true); err != nil {
		return nil, err
	}
	return menuFromWire(ans), nil
}

// NewOrder sends a new order for a table (POST /partner/v1/table/order/new): a prepaid
// order with its payments, or the first postpaid order of a free table. The order is
// checked first (see Order, and WithCatalog); a failed check sends nothing.
//
// Idempotency: MCHT_ORDERNO (o.MerchantOrderNo) is the order's key. The answer is only step
// 1 (accepted by the agent's server); delivery to the POS is seen by polling — use a
// Tracker. The request is sent exactly once, never retried: when the answer is lost
// (IsLost(err)), the order may or may not exist — resolve it with Tracker.Track, which
// looks for its MCHT_ORDERNO in the live-order lookup; never resend it. Only once the
// tracker reports Expired (60 s without delivery) or the agent refused it (IsRefused) may
// the same basket be ordered again.
func (c *Client) NewOrder(ctx context.Context, o *Order) (*OrderAck, error) {
	const op = "smartro.NewOrder"
	if err := o.validate(op, false); err != nil {
		return nil, err
	}
	if err := c.checkCatalog(ctx, op, o); err != nil {
		return nil, err
	}
	var ans WireOrderAnswer
	if err := c.post(ctx, op, PathOrderNew, o.toWire(c.storeID, c.serviceID, ""), &ans, false); err != nil {
		return nil, err
	}
	return ackOrDefault(&ans, o, ""), nil
}

// AdditionalOrder adds a postpaid order to the table's open order orgOrderNo (POST
// /partner/v1/table/order/add), allowed only while that order is received or done
// (SMRO000068/069). The order is checked first (and against the catalog, WithCatalog);
// prepaid orders are refused (they go as one new order).
//
// Idempotency: as NewOrder — MCHT_ORDERNO is the key, the request is sent exactly once,
// and a lost answer is resolved by Tracker.Track (lookup of MCHT_ORDERNO), never by
// resending.
func (c *Client) AdditionalOrder(ctx context.Context, orgOrderNo string, o *Order) (*OrderAck, error) {
	const op = "smartro.AdditionalOrder"
	if err := checkID(op, "original order number", orgOrderNo); err != nil {
		return nil, err
	}
	if err := o.validate(op, true); err != nil {
		return nil, err
	}
	if err := c.checkCatalog(ctx, op, o); err != nil {
		return nil, err
	}
	var ans WireOrderAnswer
	if err := c.post(ctx, op, PathOrderAdd, o.toWire(c.storeID, c.serviceID, orgOrderNo), &ans, false); err != nil {
		return nil, err
	}
	return ackOrDefault(&ans, o, orgOrderNo), nil
}

func ackOrDefault(ans *WireOrderAnswer, o *Order, org string) *OrderAck {
	a := ackFromWire(ans)
	if a.MerchantOrderNo == "" {
		a.MerchantOrderNo = o.MerchantOrderNo
	}
	if a.OrgOrderNo == "" {
		a.OrgOrderNo = org
		if org == "" {
			a.OrgOrderNo = a.OrderNo
		}
	}
	return a
}

// TableOrders returns the live orders of one table, the latest TableLookupLimit (10) (POST
// /partner/v1/table/order). Pending and failed orders appear only within 60 s of being
// received. A list of TableLookupLimit entries may have left older orders out. It is a
// lookup: retried.
func (c *Client) TableOrders(ctx context.Context, floorCode, tableCode string) ([]LiveOrder, error) {
	const op = "smartro.TableOrders"
	if floorCode == "" || tableCode == "" {
		return nil, invalid(op, "floor and table codes are required")
	}
	req := WireTableOrdersRequest{StoreID: c.storeID, ServiceID: c.serviceID, FloorCode: floorCode, TableCode: tableCode}
	var ans WireOrderList
	if err := c.post(ctx, op, PathTableOrders, req, &ans, true); err != nil {
		return nil, err
	}
	out := liveOrdersFromWire(&ans)
	for i := range out { // the lookup is per table; fill the table if the answer omits it
		if out[i].Table.FloorCode == "" && out[i].Table.TableCode == "" {
			out[i].Table = TableRef{FloorCode: floorCode, TableCode: tableCode}
		}
	}
	return out, nil
}

// StoreOrders returns the live orders of every table of the store (POST
// /partner/v2/table/order; observed: up to StoreLookupLimit (5) per table). It is a lookup:
// retried.
func (c *Client) StoreOrders(ctx context.Context) ([]LiveOrder, error) {
	var ans WireOrderList
	if err := c.post(ctx, "smartro.StoreOrders", PathStoreOrders, c.store(), &ans, true); err != nil {
		return nil, err
	}
	return liveOrdersFromWire(&ans), nil
}

// ReturnOrder asks the POS to return (refund) the table order orgOrderNo with the given
// payments (POST /partner/v1/table/order/cancel); they are sent with CAN_FLAG=Y. The guide
// says cancel and refund normally happen on the POS; this is the partner-side request.
//
// Idempotency: the request is keyed by ORG_ORDERNO and sent exactly once. When the answer
// is lost, look the order up (TableOrders: status SMRO000071 means returned) before
// sending it again.
func (c *Client) ReturnOrder(ctx context.Context, orgOrderNo string, pays []Payment) error {
	const op = "smartro.ReturnOrder"
	if err := checkID(op, "original order number", orgOrderNo); err != nil {
		return err
	}
	req := WireCancelRequest{StoreID: c.storeID, ServiceID: c.serviceID, OrgOrderNo: orgOrderNo, Pays: make([]WirePay, len(pays))}
	for i, p := range pays {
		if p.Amount < 0 || p.Amount > MaxAmount {
			return invalid(op, "payment %d amount out of range", i+1)
		}
		p.Cancelled = true
		req.Pays[i] = paymentToWire(p)
	}
	return c.post(ctx, op, PathOrderCancel, req, nil, false)
}
