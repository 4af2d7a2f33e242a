package dodopointmock

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/poskit/poskit/dodopoint"
	"github.com/poskit/poskit/internal/dodopointwire"
	"github.com/poskit/poskit/mock"
)

// Name is the fake's name in poskit-mock's admin API.
const Name = "dodopoint"

// Operation names, for Faults().Inject and mock.Request.Op: the dodopoint.Transport method
// names.
const (
	OpClaim  = dodopointwire.OpClaim
	OpCancel = dodopointwire.OpCancel
)

// Server is the fake assist program. It embeds *mock.Server (clock, faults, recorded
// requests, actions) and serves on its own loopback listener, which Down closes and Up
// opens again on the same port: URL and HTTPClient are that listener's (the base's own
// listener, reachable as Server.Server.URL, is not brought down and is not for clients).
// It is safe for concurrent use.
type Server struct {
	*mock.Server
	hc *http.Client

	lmu    sync.Mutex
	addr   string
	hs     *http.Server
	ln     net.Listener
	down   bool
	closed bool
	gate   sync.RWMutex // held shared by each request; Down takes it to wait them out

	mu       sync.Mutex
	policy   TabletPolicy
	payments map[string]*payment
	order    []*payment // claim order
	history  []Applied
}

// Option configures a Server.
type Option func(*config)

type config struct {
	clock  *mock.Clock
	policy TabletPolicy
}

// WithClock runs the fake on c (its Delay faults wait on it; share it with the outbox's
// clock in tests). The default is a new mock.NewClock(time.Time{}).
func WithClock(c *mock.Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithTabletPolicy sets how the simulated tablet answers offers (default TabletAccept).
func WithTabletPolicy(p TabletPolicy) Option { return func(cfg *config) { cfg.policy = p } }

// NewServer starts a fake assist program on a loopback port, up, with no payments. An
// unknown tablet policy is taken as TabletAccept. Close it when done.
func NewServer(opts ...Option) *Server {
	cfg := config{policy: TabletAccept}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.clock == nil {
		cfg.clock = mock.NewClock(time.Time{})
	}
	if !cfg.policy.valid() {
		cfg.policy = TabletAccept
	}
	s := &Server{
		Server: mock.NewServer(mock.Config{
			Name:     Name,
			Table:    dodopointwire.Table,
			Clock:    cfg.clock,
			Fail:     writeFault,
			NotFound: notFound,
		}),
		hc:       &http.Client{Transport: &http.Transport{}, Timeout: time.Minute},
		policy:   cfg.policy,
		payments: make(map[string]*payment),
	}
	s.Handle(OpClaim, mock.Typed(codec{}, s.claim))
	s.Handle(OpCancel, mock.Typed(codec{}, s.cancel))
	s.AddActions(s.actions()...)
	s.Start()
	s.OnClose(s.shutdown)
	if err := s.listen("127.0.0.1:0"); err != nil {
		s.Server.Close()
		panic("dodopointmock: " + err.Error())
	}
	return s
}

// listen opens the program's listener on addr and serves on it. Called with lmu held or
// before the server is shared.
func (s *Server) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.addr = ln.Addr().String()
	h := s.Handler()
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.gate.RLock()
		defer s.gate.RUnlock()
		if s.IsDown() {
			// Accepted just before the listener closed: as if the program had died.
			if !mock.DropConnection(w) {
				panic(http.ErrAbortHandler)
			}
			return
		}
		h.ServeHTTP(w, r)
	})}
	s.hs, s.ln = hs, ln
	go func() { _ = hs.Serve(ln) }()
	return nil
}

// URL returns the program's base URL (http://127.0.0.1:port), the same while it is down.
func (s *Server) URL() string {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	return "http://" + s.addr
}

// HTTPClient returns an *http.Client for the program's loopback listener.
func (s *Server) HTTPClient() *http.Client { return s.hc }

// Down brings the program down: its listener closes, so connections are refused
// (dodopoint.CodeUnavailable), and the connections of requests in flight are closed (the
// POS sees them lost). Down returns once no request is being handled. Calling it while
// down does nothing.
func (s *Server) Down() {
	s.lmu.Lock()
	if s.down || s.closed {
		s.lmu.Unlock()
		return
	}
	s.down = true
	hs, ln := s.hs, s.ln
	s.lmu.Unlock()
	// The listener is closed here, not only by hs.Close: Serve may not have registered it
	// yet, and Up must find the port free.
	_ = ln.Close()
	_ = hs.Close()
	s.gate.Lock() // every request in flight has returned
	s.gate.Unlock()
	s.hc.CloseIdleConnections()
}

// Up brings the program back, listening on the same port. It returns an error only when
// the port cannot be opened again. Calling it while up, or after Close, does nothing.
func (s *Server) Up() error {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	if !s.down || s.closed {
		return nil
	}
	if err := s.listen(s.addr); err != nil {
		return err
	}
	s.down = false
	return nil
}

// IsDown reports whether the program is down.
func (s *Server) IsDown() bool {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	return s.down
}

// shutdown closes the program's listener for good (OnClose).
func (s *Server) shutdown() {
	s.lmu.Lock()
	s.closed = true
	hs, ln := s.hs, s.ln
	s.lmu.Unlock()
	_ = ln.Close()
	_ = hs.Close()
	s.gate.Lock()
	s.gate.Unlock()
	s.hc.CloseIdleConnections()
}

// Transport returns an HTTPTransport ready for this program: its URL and loopback
// client; opts are applied after these. It panics if the transport cannot be built (only
// with a bad option).
func (s *Server) Transport(opts ...dodopoint.TransportOption) *dodopoint.HTTPTransport {
	base := []dodopoint.TransportOption{dodopoint.WithHTTPClient(s.hc)}
	t, err := dodopoint.NewHTTPTransport(s.URL(), append(base, opts...)...)
	if err != nil {
		panic("dodopointmock: " + err.Error())
	}
	return t
}

// Outbox opens the outbox file at path delivering to this program through Transport(),
// with its retry pauses on the fake's clock (advance it to let a retry happen); opts are
// applied after these.
func (s *Server) Outbox(path string, opts ...dodopoint.Option) (*dodopoint.Outbox, error) {
	base := []dodopoint.Option{dodopoint.WithClock(s.Clock())}
	return dodopoint.OpenFile(path, s.Transport(), append(base, opts...)...)
}

// writeFault answers an injected mock.Fail fault: BUSY with HTTP 503 unless the fault
// names a code or status. Nothing is applied.
func writeFault(w http.ResponseWriter, f mock.Fault) {
	code, status, msg := f.Code, f.Status, f.Message
	if code == "" {
		code = dodopointwire.CodeBusy
	}
	if status == 0 {
		status = dodopointwire.StatusOf(code)
	}
	if msg == "" {
		msg = "injected fault"
	}
	dodopointwire.WriteAnswer(w, status, code, msg)
}

func notFound(w http.ResponseWriter, r *http.Request) {
	dodopointwire.WriteAnswer(w, http.StatusNotFound, dodopointwire.CodeNoSuchCall, "no such call: "+r.Method+" "+r.URL.Path)
}
