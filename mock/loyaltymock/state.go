package loyaltymock

import (
	"container/heap"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/loyalty"
)

// Relay timing (dms-osx relay config paymentTimeoutSecond, forcedCloseSecond).
const (
	// ApprovalWindow is how long after a leg opened the wallet may answer;
	// a later answer is refused with 7000 and a timeout callback.
	ApprovalWindow = 45 * time.Second
	// CloseWindow is how long after the approval (or, unapproved, after the
	// open) a close still settles; a later close answers the failed status.
	CloseWindow = 40 * time.Second
	// ForceCloseAfter is when an unfinished leg is closed as failed (19/59)
	// without a callback.
	ForceCloseAfter = 300 * time.Second
	// CancelPeriod is how long after the close a payment may be cancelled.
	CancelPeriod = 7 * 24 * time.Hour
)

type walletState struct {
	name     string
	key      *loyalty.PrivateKey
	account  string // canonical spelling
	balance  loyalty.Amount
	reserved loyalty.Amount // approved, not yet closed
	nonce    uint64
}

type shopState struct {
	Shop
	used loyalty.Amount
}

type accessKeyState struct {
	AccessKey
}

// payment is the fake's record of one payment.
type payment struct {
	p                loyalty.Payment
	key              *accessKeyState // the key that opened it: callbacks go to its URL
	approvedAt       time.Time       // new leg approval (the relay resets openNewTimestamp there)
	cancelApprovedAt time.Time
	approvedNew      bool  // the new leg's approval reached the contract (points reserved)
	approvedCancel   bool  // the cancel leg's approval reached the contract
	cbSent           uint8 // bit per leg: a callback for that leg was sent
}

func legBit(l loyalty.Leg) uint8 { return 1 << uint(l) }

func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// ---------------------------------------------------------------------------
// Deadlines

type taskKind uint8

const (
	taskForceClose      taskKind = iota + 1 // passive: applied when observed
	taskWallet                              // active: the scripted wallet answers
	taskTimeoutCallback                     // active: 45 s timeout callback (WithTimeoutCallback)
)

type task struct {
	at      time.Time
	sched   time.Time // when it was queued, on the fake clock
	seq     uint64
	p       *payment
	kind    taskKind
	leg     loyalty.Leg
	approve bool
}

type taskHeap []task

func (h taskHeap) Len() int { return len(h) }
func (h taskHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h taskHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *taskHeap) Push(x any)   { *h = append(*h, x.(task)) }
func (h *taskHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = task{}
	*h = old[:len(old)-1]
	return t
}

func (s *Server) pushLocked(h *taskHeap, t task) {
	s.seq++
	t.seq = s.seq
	heap.Push(h, t)
	if h == &s.active {
		s.kickLoop() // re-arm the loop's timer; it runs nothing before the clock moves
	}
}

// ---------------------------------------------------------------------------
// State changes. Every status change goes through move, which consults the
// one transition table, loyalty.CanTransition.

// move changes p's status to `to` if the state machine allows it.
func move(p *payment, to loyalty.PaymentStatus) bool {
	if !loyalty.CanTransition(p.p.Status, to) {
		return false
	}
	p.p.Status = to
	return true
}

func (s *Server) newPaymentID() string {
	s.nextID++
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], s.nextID)
	h := sha256.New()
	h.Write([]byte("poskit/loyaltymock/payment/"))
	h.Write(b[:])
	var sum [32]byte
	h.Sum(sum[:0])
	return "0x" + hex.EncodeToString(sum[:])
}

func txHash(id string, leg loyalty.Leg) string {
	sum := sha256.Sum256([]byte("poskit/loyaltymock/tx/" + id + "/" + leg.String()))
	return "0x" + hex.EncodeToString(sum[:])
}

// opError is an answer with a non-zero relay code.
type opError struct {
	code       loyalty.Code
	msg        string
	validation []loyaltywire.Validation
}

func (e *opError) Error() string { return "relay code " + strconv.Itoa(int(e.code)) }

func fail(code loyalty.Code) *opError { return &opError{code: code} }

// refusal returns e as an error: nil (untyped) when e is nil.
func refusal(e *opError) error {
	if e == nil {
		return nil
	}
	return e
}

type openInput struct {
	purchaseID string
	amount     loyalty.Amount
	currency   string
	shopID     string
	account    string
}

