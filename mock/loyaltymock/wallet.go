package loyaltymock

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/loyalty"
)

// WalletAction is what the scripted wallet does with a payment waiting for it.
type WalletAction int

// Wallet actions.
const (
	// WalletApprove signs and approves (the zero value: the default).
	WalletApprove WalletAction = iota
	// WalletDeny signs and denies.
	WalletDeny
	// WalletIgnore never answers: the test answers with Approve/Deny, or the
	// leg times out.
	WalletIgnore
)

// String returns "approve", "deny" or "ignore".
func (a WalletAction) String() string {
	switch a {
	case WalletDeny:
		return "deny"
	case WalletIgnore:
		return "ignore"
	}
	return "approve"
}

// WalletPolicy is how a wallet answers: an action after a delay on the fake
// clock. The zero WalletPolicy approves at once.
type WalletPolicy struct {
	Action WalletAction
	Delay  time.Duration
}

// Policies for tests.
var (
	ApproveAtOnce = WalletPolicy{Action: WalletApprove}
	DenyAtOnce    = WalletPolicy{Action: WalletDeny}
	Ignore        = WalletPolicy{Action: WalletIgnore}
)

// ApproveAfter approves after d on the fake clock.
func ApproveAfter(d time.Duration) WalletPolicy { return WalletPolicy{Action: WalletApprove, Delay: d} }

// DenyAfter denies after d on the fake clock.
func DenyAfter(d time.Duration) WalletPolicy { return WalletPolicy{Action: WalletDeny, Delay: d} }

// SetWallet sets how an account's wallet answers the legs it must approve:
// new payments of a user, cancels of a shop owner. It applies to legs opened
// from now on.
func (s *Server) SetWallet(account string, p WalletPolicy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.policies[lower(account)] = p
}

// ScriptPurchase sets how the wallet answers the next leg opened for a
// purchaseId (new leg: the user; cancel leg: the shop owner), overriding the
// account's policy once.
func (s *Server) ScriptPurchase(purchaseID string, leg loyalty.Leg, p WalletPolicy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[scriptKey(leg, purchaseID)] = p
}

func scriptKey(leg loyalty.Leg, purchaseID string) string { return leg.String() + "\x00" + purchaseID }

// scheduleWalletLocked queues the scripted wallet's answer to a leg. It runs at the next
// Sync once its delay has passed on the fake clock, or in the background when the clock
// is advanced past it — never by itself between two steps of a test.
func (s *Server) scheduleWalletLocked(p *payment, leg loyalty.Leg, signer string, now time.Time) {
	pol, scripted := s.scripts[scriptKey(leg, p.p.PurchaseID)]
	if scripted {
		delete(s.scripts, scriptKey(leg, p.p.PurchaseID))
	} else if ap, has := s.policies[lower(signer)]; has {
		pol = ap
	} else {
		pol = s.opts.walletDefault
	}
	if pol.Action == WalletIgnore {
		return
	}
	if w := s.wallets[lower(signer)]; w == nil || w.key == nil {
		return // nobody can sign
	}
	s.pushLocked(&s.active, task{at: now.Add(pol.Delay), sched: now, p: p, kind: taskWallet, leg: leg, approve: pol.Action == WalletApprove})
}

// ---------------------------------------------------------------------------
// Scheduler. Active work (scripted wallet answers, timeout callbacks) runs only when the
// test says so: at Sync, or when the test advances the fake clock past its time. A task
// due the moment it is queued (a wallet that answers "at once") therefore waits for the
// next Sync or the next Advance: a test that opens and closes a payment at once never
// races the wallet.

func (s *Server) kickLoop() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// wakeAt is when the background loop may run t: its time, and strictly after the moment it
// was queued, so that only a move of the clock starts it.
func (t task) wakeAt() time.Time {
	if w := t.sched.Add(time.Nanosecond); w.After(t.at) {
		return w
	}
	return t.at
}

// loop runs active tasks when the fake clock is advanced past them. It holds at most one
// clock timer, and only while an active task is queued.
func (s *Server) loop() {
	defer close(s.loopDone)
	for {
		s.mu.Lock()
		var next time.Time
		has := s.active.Len() > 0
		for _, t := range s.active {
			if w := t.wakeAt(); next.IsZero() || w.Before(next) {
				next = w
			}
		}
		s.mu.Unlock()
		var (
			t  clockx.Timer
			tc <-chan time.Time
		)
		if has {
			t = s.clock.NewTimer(next.Sub(s.clock.Now()))
			tc = t.C()
		}
		select {
		case <-tc:
			s.runDue(false)
		case <-s.kick:
		case <-s.ctx.Done():
			if t != nil {
				t.Stop()
			}
			return
		}
		if t != nil {
			t.Stop()
		}
	}
}

