package cafe24

import (
	"context"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/cafe24wire"
	"github.com/poskit/poskit/internal/clockx"
)

// Cafe24's bucket: 40 calls per mall, draining 2 calls per second.
const (
	DefaultBucketSize  = 40
	DefaultBucketDrain = 2.0
)

// LimiterOption configures a Limiter.
type LimiterOption func(*limiterConfig)

type limiterConfig struct {
	clock Clock
	size  int
	drain float64
}

// WithLimiterClock makes the limiter wait on c (default: the wall clock).
func WithLimiterClock(c Clock) LimiterOption { return func(l *limiterConfig) { l.clock = c } }

// WithBucket sets the bucket size and its drain in calls per second (defaults 40 and 2;
// values ≤ 0 keep the defaults). An X-Api-Call-Limit header replaces the size.
func WithBucket(size int, perSecond float64) LimiterOption {
	return func(l *limiterConfig) { l.size, l.drain = size, perSecond }
}

// Limiter is a leaky bucket per mall mirroring Cafe24's: each call adds one unit, the bucket
// drains at a constant rate, and a call that would overflow it waits (first come, first
// served) until there is room, instead of being answered 429. Observe follows the
// X-Api-Call-Limit header of every answer, so calls made by other programs on the same mall
// count too. Safe for concurrent use.
type Limiter struct {
	cfg   limiterConfig
	mu    sync.Mutex
	malls map[string]*bucket
}

type bucket struct {
	level  float64 // units in the bucket, including the callers queued for room
	queued int     // callers waiting for room
	size   int
	at     time.Time // time level was last drained to
}

// NewLimiter returns a Limiter with empty buckets.
func NewLimiter(opts ...LimiterOption) *Limiter {
	c := limiterConfig{size: DefaultBucketSize, drain: DefaultBucketDrain}
	for _, o := range opts {
		o(&c)
	}
	if c.size <= 0 {
		c.size = DefaultBucketSize
	}
	if c.drain <= 0 || math.IsNaN(c.drain) || math.IsInf(c.drain, 0) {
		c.drain = DefaultBucketDrain
	}
	c.clock = clockx.Or(c.clock)
	return &Limiter{cfg: c, malls: map[string]*bucket{}}
}

// bucketLocked returns the mall's bucket drained to now.
func (l *Limiter) bucketLocked(mall string, now time.Time) *bucket {
	b, ok := l.malls[mall]
	if !ok {
		b = &bucket{size: l.cfg.size, at: now}
		l.malls[mall] = b
	}
	if el := now.Sub(b.at); el > 0 {
		b.level = math.Max(0, b.level-el.Seconds()*l.cfg.drain)
		b.at = now
	}
	return b
}

// Wait takes one unit of the mall's bucket, waiting on the clock while the bucket is full.
// It returns ctx's error (and gives its place back) if ctx ends first.
func (l *Limiter) Wait(ctx context.Context, mall string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	b := l.bucketLocked(mall, l.cfg.clock.Now())
	b.level++
	over := b.level - float64(b.size)
	if over <= 0 {
		l.mu.Unlock()
		return nil
	}
	b.queued++
	l.mu.Unlock()
	d := time.Duration(math.Ceil(over / l.cfg.drain * float64(time.Second)))
	ok := clockx.Sleep(l.cfg.clock, d, ctx.Done())
	l.mu.Lock()
	b = l.bucketLocked(mall, l.cfg.clock.Now())
	b.queued--
	if !ok {
		b.level = math.Max(0, b.level-1)
	}
	l.mu.Unlock()
	if !ok {
		return ctx.Err()
	}
	return nil
}

// Observe follows an answer's X-Api-Call-Limit header ("used/max", e.g. "12/40"): the
// bucket holds at least used units (calls of other programs count) and its size becomes
// max. An empty header changes nothing; a malformed one is an *Error with CodeDecode and
// changes nothing.
func (l *Limiter) Observe(mall, header string) error {
	if header == "" {
		return nil
	}
	used, size, ok := parseCallLimit(header)
	if !ok {
		return &Error{Op: "cafe24.Limiter.Observe", Code: CodeDecode, Message: cafe24wire.HeaderCallLimit + " is not used/max"}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(mall, l.cfg.clock.Now())
	served := b.level - float64(b.queued)
	if float64(used) > served {
		served = float64(used)
	}
	b.level = served + float64(b.queued)
	b.size = size
	return nil
}

// Level returns the mall's bucket level (queued callers included) and size.
func (l *Limiter) Level(mall string) (used float64, size int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(mall, l.cfg.clock.Now())
	return b.level, b.size
}

func parseCallLimit(h string) (used, size int, ok bool) {
	u, m, found := strings.Cut(strings.TrimSpace(h), "/")
	if !found {
		return 0, 0, false
	}
	used, err1 := strconv.Atoi(strings.TrimSpace(u))
	size, err2 := strconv.Atoi(strings.TrimSpace(m))
	if err1 != nil || err2 != nil || used < 0 || size <= 0 || size > 10000 || used > size*4 {
		return 0, 0, false
	}
	return used, size, true
}
