package dodopoint_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/poskit/poskit/dodopoint"
)

func TestBadSalesAreRefusedBeforeQueueing(t *testing.T) {
	ok := sale("OK-1", 3000)
	cases := map[string]func(s *dodopoint.Sale){
		"empty id":         func(s *dodopoint.Sale) { s.PaymentID = "" },
		"id too long":      func(s *dodopoint.Sale) { s.PaymentID = strings.Repeat("A", 65) },
		"id non-printable": func(s *dodopoint.Sale) { s.PaymentID = "A\x07B" },
		"id non-ASCII":     func(s *dodopoint.Sale) { s.PaymentID = "결제1" },
		"id with newline":  func(s *dodopoint.Sale) { s.PaymentID = "A\nB" },
		"zero total":       func(s *dodopoint.Sale) { s.Total, s.Items = 0, nil },
		"negative total":   func(s *dodopoint.Sale) { s.Total, s.Items = -100, nil },
		"no paid-at":       func(s *dodopoint.Sale) { s.PaidAt = time.Time{} },
		"items do not sum": func(s *dodopoint.Sale) { s.Items[0].UnitPrice++ },
		"zero quantity":    func(s *dodopoint.Sale) { s.Items[0].Quantity = 0 },
		"empty item name":  func(s *dodopoint.Sale) { s.Items[0].Name = "" },
		"bad UTF-8 name":   func(s *dodopoint.Sale) { s.Items[0].Name = "\xff" },
		"line overflows": func(s *dodopoint.Sale) {
			s.Items = []dodopoint.Item{{Name: "a", UnitPrice: 1 << 62, Quantity: 4}}
		},
		"sum overflows": func(s *dodopoint.Sale) {
			s.Items = []dodopoint.Item{{Name: "a", UnitPrice: 1<<63 - 1, Quantity: 1}, {Name: "b", UnitPrice: 1<<63 - 1, Quantity: 1}}
		},
	}
	store := dodopoint.NewMemoryStore()
	r := newRig(t, store)
	r.prog.setDown(true)
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			s := ok
			s.Items = append([]dodopoint.Item(nil), ok.Items...)
			mutate(&s)
			if err := s.Validate(); !dodopoint.IsInvalidInput(err) {
				t.Fatalf("Validate: %v", err)
			}
			err := r.ob.Claim(ctxT(t), s)
			if !dodopoint.IsInvalidInput(err) || !dodopoint.IsRefused(err) || dodopoint.IsLost(err) {
				t.Fatalf("Claim: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "dodopoint.Claim: INVALID_INPUT: ") || strings.Count(err.Error(), "dodopoint.Claim") != 1 {
				t.Fatalf("message %q", err.Error())
			}
		})
	}
	if store.Len() != 0 || r.ob.Queued() != 0 {
		t.Fatalf("bad sales were stored: %d entries", store.Len())
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("good sale refused: %v", err)
	}
	for _, id := range []string{"", strings.Repeat("x", 65), "a\x00"} {
		if err := r.ob.Cancel(ctxT(t), id); !dodopoint.IsInvalidInput(err) {
			t.Fatalf("Cancel(%q): %v", id, err)
		}
	}
	if err := dodopoint.ValidatePaymentID(strings.Repeat("~", 64)); err != nil {
		t.Fatalf("64 printable: %v", err)
	}
}

