package mock

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// MaxRequestBody bounds the request bodies a Router reads.
const MaxRequestBody = 1 << 20

// HandlerFunc handles one operation of a fake. body is the request body, already read.
type HandlerFunc func(w http.ResponseWriter, r *http.Request, body []byte)

// Router is the front of every fake server: it matches method and path to an operation,
// records the request, applies injected faults, and calls the operation's handler.
// Fakes create one with NewRouter and register their routes before serving.
type Router struct {
	clock *Clock
	// Faults and Recorder are the server's; tests reach them through the fake.
	Faults   Faults
	Recorder Recorder
	// Fail writes the answer of a Fail fault in the API's own error format.
	Fail func(w http.ResponseWriter, f Fault)
	// NotFound answers a request no route matches; nil → HTTP 404.
	NotFound http.HandlerFunc
	// Resolve, when set, names the operation of a matched request from its body: for an
	// API whose one path serves two operations told apart by a field (the request is then
	// recorded and faulted under the name Resolve returns; the route's handler serves it).
	Resolve func(op string, r *http.Request, body []byte) string

	mu       sync.RWMutex
	routes   map[string]route // "METHOD path"
	patterns []patternRoute   // paths with {name} segments, in registration order
	inFlight atomic.Int64
}

// patternRoute is a route whose path has wildcard segments: "{name}" matches one
// non-empty segment, which the handler reads with r.PathValue(name).
type patternRoute struct {
	method string
	segs   []string
	route
}

type route struct {
	op string
	h  HandlerFunc
}

// NewRouter returns a Router on the fake clock c.
func NewRouter(c *Clock, fail func(w http.ResponseWriter, f Fault)) *Router {
	return &Router{clock: c, Fail: fail, routes: make(map[string]route)}
}

// Handle registers h as operation op for method and path. A path segment "{name}"
// matches any one non-empty segment; the handler reads it with r.PathValue(name). Exact
// paths win over patterns.
func (rt *Router) Handle(method, path, op string, h HandlerFunc) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if strings.Contains(path, "{") {
		rt.patterns = append(rt.patterns, patternRoute{method: method, segs: strings.Split(path, "/"), route: route{op: op, h: h}})
		return
	}
	rt.routes[method+" "+path] = route{op: op, h: h}
}

// match finds the pattern route of r, setting its path values.
func (rt *Router) match(r *http.Request) (route, bool) {
	segs := strings.Split(r.URL.Path, "/")
	for _, p := range rt.patterns {
		if p.method != r.Method || len(p.segs) != len(segs) {
			continue
		}
		ok := true
		for i, ps := range p.segs {
			if strings.HasPrefix(ps, "{") && strings.HasSuffix(ps, "}") {
				ok = segs[i] != ""
			} else {
				ok = ps == segs[i]
			}
			if !ok {
				break
			}
		}
		if ok {
			for i, ps := range p.segs {
				if strings.HasPrefix(ps, "{") && strings.HasSuffix(ps, "}") {
					r.SetPathValue(ps[1:len(ps)-1], segs[i])
				}
			}
			return p.route, true
		}
	}
	return route{}, false
}

// ServeHTTP implements http.Handler.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt.inFlight.Add(1)
	defer rt.inFlight.Add(-1)
	rt.mu.RLock()
	rte, ok := rt.routes[r.Method+" "+r.URL.Path]
	if !ok && len(rt.patterns) > 0 {
		rte, ok = rt.match(r)
	}
	rt.mu.RUnlock()
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil || len(body) > MaxRequestBody {
		http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	if ok && rt.Resolve != nil {
		rte.op = rt.Resolve(rte.op, r, body)
	}
	rt.Recorder.Record(rte.op, r, body, rt.clock.Now())
	if !ok {
		if rt.NotFound != nil {
			rt.NotFound(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	f, faulted := rt.Faults.Take(rte.op)
	if !faulted {
		rte.h(w, r, body)
		return
	}
	switch f.Kind {
	case Fail:
		rt.Fail(w, f)
	case Garbage:
		b := f.Body
		if b == nil {
			b = []byte("<html><body>502 Bad Gateway</body></html>")
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write(b)
	case Delay:
		if !Wait(r.Context(), rt.clock, f.Delay) {
			return
		}
		rte.h(w, r, body)
	case DropAnswer:
		// Apply the operation into a buffer, then close the connection: the state changed,
		// the answer is lost. The handler's context is detached so the effect completes.
		buf := &bufferedWriter{h: make(http.Header)}
		rte.h(buf, r.WithContext(context.WithoutCancel(r.Context())), body)
		if !DropConnection(w) {
			panic(http.ErrAbortHandler)
		}
	default:
		rte.h(w, r, body)
	}
}

// InFlight returns the number of requests being handled now. A test driving a fake clock
// waits for 0 before moving time, so no answer is overtaken by the clock.
func (rt *Router) InFlight() int { return int(rt.inFlight.Load()) }

type bufferedWriter struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header         { return b.h }
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedWriter) WriteHeader(s int)           { b.status = s }
