package dodopointmock

import (
	"context"
	"errors"

	"github.com/poskit/poskit/mock"
)

// stateView is what down and up answer.
type stateView struct {
	Down bool   `json:"down"`
	URL  string `json:"url"`
}

type policyArgs struct {
	Policy TabletPolicy `json:"policy"`
}

func (a *policyArgs) Validate() error {
	if !a.Policy.valid() {
		return errors.New("policy must be accept, decline or manual")
	}
	return nil
}

type offerArgs struct {
	PaymentID string `json:"payment_id"`
	Accept    bool   `json:"accept"`
}

func (a *offerArgs) Validate() error {
	if a.PaymentID == "" {
		return errors.New("payment_id is required")
	}
	return nil
}

type paymentArgs struct {
	PaymentID string `json:"payment_id"`
}

func (a *paymentArgs) Validate() error {
	if a.PaymentID == "" {
		return errors.New("payment_id is required")
	}
	return nil
}

// actions are the fake's named actions (poskit-mock: POST /dodopoint/do/{name}).
func (s *Server) actions() []mock.Action {
	view := func() stateView { return stateView{Down: s.IsDown(), URL: s.URL()} }
	return []mock.Action{
		mock.NewAction("down", "Bring the assist program down: its port refuses connections until up; requests in flight lose their connection.",
			mock.NoArgs{}, func(context.Context, mock.NoArgs) (any, error) { s.Down(); return view(), nil }),
		mock.NewAction("up", "Bring the assist program back on the same port.",
			mock.NoArgs{}, func(context.Context, mock.NoArgs) (any, error) {
				err := s.Up()
				return view(), err
			}),
		mock.NewAction("tablet-policy", "Set how the tablet answers points offers from now on: policy accept, decline or manual (pending until tablet-answer).",
			policyArgs{Policy: TabletDecline}, func(_ context.Context, a policyArgs) (any, error) {
				return map[string]TabletPolicy{"policy": a.Policy}, s.SetTabletPolicy(a.Policy)
			}),
		mock.NewAction("tablet-answer", "Answer the pending offer of payment_id on the tablet (policy manual): accept true or false. Answers the payment.",
			offerArgs{PaymentID: "POS1-000123", Accept: true}, func(_ context.Context, a offerArgs) (any, error) {
				return s.AnswerOffer(a.PaymentID, a.Accept)
			}),
		mock.NewAction("claims", "List every claimed payment in claim order: id, total, points, offer, credited, cancelled.",
			mock.NoArgs{}, func(context.Context, mock.NoArgs) (any, error) { return s.Payments(), nil }),
		mock.NewAction("payment", "Show the program's record of payment_id.",
			paymentArgs{PaymentID: "POS1-000123"}, func(_ context.Context, a paymentArgs) (any, error) {
				p, ok := s.Payment(a.PaymentID)
				if !ok {
					return nil, mock.Unknown("payment", a.PaymentID)
				}
				return p, nil
			}),
	}
}
