package sdktest

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/poskit/poskit/internal/redact"
)

// Receiver is one inbound receiver under the contract: an http.Handler a server of the
// API (a relay's callback, PointPay's result POST) calls, which hands each genuine event to
// the application once.
type Receiver struct {
	// New returns the receiver; it calls deliver for every event it hands to the
	// application (deliver returns nil: the application took it) and logs to log.
	New func(t *testing.T, deliver func() error, log *slog.Logger) http.Handler
	// Genuine returns the i-th genuine delivery (distinct events for distinct i).
	Genuine func(i int) *http.Request
	// Forged returns a delivery of a well-formed event that is not genuine (no key, a
	// wrong key, a wrong media code).
	Forged func() *http.Request
	// Taken reports whether an answer tells the sender the event was received (so it
	// will not resend it): the API's success or duplicate answer.
	Taken func(status int, body string) bool
	// MaxBody is the receiver's body cap; the contract sends a body past it.
	MaxBody int64
	// Secrets must never appear in a log line or in the receiver's %v.
	Secrets []string
}

// RunReceiver runs the inbound contract against r: a wrong method, an oversized or
// unreadable body and a forged event are refused without reaching the application or
// panicking; concurrent copies of one genuine event reach it once and every copy is
// answered as taken; no secret is logged or printed.
func RunReceiver(t *testing.T, r Receiver) {
	send := func(h http.Handler, req *http.Request) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, strings.TrimSpace(rec.Body.String())
	}
	newRecv := func(t *testing.T) (http.Handler, *atomic.Int64, *bytes.Buffer) {
		var n atomic.Int64
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
		h := r.New(t, func() error { n.Add(1); return nil }, log)
		return h, &n, &logs
	}
	t.Run("BadRequestsNeverReachTheApplication", func(t *testing.T) {
		h, n, _ := newRecv(t)
		wrongMethod := r.Genuine(0)
		wrongMethod.Method = http.MethodGet
		big := r.Genuine(1)
		big.Body = io.NopCloser(io.MultiReader(bytes.NewReader(bytes.Repeat([]byte("a=1&"), int(r.MaxBody/4)+16))))
		big.ContentLength = -1
		garbage := r.Genuine(2)
		garbage.Body = io.NopCloser(strings.NewReader("\x00\xff{not a form or JSON"))
		garbage.ContentLength = -1
		for name, req := range map[string]*http.Request{"wrong method": wrongMethod, "oversized body": big, "garbage body": garbage, "forged event": r.Forged()} {
			status, body := send(h, req)
			if r.Taken(status, body) {
				t.Errorf("%s answered as taken: %d %q", name, status, body)
			}
		}
		if got := n.Load(); got != 0 {
			t.Errorf("bad requests reached the application %d times", got)
		}
	})
	t.Run("ConcurrentCopiesReachTheApplicationOnce", func(t *testing.T) {
		h, n, _ := newRecv(t)
		const copies = 16
		var wg sync.WaitGroup
		answers := make([]string, copies)
		for i := range copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, body := send(h, r.Genuine(7))
				if !r.Taken(status, body) {
					answers[i] = fmt.Sprintf("%d %q", status, body)
				}
			}()
		}
		wg.Wait()
		if got := n.Load(); got != 1 {
			t.Errorf("%d copies of one event reached the application %d times, want 1", copies, got)
		}
		// A copy may be answered "busy, resend" while the first is being handed over;
		// a resend after that must be taken.
		for i, a := range answers {
			if a == "" {
				continue
			}
			if status, body := send(h, r.Genuine(7)); !r.Taken(status, body) {
				t.Errorf("copy %d answered %s, and its resend %d %q", i, a, status, body)
			}
		}
		if got := n.Load(); got != 1 {
			t.Errorf("resends reached the application: %d calls", got)
		}
	})
	t.Run("SecretsNeverPrinted", func(t *testing.T) {
		red := redact.New(r.Secrets...)
		if red.Empty() {
			t.Skip("no secrets configured")
		}
		h, _, logs := newRecv(t)
		send(h, r.Forged())
		send(h, r.Genuine(3))
		send(h, r.Genuine(3))
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%q", "%x"} {
			if s := fmt.Sprintf(verb, h); red.Contains(s) {
				t.Errorf("receiver %s shows a secret: %s", verb, s)
			}
		}
		if red.Contains(logs.String()) {
			t.Errorf("logs show a secret: %s", logs.String())
		}
	})
}
