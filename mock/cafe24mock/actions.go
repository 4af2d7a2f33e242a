package cafe24mock

import (
	"context"
	"errors"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/mock"
)

type consentArgs struct {
	State  string   `json:"state"`
	Scopes []string `json:"scopes,omitempty"`
}

func (a *consentArgs) Validate() error {
	if !knownScopes(a.Scopes) {
		return errors.New("scopes: only mall.read_mileage and mall.write_mileage")
	}
	return nil
}

type memberArgs struct {
	MemberID string          `json:"member_id"`
	Email    string          `json:"email,omitempty"`
	Balance  decimal.Decimal `json:"balance"`
}

func (a *memberArgs) Validate() error {
	if a.MemberID == "" || len(a.MemberID) > 64 {
		return errors.New("member_id is required (at most 64 bytes)")
	}
	if a.Balance.Sign() < 0 {
		return errors.New("balance must not be negative")
	}
	return nil
}

type balanceArgs struct {
	MemberID string `json:"member_id"`
}

type expireArgs struct {
	Refresh bool `json:"refresh"`
}

type orderArgs struct {
	OrderID string `json:"order_id"`
}

// actions are the fake's named test-side controls (poskit-mock: POST /cafe24/do/{name}).
func (s *Server) actions() []mock.Action {
	return []mock.Action{
		mock.NewAction("consent", "the operator consents to scopes (default both mileage scopes); "+
			"answers the single-use code (valid one minute on the fake clock) and the redirect URL carrying it and state",
			consentArgs{State: "xyz", Scopes: []string{"mall.read_mileage", "mall.write_mileage"}},
			func(_ context.Context, a consentArgs) (any, error) {
				code := s.Consent(a.Scopes...)
				return map[string]string{"code": code, "state": a.State, "redirect": redirectWith(code, a.State)}, nil
			}),
		mock.NewAction("add-member", "adds (or replaces) a member with an opening balance of available points",
			memberArgs{MemberID: "member1", Email: "member1@example.com", Balance: decimal.RequireFromString("1000.00")},
			func(_ context.Context, a memberArgs) (any, error) {
				return s.AddMember(a.MemberID, a.Email, a.Balance), nil
			}),
		mock.NewAction("balance", "the member's available points",
			balanceArgs{MemberID: "member1"},
			func(_ context.Context, a balanceArgs) (any, error) {
				b, ok := s.Balance(a.MemberID)
				if !ok {
					return nil, mock.Unknown("member", a.MemberID)
				}
				return map[string]any{"member_id": a.MemberID, "balance": b.StringFixed(2)}, nil
			}),
		mock.NewAction("expire-tokens", "ends every access token now (and every refresh token when refresh is true): "+
			"the next Admin API call is answered 401",
			expireArgs{Refresh: false},
			func(_ context.Context, a expireArgs) (any, error) {
				return map[string]int{"expired": s.ExpireTokens(a.Refresh)}, nil
			}),
		mock.NewAction("credits", "how many increase records carry order_id (exactly-once crediting expects 1)",
			orderArgs{OrderID: "order-1"},
			func(_ context.Context, a orderArgs) (any, error) {
				if a.OrderID == "" {
					return nil, errors.New("order_id is required")
				}
				return map[string]any{"order_id": a.OrderID, "credits": s.Credits(a.OrderID)}, nil
			}),
	}
}
