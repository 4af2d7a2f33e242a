package pointpay

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/clockx"
)

// Cafe24Points is the part of *cafe24.Client the Bridge calls; a test may substitute it.
type Cafe24Points interface {
	// AdjustPointsOnce applies an adjustment exactly once per order id and direction
	// (cafe24.Client.AdjustPointsOnce).
	AdjustPointsOnce(ctx context.Context, a cafe24.Adjustment) (*cafe24.Adjusted, error)
	// ListPoints yields the point records matching q (cafe24.Client.ListPoints).
	ListPoints(ctx context.Context, q cafe24.PointsQuery) iter.Seq2[cafe24.PointRecord, error]
}

var _ Cafe24Points = (*cafe24.Client)(nil)

// Defaults of a Bridge.
const (
	// DefaultCreditReason is the reason of the bridge's Cafe24 increases (shown to the
	// member, and how Reconcile recognises the bridge's records).
	DefaultCreditReason = "PointPay conversion"
	// DefaultCancelReason is the reason of the bridge's Cafe24 decreases (Cancel).
	DefaultCancelReason = "PointPay conversion cancelled"
	// DefaultReconcileSlack is how long after the last day of a reconciliation a credit of
	// one of its conversions may land in Cafe24 (resends, the credit lease).
	DefaultReconcileSlack = 24 * time.Hour
)

// BridgeOption configures NewBridge. Options cannot fail; NewBridge checks the values.
type BridgeOption func(*bridgeConfig)

type bridgeConfig struct {
	creditReason, cancelReason string
	clock                      Clock
	slack                      time.Duration
}

// WithBridgeReasons sets the reasons written with the bridge's increases and decreases
// (defaults DefaultCreditReason and DefaultCancelReason): at most 255 characters each,
// and different from each other.
func WithBridgeReasons(credit, cancel string) BridgeOption {
	return func(c *bridgeConfig) { c.creditReason, c.cancelReason = credit, cancel }
}

// WithBridgeClock sets the clock that dates Cancel's and Reconcile's reads (default the
// wall clock; use the cafe24 client's clock).
func WithBridgeClock(c Clock) BridgeOption { return func(cf *bridgeConfig) { cf.clock = c } }

// WithReconcileSlack sets DefaultReconcileSlack's value.
func WithReconcileSlack(d time.Duration) BridgeOption {
	return func(c *bridgeConfig) { c.slack = d }
}

// Bridge credits PointPay conversions to the members' Cafe24 mileage (적립금): its Credit
// method is the receiver's CreditFunc for a shop on Cafe24. It is safe for concurrent use.
//
// # Idempotency
//
// The key is rw_orderno, used as the Cafe24 adjustment's order_id as it is: Credit is an
// increase of Result.Price points for Result.MemberID with order_id = Result.OrderNo, made
// with cafe24.Client.AdjustPointsOnce. That call first reads the member's records for the
// order id (a key already applied is not applied again and counts as success), sends the
// POST once, and when Cafe24's answer is lost (dropped connection, timeout, 5xx) waits and
// reads the records back before sending again — never a blind resend. So the receiver may
// call Credit again after a failure or a crash (same order number) and the member is
// credited once.
//
// Cancel is the reverse: a decrease of the same points with the same order_id. The key is
// shared and the direction keeps the two apart: cafe24's check looks for an increase for a
// credit and a decrease for a cancel, and AdjustPointsOnce serialises per order id and
// direction. That is safe, and useful: a repeated Cancel finds its decrease and takes
// nothing more; a late PointPay resend of a cancelled conversion finds the increase and
// credits nothing (a cancel is never undone by a resend); and one read of the member's
// records for the order id shows the conversion's whole life, which Reconcile uses.
//
// Limits: Cafe24 takes at most cafe24.MaxPointsAmount points per adjustment and order ids
// of at most 64 characters; a conversion beyond either is refused (CodeInvalidInput) and
// never sent. Across processes, let one process credit an order number at a time (the
// receiver's store and credit lease do).
type Bridge struct {
	points Cafe24Points
	cfg    bridgeConfig
}

const (
	newBridgeOp = "pointpay.NewBridge"
	creditOp    = "pointpay.Bridge.Credit"
	cancelOp    = "pointpay.Bridge.Cancel"
)

// maxOrderIDLen is the longest order id cafe24.Adjustment takes.
const maxOrderIDLen = 64

// NewBridge returns a bridge over points (a *cafe24.Client of the shop's mall). A nil
// points, an empty, too long or shared reason or a non-positive slack is an *Error with
// CodeInvalidInput.
func NewBridge(points Cafe24Points, opts ...BridgeOption) (*Bridge, error) {
	cfg := bridgeConfig{creditReason: DefaultCreditReason, cancelReason: DefaultCancelReason, slack: DefaultReconcileSlack}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case points == nil:
		return nil, invalid(newBridgeOp, "points", "nil")
	case cfg.creditReason == "" || cfg.cancelReason == "":
		return nil, invalid(newBridgeOp, "reason", "empty")
	case cfg.creditReason == cfg.cancelReason:
		return nil, invalid(newBridgeOp, "reason", "credit and cancel reasons are the same")
	case len([]rune(cfg.creditReason)) > 255 || len([]rune(cfg.cancelReason)) > 255:
		return nil, invalid(newBridgeOp, "reason", "longer than 255 characters")
	case cfg.slack <= 0:
		return nil, invalid(newBridgeOp, "reconcile slack", "not positive")
	}
	cfg.clock = clockx.Or(cfg.clock)
	return &Bridge{points: points, cfg: cfg}, nil
}

