package loyaltymock

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
)

type options struct {
	clock           *mock.Clock
	seed            *Seed
	wallets         []Wallet
	shops           []Shop
	keys            []AccessKey
	callbackURL     string
	dialect         loyalty.CallbackDialect
	callbackHeader  bool
	lenient         bool
	timeoutCallback bool
	walletRoutes    loyalty.Routes
	walletDefault   WalletPolicy
}

// Option configures a Server.
type Option func(*options)

// WithClock runs the fake on clk (share one clock between the fake and the
// code under test). By default the fake has its own mock.NewClock(time.Time{}).
func WithClock(clk *mock.Clock) Option { return func(o *options) { o.clock = clk } }

// WithSeed replaces DefaultSeed.
func WithSeed(s Seed) Option { return func(o *options) { o.seed = &s } }

// WithWallet adds a wallet to the seed.
func WithWallet(w Wallet) Option { return func(o *options) { o.wallets = append(o.wallets, w) } }

// WithShop adds a shop to the seed.
func WithShop(sh Shop) Option { return func(o *options) { o.shops = append(o.shops, sh) } }

// WithAccessKey adds an access key to the seed.
func WithAccessKey(k AccessKey) Option { return func(o *options) { o.keys = append(o.keys, k) } }

// WithCallbackURL sets where results are posted for access keys without their
// own CallbackURL. It must be a loopback URL (httptest); others are recorded
// as errors and not sent.
func WithCallbackURL(u string) Option { return func(o *options) { o.callbackURL = u } }

// WithCallbackDialect selects the callback spelling (default the relay's:
// {accessKey, type "pay_new"|"pay_cancel", code 0|4000|7000, message, data}).
func WithCallbackDialect(d loyalty.CallbackDialect) Option {
	return func(o *options) { o.dialect = d }
}

// WithCallbackKeyHeader also sends the access key in the Authorization header
// of relay-dialect callbacks (some relay versions do).
func WithCallbackKeyHeader() Option { return func(o *options) { o.callbackHeader = true } }

// WithLenientSignatures accepts any well-formed signature on the approval
// routes, for tests that do not care about wallet signatures.
func WithLenientSignatures() Option { return func(o *options) { o.lenient = true } }

// WithTimeoutCallback also sends the 7000 timeout callback when a leg's 45 s
// approval window passes without a wallet answer (a timer on the fake clock).
// Without it the fake behaves as the relay: no callback comes, and the leg is
// force-closed after 300 s. Modelled: the document's "45 s without a callback
// is a timeout" seen from the relay side.
func WithTimeoutCallback() Option { return func(o *options) { o.timeoutCallback = true } }

// WithWalletRoutes sets the routes the scripted wallet calls (default
// loyalty.RelayRoutes(): one approval path with the approval flag).
func WithWalletRoutes(r loyalty.Routes) Option { return func(o *options) { o.walletRoutes = r } }

// WithWalletPolicy sets the policy of every account without its own (default:
// approve at once).
func WithWalletPolicy(p WalletPolicy) Option { return func(o *options) { o.walletDefault = p } }

// Server is the fake DMS relay: an httptest server speaking both route sets,
// with seeded shops, wallets and access keys, the payment state machine on a
// fake clock, callbacks to the KIOSK, a scripted wallet and fault injection.
// It is safe for concurrent use.
type Server struct {
	opts     options
	clock    *mock.Clock
	rt       *mock.Router
	hs       *httptest.Server
	cbClient *http.Client
	ctx      context.Context
	cancel   context.CancelFunc
	kick     chan struct{}
	loopDone chan struct{}

	noncePrefix, nonceSuffix, nonceTemplate string
	chainID                                 uint64

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
	dupCallbacks bool                    // deliver every callback twice (CheckKioskIntegration)
}

