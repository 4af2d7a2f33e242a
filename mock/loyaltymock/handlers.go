package loyaltymock

// The handlers of the relay's operations, one per operation of loyaltywire.Table,
// registered by operation name (the client's method names).

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/loyalty"
)

// handlers registers one handler per operation on every path the table gives it. The
// relay set's approve and deny share one path per leg: the deny handlers are registered
// first, so that path is served by the Approve… handler, which tells approve from deny by
// the approval flag; resolveOp names the request by that flag, so it is recorded and
// faulted as Approve… or Deny….
func (s *Server) handlers() {
	s.Handle(loyaltywire.OpBalance, handler(s.balance))
	s.Handle(loyaltywire.OpPaymentInfo, handler(s.paymentInfo))
	s.Handle(loyaltywire.OpOpenNewPayment, handler(s.openNew))
	s.Handle(loyaltywire.OpCloseNewPayment, handler(s.closer(loyalty.LegNew)))
	s.Handle(loyaltywire.OpOpenCancelPayment, handler(s.openCancel))
	s.Handle(loyaltywire.OpCloseCancelPayment, handler(s.closer(loyalty.LegCancel)))
	s.Handle(loyaltywire.OpPayment, handler(s.item))
	// On the relay set one path serves a leg's approval and denial, told apart by the
	// approval flag; the document set has a path for each.
	s.HandleMatch(loyaltywire.OpDenyNewPayment, denial, handler(s.approval(loyalty.LegNew, false)))
	s.HandleMatch(loyaltywire.OpDenyCancelPayment, denial, handler(s.approval(loyalty.LegCancel, false)))
	s.Handle(loyaltywire.OpApproveNewPayment, handler(s.approval(loyalty.LegNew, true)))
	s.Handle(loyaltywire.OpApproveCancelPayment, handler(s.approval(loyalty.LegCancel, true)))
	s.Handle(loyaltywire.OpShopInfo, handler(s.shopInfo))
	s.Handle(loyaltywire.OpShopWithdrawal, handler(s.shopWithdrawal))
	s.Handle(loyaltywire.OpChainID, handler(s.chainIDAnswer))
	s.Handle(loyaltywire.OpNonce, handler(s.nonce))
}

// relayOnly holds "METHOD path" of the relay set's routes the document set does not
// share.
var relayOnly = func() map[string]bool {
	m := map[string]bool{}
	for _, e := range loyaltywire.Relay.Endpoints {
		m[e.Method+" "+e.Path] = true
	}
	for _, e := range loyaltywire.Document.Endpoints {
		delete(m, e.Method+" "+e.Path)
	}
	return m
}()

// denial reports whether a request routed to a Deny… operation is one: always on the
// document set's own denial path, and on the relay set's shared approval path when its
// approval flag is "false" (any other request there is the Approve… operation).
func denial(r *http.Request, body []byte) bool {
	if !relayPath(r) {
		return true
	}
	p, err := parseParams(r, body)
	return err == nil && strings.ToLower(p[loyaltywire.ParamApproval]) == "false"
}

// relayPath reports whether r came in on a path of the relay's route set only (the
// relay's close requires confirm, its approvals carry the approval flag).
func relayPath(r *http.Request) bool { return relayOnly[r.Method+" "+r.URL.Path] }

// accessKeyLocked finds the request's key: the Authorization header (raw) when present,
// else the body's accessKey.
func (s *Server) accessKeyLocked(v *validator) *accessKeyState {
	var k string
	if vals, present := v.r.Header[loyaltywire.HeaderAuthorization]; present && len(vals) > 0 {
		k = strings.TrimSpace(vals[0])
	} else {
		k = v.p[loyaltywire.ParamAccessKey]
	}
	if k == "" {
		return nil
	}
	return s.keys[k]
}

func keyAllows(k *accessKeyState, shopID string) bool {
	return k != nil && (k.ShopID == "" || equalFold(k.ShopID, shopID))
}

