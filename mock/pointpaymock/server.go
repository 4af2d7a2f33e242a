package pointpaymock

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/pointpaywire"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/pointpay"
)

// Operation names, for Faults().Inject and mock.Request.Op.
const (
	OpPopup   = pointpaywire.OpPopup   // GET /pointhub/direct or /pointhub/direct.php: the popup page
	OpConvert = pointpaywire.OpConvert // POST the popup's form: convert, then call the shop back
)

// Defaults of a Server.
const (
	// DefaultMediaID is the merchant's media id (a_code) unless WithMediaID says otherwise.
	DefaultMediaID = "MEDIA01"
	// DefaultSolutionCreditDelay is how long after a conversion the solution credit hook
	// runs, on the fake clock: the guide's "about one minute".
	DefaultSolutionCreditDelay = time.Minute
	// DefaultCallbackTimeout bounds one result POST to the return URL (real time: it is the
	// http.Client's Timeout, not a wait on the clock).
	DefaultCallbackTimeout = 10 * time.Second
	// MaxPoints is the largest conversion the fake accepts. Modelled: the guides give no
	// limit; this is Cafe24's largest single mileage increase.
	MaxPoints = 1_000_000
)

// Timer tags on the fake clock (mock.Clock.TaggedWaiters): a pending resend of a result,
// and a pending solution credit.
const (
	ResendTag = "pointpaymock.resend"
	CreditTag = "pointpaymock.credit"
)

// DefaultResendSchedule returns the waits before each resend of a result that was not
// answered "201": 1, 5, 10 and 30 minutes, then 1 hour; after the last, the fake gives up.
// Modelled: PointPay does not document its schedule.
func DefaultResendSchedule() []time.Duration {
	return []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour}
}

// SolutionCreditFunc credits a Cafe24 solution merchant's member: what PointPay does itself
// (POST /api/v2/admin/points with the shop's token) about a minute after a conversion.
// orderNo is the conversion's rw_orderno, the natural idempotency key (Cafe24's order_id).
// ctx ends when the fake closes.
type SolutionCreditFunc func(ctx context.Context, memberID string, points int64, orderNo string) error

// Option configures NewServer.
type Option func(*config)

type config struct {
	clock       *mock.Clock
	mediaID     string
	returnURL   string
	schedule    []time.Duration
	duplicate   bool
	timeout     time.Duration
	credit      SolutionCreditFunc
	creditDelay time.Duration
}

// WithClock sets the fake clock (default: a new mock.NewClock(time.Time{})). Resends and
// solution credits wait on it; rw_reg_datetime reads it.
func WithClock(c *mock.Clock) Option { return func(cf *config) { cf.clock = c } }

// WithMediaID sets the merchant's media id (a_code) the fake serves (default
// DefaultMediaID). NewServer panics on an id pointpay.PopupURL would refuse.
func WithMediaID(id string) Option { return func(cf *config) { cf.mediaID = id } }

// WithReturnURL sets the merchant's RETURN URL the results are POSTed to. Only loopback
// http(s) URLs are used; with another, every delivery is refused (DeliveryRefusedURL).
// Default: none (DeliveryNoReturnURL, as for a solution merchant). See SetReturnURL.
func WithReturnURL(u string) Option { return func(cf *config) { cf.returnURL = u } }

// WithResendSchedule sets the waits, on the fake clock, before each resend of a result
// not answered "201" (default DefaultResendSchedule()). No durations: never resend.
func WithResendSchedule(waits ...time.Duration) Option {
	return func(cf *config) { cf.schedule = append([]time.Duration{}, waits...) }
}

// WithDuplicateSends makes the fake send every result twice, one right after the other
// (default off). See SetDuplicateSends.
func WithDuplicateSends(on bool) Option { return func(cf *config) { cf.duplicate = on } }

// WithCallbackTimeout bounds one result POST (default DefaultCallbackTimeout).
func WithCallbackTimeout(d time.Duration) Option { return func(cf *config) { cf.timeout = d } }

// WithSolutionCredit makes the merchant a Cafe24 solution merchant: after each conversion,
// once the solution credit delay has passed on the fake clock, f credits the member (the
// cafe24 fake plugs in here). Its outcome is Conversion.Credit; a failure is not retried.
func WithSolutionCredit(f SolutionCreditFunc) Option { return func(cf *config) { cf.credit = f } }

// WithSolutionCreditDelay sets the wait before the solution credit (default
// DefaultSolutionCreditDelay; 0 credits at once, still from another goroutine).
func WithSolutionCreditDelay(d time.Duration) Option {
	return func(cf *config) { cf.creditDelay = d }
}