// openNewLocked opens a payment (status 11). The lock is held.
func (s *Server) openNewLocked(k *accessKeyState, in openInput) (*payment, *opError) {
	shop := s.shops[lower(in.shopID)]
	if shop == nil {
		return nil, &opError{code: loyalty.CodeInvalidParameters, validation: []loyaltywire.Validation{
			{Type: "field", Msg: "unknown shop", Path: loyaltywire.ParamShopID, Location: "body"}}}
	}
	if k.ShopID != "" && !equalFold(k.ShopID, shop.ID) {
		return nil, fail(loyalty.CodeInvalidAccessKey)
	}
	est, err := loyalty.EstimatePayment(in.amount, in.currency, s.ratesLocked(shop.ID))
	if err != nil {
		return nil, fail(estimateCode(err))
	}
	pk := lower(shop.ID) + "\x00" + in.purchaseID
	if prev := s.byPurchase[pk]; prev != nil && prev.p.Status != loyalty.StatusNewDenied && prev.p.Status != loyalty.StatusNewFailed {
		return nil, fail(loyalty.CodePaymentIDExists)
	}
	w := s.walletLocked(in.account)
	avail, err := w.balance.Sub(w.reserved)
	if err != nil || est.TotalPoint.Gt(avail) {
		return nil, fail(loyalty.CodeInsufficientBalance)
	}
	now := s.clock.Now()
	p := &payment{key: k}
	p.p = loyalty.Payment{
		ID:          s.newPaymentID(),
		PurchaseID:  in.purchaseID,
		Amount:      in.amount,
		Currency:    in.currency,
		ShopID:      shop.ID,
		Account:     w.account,
		LoyaltyType: loyalty.LoyaltyPoint,
		Status:      loyalty.StatusNewOpened,
		OpenedAt:    now,
	}
	p.p.PaidPoint, p.p.FeePoint, p.p.TotalPoint = est.PaidPoint, est.FeePoint, est.TotalPoint
	p.p.PaidValue, p.p.FeeValue, p.p.TotalValue = est.PaidValue, est.FeeValue, est.TotalValue
	s.payments[p.p.ID] = p
	s.byPurchase[pk] = p
	s.pushLocked(&s.passive, task{at: now.Add(ForceCloseAfter), p: p, kind: taskForceClose, leg: loyalty.LegNew})
	if s.opts.timeoutCallback {
		s.pushLocked(&s.active, task{at: now.Add(ApprovalWindow), sched: now, p: p, kind: taskTimeoutCallback, leg: loyalty.LegNew})
	}
	s.scheduleWalletLocked(p, loyalty.LegNew, w.account, now)
	return p, nil
}

// ratesLocked returns the rates of a shop's payments: the seed's, with the shop's own fee
// when it has one.
func (s *Server) ratesLocked(shopID string) loyalty.Rates {
	rates := s.seed.Rates
	if sh := s.shops[lower(shopID)]; sh != nil && sh.FeeBasisPoints != 0 {
		rates.FeeBasisPoints = sh.FeeBasisPoints
	}
	return rates
}

// walletLocked returns the wallet of an account, creating an empty one for
// an account the seed does not know (the chain answers 0 for any address).
func (s *Server) walletLocked(account string) *walletState {
	k := lower(account)
	w := s.wallets[k]
	if w == nil {
		w = &walletState{account: account}
		s.wallets[k] = w
	}
	return w
}

// approvalRefusal is the relay's code for an approval (or denial) of a leg
// that is not waiting for one.
func approvalRefusal(p *payment, leg loyalty.Leg, approve bool) *opError {
	if !approve {
		return fail(loyalty.CodeCannotDeny)
	}
	st, to := p.p.Status, legStatusesOf(leg)
	switch {
	case to.approvedOpen(st):
		return fail(loyalty.CodeAlreadyApproved)
	case st == to.closed:
		return fail(loyalty.CodeAlreadyClosed)
	case st == to.failed && p.legOf(leg).approved:
		return fail(loyalty.CodeAlreadyFailed)
	}
	return fail(loyalty.CodeCannotApprove)
}

// pendingCallback is a callback decided under the lock and sent after it.
type pendingCallback struct {
	p       *payment
	leg     loyalty.Leg
	outcome loyalty.Outcome
	message string
	data    loyaltywire.Payment
}

