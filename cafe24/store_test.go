package cafe24

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func storeTests(t *testing.T, name string, mk func(t *testing.T) TokenStore) {
	t.Run(name, func(t *testing.T) {
		ctx := context.Background()
		s := mk(t)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, KST)
		if _, _, err := s.Load(ctx, "shop1"); !IsNoToken(err) {
			t.Fatalf("empty store: %v", err)
		}
		t1 := testToken(now, 1)
		v1, err := s.Save(ctx, "shop1", t1, 0)
		if err != nil || v1 == 0 {
			t.Fatalf("first save: %v %v", v1, err)
		}
		got, v, err := s.Load(ctx, "shop1")
		if err != nil || v != v1 || got.AccessToken != t1.AccessToken || got.RefreshToken != t1.RefreshToken ||
			!got.ExpiresAt.Equal(t1.ExpiresAt) || !got.RefreshExpiresAt.Equal(t1.RefreshExpiresAt) || got.UserID != "admin" {
			t.Fatalf("load: %v %v %v", got, v, err)
		}
		// A stale writer cannot overwrite the newer token.
		t2 := testToken(now, 2)
		v2, err := s.Save(ctx, "shop1", t2, v1)
		if err != nil || v2 <= v1 {
			t.Fatalf("second save: %v %v", v2, err)
		}
		for _, stale := range []uint64{0, v1, v2 + 1} {
			if _, err := s.Save(ctx, "shop1", testToken(now, 3), stale); !IsStoreConflict(err) || !IsRefused(err) {
				t.Fatalf("stale save at %d: %v", stale, err)
			}
		}
		if got, v, _ := s.Load(ctx, "shop1"); v != v2 || got.RefreshToken != t2.RefreshToken {
			t.Fatal("conflict changed the store")
		}
		// Invalid input changes nothing.
		if _, err := s.Save(ctx, "shop1", &Token{}, v2); !IsInvalidInput(err) {
			t.Fatalf("empty token: %v", err)
		}
		if _, err := s.Save(ctx, "../x", t2, 0); !IsInvalidInput(err) {
			t.Fatalf("bad mall: %v", err)
		}
		// Malls are independent.
		if _, err := s.Save(ctx, "shop2", t1, 0); err != nil {
			t.Fatal(err)
		}
		// Concurrent writers from one version: exactly one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Save(ctx, "shop1", testToken(now, 10+i), v2); err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				} else if !IsStoreConflict(err) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d concurrent saves won", wins)
		}
		// The lock excludes and honours the context.
		l := s.(TokenLocker)
		unlock, err := l.Lock(ctx, "shop1")
		if err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := l.Lock(cctx, "shop1"); err != context.Canceled {
			t.Fatalf("locked twice: %v", err)
		}
		unlock()
		unlock() // idempotent
		u2, err := l.Lock(ctx, "shop1")
		if err != nil {
			t.Fatal(err)
		}
		u2()
		if _, _, err := s.Load(cctx, "shop1"); err != context.Canceled {
			t.Fatalf("canceled load: %v", err)
		}
	})
}

func TestStores(t *testing.T) {
	storeTests(t, "memory", func(*testing.T) TokenStore { return NewMemoryStore() })
	storeTests(t, "file", func(t *testing.T) TokenStore {
		s, err := NewFileStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestFileStoreFile(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "nested")
	s, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	tok := testToken(time.Now(), 1)
	if _, err := s.Save(ctx, "shop1", tok, 0); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Path("shop1"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	// A second store on the same directory (another process) sees the token and its version.
	s2, _ := NewFileStore(dir)
	if _, v, err := s2.Load(ctx, "shop1"); err != nil || v != 1 {
		t.Fatalf("second store: %v %v", v, err)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); n != "shop1.json" && filepath.Ext(n) != ".lock" {
			t.Fatalf("left %s", n)
		}
	}
	if _, err := NewFileStore(""); !IsInvalidInput(err) {
		t.Fatalf("empty dir: %v", err)
	}
}

func TestFileStoreCorrupt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, _ := NewFileStore(dir)
	tok := testToken(time.Now(), 1)
	if _, err := s.Save(ctx, "shop1", tok, 0); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(s.Path("shop1"))
	cases := map[string][]byte{
		"truncated":     good[:len(good)/2],
		"empty":         {},
		"not json":      []byte("access=" + tok.AccessToken.Reveal()),
		"json array":    []byte("[1,2]"),
		"wrong format":  []byte(`{"format":9,"version":1,"token":{}}`),
		"no token":      []byte(`{"format":1,"version":1}`),
		"zero version":  []byte(`{"format":1,"version":0,"token":{"access_token":"a","refresh_token":"b"}}`),
		"no expiries":   []byte(`{"format":1,"version":1,"token":{"access_token":"a","refresh_token":"b"}}`),
		"binary zeroes": make([]byte, 64),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(s.Path("shop1"), data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := s.Load(ctx, "shop1")
			if !IsStoreCorrupt(err) || !strings.Contains(err.Error(), s.Path("shop1")) {
				t.Fatalf("load: %v", err)
			}
			if leaks(err.Error(), tok.AccessToken.Reveal()) || leaks(err.Error(), tok.RefreshToken.Reveal()) {
				t.Fatalf("secret in %q", err)
			}
			// A save never overwrites the unreadable file.
			if _, err := s.Save(ctx, "shop1", tok, 1); !IsStoreCorrupt(err) {
				t.Fatalf("save over corrupt file: %v", err)
			}
			after, _ := os.ReadFile(s.Path("shop1"))
			if string(after) != string(data) {
				t.Fatal("corrupt file changed")
			}
		})
	}
}
