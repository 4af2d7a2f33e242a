package dodopoint

import (
	"sort"
	"sync"
)

// Entry is one stored operation: its sequence number (submission order) and its encoded
// record. Stores keep Data as opaque bytes; the outbox checks every record it loads and
// refuses to open on a damaged one (CodeStoreCorrupt).
type Entry struct {
	Seq  uint64
	Data []byte
}

// Store keeps the outbox's operations. The embedded default is the bbolt file of
// OpenBoltStore; NewMemoryStore is for tests; a shared database can implement it for
// deployments where several POS processes share state. The outbox calls Write from one
// goroutine at a time, each call carrying the operations of many callers (group commit).
type Store interface {
	// Load returns every entry, in ascending Seq order.
	Load() ([]Entry, error)
	// Write stores puts (insert or replace by Seq, in the given order) and removes the
	// entries named in deletes, atomically: all or nothing. When Write returns nil the
	// change must survive a crash of the process (and, for a file, of the machine).
	Write(puts []Entry, deletes []uint64) error
	// Close releases the store.
	Close() error
}

// MemoryStore is a Store in memory, for tests: nothing survives the process, but it
// survives an Outbox (an outbox built with NewOutbox never closes its store), so a test
// can "restart" by opening a new outbox on the same MemoryStore.
type MemoryStore struct {
	mu      sync.Mutex
	entries map[uint64][]byte
	closed  bool
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{entries: map[uint64][]byte{}} }

// Load returns a copy of every entry in Seq order.
func (m *MemoryStore) Load() ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, newError("dodopoint.MemoryStore.Load", CodeClosed, "store is closed", nil)
	}
	out := make([]Entry, 0, len(m.entries))
	for k, v := range m.entries {
		out = append(out, Entry{Seq: k, Data: append([]byte(nil), v...)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// Write applies puts then deletes.
func (m *MemoryStore) Write(puts []Entry, deletes []uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return newError("dodopoint.MemoryStore.Write", CodeClosed, "store is closed", nil)
	}
	for _, e := range puts {
		m.entries[e.Seq] = append([]byte(nil), e.Data...)
	}
	for _, k := range deletes {
		delete(m.entries, k)
	}
	return nil
}

// Len returns the number of entries held.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// Close makes every further call fail with CodeClosed.
func (m *MemoryStore) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}
