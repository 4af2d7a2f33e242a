package loyalty

import (
	"context"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/loyaltywire"
)

// CallbackKey names one leg of one payment: the relay sends one result callback per key.
// PaymentID is canonical (CanonicalPaymentID).
type CallbackKey struct {
	PaymentID string
	Leg       Leg
}

// CallbackStore is the duplicate memory of a CallbackHandler: the legs whose result the
// application has already been given. Only authenticated (or relay-confirmed) callbacks
// reach it. The default is NewMemoryCallbackStore; a store shared by several KIOSK
// processes (a database table keyed by payment id and leg) can replace it with
// WithCallbackStore. Implementations must be safe for concurrent use.
type CallbackStore interface {
	// Seen reports whether the application was given key's result.
	Seen(ctx context.Context, key CallbackKey) (bool, error)
	// Remember records that the application was given key's result, with the payment's
	// status in that result.
	Remember(ctx context.Context, key CallbackKey, status PaymentStatus) error
}

// DefaultCallbackRetention is how long NewMemoryCallbackStore keeps a leg once its status
// is final.
const DefaultCallbackRetention = 24 * time.Hour

// forcedClose is when the relay closes an unfinished leg as failed: forcedCloseSecond 300
// (dms-osx packages/relay/config/config.yaml line 92). A leg remembered with a status that
// is not final yet has one by then.
const forcedClose = 300 * time.Second

// MemoryCallbackStore is the in-process CallbackStore. Traffic cannot flush it: it has no
// size bound and evicts nothing early. A leg is kept until its status is final — terminal
// (IsTerminal), or the new leg closed (18/4), or, for the status a callback carries (15,
// 16, …), once the relay's 300 s forced close has passed — and then for the retention, on
// its clock.
type MemoryCallbackStore struct {
	clock     Clock
	retention time.Duration

	mu      sync.Mutex
	entries map[CallbackKey]time.Time // key → when it may be forgotten
	pruneAt int                       // prune expired entries when the map grows past this
}

// NewMemoryCallbackStore returns an empty store on clk (nil: the wall clock) that keeps a
// final leg for retention (≤ 0: DefaultCallbackRetention).
func NewMemoryCallbackStore(clk Clock, retention time.Duration) *MemoryCallbackStore {
	if retention <= 0 {
		retention = DefaultCallbackRetention
	}
	return &MemoryCallbackStore{clock: clockx.Or(clk), retention: retention, entries: make(map[CallbackKey]time.Time), pruneAt: 1024}
}

// Seen implements CallbackStore.
func (m *MemoryCallbackStore) Seen(_ context.Context, key CallbackKey) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	until, ok := m.entries[key]
	return ok && m.clock.Now().Before(until), nil
}

// Remember implements CallbackStore.
func (m *MemoryCallbackStore) Remember(_ context.Context, key CallbackKey, status PaymentStatus) error {
	now := m.clock.Now()
	final := now
	if !status.IsTerminal() && status != StatusNewClosed && status != StatusDocClosed {
		final = now.Add(forcedClose)
	}
	until := final.Add(m.retention)
	m.mu.Lock()
	defer m.mu.Unlock()
	if prev, ok := m.entries[key]; !ok || prev.Before(until) {
		m.entries[key] = until
	}
	if len(m.entries) > m.pruneAt {
		for k, u := range m.entries {
			if !now.Before(u) {
				delete(m.entries, k)
			}
		}
		m.pruneAt = max(1024, 2*len(m.entries))
	}
	return nil
}

// Len returns the number of legs remembered (expired ones included until pruned).
func (m *MemoryCallbackStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// CanonicalPaymentID returns a payment id in the one spelling the relay issues —
// "0x" and 64 lower-case hex digits — after trimming surrounding white space as the relay
// does, and false when id is not 0x (or 0X) and 64 hex digits.
func CanonicalPaymentID(id string) (string, bool) {
	id = loyaltywire.TrimJS(id)
	if !IsBytes32(id) {
		return "", false
	}
	b := []byte(id)
	b[1] = 'x'
	for i := 2; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'F' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b), true
}
