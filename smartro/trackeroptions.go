package smartro

import (
	"log/slog"
	"time"
)

// Tracker defaults.
const (
	DefaultPollInterval = 5 * time.Second  // the guide's recommended lookup period
	DefaultExpiry       = 60 * time.Second // undelivered orders are dropped after this
	DefaultSettleAfter  = 10 * time.Minute
	DefaultRetention    = 10 * time.Minute
	DefaultPollParallel = 8
)

// trackerConfig is what TrackerOptions set; zero fields take the defaults.
type trackerConfig struct {
	clock       Clock
	log         *slog.Logger
	interval    time.Duration
	expiry      time.Duration
	settle      time.Duration
	retain      time.Duration
	parallel    int
	onTrans     func(Transition)
	occupied    RetryPolicy
	occupiedSet bool
}

// TrackerOption configures a Tracker. Options cannot fail; NewTracker checks the result.
type TrackerOption func(*trackerConfig)

// WithPollInterval sets the lookup period (default DefaultPollInterval, 5 s).
func WithPollInterval(d time.Duration) TrackerOption {
	return func(c *trackerConfig) { c.interval = d }
}

// WithExpiry sets how long an undelivered order may take (default 60 s, the guide's).
func WithExpiry(d time.Duration) TrackerOption { return func(c *trackerConfig) { c.expiry = d } }

// WithSettleAfter sets how long a delivered order still "received" is followed before it
// settles as Succeeded (default 10 min).
func WithSettleAfter(d time.Duration) TrackerOption {
	return func(c *trackerConfig) { c.settle = d }
}

// WithRetention sets how long finished orders are remembered for State and CanReorder
// (default 10 min).
func WithRetention(d time.Duration) TrackerOption {
	return func(c *trackerConfig) { c.retain = d }
}

// WithOnTransition sets the callback that receives every transition.
func WithOnTransition(f func(Transition)) TrackerOption {
	return func(c *trackerConfig) { c.onTrans = f }
}

// WithTrackerClock sets the clock the tracker polls and pauses on (default: the client's
// when the source is a *Client, else the wall clock).
func WithTrackerClock(clk Clock) TrackerOption { return func(c *trackerConfig) { c.clock = clk } }

// WithTrackerLogger logs failed lookups at Warn (default: the client's logger).
func WithTrackerLogger(l *slog.Logger) TrackerOption { return func(c *trackerConfig) { c.log = l } }

// WithPollConcurrency bounds the lookups in flight at once in one tick (default 8).
func WithPollConcurrency(n int) TrackerOption { return func(c *trackerConfig) { c.parallel = n } }

// WithTrackerOccupiedRetry sets how the tracker's PlaceTableOrder and NewOrder wait out an
// occupied table (default: the client's policy, else DefaultOccupiedRetry); p.NoSleep
// makes the pauses zero.
func WithTrackerOccupiedRetry(p RetryPolicy) TrackerOption {
	return func(c *trackerConfig) { c.occupied, c.occupiedSet = p, true }
}

// check validates the configuration and fills in the defaults.
func (c *trackerConfig) check(op string) error {
	for _, d := range []struct {
		what string
		v    *time.Duration
		def  time.Duration
	}{
		{"poll interval", &c.interval, DefaultPollInterval},
		{"expiry", &c.expiry, DefaultExpiry},
		{"settle time", &c.settle, DefaultSettleAfter},
		{"retention", &c.retain, DefaultRetention},
	} {
		if *d.v < 0 {
			return invalid(op, "%s must not be negative", d.what)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if c.parallel < 0 {
		return invalid(op, "poll concurrency must not be negative")
	}
	if c.parallel == 0 {
		c.parallel = DefaultPollParallel
	}
	if m := checkPolicy(c.occupied); m != "" {
		return invalid(op, "occupied-table policy: %s", m)
	}
	c.occupied = c.occupied.Or(DefaultOccupiedRetry)
	return nil
}
