// Package loyaltyprop holds the property harness of the fake relay (mock/loyaltymock): rapid
// generators of amounts, payment requests and wallet behaviours, and CheckKioskIntegration,
// the property a partner runs against its own KIOSK code. It lives apart from the fake so
// that importing the fake never pulls rapid into a build.
package loyaltyprop

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"pgregory.net/rapid"

	"github.com/holiman/uint256"

	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/loyaltymock"
)

// GenAmount generates valid amounts: whole units, raw units, and values up
// to 2²⁵⁶−1.
func GenAmount() *rapid.Generator[loyalty.Amount] {
	return rapid.OneOf(
		rapid.Custom(func(t *rapid.T) loyalty.Amount {
			return loyalty.FromWhole(rapid.Uint64Range(0, 10_000_000).Draw(t, "whole"))
		}),
		rapid.Custom(func(t *rapid.T) loyalty.Amount {
			return loyalty.FromBaseUnits(rapid.Uint64().Draw(t, "units"))
		}),
		rapid.Custom(func(t *rapid.T) loyalty.Amount {
			var v uint256.Int
			for i := range v {
				v[i] = rapid.Uint64().Draw(t, fmt.Sprint("word", i))
			}
			return loyalty.AmountFromUint256(v)
		}),
	)
}

// GenInvalidAmount generates strings that are not wire amounts: empty,
// signed, decimal, exponent, hex, spaced, non-ASCII digits, over 2²⁵⁶−1.
func GenInvalidAmount() *rapid.Generator[string] {
	digits := rapid.StringMatching(`[0-9]{1,30}`)
	return rapid.OneOf(
		rapid.Just(""),
		rapid.Map(digits, func(s string) string { return "-" + s }),
		rapid.Map(digits, func(s string) string { return "+" + s }),
		rapid.Map(digits, func(s string) string { return s + ".5" }),
		rapid.Map(digits, func(s string) string { return s + "e18" }),
		rapid.Map(digits, func(s string) string { return "0x" + s }),
		rapid.Map(digits, func(s string) string { return " " + s }),
		rapid.Map(digits, func(s string) string { return s + "," + s }),
		rapid.Just("١٢٣"),
		rapid.Just("115792089237316195423570985008687907853269984665640564039457584007913129639936"), // 2²⁵⁶
		rapid.Map(rapid.StringMatching(`[0-9]{79,90}`), func(s string) string { return "9" + s }),
		rapid.StringMatching(`[0-9]*[a-zA-Z_ ][0-9a-zA-Z]*`),
	)
}

var purchaseSeq atomic.Uint64

// GenPaymentRequest generates openNew inputs over a seed's shops and wallets
// (those with keys): a unique purchaseId, a currency the seed rates know
// (or "point"), and an amount from 1 to 2,000 units (so some exceed small
// balances).
func GenPaymentRequest(seed loyaltymock.Seed) *rapid.Generator[loyalty.OpenNewPaymentInput] {
	var accounts []string
	for _, w := range seed.Wallets {
		if w.Key != nil {
			accounts = append(accounts, w.Account)
		}
	}
	var shops []string
	for _, s := range seed.Shops {
		shops = append(shops, s.ID)
	}
	currencies := []string{"point"}
	for c := range seed.Rates.Currency {
		if c != "usd" { // keep totals in the range of the seeded balances
			currencies = append(currencies, strings.ToLower(c))
		}
	}
	return rapid.Custom(func(t *rapid.T) loyalty.OpenNewPaymentInput {
		if len(accounts) == 0 || len(shops) == 0 {
			t.Fatalf("loyaltymock: GenPaymentRequest needs a seed with a shop and a keyed wallet")
		}
		return loyalty.OpenNewPaymentInput{
			PurchaseID: fmt.Sprintf("%s-%d", rapid.StringMatching(`[A-Z]{1,4}`).Draw(t, "prefix"), purchaseSeq.Add(1)),
			Amount:     loyalty.FromWhole(rapid.Uint64Range(1, 2000).Draw(t, "units")),
			Currency:   rapid.SampledFrom(currencies).Draw(t, "currency"),
			ShopID:     rapid.SampledFrom(shops).Draw(t, "shop"),
			Account:    rapid.SampledFrom(accounts).Draw(t, "account"),
		}
	})
}