// Credit credits r.Price points to r.MemberID's Cafe24 mileage, keyed by r.OrderNo — POST
// /api/v2/admin/points (type increase, order_id rw_orderno) through AdjustPointsOnce. It
// has the CreditFunc signature: pass b.Credit to NewReceiver. A credit found already
// applied returns nil. Failures are *Error: CodeInvalidInput (nothing sent), CodeCafe24
// with the cafe24 error as Err — IsLost when the credit may have been applied (the next
// call with the same order number settles it), IsRefused when it was not — or the
// context's error (errors.Is(err, context.Canceled)).
func (b *Bridge) Credit(ctx context.Context, r Result) error {
	a, err := b.adjustment(creditOp, r, cafe24.Increase, b.cfg.creditReason)
	if err != nil {
		return err
	}
	if _, err := b.points.AdjustPointsOnce(ctx, a); err != nil {
		return cafe24Err(creditOp, "rw_orderno "+r.OrderNo, err)
	}
	return nil
}

// Cancel takes back a credited conversion (a manual cancel, as PointPay's guide says):
// it reads the member's Cafe24 records for r.OrderNo (GET /api/v2/admin/points, from the
// day before r.RegisteredAt to tomorrow) and, when the credit is there and not cancelled
// yet, decreases r.Price points with the same order id through AdjustPointsOnce (POST
// /api/v2/admin/points, type decrease). A conversion already cancelled returns nil. A
// conversion whose increase of at least r.Price is not found is an *Error with
// CodeNotCredited, and nothing is taken. A member who has spent the points is refused by
// Cafe24 (no overdraw): CodeCafe24, IsRefused — settle it by hand. Other failures are as
// for Credit.
func (b *Bridge) Cancel(ctx context.Context, r Result) error {
	a, err := b.adjustment(cancelOp, r, cafe24.Decrease, b.cfg.cancelReason)
	if err != nil {
		return err
	}
	now := b.cfg.clock.Now()
	from, to := r.RegisteredAt, now
	if r.RegisteredAt.IsZero() || now.Before(from) {
		from = now
	}
	if to.Before(r.RegisteredAt) {
		to = r.RegisteredAt
	}
	q := cafe24.PointsQuery{From: from.AddDate(0, 0, -1), To: to.AddDate(0, 0, 1), MemberID: r.MemberID, OrderID: r.OrderNo}
	inc, dec := decimal.Zero, decimal.Zero
	for rec, err := range b.points.ListPoints(ctx, q) {
		if err != nil {
			return cafe24Err(cancelOp, "rw_orderno "+r.OrderNo, err)
		}
		if rec.OrderID == r.OrderNo && rec.MemberID == r.MemberID {
			inc, dec = inc.Add(rec.AvailableIncrease), dec.Add(rec.AvailableDecrease)
		}
	}
	if dec.GreaterThanOrEqual(a.Amount) {
		return nil // cancelled already
	}
	if inc.LessThan(a.Amount) {
		return &Error{Op: cancelOp, Code: CodeNotCredited, Message: "rw_orderno " + r.OrderNo + ": no Cafe24 credit to cancel", outcome: apierr.Refused}
	}
	if _, err := b.points.AdjustPointsOnce(ctx, a); err != nil {
		return cafe24Err(cancelOp, "rw_orderno "+r.OrderNo, err)
	}
	return nil
}

// adjustment checks r and turns it into a Cafe24 adjustment keyed by its order number.
func (b *Bridge) adjustment(op string, r Result, d cafe24.Direction, reason string) (cafe24.Adjustment, error) {
	switch {
	case r.OrderNo == "":
		return cafe24.Adjustment{}, invalid(op, "rw_orderno", "missing")
	case len(r.OrderNo) > maxOrderIDLen:
		return cafe24.Adjustment{}, invalid(op, "rw_orderno", "longer than Cafe24's 64-character order_id")
	case r.MemberID == "":
		return cafe24.Adjustment{}, invalid(op, "rw_user_id", "missing")
	case r.Price <= 0:
		return cafe24.Adjustment{}, invalid(op, "rw_price", "not positive")
	case r.Price > cafe24.MaxPointsAmount:
		return cafe24.Adjustment{}, invalid(op, "rw_price", "more than Cafe24's 1000000 points per adjustment")
	}
	a := cafe24.Adjustment{MemberID: r.MemberID, OrderID: r.OrderNo, Amount: decimal.NewFromInt(r.Price), Direction: d, Reason: reason}
	if err := a.Validate(); err != nil {
		return cafe24.Adjustment{}, &Error{Op: op, Code: CodeInvalidInput, Message: "rw_orderno " + r.OrderNo + ": Cafe24 would refuse it", Err: err, outcome: apierr.Refused}
	}
	return a, nil
}

// cafe24Err wraps an error of the cafe24 client, keeping its outcome.
func cafe24Err(op, msg string, err error) error {
	e := &Error{Op: op, Code: CodeCafe24, Message: msg, Err: err}
	switch {
	case apierr.IsContext(err):
		e.outcome = apierr.Canceled
	case cafe24.IsLost(err):
		e.outcome = apierr.Lost
	default:
		e.outcome = apierr.Refused
	}
	var ce *cafe24.Error
	if errors.As(err, &ce) {
		e.HTTPStatus = ce.HTTPStatus
	}
	return e
}
