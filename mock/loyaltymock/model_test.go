package loyaltymock

import (
	"context"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/poskit/poskit/loyalty"
)

// model is a pure model of the fake: per payment a status and its times,
// per account a balance. It is written as plain rules, independent of the
// server's code, and the property below checks the fake against it.
type model struct {
	now      time.Duration
	balance  map[string]loyalty.Amount
	payments []*mPay
}

type mPay struct {
	id, account             string
	total, paid             loyalty.Amount
	st                      loyalty.PaymentStatus
	opened, approved        time.Duration
	cOpened, cApproved      time.Duration
	closedAt                time.Duration
	wasApproved, wasCApprov bool
}

const never = time.Duration(-1)

// tick applies force-closes that are due.
func (m *model) tick() {
	for _, p := range m.payments {
		switch {
		case p.st >= 11 && p.st <= 17:
			ref := p.opened
			if p.wasApproved {
				ref = p.approved
			}
			if m.now-ref >= ForceCloseAfter {
				p.st, p.closedAt = 19, ref+ForceCloseAfter
			}
		case p.st >= 51 && p.st <= 57:
			ref := p.cOpened
			if p.wasCApprov {
				ref = p.cApproved
			}
			if m.now-ref >= ForceCloseAfter {
				p.st = 59
			}
		}
	}
}

func (m *model) held(acc string) loyalty.Amount {
	var h loyalty.Amount
	for _, p := range m.payments {
		if p.account == acc && (p.st == 14 || p.st == 15 || p.st == 17) {
			h, _ = h.Add(p.total)
		}
	}
	return h
}

func (m *model) approve(p *mPay, leg loyalty.Leg, yes bool) loyalty.Code {
	waiting := p.st == 11 || p.st == 12 || p.st == 13
	opened := p.opened
	if leg == loyalty.LegCancel {
		waiting, opened = p.st == 51 || p.st == 52 || p.st == 53, p.cOpened
	}
	if !waiting {
		if !yes {
			return 2028
		}
		base := loyalty.PaymentStatus(0)
		if leg == loyalty.LegCancel {
			base = 40
		}
		was := p.wasApproved
		if leg == loyalty.LegCancel {
			was = p.wasCApprov
		}
		switch p.st {
		case 14 + base, 15 + base, 17 + base:
			return 2025
		case 18 + base:
			return 2026
		case 19 + base:
			if was {
				return 2027
			}
		}
		return 2020
	}
	if m.now-opened > ApprovalWindow {
		return 7000
	}
	if leg == loyalty.LegNew {
		if !yes {
			p.st = 16
			return 0
		}
		avail, err := m.balance[p.account].Sub(m.held(p.account))
		if err != nil || p.total.Gt(avail) {
			p.st = 12
			return 1511
		}
		p.st, p.approved, p.wasApproved = 17, m.now, true
		return 0
	}
	if !yes {
		p.st = 56
		return 0
	}
	p.st, p.cApproved, p.wasCApprov = 57, m.now, true
	return 0
}

func (m *model) close(p *mPay, leg loyalty.Leg, confirm bool) loyalty.Code {
	if leg == loyalty.LegNew {
		switch p.st {
		case 16:
			p.st, p.closedAt = 19, m.now
		case 11, 12, 13:
			if m.now-p.opened <= CloseWindow {
				return 2030
			}
			p.st, p.closedAt = 19, m.now
		case 14, 15, 17:
			if !confirm || m.now-p.approved > CloseWindow {
				p.st, p.closedAt = 19, m.now
			} else {
				p.st, p.closedAt = 18, m.now
				m.balance[p.account], _ = m.balance[p.account].Sub(p.total)
			}
		case 18:
			return 2026
		case 19:
			if p.wasApproved {
				return 2026
			}
			return 2029
		default:
			return 2024
		}
		return 0
	}
	switch p.st {
	case 56:
		p.st = 59
	case 51, 52, 53:
		if m.now-p.cOpened <= CloseWindow {
			return 2030
		}
		p.st = 59
	case 54, 55, 57:
		if !confirm || m.now-p.cApproved > CloseWindow {
			p.st = 59
		} else {
			p.st = 58
			m.balance[p.account], _ = m.balance[p.account].Add(p.total)
		}
	case 58:
		return 2026
	case 59:
		if p.wasCApprov {
			return 2026
		}
		return 2029
	default:
		return 2024
	}
	return 0
}

