package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/retry"
	"github.com/poskit/poskit/mock"
)

func TestDoReturnsStatusAndHeadersWithTheError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Api-Call-Limit", "7/40")
		if r.URL.Path == "/base/bad" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code":12}`))
			return
		}
		w.Write([]byte(`{"code":0,"data":1}`))
	}))
	defer srv.Close()
	e := newEngine(t, srv, nil)
	var n int
	resp, err := e.Do(context.Background(), Request{Op: "t.Ok", Method: "GET", Path: "/ok"}, &n)
	if err != nil || resp == nil || resp.Status != 200 || resp.Header.Get("X-Api-Call-Limit") != "7/40" || n != 1 {
		t.Fatalf("ok: resp %+v err %v n %d", resp, err, n)
	}
	resp, err = e.Do(context.Background(), Request{Op: "t.Bad", Method: "GET", Path: "/bad"}, nil)
	if err == nil || resp == nil || resp.Status != 400 || resp.Header.Get("X-Api-Call-Limit") != "7/40" {
		t.Fatalf("bad: resp %+v err %v", resp, err)
	}
}

func TestRetryPausesOnTheInjectedClock(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"code":0}`))
	}))
	defer srv.Close()
	clk := mock.NewClock(time.Time{})
	e := newEngine(t, srv, func(c *Config) {
		c.Clock = clk
		c.Retry = retry.Policy{MaxRetries: 3, Initial: time.Minute, Max: time.Minute, Multiplier: 1, Jitter: -1}
	})
	done := make(chan error, 1)
	go func() {
		_, err := e.Do(context.Background(), Request{Op: "t.Get", Method: "GET", Path: "/g", Idempotent: true}, nil)
		done <- err
	}()
	for pause := 1; pause <= 2; pause++ {
		if !clk.WaitForWaiters(1, nil) {
			t.Fatal("engine never parked on the clock")
		}
		if got := calls.Load(); got != int32(pause) {
			t.Fatalf("before pause %d ends: %d calls", pause, got)
		}
		clk.Advance(time.Minute)
	}
	if err := <-done; err != nil {
		t.Fatalf("after two paused retries: %v", err)
	}
	if calls.Load() != 3 {
		t.Fatalf("%d calls, want 3", calls.Load())
	}
}

func TestContextEndingIsTheContextsErrorNotATransportOne(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	e := newEngine(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.Do(ctx, Request{Op: "t.Get", Method: "GET", Path: "/g", Idempotent: true}, nil)
	if !errors.Is(err, context.Canceled) || IsTransport(err) {
		t.Fatalf("got %v (transport %v), want context.Canceled and not transport", err, IsTransport(err))
	}
}
