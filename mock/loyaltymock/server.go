package loyaltymock

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
)

// Server is the fake DMS relay: a loopback server (it embeds *mock.Server: URL, Clock,
// Faults, Requests, Actions, Close) speaking both route sets, with seeded shops, wallets
// and access keys, the payment state machine on a fake clock, callbacks to the KIOSK, a
// scripted wallet and fault injection by client method name. It is safe for concurrent
// use.
type Server struct {
	*mock.Server
	opts     options
	clock    *mock.Clock
	cbClient *http.Client
	ctx      context.Context
	cancel   context.CancelFunc
	kick     chan struct{}
	loopDone chan struct{}
	chainID  uint64

	walletOnce   sync.Once
	walletClient *loyalty.Client // the scripted wallet's client of this fake

	mu           sync.Mutex
	idle         *sync.Cond // signalled when inflight drops
	inflight     int
	seed         Seed
	wallets      map[string]*walletState // lower-case account
	shops        map[string]*shopState   // lower-case shop id
	keys         map[string]*accessKeyState
	payments     map[string]*payment // paymentId as issued (lower case)
	byPurchase   map[string]*payment // shop + purchaseId → latest payment
	nextID       uint64
	seq          uint64
	passive      taskHeap // force-closes, applied when observed
	active       taskHeap // wallet answers and timeout callbacks, on a clock timer
	callbacks    []CallbackRecord
	policies     map[string]WalletPolicy // lower-case account
	scripts      map[string]WalletPolicy // leg + purchaseId
	dupCallbacks bool                    // deliver every callback twice (loyaltyprop)
	signerMu     map[string]*sync.Mutex  // lower-case signer → held while it answers
	walletLog    []WalletAnswer          // the scripted wallet's answers
	walletErrs   []error                 // its failures not yet returned by Sync
}

// NewServer starts a fake relay on a loopback port. Close it when done.
//
//	srv := loyaltymock.NewServer()
//	defer srv.Close()
func NewServer(opts ...Option) *Server {
	o := options{walletRoutes: loyalty.RouteSetRelay}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	if o.clock == nil {
		o.clock = mock.NewClock(time.Time{})
	}
	seed := DefaultSeed()
	if o.seed != nil {
		seed = *o.seed
	}
	seed.Wallets = append(append([]Wallet(nil), seed.Wallets...), o.wallets...)
	seed.Shops = append(append([]Shop(nil), seed.Shops...), o.shops...)
	seed.AccessKeys = append(append([]AccessKey(nil), seed.AccessKeys...), o.keys...)
	if seed.ChainID == 0 {
		seed.ChainID = DefaultChainID
	}
	if seed.Rates.Currency == nil {
		seed.Rates = loyalty.DefaultRates()
	}
	s := &Server{
		Server: mock.NewServer(mock.Config{
			Name:     "loyalty",
			Table:    loyaltywire.Table,
			Clock:    o.clock,
			Fail:     writeFault,
			NotFound: notFound,
			Outbound: []string{OpCallback},
		}),
		opts:       o,
		clock:      o.clock,
		kick:       make(chan struct{}, 1),
		loopDone:   make(chan struct{}),
		wallets:    make(map[string]*walletState),
		shops:      make(map[string]*shopState),
		keys:       make(map[string]*accessKeyState),
		payments:   make(map[string]*payment),
		byPurchase: make(map[string]*payment),
		policies:   make(map[string]WalletPolicy),
		scripts:    make(map[string]WalletPolicy),
		signerMu:   make(map[string]*sync.Mutex),
	}
	s.idle = sync.NewCond(&s.mu)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for i := range seed.Wallets {
		s.addWalletLocked(&seed.Wallets[i])
	}
	for _, sh := range seed.Shops {
		s.addShopLocked(sh)
	}
	for _, k := range seed.AccessKeys {
		s.addKeyLocked(k)
	}
	s.seed = seed
	s.chainID = seed.ChainID

	s.handlers()
	s.AddActions(s.actions()...)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	s.cbClient = &http.Client{Transport: tr, Timeout: callbackTimeout}
	s.OnClose(func() {
		s.cancel()
		<-s.loopDone
		s.cbClient.CloseIdleConnections()
	})
	s.Start()
	go s.loop()
	return s
}

// callbackTimeout bounds one callback POST to the kiosk (the http.Client's timeout): a
// kiosk handler that never answers must not hang the fake (the relay, too, gives up and
// never retries).
const callbackTimeout = 10 * time.Second

