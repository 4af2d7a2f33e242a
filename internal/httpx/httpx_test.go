package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/poskit/poskit/internal/retry"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

type testErr struct {
	op     string
	status int
	cause  error
	code   int
}

func (e *testErr) Error() string {
	return fmt.Sprintf("%s: status %d code %d: %v", e.op, e.status, e.code, e.cause)
}
func (e *testErr) Unwrap() error { return e.cause }

// newEngine returns an engine on srv whose envelope is {"code":N,"data":…}.
func newEngine(t *testing.T, srv *httptest.Server, mod func(*Config)) *Engine {
	t.Helper()
	cfg := Config{
		BaseURL:    srv.URL + "/base/",
		HTTPClient: srv.Client(),
		Retry:      retry.Policy{NoSleep: true},
		Decode: func(a *Answer, out any) error {
			var env struct {
				Code int             `json:"code"`
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(a.Body, &env); err != nil {
				return &testErr{op: a.Op, status: a.Status, cause: err}
			}
			if env.Code != 0 || a.Status >= 300 {
				return &testErr{op: a.Op, status: a.Status, code: env.Code, cause: errors.New("api error")}
			}
			if out == nil {
				return nil
			}
			return json.Unmarshal(env.Data, out)
		},
		Wrap: func(op string, status int, err error) error { return &testErr{op: op, status: status, cause: err} },
	}
	if mod != nil {
		mod(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestDoBuildsRequest(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		io.WriteString(w, `{"code":0,"data":{"name":"shop"}}`)
	}))
	defer srv.Close()
	e := newEngine(t, srv, func(c *Config) { c.UserAgent = "poskit-test" })
	type q struct {
		Account string `url:"account"`
		Skip    string `url:"skip,omitempty"`
	}
	var out struct{ Name string }
	_, err := e.Do(context.Background(), Request{Op: "t.Get", Method: "POST", Path: "/v1/x",
		Query: q{Account: "0xab"}, JSON: map[string]int{"n": 1},
		Header: http.Header{"Authorization": {"k"}}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL.Path != "/base/v1/x" || got.URL.RawQuery != "account=0xab" {
		t.Errorf("url = %s?%s", got.URL.Path, got.URL.RawQuery)
	}
	if got.Header.Get("Content-Type") != "application/json" || got.Header.Get("User-Agent") != "poskit-test" || got.Header.Get("Authorization") != "k" {
		t.Errorf("headers = %v", got.Header)
	}
	if string(body) != `{"n":1}` || out.Name != "shop" {
		t.Errorf("body %s, out %+v", body, out)
	}
}

func TestDoRejectsEscapingPath(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	e := newEngine(t, srv, nil)
	for _, p := range []string{"/v1/../admin", "../x", "/a/./b", "/x?y=1"} {
		_, err := e.Do(context.Background(), Request{Op: "t.Bad", Method: "GET", Path: p, Idempotent: true}, nil)
		if !errors.Is(err, ErrBadPath) {
			t.Errorf("%q: err = %v, want ErrBadPath", p, err)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("%d requests sent for bad paths", calls.Load())
	}
}

func TestRetriesOnlyIdempotent(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			w.WriteHeader(503)
			return
		}
		io.WriteString(w, `{"code":0,"data":{}}`)
	}))
	defer srv.Close()
	e := newEngine(t, srv, nil)
	if _, err := e.Do(context.Background(), Request{Op: "t.Get", Method: "GET", Path: "/g", Idempotent: true}, nil); err != nil {
		t.Fatalf("idempotent: %v", err)
	}
	if calls.Load() != 3 {
		t.Errorf("idempotent calls = %d, want 3", calls.Load())
	}
	calls.Store(0)
	_, err := e.Do(context.Background(), Request{Op: "t.Post", Method: "POST", Path: "/p"}, nil)
	var te *testErr
	if !errors.As(err, &te) || te.status != 503 || te.op != "t.Post" {
		t.Fatalf("non-idempotent err = %v", err)
	}
	if calls.Load() != 1 {
		t.Errorf("non-idempotent calls = %d, want 1", calls.Load())
	}
}

