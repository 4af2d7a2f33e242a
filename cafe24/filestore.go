package cafe24

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/google/renameio/v2"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/keylock"
)

// FileStoreOption configures a FileStore.
type FileStoreOption func(*fileStoreConfig)

type fileStoreConfig struct {
	poll time.Duration
}

// WithLockPoll sets how often a FileStore retries a file lock held by another process
// (default 5 ms; values ≤ 0 keep the default). Waiting for a lock held in the same process
// does not poll.
func WithLockPoll(d time.Duration) FileStoreOption { return func(c *fileStoreConfig) { c.poll = d } }

// FileStore is the embedded default TokenStore: one JSON file per mall in a directory,
// <dir>/<mall>.json, mode 0600. Every save replaces the file atomically (temporary file,
// fsync, rename, via github.com/google/renameio/v2), so a crash leaves the old token or the
// new one, never half of one. Saves compare versions under a file lock, so processes sharing
// the directory never overwrite a newer token. FileStore is a TokenLocker too: Lock takes
// <dir>/<mall>.refresh.lock (flock, github.com/gofrs/flock), released when the process dies.
// The directory must be on a local file system (flock over NFS is not reliable).
//
// A file that is truncated, not JSON or incomplete is reported as an *Error with
// CodeStoreCorrupt naming the file; FileStore never treats it as empty and never
// overwrites it. Remove the file by hand (and consent again) to recover.
type FileStore struct {
	dir   string
	cfg   fileStoreConfig
	local keylock.Map[string] // one holder per lock file within this process, before flock
}

// NewFileStore returns a FileStore keeping its files in dir, created with mode 0700 if it
// does not exist.
func NewFileStore(dir string, opts ...FileStoreOption) (*FileStore, error) {
	const op = "cafe24.NewFileStore"
	c := fileStoreConfig{poll: 5 * time.Millisecond}
	for _, o := range opts {
		o(&c)
	}
	if c.poll <= 0 {
		c.poll = 5 * time.Millisecond
	}
	if dir == "" {
		return nil, invalidInput(op, "dir is empty")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, &Error{Op: op, Code: CodeStoreIO, Message: "cannot create " + dir, Err: err, outcome: apierr.Refused}
	}
	return &FileStore{dir: dir, cfg: c}, nil
}

// DefaultFileStoreDir returns the directory a client uses when it is given no store:
// <user config dir>/poskit/cafe24 (e.g. ~/.config/poskit/cafe24).
func DefaultFileStoreDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", &Error{Op: "cafe24.DefaultFileStoreDir", Code: CodeStoreIO, Message: "no user config directory", Err: err, outcome: apierr.Refused}
	}
	return filepath.Join(d, "poskit", "cafe24"), nil
}

// Path returns the file holding the mall's token.
func (s *FileStore) Path(mall string) string { return filepath.Join(s.dir, mall+".json") }

// fileWire is the file format: our own, not Cafe24's wire format.
type fileWire struct {
	Format  int        `json:"format"`
	Version uint64     `json:"version"`
	Token   *fileToken `json:"token"`
}