// NewServer starts a fake relay on a loopback port. Close it when done.
//
//	srv := loyaltymock.NewServer()
//	defer srv.Close()
func NewServer(opts ...Option) *Server {
	o := options{walletRoutes: loyalty.RelayRoutes()}
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
	}
	s.idle = sync.NewCond(&s.mu)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.rt = mock.NewRouter(o.clock, writeFault)
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

	s.routes()
	s.hs = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	tr := http.DefaultTransport.(*http.Transport).Clone()
	s.cbClient = &http.Client{Transport: tr, Timeout: callbackTimeout}
	go s.loop()
	return s
}

// callbackTimeout bounds one callback POST to the kiosk, in real time: a kiosk handler
// that never answers must not hang the fake (the relay, too, gives up and never retries).
const callbackTimeout = 10 * time.Second

// String names the fake and its URL; it never shows the seeded access keys or wallet keys.
func (s *Server) String() string { return "loyaltymock.Server(" + s.URL() + ")" }

// GoString is String, so %#v shows no secret either.
func (s *Server) GoString() string { return s.String() }

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
	s.rt.Recorder.AddSecret(k.Key) // recorded bodies of the document's POSTs carry it
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

// URL returns the base URL, e.g. "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.hs.URL }

// HTTPClient returns a client for the fake's loopback listener.
func (s *Server) HTTPClient() *http.Client { return s.hs.Client() }

// Clock returns the fake's clock.
func (s *Server) Clock() *mock.Clock { return s.clock }

// Faults returns the fault injection of the server (operation names: the
// package doc).
func (s *Server) Faults() *mock.Faults { return &s.rt.Faults }

// Requests returns every request received, oldest first (the Authorization
// header redacted).
func (s *Server) Requests() []mock.Request { return s.rt.Recorder.Requests() }

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

