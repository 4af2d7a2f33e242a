package pointpaymock

import (
	"context"
	"errors"

	"github.com/poskit/poskit/mock"
)

// convertArgs are the arguments of the convert action.
type convertArgs struct {
	Member   string `json:"member"`
	Points   int64  `json:"points"`
	AddParam string `json:"addParam,omitempty"`
}

func (a *convertArgs) Validate() error {
	if a.Member == "" {
		return errors.New("member is required")
	}
	if a.Points < 1 || a.Points > MaxPoints {
		return errors.New("points must be 1 to 1000000")
	}
	return nil
}

type urlArgs struct {
	URL string `json:"url"`
}

// actions are the fake's named test-side controls, served by poskit-mock as
// POST /pointpay/do/{name}.
func (s *Server) actions() []mock.Action {
	return []mock.Action{
		mock.NewAction("convert",
			"converts points for a member of the shop as if they had submitted the popup's form: member (the popup's user_id), points (1 to 1000000), optional addParam (passed back as add_param). The result is POSTed to the return URL before the answer; answers the conversion (orderNo, attempts, delivery state).",
			convertArgs{Member: "member01", Points: 1500, AddParam: "cart7"},
			func(_ context.Context, a convertArgs) (any, error) { return s.Convert(a.Member, a.Points, a.AddParam) }),
		mock.NewAction("resend",
			"POSTs the result of a conversion to the return URL again now, whatever its state: orderNo (rw_orderno). Answers the conversion with the new attempt.",
			mock.OrderNoArgs{OrderNo: "20260101000001"},
			func(_ context.Context, a mock.OrderNoArgs) (any, error) { return s.Resend(a.OrderNo) }),
		mock.NewAction("results",
			"lists every conversion, oldest first, with each POST of its result (answer, status, duplicate copy), its delivery state (pending, delivered, gave-up, no-return-url, refused-url) and its solution credit state.",
			mock.NoArgs{},
			func(context.Context, mock.NoArgs) (any, error) { return s.Conversions(), nil }),
		mock.NewAction("duplicate-sends",
			"on: send every result twice, one copy right after the other; off: once.",
			mock.Switch(),
			func(_ context.Context, a mock.SwitchArgs) (any, error) {
				s.SetDuplicateSends(*a.On)
				return map[string]bool{"on": s.DuplicateSends()}, nil
			}),
		mock.NewAction("return-url",
			"sets the merchant's RETURN URL results are POSTed to: url (loopback http(s) only; empty removes it).",
			urlArgs{URL: "http://127.0.0.1:9000/pointpay/result"},
			func(_ context.Context, a urlArgs) (any, error) {
				if err := s.SetReturnURL(a.URL); err != nil {
					return nil, err
				}
				return map[string]string{"url": s.ReturnURL()}, nil
			}),
	}
}
