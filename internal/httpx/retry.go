package httpx

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Retry says how idempotent requests are retried. The zero value retries up to 3 times
// with exponential backoff from 200 ms to 5 s with jitter.
type Retry struct {
	MaxRetries int           // 0 → 3; negative → never retry
	Initial    time.Duration // 0 → 200 ms
	Max        time.Duration // 0 → 5 s
	// NoSleep retries at once: for tests, where waiting is pointless.
	NoSleep bool
	// ShouldRetry decides whether an attempt that ended with status and err is repeated;
	// nil → DefaultShouldRetry.
	ShouldRetry func(status int, err error) bool
}

// Temporary is implemented by package errors that say whether repeating may help.
type Temporary interface{ Temporary() bool }

// DefaultShouldRetry retries transport failures (never the context's own), HTTP 429 and
// 5xx, and errors that say they are Temporary.
func DefaultShouldRetry(status int, err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if IsTransport(err) {
		return true
	}
	if status == http.StatusTooManyRequests || status >= 500 {
		return true
	}
	var t Temporary
	return errors.As(err, &t) && t.Temporary()
}

func (r Retry) policy(ctx context.Context) backoff.BackOff {
	max := r.MaxRetries
	if max == 0 {
		max = 3
	}
	if max < 0 {
		max = 0
	}
	var b backoff.BackOff
	if r.NoSleep {
		b = &backoff.ZeroBackOff{}
	} else {
		eb := backoff.NewExponentialBackOff()
		eb.InitialInterval = orDur(r.Initial, 200*time.Millisecond)
		eb.MaxInterval = orDur(r.Max, 5*time.Second)
		eb.MaxElapsedTime = 0 // bounded by the retry count and the context
		b = eb
	}
	return backoff.WithContext(backoff.WithMaxRetries(b, uint64(max)), ctx)
}

// run makes the first attempt at once; the backoff policy is built only when an attempt
// asks for a retry. It returns the last attempt's error: when the context ends during a
// pause, the last answer seen says more than "context canceled".
func (r Retry) run(ctx context.Context, attempt func() (int, error)) error {
	status, err := attempt()
	if err == nil {
		return nil
	}
	should := r.ShouldRetry
	if should == nil {
		should = DefaultShouldRetry
	}
	if !should(status, err) {
		return err
	}
	b := r.policy(ctx)
	b.Reset()
	var t *time.Timer
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	for {
		next := b.NextBackOff()
		if next == backoff.Stop {
			return err
		}
		if next <= 0 { // NoSleep
			if ctx.Err() != nil {
				return err
			}
		} else {
			if t == nil {
				t = time.NewTimer(next)
			} else {
				t.Reset(next)
			}
			select {
			case <-ctx.Done():
				return err
			case <-t.C:
			}
		}
		if status, err = attempt(); err == nil {
			return nil
		}
		if !should(status, err) {
			return err
		}
	}
}

func orDur(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