func (s *Server) balance(v *validator) (any, error) {
	account := v.check(loyaltywire.ParamAccount, loyalty.IsAccount)
	if err := v.failed(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	var bal loyalty.Amount
	if wl := s.wallets[lower(account)]; wl != nil {
		bal = wl.balance
	}
	s.mu.Unlock()
	return loyaltywire.Balance{Account: account, LoyaltyType: loyaltywire.Int(loyalty.LoyaltyPoint), Balance: num(bal)}, nil
}

func (s *Server) paymentInfo(v *validator) (any, error) {
	account := v.check(loyaltywire.ParamAccount, loyalty.IsAccount)
	amountText := v.check(loyaltywire.ParamAmount, isDigits)
	currency := strings.ToLower(v.exists(loyaltywire.ParamCurrency))
	if err := v.failed(); err != nil {
		return nil, err
	}
	amount, err := loyalty.ParseAmount(strings.TrimPrefix(amountText, "+"))
	if err != nil {
		v.bad(loyaltywire.ParamAmount)
		return nil, v.failed()
	}
	s.mu.Lock()
	rates := s.seed.Rates
	var bal loyalty.Amount
	if wl := s.wallets[lower(account)]; wl != nil {
		bal = wl.balance
	}
	s.mu.Unlock()
	est, err := loyalty.EstimatePayment(amount, currency, rates)
	if err != nil {
		return nil, fail(estimateCode(err))
	}
	// balanceValue = zeroGWEI(balance × 10⁹ / rate), in the payment currency.
	var balValue loyalty.Amount
	if rate := currencyRate(rates, currency); !rate.IsZero() {
		balValue, _ = bal.MulDiv(loyalty.FromBaseUnits(loyalty.RateOne), rate)
		balValue = zeroGWEI(balValue)
	}
	return loyaltywire.PaymentInfo{
		Account:      account,
		LoyaltyType:  loyaltywire.Int(loyalty.LoyaltyPoint),
		Amount:       num(amount),
		Currency:     currency,
		Balance:      num(bal),
		BalanceValue: num(balValue),
		Estimate:     wireEstimate(est),
		FeeRate:      json.Number(strconv.FormatFloat(float64(rates.FeeBasisPoints)/10000, 'f', -1, 64)),
	}, nil
}

func currencyRate(r loyalty.Rates, currency string) loyalty.Amount {
	if currency == "point" {
		return loyalty.FromBaseUnits(loyalty.RateOne)
	}
	for k, v := range r.Currency {
		if strings.EqualFold(k, currency) {
			return v
		}
	}
	return loyalty.Amount{}
}

func zeroGWEI(a loyalty.Amount) loyalty.Amount {
	g := loyalty.FromBaseUnits(1_000_000_000)
	q, _ := a.MulDiv(loyalty.FromBaseUnits(1), g)
	z, _ := q.MulDiv(g, loyalty.FromBaseUnits(1))
	return z
}

// wireEstimate spells a point estimate as the relay does for point accounts: token
// fields zero.
func wireEstimate(e loyalty.Estimate) loyaltywire.Estimate {
	zero := num(loyalty.Amount{})
	return loyaltywire.Estimate{
		PaidPoint: num(e.PaidPoint), PaidToken: zero, PaidValue: num(e.PaidValue),
		FeePoint: num(e.FeePoint), FeeToken: zero, FeeValue: num(e.FeeValue),
		TotalPoint: num(e.TotalPoint), TotalToken: zero, TotalValue: num(e.TotalValue),
	}
}

func (s *Server) openNew(v *validator) (any, error) {
	in := openInput{
		purchaseID: v.exists(loyaltywire.ParamPurchaseID),
		currency:   v.exists(loyaltywire.ParamCurrency),
		shopID:     v.check(loyaltywire.ParamShopID, loyalty.IsBytes32),
		account:    v.check(loyaltywire.ParamAccount, loyalty.IsAccount),
	}
	amountText := v.check(loyaltywire.ParamAmount, isDigits)
	var err error
	if in.amount, err = loyalty.ParseAmount(strings.TrimPrefix(amountText, "+")); err != nil && len(v.issues) == 0 {
		v.bad(loyaltywire.ParamAmount)
	}
	if err := v.failed(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.sweepLocked(s.clock.Now())
	k := s.accessKeyLocked(v)
	if k == nil {
		s.mu.Unlock()
		return nil, fail(loyalty.CodeInvalidAccessKey)
	}
	pay, e := s.openNewLocked(k, in)
	var ans loyaltywire.Payment
	if e == nil {
		ans = wirePayment(&pay.p)
	}
	s.mu.Unlock()
	if e != nil {
		return nil, e
	}
	return ans, nil
}

// lookupForKioskLocked finds the payment of a KIOSK call and checks the key.
func (s *Server) lookupForKioskLocked(v *validator, id string) (*payment, *opError) {
	k := s.accessKeyLocked(v)
	if k == nil {
		return nil, fail(loyalty.CodeInvalidAccessKey)
	}
	pay := s.payments[lower(id)]
	if pay == nil {
		return nil, fail(loyalty.CodePaymentNotFound)
	}
	if !keyAllows(k, pay.p.ShopID) {
		return nil, fail(loyalty.CodeInvalidAccessKey)
	}
	return pay, nil
}

// onKioskPayment runs f, under the lock and after the due sweeps, on the payment id names
// as the request's access key may see it.
func (s *Server) onKioskPayment(v *validator, id string, f func(*payment) (loyaltywire.Payment, *opError)) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.clock.Now())
	pay, e := s.lookupForKioskLocked(v, id)
	if e != nil {
		return nil, e
	}
	ans, e := f(pay)
	if e != nil {
		return nil, e
	}
	return ans, nil
}

