package smartromock

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	wire "github.com/poskit/poskit/internal/smartrowire"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/smartro"
)

// Operation names, for Faults().Inject and mock.Request.Op: the smartro.Client methods,
// as smartro's endpoint table lists them.
const (
	OpTables          = wire.OpTables          // POST /partner/v1/table
	OpMenuChanged     = wire.OpMenuChanged     // POST /partner/v1/menu/state
	OpMenu            = wire.OpMenu            // POST /partner/v1/menu/edit
	OpNewOrder        = wire.OpNewOrder        // POST /partner/v1/table/order/new
	OpAdditionalOrder = wire.OpAdditionalOrder // POST /partner/v1/table/order/add
	OpTableOrders     = wire.OpTableOrders     // POST /partner/v1/table/order
	OpStoreOrders     = wire.OpStoreOrders     // POST /partner/v2/table/order
	OpReturnOrder     = wire.OpReturnOrder     // POST /partner/v1/table/order/cancel
)

// Expiry is how long after acceptance an undelivered order may still reach the POS; after
// it the order is dropped and leaves the lookup (the guide's 60 s rule).
const Expiry = 60 * time.Second

// DefaultDeliveryDelay is how long, on the fake clock, an accepted order takes to reach the
// POS unless WithDeliveryDelay or SetDeliveryDelay say otherwise.
const DefaultDeliveryDelay = time.Second

// Limits of the live-order lookups.
const (
	TableLookupLimit = smartro.TableLookupLimit // TableOrders: latest 10 orders of the table
	StoreLookupLimit = smartro.StoreLookupLimit // StoreOrders: latest 5 orders of each table (Modelled)
)

// CodeServerError is the ERRCODE of an injected mock.Fail fault that names no code; it is
// answered with HTTP 500 unless the fault gives a status. It is the fake's own code.
const CodeServerError = wire.CodeServerError

// kst is Korea Standard Time, the zone of every date and time on the wire.
var kst = time.FixedZone("KST", 9*3600)

// Server is the fake Order Agent: a mock.Server (loopback listener, clock, faults,
// recorded requests, named actions) speaking smartro's wire format, with one store, its
// tables and menu, its orders and the POS on the other side. It is safe for concurrent use.
type Server struct {
	*mock.Server
	clock     *mock.Clock
	storeID   string
	serviceID string
	downtime  time.Duration

	mu          sync.Mutex
	tables      []smartro.Table
	tableSet    map[smartro.TableRef]bool
	menu        *smartro.Menu
	menuWire    wire.MenuAnswer
	menuUpdated time.Time
	bizOpen     bool
	online      bool
	onlineSince time.Time // when the agent last came online
	backAt      time.Time // restart in progress: online again at this time (zero: none)
	restarts    int
	occ         map[smartro.TableRef]occupancy
	delay       time.Duration
	delayFor    map[string]time.Duration // by MCHT_ORDERNO, for the next/live order
	failNext    int
	latency     map[string]time.Duration // by operation

	seq     int
	posSeq  int
	orders  []*order // every order ever accepted, oldest first
	byNo    map[string]*order
	byMcht  map[string]*order // live (not expired) orders by MCHT_ORDERNO
	byTable map[smartro.TableRef][]*order
	pending []*order // accepted, not yet delivered or expired
}

type occupancy struct {
	screen  bool // Occupy … Release
	payment bool // StartPOSPayment … FinishPOSPayment
}

// config is what Options set.
type config struct {
	clock     *mock.Clock
	storeID   string
	serviceID string
	tables    []smartro.Table
	menu      *smartro.Menu
	delay     time.Duration
	downtime  time.Duration
}

// Option configures a Server. Options cannot fail; NewServer checks the result.
type Option func(*config)

// OptionError is what NewServer panics with when its options are invalid.
type OptionError struct {
	Option  string // e.g. "WithStore"
	Problem string
}

func (e *OptionError) Error() string { return "smartromock: " + e.Option + ": " + e.Problem }

// WithClock runs the server on c (share one clock with the client under test). The
// default is a new mock.NewClock(time.Time{}).
func WithClock(c *mock.Clock) Option { return func(s *config) { s.clock = c } }

// WithStore sets the STORE_ID and SERVICE_ID the server accepts (default DefaultStoreID,
// DefaultServiceID); both must be non-empty.
func WithStore(storeID, serviceID string) Option {
	return func(s *config) { s.storeID, s.serviceID = storeID, serviceID }
}

// WithTables replaces the default tables (DefaultTables).
func WithTables(ts []smartro.Table) Option {
	return func(s *config) { s.tables = append([]smartro.Table(nil), ts...) }
}

// WithMenu replaces the default menu (DefaultMenu); its update time is the clock's start.
func WithMenu(m *smartro.Menu) Option { return func(s *config) { s.menu = cloneMenu(m) } }

// WithDeliveryDelay sets how long an accepted order takes to reach the POS (default
// DefaultDeliveryDelay; not negative). A delay of Expiry or more means orders are never
// delivered.
func WithDeliveryDelay(d time.Duration) Option { return func(s *config) { s.delay = d } }

