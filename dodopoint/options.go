package dodopoint

import (
	"fmt"
	"time"

	"github.com/poskit/poskit/internal/clockx"
)

// Option configures an Outbox. Options cannot fail; NewOutbox and OpenFile check the
// result and return an *Error with CodeInvalidInput.
type Option func(*config)

type config struct {
	clock      Clock
	retry      RetryPolicy
	onState    func(Event)
	maxQueued  int
	retainDone int
	boltOpts   []BoltOption
}

// Defaults of an Outbox.
const (
	DefaultMaxQueued  = 100_000 // operations waiting for delivery
	DefaultRetainDone = 10_000  // finished payments remembered for de-duplication
)

// DefaultRetry is the outbox's retry policy: pauses from 500 ms doubling to 30 s, ±20%.
// MaxRetries only bounds the growth: the outbox never gives up on an operation the
// program could not take; after MaxRetries pauses it keeps pausing Max.
var DefaultRetry = RetryPolicy{MaxRetries: 10, Initial: 500 * time.Millisecond, Max: 30 * time.Second, Multiplier: 2, Jitter: 0.2}

// WithClock sets the clock the retry pauses sleep on (default: the wall clock).
func WithClock(c Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithRetry sets the retry policy; zero fields take DefaultRetry's.
func WithRetry(p RetryPolicy) Option { return func(cfg *config) { cfg.retry = p } }

// WithOnState sets a callback told every change of an operation's state once the change
// is on disk: queued, delivered, cancelled-before-delivery, failed. It is called from one
// goroutine of the outbox, in order, never while the outbox holds a lock; it may call
// Status, Claim and Cancel but not Close (Close waits for the callback), and should
// return quickly. Changes made before a restart are not told again.
func WithOnState(f func(Event)) Option { return func(cfg *config) { cfg.onState = f } }

// WithMaxQueued bounds the operations waiting for delivery (default DefaultMaxQueued);
// beyond it Claim and Cancel fail with CodeOutboxFull and write nothing.
func WithMaxQueued(n int) Option { return func(cfg *config) { cfg.maxQueued = n } }

// WithRetainDone sets how many finished payments the outbox remembers (default
// DefaultRetainDone); older ones are compacted away, see the Idempotency section of the
// package doc.
func WithRetainDone(n int) Option { return func(cfg *config) { cfg.retainDone = n } }

// WithBoltOptions passes options to OpenBoltStore when OpenFile opens the file.
func WithBoltOptions(opts ...BoltOption) Option {
	return func(cfg *config) { cfg.boltOpts = append(cfg.boltOpts, opts...) }
}

func buildConfig(op string, opts []Option) (config, error) {
	cfg := config{maxQueued: DefaultMaxQueued, retainDone: DefaultRetainDone}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	cfg.clock = clockx.Or(cfg.clock)
	cfg.retry = cfg.retry.Or(DefaultRetry)
	switch {
	case cfg.maxQueued < 1:
		return cfg, newError(op, CodeInvalidInput, fmt.Sprintf("max queued %d is not ≥ 1", cfg.maxQueued), nil)
	case cfg.retainDone < 0:
		return cfg, newError(op, CodeInvalidInput, fmt.Sprintf("retain done %d is negative", cfg.retainDone), nil)
	case cfg.retry.Max < cfg.retry.Initial:
		return cfg, newError(op, CodeInvalidInput, "retry Max is below Initial", nil)
	}
	return cfg, nil
}
