package cafe24

import (
	"context"
	"sync"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/keylock"
)

// TokenStore keeps one token per mall with a version, so that a writer holding a stale
// token can never overwrite a newer one. MemoryStore and FileStore are the embedded
// implementations; a shared database can implement it for many replicas (Save as
// "UPDATE … WHERE mall = $1 AND version = $2").
type TokenStore interface {
	// Load returns the mall's token and its version. With no token stored it returns an
	// *Error with CodeNoToken; an unreadable stored token is an *Error with
	// CodeStoreCorrupt, never an empty token.
	Load(ctx context.Context, mall string) (*Token, uint64, error)
	// Save stores tok for the mall if the stored version is still version (0: nothing
	// stored yet) and returns the new version. Otherwise it returns an *Error with
	// CodeStoreConflict and keeps the stored token. A successful Save is durable when it
	// returns.
	Save(ctx context.Context, mall string, tok *Token, version uint64) (uint64, error)
}

// TokenLocker is implemented by a TokenStore shared by several processes: Lock holds the
// mall's refresh lock until unlock is called, so that only one process at a time refreshes
// (and rotates) the mall's refresh token. The token source re-reads the store after taking
// the lock. FileStore locks a file (flock); MemoryStore a mutex.
type TokenLocker interface {
	Lock(ctx context.Context, mall string) (unlock func(), err error)
}

// MemoryStore is a TokenStore and TokenLocker in memory, for tests and single-process
// programs that get their first token from a consent each time they start. Safe for
// concurrent use.
type MemoryStore struct {
	mu     sync.Mutex
	tokens map[string]memEntry
	locks  keylock.Map[string]
}

type memEntry struct {
	tok     *Token
	version uint64
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{tokens: map[string]memEntry{}}
}

// Load returns a copy of the mall's token and its version.
func (m *MemoryStore) Load(ctx context.Context, mall string) (*Token, uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.tokens[mall]
	if !ok {
		return nil, 0, errNoToken("cafe24.MemoryStore.Load", mall)
	}
	return e.tok.Clone(), e.version, nil
}

// Save stores a copy of tok if the mall's version is still version.
func (m *MemoryStore) Save(ctx context.Context, mall string, tok *Token, version uint64) (uint64, error) {
	const op = "cafe24.MemoryStore.Save"
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := checkSavable(op, mall, tok); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := m.tokens[mall].version
	if cur != version {
		return 0, errConflict(op, mall, version, cur)
	}
	m.tokens[mall] = memEntry{tok: tok.Clone(), version: cur + 1}
	return cur + 1, nil
}

// Lock holds the mall's refresh lock until unlock is called, or fails with ctx's error.
func (m *MemoryStore) Lock(ctx context.Context, mall string) (func(), error) {
	return m.locks.Lock(ctx, mall)
}

func errNoToken(op, mall string) *Error {
	return &Error{Op: op, Code: CodeNoToken, Message: "no token stored for mall " + mall, outcome: apierr.Refused}
}

func errConflict(op, mall string, want, have uint64) *Error {
	return &Error{Op: op, Code: CodeStoreConflict,
		Message: "mall " + mall + " token is at version " + utoa(have) + ", not " + utoa(want),
		outcome: apierr.Refused}
}

func checkSavable(op, mall string, tok *Token) error {
	if err := validMallID(op, mall); err != nil {
		return err
	}
	if tok == nil || tok.AccessToken == "" || tok.RefreshToken == "" {
		return invalidInput(op, "token is nil or lacks its access or refresh token")
	}
	return nil
}