// approvalLocked applies a wallet's approval or denial of a leg. It returns
// the payment as the answer shows it, the callbacks to send, and an error.
func (s *Server) approvalLocked(p *payment, leg loyalty.Leg, approve bool, sig string) (loyaltywire.Payment, []pendingCallback, *opError) {
	to := legStatusesOf(leg)
	if !to.approvable(p.p.Status) {
		return loyaltywire.Payment{}, nil, approvalRefusal(p, leg, approve)
	}
	signer := p.p.Account
	if leg == loyalty.LegCancel {
		if sh := s.shops[lower(p.p.ShopID)]; sh != nil {
			signer = sh.Owner
		}
	}
	w := s.walletLocked(signer)
	if !s.opts.lenient {
		var err error
		if leg == loyalty.LegNew {
			err = loyalty.VerifyNewPayment(sig, newMessage(p, s.chainID, w.nonce), p.p.Account)
		} else {
			err = loyalty.VerifyCancel(sig, cancelMessage(p, signer, s.chainID, w.nonce), signer)
		}
		if err != nil {
			return loyaltywire.Payment{}, nil, fail(loyalty.CodeInvalidSignature)
		}
	}
	now := s.clock.Now()
	if now.Sub(p.legOf(leg).opened) > ApprovalWindow {
		var cbs []pendingCallback
		if cb, ok := s.callbackLocked(p, leg, loyalty.OutcomeTimeout, loyaltywire.MessageTimeout); ok {
			cbs = append(cbs, cb)
		}
		return loyaltywire.Payment{}, cbs, fail(loyalty.CodeTimeout)
	}
	if !approve {
		if !move(p, to.denied) {
			return loyaltywire.Payment{}, nil, fail(loyalty.CodeCannotDeny)
		}
		ans := wirePayment(&p.p)
		var cbs []pendingCallback
		if cb, ok := s.callbackLocked(p, leg, loyalty.OutcomeDenied, loyaltywire.MessageDenied); ok {
			cbs = append(cbs, cb)
		}
		return ans, cbs, nil
	}
	if leg == loyalty.LegNew {
		// The contract computes its own figures (loyalty.ContractCharge) and checks the
		// balance against them; the relay then replaces its estimate with them
		// (WatchScheduler.ts updateEvent), currency lower-cased as the contract got it.
		charge, cerr := loyalty.ContractCharge(p.p.Amount, p.p.Currency, s.ratesLocked(p.p.ShopID))
		if cerr != nil {
			move(p, loyalty.StatusNewApprovalFailed)
			return loyaltywire.Payment{}, nil, fail(estimateCode(cerr))
		}
		u := s.walletLocked(p.p.Account)
		avail, err := u.balance.Sub(u.reserved)
		if err != nil || charge.TotalPoint.Gt(avail) {
			// The contract refuses the transaction: the relay records a failed tx.
			move(p, loyalty.StatusNewApprovalFailed)
			return loyaltywire.Payment{}, nil, fail(loyalty.CodeInsufficientBalance)
		}
		if !move(p, to.sent) {
			return loyaltywire.Payment{}, nil, fail(loyalty.CodeCannotApprove)
		}
		p.p.PaidPoint, p.p.FeePoint, p.p.TotalPoint = charge.PaidPoint, charge.FeePoint, charge.TotalPoint
		p.p.PaidValue, p.p.FeeValue, p.p.TotalValue = charge.PaidValue, charge.FeeValue, charge.TotalValue
		p.p.Currency = strings.ToLower(p.p.Currency)
		u.reserved, _ = u.reserved.Add(p.p.TotalPoint)
		p.approvedNew = true
		p.approvedAt = now
	} else {
		if !move(p, to.sent) {
			return loyaltywire.Payment{}, nil, fail(loyalty.CodeCannotApprove)
		}
		p.approvedCancel = true
		p.cancelApprovedAt = now
	}
	p.p.TxHash = txHash(p.p.ID, leg)
	w.nonce++
	ans := wirePayment(&p.p)
	// The watcher confirms the transaction, reports it, and marks it reported.
	move(p, to.approved)
	var cbs []pendingCallback
	if cb, ok := s.callbackLocked(p, leg, loyalty.OutcomeApproved, loyaltywire.MessageSuccess); ok {
		cbs = append(cbs, cb)
	}
	move(p, to.reported)
	// The force-close clock restarts at the approval, as the relay's
	// openNewTimestamp does.
	s.pushLocked(&s.passive, task{at: now.Add(ForceCloseAfter), p: p, kind: taskForceClose, leg: leg})
	return ans, cbs, nil
}