// WalletBehaviour is one interleaving of what can happen around a payment:
// the wallet's answer and its timing, and the network's misbehaviour.
type WalletBehaviour struct {
	Policy            loyaltymock.WalletPolicy // approve / deny / ignore, after a delay on the fake clock
	DuplicateCallback bool                     // every callback is delivered twice
	LoseCallback      bool                     // the next callback is lost
	DropOpenAnswer    bool                     // openNew applies but its answer is lost
	DropCloseAnswer   bool                     // closeNew applies but its answer is lost
	DropReadAnswers   int                      // GET item answers lost (the client retries reads)
}

// GenWalletBehaviour generates wallet answers before and after the 45 s
// window, denials, silence, duplicate and lost callbacks and lost answers.
func GenWalletBehaviour() *rapid.Generator[WalletBehaviour] {
	return rapid.Custom(func(t *rapid.T) WalletBehaviour {
		delays := []time.Duration{0, time.Second, 10 * time.Second, 44 * time.Second, 46 * time.Second, 90 * time.Second}
		return WalletBehaviour{
			Policy: loyaltymock.WalletPolicy{
				Action: rapid.SampledFrom([]loyaltymock.WalletAction{loyaltymock.WalletApprove, loyaltymock.WalletApprove, loyaltymock.WalletDeny, loyaltymock.WalletIgnore}).Draw(t, "action"),
				Delay:  rapid.SampledFrom(delays).Draw(t, "delay"),
			},
			DuplicateCallback: rapid.Bool().Draw(t, "duplicate"),
			LoseCallback:      rapid.Bool().Draw(t, "lose"),
			DropOpenAnswer:    rapid.IntRange(0, 5).Draw(t, "dropOpen") == 0,
			DropCloseAnswer:   rapid.Bool().Draw(t, "dropClose"),
			DropReadAnswers:   rapid.IntRange(0, 2).Draw(t, "dropReads"),
		}
	})
}

// KioskEnv is what a KIOSK under test gets: a client of the fake (on the
// fake's clock) and a PaymentWaiter fed by a loyalty.CallbackHandler that
// receives the fake's callbacks.
type KioskEnv struct {
	Client *loyalty.Client
	Waiter *loyalty.PaymentWaiter
	// Clock is the fake's clock as the kiosk must use it: the property advances time only
	// while the kiosk waits on a timer of this clock, never while it is busy. It sees the
	// kiosk enter a wait when it takes a timer's channel (select on t.C(), <-Clock.After);
	// a kiosk receiving from a channel it took earlier still gets time, after a few quiet
	// milliseconds.
	Clock loyalty.Clock
}

// Kiosk is a partner's payment routine: open a payment for req, learn the
// wallet's answer, close, and report whether the customer paid.
type Kiosk func(ctx context.Context, env KioskEnv, req loyalty.OpenNewPaymentInput) (paid bool, err error)

// kioskClockTag marks the kiosk's timers on the fake's clock.
const kioskClockTag = "kiosk"

// CheckKioskIntegration is a property for a partner's KIOSK code: under one
// generated interleaving (wallet approves, denies, answers late or never;
// callbacks duplicated or lost; answers of open, close and reads lost), the
// kiosk must end with exactly one of "paid once" or "not paid", and the
// fake must agree: paid ⇒ exactly one payment for the purchase closed and
// the user's balance down by exactly its totalPoint; not paid ⇒ no payment
// closed and the balance unchanged. Use it in rapid.Check:
//
//	srv := loyaltymock.NewServer()
//	defer srv.Close()
//	rapid.Check(t, func(t *rapid.T) { loyaltymock.CheckKioskIntegration(t, srv, myKiosk) })
//
// The fake's clock is driven while the kiosk runs: whenever the kiosk waits on
// KioskEnv.Clock, it moves by one second (at most 30 minutes per run).
func CheckKioskIntegration(t *rapid.T, srv *loyaltymock.Server, kiosk Kiosk) {
	req := GenPaymentRequest(srv.Seed()).Draw(t, "request")
	b := GenWalletBehaviour().Draw(t, "behaviour")
	if err := checkKiosk(srv, kiosk, req, b); err != nil {
		t.Fatal(err)
	}
}

