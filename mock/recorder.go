package mock

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Request is one request a fake server received, as the test inspects it.
type Request struct {
	Op     string // the fake's operation name, "" when no route matched
	Method string
	Path   string
	Query  string
	Header http.Header // Authorization and other secret headers are redacted
	Body   []byte
	At     time.Time // on the fake's clock
}

// Recorder keeps the requests a fake server received. The zero value is ready to use.
type Recorder struct {
	mu      sync.Mutex
	reqs    []Request
	secrets []string
}

// AddSecret makes the recorder replace s with "REDACTED" wherever it appears in a recorded
// body or query (the fakes register the access keys they accept), as it already does for
// the Authorization header.
func (r *Recorder) AddSecret(s string) {
	if s == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, s)
}

// redactedHeaders are replaced by "REDACTED" in recorded requests.
var redactedHeaders = []string{"Authorization", "Cookie", "X-Api-Key", "Access-Key"}

// Record stores a copy of the request with secret headers redacted.
func (r *Recorder) Record(op string, req *http.Request, body []byte, at time.Time) {
	h := req.Header.Clone()
	for _, k := range redactedHeaders {
		if h.Get(k) != "" {
			h.Set(k, "REDACTED")
		}
	}
	rec := Request{Op: op, Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery,
		Header: h, Body: append([]byte(nil), body...), At: at}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		rec.Body = bytes.ReplaceAll(rec.Body, []byte(s), []byte("REDACTED"))
		rec.Query = strings.ReplaceAll(rec.Query, url.QueryEscape(s), "REDACTED")
		rec.Query = strings.ReplaceAll(rec.Query, s, "REDACTED")
	}
	r.reqs = append(r.reqs, rec)
}

// Requests returns a copy of every recorded request, oldest first.
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Count returns how many recorded requests had the operation op ("" counts all).
func (r *Recorder) Count(op string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if op == "" {
		return len(r.reqs)
	}
	n := 0
	for _, q := range r.reqs {
		if q.Op == op {
			n++
		}
	}
	return n
}

// Reset forgets every recorded request.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.reqs = nil
	r.mu.Unlock()
}
