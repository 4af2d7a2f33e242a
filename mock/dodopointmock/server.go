package dodopointmock

import (
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

// Server is the fake assist program. It embeds *mock.Server (loopback listener, clock,
// faults, recorded requests, actions); the base's Down and Up take the program off the
// network (its port refuses connections: dodopoint.CodeUnavailable; requests in flight
// lose their connection: lost) and bring it back on the same port. It is safe for
// concurrent use.
type Server struct {
	*mock.Server

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
		policy:   cfg.policy,
		payments: make(map[string]*payment),
	}
	s.Handle(OpClaim, mock.Typed(codec{}, s.claim))
	s.Handle(OpCancel, mock.Typed(codec{}, s.cancel))
	s.AddActions(s.actions()...)
	s.Start()
	return s
}

// Transport returns an HTTPTransport ready for this program: its URL and loopback
// client; opts are applied after these. It panics if the transport cannot be built (only
// with a bad option).
func (s *Server) Transport(opts ...dodopoint.TransportOption) *dodopoint.HTTPTransport {
	base := []dodopoint.TransportOption{dodopoint.WithHTTPClient(s.HTTPClient())}
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