// legStatuses are one leg's statuses: waiting for the wallet (opened, or an
// approval transaction that failed or reverted), approved (sent, confirmed,
// reported), denied, closed and failed.
type legStatuses struct {
	opened, approvalFailed, approvalReverted loyalty.PaymentStatus
	sent, approved, reported, denied         loyalty.PaymentStatus
	closed, failed                           loyalty.PaymentStatus
}

var (
	newLegStatuses = legStatuses{
		loyalty.StatusNewOpened, loyalty.StatusNewApprovalFailed, loyalty.StatusNewApprovalReverted,
		loyalty.StatusNewApprovalSent, loyalty.StatusNewApproved, loyalty.StatusNewReported, loyalty.StatusNewDenied,
		loyalty.StatusNewClosed, loyalty.StatusNewFailed,
	}
	cancelLegStatuses = legStatuses{
		loyalty.StatusCancelOpened, loyalty.StatusCancelApprovalFailed, loyalty.StatusCancelApprovalReverted,
		loyalty.StatusCancelApprovalSent, loyalty.StatusCancelApproved, loyalty.StatusCancelReported, loyalty.StatusCancelDenied,
		loyalty.StatusCancelClosed, loyalty.StatusCancelFailed,
	}
)

func legStatusesOf(leg loyalty.Leg) legStatuses {
	if leg == loyalty.LegCancel {
		return cancelLegStatuses
	}
	return newLegStatuses
}

// approvable reports whether st waits for the wallet's answer.
func (l legStatuses) approvable(st loyalty.PaymentStatus) bool {
	return st == l.opened || st == l.approvalFailed || st == l.approvalReverted
}

// approvedOpen reports whether st is approved and not yet closed.
func (l legStatuses) approvedOpen(st loyalty.PaymentStatus) bool {
	return st == l.sent || st == l.approved || st == l.reported
}

// legState is one leg's times on a payment: when it opened, when the wallet
// approved it, and whether that approval reached the contract.
type legState struct {
	opened, approvedAt time.Time
	approved           bool
}

func (p *payment) legOf(leg loyalty.Leg) legState {
	if leg == loyalty.LegCancel {
		return legState{p.p.CancelOpenedAt, p.cancelApprovedAt, p.approvedCancel}
	}
	return legState{p.p.OpenedAt, p.approvedAt, p.approvedNew}
}

func newMessage(p *payment, chainID, nonce uint64) loyalty.NewPaymentMessage {
	return loyalty.NewPaymentMessage{
		PaymentID: p.p.ID, PurchaseID: p.p.PurchaseID, Amount: p.p.Amount, Currency: p.p.Currency,
		ShopID: p.p.ShopID, Account: p.p.Account, ChainID: chainID, Nonce: nonce,
	}
}

func cancelMessage(p *payment, signer string, chainID, nonce uint64) loyalty.CancelMessage {
	return loyalty.CancelMessage{PaymentID: p.p.ID, PurchaseID: p.p.PurchaseID, Signer: signer, ChainID: chainID, Nonce: nonce}
}

// failLegLocked ends a leg as failed (19/59) at time at, releasing reserved
// points of an approved new leg.
func (s *Server) failLegLocked(p *payment, leg loyalty.Leg, at time.Time) bool {
	if leg == loyalty.LegNew {
		if !move(p, loyalty.StatusNewFailed) {
			return false
		}
		if p.approvedNew {
			u := s.walletLocked(p.p.Account)
			u.reserved, _ = u.reserved.Sub(p.p.TotalPoint)
		}
		p.p.ClosedAt = at
		return true
	}
	if !move(p, loyalty.StatusCancelFailed) {
		return false
	}
	p.p.CancelClosedAt = at
	return true
}