func TestRetryGivesUpAfterMax(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(502)
	}))
	defer srv.Close()
	e := newEngine(t, srv, func(c *Config) { c.Retry.MaxRetries = 2 })
	_, err := e.Do(context.Background(), Request{Op: "t.Get", Method: "GET", Path: "/g", Idempotent: true}, nil)
	var te *testErr
	if !errors.As(err, &te) || te.status != 502 {
		t.Fatalf("err = %v", err)
	}
	if calls.Load() != 3 {
		t.Errorf("calls = %d, want 1 + 2 retries", calls.Load())
	}
}

func TestNoRetryOnClientErrorOrCanceledContext(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.WriteString(w, `{"code":2001,"data":null}`)
	}))
	defer srv.Close()
	e := newEngine(t, srv, nil)
	_, _ = e.Do(context.Background(), Request{Op: "t.Get", Method: "GET", Path: "/g", Idempotent: true}, nil)
	if calls.Load() != 1 {
		t.Errorf("api error retried: calls = %d", calls.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls.Store(0)
	_, err := e.Do(ctx, Request{Op: "t.Get", Method: "GET", Path: "/g", Idempotent: true}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled ctx err = %v", err)
	}
	if calls.Load() != 0 {
		t.Errorf("canceled ctx sent %d requests", calls.Load())
	}
}

func TestBodyLimitAndGarbage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch strings.TrimPrefix(r.URL.Path, "/base") {
		case "/big":
			w.Write(bytes.Repeat([]byte("x"), 2048))
		case "/garbage":
			w.WriteHeader(502)
			io.WriteString(w, "<html>bad gateway</html>")
		case "/truncated":
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, `{"code":0,"da`)
		}
	}))
	defer srv.Close()
	e := newEngine(t, srv, func(c *Config) { c.MaxBodyBytes = 1024; c.Retry.MaxRetries = -1 })
	_, err := e.Do(context.Background(), Request{Op: "t.Big", Method: "GET", Path: "/big"}, nil)
	var te *testErr
	if !errors.As(err, &te) || !errors.Is(err, ErrBodyTooLarge) || te.status != 200 || te.op != "t.Big" {
		t.Errorf("big: %v", err)
	}
	_, err = e.Do(context.Background(), Request{Op: "t.Garbage", Method: "GET", Path: "/garbage"}, nil)
	if !errors.As(err, &te) || te.status != 502 || te.op != "t.Garbage" {
		t.Errorf("garbage: %v", err)
	}
	_, err = e.Do(context.Background(), Request{Op: "t.Trunc", Method: "GET", Path: "/truncated"}, nil)
	if !errors.As(err, &te) || te.op != "t.Trunc" || !IsTransport(err) {
		t.Errorf("truncated: %v", err)
	}
}

func TestLogsRedactSecrets(t *testing.T) {
	const secret = "sk_live_0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"code":2002,"data":null}`)
	}))
	defer srv.Close()
	var buf bytes.Buffer
	e := newEngine(t, srv, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.Secrets = []string{secret}
	})
	_, _ = e.Do(context.Background(), Request{Op: "t.Key", Method: "GET", Path: "/k/" + secret,
		Header: http.Header{"Authorization": {secret}}}, nil)
	if !strings.Contains(buf.String(), "op=t.Key") {
		t.Fatalf("no log line: %q", buf.String())
	}
	if strings.Contains(buf.String(), secret) {
		t.Errorf("secret in log: %q", buf.String())
	}
}

func TestNewValidates(t *testing.T) {
	ok := func(*Answer, any) error { return nil }
	wrap := func(string, int, error) error { return nil }
	for _, c := range []Config{
		{BaseURL: "https://x", Decode: ok},
		{BaseURL: "ftp://x", Decode: ok, Wrap: wrap},
		{BaseURL: "/relative", Decode: ok, Wrap: wrap},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted", c.BaseURL)
		}
	}
	e, err := New(Config{BaseURL: "https://user:pw@relay.example/", Decode: ok, Wrap: wrap})
	if err != nil {
		t.Fatal(err)
	}
	if e.HTTPClient() == http.DefaultClient || e.HTTPClient().Timeout != DefaultTimeout {
		t.Errorf("default client = %+v", e.HTTPClient())
	}
}

