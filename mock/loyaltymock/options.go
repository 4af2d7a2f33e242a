package loyaltymock

import (
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
	walletRoutes    loyalty.RouteSet
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

// WithWalletRouteSet sets the route set the scripted wallet calls (default
// loyalty.RouteSetRelay: one approval path with the approval flag).
func WithWalletRouteSet(r loyalty.RouteSet) Option { return func(o *options) { o.walletRoutes = r } }

// WithWalletPolicy sets the policy of every account without its own (default:
// approve at once).
func WithWalletPolicy(p WalletPolicy) Option { return func(o *options) { o.walletDefault = p } }