// WithRestartDowntime makes Restart take the agent offline for d (on the fake clock; not
// negative) before it is online again; the default 0 restarts at once.
func WithRestartDowntime(d time.Duration) Option { return func(s *config) { s.downtime = d } }

// NewServer starts a fake Order Agent on a loopback port with the default store, tables
// and menu, the business day open and the agent online. Close it when done. Invalid
// options (empty store ids, a negative delay) make it panic with an *OptionError.
func NewServer(opts ...Option) *Server {
	cfg := config{storeID: DefaultStoreID, serviceID: DefaultServiceID, delay: DefaultDeliveryDelay,
		tables: DefaultTables(), menu: DefaultMenu()}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case cfg.storeID == "" || cfg.serviceID == "":
		panic(&OptionError{"WithStore", "STORE_ID and SERVICE_ID must not be empty"})
	case cfg.delay < 0:
		panic(&OptionError{"WithDeliveryDelay", fmt.Sprintf("negative delay %v", cfg.delay)})
	case cfg.downtime < 0:
		panic(&OptionError{"WithRestartDowntime", fmt.Sprintf("negative downtime %v", cfg.downtime)})
	}
	if cfg.clock == nil {
		cfg.clock = mock.NewClock(time.Time{})
	}
	s := &Server{
		clock:     cfg.clock,
		storeID:   cfg.storeID,
		serviceID: cfg.serviceID,
		downtime:  cfg.downtime,
		menu:      cfg.menu,
		bizOpen:   true,
		online:    true,
		delay:     cfg.delay,
		occ:       make(map[smartro.TableRef]occupancy),
		delayFor:  make(map[string]time.Duration),
		latency:   make(map[string]time.Duration),
		byNo:      make(map[string]*order),
		byMcht:    make(map[string]*order),
		byTable:   make(map[smartro.TableRef][]*order),
	}
	s.setTablesLocked(cfg.tables)
	now := s.clock.Now()
	s.menuWire = menuToWire(s.menu)
	s.menuUpdated = now.Truncate(time.Second)
	s.onlineSince = now

	s.Server = mock.NewServer(mock.Config{
		Name:  "smartro",
		Table: wire.Endpoints,
		Clock: s.clock,
		Fail:  writeFault,
		NotFound: func(w http.ResponseWriter, r *http.Request) {
			_ = wire.WriteErrorEnvelope(w, http.StatusNotFound, wire.CodeInvalidRequest, "지원하지 않는 요청입니다", "no such call: "+r.Method+" "+r.URL.Path)
		},
		// The client treats the store's ids as credentials; recorded requests hide them too.
		Secrets: []string{s.storeID, s.serviceID},
	})
	s.handle()
	s.AddActions(s.actions()...)
	s.Start()
	return s
}

// writeFault answers an injected mock.Fail fault in the smartro envelope.
func writeFault(w http.ResponseWriter, f mock.Fault) {
	status, code, msg := f.Status, f.Code, f.Message
	if code == "" {
		code = CodeServerError
		if status == 0 {
			status = http.StatusInternalServerError
		}
	}
	if msg == "" {
		msg = "서버 오류"
	}
	if status == 0 {
		status = http.StatusOK
	}
	_ = wire.WriteErrorEnvelope(w, status, code, msg, "injected fault")
}

// RequestCount returns how many requests of operation op were received ("" counts all).
func (s *Server) RequestCount(op string) int { return s.Recorder().Count(op) }

// StoreID returns the STORE_ID the server accepts.
func (s *Server) StoreID() string { return s.storeID }

// ServiceID returns the SERVICE_ID the server accepts.
func (s *Server) ServiceID() string { return s.serviceID }

// Tables returns a copy of the store's tables.
func (s *Server) Tables() []smartro.Table {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smartro.Table(nil), s.tables...)
}

// SetTables replaces the store's tables. Orders of removed tables stay in Orders.
func (s *Server) SetTables(ts []smartro.Table) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setTablesLocked(ts)
}

func (s *Server) setTablesLocked(ts []smartro.Table) {
	s.tables = append([]smartro.Table(nil), ts...)
	s.tableSet = make(map[smartro.TableRef]bool, len(ts))
	for _, t := range ts {
		s.tableSet[t.Ref()] = true
	}
}

// Menu returns a copy of the store's menu.
func (s *Server) Menu() *smartro.Menu {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneMenu(s.menu)
}

// SetMenu replaces the store's menu; its update time becomes the clock's now, so the
// changed-since call (PathMenuState) answers Y for any earlier check time.
func (s *Server) SetMenu(m *smartro.Menu) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.menu = cloneMenu(m)
	s.menuWire = menuToWire(s.menu)
	s.menuUpdated = s.clock.Now().Truncate(time.Second)
}

// SetMenuUpdated sets the menu's update time (UPDATE_DTIME, second precision).
func (s *Server) SetMenuUpdated(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.menuUpdated = t.Truncate(time.Second)
}

// MenuUpdated returns the menu's update time.
func (s *Server) MenuUpdated() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.menuUpdated
}