type fileToken struct {
	AccessToken      string    `json:"access_token"`
	RefreshToken     string    `json:"refresh_token"`
	ExpiresAt        time.Time `json:"expires_at"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	ClientID         string    `json:"client_id,omitempty"`
	MallID           string    `json:"mall_id,omitempty"`
	UserID           string    `json:"user_id,omitempty"`
	Scopes           []string  `json:"scopes,omitempty"`
	IssuedAt         time.Time `json:"issued_at"`
	ShopNo           string    `json:"shop_no,omitempty"`
}

const fileFormat = 1

// Load reads the mall's token file.
func (s *FileStore) Load(ctx context.Context, mall string) (*Token, uint64, error) {
	const op = "cafe24.FileStore.Load"
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if err := validMallID(op, mall); err != nil {
		return nil, 0, err
	}
	tok, v, err := s.read(op, mall)
	if err != nil {
		return nil, 0, err
	}
	if tok == nil {
		return nil, 0, errNoToken(op, mall)
	}
	return tok, v, nil
}

// read returns the stored token and version, or (nil, 0, nil) when there is no file.
func (s *FileStore) read(op, mall string) (*Token, uint64, error) {
	path := s.Path(mall)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, &Error{Op: op, Code: CodeStoreIO, Message: "cannot read " + path, Err: err, outcome: apierr.Refused}
	}
	corrupt := func(why string) error {
		return &Error{Op: op, Code: CodeStoreCorrupt, Message: path + ": " + why, outcome: apierr.Refused}
	}
	var w fileWire
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, 0, corrupt("not a JSON token file (truncated or overwritten)")
	}
	if w.Format != fileFormat {
		return nil, 0, corrupt("unknown format " + itoa(w.Format))
	}
	if w.Version == 0 || w.Token == nil || w.Token.AccessToken == "" || w.Token.RefreshToken == "" ||
		w.Token.ExpiresAt.IsZero() || w.Token.RefreshExpiresAt.IsZero() {
		return nil, 0, corrupt("token file lacks its version, tokens or expiries")
	}
	t := w.Token
	return &Token{
		AccessToken: Secret(t.AccessToken), RefreshToken: Secret(t.RefreshToken),
		ExpiresAt: t.ExpiresAt, RefreshExpiresAt: t.RefreshExpiresAt,
		ClientID: t.ClientID, MallID: t.MallID, UserID: t.UserID,
		Scopes: t.Scopes, IssuedAt: t.IssuedAt, ShopNo: t.ShopNo,
	}, w.Version, nil
}

// Save replaces the mall's token file atomically if its version is still version.
func (s *FileStore) Save(ctx context.Context, mall string, tok *Token, version uint64) (uint64, error) {
	const op = "cafe24.FileStore.Save"
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := checkSavable(op, mall, tok); err != nil {
		return 0, err
	}
	unlock, err := s.lock(ctx, op, mall, ".json.lock")
	if err != nil {
		return 0, err
	}
	defer unlock()
	_, curV, err := s.read(op, mall)
	if err != nil {
		return 0, err
	}
	if curV != version {
		return 0, errConflict(op, mall, version, curV)
	}
	w := fileWire{Format: fileFormat, Version: curV + 1, Token: &fileToken{
		AccessToken: tok.AccessToken.Reveal(), RefreshToken: tok.RefreshToken.Reveal(),
		ExpiresAt: tok.ExpiresAt, RefreshExpiresAt: tok.RefreshExpiresAt,
		ClientID: tok.ClientID, MallID: tok.MallID, UserID: tok.UserID,
		Scopes: tok.Scopes, IssuedAt: tok.IssuedAt, ShopNo: tok.ShopNo,
	}}
	data, err := json.Marshal(w)
	if err != nil {
		return 0, &Error{Op: op, Code: CodeStoreIO, Message: "cannot encode the token", outcome: apierr.Refused}
	}
	path := s.Path(mall)
	if err := renameio.WriteFile(path, data, 0o600, renameio.WithStaticPermissions(0o600)); err != nil {
		return 0, &Error{Op: op, Code: CodeStoreIO, Message: "cannot write " + path, Err: err, outcome: apierr.Refused}
	}
	if d, err := os.Open(s.dir); err == nil { // make the rename itself durable
		_ = d.Sync()
		_ = d.Close()
	}
	return curV + 1, nil
}

// Lock takes the mall's refresh lock: first among the goroutines of this process, then
// among processes (flock on <dir>/<mall>.refresh.lock). It fails with ctx's error if ctx
// ends first.
func (s *FileStore) Lock(ctx context.Context, mall string) (func(), error) {
	const op = "cafe24.FileStore.Lock"
	if err := validMallID(op, mall); err != nil {
		return nil, err
	}
	return s.lock(ctx, op, mall, ".refresh.lock")
}

func (s *FileStore) lock(ctx context.Context, op, mall, suffix string) (func(), error) {
	key := mall + suffix
	release, err := s.local.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	fl := flock.New(filepath.Join(s.dir, key), flock.SetPermissions(0o600))
	ok, err := fl.TryLockContext(ctx, s.cfg.poll)
	if !ok || err != nil {
		release()
		_ = fl.Close()
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, &Error{Op: op, Code: CodeStoreIO, Message: "cannot lock " + fl.Path(), Err: err, outcome: apierr.Refused}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = fl.Unlock()
			_ = fl.Close()
			release()
		})
	}, nil
}
