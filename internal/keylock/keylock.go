// Package keylock is a set of mutual-exclusion locks by key, for "one at a time per
// payment / order number / mall": a waiter gives up when its context ends, and a key's
// entry exists only while its lock is held, so the set does not grow with the keys seen.
package keylock

import (
	"context"
	"sync"
)

// Map holds the locks of keys of type K. The zero value is ready to use; it is safe for
// concurrent use.
type Map[K comparable] struct {
	mu   sync.Mutex
	held map[K]chan struct{} // closed when the holder unlocks
}

// Lock holds k's lock until unlock is called (unlock is safe to call twice), or returns
// ctx's error when ctx ends while another holder has it.
func (m *Map[K]) Lock(ctx context.Context, k K) (unlock func(), err error) {
	for {
		m.mu.Lock()
		done, busy := m.held[k]
		if !busy {
			if m.held == nil {
				m.held = make(map[K]chan struct{})
			}
			done = make(chan struct{})
			m.held[k] = done
			m.mu.Unlock()
			var once sync.Once
			return func() {
				once.Do(func() {
					m.mu.Lock()
					delete(m.held, k)
					m.mu.Unlock()
					close(done)
				})
			}, nil
		}
		m.mu.Unlock()
		select {
		case <-done: // the holder finished: look again
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Len returns the number of keys whose lock is held now.
func (m *Map[K]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.held)
}
