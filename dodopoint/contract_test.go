package dodopoint_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/poskit/poskit/dodopoint"
	"github.com/poskit/poskit/internal/dodopointwire"
	"github.com/poskit/poskit/internal/sdktest"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/dodopointmock"
)

var contractPaidAt = time.Date(2026, 5, 5, 9, 0, 0, 0, time.FixedZone("KST", 9*3600))

func contractSale(id string) dodopoint.Sale {
	return dodopoint.Sale{PaymentID: id, Total: 12000, PaidAt: contractPaidAt,
		Items: []dodopoint.Item{{Name: "아메리카노", UnitPrice: 4000, Quantity: 3}}}
}

// The HTTP transport runs the contract every poskit client runs against its fake. The API
// has no secret (the modelled wire carries no key), so the secret test skips.
func TestContract(t *testing.T) {
	sdktest.Run(t, sdktest.Subject[*dodopoint.HTTPTransport]{
		Table: dodopointwire.Table,
		Start: func(t *testing.T) (mock.Fake, []string) {
			srv := dodopointmock.NewServer()
			t.Cleanup(srv.Close)
			return srv, nil
		},
		NewClient: func(fake mock.Fake, hc *http.Client, log *slog.Logger, maxBody int64) (*dodopoint.HTTPTransport, error) {
			return dodopoint.NewHTTPTransport(fake.URL(), dodopoint.WithHTTPClient(hc), dodopoint.WithLogger(log), dodopoint.WithMaxBodyBytes(maxBody))
		},
		Calls: map[string]func(context.Context, *dodopoint.HTTPTransport) error{
			"Claim": func(ctx context.Context, c *dodopoint.HTTPTransport) error {
				return c.Claim(ctx, dodopoint.ClaimRequest{Sale: contractSale("C-1")})
			},
			"Cancel": func(ctx context.Context, c *dodopoint.HTTPTransport) error {
				if err := c.Claim(ctx, dodopoint.ClaimRequest{Sale: contractSale("C-2")}); err != nil {
					return err
				}
				return c.Cancel(ctx, dodopoint.CancelRequest{PaymentID: "C-2"})
			},
		},
		IsLost:    dodopoint.IsLost,
		IsRefused: dodopoint.IsRefused,
		IsTyped: func(err error) bool {
			var e *dodopoint.Error
			return errors.As(err, &e)
		},
	})
}

// Every operation of the table has a handler in the fake.
func TestFakeHandlesEveryOperation(t *testing.T) {
	srv := dodopointmock.NewServer()
	defer srv.Close()
	if u := srv.Unhandled(); len(u) != 0 {
		t.Fatalf("operations without a fake handler: %v", u)
	}
}
