package smartro

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/retry"
	wire "github.com/poskit/poskit/internal/smartrowire"
)

// Clock tells the time and makes timers; mock.Clock is a fake one for tests, and a clock
// written outside this module can implement it (its NewTimer returns a Timer).
type Clock = clockx.Clock

// Timer is what a Clock's NewTimer returns: the part of *time.Timer the package uses.
type Timer = clockx.Timer

// RetryPolicy says how a call is repeated: after the first attempt, up to MaxRetries more,
// the k-th pause (k = 0, 1, …) being Initial × Multiplier^k with ±Jitter randomisation,
// never longer than Max, on the client's clock; NoSleep makes every pause zero (tests).
// Zero fields take the defaults of where the policy is used (DefaultRetry for lookups,
// DefaultOccupiedRetry for an occupied table). It is poskit's one retry policy type.
type RetryPolicy = retry.Policy

// DefaultRetry is how lookups (the only requests this package repeats) are retried on
// transport errors, HTTP 429 and 5xx: 3 retries, 200 ms doubling to 5 s, ±50%.
var DefaultRetry = retry.Default

// DefaultOccupiedRetry is how PlaceTableOrder (and a Tracker) waits out an occupied table:
// 5 retries, 1 s growing ×1.5 to 5 s, ±50%.
var DefaultOccupiedRetry = RetryPolicy{MaxRetries: 5, Initial: time.Second, Max: 5 * time.Second, Multiplier: 1.5, Jitter: 0.5}

// Environment selects the agent's host.
type Environment int

// Environments.
const (
	Test Environment = iota // https://tordif.smilebiz.co.kr
	Live                    // https://ordif.smilebiz.co.kr
)

type config struct {
	baseURL  string
	hc       *http.Client
	log      *slog.Logger
	clock    Clock
	retry    RetryPolicy
	occupied RetryPolicy
	noSleep  bool
	catalog  *Catalog
	maxBody  int64
}

// Option configures a Client. Options cannot fail; NewClient checks the result.
type Option func(*config)

// WithBaseURL sends requests to u (e.g. a fake's URL) instead of an environment's host.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithEnvironment selects the Test (default) or Live host.
func WithEnvironment(e Environment) Option {
	return func(c *config) {
		if e == Live {
			c.baseURL = wire.HostLive
		} else {
			c.baseURL = wire.HostTest
		}
	}
}

// WithHTTPClient sends with hc, used as given (its timeout and transport). The default is a
// client with a 30 s timeout; http.DefaultClient is never used.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.hc = hc } }

// WithLogger logs each request at Debug (Info on errors, Warn on transport failures);
// STORE_ID and SERVICE_ID are redacted. The default is silent.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithClock sets the clock retry and occupied-table pauses sleep on (and trackers made by
// Client.NewTracker poll on). The default is the wall clock.
func WithClock(clk Clock) Option { return func(c *config) { c.clock = clk } }

// WithRetry sets how lookups are retried (zero fields: DefaultRetry's).
func WithRetry(p RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithOccupiedRetry sets how PlaceTableOrder waits out an occupied table (zero fields:
// DefaultOccupiedRetry's).
func WithOccupiedRetry(p RetryPolicy) Option { return func(c *config) { c.occupied = p } }

// WithCatalog makes NewOrder, AdditionalOrder and PlaceTableOrder (and a Tracker's, which
// call them) check every order against cat before any request: table known, items known
// and active, add-ons offered, prices the catalog's (see Catalog.Validate). A failed check
// is *Error with CodeUnknownTable, CodeUnknownItem, CodeInactiveItem, CodeUnknownAddOn or
// CodePriceMismatch and the method's Op, and nothing is sent. The catalog refreshes as
// Catalog.Get says (its own lookups); a catalog made with NewCatalog(nil, …) reads from
// this client. When no copy can be had (no copy yet and its refresh fails) the order is
// sent unchecked: the agent judges it. Without WithCatalog the agent is the only judge.
func WithCatalog(cat *Catalog) Option { return func(c *config) { c.catalog = cat } }

// WithMaxBodyBytes bounds the size of an answer's body (default 4 MiB); a larger answer is
// *Error with CodeBadAnswer (lost: the request may have acted).
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithoutRetrySleep makes every retry and occupied-table pause zero (for tests): it sets
// NoSleep in both policies.
func WithoutRetrySleep() Option { return func(c *config) { c.noSleep = true } }

// checkPolicy returns what is wrong with p, or "".
func checkPolicy(p RetryPolicy) string {
	switch {
	case p.Initial < 0 || p.Max < 0:
		return "pauses must not be negative"
	case p.Initial > 0 && p.Max > 0 && p.Max < p.Initial:
		return "Max is shorter than Initial"
	case p.Multiplier != 0 && p.Multiplier < 1:
		return "Multiplier must be at least 1"
	case p.Jitter > 1:
		return "Jitter must be at most 1"
	}
	return ""
}

// check validates the configuration; op names the constructor.
func (c *config) check(op string) error {
	if c.maxBody < 0 {
		return invalid(op, "max body bytes must not be negative")
	}
	if m := checkPolicy(c.retry); m != "" {
		return invalid(op, "retry policy: %s", m)
	}
	if m := checkPolicy(c.occupied); m != "" {
		return invalid(op, "occupied-table policy: %s", m)
	}
	return nil
}