// checkKiosk runs one interleaving and returns how the kiosk and the fake
// disagree, if they do.
func checkKiosk(srv *loyaltymock.Server, kiosk Kiosk, req loyalty.OpenNewPaymentInput, b WalletBehaviour) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv.Faults().Clear()
	defer srv.Faults().Clear()
	srv.ScriptPurchase(req.PurchaseID, loyalty.LegNew, b.Policy)
	srv.SetDuplicateCallbacks(b.DuplicateCallback)
	defer srv.SetDuplicateCallbacks(false)
	if b.LoseCallback {
		srv.Faults().Inject(loyaltymock.OpCallback, mock.Fault{Kind: mock.DropAnswer})
	}
	if b.DropOpenAnswer {
		srv.Faults().Inject("OpenNewPayment", mock.Fault{Kind: mock.DropAnswer})
	}
	if b.DropCloseAnswer {
		srv.Faults().Inject("CloseNewPayment", mock.Fault{Kind: mock.DropAnswer})
	}
	if b.DropReadAnswers > 0 {
		srv.Faults().Inject("Payment", mock.Fault{Kind: mock.DropAnswer, Times: b.DropReadAnswers})
	}

	probe := newKioskProbe()
	kioskClock := probeClock{srv.Clock().Tagged(kioskClockTag), probe}
	client := srv.Client(loyalty.WithClock(kioskClock), loyalty.WithHTTPClient(probe.httpClient(srv.HTTPClient())))
	waiter := loyalty.NewPaymentWaiter(client, loyalty.WithWaiterClock(kioskClock))
	h := loyalty.NewCallbackHandler(srv.Seed().AccessKey(), func(_ context.Context, ev loyalty.CallbackEvent) error {
		probe.wake() // before the event: the kiosk reacts after
		waiter.Notify(ev)
		return nil
	})
	cb := httptest.NewServer(h)
	defer cb.Close()
	srv.SetCallbackURL(cb.URL)

	start := srv.Balance(req.Account)
	type result struct {
		paid bool
		err  error
	}
	done := make(chan result, 1)
	go func() {
		paid, err := kiosk(ctx, KioskEnv{Client: client, Waiter: waiter, Clock: kioskClock}, req)
		done <- result{paid, err}
	}()
	var res result
	driven := time.Duration(0)
	quiet := 0
	for waiting := true; waiting; {
		select {
		case res = <-done:
			waiting = false
			continue
		case <-ctx.Done():
			return fmt.Errorf("kiosk did not return (fake clock moved %v)", driven)
		default:
		}
		// The fake's wallet acts only when told: let it answer what is due now.
		if srv.Busy() {
			if err := srv.Sync(ctx); err != nil {
				return fmt.Errorf("fake did not settle: %v", err)
			}
		}
		// Move time only while the kiosk is parked on its clock: moving it while the kiosk
		// talks to the fake would let windows (40 s close, 45 s approval) pass in a blink.
		tick, stop := context.WithTimeout(ctx, 2*time.Millisecond)
		move := false
		if srv.Clock().WaitForWaiters(1, tick.Done()) && driven < 30*time.Minute {
			switch st := kioskState(srv, probe); st {
			case kioskParked:
				move, quiet = true, 0
			case kioskBusy:
				quiet = 0
			case kioskUnsure:
				// Waiting, but not in a way the probe sees (a channel taken long before):
				// give it time to act, then treat a kiosk that stays quiet as parked.
				if probe.waitChange(tick.Done()) {
					quiet = 0
				} else if quiet++; quiet >= unsureTicks {
					move, quiet = true, 0
				}
			}
		}
		stop()
		if move {
			probe.advance(srv.Clock(), time.Second)
			driven += time.Second
			if err := srv.Sync(ctx); err != nil { // wallet answers and callbacks done
				return fmt.Errorf("fake did not settle: %v", err)
			}
		}
	}
	// Let every leg end: approvals come or time out, force-closes apply.
	srv.Faults().Clear()
	srv.Clock().Advance(loyaltymock.ForceCloseAfter + loyaltymock.ApprovalWindow + time.Minute)
	if err := srv.Sync(ctx); err != nil {
		return fmt.Errorf("settling the fake: %v", err)
	}
	closed := srv.ClosedPayments(req.ShopID, req.PurchaseID)
	end := srv.Balance(req.Account)
	spent, err := start.Sub(end)
	if err != nil {
		return fmt.Errorf("balance rose from %s to %s", start, end)
	}
	if res.paid {
		if len(closed) != 1 {
			return fmt.Errorf("kiosk says paid (err %v), fake has %d closed payments for %s", res.err, len(closed), req.PurchaseID)
		}
		if !spent.Eq(closed[0].TotalPoint) {
			return fmt.Errorf("kiosk says paid, balance fell by %s, want %s", spent, closed[0].TotalPoint)
		}
		return nil
	}
	if len(closed) != 0 {
		return fmt.Errorf("kiosk says not paid (err %v), fake closed payment %s", res.err, closed[0].ID)
	}
	if !spent.IsZero() {
		return fmt.Errorf("kiosk says not paid, balance fell by %s", spent)
	}
	return nil
}

