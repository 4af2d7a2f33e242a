// Package pointpayprop is the exported rapid property of the pointpay result-callback
// receiver, for partners to run against their own store and credit function:
//
//	func TestPointPayExactlyOnce(t *testing.T) {
//		pointpayprop.Check(t, pointpayprop.Config{
//			OpenStore: pointpayprop.BoltStores(t.TempDir()),
//			NewCredit: myKeyedCredit, // nil: an in-memory keyed ledger
//		})
//	}
//
// Under duplicated, reordered, concurrent, forged (wrong rw_a_code), conflicting (a
// recorded order number with another amount) and resent callbacks, credit failures
// (before or after the credit applied), a crash between a credit and its record, and
// restarts of the receiver (the store closed and reopened), it checks that every genuine
// conversion is credited exactly once, that nothing forged or conflicting reaches the
// credit function, that every answer is one PointPay understands, and that each member's
// balance (Config.NewCredit's Balance) grew by exactly the sum of their genuine
// conversions. WithCafe24 plugs in the Cafe24 bridge (pointpay.Bridge) over HTTP to a
// cafe24mock fake, adds Cafe24 faults to the run (answers dropped after the credit
// applied, 5xx, unreadable records) and checks the members' Cafe24 balances:
//
//	pointpayprop.Check(t, pointpayprop.WithCafe24(t, pointpayprop.Config{}))
//
// It lives in its own package so that importing pointpay does not pull in rapid.
package pointpayprop

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/pointpay"
	"pgregory.net/rapid"
)

// Balance reads a member's credited total (points).
type Balance func(ctx context.Context, memberID string) (int64, error)

// StoreOpener opens the store of one run. Every call with the same key must return the
// same data: the property closes the store (with the returned close function) and opens
// it again to restart the receiver.
type StoreOpener func(key string) (store pointpay.Store, closeFn func() error, err error)

// Config is the system under test.
type Config struct {
	// MediaID is the receiver's media id; empty means "PROPMEDIA".
	MediaID string
	// OpenStore opens the store; nil means MemoryStores().
	OpenStore StoreOpener
	// NewCredit returns, for one run, the credit function under test and a reader of the
	// members' balances. The credit function must be keyed by Result.OrderNo (a second
	// call for an order number already applied applies nothing and returns nil): the
	// property simulates crashes after which the receiver legitimately calls it again. Nil
	// means an in-memory keyed ledger. Members are named "<run>-m1" … "<run>-m3".
	NewCredit func(t *rapid.T) (pointpay.CreditFunc, Balance)
	// Disturb, when set, is one more action of a run: it makes some of the next calls of
	// the credit function's own dependencies fail (WithCafe24 injects Cafe24 faults).
	// Calm, when set, removes what Disturb left before the final resends.
	Disturb func(t *rapid.T)
	Calm    func()
	// Verify, when set, runs at the end of a run, after every conversion is credited:
	// orderNos are the run's genuine order numbers and store its receiver's store
	// (WithCafe24 reconciles them with Cafe24). An error fails the run.
	Verify func(ctx context.Context, orderNos []string, store pointpay.Store) error
	// Options are added to every receiver (e.g. WithAcknowledgeDuplicates); the property
	// sets the clock and the credit lease itself.
	Options []pointpay.Option
}

// Check runs the property with rapid.
func Check(t *testing.T, cfg Config) {
	t.Helper()
	rapid.Check(t, Property(cfg))
}

// MemoryStores returns a StoreOpener of MemoryStores that outlive the receiver (like a
// database server): reopening a key returns the same store.
func MemoryStores() StoreOpener {
	var mu sync.Mutex
	stores := map[string]*pointpay.MemoryStore{}
	return func(key string) (pointpay.Store, func() error, error) {
		mu.Lock()
		defer mu.Unlock()
		s, ok := stores[key]
		if !ok {
			s = pointpay.NewMemoryStore()
			stores[key] = s
		}
		return s, func() error { return nil }, nil
	}
}

