package pointpay

import (
	"context"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/pointpaywire"
)

// DiffKind says how the receiver's records and Cafe24's mileage disagree about one
// conversion.
type DiffKind uint8

// Kinds of Difference.
const (
	// CreditedNotRecorded: Cafe24 holds a credit for the order number that the store does
	// not record as credited — no record at all (a forged or foreign credit, a lost store),
	// or a record still "crediting" or "failed" (a crash between the credit and its record;
	// a resend will find the credit and finish the record).
	CreditedNotRecorded DiffKind = iota + 1
	// RecordedNotCredited: the store records the conversion but Cafe24 holds no credit for
	// it — Record.State "credited" means mileage is missing; "failed" or "crediting" means
	// the credit is still to be done (PointPay's resend, or a person, finishes it).
	RecordedNotCredited
	// AmountDiffers: both hold the conversion, with other points: Cafe24's increases for
	// the order number do not sum to Result.Price (a double or partial credit), or a
	// decrease is not a whole cancel.
	AmountDiffers
)

// String returns "credited-not-recorded", "recorded-not-credited" or "amount-differs".
func (k DiffKind) String() string {
	switch k {
	case CreditedNotRecorded:
		return "credited-not-recorded"
	case RecordedNotCredited:
		return "recorded-not-credited"
	case AmountDiffers:
		return "amount-differs"
	}
	return "unknown"
}

// Difference is one conversion on which the store and Cafe24 disagree.
type Difference struct {
	Kind     DiffKind
	OrderNo  string
	MemberID string
	// Record is the receiver's record; nil when the store has none.
	Record *Record
	// Increased and Decreased are the points Cafe24's records for the order number and
	// member add and take (zero when Cafe24 has none).
	Increased, Decreased decimal.Decimal
}

// Reconciliation is the report of Bridge.Reconcile.
type Reconciliation struct {
	From, To    time.Time    // the KST days reconciled, both included
	Matched     int          // conversions recorded as credited and credited once in Cafe24
	Cancelled   []string     // order numbers credited, then wholly cancelled (Cancel)
	Differences []Difference // in order-number order
}

// OK reports whether the reconciliation found no difference.
func (r *Reconciliation) OK() bool { return len(r.Differences) == 0 }

const reconcileOp = "pointpay.Bridge.Reconcile"

// cafe24Side is what Cafe24's records say about one order number and member.
type cafe24Side struct {
	orderNo, memberID string
	inc, dec          decimal.Decimal
	first             time.Time // the first record's creation
}

// Reconcile compares the receiver's records of conversions registered (rw_reg_datetime)
// on the KST days from to to (both included) with the members' Cafe24 mileage, and
// reports every difference: credited but not recorded, recorded but not credited, amounts
// that differ (see DiffKind). It reads every record of store (Store.All) and Cafe24's
// point records (GET /api/v2/admin/points through ListPoints) from the first day to the
// last day plus the reconcile slack (WithReconcileSlack), since a credit lands after its
// conversion.
//
// A Cafe24 record counts as the bridge's when its reason is the bridge's credit or cancel
// reason, or when its order id and member are a recorded conversion's (the shop's own
// order credits carry other order ids). A Cafe24 credit with no record is reported only
// when it was made within the days reconciled (a later one belongs to the next days).
//
// It reads only; it changes nothing. A failure of the store or of Cafe24 is an *Error
// (CodeStore or CodeCafe24) and no report; a zero or reversed range is CodeInvalidInput.
func (b *Bridge) Reconcile(ctx context.Context, store Store, from, to time.Time) (*Reconciliation, error) {
	if store == nil {
		return nil, invalid(reconcileOp, "store", "nil")
	}
	if from.IsZero() || to.IsZero() {
		return nil, invalid(reconcileOp, "range", "From and To are required")
	}
	from, to = kstDay(from), kstDay(to)
	if to.Before(from) {
		return nil, invalid(reconcileOp, "range", "To is before From")
	}
	end := to.AddDate(0, 0, 1) // the first instant after the range

	recs := map[string]Record{}
	for rec, err := range store.All(ctx) {
		if err != nil {
			return nil, &Error{Op: reconcileOp, Code: CodeStore, Message: "reading the records", Err: err, outcome: apierr.Refused}
		}
		recs[rec.Result.OrderNo] = rec
	}

	sides := map[string]*cafe24Side{}
	q := cafe24.PointsQuery{From: from, To: end.Add(b.cfg.slack - time.Nanosecond)}
	for p, err := range b.points.ListPoints(ctx, q) {
		if err != nil {
			return nil, cafe24Err(reconcileOp, "listing point records", err)
		}
		rec, recorded := recs[p.OrderID]
		recorded = recorded && rec.Result.MemberID == p.MemberID
		if !recorded && p.Reason != b.cfg.creditReason && p.Reason != b.cfg.cancelReason {
			continue
		}
		k := p.OrderID + "\x00" + p.MemberID
		s := sides[k]
		if s == nil {
			s = &cafe24Side{orderNo: p.OrderID, memberID: p.MemberID, first: p.Created}
			sides[k] = s
		}
		s.inc, s.dec = s.inc.Add(p.AvailableIncrease), s.dec.Add(p.AvailableDecrease)
		if p.Created.Before(s.first) {
			s.first = p.Created
		}
	}

	rep := &Reconciliation{From: from, To: to}
	for _, rec := range recs {
		at := rec.Result.RegisteredAt
		if at.Before(from) || !at.Before(end) {
			continue
		}
		k := rec.Result.OrderNo + "\x00" + rec.Result.MemberID
		s := sides[k]
		delete(sides, k)
		if s == nil {
			s = &cafe24Side{}
		}
		price := decimal.NewFromInt(rec.Result.Price)
		d := Difference{OrderNo: rec.Result.OrderNo, MemberID: rec.Result.MemberID, Record: &rec, Increased: s.inc, Decreased: s.dec}
		switch {
		case s.inc.IsZero() && s.dec.IsZero():
			d.Kind = RecordedNotCredited
		case !s.inc.Equal(price) || (!s.dec.IsZero() && !s.dec.Equal(price)):
			d.Kind = AmountDiffers
		case rec.State != StateCredited:
			d.Kind = CreditedNotRecorded
		case s.dec.Equal(price):
			rep.Cancelled = append(rep.Cancelled, rec.Result.OrderNo)
			continue
		default:
			rep.Matched++
			continue
		}
		rep.Differences = append(rep.Differences, d)
	}
	for _, s := range sides {
		rec, ok := recs[s.orderNo]
		switch {
		case ok && rec.Result.MemberID == s.memberID:
			continue // recorded, registered outside the range: reconciled with its own days
		case s.first.Before(from) || !s.first.Before(end):
			continue // made after the range: the next days report it
		}
		rep.Differences = append(rep.Differences, Difference{Kind: CreditedNotRecorded, OrderNo: s.orderNo, MemberID: s.memberID, Increased: s.inc, Decreased: s.dec})
	}
	sort.Slice(rep.Differences, func(i, j int) bool {
		a, b := rep.Differences[i], rep.Differences[j]
		if a.OrderNo != b.OrderNo {
			return a.OrderNo < b.OrderNo
		}
		return a.Kind < b.Kind
	})
	sort.Strings(rep.Cancelled)
	return rep, nil
}

// kstDay returns the start of t's day in KST.
func kstDay(t time.Time) time.Time {
	y, m, d := t.In(pointpaywire.KST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, pointpaywire.KST)
}