// runDue applies due force-closes and starts the active tasks due now: every one whose
// time has come when all is set (Sync), else only those the clock moved past since they
// were queued (the background loop).
func (s *Server) runDue(all bool) {
	s.mu.Lock()
	now := s.clock.Now()
	s.sweepLocked(now)
	var run, keep []task
	for s.active.Len() > 0 && !s.active[0].at.After(now) {
		t := heap.Pop(&s.active).(task)
		if all || now.After(t.sched) {
			run = append(run, t)
		} else {
			keep = append(keep, t)
		}
	}
	for _, t := range keep {
		heap.Push(&s.active, t)
	}
	s.inflight += len(run)
	s.mu.Unlock()
	for _, t := range run {
		go s.exec(t)
	}
}

func (s *Server) done1() {
	s.mu.Lock()
	s.inflight--
	s.idle.Broadcast()
	s.mu.Unlock()
}

func (s *Server) exec(t task) {
	defer s.done1()
	switch t.kind {
	case taskWallet:
		s.mu.Lock()
		waiting := legStatusesOf(t.leg).approvable(t.p.p.Status) && t.p.p.Status.Leg() == t.leg
		s.mu.Unlock()
		if !waiting {
			return // answered by hand, or timed out and closed: nothing left to answer
		}
		_, err := s.walletAnswer(t.p.p.ID, t.leg, t.approve)
		s.noteWallet(t, err)
	case taskTimeoutCallback:
		s.mu.Lock()
		var cbs []pendingCallback
		if legStatusesOf(t.leg).approvable(t.p.p.Status) {
			if cb, ok := s.callbackLocked(t.p, t.leg, loyalty.OutcomeTimeout, loyaltywire.MessageTimeout); ok {
				cbs = append(cbs, cb)
			}
		}
		s.mu.Unlock()
		s.deliver(cbs)
	}
}

// WalletAnswer is one answer the scripted wallet gave on its own (SetWallet,
// ScriptPurchase, WithWalletPolicy), with the relay's verdict.
type WalletAnswer struct {
	At        time.Time   // on the fake clock
	PaymentID string      // the payment
	Leg       loyalty.Leg // new or cancel
	Approve   bool        // approve or deny
	// Err is nil when the relay took the answer; a *loyalty.Error with the relay's code when
	// it refused it (7000 for a late answer, 1511 for a balance too low, …); any other error
	// when the answer could not be made or its result is unknown — Sync returns those.
	Err error
}

// WalletAnswers returns every answer of the scripted wallet so far, oldest first.
func (s *Server) WalletAnswers() []WalletAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]WalletAnswer(nil), s.walletLog...)
}

// noteWallet records a scripted answer; a failure that is not the relay's verdict on it is
// kept for Sync to return.
func (s *Server) noteWallet(t task, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.walletLog = append(s.walletLog, WalletAnswer{At: s.clock.Now(), PaymentID: t.p.p.ID, Leg: t.leg, Approve: t.approve, Err: err})
	if code, ok := loyalty.CodeOf(err); err != nil && (!ok || code <= 0 || code == loyalty.CodeInvalidSignature) {
		s.walletErrs = append(s.walletErrs, fmt.Errorf("loyaltymock: scripted wallet %s of %s leg of %s: %w",
			map[bool]string{true: "approval", false: "denial"}[t.approve], t.leg, t.p.p.ID, err))
	}
}

// Sync runs the work due on the fake clock — scripted wallet answers, timeout callbacks,
// force-closes — and waits until it and the callbacks it caused are done. Call it after
// opening a leg whose wallet answers at once, and after Clock().Advance. It returns the
// failures of scripted answers since the last Sync that are not the relay's verdict
// (a lost answer, a signing failure; refusals such as 7000 are in WalletAnswers), or
// ctx's error if ctx ends first.
func (s *Server) Sync(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.idle.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	for {
		s.runDue(true)
		s.mu.Lock()
		for s.inflight > 0 && ctx.Err() == nil {
			s.idle.Wait()
		}
		due := s.active.Len() > 0 && !s.active[0].at.After(s.clock.Now())
		errs := s.walletErrs
		if !due {
			s.walletErrs = nil
		}
		s.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return err
		}
		if !due {
			return errors.Join(errs...)
		}
	}
}

// ---------------------------------------------------------------------------
// The wallet app

