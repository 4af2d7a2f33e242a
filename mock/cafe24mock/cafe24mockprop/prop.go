// Package cafe24mockprop holds the rapid generators and the exactly-once crediting
// property of cafe24's points API against the fake over HTTP, kept apart so that importing
// cafe24 or cafe24mock does not pull in pgregory.net/rapid.
//
// The property (CheckExactlyOnce): whatever happens to the requests — answers lost after
// the credit was applied, 5xx answers (500, 502: lost; 503: refused), 429, lost reads
// during reconciliation, access tokens refused (401), processes that sent a credit and died
// before recording the answer, restarts — every order id credited through
// cafe24.Client.AdjustPointsOnce is credited exactly once, and the member's balance is the
// opening balance plus each order's amount once.
package cafe24mockprop

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
)

// Fault is a fault of one request.
type Fault int

// Faults a step may queue.
const (
	Lost   Fault = iota + 1 // applied, answer dropped
	Err500                  // 500, nothing applied (the client cannot tell: lost)
	Err502                  // 502, nothing applied (lost)
	Err503                  // 503, refused
	Err429                  // 429, refused
)

// String names the fault.
func (f Fault) String() string {
	return [...]string{"?", "lost", "500", "502", "503", "429"}[f]
}

func (f Fault) mock() mock.Fault {
	switch f {
	case Lost:
		return mock.Fault{Kind: mock.DropAnswer}
	case Err500:
		return mock.Fault{Kind: mock.Fail, Status: http.StatusInternalServerError}
	case Err502:
		return mock.Fault{Kind: mock.Fail, Status: http.StatusBadGateway}
	case Err503:
		return mock.Fault{Kind: mock.Fail, Status: http.StatusServiceUnavailable}
	}
	return mock.Fault{Kind: mock.Fail, Status: http.StatusTooManyRequests, Code: "429"}
}

// Kind is the kind of a step.
type Kind int

// Kinds of steps.
const (
	Credit       Kind = iota + 1 // AdjustPointsOnce for Order, with Post and Read faults queued first
	SendAndCrash                 // AdjustPointsOnce for Order dies right after sending (its answer lost if Lose)
	Restart                      // the process restarts: a new client over the same token
	ExpireAccess                 // Cafe24 refuses the current access token (401 next)
)

// Step is one step of a scenario.
type Step struct {
	Kind  Kind
	Order int     // order index: order id "order-<i>", amount i+1
	Post  []Fault // faults queued for the next points POSTs
	Read  []Fault // faults queued for the next points reads (Lost or Err503 only)
	Lose  bool    // SendAndCrash: the answer is lost
}

func (s Step) String() string {
	switch s.Kind {
	case Credit:
		return fmt.Sprintf("credit order-%d post%v read%v", s.Order, s.Post, s.Read)
	case SendAndCrash:
		return fmt.Sprintf("send order-%d and crash (lost %v)", s.Order, s.Lose)
	case Restart:
		return "restart"
	}
	return "expire access token"
}

// StepGen generates steps over orders order ids.
func StepGen(orders int) *rapid.Generator[Step] {
	post := rapid.SampledFrom([]Fault{Lost, Lost, Err500, Err502, Err503, Err429})
	read := rapid.SampledFrom([]Fault{Lost, Err503})
	return rapid.Custom(func(t *rapid.T) Step {
		k := rapid.SampledFrom([]Kind{Credit, Credit, Credit, SendAndCrash, Restart, ExpireAccess}).Draw(t, "kind")
		s := Step{Kind: k, Order: rapid.IntRange(0, orders-1).Draw(t, "order")}
		switch k {
		case Credit:
			s.Post = rapid.SliceOfN(post, 0, 5).Draw(t, "post")
			s.Read = rapid.SliceOfN(read, 0, 2).Draw(t, "read")
		case SendAndCrash:
			s.Lose = rapid.Bool().Draw(t, "lose")
		}
		return s
	})
}

