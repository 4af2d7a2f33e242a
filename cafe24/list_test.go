package cafe24_test

import (
	"context"
	"testing"
	"time"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/mock/cafe24mock"
)

func TestListPointsPastTheOffsetLimit(t *testing.T) {
	srv, c := fake(t, cafe24mock.WithBucket(0, 0))
	start := time.Date(2025, 12, 1, 0, 0, 0, 0, cafe24.KST)
	const n = 20000
	srv.AddRecords("member2", "seed", n, start, 2*time.Minute) // about 28 days, 720 a day
	seen := make(map[string]bool, n)
	q := cafe24.PointsQuery{From: start, To: start.AddDate(0, 1, 0), MemberID: "member2"}
	for r, err := range c.ListPoints(context.Background(), q) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[r.OrderID] {
			t.Fatalf("%s listed twice", r.OrderID)
		}
		seen[r.OrderID] = true
	}
	if len(seen) != n {
		t.Fatalf("listed %d of %d records", len(seen), n)
	}
	t.Logf("%d records in %d requests", n, srv.Recorder().Count("ListPoints"))
}

func TestListPointsStopsEarly(t *testing.T) {
	srv, c := fake(t, cafe24mock.WithBucket(0, 0))
	start := time.Date(2025, 12, 1, 0, 0, 0, 0, cafe24.KST)
	srv.AddRecords("member2", "seed", 500, start, time.Minute)
	i := 0
	for _, err := range c.ListPoints(context.Background(), cafe24.PointsQuery{From: start, To: start, PageSize: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		if i++; i == 15 {
			break
		}
	}
	if n := srv.Recorder().Count("ListPoints"); n != 2 {
		t.Fatalf("%d requests for 15 records of pages of 10, want 2", n)
	}
}

func TestListPointsOneDayTooMany(t *testing.T) {
	srv, c := fake(t, cafe24mock.WithBucket(0, 0))
	day := time.Date(2025, 12, 1, 0, 0, 0, 0, cafe24.KST)
	srv.AddRecords("member2", "seed", 8200, day, time.Second)
	n := 0
	var last error
	for _, err := range c.ListPoints(context.Background(), cafe24.PointsQuery{From: day, To: day}) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if n != 8100 || cafe24.CodeOf(last) != cafe24.CodeListTruncated {
		t.Fatalf("%d records then %v; want 8100 then %s", n, last, cafe24.CodeListTruncated)
	}
}

func TestListPointsBadQuery(t *testing.T) {
	srv, c := fake(t)
	now := srv.Clock().Now()
	for _, q := range []cafe24.PointsQuery{
		{},
		{From: now, To: now.AddDate(0, 0, -1)},
		{From: now, To: now, PageSize: 101},
		{From: now, To: now, MemberID: " x"},
	} {
		for _, err := range c.ListPoints(context.Background(), q) {
			if !cafe24.IsInvalidInput(err) {
				t.Errorf("%+v: %v", q, err)
			}
		}
	}
	if n := srv.Recorder().Count("ListPoints"); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

func TestListPointsFilters(t *testing.T) {
	srv, c := fake(t)
	ctx := context.Background()
	for _, o := range []string{"a", "b", "a"} {
		if _, err := c.AdjustPoints(ctx, credit("order-"+o, "2")); err != nil {
			t.Fatal(err)
		}
	}
	now := srv.Clock().Now()
	var got []cafe24.PointRecord
	for r, err := range c.ListPoints(ctx, cafe24.PointsQuery{From: now, To: now, OrderID: "order-a"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != 2 || got[0].OrderID != "order-a" || !got[1].AvailableTotal.Equal(dec("106")) ||
		!got[0].AvailableIncrease.Equal(dec("2")) || got[0].Created.IsZero() {
		t.Fatalf("filtered list %+v", got)
	}
}