func (m *model) openCancel(p *mPay) loyalty.Code {
	if p.st != 18 {
		return 2022
	}
	if m.now-p.closedAt > CancelPeriod {
		return 1534
	}
	p.st, p.cOpened = 51, m.now
	return 0
}

func codeOf(err error) loyalty.Code {
	if err == nil {
		return 0
	}
	if c, ok := loyalty.CodeOf(err); ok {
		return c
	}
	return -100
}

// TestModelProperty runs random operation sequences against the fake (over
// HTTP with real signatures) and the model, and compares every answer code,
// every status and the balances.
func TestModelProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		srv := NewServer(WithWalletPolicy(Ignore))
		defer srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c := srv.Client(loyalty.WithRouteSet(rapid.SampledFrom([]loyalty.RouteSet{loyalty.RouteSetDocument, loyalty.RouteSetRelay}).Draw(rt, "routes")))
		seed := srv.Seed()
		m := &model{balance: map[string]loyalty.Amount{}}
		var users []string
		for _, name := range []string{Alice, Bob} {
			w, _ := seed.Wallet(name)
			users = append(users, w.Account)
			m.balance[w.Account] = w.Balance
		}
		pick := func(label string) (*mPay, bool) {
			if len(m.payments) == 0 {
				return nil, false
			}
			return m.payments[rapid.IntRange(0, len(m.payments)-1).Draw(rt, label)], true
		}
		steps := rapid.IntRange(1, 30).Draw(rt, "steps")
		for i := 0; i < steps; i++ {
			op := rapid.SampledFrom([]string{"open", "open", "approve", "deny", "close", "closeFalse", "openCancel", "approveCancel", "denyCancel", "closeCancel", "advance"}).Draw(rt, "op")
			var want, got loyalty.Code
			switch op {
			case "advance":
				d := rapid.SampledFrom([]time.Duration{time.Second, 20 * time.Second, 41 * time.Second, 46 * time.Second, 301 * time.Second, CancelPeriod}).Draw(rt, "d")
				srv.Clock().Advance(d)
				m.now += d
				m.tick()
				continue
			case "open":
				acc := rapid.SampledFrom(users).Draw(rt, "account")
				amount := loyalty.FromWhole(rapid.Uint64Range(1, 1500).Draw(rt, "krw"))
				est, _ := loyalty.EstimatePayment(amount, "krw", loyalty.DefaultRates())
				avail, _ := m.balance[acc].Sub(m.held(acc))
				p, err := c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: fmt.Sprint("M-", i), Amount: amount, Currency: "krw", ShopID: seed.Shop().ID, Account: acc})
				got = codeOf(err)
				if est.TotalPoint.Gt(avail) {
					want = 1511
				} else {
					want = 0
					if err == nil {
						m.payments = append(m.payments, &mPay{id: p.ID, account: acc, total: est.TotalPoint, paid: est.PaidPoint, st: 11, opened: m.now, closedAt: never})
					}
				}
			default:
				p, ok := pick("payment")
				if !ok {
					continue
				}
				var err error
				switch op {
				case "approve":
					want, err = m.approve(p, loyalty.LegNew, true), srv.Approve(p.id)
				case "deny":
					want, err = m.approve(p, loyalty.LegNew, false), srv.Deny(p.id)
				case "approveCancel":
					want, err = m.approve(p, loyalty.LegCancel, true), srv.ApproveCancel(p.id)
				case "denyCancel":
					want, err = m.approve(p, loyalty.LegCancel, false), srv.DenyCancel(p.id)
				case "close", "closeFalse":
					want = m.close(p, loyalty.LegNew, op == "close")
					_, err = c.CloseNewPayment(ctx, p.id, op == "close")
				case "closeCancel":
					want = m.close(p, loyalty.LegCancel, true)
					_, err = c.CloseCancelPayment(ctx, p.id, true)
				case "openCancel":
					want = m.openCancel(p)
					_, err = c.OpenCancelPayment(ctx, p.id)
				}
				got = codeOf(err)
			}
			if got != want {
				rt.Fatalf("step %d %s: code %d, model %d", i, op, got, want)
			}
			for _, p := range m.payments {
				fp, _ := srv.Payment(p.id)
				if fp.Status != p.st {
					rt.Fatalf("after step %d %s: payment %s status %v, model %v", i, op, p.id[:10], fp.Status, p.st)
				}
			}
			for acc, b := range m.balance {
				if got := srv.Balance(acc); !got.Eq(b) {
					rt.Fatalf("after step %d %s: balance %s, model %s", i, op, got, b)
				}
			}
		}
	})
}
