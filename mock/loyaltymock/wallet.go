package loyaltymock

import (
	"container/heap"
	"context"
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

// scheduleWalletLocked queues the scripted wallet's answer to a leg.
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
	s.pushLocked(&s.active, task{at: now.Add(pol.Delay), p: p, kind: taskWallet, leg: leg, approve: pol.Action == WalletApprove})
}

// ---------------------------------------------------------------------------
// Scheduler

func (s *Server) kickLoop() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// loop runs active tasks when they are due on the fake clock. It holds at
// most one clock timer, and only while an active task is queued.
func (s *Server) loop() {
	defer close(s.loopDone)
	for {
		s.mu.Lock()
		var next time.Time
		has := s.active.Len() > 0
		if has {
			next = s.active[0].at
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
		s.runDue()
	}
}

// runDue applies due force-closes and starts due active tasks.
func (s *Server) runDue() {
	s.mu.Lock()
	now := s.clock.Now()
	s.sweepLocked(now)
	var run []task
	for s.active.Len() > 0 && !s.active[0].at.After(now) {
		run = append(run, heap.Pop(&s.active).(task))
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
		_, _ = s.walletAnswer(t.p.p.ID, t.leg, t.approve)
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

// Sync runs the work due on the fake clock — scripted wallet answers,
// timeout callbacks, force-closes — and waits until it and the callbacks it
// caused are done. Call it after Clock().Advance or after opening a leg
// whose wallet answers at once. It returns ctx's error if ctx ends first.
func (s *Server) Sync(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.idle.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	for {
		s.runDue()
		s.mu.Lock()
		for s.inflight > 0 && ctx.Err() == nil {
			s.idle.Wait()
		}
		due := s.active.Len() > 0 && !s.active[0].at.After(s.clock.Now())
		s.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return err
		}
		if !due {
			return nil
		}
	}
}

// ---------------------------------------------------------------------------
// The wallet app

// Approve approves a new payment as the user's wallet app does: it signs
// with the seeded key, the chain id and the account's nonce, and POSTs the
// approval route over HTTP. The error is the relay's answer as a
// *loyalty.Error (e.g. code 2025 when already approved).
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

func (s *Server) signLocked(paymentID string, leg loyalty.Leg) (string, error) {
	p := s.payments[lower(paymentID)]
	if p == nil {
		return "", &loyalty.Error{Op: "loyaltymock.Wallet", Code: loyalty.CodePaymentNotFound, Message: "unknown payment"}
	}
	signer := p.p.Account
	if leg == loyalty.LegCancel {
		if sh := s.shops[lower(p.p.ShopID)]; sh != nil {
			signer = sh.Owner
		}
	}
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
func (s *Server) walletAnswer(paymentID string, leg loyalty.Leg, approve bool) (*loyalty.Payment, error) {
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