// TestDoCopiesHeader: the caller's header reaches the server with canonical
// keys, next to the engine's own, and the caller's map and value slices are
// left as they were (a client may share one header between calls).
func TestDoCopiesHeader(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Clone())
		_, _ = io.WriteString(w, `{"code":0,"data":{}}`)
	}))
	defer srv.Close()
	e := newEngine(t, srv, func(c *Config) { c.UserAgent = "poskit-test" })
	vals := make([]string, 1, 4) // room to append into: the engine must not
	vals[0] = "one"
	in := http.Header{"x-token": vals, "X-Token": {"two"}, "Accept": {"text/html"}}
	for i := 0; i < 2; i++ {
		if _, err := e.Do(context.Background(), Request{Op: "t", Method: http.MethodPost, Path: "/h", Header: in, JSON: map[string]int{"a": 1}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	h := got.Load().(http.Header)
	if tok := h.Values("X-Token"); len(tok) != 2 {
		t.Errorf("X-Token %q, want both values", tok)
	}
	if h.Get("Accept") != "application/json" || h.Get("Content-Type") != "application/json" || h.Get("User-Agent") != "poskit-test" {
		t.Errorf("engine headers %v", h)
	}
	if len(in) != 3 || len(in["x-token"]) != 1 || len(in["X-Token"]) != 1 || in.Get("Accept") != "text/html" || vals[:2][1] != "" {
		t.Errorf("caller's header changed: %v (backing %q)", in, vals[:2])
	}
}

// Answer buffers are reused between calls: what a call decoded must survive the next one.
func TestDecodedValuesSurviveBufferReuse(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"code":0,"data":{"raw":{"call":%d},"s":"call-%d"}}`, n.Add(1), n.Load())
	}))
	defer srv.Close()
	e := newEngine(t, srv, nil)
	type out struct {
		Raw json.RawMessage `json:"raw"`
		S   string          `json:"s"`
	}
	var first, second out
	if _, err := e.Do(context.Background(), Request{Op: "t.A", Method: "GET", Path: "/a"}, &first); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Do(context.Background(), Request{Op: "t.B", Method: "GET", Path: "/b"}, &second); err != nil {
		t.Fatal(err)
	}
	if string(first.Raw) != `{"call":1}` || first.S != "call-1" || string(second.Raw) != `{"call":2}` {
		t.Errorf("first %s %q, second %s", first.Raw, first.S, second.Raw)
	}
}

// A transport error whose text carries a secret keeps only the redacted text: the secret
// is reachable neither through Error() nor through errors.Unwrap.
func TestTransportErrorSecretUnreachable(t *testing.T) {
	const secret = "k3y-in-the-host"
	e, err := New(Config{
		BaseURL:    "http://" + secret + ".invalid",
		HTTPClient: &http.Client{Transport: failingTransport{msg: "dial tcp: lookup " + secret + ".invalid: no such host"}},
		Secrets:    []string{secret},
		Decode:     func(*Answer, any) error { return nil },
		Wrap:       func(op string, status int, err error) error { return &testErr{op: op, status: status, cause: err} },
		Retry:      retry.Policy{MaxRetries: -1},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Do(context.Background(), Request{Op: "t.Dial", Method: "GET", Path: "/x"}, nil)
	if err == nil || !IsTransport(err) {
		t.Fatalf("err = %v", err)
	}
	for x := error(err); x != nil; x = errors.Unwrap(x) {
		if strings.Contains(x.Error(), secret) || strings.Contains(fmt.Sprintf("%+v %#v", x, x), secret) {
			t.Fatalf("secret reachable in %T: %v", x, x)
		}
	}
}

type failingTransport struct{ msg string }

func (f failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New(f.msg)
}