// BoltStores returns a StoreOpener of BoltStores, one file per key in dir, opened with
// opts (pointpay.WithNoSync() makes a run much faster; a restart in one process does not
// need the fsync).
func BoltStores(dir string, opts ...pointpay.BoltOption) StoreOpener {
	return func(key string) (pointpay.Store, func() error, error) {
		s, err := pointpay.OpenBoltStore(filepath.Join(dir, key+".db"), opts...)
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	}
}

const lease = time.Minute

var runs atomic.Int64

type conversion struct {
	r         pointpay.Result
	delivered bool
}

// harness is one run's state.
type harness struct {
	t       *rapid.T
	cfg     Config
	key     string
	clk     *mock.Clock
	store   *crashStore
	closeFn func() error
	rv      *pointpay.Receiver
	credit  pointpay.CreditFunc

	mu        sync.Mutex
	failNext  int  // credit calls still to fail
	failAfter bool // whether a failing call applies the credit first
	okCalls   map[string]int
	badCalls  []string // credit calls for something not genuine
	genuine   map[string]pointpay.Result
}

// crashStore makes the next Swap to "credited" fail: the credit happened, its record did
// not (a crash between the two).
type crashStore struct {
	pointpay.Store
	mu      sync.Mutex
	crashes int
	crashed map[string]int
}

// Swap fails once per pending crash when a credit is about to be recorded.
func (c *crashStore) Swap(ctx context.Context, prev, next pointpay.Record) (bool, error) {
	c.mu.Lock()
	if c.crashes > 0 && next.State == pointpay.StateCredited {
		c.crashes--
		c.crashed[next.Result.OrderNo]++
		c.mu.Unlock()
		return false, errors.New("pointpayprop: simulated crash before recording the credit")
	}
	c.mu.Unlock()
	return c.Store.Swap(ctx, prev, next)
}