type kioskStateKind int

const (
	kioskBusy   kioskStateKind = iota // a request, wallet answer or callback under way, or no timer armed
	kioskParked                       // entered a wait on its clock and nothing has woken it since
	kioskUnsure                       // idle with a timer armed, but not seen entering a wait
)

// unsureTicks is how many quiet 2 ms ticks an idle kiosk that was not seen entering a
// wait gets before time moves anyway (a kiosk receiving from a timer channel it took
// long before).
const unsureTicks = 25

// kioskState tells whether the clock may move: only while the kiosk waits on its clock
// with nothing in flight — no request of the kiosk under way (seen from its side of the
// connection: being dialled and written, at the fake, its answer read and decoded), no
// wallet answer or callback under way or due — and the kiosk was last seen entering that
// wait (taking a timer's channel) with no callback, answer or timer fire reaching it since.
//
// The fake's own request count (Router.InFlight) and "no change across two looks" are not
// enough: a kiosk whose poll is being dialled or read, or which is blocked on a mutex
// between two steps, looks idle while it is busy, and the clock then runs in a blink — a
// PaymentWaiter's 45 s deadline passes during its first poll and the kiosk closes an
// approved payment 45 s late, after the 40 s close window, so the close fails instead of
// settling.
func kioskState(srv *loyaltymock.Server, probe *kioskProbe) kioskStateKind {
	if srv.Clock().TaggedWaiters(kioskClockTag) == 0 || srv.InFlight() > 0 || srv.Busy() {
		return kioskBusy
	}
	parked, inflight, seq := probe.state()
	if inflight > 0 {
		return kioskBusy
	}
	if !parked {
		return kioskUnsure
	}
	// Look again after letting the scheduler run, so nothing is caught half-way.
	for range 8 {
		runtime.Gosched()
	}
	if srv.InFlight() > 0 || srv.Busy() {
		return kioskBusy
	}
	if parked2, _, seq2 := probe.state(); !parked2 || seq2 != seq {
		return kioskBusy
	}
	return kioskParked
}

// kioskProbe watches the kiosk under test from the outside: its requests from the
// client's side, its timers, and the callbacks handed to it.
type kioskProbe struct {
	mu       sync.Mutex
	inflight int    // requests begun and not yet answered and closed
	parked   bool   // the kiosk's last act was taking a timer's channel: it is entering a wait
	woken    bool   // a callback or timer fire reached it, and it has not reacted yet
	seq      uint64 // bumped on every change
	changed  chan struct{}
}