// String names the fake and its URL; it never shows the seeded access keys or wallet keys.
func (s *Server) String() string { return "loyaltymock.Server(" + s.URL() + ")" }

// GoString is String, so %#v shows no secret either.
func (s *Server) GoString() string { return s.String() }

// Format writes String for every verb, so no verb shows a seeded secret.
func (s *Server) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// addWalletLocked adds w, first filling its account from its key when empty.
func (s *Server) addWalletLocked(w *Wallet) {
	if w.Account == "" && w.Key != nil {
		w.Account = w.Key.Address()
	}
	s.wallets[lower(w.Account)] = &walletState{name: w.Name, key: w.Key, account: w.Account, balance: w.Balance, nonce: w.Nonce}
}

func (s *Server) addShopLocked(sh Shop) { s.shops[lower(sh.ID)] = &shopState{Shop: sh} }

func (s *Server) addKeyLocked(k AccessKey) {
	s.keys[k.Key] = &accessKeyState{AccessKey: k}
	s.AddSecret(k.Key) // recorded bodies of the document's POSTs carry it
}

// AddWallet seeds a wallet while the server runs (it replaces one with the
// same account).
func (s *Server) AddWallet(w Wallet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addWalletLocked(&w)
	s.seed.Wallets = append(s.seed.Wallets, w)
}

// AddShop seeds a shop while the server runs.
func (s *Server) AddShop(sh Shop) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addShopLocked(sh)
	s.seed.Shops = append(s.seed.Shops, sh)
}

// AddAccessKey seeds an access key while the server runs.
func (s *Server) AddAccessKey(k AccessKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addKeyLocked(k)
	s.seed.AccessKeys = append(s.seed.AccessKeys, k)
}

// SetCallbackURL changes the server-wide callback URL (see WithCallbackURL).
func (s *Server) SetCallbackURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.callbackURL = u
}

// SetCallbackDialect changes the callback spelling (see WithCallbackDialect).
func (s *Server) SetCallbackDialect(d loyalty.CallbackDialect) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.dialect = d
}

// Seed returns the seed the server started with plus what was added since.
func (s *Server) Seed() Seed {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.seed
	out.Wallets = append([]Wallet(nil), s.seed.Wallets...)
	out.Shops = append([]Shop(nil), s.seed.Shops...)
	out.AccessKeys = append([]AccessKey(nil), s.seed.AccessKeys...)
	return out
}

// ---------------------------------------------------------------------------
// Inspection

// Payment returns a payment as the fake holds it now.
func (s *Server) Payment(id string) (loyalty.Payment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.clock.Now())
	p := s.payments[lower(id)]
	if p == nil {
		return loyalty.Payment{}, false
	}
	return p.p, true
}

// Payments returns the ids of every payment, in no particular order.
func (s *Server) Payments() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.payments))
	for id := range s.payments {
		out = append(out, id)
	}
	return out
}

// Balance returns an account's point balance: it drops when a payment closes
// and rises when a cancel closes (points held by an approved, unclosed
// payment are still counted).
func (s *Server) Balance(account string) loyalty.Amount {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.clock.Now())
	if w := s.wallets[lower(account)]; w != nil {
		return w.balance
	}
	return loyalty.Amount{}
}

// SetBalance changes an account's point balance.
func (s *Server) SetBalance(account string, a loyalty.Amount) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.walletLocked(account).balance = a
}

// Nonce returns an account's ledger nonce.
func (s *Server) Nonce(account string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.wallets[lower(account)]; w != nil {
		return w.nonce
	}
	return 0
}

// ShopState is a shop as shop/info reports it.
type ShopState struct {
	Shop
	UsedPoint    loyalty.Amount // points paid at the shop (closed payments − closed cancels)
	SettledPoint loyalty.Amount // UsedPoint − ProvidedPoint when positive
}

// ShopState returns a shop's current figures.
func (s *Server) ShopState(shopID string) (ShopState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.clock.Now())
	sh := s.shops[lower(shopID)]
	if sh == nil {
		return ShopState{}, false
	}
	return sh.state(), true
}

func (sh *shopState) state() ShopState {
	st := ShopState{Shop: sh.Shop, UsedPoint: sh.used}
	if d, err := sh.used.Sub(sh.ProvidedPoint); err == nil {
		st.SettledPoint = d
	}
	return st
}