// Property returns the property as a rapid check function.
func Property(cfg Config) func(*rapid.T) {
	if cfg.MediaID == "" {
		cfg.MediaID = "PROPMEDIA"
	}
	if cfg.OpenStore == nil {
		cfg.OpenStore = MemoryStores()
	}
	return func(t *rapid.T) {
		h := &harness{t: t, cfg: cfg, key: fmt.Sprintf("run%d", runs.Add(1)), clk: mock.NewClock(time.Time{}),
			okCalls: map[string]int{}, genuine: map[string]pointpay.Result{}}
		h.store = &crashStore{crashed: map[string]int{}}
		inner, balance := cfg.NewCredit, Balance(nil)
		if inner == nil {
			inner = func(*rapid.T) (pointpay.CreditFunc, Balance) { return newLedger() }
		}
		credit, balance := inner(t)
		h.credit = credit
		h.open()
		defer func() { _ = h.closeFn() }()

		members := []string{h.key + "-m1", h.key + "-m2", h.key + "-m3"}
		baseline := map[string]int64{}
		for _, m := range members {
			b, err := balance(context.Background(), m)
			if err != nil {
				t.Fatalf("balance of %s: %v", m, err)
			}
			baseline[m] = b
		}
		n := rapid.IntRange(1, 6).Draw(t, "conversions")
		convs := make([]*conversion, n)
		for i := range convs {
			convs[i] = &conversion{r: pointpay.Result{
				PayType:      "KT",
				MemberID:     rapid.SampledFrom(members).Draw(t, "member"),
				Price:        rapid.Int64Range(1, 1_000_000).Draw(t, "price"),
				RegisteredAt: h.clk.Now(),
				MediaCode:    cfg.MediaID,
				OrderNo:      fmt.Sprintf("%s-PP%d", h.key, i),
			}}
			h.genuine[convs[i].r.OrderNo] = convs[i].r
		}
		pick := func(label string) *conversion { return convs[rapid.IntRange(0, n-1).Draw(t, label)] }

		steps := rapid.IntRange(n, 6*n).Draw(t, "steps")
		actions := 9
		if cfg.Disturb != nil {
			actions = 10
		}
		for range steps {
			switch rapid.IntRange(0, actions).Draw(t, "action") {
			case 0, 1, 2: // a genuine callback, first or resent, in any order
				c := pick("deliver")
				h.expect(h.post(c.r.Form().Encode()), "201", "duplicate", "credit failed", "in progress", "store")
				c.delivered = true
			case 3: // the same callback several times at once
				c := pick("burst")
				k := rapid.IntRange(2, 4).Draw(t, "copies")
				var wg sync.WaitGroup
				answers := make([]string, k)
				for j := range k {
					wg.Add(1)
					go func() { defer wg.Done(); answers[j] = h.post(c.r.Form().Encode()) }()
				}
				wg.Wait()
				for _, a := range answers {
					h.expect(a, "201", "duplicate", "credit failed", "in progress", "store")
				}
				c.delivered = true
			case 4: // forged: wrong rw_a_code, a genuine or a new order number
				r := pick("forge").r
				r.MediaCode = "X" + cfg.MediaID
				if rapid.Bool().Draw(t, "new order number") {
					r.OrderNo += "-forged"
				}
				r.Price = rapid.Int64Range(1, 1_000_000).Draw(t, "forged price")
				h.expect(h.post(r.Form().Encode()), "unknown rw_a_code")
			case 5: // conflicting: a recorded order number with another amount
				c := pick("conflict")
				if !c.delivered {
					continue
				}
				r := c.r
				r.Price += rapid.Int64Range(1, 1000).Draw(t, "extra")
				h.expect(h.post(r.Form().Encode()), "already used with other values")
			case 6: // the application's credit fails for the next calls
				h.mu.Lock()
				h.failNext = rapid.IntRange(1, 3).Draw(t, "failures")
				h.failAfter = rapid.Bool().Draw(t, "applied before failing")
				h.mu.Unlock()
			case 7: // a crash between the next credit and its record
				h.store.mu.Lock()
				h.store.crashes++
				h.store.mu.Unlock()
			case 8: // restart: close the store, reopen it, new receiver
				h.restart()
			case 9:
				h.clk.Advance(time.Duration(rapid.IntRange(1, 90).Draw(t, "seconds")) * time.Second)
			case 10: // the credit's dependencies fail (Cafe24 answers dropped, 5xx, …)
				cfg.Disturb(t)
			}
		}

		// PointPay keeps resending until it gets an answer that ends the conversion.
		h.mu.Lock()
		h.failNext = 0
		h.mu.Unlock()
		h.store.mu.Lock()
		h.store.crashes = 0
		h.store.mu.Unlock()
		if cfg.Calm != nil {
			cfg.Calm()
		}
		h.clk.Advance(lease)
		for _, c := range convs {
			done := false
			for try := 0; try < 3 && !done; try++ {
				a := h.post(c.r.Form().Encode())
				done = a == "201" || strings.Contains(a, "duplicate")
			}
			if !done {
				t.Fatalf("%s never settled", c.r.OrderNo)
			}
			rec, ok, err := h.store.Get(context.Background(), c.r.OrderNo)
			if err != nil || !ok || rec.State != pointpay.StateCredited {
				t.Fatalf("%s: record %+v %v %v", c.r.OrderNo, rec, ok, err)
			}
		}

		h.mu.Lock()
		defer h.mu.Unlock()
		if len(h.badCalls) > 0 {
			t.Fatalf("credit called for something not genuine: %v", h.badCalls)
		}
		want := map[string]int64{}
		for _, c := range convs {
			want[c.r.MemberID] += c.r.Price
			// A successful credit call per order number, plus one per simulated crash
			// after it (the keyed credit absorbs those).
			h.store.mu.Lock()
			allowed := 1 + h.store.crashed[c.r.OrderNo]
			h.store.mu.Unlock()
			if got := h.okCalls[c.r.OrderNo]; got < 1 || got > allowed {
				t.Fatalf("%s: %d successful credit calls, want 1 (+%d after crashes)", c.r.OrderNo, got, allowed-1)
			}
		}
		for _, m := range members {
			b, err := balance(context.Background(), m)
			if err != nil {
				t.Fatalf("balance of %s: %v", m, err)
			}
			if b-baseline[m] != want[m] {
				t.Fatalf("%s: balance grew by %d, genuine conversions sum to %d", m, b-baseline[m], want[m])
			}
		}
		if cfg.Verify != nil {
			orderNos := make([]string, len(convs))
			for i, c := range convs {
				orderNos[i] = c.r.OrderNo
			}
			if err := cfg.Verify(context.Background(), orderNos, h.store.Store); err != nil {
				t.Fatalf("verify: %v", err)
			}
		}
	}
}

