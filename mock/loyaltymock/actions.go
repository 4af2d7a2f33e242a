package loyaltymock

// The fake relay's named actions: test-side controls poskit-mock serves as
// POST /loyalty/do/{name} (GET /loyalty/do lists them with an example body each).

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
)

// paymentArgs names a payment the fake holds.
type paymentArgs struct {
	PaymentID string `json:"paymentId"`
}

func (a *paymentArgs) Validate() error {
	if !loyalty.IsBytes32(a.PaymentID) {
		return errors.New(`paymentId must be 0x followed by 64 hex digits`)
	}
	return nil
}

// walletPolicyArgs sets an account's scripted wallet.
type walletPolicyArgs struct {
	Account string `json:"account"`
	Action  string `json:"action"` // approve, deny or ignore
	Delay   string `json:"delay"`  // a Go duration on the fake clock, e.g. "10s"; "" is 0
}

func (a *walletPolicyArgs) Validate() error {
	if !loyalty.IsAccount(a.Account) {
		return errors.New("account must be 0x followed by 40 hex digits")
	}
	if _, ok := walletActions[a.Action]; !ok {
		return fmt.Errorf("action must be approve, deny or ignore, not %q", a.Action)
	}
	if a.Delay != "" {
		if d, err := time.ParseDuration(a.Delay); err != nil || d < 0 {
			return fmt.Errorf("delay %q is not a non-negative duration such as 10s", a.Delay)
		}
	}
	return nil
}

var walletActions = map[string]WalletAction{"approve": WalletApprove, "deny": WalletDeny, "ignore": WalletIgnore}

// balanceArgs reads (or, with set, changes) an account's balance.
type balanceArgs struct {
	Account string          `json:"account"`
	Set     bool            `json:"set,omitempty"`
	Amount  *loyalty.Amount `json:"amount,omitempty"` // wire form (10⁻¹⁸ units); with set
}

func (a *balanceArgs) Validate() error {
	if !loyalty.IsAccount(a.Account) {
		return errors.New("account must be 0x followed by 40 hex digits")
	}
	if a.Set && a.Amount == nil {
		return errors.New("set needs an amount")
	}
	return nil
}

// SeedView is what a non-Go suite needs of the seed to build requests: wallets' names and
// accounts, shop ids, and the access key (a test fixture of the fake, not anyone's secret).
type SeedView struct {
	Wallets   []WalletView `json:"wallets"`
	Shops     []string     `json:"shops"`
	AccessKey string       `json:"accessKey"`
}

// WalletView is a seeded wallet without its key.
type WalletView struct {
	Name    string `json:"name"`
	Account string `json:"account"`
}

// View returns the seed's SeedView.
func (sd Seed) View() SeedView {
	v := SeedView{AccessKey: sd.AccessKey()}
	for _, w := range sd.Wallets {
		v.Wallets = append(v.Wallets, WalletView{Name: w.Name, Account: w.Account})
	}
	for _, sh := range sd.Shops {
		v.Shops = append(v.Shops, sh.ID)
	}
	return v
}

// knownPayment refuses a payment the fake does not hold.
func (s *Server) knownPayment(id string) error {
	if _, ok := s.Payment(id); !ok {
		return mock.Unknown("payment", id)
	}
	return nil
}

// knownAccount refuses an account the fake has no wallet for.
func (s *Server) knownAccount(account string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wallets[lower(account)] == nil {
		return mock.Unknown("account", account)
	}
	return nil
}

func (s *Server) actions() []mock.Action {
	const examplePayment = "0x0000000000000000000000000000000000000000000000000000000000000001"
	exampleAccount := ""
	if sd := s.seed; len(sd.Wallets) > 0 {
		exampleAccount = sd.Wallets[0].Account
	}
	payment := func(name, doc string, f func(paymentID string) error) mock.Action {
		return mock.NewAction(name, doc, paymentArgs{PaymentID: examplePayment},
			func(_ context.Context, a paymentArgs) (any, error) {
				if err := s.knownPayment(a.PaymentID); err != nil {
					return nil, err
				}
				if err := f(a.PaymentID); err != nil {
					return nil, err
				}
				p, _ := s.Payment(a.PaymentID)
				return map[string]string{"paymentId": p.ID, "status": p.Status.String()}, nil
			})
	}
	return []mock.Action{
		payment("approve", "The user's wallet approves the new payment paymentId (signed, as the wallet app does); answers its status.", s.Approve),
		payment("deny", "The user's wallet denies the new payment paymentId; answers its status.", s.Deny),
		payment("approve-cancel", "The shop owner approves the cancel of payment paymentId; answers its status.", s.ApproveCancel),
		payment("deny-cancel", "The shop owner denies the cancel of payment paymentId; answers its status.", s.DenyCancel),
		mock.NewAction("wallet-policy",
			"Scripts the wallet of account: action approve, deny or ignore, after delay (a Go duration on the fake clock).",
			walletPolicyArgs{Account: exampleAccount, Action: "approve", Delay: "10s"},
			func(_ context.Context, a walletPolicyArgs) (any, error) {
				if err := s.knownAccount(a.Account); err != nil {
					return nil, err
				}
				var d time.Duration
				if a.Delay != "" {
					d, _ = time.ParseDuration(a.Delay)
				}
				s.SetWallet(a.Account, WalletPolicy{Action: walletActions[a.Action], Delay: d})
				return a, nil
			}),
		mock.NewAction("balance",
			"Answers account's point balance (wire form, 10⁻¹⁸ units); with set, first changes it to amount.",
			balanceArgs{Account: exampleAccount},
			func(_ context.Context, a balanceArgs) (any, error) {
				if err := s.knownAccount(a.Account); err != nil {
					return nil, err
				}
				if a.Set {
					s.SetBalance(a.Account, *a.Amount)
				}
				return map[string]loyalty.Amount{"balance": s.Balance(a.Account)}, nil
			}),
		mock.NewAction("seed", "Answers the seed: wallets (name, account), shop ids and the access key.", mock.NoArgs{},
			func(context.Context, mock.NoArgs) (any, error) { return s.Seed().View(), nil }),
		mock.NewAction("callbacks", "Answers every callback sent to the KIOSK so far, oldest first.", mock.NoArgs{},
			func(context.Context, mock.NoArgs) (any, error) { return s.Callbacks(), nil }),
	}
}
