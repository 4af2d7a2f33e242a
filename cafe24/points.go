package cafe24

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/cafe24wire"
	"github.com/poskit/poskit/internal/httpx"
)

// CodeListTruncated: one day holds more matching point records than the Admin API lets a
// client page through (offset stops at 8000); ListPoints yielded what it could read.
const CodeListTruncated = "poskit.list_truncated"

// PointsQuery selects point records. From and To are calendar days in KST (the time of
// day is ignored), both included, and required.
type PointsQuery struct {
	From, To       time.Time
	MemberID       string // only this member's records
	Email          string // only the member with this e-mail
	OrderID        string // only records carrying this order id
	GroupNo        int    // only this member group (0: any)
	Case           string // Cafe24's case filter, as Cafe24 spells it ("" : any)
	PointsCategory string // Cafe24's points category filter ("" : any)
	// PageSize is the number of records per request, 1–100 (0: 100).
	PageSize int
}

// PointRecord is one points movement of a member.
type PointRecord struct {
	ShopNo              int
	Case                string // Cafe24's case, as received
	MemberID            string
	Email               string
	GroupName           string
	AvailableIncrease   decimal.Decimal
	AvailableDecrease   decimal.Decimal
	AvailableTotal      decimal.Decimal // the member's available points after this record
	UnavailableIncrease decimal.Decimal
	UnavailableDecrease decimal.Decimal
	UnavailableTotal    decimal.Decimal
	OrderID             string // the order id the adjustment was made with
	Reason              string
	Created             time.Time
}

func kstDay(t time.Time) time.Time {
	y, m, d := t.In(KST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, KST)
}

func (q PointsQuery) validate(op string) (PointsQuery, error) {
	if q.From.IsZero() || q.To.IsZero() {
		return q, invalidInput(op, "From and To are required")
	}
	q.From, q.To = kstDay(q.From), kstDay(q.To)
	if q.To.Before(q.From) {
		return q, invalidInput(op, "To is before From")
	}
	if q.PageSize == 0 {
		q.PageSize = cafe24wire.MaxListLimit
	}
	if q.PageSize < 1 || q.PageSize > cafe24wire.MaxListLimit {
		return q, invalidInput(op, "PageSize must be 1–100")
	}
	for _, s := range []string{q.MemberID, q.Email, q.OrderID, q.Case, q.PointsCategory} {
		if s != "" && !trimmed(s, 128) {
			return q, invalidInput(op, "a filter is too long or has spaces or control characters at its ends")
		}
	}
	if q.GroupNo < 0 {
		return q, invalidInput(op, "GroupNo must not be negative")
	}
	return q, nil
}

// ListPoints returns every point record matching q — GET /api/v2/admin/points, paging with
// limit and offset. The Admin API stops offset at 8000, so when a date window holds more
// records than that, ListPoints splits it in halves (down to single days) before reading
// it: any range can be read, with one page in memory at a time. Only a single day with
// more than 8,100 matching records cannot be read whole: its last pair is an *Error with
// CodeListTruncated after the records that could be read.
//
// Each page is a read: it is retried on 429, 5xx and transport failures (WithRetry). The
// iteration stops at the first error, yielded as the pair's error; a zero or reversed date
// range or a bad page size is an *Error with CodeInvalidInput before any request.
func (c *Client) ListPoints(ctx context.Context, q PointsQuery) iter.Seq2[PointRecord, error] {
	return func(yield func(PointRecord, error) bool) {
		q, err := q.validate("cafe24.ListPoints")
		if err != nil {
			yield(PointRecord{}, err)
			return
		}
		type window struct{ from, to time.Time }
		stack := []window{{q.From, q.To}}
		for len(stack) > 0 {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			days := int(w.to.Sub(w.from)/(24*time.Hour)) + 1
			page, err := c.page(ctx, q, w.from, w.to, 0, q.PageSize)
			if err != nil {
				yield(PointRecord{}, err)
				return
			}
			if len(page) == q.PageSize && days > 1 {
				probe, err := c.page(ctx, q, w.from, w.to, cafe24wire.MaxListOffset, 1)
				if err != nil {
					yield(PointRecord{}, err)
					return
				}
				if len(probe) > 0 { // more than offset can reach: halve the window first
					mid := w.from.AddDate(0, 0, days/2)
					stack = append(stack, window{mid, w.to}, window{w.from, mid.AddDate(0, 0, -1)})
					continue
				}
			}
			for offset := 0; ; {
				for _, r := range page {
					if !yield(r, nil) {
						return
					}
				}
				if len(page) < q.PageSize {
					break
				}
				if offset += q.PageSize; offset > cafe24wire.MaxListOffset {
					yield(PointRecord{}, &Error{Op: "cafe24.ListPoints", Code: CodeListTruncated,
						Message: "more records on " + w.from.Format(cafe24wire.DateLayout) + " than offset can reach",
						outcome: apierr.Refused})
					return
				}
				if page, err = c.page(ctx, q, w.from, w.to, offset, q.PageSize); err != nil {
					yield(PointRecord{}, err)
					return
				}
			}
		}
	}
}