// ScenarioGen generates up to maxSteps steps over up to maxOrders order ids.
func ScenarioGen(maxOrders, maxSteps int) *rapid.Generator[[]Step] {
	return rapid.Custom(func(t *rapid.T) []Step {
		n := rapid.IntRange(1, maxOrders).Draw(t, "orders")
		return rapid.SliceOfN(StepGen(n), 1, maxSteps).Draw(t, "steps")
	})
}

// TB is the part of *testing.T and *rapid.T the check uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

const member = "member1"

var opening = decimal.NewFromInt(100)

func adjustment(i int) cafe24.Adjustment {
	return cafe24.Adjustment{MemberID: member, OrderID: "order-" + strconv.Itoa(i),
		Amount: decimal.NewFromInt(int64(i + 1)), Direction: cafe24.Increase, Reason: "property"}
}

// CheckExactlyOnce runs steps against a fresh fake over HTTP, then resolves every order
// touched with AdjustPointsOnce (no faults), and fails unless each was credited exactly
// once and the balance adds up. Errors of AdjustPointsOnce during the faulty steps are
// allowed (the order stays unresolved until the end) but must be typed, and never a
// refusal of the order itself.
func CheckExactlyOnce(t TB, steps []Step) {
	t.Helper()
	ctx := context.Background()
	srv := cafe24mock.NewServer(cafe24mock.WithBucket(0, 0)) // 429s come from faults
	defer srv.Close()
	srv.AddMember(member, "", opening)
	c := srv.Client()
	touched := map[int]bool{}
	for i, s := range steps {
		switch s.Kind {
		case Restart:
			c = srv.Client()
		case ExpireAccess:
			srv.ExpireTokens(false)
		case SendAndCrash:
			touched[s.Order] = true
			if s.Lose {
				srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.DropAnswer})
			}
			// The process follows the protocol (check, then send) and dies right after
			// sending: whatever came back is forgotten.
			if applied, err := c.CheckAdjusted(ctx, adjustment(s.Order)); err == nil && !applied {
				_, _ = c.AdjustPoints(ctx, adjustment(s.Order))
			}
			srv.Faults().Clear()
			c = srv.Client()
		case Credit:
			touched[s.Order] = true
			for _, f := range s.Post {
				srv.Faults().MustInject("AdjustPoints", f.mock())
			}
			for _, f := range s.Read {
				srv.Faults().MustInject("ListPoints", f.mock())
			}
			res, err := c.AdjustPointsOnce(ctx, adjustment(s.Order))
			srv.Faults().Clear()
			var e *cafe24.Error
			switch {
			case err == nil && res == nil:
				t.Fatalf("step %d (%v): no result and no error", i, s)
			case err != nil && !asError(err, &e):
				t.Fatalf("step %d (%v): untyped error %v", i, s, err)
			case err != nil && cafe24.IsInvalidInput(err):
				t.Fatalf("step %d (%v): %v", i, s, err)
			}
			if n := srv.Credits(adjustment(s.Order).OrderID); n > 1 || (err == nil && n != 1) {
				t.Fatalf("step %d (%v): order credited %d times (err %v)", i, s, n, err)
			}
		}
	}
	c = srv.Client()
	want := opening
	for o := range touched {
		a := adjustment(o)
		if _, err := c.AdjustPointsOnce(ctx, a); err != nil {
			t.Fatalf("resolving %s: %v", a.OrderID, err)
		}
		if n := srv.Credits(a.OrderID); n != 1 {
			t.Fatalf("%s credited %d times", a.OrderID, n)
		}
		want = want.Add(a.Amount)
	}
	if b, _ := srv.Balance(member); !b.Equal(want) {
		t.Fatalf("balance %s, want %s", b, want)
	}
}

func asError(err error, e **cafe24.Error) bool {
	for err != nil {
		if x, ok := err.(*cafe24.Error); ok {
			*e = x
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}
