package cafe24_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/cafe24"
)

// rotatingServer is a loopback token endpoint that rotates on every refresh (the old
// refresh token dies at once) and issues access tokens that are stale at once, so every
// Token call of every process refreshes.
type rotatingServer struct {
	mu        sync.Mutex
	live      string
	n         int
	rotations int
	refused   int
}

func (s *rotatingServer) issueLocked() map[string]any {
	s.n++
	s.live = fmt.Sprintf("refresh-%06d-%s", s.n, strings.Repeat("x", 12))
	now := time.Now()
	return map[string]any{
		"access_token":             fmt.Sprintf("access-%06d-%s", s.n, strings.Repeat("y", 12)),
		"expires_at":               cafe24.FormatKST(now.Add(time.Second)),
		"refresh_token":            s.live,
		"refresh_token_expires_at": cafe24.FormatKST(now.Add(14 * 24 * time.Hour)),
		"mall_id":                  mall,
		"scopes":                   []string{cafe24.ScopeReadMileage},
		"issued_at":                cafe24.FormatKST(now),
	}
}

func (s *rotatingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.PostForm.Get("refresh_token") != s.live {
		s.refused++
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"invalid_grant","error_description":"Invalid refresh_token"}`)
		return
	}
	s.rotations++
	_ = json.NewEncoder(w).Encode(s.issueLocked())
}

// httpRefresher is the child processes' Refresher: a form POST to the parent's server.
type httpRefresher struct{ url string }

func (h httpRefresher) Refresh(ctx context.Context, rt string) (*cafe24.Token, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.url,
		strings.NewReader(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, &cafe24.Error{Op: "cafe24.Refresh", Err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return nil, cafe24.DecodeError("cafe24.Refresh", resp.StatusCode, body, rt)
	}
	return cafe24.DecodeToken(body)
}

const (
	envChildDir = "CAFE24_TEST_CHILD_DIR"
	envChildURL = "CAFE24_TEST_CHILD_URL"
	childCalls  = 12
)

// TestMultiProcessFileStore re-executes the test binary as three processes sharing one
// FileStore against a rotating token endpoint: every call of every process refreshes, and
// none may ever present a dead refresh token (the mall is never locked out).
func TestMultiProcessFileStore(t *testing.T) {
	if dir := os.Getenv(envChildDir); dir != "" {
		runChild(t, dir, os.Getenv(envChildURL))
		return
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	srv := &rotatingServer{}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	dir := t.TempDir()
	store, err := cafe24.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	first, _ := json.Marshal(srv.issueLocked())
	srv.mu.Unlock()
	tok, err := cafe24.DecodeToken(first)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Save(context.Background(), mall, tok, 0); err != nil {
		t.Fatal(err)
	}
	const procs = 3
	outs := make([]string, procs)
	errs := make([]error, procs)
	var wg sync.WaitGroup
	for i := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestMultiProcessFileStore$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), envChildDir+"="+dir, envChildURL+"="+hs.URL+"/api/v2/oauth/token")
			out, err := cmd.CombinedOutput()
			outs[i], errs[i] = string(out), err
		}()
	}
	wg.Wait()
	for i := range procs {
		if errs[i] != nil || !strings.Contains(outs[i], "child ok") {
			t.Fatalf("child %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.refused != 0 {
		t.Fatalf("%d refreshes with a dead refresh token", srv.refused)
	}
	if srv.rotations < procs*childCalls {
		t.Fatalf("%d rotations, want at least %d", srv.rotations, procs*childCalls)
	}
	stored, v, err := store.Load(context.Background(), mall)
	if err != nil || stored.RefreshToken.Reveal() != srv.live || v != uint64(srv.rotations+1) {
		t.Fatalf("store holds version %d, refresh live=%v: %v", v, stored != nil && stored.RefreshToken.Reveal() == srv.live, err)
	}
	t.Logf("%d processes, %d rotations, 0 refused", procs, srv.rotations)
}

func runChild(t *testing.T, dir, u string) {
	store, err := cafe24.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := cafe24.NewTokenSource(mall, store, httpRefresher{url: u})
	if err != nil {
		t.Fatal(err)
	}
	for i := range childCalls {
		tok, err := ts.Token(t.Context())
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if tok.AccessToken == "" {
			t.Fatal("empty token")
		}
	}
	fmt.Println("child ok")
}