// page reads one page of records.
func (c *Client) page(ctx context.Context, q PointsQuery, from, to time.Time, offset, limit int) ([]PointRecord, error) {
	v := url.Values{
		cafe24wire.QueryStartDate: {from.Format(cafe24wire.DateLayout)},
		cafe24wire.QueryEndDate:   {to.Format(cafe24wire.DateLayout)},
		cafe24wire.QueryLimit:     {strconv.Itoa(limit)},
		cafe24wire.QueryOffset:    {strconv.Itoa(offset)},
	}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set(cafe24wire.QueryMemberID, q.MemberID)
	set(cafe24wire.QueryEmail, q.Email)
	set(cafe24wire.QueryOrderID, q.OrderID)
	set(cafe24wire.QueryCase, q.Case)
	set(cafe24wire.QueryPointsCategory, q.PointsCategory)
	if q.GroupNo > 0 {
		v.Set(cafe24wire.QueryGroupNo, strconv.Itoa(q.GroupNo))
	}
	var out []PointRecord
	t := &target{into: func(op string, status int, body []byte) error {
		var w cafe24wire.PointsList
		if err := json.Unmarshal(body, &w); err != nil || w.Points == nil {
			return badAnswer(op, status, "answer is not a points list")
		}
		if len(*w.Points) > limit {
			return badAnswer(op, status, "answer has more records than asked for")
		}
		out = make([]PointRecord, 0, len(*w.Points))
		for _, r := range *w.Points {
			rec, ok := recordOf(r)
			if !ok {
				return badAnswer(op, status, "answer has a record with an unreadable amount or date")
			}
			out = append(out, rec)
		}
		return nil
	}}
	err := c.admin(ctx, cafe24wire.OpListPoints, func(r *httpx.Request) { r.Query = v }, t)
	return out, err
}

func recordOf(r cafe24wire.PointRecord) (PointRecord, bool) {
	ok := true
	dec := func(s string) decimal.Decimal {
		if s == "" {
			return decimal.Zero
		}
		d, err := decimal.NewFromString(s)
		if err != nil || len(s) > 32 {
			ok = false
		}
		return d
	}
	rec := PointRecord{
		ShopNo: r.ShopNo, Case: r.Case, MemberID: r.MemberID, Email: r.Email, GroupName: r.GroupName,
		AvailableIncrease:   dec(r.AvailablePointsIncrease),
		AvailableDecrease:   dec(r.AvailablePointsDecrease),
		AvailableTotal:      dec(r.AvailablePointsTotal),
		UnavailableIncrease: dec(r.UnavailablePointsIncrease),
		UnavailableDecrease: dec(r.UnavailablePointsDecrease),
		UnavailableTotal:    dec(r.UnavailablePointsTotal),
		OrderID:             r.OrderID, Reason: r.Reason,
	}
	if r.CreatedDate != "" {
		t, err := ParseKST(r.CreatedDate)
		if err != nil {
			return rec, false
		}
		rec.Created = t
	}
	return rec, ok
}