func newKioskProbe() *kioskProbe { return &kioskProbe{changed: make(chan struct{})} }

func (p *kioskProbe) update(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f()
	p.seq++
	close(p.changed)
	p.changed = make(chan struct{})
}

// state reports whether the kiosk is parked (entered a wait and not woken since), its
// requests in flight, and the change count.
func (p *kioskProbe) state() (parked bool, inflight int, seq uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.parked && !p.woken, p.inflight, p.seq
}

// waitChange waits for a change or for done, and reports whether something changed.
func (p *kioskProbe) waitChange(done <-chan struct{}) bool {
	p.mu.Lock()
	ch := p.changed
	p.mu.Unlock()
	select {
	case <-ch:
		return true
	case <-done:
		return false
	}
}

// waiting: the kiosk takes a timer's channel, as it does entering a select or receive.
func (p *kioskProbe) waiting() { p.update(func() { p.parked = true }) }

// acted: the kiosk armed a timer (not a reaction: it may go on working), or stopped or
// reset one (its reaction to a wake-up, as a PaymentWaiter's).
func (p *kioskProbe) acted(reaction bool) {
	p.update(func() {
		p.parked = false
		if reaction {
			p.woken = false
		}
	})
}

// wake: a callback is handed to the kiosk, or one of its timers is about to fire.
func (p *kioskProbe) wake() { p.update(func() { p.parked, p.woken = false, true }) }

func (p *kioskProbe) begin() {
	p.update(func() { p.inflight++; p.parked, p.woken = false, false })
}

func (p *kioskProbe) end() { p.update(func() { p.inflight--; p.parked = false }) }

// advance moves the clock by d. The kiosk counts as woken while its timers fire; if none
// fired and it did nothing meanwhile, it is parked again.
func (p *kioskProbe) advance(c *mock.Clock, d time.Duration) {
	p.mu.Lock()
	wasParked, wasWoken := p.parked, p.woken
	p.mu.Unlock()
	before := c.TaggedWaiters(kioskClockTag)
	p.wake()
	p.mu.Lock()
	seq := p.seq
	p.mu.Unlock()
	c.Advance(d)
	if c.TaggedWaiters(kioskClockTag) < before {
		return // a kiosk timer fired: the kiosk is woken until it reacts
	}
	p.mu.Lock()
	restore := p.seq == seq
	p.mu.Unlock()
	if restore {
		p.update(func() { p.parked, p.woken = wasParked, wasWoken })
	}
}

// httpClient returns a copy of hc whose requests the probe sees from start until the
// answer's body is closed (the client decodes before it closes the body).
func (p *kioskProbe) httpClient(hc *http.Client) *http.Client {
	c := *hc
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = probeTransport{base: base, p: p}
	return &c
}

type probeTransport struct {
	base http.RoundTripper
	p    *kioskProbe
}

func (t probeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.p.begin()
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		t.p.end()
		return nil, err
	}
	resp.Body = &probeBody{ReadCloser: resp.Body, p: t.p}
	return resp, nil
}

type probeBody struct {
	io.ReadCloser
	p    *kioskProbe
	once sync.Once
}

func (b *probeBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.p.end)
	return err
}

// probeClock is the kiosk's clock: the fake's, tagged, with every timer action reported
// to the probe.
type probeClock struct {
	clockx.Clock
	p *kioskProbe
}

func (c probeClock) NewTimer(d time.Duration) clockx.Timer {
	t := probeTimer{c.Clock.NewTimer(d), c.p}
	c.p.acted(false)
	return t
}

func (c probeClock) After(d time.Duration) <-chan time.Time { return c.NewTimer(d).C() }

type probeTimer struct {
	clockx.Timer
	p *kioskProbe
}

func (t probeTimer) C() <-chan time.Time {
	t.p.waiting()
	return t.Timer.C()
}

func (t probeTimer) Stop() bool {
	ok := t.Timer.Stop()
	t.p.acted(true)
	return ok
}

func (t probeTimer) Reset(d time.Duration) bool {
	ok := t.Timer.Reset(d)
	t.p.acted(true)
	return ok
}
