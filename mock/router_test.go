package mock

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func newTestRouter(t *testing.T) (*Router, *httptest.Server, *atomic.Int32, *Clock) {
	t.Helper()
	clk := NewClock(time.Time{})
	var applied atomic.Int32
	rt := NewRouter(clk, func(w http.ResponseWriter, f Fault) {
		w.WriteHeader(f.Status)
		io.WriteString(w, `{"code":"`+f.Code+`"}`)
	})
	rt.Handle("POST", "/pay", "pay", func(w http.ResponseWriter, r *http.Request, body []byte) {
		applied.Add(1)
		io.WriteString(w, `{"ok":`+string(body)+`}`)
	})
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	return rt, srv, &applied, clk
}

func post(srv *httptest.Server, path, body string) (int, string, error) {
	resp, err := srv.Client().Post(srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func TestRouterRecordsAndRoutes(t *testing.T) {
	rt, srv, applied, _ := newTestRouter(t)
	status, body, err := post(srv, "/pay", "1")
	if err != nil || status != 200 || body != `{"ok":1}` {
		t.Fatalf("pay = %d %q %v", status, body, err)
	}
	if status, _, _ := post(srv, "/nope", ""); status != 404 {
		t.Errorf("unknown route status %d", status)
	}
	reqs := rt.Recorder.Requests()
	if len(reqs) != 2 || reqs[0].Op != "pay" || string(reqs[0].Body) != "1" || reqs[1].Op != "" {
		t.Errorf("recorded %+v", reqs)
	}
	if applied.Load() != 1 {
		t.Errorf("applied %d", applied.Load())
	}
}

func TestRouterFaults(t *testing.T) {
	rt, srv, applied, clk := newTestRouter(t)

	rt.Faults.Inject("pay", Fault{Kind: Fail, Status: 503, Code: "E1"})
	status, body, _ := post(srv, "/pay", "1")
	if status != 503 || body != `{"code":"E1"}` || applied.Load() != 0 {
		t.Errorf("fail fault: %d %q applied=%d", status, body, applied.Load())
	}

	rt.Faults.Inject("pay", Fault{Kind: DropAnswer})
	_, _, err := post(srv, "/pay", "2")
	if err == nil {
		t.Error("drop fault: the client got an answer")
	}
	if applied.Load() != 1 {
		t.Errorf("drop fault: applied=%d, want the operation applied once", applied.Load())
	}

	rt.Faults.Inject("pay", Fault{Kind: Garbage})
	status, body, _ = post(srv, "/pay", "3")
	if status != 200 || !strings.Contains(body, "Bad Gateway") || applied.Load() != 1 {
		t.Errorf("garbage fault: %d %q applied=%d", status, body, applied.Load())
	}

	rt.Faults.Inject("pay", Fault{Kind: Delay, Delay: 10 * time.Second})
	done := make(chan string)
	go func() { _, b, _ := post(srv, "/pay", "4"); done <- b }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if !clk.WaitForWaiters(1, ctx.Done()) {
		t.Fatal("delayed request never parked on the clock")
	}
	if applied.Load() != 1 {
		t.Error("delayed request applied before the clock moved")
	}
	clk.Advance(10 * time.Second)
	if b := <-done; b != `{"ok":4}` {
		t.Errorf("delayed answer %q", b)
	}
}

// TestRouterResolve: a path serving two operations told apart by a body field is recorded
// and faulted under the operation Resolve names; the route's handler serves both.
func TestRouterResolve(t *testing.T) {
	rt, srv, applied, _ := newTestRouter(t)
	rt.Resolve = func(op string, _ *http.Request, body []byte) string {
		if strings.Contains(string(body), "refund") {
			return "refund"
		}
		return op
	}
	rt.Faults.Allow("refund")
	if err := rt.Faults.Inject("refund", Fault{Kind: Fail, Status: 418, Code: "x"}); err != nil {
		t.Fatal(err)
	}
	if code, _, err := post(srv, "/pay", `{"pay":1}`); err != nil || code != 200 {
		t.Fatalf("pay: %d %v (the refund fault must not hit it)", code, err)
	}
	if code, _, err := post(srv, "/pay", `{"refund":1}`); err != nil || code != 418 {
		t.Fatalf("refund: %d %v, want the refund fault", code, err)
	}
	if code, _, err := post(srv, "/pay", `{"refund":2}`); err != nil || code != 200 || applied.Load() != 2 {
		t.Fatalf("refund after the fault: %d %v, applied %d", code, err, applied.Load())
	}
	if rt.Recorder.Count("pay") != 1 || rt.Recorder.Count("refund") != 2 {
		t.Fatalf("recorded pay %d refund %d", rt.Recorder.Count("pay"), rt.Recorder.Count("refund"))
	}
}
