package pointpay

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/pointpaywire"
)

func storeKinds(t *testing.T) map[string]func() Store {
	return map[string]func() Store{
		"memory": func() Store { return NewMemoryStore() },
		"bolt": func() Store {
			s, err := OpenBoltStore(filepath.Join(t.TempDir(), "pp.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	}
}

func TestStoreContract(t *testing.T) {
	ctx := context.Background()
	for name, open := range storeKinds(t) {
		t.Run(name, func(t *testing.T) {
			s := open()
			at := time.Date(2026, 1, 2, 3, 4, 5, 0, pointpaywire.KST)
			rec := Record{Result: sampleResult("B", 10), State: StateCrediting, Attempts: 1, UpdatedAt: at}
			got, created, err := s.Create(ctx, rec)
			if err != nil || !created || got.Result.OrderNo != "B" {
				t.Fatalf("create: %+v %v %v", got, created, err)
			}
			other := rec
			other.Result.Price = 99
			got, created, err = s.Create(ctx, other)
			if err != nil || created || got.Result.Price != 10 {
				t.Fatalf("second create changed the record: %+v %v %v", got, created, err)
			}
			done := rec
			done.State = StateCredited
			if ok, err := s.Swap(ctx, rec, done); !ok || err != nil {
				t.Fatalf("swap: %v %v", ok, err)
			}
			if ok, err := s.Swap(ctx, rec, done); ok || err != nil {
				t.Fatalf("stale swap applied: %v %v", ok, err)
			}
			missing := done
			missing.Result.OrderNo = "nope"
			if ok, err := s.Swap(ctx, rec, missing); ok || err != nil {
				t.Fatalf("swap of a missing record: %v %v", ok, err)
			}
			r, ok, err := s.Get(ctx, "B")
			if err != nil || !ok || r.State != StateCredited || !r.UpdatedAt.Equal(at) || !r.Result.RegisteredAt.Equal(rec.Result.RegisteredAt) || r.Result.MemberID != "member01" {
				t.Fatalf("get: %+v %v %v", r, ok, err)
			}
			if _, ok, _ := s.Get(ctx, "nope"); ok {
				t.Fatal("found a missing record")
			}
			if _, _, err := s.Create(ctx, Record{Result: sampleResult("A", 1), State: StateFailed, Attempts: 1}); err != nil {
				t.Fatal(err)
			}
			var order []string
			for r, err := range s.All(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				order = append(order, r.Result.OrderNo+":"+r.State.String())
			}
			if fmt.Sprint(order) != "[A:failed B:credited]" {
				t.Fatalf("All = %v", order)
			}
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, _, err := s.Create(cctx, rec); err == nil {
				t.Fatal("canceled create succeeded")
			}
		})
	}
}

func TestBoltStoreAllPages(t *testing.T) {
	s, err := OpenBoltStore(filepath.Join(t.TempDir(), "pp.db"), WithNoSync())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 2*boltPage + 3
	for i := range n {
		if _, _, err := s.Create(context.Background(), Record{Result: sampleResult(fmt.Sprintf("%05d", i), 1), State: StateCredited, Attempts: 1}); err != nil {
			t.Fatal(err)
		}
	}
	i := 0
	for r, err := range s.All(context.Background()) {
		if err != nil || r.Result.OrderNo != fmt.Sprintf("%05d", i) {
			t.Fatalf("record %d: %+v %v", i, r.Result.OrderNo, err)
		}
		i++
		if i == n-1 {
			break
		}
	}
	if i != n-1 {
		t.Fatalf("saw %d records", i)
	}
}

func TestBoltStoreRestartedReceiverKeepsRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pp.db")
	l := newLedger()
	s, err := OpenBoltStore(path)
	if err != nil {
		t.Fatal(err)
	}
	rv, _ := newTestReceiver(t, s, l)
	form := sampleResult("PP-20", 1200).Form()
	if _, body := post(t, rv, form); body != "201" {
		t.Fatal(body)
	}
	if _, err := OpenBoltStore(path, WithLockTimeout(10*time.Millisecond)); err == nil {
		t.Fatal("a second opener got the locked file")
	} else if c, _ := CodeOf(err); c != CodeStore {
		t.Fatalf("lock failure: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenBoltStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	rv2, _ := newTestReceiver(t, s2, l)
	if _, body := post(t, rv2, form); body != "202|-|duplicate rw_orderno" || l.callsOf("PP-20") != 1 {
		t.Fatalf("after restart: %q, %d calls", body, l.callsOf("PP-20"))
	}
	if _, err := OpenBoltStore(""); !IsInvalidInput(err) {
		t.Fatalf("empty path: %v", err)
	}
	if _, err := OpenBoltStore(path, WithLockTimeout(0)); !IsInvalidInput(err) {
		t.Fatalf("zero lock timeout: %v", err)
	}
}
