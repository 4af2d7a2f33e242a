// Package retry is the one retry policy of poskit: the HTTP engine's retries of requests
// safe to repeat, smartro's pauses while a table is occupied, loyalty's waiter polls and
// the outbox deliveries all use Policy. The schedule comes from backoff/v4; every pause
// sleeps on an injected clock, so a test with a fake clock never waits for real time.
package retry

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/poskit/poskit/internal/clockx"
)

// Policy says how an operation is repeated: after the first attempt, up to MaxRetries more,
// the k-th pause (k = 0, 1, …) being Initial × Multiplier^k with ±Jitter randomisation,
// never longer than Max. Zero fields take the defaults of the call site (Or).
type Policy struct {
	MaxRetries int           // further attempts after the first; negative: never retry
	Initial    time.Duration // first pause
	Max        time.Duration // cap of every pause, jitter included
	Multiplier float64       // growth per pause (≥ 1)
	Jitter     float64       // randomisation factor in [0, 1]; negative: none
	// NoSleep makes every pause zero: for tests that do not drive a clock.
	NoSleep bool
}

// Default is the policy of requests safe to repeat: 3 retries, 200 ms doubling to 5 s, ±50%.
var Default = Policy{MaxRetries: 3, Initial: 200 * time.Millisecond, Max: 5 * time.Second, Multiplier: 2, Jitter: 0.5}

// Or returns p with every zero field taken from def.
func (p Policy) Or(def Policy) Policy {
	if p.MaxRetries == 0 {
		p.MaxRetries = def.MaxRetries
	}
	if p.Initial <= 0 {
		p.Initial = def.Initial
	}
	if p.Max <= 0 {
		p.Max = def.Max
	}
	if p.Multiplier < 1 {
		p.Multiplier = def.Multiplier
	}
	if p.Jitter == 0 {
		p.Jitter = def.Jitter
	}
	p.NoSleep = p.NoSleep || def.NoSleep
	return p
}

// Schedule returns the policy's pauses as a backoff/v4 BackOff: NextBackOff gives the next
// pause (0 with NoSleep) until MaxRetries pauses were given, then backoff.Stop.
func (p Policy) Schedule() backoff.BackOff {
	max := p.MaxRetries
	if max < 0 {
		max = 0
	}
	var b backoff.BackOff
	if p.NoSleep {
		b = &backoff.ZeroBackOff{}
	} else {
		eb := &backoff.ExponentialBackOff{
			InitialInterval:     p.Initial,
			RandomizationFactor: p.Jitter,
			Multiplier:          p.Multiplier,
			MaxInterval:         p.Max,
			MaxElapsedTime:      0, // bounded by the retry count and the context
			Stop:                backoff.Stop,
			Clock:               backoff.SystemClock, // read only for MaxElapsedTime, which is off
		}
		if eb.Multiplier < 1 {
			eb.Multiplier = 1
		}
		if eb.RandomizationFactor < 0 {
			eb.RandomizationFactor = 0
		}
		eb.Reset()
		b = capped{eb, p.Max}
	}
	b = backoff.WithMaxRetries(b, uint64(max))
	b.Reset()
	return b
}

// capped bounds every pause of b by max, so jitter never goes past the cap.
type capped struct {
	backoff.BackOff
	max time.Duration
}

func (c capped) NextBackOff() time.Duration {
	d := c.BackOff.NextBackOff()
	if d != backoff.Stop && c.max > 0 && d > c.max {
		d = c.max
	}
	return d
}

// Do calls attempt until it succeeds, reports that repeating cannot help (again false), the
// retries are spent, or ctx ends; pauses sleep on clk (nil: the wall clock). It returns the
// last attempt's error, or ctx.Err() when ctx ended before an attempt could be made. The
// first attempt is made at once, and the schedule is built only when a retry is wanted.
func (p Policy) Do(ctx context.Context, clk clockx.Clock, attempt func() (again bool, err error)) error {
	again, err := attempt()
	if err == nil || !again {
		return err
	}
	return p.Continue(ctx, clk, p.Schedule(), err, attempt)
}

// Continue goes on where a first failed attempt (its error last) left off, pausing as b says.
func (p Policy) Continue(ctx context.Context, clk clockx.Clock, b backoff.BackOff, last error, attempt func() (bool, error)) error {
	clk = clockx.Or(clk)
	for {
		next := b.NextBackOff()
		if next == backoff.Stop {
			return last
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if next > 0 && !clockx.Sleep(clk, next, ctx.Done()) {
			return ctx.Err()
		}
		again, err := attempt()
		if err == nil || !again {
			return err
		}
		last = err
	}
}
