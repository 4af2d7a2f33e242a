package keylock

import (
	"context"
	"errors"
	"sync"
	"testing"
)

func TestOneHolderPerKeyAndNoEntryLeftBehind(t *testing.T) {
	var m Map[string]
	var mu sync.Mutex
	inside := map[string]int{}
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		key := []string{"a", "b"}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := m.Lock(context.Background(), key)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside[key]++
			if inside[key] > 1 {
				t.Errorf("two holders of %q", key)
			}
			mu.Unlock()
			mu.Lock()
			inside[key]--
			mu.Unlock()
			unlock()
			unlock() // twice is harmless
		}()
	}
	wg.Wait()
	if m.Len() != 0 {
		t.Fatalf("%d keys left held", m.Len())
	}
}

func TestWaiterGivesUpWithItsContext(t *testing.T) {
	var m Map[int]
	unlock, err := m.Lock(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Lock(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("waiting on a held key with an ended context: %v", err)
	}
	if u2, err := m.Lock(ctx, 2); err != nil {
		t.Fatalf("a free key is taken even with an ended context: %v", err)
	} else {
		u2()
	}
	unlock()
	if u, err := m.Lock(context.Background(), 1); err != nil {
		t.Fatalf("after unlock: %v", err)
	} else {
		u()
	}
}
