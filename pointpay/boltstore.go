package pointpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"time"

	"github.com/poskit/poskit/internal/pointpaywire"
	bolt "go.etcd.io/bbolt"
)

// BoltStore is the embedded durable Store: one bbolt file, every change committed with
// fsync before the call returns, so a receiver restarted on the same file keeps its
// records (including a "crediting" record left by a crash). bbolt locks the file: one
// process opens it at a time. For several replicas, use a shared store (PostgreSQL,
// with the stores issue).
type BoltStore struct {
	db *bolt.DB
}

var _ Store = (*BoltStore)(nil)

// BoltOption configures OpenBoltStore.
type BoltOption func(*boltConfig)

type boltConfig struct {
	lockTimeout time.Duration
	noSync      bool
}

// WithLockTimeout bounds how long OpenBoltStore waits for another process to release the
// file (default 1 s); then it fails with CodeStore. OpenBoltStore refuses d ≤ 0 (bbolt
// would wait forever).
func WithLockTimeout(d time.Duration) BoltOption {
	return func(c *boltConfig) { c.lockTimeout = d }
}

// WithNoSync skips the fsync of each change: a process that crashes keeps its records
// (they are in the OS's cache), a machine that loses power may not. For tests and
// benchmarks of the code path; never in production.
func WithNoSync() BoltOption { return func(c *boltConfig) { c.noSync = true } }

var boltBucket = []byte("pointpay.conversions.v1")

const boltOp = "pointpay.OpenBoltStore"

// OpenBoltStore opens (creating if needed) the bbolt file at path. Close it when done.
// Failures are *Error with CodeStore (CodeInvalidInput for an empty path or a
// non-positive lock timeout).
func OpenBoltStore(path string, opts ...BoltOption) (*BoltStore, error) {
	c := boltConfig{lockTimeout: time.Second}
	for _, o := range opts {
		o(&c)
	}
	if path == "" {
		return nil, invalid(boltOp, "path", "empty")
	}
	if c.lockTimeout <= 0 {
		return nil, invalid(boltOp, "lock timeout", "not positive")
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: c.lockTimeout, NoSync: c.noSync})
	if err != nil {
		return nil, &Error{Op: boltOp, Code: CodeStore, Message: "cannot open the store file", Err: err}
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(boltBucket)
		return err
	}); err != nil {
		_ = db.Close()
		return nil, &Error{Op: boltOp, Code: CodeStore, Message: "cannot prepare the store file", Err: err}
	}
	return &BoltStore{db: db}, nil
}

// Close releases the file.
func (s *BoltStore) Close() error { return s.db.Close() }

// Path returns the file's path.
func (s *BoltStore) Path() string { return s.db.Path() }

// boltRecord is the file format of a Record (JSON, versioned by the bucket name).
type boltRecord struct {
	PayType   string    `json:"pay_type,omitempty"`
	MemberID  string    `json:"member_id"`
	Price     int64     `json:"price"`
	RegAt     time.Time `json:"registered_at"`
	MediaCode string    `json:"media_code"`
	OrderNo   string    `json:"orderno"`
	UTCCode   string    `json:"utc_code,omitempty"`
	AddParam  string    `json:"add_param,omitempty"`
	State     State     `json:"state"`
	Attempts  int       `json:"attempts"`
	UpdatedAt time.Time `json:"updated_at"`
	LastError string    `json:"last_error,omitempty"`
}

func encodeRecord(r Record) ([]byte, error) {
	return json.Marshal(boltRecord{
		PayType: string(r.Result.PayType), MemberID: r.Result.MemberID, Price: r.Result.Price,
		RegAt: r.Result.RegisteredAt, MediaCode: r.Result.MediaCode, OrderNo: r.Result.OrderNo,
		UTCCode: r.Result.UTCCode, AddParam: r.Result.AddParam,
		State: r.State, Attempts: r.Attempts, UpdatedAt: r.UpdatedAt, LastError: r.LastError,
	})
}

func decodeRecord(b []byte) (Record, error) {
	var w boltRecord
	if err := json.Unmarshal(b, &w); err != nil {
		return Record{}, err
	}
	if w.State < StateCrediting || w.State > StateFailed || w.OrderNo == "" {
		return Record{}, errors.New("pointpay: corrupt record")
	}
	return Record{
		Result: Result{
			PayType: PayType(w.PayType), MemberID: w.MemberID, Price: w.Price,
			RegisteredAt: w.RegAt.In(pointpaywire.KST), MediaCode: w.MediaCode, OrderNo: w.OrderNo,
			UTCCode: w.UTCCode, AddParam: w.AddParam,
		},
		State: w.State, Attempts: w.Attempts, UpdatedAt: w.UpdatedAt, LastError: w.LastError,
	}, nil
}

// Create implements Store.
func (s *BoltStore) Create(ctx context.Context, rec Record) (stored Record, created bool, err error) {
	if err := ctx.Err(); err != nil {
		return Record{}, false, err
	}
	enc, err := encodeRecord(rec)
	if err != nil {
		return Record{}, false, err
	}
	// A resend finds its record in a read transaction: no write, no fsync.
	if cur, ok, err := s.Get(ctx, rec.Result.OrderNo); err != nil || ok {
		return cur, false, err
	}
	key := []byte(rec.Result.OrderNo)
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(boltBucket)
		if cur := b.Get(key); cur != nil {
			stored, err = decodeRecord(cur)
			return err
		}
		created, stored = true, rec
		return b.Put(key, enc)
	})
	if err != nil {
		return Record{}, false, err
	}
	return stored, created, nil
}

// Swap implements Store.
func (s *BoltStore) Swap(ctx context.Context, prev, next Record) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	enc, err := encodeRecord(next)
	if err != nil {
		return false, err
	}
	key := []byte(next.Result.OrderNo)
	swapped := false
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(boltBucket)
		raw := b.Get(key)
		if raw == nil {
			return nil
		}
		cur, err := decodeRecord(raw)
		if err != nil {
			return err
		}
		if cur.State != prev.State || cur.Attempts != prev.Attempts {
			return nil
		}
		swapped = true
		return b.Put(key, enc)
	})
	return swapped && err == nil, err
}

// Get implements Store.
func (s *BoltStore) Get(ctx context.Context, orderNo string) (rec Record, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return Record{}, false, err
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(boltBucket).Get([]byte(orderNo))
		if raw == nil {
			return nil
		}
		ok = true
		rec, err = decodeRecord(raw)
		return err
	})
	return rec, ok && err == nil, err
}

// boltPage is how many records All reads per read transaction; it yields outside any
// transaction, so the loop body may use the store.
const boltPage = 256

// All implements Store, in pages of 256 records.
func (s *BoltStore) All(ctx context.Context) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		var after []byte
		for {
			if err := ctx.Err(); err != nil {
				yield(Record{}, err)
				return
			}
			page := make([]Record, 0, boltPage)
			err := s.db.View(func(tx *bolt.Tx) error {
				c := tx.Bucket(boltBucket).Cursor()
				k, v := c.First()
				if after != nil {
					k, v = c.Seek(after)
					if k != nil && bytes.Equal(k, after) {
						k, v = c.Next()
					}
				}
				for ; k != nil && len(page) < boltPage; k, v = c.Next() {
					r, err := decodeRecord(v)
					if err != nil {
						return err
					}
					page = append(page, r)
				}
				return nil
			})
			if err != nil {
				yield(Record{}, err)
				return
			}
			for _, r := range page {
				if !yield(r, nil) {
					return
				}
			}
			if len(page) < boltPage {
				return
			}
			after = []byte(page[len(page)-1].Result.OrderNo)
		}
	}
}