// Direction says whether an adjustment adds or takes points.
type Direction int

// Directions of an adjustment.
const (
	Increase Direction = iota + 1 // credit the member
	Decrease                      // debit the member; never past the balance
)

// String returns "increase" or "decrease".
func (d Direction) String() string {
	switch d {
	case Increase:
		return "increase"
	case Decrease:
		return "decrease"
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

func (d Direction) wire() string {
	if d == Decrease {
		return cafe24wire.PointsDecrease
	}
	return cafe24wire.PointsIncrease
}

// Adjustment is one change of a member's points.
type Adjustment struct {
	MemberID  string          // the member's id
	OrderID   string          // the caller's key: Cafe24 stores it with the record (required)
	Amount    decimal.Decimal // > 0, ≤ 1,000,000, at most two decimals
	Direction Direction       // Increase or Decrease
	Reason    string          // shown to the member; at most 255 characters
}

// Validate checks a before anything is sent; a refusal is an *Error with CodeInvalidInput.
func (a Adjustment) Validate() error {
	const op = "cafe24.AdjustPoints"
	switch {
	case !trimmed(a.MemberID, 64):
		return invalidInput(op, "MemberID is empty, too long or has spaces or control characters at its ends")
	case !trimmed(a.OrderID, 64):
		return invalidInput(op, "OrderID is empty, too long or has spaces or control characters at its ends")
	case a.Direction != Increase && a.Direction != Decrease:
		return invalidInput(op, "Direction must be Increase or Decrease")
	case utf8.RuneCountInString(a.Reason) > 255 || !utf8.ValidString(a.Reason):
		return invalidInput(op, "Reason is longer than 255 characters or not UTF-8")
	}
	return ValidateAmount(a.Amount)
}

// Adjusted is the outcome of an adjustment Cafe24 applied.
type Adjusted struct {
	Adjustment
	// Reconciled is true when AdjustPointsOnce found the adjustment already applied (by a
	// request whose answer was lost, or by an earlier run) instead of being answered.
	Reconciled bool
	// CallLimit is the X-Api-Call-Limit of the answer (zero when reconciled).
	CallLimit CallLimit
}

// AdjustPoints increases or decreases a member's points — POST /api/v2/admin/points with
// {"shop_no":1,"request":{member_id, order_id, amount, type, reason}} — after validating a
// (Adjustment.Validate) so that nothing Cafe24 would refuse is sent.
//
// The POST has no idempotency key: a resent request whose first answer was lost credits
// twice. AdjustPoints therefore sends exactly once (a 401 excepted: it was not applied, so
// it refreshes the token and sends once more). The order id is the caller's key: Cafe24
// stores it with the record. When the answer is lost (IsLost: connection dropped, timeout,
// unreadable answer, a 5xx other than 503), never resend blindly: call CheckAdjusted,
// which reads the member's records for that order id and reports applied or not applied,
// and send again only if it was not applied — or let AdjustPointsOnce do all of this. A
// refusal (IsRefused: 4xx such as an overdraw or an unknown member, 429, 503) applied
// nothing.
func (c *Client) AdjustPoints(ctx context.Context, a Adjustment) (*Adjusted, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	body := cafe24wire.PointsPost{ShopNo: 1, Request: cafe24wire.PointsRequest{
		MemberID: a.MemberID, OrderID: a.OrderID, Amount: formatAmount(a.Amount), Type: a.Direction.wire(), Reason: a.Reason,
	}}
	t := &target{into: func(op string, status int, b []byte) error {
		var w cafe24wire.PointAnswer
		if err := json.Unmarshal(b, &w); err != nil || w.Point == nil {
			return badAnswer(op, status, "answer is not a points adjustment")
		}
		return nil
	}}
	if err := c.admin(ctx, cafe24wire.OpAdjustPoints, func(r *httpx.Request) { r.JSON = body }, t); err != nil {
		return nil, err
	}
	return &Adjusted{Adjustment: a, CallLimit: t.limit}, nil
}

// CheckAdjusted reports whether an adjustment with a's member, order id and direction was
// applied, by reading the member's point records for that order id (GET
// /api/v2/admin/points, the last WithCheckWindow days up to tomorrow). It is the answer to
// a lost AdjustPoints: applied means do not send again; not applied means nothing was
// credited and a may be sent again. Check only once the lost request can no longer be
// under way at Cafe24 (AdjustPointsOnce waits WithSettle first). An error means nothing is
// known yet: check again later.
func (c *Client) CheckAdjusted(ctx context.Context, a Adjustment) (bool, error) {
	if err := a.Validate(); err != nil {
		return false, err
	}
	now := c.clock.Now()
	q := PointsQuery{From: now.Add(-c.opt.checkWindow), To: now.Add(24 * time.Hour), MemberID: a.MemberID, OrderID: a.OrderID}
	for r, err := range c.ListPoints(ctx, q) {
		if err != nil {
			return false, err
		}
		if r.OrderID != a.OrderID || r.MemberID != a.MemberID {
			continue
		}
		if (a.Direction == Increase && r.AvailableIncrease.Sign() > 0) ||
			(a.Direction == Decrease && r.AvailableDecrease.Sign() > 0) {
			return true, nil
		}
	}
	return false, nil
}

// AdjustPointsOnce applies a exactly once per order id and direction, also across lost
// answers, refusals that applied nothing (429, 503) and restarts: it first checks whether
// an earlier run already applied it (CheckAdjusted), then sends; after a lost answer it
// waits WithSettle and checks again, sending again only when the check says not applied;
// after a 429 or 503 it pauses (WithRetry) and sends again. Other refusals (invalid input,
// overdraw, unknown member, consent needed) and an ended context are returned at once.
//
// Calls for the same order id are serialised within this client; across processes, let one
// process own an order id at a time (two processes checking together may both send).
// Result.Reconciled says the adjustment was found applied rather than answered. When the
// attempts run out, the last error is returned: if it is lost, nothing is known; call
// AdjustPointsOnce again later.
func (c *Client) AdjustPointsOnce(ctx context.Context, a Adjustment) (*Adjusted, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	unlock, err := c.lockOrder(ctx, a.Direction.String()+"\x00"+a.OrderID)
	if err != nil {
		return nil, c.wrap("cafe24.AdjustPointsOnce", 0, err)
	}
	defer unlock()
	applied, err := c.CheckAdjusted(ctx, a)
	if err != nil {
		return nil, err
	}
	if applied {
		return &Adjusted{Adjustment: a, Reconciled: true}, nil
	}
	var res *Adjusted
	err = c.opt.retry.Or(RetryPolicy{MaxRetries: 3, Initial: 200 * time.Millisecond, Max: 5 * time.Second,
		Multiplier: 2, Jitter: 0.5}).Do(ctx, c.clock, func() (bool, error) {
		r, err := c.AdjustPoints(ctx, a)
		switch {
		case err == nil:
			res = r
			return false, nil
		case IsLost(err):
			if c.opt.settle > 0 && !sleepCtx(ctx, c.clock, c.opt.settle) {
				return false, c.wrap("cafe24.AdjustPointsOnce", 0, ctx.Err())
			}
			applied, cerr := c.CheckAdjusted(ctx, a)
			if cerr != nil {
				return false, err // still unknown: report the loss
			}
			if applied {
				res = &Adjusted{Adjustment: a, Reconciled: true}
				return false, nil
			}
			return true, err
		case IsRateLimited(err), CodeOf(err) == "503", httpStatus(err) == 503:
			return true, err
		}
		return false, err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func httpStatus(err error) int {
	if e, ok := asError(err); ok {
		return e.HTTPStatus
	}
	return 0
}
