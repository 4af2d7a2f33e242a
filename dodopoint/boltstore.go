package dodopoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucket names in the outbox file.
var (
	bucketOps  = []byte("dodopoint.ops")
	bucketMeta = []byte("dodopoint.meta")
	keyFormat  = []byte("format")
)

const fileFormat = "dodopoint-outbox/1"

// BoltOption configures OpenBoltStore.
type BoltOption func(*boltConfig)

type boltConfig struct {
	lockTimeout time.Duration
	noSync      bool
}

// WithLockTimeout sets how long OpenBoltStore waits for the file lock held by another
// outbox before failing with CodeStoreLocked (default 100 ms). It must be > 0: bbolt
// would otherwise wait forever.
func WithLockTimeout(d time.Duration) BoltOption { return func(c *boltConfig) { c.lockTimeout = d } }

// WithNoSync turns fsync off. For tests and benchmarks only: a process that crashes keeps
// what it acknowledged, but a machine that loses power may not.
func WithNoSync() BoltOption { return func(c *boltConfig) { c.noSync = true } }

// BoltStore is the embedded default Store: one bbolt file, one fsync'd transaction per
// Write, guarded by bbolt's file lock so two outboxes never share a file.
type BoltStore struct {
	db   *bolt.DB
	path string
}

// OpenBoltStore opens (creating if needed) the outbox file at path. It fails with an
// *Error naming the file: CodeStoreLocked when another outbox holds it, CodeStoreCorrupt
// when it is not an intact outbox file (damaged, truncated, another program's file).
// It never silently starts empty over an existing file.
func OpenBoltStore(path string, opts ...BoltOption) (*BoltStore, error) {
	const op = "dodopoint.OpenBoltStore"
	cfg := boltConfig{lockTimeout: 100 * time.Millisecond}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.lockTimeout <= 0 {
		return nil, newError(op, CodeInvalidInput, fmt.Sprintf("lock timeout %v is not > 0", cfg.lockTimeout), nil)
	}
	var size int64 = -1
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	db, err := openBolt(path, &bolt.Options{Timeout: cfg.lockTimeout, NoSync: cfg.noSync, NoGrowSync: cfg.noSync})
	if err != nil {
		switch {
		case errors.Is(err, bolt.ErrTimeout):
			return nil, newError(op, CodeStoreLocked, fmt.Sprintf("outbox file %s is open in another outbox", path), err)
		case size >= 0:
			return nil, newError(op, CodeStoreCorrupt, fmt.Sprintf("outbox file %s cannot be opened", path), err)
		}
		return nil, newError(op, CodeStore, fmt.Sprintf("outbox file %s cannot be created", path), err)
	}
	s := &BoltStore{db: db, path: path}
	if err := s.init(size > 0); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// openBolt is bolt.Open with a damaged file's panic or memory fault turned into an error.
func openBolt(path string, o *bolt.Options) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("bbolt: %v", r)
		}
	}()
	return bolt.Open(path, 0o600, o)
}

// init checks an existing file (its size covers every page its meta names, and it is an
// outbox file) or lays out a new one.
func (s *BoltStore) init(existed bool) (err error) {
	const op = "dodopoint.OpenBoltStore"
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard(op, &err)
	fi, err := os.Stat(s.path)
	if err != nil {
		return newError(op, CodeStore, fmt.Sprintf("outbox file %s", s.path), err)
	}
	if err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Size() > fi.Size() {
			return fmt.Errorf("file is %d bytes, its pages need %d: truncated", fi.Size(), tx.Size())
		}
		return nil
	}); err != nil {
		return newError(op, CodeStoreCorrupt, fmt.Sprintf("outbox file %s", s.path), err)
	}
	fresh := false
	if err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			if existed && hasBuckets(tx) {
				return newError(op, CodeStoreCorrupt, fmt.Sprintf("outbox file %s has no format marker", s.path), nil)
			}
			fresh = true
			return nil
		}
		if f := string(meta.Get(keyFormat)); f != fileFormat {
			return newError(op, CodeStoreCorrupt, fmt.Sprintf("outbox file %s has format %q, want %q", s.path, f, fileFormat), nil)
		}
		if tx.Bucket(bucketOps) == nil {
			return newError(op, CodeStoreCorrupt, fmt.Sprintf("outbox file %s lost its operations bucket", s.path), nil)
		}
		return nil
	}); err != nil || !fresh {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { // a new file: lay it out
		m, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if err := m.Put(keyFormat, []byte(fileFormat)); err != nil {
			return err
		}
		_, err = tx.CreateBucketIfNotExists(bucketOps)
		return err
	})
}

func hasBuckets(tx *bolt.Tx) bool {
	found := false
	_ = tx.ForEach(func([]byte, *bolt.Bucket) error { found = true; return nil })
	return found
}

// guard turns a panic or memory fault inside bbolt (which a damaged page can cause) into
// a CodeStoreCorrupt error naming the file.
func (s *BoltStore) guard(op string, err *error) {
	if r := recover(); r != nil {
		*err = newError(op, CodeStoreCorrupt, fmt.Sprintf("outbox file %s is damaged", s.path), fmt.Errorf("%v", r))
	}
}

// Path returns the file's path.
func (s *BoltStore) Path() string { return s.path }

// Load reads every entry in Seq order. A damaged page is CodeStoreCorrupt naming the file.
func (s *BoltStore) Load() (out []Entry, err error) {
	const op = "dodopoint.BoltStore.Load"
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard(op, &err)
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOps)
		if b == nil {
			return newError(op, CodeStoreCorrupt, fmt.Sprintf("outbox file %s lost its operations bucket", s.path), nil)
		}
		return b.ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return newError(op, CodeStoreCorrupt, fmt.Sprintf("outbox file %s has a key of %d bytes", s.path, len(k)), nil)
			}
			out = append(out, Entry{Seq: binary.BigEndian.Uint64(k), Data: append([]byte(nil), v...)})
			return nil
		})
	})
	return out, err
}

// Write applies puts then deletes in one fsync'd bbolt transaction.
func (s *BoltStore) Write(puts []Entry, deletes []uint64) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOps)
		for _, e := range puts { // bbolt keeps key and value until the commit: fresh slices
			if err := b.Put(binary.BigEndian.AppendUint64(nil, e.Seq), e.Data); err != nil {
				return err
			}
		}
		for _, seq := range deletes {
			if err := b.Delete(binary.BigEndian.AppendUint64(nil, seq)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return newError("dodopoint.BoltStore.Write", CodeStore, fmt.Sprintf("outbox file %s", s.path), err)
	}
	return nil
}

// Close closes the file and releases its lock.
func (s *BoltStore) Close() error { return s.db.Close() }