func (s *Server) closer(leg loyalty.Leg) func(v *validator) (any, error) {
	return func(v *validator) (any, error) {
		// The relay requires confirm; the document's close has none (it confirms).
		confirm := v.flag(loyaltywire.ParamConfirm, relayPath(v.r), true)
		id := v.exists(loyaltywire.ParamPaymentID)
		if err := v.failed(); err != nil {
			return nil, err
		}
		return s.onKioskPayment(v, id, func(pay *payment) (loyaltywire.Payment, *opError) {
			return s.closeLocked(pay, leg, confirm)
		})
	}
}

func (s *Server) openCancel(v *validator) (any, error) {
	id := v.exists(loyaltywire.ParamPaymentID)
	if err := v.failed(); err != nil {
		return nil, err
	}
	return s.onKioskPayment(v, id, s.openCancelLocked)
}

func (s *Server) approval(leg loyalty.Leg, approve bool) func(v *validator) (any, error) {
	return func(v *validator) (any, error) {
		id := v.exists(loyaltywire.ParamPaymentID)
		sig := v.check(loyaltywire.ParamSignature, loyalty.IsSignature)
		ap := approve
		if relayPath(v.r) {
			ap = v.flag(loyaltywire.ParamApproval, true, false)
		}
		if err := v.failed(); err != nil {
			return nil, err
		}
		ans, cbs, e := s.approve(id, leg, ap, sig)
		s.deliver(cbs)
		if e != nil {
			return nil, e
		}
		return ans, nil
	}
}

func (s *Server) approve(id string, leg loyalty.Leg, approve bool, sig string) (loyaltywire.Payment, []pendingCallback, *opError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.clock.Now())
	pay := s.payments[lower(id)]
	if pay == nil {
		return loyaltywire.Payment{}, nil, fail(loyalty.CodePaymentNotFound)
	}
	return s.approvalLocked(pay, leg, approve, sig)
}

func (s *Server) item(v *validator) (any, error) {
	id := v.exists(loyaltywire.ParamPaymentID)
	if err := v.failed(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.clock.Now())
	pay := s.payments[lower(id)]
	if pay == nil {
		return nil, fail(loyalty.CodePaymentNotFound)
	}
	return wirePayment(&pay.p), nil
}