// closeLocked applies closeNew / closeCancel with confirm.
func (s *Server) closeLocked(p *payment, leg loyalty.Leg, confirm bool) (loyaltywire.Payment, *opError) {
	now := s.clock.Now()
	st, to, ls := p.p.Status, legStatusesOf(leg), p.legOf(leg)
	answer := func() (loyaltywire.Payment, *opError) { return wirePayment(&p.p), nil }
	switch {
	case st == to.denied:
		if !s.failLegLocked(p, leg, now) {
			return loyaltywire.Payment{}, fail(loyalty.CodeCannotClose)
		}
		return answer()
	case to.approvable(st):
		if now.Sub(ls.opened) <= CloseWindow {
			return loyaltywire.Payment{}, fail(loyalty.CodeNotApprovedYet)
		}
		if !s.failLegLocked(p, leg, now) {
			return loyaltywire.Payment{}, fail(loyalty.CodeCannotClose)
		}
		return answer()
	case to.approvedOpen(st):
		if !confirm || now.Sub(ls.approvedAt) > CloseWindow {
			if !s.failLegLocked(p, leg, now) {
				return loyaltywire.Payment{}, fail(loyalty.CodeCannotClose)
			}
			return answer()
		}
		if !move(p, to.closed) {
			return loyaltywire.Payment{}, fail(loyalty.CodeCannotClose)
		}
		u := s.walletLocked(p.p.Account)
		shop := s.shops[lower(p.p.ShopID)]
		if leg == loyalty.LegNew {
			u.reserved, _ = u.reserved.Sub(p.p.TotalPoint)
			u.balance, _ = u.balance.Sub(p.p.TotalPoint)
			if shop != nil {
				shop.used, _ = shop.used.Add(p.p.PaidPoint)
			}
			p.p.ClosedAt = now
		} else {
			u.balance, _ = u.balance.Add(p.p.TotalPoint)
			if shop != nil {
				if used, err := shop.used.Sub(p.p.PaidPoint); err == nil {
					shop.used = used
				}
			}
			p.p.CancelClosedAt = now
		}
		return answer()
	case st == to.closed:
		return loyaltywire.Payment{}, fail(loyalty.CodeAlreadyClosed)
	case st == to.failed && ls.approved:
		return loyaltywire.Payment{}, fail(loyalty.CodeAlreadyClosed)
	case st == to.failed:
		return loyaltywire.Payment{}, fail(loyalty.CodeForceClosed)
	}
	return loyaltywire.Payment{}, fail(loyalty.CodeCannotClose)
}

// openCancelLocked starts the cancel leg of a closed payment.
func (s *Server) openCancelLocked(p *payment) (loyaltywire.Payment, *opError) {
	now := s.clock.Now()
	if !loyalty.CanTransition(p.p.Status, loyalty.StatusCancelOpened) {
		return loyaltywire.Payment{}, fail(loyalty.CodeCannotCancel)
	}
	if now.Sub(p.p.ClosedAt) > CancelPeriod {
		return loyaltywire.Payment{}, fail(loyalty.CodeCancelPeriodExpired)
	}
	move(p, loyalty.StatusCancelOpened)
	p.p.CancelOpenedAt = now
	p.p.TxHash = ""
	s.pushLocked(&s.passive, task{at: now.Add(ForceCloseAfter), p: p, kind: taskForceClose, leg: loyalty.LegCancel})
	if s.opts.timeoutCallback {
		s.pushLocked(&s.active, task{at: now.Add(ApprovalWindow), sched: now, p: p, kind: taskTimeoutCallback, leg: loyalty.LegCancel})
	}
	owner := ""
	if sh := s.shops[lower(p.p.ShopID)]; sh != nil {
		owner = sh.Owner
	}
	s.scheduleWalletLocked(p, loyalty.LegCancel, owner, now)
	return wirePayment(&p.p), nil
}

// sweepLocked applies the force-closes due at now (the relay's
// CloseScheduler). They send no callback.
func (s *Server) sweepLocked(now time.Time) {
	for s.passive.Len() > 0 && !s.passive[0].at.After(now) {
		t := heap.Pop(&s.passive).(task)
		p := t.p
		st, to, ls := p.p.Status, legStatusesOf(t.leg), p.legOf(t.leg)
		open := st.Leg() == t.leg && st != to.closed && st != to.failed
		ref := ls.opened
		if ls.approved {
			ref = ls.approvedAt
		}
		if !open || ref.Add(ForceCloseAfter).After(t.at) {
			continue // finished, or a later deadline (after an approval) is queued
		}
		s.failLegLocked(p, t.leg, t.at)
	}
}

// estimateCode is the relay code of an EstimatePayment failure (1211 or 2001).
func estimateCode(err error) loyalty.Code {
	if code, ok := loyalty.CodeOf(err); ok {
		return code
	}
	return loyalty.CodeInvalidParameters
}
