package pointpay

import (
	"context"
	"iter"
	"sort"
	"sync"
	"time"
)

// State is where a recorded conversion stands.
type State uint8

// States of a Record. A record is created in StateCrediting just before the credit
// function is called (one durable write before the credit, one after), then moves to
// StateCredited or StateFailed. A resend of a failed record, or of a crediting record
// whose lease has run out (a crash between credit and record), moves it back to
// StateCrediting with one more attempt. There is no separate "received" state: it would
// cost a second durable write before every credit and tell a resend nothing that
// "crediting" with its lease does not.
const (
	// StateCrediting: the credit function was called (or is running) and its result is
	// not recorded. After a crash, whether the credit happened is unknown: the next
	// attempt passes the same order number as idempotency key.
	StateCrediting State = iota + 1
	// StateCredited: the credit function returned nil. Final.
	StateCredited
	// StateFailed: the credit function returned an error; PointPay's resend tries again.
	StateFailed
)

// String returns "crediting", "credited" or "failed".
func (s State) String() string {
	switch s {
	case StateCrediting:
		return "crediting"
	case StateCredited:
		return "credited"
	case StateFailed:
		return "failed"
	}
	return "unknown"
}

// Record is what a Store keeps per order number.
type Record struct {
	Result    Result    // the conversion as first received (Result.OrderNo is the key)
	State     State     // where it stands
	Attempts  int       // credit attempts started, ≥ 1
	UpdatedAt time.Time // when State last changed (the receiver's clock)
	LastError string    // the last credit failure, bounded to 200 bytes; empty if none
}

// Store keeps one Record per order number. It must be safe for concurrent use, and
// Create and Swap must be atomic (a compare-and-insert and a compare-and-swap), so that
// replicas of a receiver sharing one store never both start the same credit. MemoryStore
// and BoltStore implement it; a PostgreSQL store comes with the stores issue.
type Store interface {
	// Create inserts rec if no record has its order number and reports created=true;
	// otherwise it changes nothing and returns the stored record with created=false.
	Create(ctx context.Context, rec Record) (stored Record, created bool, err error)
	// Swap replaces the record of next.Result.OrderNo with next if the stored one still
	// has prev's State and Attempts, and reports whether it did.
	Swap(ctx context.Context, prev, next Record) (bool, error)
	// Get returns the record of orderNo and whether there is one.
	Get(ctx context.Context, orderNo string) (Record, bool, error)
	// All yields every record in order-number order (for reconciliation). Records
	// written during the iteration may or may not be seen.
	All(ctx context.Context) iter.Seq2[Record, error]
}

// MemoryStore is a Store in memory: fast, lost with the process. Use it in tests, or for
// a receiver whose credit function is itself keyed by order number (then a restart costs
// a second, harmless, keyed credit call per resend). The zero value is not usable; call
// NewMemoryStore.
type MemoryStore struct {
	mu   sync.Mutex
	recs map[string]Record
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{recs: make(map[string]Record)} }

// Create implements Store.
func (m *MemoryStore) Create(ctx context.Context, rec Record) (Record, bool, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.recs[rec.Result.OrderNo]; ok {
		return cur, false, nil
	}
	m.recs[rec.Result.OrderNo] = rec
	return rec, true, nil
}

// Swap implements Store.
func (m *MemoryStore) Swap(ctx context.Context, prev, next Record) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.recs[next.Result.OrderNo]
	if !ok || cur.State != prev.State || cur.Attempts != prev.Attempts {
		return false, nil
	}
	m.recs[next.Result.OrderNo] = next
	return true, nil
}

// Get implements Store.
func (m *MemoryStore) Get(ctx context.Context, orderNo string) (Record, bool, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[orderNo]
	return r, ok, nil
}

// Len returns the number of records.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.recs)
}

// All implements Store: a snapshot taken when the iteration starts.
func (m *MemoryStore) All(ctx context.Context) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		m.mu.Lock()
		recs := make([]Record, 0, len(m.recs))
		for _, r := range m.recs {
			recs = append(recs, r)
		}
		m.mu.Unlock()
		sort.Slice(recs, func(i, j int) bool { return recs[i].Result.OrderNo < recs[j].Result.OrderNo })
		for _, r := range recs {
			if err := ctx.Err(); err != nil {
				yield(Record{}, err)
				return
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}