func (h *harness) open() {
	s, closeFn, err := h.cfg.OpenStore(h.key)
	if err != nil {
		h.t.Fatalf("open store: %v", err)
	}
	h.store.Store, h.closeFn = s, closeFn
	opts := append([]pointpay.Option{pointpay.WithClock(h.clk), pointpay.WithCreditLease(lease)}, h.cfg.Options...)
	rv, err := pointpay.NewReceiver(h.cfg.MediaID, h.store, h.wrappedCredit, opts...)
	if err != nil {
		h.t.Fatalf("new receiver: %v", err)
	}
	h.rv = rv
}

func (h *harness) restart() {
	if err := h.closeFn(); err != nil {
		h.t.Fatalf("close store: %v", err)
	}
	h.open()
}

// wrappedCredit checks that only genuine conversions arrive, injects failures, and counts
// successful calls.
func (h *harness) wrappedCredit(ctx context.Context, r pointpay.Result) error {
	h.mu.Lock()
	g, ok := h.genuine[r.OrderNo]
	if !ok || g.Price != r.Price || g.MemberID != r.MemberID || r.MediaCode != h.cfg.MediaID {
		h.badCalls = append(h.badCalls, fmt.Sprintf("%s/%d", r.OrderNo, r.Price))
		h.mu.Unlock()
		return nil // the violation is reported at the end; nothing is credited
	}
	fail, after := h.failNext > 0, h.failAfter
	if fail {
		h.failNext--
	}
	h.mu.Unlock()
	if fail && !after {
		return errors.New("pointpayprop: injected credit failure")
	}
	err := h.credit(ctx, r)
	if err != nil {
		return err
	}
	if fail {
		return errors.New("pointpayprop: injected failure after the credit applied")
	}
	h.mu.Lock()
	h.okCalls[r.OrderNo]++
	h.mu.Unlock()
	return nil
}

func (h *harness) post(body string) string {
	req := httptest.NewRequest("POST", "/pointpay/result", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.rv.ServeHTTP(w, req)
	return w.Body.String()
}

// expect checks that an answer is "201" or "202|-|<reason>" with one of the allowed
// reasons (matched by substring; "201" matches only "201").
func (h *harness) expect(answer string, allowed ...string) {
	h.t.Helper()
	a, err := pointpay.ParseAnswer([]byte(answer))
	if err != nil {
		h.t.Fatalf("answer %q is not PointPay's format", answer)
	}
	for _, w := range allowed {
		if (w == "201" && a.OK) || (w != "201" && !a.OK && strings.Contains(a.Reason, w)) {
			return
		}
	}
	h.t.Fatalf("answer %q, want one of %q", answer, allowed)
}

// newLedger is the default credit function: keyed by order number, in memory.
func newLedger() (pointpay.CreditFunc, Balance) {
	var mu sync.Mutex
	applied := map[string]bool{}
	balances := map[string]int64{}
	credit := func(_ context.Context, r pointpay.Result) error {
		mu.Lock()
		defer mu.Unlock()
		if !applied[r.OrderNo] {
			applied[r.OrderNo] = true
			balances[r.MemberID] += r.Price
		}
		return nil
	}
	balance := func(_ context.Context, m string) (int64, error) {
		mu.Lock()
		defer mu.Unlock()
		return balances[m], nil
	}
	return credit, balance
}