// Server is the fake PointPay: it serves the conversion popup page and its form on
// loopback, and POSTs each conversion's result to the merchant's return URL, resending on
// the fake clock until it is answered "201". It embeds *mock.Server (clock, faults by
// operation, recorded requests, actions). It is safe for concurrent use.
type Server struct {
	*mock.Server
	mediaID     string
	schedule    []time.Duration
	credit      SolutionCreditFunc
	creditDelay time.Duration
	client      *http.Client
	transport   *http.Transport
	ctx         context.Context // ends at Close
	cancel      context.CancelFunc
	wg          sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	returnURL string
	returnErr error // why returnURL is refused; nil when usable or empty
	duplicate bool
	convs     map[string]*conv
	order     []*conv
	changed   chan struct{} // closed and replaced whenever a conversion changes
}

// NewServer starts a fake PointPay for one merchant. It panics on an invalid media id.
func NewServer(opts ...Option) *Server {
	cfg := config{mediaID: DefaultMediaID, schedule: DefaultResendSchedule(), timeout: DefaultCallbackTimeout,
		creditDelay: DefaultSolutionCreditDelay}
	for _, o := range opts {
		o(&cfg)
	}
	if _, err := pointpay.PopupURL(cfg.mediaID, "member"); err != nil {
		panic("pointpaymock: media id: " + err.Error())
	}
	if cfg.clock == nil {
		cfg.clock = mock.NewClock(time.Time{})
	}
	if cfg.timeout <= 0 {
		cfg.timeout = DefaultCallbackTimeout
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	s := &Server{
		mediaID: cfg.mediaID, schedule: cfg.schedule, credit: cfg.credit, creditDelay: cfg.creditDelay,
		transport: tr, duplicate: cfg.duplicate, convs: make(map[string]*conv), changed: make(chan struct{}),
		client: &http.Client{Transport: tr, Timeout: cfg.timeout,
			// A redirect could leave loopback: the answer is the redirect itself.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.returnURL, s.returnErr = cfg.returnURL, CheckReturnURL(cfg.returnURL)
	s.Server = mock.NewServer(mock.Config{Name: "pointpay", Table: pointpaywire.Endpoints, Clock: cfg.clock,
		Fail: writeFault, NotFound: notFound})
	s.Handle(OpPopup, mock.Typed(pageCodec{}, s.popup))
	s.Handle(OpConvert, mock.Typed(pageCodec{}, s.convertForm))
	s.AddActions(s.actions()...)
	s.OnClose(s.stop)
	s.Start()
	return s
}

// stop ends the resend and credit goroutines and waits for them.
func (s *Server) stop() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.transport.CloseIdleConnections()
}

// MediaID returns the merchant's media id (a_code) the fake serves.
func (s *Server) MediaID() string { return s.mediaID }

// PopupURL returns the fake's popup URL for a member of the shop: pointpay.PopupURL with
// the fake's media id and its /pointhub/direct address. opts are applied after, so
// pointpay.WithPopupBaseURL(srv.URL()+"/pointhub/direct.php") serves the other form.
func (s *Server) PopupURL(memberID string, opts ...pointpay.PopupOption) (string, error) {
	all := append([]pointpay.PopupOption{pointpay.WithPopupBaseURL(s.URL() + pointpaywire.PathPopupDirect)}, opts...)
	return pointpay.PopupURL(s.mediaID, memberID, all...)
}

// SetReturnURL sets the merchant's RETURN URL for the deliveries from now on (resends of
// earlier conversions included). It refuses, changing nothing, a URL that is not an
// absolute http(s) URL on a loopback host; "" removes it.
func (s *Server) SetReturnURL(u string) error {
	if err := CheckReturnURL(u); err != nil {
		return err
	}
	s.mu.Lock()
	s.returnURL, s.returnErr = u, nil
	s.mu.Unlock()
	return nil
}

// ReturnURL returns the merchant's RETURN URL ("" when none).
func (s *Server) ReturnURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.returnURL
}

// SetDuplicateSends switches sending every result twice on or off.
func (s *Server) SetDuplicateSends(on bool) {
	s.mu.Lock()
	s.duplicate = on
	s.mu.Unlock()
}

// DuplicateSends reports whether every result is sent twice.
func (s *Server) DuplicateSends() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.duplicate
}

// CheckReturnURL reports why u cannot be the fake's return URL: it must be an absolute
// http(s) URL without user info on a loopback host ("localhost" or a loopback IP); ""
// (none) is allowed. SetReturnURL and WithReturnURL apply it.
func CheckReturnURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return fmt.Errorf("pointpaymock: return URL %q is not an absolute http(s) URL", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("pointpaymock: return URL host %q is not loopback; the fake POSTs to loopback only", host)
	}
	return nil
}