// Approve approves a new payment as the user's wallet app does: it signs
// with the seeded key, the chain id and the account's nonce, and POSTs the
// approval route over HTTP. The error is the relay's answer as a
// *loyalty.Error (e.g. code 2025 when already approved). Answers of one account are made
// one at a time (sign, send, answer), so concurrent approvals never sign with the same
// nonce.
func (s *Server) Approve(paymentID string) error {
	_, err := s.walletAnswer(paymentID, loyalty.LegNew, true)
	return err
}

// Deny denies a new payment as the user's wallet app does (see Approve).
func (s *Server) Deny(paymentID string) error {
	_, err := s.walletAnswer(paymentID, loyalty.LegNew, false)
	return err
}

// ApproveCancel approves a cancel as the shop owner's app does, signed with
// the owner's seeded key.
func (s *Server) ApproveCancel(paymentID string) error {
	_, err := s.walletAnswer(paymentID, loyalty.LegCancel, true)
	return err
}

// DenyCancel denies a cancel as the shop owner's app does.
func (s *Server) DenyCancel(paymentID string) error {
	_, err := s.walletAnswer(paymentID, loyalty.LegCancel, false)
	return err
}

// ApprovalSignature returns the signature the wallet would send now for a
// payment's leg (user for the new leg, shop owner for the cancel leg), for
// tests that call the approval routes themselves.
func (s *Server) ApprovalSignature(paymentID string, leg loyalty.Leg) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signLocked(paymentID, leg)
}

// signerLocked returns who signs a payment's leg: the user for the new leg, the shop
// owner for the cancel leg ("" for an unknown payment).
func (s *Server) signerLocked(paymentID string, leg loyalty.Leg) string {
	p := s.payments[lower(paymentID)]
	if p == nil {
		return ""
	}
	if leg == loyalty.LegCancel {
		if sh := s.shops[lower(p.p.ShopID)]; sh != nil {
			return sh.Owner
		}
	}
	return p.p.Account
}

func (s *Server) signLocked(paymentID string, leg loyalty.Leg) (string, error) {
	p := s.payments[lower(paymentID)]
	if p == nil {
		return "", &loyalty.Error{Op: "loyaltymock.Wallet", Code: loyalty.CodePaymentNotFound, Message: "unknown payment"}
	}
	signer := s.signerLocked(paymentID, leg)
	w := s.wallets[lower(signer)]
	if w == nil || w.key == nil {
		return "", &loyalty.Error{Op: "loyaltymock.Wallet", Code: loyalty.CodeInvalidInput, Message: "no seeded key for the signer"}
	}
	if leg == loyalty.LegNew {
		return loyalty.SignNewPayment(w.key, newMessage(p, s.chainID, w.nonce))
	}
	return loyalty.SignCancel(w.key, cancelMessage(p, signer, s.chainID, w.nonce))
}

// walletAnswer signs and posts an approval or denial over HTTP, as the wallet app does,
// with a loyalty.Client of this fake on the wallet's route set.
// The signer's answers are serialised from signing to the relay's answer: the relay checks
// the signature against the account's nonce at that moment, which a concurrent approval of
// the same account would move.
func (s *Server) walletAnswer(paymentID string, leg loyalty.Leg, approve bool) (*loyalty.Payment, error) {
	s.mu.Lock()
	signer := lower(s.signerLocked(paymentID, leg))
	m := s.signerMu[signer]
	if m == nil {
		m = new(sync.Mutex)
		s.signerMu[signer] = m
	}
	s.mu.Unlock()
	m.Lock()
	defer m.Unlock()
	s.mu.Lock()
	sig, err := s.signLocked(paymentID, leg)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	c := s.wallet()
	switch {
	case leg == loyalty.LegNew && approve:
		return c.ApproveNewPayment(s.ctx, paymentID, sig)
	case leg == loyalty.LegNew:
		return c.DenyNewPayment(s.ctx, paymentID, sig)
	case approve:
		return c.ApproveCancelPayment(s.ctx, paymentID, sig)
	}
	return c.DenyCancelPayment(s.ctx, paymentID, sig)
}

// wallet returns the scripted wallet's client of this fake (made on first use: the
// listener's URL is known once the server started).
func (s *Server) wallet() *loyalty.Client {
	s.walletOnce.Do(func() {
		c, err := loyalty.NewClient(loyalty.WithBaseURL(s.URL()), loyalty.WithHTTPClient(s.HTTPClient()),
			loyalty.WithRouteSet(s.opts.walletRoutes), loyalty.WithClock(s.clock), loyalty.WithoutRetrySleep())
		if err != nil {
			panic("loyaltymock: wallet client: " + err.Error())
		}
		s.walletClient = c
	})
	return s.walletClient
}