func TestBadOptions(t *testing.T) {
	for name, o := range map[string]dodopoint.Option{
		"max queued 0":    dodopoint.WithMaxQueued(0),
		"retain negative": dodopoint.WithRetainDone(-1),
		"max below init":  dodopoint.WithRetry(dodopoint.RetryPolicy{Initial: time.Minute, Max: time.Second}),
	} {
		if _, err := dodopoint.NewOutbox(newFakeProgram(), dodopoint.NewMemoryStore(), o); !dodopoint.IsInvalidInput(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := dodopoint.NewOutbox(nil, dodopoint.NewMemoryStore()); !dodopoint.IsInvalidInput(err) {
		t.Errorf("nil transport: %v", err)
	}
}

// filledFile makes an outbox file holding n queued claims and returns its path.
func filledFile(t *testing.T, n int) string {
	t.Helper()
	path := boltPath(t)
	prog := newFakeProgram()
	prog.setDown(true)
	ob, err := dodopoint.OpenFile(path, prog, dodopoint.WithRetry(testRetry), dodopoint.WithBoltOptions(dodopoint.WithNoSync()))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids(n, "K") {
		mustClaim(t, ob, sale(id, 1000))
	}
	if err := ob.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// openBroken opens a damaged file and checks the error: typed, names the file, and the
// file is left as it was (never silently replaced by an empty outbox).
func openBroken(t *testing.T, path string, want dodopoint.Code) {
	t.Helper()
	before, _ := os.ReadFile(path)
	prog := newFakeProgram()
	ob, err := dodopoint.OpenFile(path, prog)
	if err == nil {
		_ = ob.Close()
		t.Fatal("a damaged file opened")
	}
	if c, _ := dodopoint.CodeOf(err); c != want || !strings.Contains(err.Error(), path) {
		t.Fatalf("err %v (code %q), want %s naming %s", err, c, want, path)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("opening changed the damaged file")
	}
}

func TestCorruptOutboxFiles(t *testing.T) {
	t.Run("garbage", func(t *testing.T) {
		path := boltPath(t)
		if err := os.WriteFile(path, bytes.Repeat([]byte("not an outbox "), 2000), 0o600); err != nil {
			t.Fatal(err)
		}
		openBroken(t, path, dodopoint.CodeStoreCorrupt)
	})
	t.Run("truncated", func(t *testing.T) {
		path := filledFile(t, 300)
		fi, _ := os.Stat(path)
		if err := os.Truncate(path, fi.Size()/2); err != nil {
			t.Fatal(err)
		}
		openBroken(t, path, dodopoint.CodeStoreCorrupt)
	})
	t.Run("truncated to a few bytes", func(t *testing.T) {
		path := filledFile(t, 3)
		if err := os.Truncate(path, 100); err != nil {
			t.Fatal(err)
		}
		openBroken(t, path, dodopoint.CodeStoreCorrupt)
	})
	t.Run("damaged pages", func(t *testing.T) {
		path := filledFile(t, 300)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		page := os.Getpagesize()
		for i := 2 * page; i < len(b); i++ { // every page but the two meta pages
			b[i] = byte(i*7 + 3)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		openBroken(t, path, dodopoint.CodeStoreCorrupt)
	})
	t.Run("damaged record", func(t *testing.T) {
		path := filledFile(t, 3)
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("dodopoint.ops"))
			k := binary.BigEndian.AppendUint64(nil, 2)
			v := append([]byte(nil), b.Get(k)...)
			v[len(v)/2] ^= 0x55
			return b.Put(k, v)
		})
		_ = db.Close()
		if err != nil {
			t.Fatal(err)
		}
		openBroken(t, path, dodopoint.CodeStoreCorrupt)
	})
	t.Run("another program's bbolt file", func(t *testing.T) {
		path := boltPath(t)
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
		_ = db.Close()
		openBroken(t, path, dodopoint.CodeStoreCorrupt)
	})
	t.Run("memory store with a damaged record", func(t *testing.T) {
		store := dodopoint.NewMemoryStore()
		_ = store.Write([]dodopoint.Entry{{Seq: 1, Data: []byte{1, 1, 1, 0}}}, nil)
		if _, err := dodopoint.NewOutbox(newFakeProgram(), store); !dodopoint.IsCorrupt(err) {
			t.Fatalf("err %v", err)
		}
	})
}

func TestOutboxFileOpenedTwice(t *testing.T) {
	path := boltPath(t)
	prog := newFakeProgram()
	prog.setDown(true)
	first, err := dodopoint.OpenFile(path, prog, dodopoint.WithRetry(testRetry))
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	mustClaim(t, first, sale("T1", 1000))
	_, err = dodopoint.OpenFile(path, prog, dodopoint.WithBoltOptions(dodopoint.WithLockTimeout(20*time.Millisecond)))
	if !dodopoint.IsLocked(err) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second open: %v", err)
	}
	mustClaim(t, first, sale("T2", 1000)) // the first is unharmed
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := dodopoint.OpenFile(path, prog)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	for _, id := range []string{"T1", "T2"} {
		if st := mustStatus(t, again, id); st.Claim != dodopoint.StateQueued {
			t.Fatalf("%s: %+v", id, st)
		}
	}
}

func TestBadLockTimeout(t *testing.T) {
	_, err := dodopoint.OpenBoltStore(boltPath(t), dodopoint.WithLockTimeout(0))
	if !dodopoint.IsInvalidInput(err) {
		t.Fatalf("err %v", err)
	}
}