// Close stops the scheduler and the listener.
func (s *Server) Close() {
	s.cancel()
	<-s.loopDone
	s.hs.Close()
	s.cbClient.CloseIdleConnections()
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

// ---------------------------------------------------------------------------
// HTTP

func writeFault(w http.ResponseWriter, f mock.Fault) {
	code := loyalty.CodeServerError
	if n, err := strconv.Atoi(f.Code); err == nil {
		code = loyalty.Code(n)
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	writeEnvelope(w, status, loyalty.NewErrorEnvelope(code, f.Message))
}

func writeEnvelope(w http.ResponseWriter, status int, env loyalty.WireEnvelope) {
	b, err := json.Marshal(env)
	if err != nil {
		b = []byte(`{"code":9000,"error":{"message":"Unknown Error"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	b = append(b, '\n')
	_, _ = w.Write(b)
}

func ok(w http.ResponseWriter, data any) {
	writeEnvelope(w, http.StatusOK, loyalty.NewSuccessEnvelope(data))
}

func refuse(w http.ResponseWriter, e *opError) {
	msg := e.msg
	if msg == "" {
		msg = relayMessage(e.code)
	}
	writeEnvelope(w, http.StatusOK, loyalty.NewErrorEnvelope(e.code, msg, e.validation...))
}

// relayMessage is the relay's English message for a code (Errors.ts);
// unknown codes get loyalty's description.
func relayMessage(c loyalty.Code) string {
	switch c {
	case loyalty.CodeUnsupportedCurrency:
		return "This exchange rate is not supported."
	case loyalty.CodeInvalidSignature:
		return "Invalid signature"
	case loyalty.CodeInsufficientBalance:
		return "Insufficient balance"
	case loyalty.CodePaymentIDExists:
		return "The payment ID already exists"
	case loyalty.CodeCancelPeriodExpired:
		return "The cancellable period has expired"
	case loyalty.CodeInvalidParameters:
		return "Failed to check the validity of parameters"
	case loyalty.CodeInvalidAccessKey:
		return "The access key entered is not valid"
	case loyalty.CodePaymentNotFound:
		return "Payment ID does not exist"
	case loyalty.CodeCannotApprove:
		return "This payment cannot be approved"
	case loyalty.CodeCannotCancel:
		return "This payment cannot be cancelled"
	case loyalty.CodeCannotClose:
		return "This payment cannot be closed"
	case loyalty.CodeAlreadyApproved:
		return "This payment has already been approved"
	case loyalty.CodeAlreadyClosed:
		return "This payment has already been closed"
	case loyalty.CodeAlreadyFailed:
		return "This payment has already been approved and failed"
	case loyalty.CodeCannotDeny:
		return "This payment cannot be denied"
	case loyalty.CodeForceClosed:
		return "This payment has forced to close"
	case loyalty.CodeNotApprovedYet:
		return "This payment cannot be closed before it is approved"
	case loyalty.CodeTimeout:
		return "The waiting time for approval has expired"
	}
	return c.String()
}

// serveHTTP maps the nonce path's account segment to a query parameter,
// then lets the router route, record and apply faults.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, s.noncePrefix) && strings.HasSuffix(r.URL.Path, s.nonceSuffix) &&
		len(r.URL.Path) > len(s.noncePrefix)+len(s.nonceSuffix) {
		account := r.URL.Path[len(s.noncePrefix) : len(r.URL.Path)-len(s.nonceSuffix)]
		r2 := *r
		u := *r.URL
		u.Path = s.nonceTemplate
		u.RawPath = ""
		u.RawQuery = url.Values{loyalty.ParamAccount: {account}}.Encode()
		r2.URL = &u
		r = &r2
	}
	s.rt.ServeHTTP(w, r)
}

// routes registers both route sets. Paths shared by the sets are registered
// once; the relay set's approve and deny share one path and one operation
// (the Approve… endpoint) and differ in the body's approval flag.
func (s *Server) routes() {
	seen := map[string]bool{}
	for _, set := range []loyalty.Routes{loyalty.DocumentRoutes(), loyalty.RelayRoutes()} {
		relay := set.ApprovalFlag()
		for _, rte := range set.List() {
			key := rte.Method + " " + rte.Path
			if seen[key] {
				continue
			}
			seen[key] = true
			var h mock.HandlerFunc
			switch rte.Endpoint {
			case loyalty.EndpointBalance:
				h = s.handleBalance
			case loyalty.EndpointPaymentInfo:
				h = s.handleInfo
			case loyalty.EndpointOpenNewPayment:
				h = s.handleOpenNew
			case loyalty.EndpointCloseNewPayment:
				h = s.closeHandler(loyalty.LegNew, relay)
			case loyalty.EndpointOpenCancelPayment:
				h = s.handleOpenCancel
			case loyalty.EndpointCloseCancelPayment:
				h = s.closeHandler(loyalty.LegCancel, relay)
			case loyalty.EndpointShopInfo:
				h = s.handleShopInfo
			case loyalty.EndpointShopWithdrawal:
				h = s.handleShopWithdrawal
			case loyalty.EndpointPayment:
				h = s.handleItem
			case loyalty.EndpointApproveNewPayment:
				h = s.approvalHandler(loyalty.LegNew, relay, true)
			case loyalty.EndpointDenyNewPayment:
				h = s.approvalHandler(loyalty.LegNew, relay, false)
			case loyalty.EndpointApproveCancelPayment:
				h = s.approvalHandler(loyalty.LegCancel, relay, true)
			case loyalty.EndpointDenyCancelPayment:
				h = s.approvalHandler(loyalty.LegCancel, relay, false)
			case loyalty.EndpointChainID:
				h = s.handleChainID
			case loyalty.EndpointNonce:
				h = s.handleNonce
				if pre, suf, found := strings.Cut(rte.Path, loyalty.NoncePlaceholder); found {
					s.noncePrefix, s.nonceSuffix, s.nonceTemplate = pre, suf, rte.Path
				}
			default:
				continue
			}
			s.rt.Handle(rte.Method, rte.Path, string(rte.Endpoint), h)
		}
	}
}

// params are the request's fields, from the query (GET) or the body (JSON
// or form-encoded), trimmed as the relay's validators do.
type params map[string]string

func parseParams(r *http.Request, body []byte) (params, *opError) {
	p := params{}
	if r.Method == http.MethodGet {
		p.addFirst(r.URL.Query())
		return p, nil
	}
	ct := r.Header.Get("Content-Type")
	trimmed := strings.TrimSpace(string(body))
	switch {
	case trimmed == "":
		return p, nil
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded") || (!strings.HasPrefix(trimmed, "{") && !strings.Contains(ct, "json")):
		vals, err := url.ParseQuery(trimmed)
		if err != nil {
			return nil, badBody()
		}
		p.addFirst(vals)
	default:
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(trimmed), &m); err != nil {
			return nil, badBody()
		}
		for k, raw := range m {
			var str string
			switch {
			case string(raw) == "null":
				continue
			case json.Unmarshal(raw, &str) == nil:
				p[k] = strings.TrimSpace(str)
			default:
				p[k] = strings.TrimSpace(string(raw))
			}
		}
	}
	return p, nil
}

// addFirst sets each key of vals to its first value, trimmed.
func (p params) addFirst(vals url.Values) {
	for k, v := range vals {
		if len(v) > 0 {
			p[k] = strings.TrimSpace(v[0])
		}
	}
}

func badBody() *opError {
	return &opError{code: loyalty.CodeInvalidParameters, validation: []loyalty.WireValidation{
		{Type: "field", Msg: "body is neither JSON nor form-encoded", Path: "body", Location: "body"}}}
}

// validator collects express-validator style issues.
type validator struct {
	p      params
	loc    string
	issues []loyalty.WireValidation
}

func (v *validator) bad(field string) {
	v.issues = append(v.issues, loyalty.WireValidation{Type: "field", Msg: "Invalid value", Path: field, Location: v.loc})
}

func (v *validator) exists(field string) string {
	val, ok := v.p[field]
	if !ok {
		v.bad(field)
	}
	return val
}

func (v *validator) check(field string, okf func(string) bool) string {
	val, ok := v.p[field]
	if !ok || !okf(val) {
		v.bad(field)
	}
	return val
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// flag reads a "true"/"false" field; required says whether it must be there,
// def is its value when absent.
func (v *validator) flag(field string, required, def bool) bool {
	val, ok := v.p[field]
	if !ok {
		if required {
			v.bad(field)
		}
		return def
	}
	switch strings.ToLower(val) {
	case "true":
		return true
	case "false":
		return false
	}
	v.bad(field)
	return def
}

func (v *validator) failed() *opError {
	if len(v.issues) == 0 {
		return nil
	}
	return &opError{code: loyalty.CodeInvalidParameters, validation: v.issues}
}

// paramsOf reads the request's parameters (query for GET, JSON or form body otherwise)
// into a validator; a malformed request is refused here and good is false.
func paramsOf(w http.ResponseWriter, r *http.Request, body []byte) (v *validator, good bool) {
	p, e := parseParams(r, body)
	if e != nil {
		refuse(w, e)
		return nil, false
	}
	return &validator{p: p, loc: location(r)}, true
}

func location(r *http.Request) string {
	if r.Method == http.MethodGet {
		return "query"
	}
	return "body"
}

// accessKeyLocked finds the request's key: the Authorization header (raw)
// when present, else the body's accessKey.
func (s *Server) accessKeyLocked(r *http.Request, p params) *accessKeyState {
	var k string
	if vals, present := r.Header[loyalty.HeaderAuthorization]; present && len(vals) > 0 {
		k = strings.TrimSpace(vals[0])
	} else {
		k = p[loyalty.ParamAccessKey]
	}
	if k == "" {
		return nil
	}
	return s.keys[k]
}

func keyAllows(k *accessKeyState, shopID string) bool {
	return k != nil && (k.ShopID == "" || equalFold(k.ShopID, shopID))
}

// ---------------------------------------------------------------------------
// Handlers

func (s *Server) handleBalance(w http.ResponseWriter, r *http.Request, body []byte) {
	v, good := paramsOf(w, r, body)
	if !good {
		return
	}
	account := v.check(loyalty.ParamAccount, loyalty.IsAccount)
	if e := v.failed(); e != nil {
		refuse(w, e)
		return
	}
	s.mu.Lock()
	var bal loyalty.Amount
	if wl := s.wallets[lower(account)]; wl != nil {
		bal = wl.balance
	}
	s.mu.Unlock()
	ok(w, loyalty.WireBalance{Account: account, LoyaltyType: loyalty.WireInt(loyalty.LoyaltyPoint), Balance: loyalty.WireAmount(bal)})
}

func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request, body []byte) {
	v, good := paramsOf(w, r, body)
	if !good {
		return
	}
	account := v.check(loyalty.ParamAccount, loyalty.IsAccount)
	amountText := v.check(loyalty.ParamAmount, isDigits)
	currency := strings.ToLower(v.exists(loyalty.ParamCurrency))
	if e := v.failed(); e != nil {
		refuse(w, e)
		return
	}
	amount, err := loyalty.ParseAmount(amountText)
	if err != nil {
		v.bad(loyalty.ParamAmount)
		refuse(w, v.failed())
		return
	}
	s.mu.Lock()
	rates := s.seed.Rates
	var bal loyalty.Amount
	if wl := s.wallets[lower(account)]; wl != nil {
		bal = wl.balance
	}
	s.mu.Unlock()
	est, err := loyalty.EstimatePayment(amount, currency, rates)
	if err != nil {
		refuse(w, fail(estimateCode(err)))
		return
	}
	// balanceValue = zeroGWEI(balance × 10⁹ / rate), in the payment currency.
	var balValue loyalty.Amount
	if rate := currencyRate(rates, currency); !rate.IsZero() {
		balValue, _ = bal.MulDiv(loyalty.NewAmount(loyalty.RateOne), rate)
		balValue = zeroGWEI(balValue)
	}
	info := loyalty.WirePaymentInfo{
		Account:      account,
		LoyaltyType:  loyalty.WireInt(loyalty.LoyaltyPoint),
		Amount:       loyalty.WireAmount(amount),
		Currency:     currency,
		Balance:      loyalty.WireAmount(bal),
		BalanceValue: loyalty.WireAmount(balValue),
		WireEstimate: wireEstimate(est),
		FeeRate:      json.Number(strconv.FormatFloat(float64(rates.FeeBasisPoints)/10000, 'f', -1, 64)),
	}
	ok(w, info)
}

func currencyRate(r loyalty.Rates, currency string) loyalty.Amount {
	if currency == "point" {
		return loyalty.NewAmount(loyalty.RateOne)
	}
	for k, v := range r.Currency {
		if strings.EqualFold(k, currency) {
			return v
		}
	}
	return loyalty.Amount{}
}

func zeroGWEI(a loyalty.Amount) loyalty.Amount {
	g := loyalty.NewAmount(1_000_000_000)
	q, _ := a.MulDiv(loyalty.NewAmount(1), g)
	z, _ := q.MulDiv(g, loyalty.NewAmount(1))
	return z
}

// wireEstimate spells a point estimate as the relay does for point
// accounts: token fields zero.
func wireEstimate(e loyalty.Estimate) loyalty.WireEstimate {
	zero := loyalty.WireAmount(loyalty.Amount{})
	return loyalty.WireEstimate{
		PaidPoint: loyalty.WireAmount(e.PaidPoint), PaidToken: zero, PaidValue: loyalty.WireAmount(e.PaidValue),
		FeePoint: loyalty.WireAmount(e.FeePoint), FeeToken: zero, FeeValue: loyalty.WireAmount(e.FeeValue),
		TotalPoint: loyalty.WireAmount(e.TotalPoint), TotalToken: zero, TotalValue: loyalty.WireAmount(e.TotalValue),
	}
}

func (s *Server) handleOpenNew(w http.ResponseWriter, r *http.Request, body []byte) {
	v, good := paramsOf(w, r, body)
	if !good {
		return
	}
	in := openInput{
		purchaseID: v.exists(loyalty.ParamPurchaseID),
		currency:   v.exists(loyalty.ParamCurrency),
		shopID:     v.check(loyalty.ParamShopID, loyalty.IsBytes32),
		account:    v.check(loyalty.ParamAccount, loyalty.IsAccount),
	}
	amountText := v.check(loyalty.ParamAmount, isDigits)
	var err error
	if in.amount, err = loyalty.ParseAmount(amountText); err != nil && len(v.issues) == 0 {
		v.bad(loyalty.ParamAmount)
	}
	if e := v.failed(); e != nil {
		refuse(w, e)
		return
	}
	s.mu.Lock()
	s.sweepLocked(s.clock.Now())
	k := s.accessKeyLocked(r, v.p)
	if k == nil {
		s.mu.Unlock()
		refuse(w, fail(loyalty.CodeInvalidAccessKey))
		return
	}
	pay, e := s.openNewLocked(k, in)
	var ans loyalty.WirePayment
	if e == nil {
		ans = loyalty.NewWirePayment(&pay.p)
	}
	s.mu.Unlock()
	if e != nil {
		refuse(w, e)
		return
	}
	s.kickLoop()
	ok(w, ans)
}

// lookupForKioskLocked finds the payment of a KIOSK call and checks the key.
func (s *Server) lookupForKioskLocked(r *http.Request, p params, id string) (*payment, *opError) {
	k := s.accessKeyLocked(r, p)
	if k == nil {
		return nil, fail(loyalty.CodeInvalidAccessKey)
	}
	pay := s.payments[lower(id)]
	if pay == nil {
		return nil, fail(loyalty.CodePaymentNotFound)
	}
	if !keyAllows(k, pay.p.ShopID) {
		return nil, fail(loyalty.CodeInvalidAccessKey)
	}
	return pay, nil
}

func (s *Server) closeHandler(leg loyalty.Leg, relay bool) mock.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		v, good := paramsOf(w, r, body)
		if !good {
			return
		}
		// The relay requires confirm; the document's close has none (it confirms).
		confirm := v.flag(loyalty.ParamConfirm, relay, true)
		id := v.exists(loyalty.ParamPaymentID)
		if e := v.failed(); e != nil {
			refuse(w, e)
			return
		}
		ans, e := s.onKioskPayment(r, v.p, id, func(pay *payment) (loyalty.WirePayment, *opError) {
			return s.closeLocked(pay, leg, confirm)
		})
		if e != nil {
			refuse(w, e)
			return
		}
		ok(w, ans)
	}
}

// onKioskPayment runs f, under the lock and after the due sweeps, on the payment id names
// as the request's access key may see it.
func (s *Server) onKioskPayment(r *http.Request, p params, id string, f func(*payment) (loyalty.WirePayment, *opError)) (loyalty.WirePayment, *opError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.clock.Now())
	pay, e := s.lookupForKioskLocked(r, p, id)
	if e != nil {
		return loyalty.WirePayment{}, e
	}
	return f(pay)
}

func (s *Server) handleOpenCancel(w http.ResponseWriter, r *http.Request, body []byte) {
	v, good := paramsOf(w, r, body)
	if !good {
		return
	}
	id := v.exists(loyalty.ParamPaymentID)
	if e := v.failed(); e != nil {
		refuse(w, e)
		return
	}
	ans, e := s.onKioskPayment(r, v.p, id, s.openCancelLocked)
	if e != nil {
		refuse(w, e)
		return
	}
	s.kickLoop()
	ok(w, ans)
}

func (s *Server) approvalHandler(leg loyalty.Leg, relay, approve bool) mock.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		v, good := paramsOf(w, r, body)
		if !good {
			return
		}
		id := v.exists(loyalty.ParamPaymentID)
		sig := v.check(loyalty.ParamSignature, loyalty.IsSignature)
		ap := approve
		if relay {
			ap = v.flag(loyalty.ParamApproval, true, false)
		}
		if e := v.failed(); e != nil {
			refuse(w, e)
			return
		}
		ans, cbs, e := s.approve(id, leg, ap, sig)
		s.deliver(cbs)
		if e != nil {
			refuse(w, e)
			return
		}
		ok(w, ans)
	}
}

func (s *Server) approve(id string, leg loyalty.Leg, approve bool, sig string) (loyalty.WirePayment, []pendingCallback, *opError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.clock.Now())
	pay := s.payments[lower(id)]
	if pay == nil {
		return loyalty.WirePayment{}, nil, fail(loyalty.CodePaymentNotFound)
	}
	return s.approvalLocked(pay, leg, approve, sig)
}

func (s *Server) handleItem(w http.ResponseWriter, r *http.Request, body []byte) {
	v, good := paramsOf(w, r, body)
	if !good {
		return
	}
	id := v.exists(loyalty.ParamPaymentID)
	if e := v.failed(); e != nil {
		refuse(w, e)
		return
	}
	s.mu.Lock()
	s.sweepLocked(s.clock.Now())
	pay := s.payments[lower(id)]
	var ans loyalty.WirePayment
	if pay != nil {
		ans = loyalty.NewWirePayment(&pay.p)
	}
	s.mu.Unlock()
	if pay == nil {
		refuse(w, fail(loyalty.CodePaymentNotFound))
		return
	}
	ok(w, ans)
}

func (s *Server) shopParam(w http.ResponseWriter, r *http.Request, body []byte) (*shopState, bool) {
	v, good := paramsOf(w, r, body)
	if !good {
		return nil, false
	}
	id := v.check(loyalty.ParamShopID, loyalty.IsBytes32)
	if e := v.failed(); e != nil {
		refuse(w, e)
		return nil, false
	}
	s.mu.Lock()
	sh := s.shops[lower(id)]
	s.mu.Unlock()
	if sh == nil {
		refuse(w, &opError{code: loyalty.CodeInvalidParameters, validation: []loyalty.WireValidation{
			{Type: "field", Msg: "unknown shop", Path: loyalty.ParamShopID, Location: location(r)}}})
		return nil, false
	}
	return sh, true
}

func (s *Server) handleShopInfo(w http.ResponseWriter, r *http.Request, body []byte) {
	sh, found := s.shopParam(w, r, body)
	if !found {
		return
	}
	s.mu.Lock()
	s.sweepLocked(s.clock.Now())
	st := sh.state()
	s.mu.Unlock()
	ok(w, loyalty.WireShopInfo{
		ShopID:          st.ID,
		Name:            st.Name,
		Account:         st.Owner,
		ProvideWaitTime: loyalty.WireInt(st.ProvideWaitTime),
		ProvidePercent:  loyalty.WireInt(st.ProvidePercent),
		ProvidedPoint:   loyalty.WireAmount(st.ProvidedPoint),
		UsedPoint:       loyalty.WireAmount(st.UsedPoint),
		SettledPoint:    loyalty.WireAmount(st.SettledPoint),
		WithdrawnPoint:  loyalty.WireAmount(st.WithdrawnPoint),
		Currency:        "point",
		Status:          1,
		ProvidedAmount:  loyalty.WireAmount(st.ProvidedPoint),
		UsedAmount:      loyalty.WireAmount(st.UsedPoint),
	})
}

func (s *Server) handleShopWithdrawal(w http.ResponseWriter, r *http.Request, body []byte) {
	sh, found := s.shopParam(w, r, body)
	if !found {
		return
	}
	ok(w, loyalty.WireShopWithdrawal{ShopID: sh.ID, WithdrawAmount: loyalty.WireAmount(loyalty.Amount{}), WithdrawStatus: 0})
}

func (s *Server) handleChainID(w http.ResponseWriter, r *http.Request, body []byte) {
	ok(w, loyalty.WireChainID{ChainID: loyalty.WireInt(s.chainID)})
}

func (s *Server) handleNonce(w http.ResponseWriter, r *http.Request, body []byte) {
	p, _ := parseParams(r, body)
	v := validator{p: p, loc: "params"}
	account := v.check(loyalty.ParamAccount, loyalty.IsAccount)
	if e := v.failed(); e != nil {
		refuse(w, e)
		return
	}
	ok(w, loyalty.WireNonce{Account: account, Nonce: loyalty.WireNumber(strconv.FormatUint(s.Nonce(account), 10))})
}
