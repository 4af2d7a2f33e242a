package pointpay_test

import (
	"context"
	"errors"
	"iter"
	"testing"
	"time"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/pointpay"
)

// record puts a record of r in state st straight into the store.
func record(t *testing.T, s pointpay.Store, r pointpay.Result, st pointpay.State) {
	t.Helper()
	if _, ok, err := s.Create(context.Background(), pointpay.Record{Result: r, State: st, Attempts: 1, UpdatedAt: r.RegisteredAt}); err != nil || !ok {
		t.Fatalf("record %s: %v %v", r.OrderNo, ok, err)
	}
}

// Each kind of difference, matched and cancelled conversions, and what stays out of the
// report (the shop's own credits, records of other days).
func TestReconcileReportsEachDifference(t *testing.T) {
	srv, b := newCafe24(t)
	ctx := context.Background()
	store := pointpay.NewMemoryStore()
	day := srv.Clock().Now()
	credit := func(r pointpay.Result) {
		t.Helper()
		if err := b.Credit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	ok := conversion(srv, "PP-ok", 100) // recorded and credited
	record(t, store, ok, pointpay.StateCredited)
	credit(ok)
	cancelled := conversion(srv, "PP-cancelled", 50) // credited, then cancelled
	record(t, store, cancelled, pointpay.StateCredited)
	credit(cancelled)
	if err := b.Cancel(ctx, cancelled); err != nil {
		t.Fatal(err)
	}
	unrecorded := conversion(srv, "PP-unrecorded", 70) // a credit the store never saw
	credit(unrecorded)
	crashed := conversion(srv, "PP-crashed", 80) // credited, crash before the record
	record(t, store, crashed, pointpay.StateCrediting)
	credit(crashed)
	missing := conversion(srv, "PP-missing", 90) // recorded credited, no mileage
	record(t, store, missing, pointpay.StateCredited)
	pending := conversion(srv, "PP-pending", 95) // failed, not credited yet
	record(t, store, pending, pointpay.StateFailed)
	differs := conversion(srv, "PP-differs", 60) // Cafe24 holds another amount
	record(t, store, differs, pointpay.StateCredited)
	wrong := differs
	wrong.Price = 600
	credit(wrong)
	other := conversion(srv, "PP-other-member", 30) // credited to another member
	record(t, store, other, pointpay.StateCredited)
	srv.AddMember("member02", "", dec("0"))
	moved := other
	moved.MemberID = "member02"
	credit(moved)
	// The shop's own credits (another reason, unknown order ids) are not PointPay's.
	srv.AddRecords("member01", "shop-order", 3, day, time.Minute)
	// Another day's conversion, recorded but not credited: not in this report.
	old := conversion(srv, "PP-old", 10)
	old.RegisteredAt = day.AddDate(0, 0, -3)
	record(t, store, old, pointpay.StateCredited)

	rep, err := b.Reconcile(ctx, store, day, day)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Matched != 1 || len(rep.Cancelled) != 1 || rep.Cancelled[0] != "PP-cancelled" || rep.OK() {
		t.Fatalf("matched %d, cancelled %v, ok %v", rep.Matched, rep.Cancelled, rep.OK())
	}
	type want struct {
		kind     pointpay.DiffKind
		member   string
		recorded bool
		inc      string
	}
	wants := map[string][]want{
		"PP-crashed":      {{pointpay.CreditedNotRecorded, "member01", true, "80"}},
		"PP-differs":      {{pointpay.AmountDiffers, "member01", true, "600"}},
		"PP-missing":      {{pointpay.RecordedNotCredited, "member01", true, "0"}},
		"PP-other-member": {{pointpay.CreditedNotRecorded, "member02", false, "30"}, {pointpay.RecordedNotCredited, "member01", true, "0"}},
		"PP-pending":      {{pointpay.RecordedNotCredited, "member01", true, "0"}},
		"PP-unrecorded":   {{pointpay.CreditedNotRecorded, "member01", false, "70"}},
	}
	got := map[string][]want{}
	for _, d := range rep.Differences {
		got[d.OrderNo] = append(got[d.OrderNo], want{d.Kind, d.MemberID, d.Record != nil, d.Increased.String()})
	}
	if len(got) != len(wants) {
		t.Fatalf("differences %+v", got)
	}
	for o, w := range wants {
		g := got[o]
		if len(g) != len(w) {
			t.Fatalf("%s: %+v, want %+v", o, g, w)
		}
		for i := range w {
			if g[i] != w[i] {
				t.Errorf("%s: %+v, want %+v", o, g[i], w[i])
			}
		}
	}
	for _, d := range rep.Differences {
		if d.OrderNo == "PP-pending" && d.Record.State != pointpay.StateFailed {
			t.Errorf("pending's record state %v", d.Record.State)
		}
	}

	// The day before holds none of it; the old conversion's day reports it.
	rep, err = b.Reconcile(ctx, store, day.AddDate(0, 0, -3), day.AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Differences) != 1 || rep.Differences[0].OrderNo != "PP-old" || rep.Differences[0].Kind != pointpay.RecordedNotCredited {
		t.Fatalf("earlier days: %+v", rep.Differences)
	}
}

// A double credit (two increases for one order number) is an amount that differs.
func TestReconcileFindsADoubleCredit(t *testing.T) {
	srv, b := newCafe24(t)
	ctx := context.Background()
	store := pointpay.NewMemoryStore()
	r := conversion(srv, "PP-twice", 100)
	record(t, store, r, pointpay.StateCredited)
	c := srv.Client()
	for range 2 { // a blind resend, as the bridge never does
		if _, err := c.AdjustPoints(ctx, cafe24.Adjustment{MemberID: "member01", OrderID: "PP-twice", Amount: dec("100"),
			Direction: cafe24.Increase, Reason: pointpay.DefaultCreditReason}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := b.Reconcile(ctx, store, r.RegisteredAt, r.RegisteredAt)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Differences) != 1 || rep.Differences[0].Kind != pointpay.AmountDiffers || !rep.Differences[0].Increased.Equal(dec("200")) {
		t.Fatalf("%+v", rep.Differences)
	}
}

// failingPoints fails its list.
type failingPoints struct{ stubPoints }

func (*failingPoints) ListPoints(context.Context, cafe24.PointsQuery) iter.Seq2[cafe24.PointRecord, error] {
	return func(yield func(cafe24.PointRecord, error) bool) {
		yield(cafe24.PointRecord{}, errors.New("list failed"))
	}
}

func TestReconcileFailures(t *testing.T) {
	b, err := pointpay.NewBridge(&failingPoints{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	if _, err := b.Reconcile(ctx, pointpay.NewMemoryStore(), day, day); !isCode(err, pointpay.CodeCafe24) {
		t.Fatalf("a failed list: %v", err)
	}
	if _, err := b.Reconcile(ctx, pointpay.NewMemoryStore(), day, day.AddDate(0, 0, -1)); !pointpay.IsInvalidInput(err) {
		t.Fatalf("reversed range: %v", err)
	}
	if _, err := b.Reconcile(ctx, nil, day, day); !pointpay.IsInvalidInput(err) {
		t.Fatalf("nil store: %v", err)
	}
	store := pointpay.NewMemoryStore()
	record(t, store, pointpay.Result{MemberID: "m1", Price: 1, OrderNo: "PP-1", RegisteredAt: day}, pointpay.StateCredited)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := b.Reconcile(cctx, store, day, day); !isCode(err, pointpay.CodeStore) || !errors.Is(err, context.Canceled) {
		t.Fatalf("ended context: %v", err)
	}
}
