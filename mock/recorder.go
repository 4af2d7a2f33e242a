package mock

import (
	"net/http"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/redact"
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
	red     *redact.Redactor
}

// AddSecret makes the recorder replace s, and every fragment of 8 or more of its
// characters, with "REDACTED" wherever it appears in a recorded body, query or header (the
// fakes register the access keys they accept), as it already does for the Authorization
// header.
func (r *Recorder) AddSecret(s string) {
	if s == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, s)
	r.red = redact.New(r.secrets...)
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
	if !r.red.Empty() {
		rec.Body = r.red.Bytes(rec.Body)
		rec.Query = r.red.String(rec.Query)
		rec.Path = r.red.String(rec.Path)
		for k, vs := range rec.Header {
			for i, v := range vs {
				vs[i] = r.red.String(v)
			}
			rec.Header[k] = vs
		}
	}
	r.reqs = append(r.reqs, rec)
}

// Requests returns a copy of every recorded request, oldest first.
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append(make([]Request, 0, len(r.reqs)), r.reqs...)
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
