package mock

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/endpoint"
)

// Config says what a fake serves. Every fake builds its base from one: the API's endpoint
// table, the clock, and how the API spells an injected failure.
type Config struct {
	// Name is the fake's name: its path in poskit-mock's admin API, e.g. "loyalty".
	Name string
	// Table is the API's endpoint table: the operations the fake serves, on which paths,
	// and the names faults are injected by (the client's method names).
	Table endpoint.Table
	// Clock is the fake's clock; nil: a new NewClock(time.Time{}).
	Clock *Clock
	// Fail answers an injected Fail fault in the API's own error format.
	Fail func(w http.ResponseWriter, f Fault)
	// NotFound answers a request no route matches; nil: HTTP 404.
	NotFound http.HandlerFunc
	// Secrets are redacted (with every fragment of 8 or more of their characters) from
	// recorded requests.
	Secrets []string
	// Outbound names the requests the fake sends itself (a callback it POSTs to the code
	// under test). Faults can be injected into them by these names too; the fake takes
	// them with Faults().Take when it sends.
	Outbound []string
}

// Server is the base every fake embeds: a loopback HTTP server that routes each request of
// the API's endpoint table to the fake's handler, records it (secrets redacted), applies
// the faults injected for its operation, and runs on a fake clock. The fake adds only its
// state, its handlers (Handle) and its named actions (AddActions), then calls Start.
// It implements Fake. It is safe for concurrent use.
type Server struct {
	name     string
	table    endpoint.Table
	clock    *Clock
	faults   *Faults   // the router's
	recorder *Recorder // the router's
	router   *Router
	ln       *listener

	mu       sync.Mutex
	handled  map[string]bool
	actions  []Action
	closed   bool
	onClose  []func()
	started  bool
	startErr error
}

// NewServer returns a base for the fake cfg describes; nothing listens until Start.
func NewServer(cfg Config) *Server {
	if cfg.Clock == nil {
		cfg.Clock = NewClock(time.Time{})
	}
	s := &Server{name: cfg.Name, table: cfg.Table, clock: cfg.Clock, handled: make(map[string]bool)}
	s.router = NewRouter(cfg.Clock, cfg.Fail)
	s.router.NotFound = cfg.NotFound
	s.faults, s.recorder = &s.router.Faults, &s.router.Recorder
	s.faults.allow(append(cfg.Table.Ops(), cfg.Outbound...)...)
	for _, sec := range cfg.Secrets {
		s.recorder.AddSecret(sec)
	}
	return s
}

// Handle registers h as the handler of operation op on every path the table gives it.
// It panics when op is not in the table: a fake serves its API's operations only.
func (s *Server) Handle(op string, h HandlerFunc) { s.HandleMatch(op, nil, h) }

// HandleMatch is Handle for an operation that shares its method and path with another one
// and is told apart by match (see Router.HandleMatch), e.g. an OAuth token endpoint serving
// the code exchange and the refresh; a nil match takes every request of the path (Handle).
// It panics when op is not in the table.
func (s *Server) HandleMatch(op string, match func(r *http.Request, body []byte) bool, h HandlerFunc) {
	found := false
	for _, e := range s.table.Endpoints {
		if e.Op == op {
			s.router.HandleMatch(e.Method, e.Path, op, match, h)
			found = true
		}
	}
	if !found {
		panic(fmt.Sprintf("mock: %s has no operation %q in its endpoint table", s.name, op))
	}
	s.mu.Lock()
	s.handled[op] = true
	s.mu.Unlock()
}

// Unhandled returns the table's operations that have no handler yet, in table order. A
// fake's coverage test asserts it is empty.
func (s *Server) Unhandled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unhandledLocked()
}

func (s *Server) unhandledLocked() []string {
	var out []string
	for _, op := range s.table.Ops() {
		if !s.handled[op] {
			out = append(out, op)
		}
	}
	return out
}

// Start starts serving on a loopback port. It panics when an operation of the table has
// no handler (see Unhandled).
func (s *Server) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return
	}
	if missing := s.unhandledLocked(); len(missing) > 0 {
		panic(fmt.Sprintf("mock: %s serves no handler for %v", s.name, missing))
	}
	ln, err := newListener(s.router)
	if err != nil {
		panic(fmt.Sprintf("mock: %s cannot listen on loopback: %v", s.name, err))
	}
	s.ln = ln
	s.started = true
}

// Name returns the fake's name, e.g. "smartro".
func (s *Server) Name() string { return s.name }

// Table returns the API's endpoint table the fake serves.
func (s *Server) Table() endpoint.Table { return s.table }

// URL returns the base URL (http://127.0.0.1:port) to point a client at.
func (s *Server) URL() string { return s.ln.url() }

// HTTPClient returns an *http.Client for the fake's loopback listener.
func (s *Server) HTTPClient() *http.Client { return s.ln.hc }

// Down takes the fake off the network as if its process had died: its port refuses
// connections, the connections of requests in flight are closed (their answers are lost),
// and Down returns once no request is being handled. The fake's state is kept. Calling it
// while down does nothing.
func (s *Server) Down() { s.ln.stop(false) }

// Up brings the fake back on the same port. It fails only when the port cannot be opened
// again, or after Close.
func (s *Server) Up() error { return s.ln.up() }

// IsDown reports whether the fake is down (or closed).
func (s *Server) IsDown() bool { return s.ln.isDown() }

// Handler returns the fake's HTTP handler, to serve it on another listener.
func (s *Server) Handler() http.Handler { return s.router }

// Clock returns the fake's clock.
func (s *Server) Clock() *Clock { return s.clock }

// Faults returns the fake's fault injection, by operation name (the client's method names).
func (s *Server) Faults() *Faults { return s.faults }

// Requests returns every request received so far, oldest first, secrets redacted.
func (s *Server) Requests() []Request { return s.recorder.Requests() }

// Recorder returns the fake's request recorder.
func (s *Server) Recorder() *Recorder { return s.recorder }

// InFlight returns the number of requests being handled now. A test driving a fake clock
// waits for 0 before moving time, so no answer is overtaken by the clock.
func (s *Server) InFlight() int { return s.router.InFlight() }

// AddSecret redacts v (and its 8+ character fragments) from recorded requests from now on.
func (s *Server) AddSecret(v string) { s.recorder.AddSecret(v) }

// OnClose registers f to run when the server closes, before the listener stops (fakes stop
// their background work there).
func (s *Server) OnClose(f func()) {
	s.mu.Lock()
	s.onClose = append(s.onClose, f)
	s.mu.Unlock()
}

// Close runs the OnClose functions and shuts the listener down. It is safe to call twice.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	fs := s.onClose
	ln := s.ln
	s.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
	if ln != nil {
		ln.stop(true)
	}
}

// AddActions adds named actions (test-side controls) to the fake; poskit-mock serves them
// as POST /{fake}/do/{name}. A name added twice replaces the earlier action.
func (s *Server) AddActions(as ...Action) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range as {
		replaced := false
		for i := range s.actions {
			if s.actions[i].Name == a.Name {
				s.actions[i], replaced = a, true
			}
		}
		if !replaced {
			s.actions = append(s.actions, a)
		}
	}
	sort.Slice(s.actions, func(i, j int) bool { return s.actions[i].Name < s.actions[j].Name })
}

// Actions returns the fake's named actions, sorted by name.
func (s *Server) Actions() []Action {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Action(nil), s.actions...)
}

var _ Fake = (*Server)(nil)
