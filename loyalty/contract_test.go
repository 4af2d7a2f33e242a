package loyalty_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"testing"

	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/internal/sdktest"
	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/loyaltymock"
)

// contractCalls holds a call per operation of the endpoint table that succeeds on a fresh
// fake whose wallets answer only when told (the calls sign as the seeded wallets do).
var contractCalls = map[string]func(ctx context.Context, c *loyalty.Client) error{
	"Balance": func(ctx context.Context, c *loyalty.Client) error {
		_, err := c.Balance(ctx, alice().Account)
		return err
	},
	"PaymentInfo": func(ctx context.Context, c *loyalty.Client) error {
		_, err := c.PaymentInfo(ctx, alice().Account, loyalty.FromWhole(1000), "krw")
		return err
	},
	"OpenNewPayment": func(ctx context.Context, c *loyalty.Client) error { _, err := open(ctx, c); return err },
	"CloseNewPayment": func(ctx context.Context, c *loyalty.Client) error {
		p, err := approved(ctx, c)
		if err == nil {
			_, err = c.CloseNewPayment(ctx, p.ID, true)
		}
		return err
	},
	"OpenCancelPayment": func(ctx context.Context, c *loyalty.Client) error {
		p, err := closed(ctx, c)
		if err == nil {
			_, err = c.OpenCancelPayment(ctx, p.ID)
		}
		return err
	},
	"CloseCancelPayment": func(ctx context.Context, c *loyalty.Client) error {
		p, err := cancelOpened(ctx, c)
		if err == nil {
			var sig string
			if sig, err = signCancel(ctx, c, p); err == nil {
				if _, err = c.ApproveCancelPayment(ctx, p.ID, sig); err == nil {
					_, err = c.CloseCancelPayment(ctx, p.ID, true)
				}
			}
		}
		return err
	},
	"ShopInfo": func(ctx context.Context, c *loyalty.Client) error {
		_, err := c.ShopInfo(ctx, loyaltymock.DefaultSeed().Shop().ID)
		return err
	},
	"ShopWithdrawal": func(ctx context.Context, c *loyalty.Client) error {
		_, err := c.ShopWithdrawal(ctx, loyaltymock.DefaultSeed().Shop().ID)
		return err
	},
	"Payment": func(ctx context.Context, c *loyalty.Client) error {
		p, err := open(ctx, c)
		if err == nil {
			_, err = c.Payment(ctx, p.ID)
		}
		return err
	},
	"ApproveNewPayment": func(ctx context.Context, c *loyalty.Client) error { _, err := approved(ctx, c); return err },
	"DenyNewPayment": func(ctx context.Context, c *loyalty.Client) error {
		p, err := open(ctx, c)
		if err == nil {
			var sig string
			if sig, err = signNew(ctx, c, p); err == nil {
				_, err = c.DenyNewPayment(ctx, p.ID, sig)
			}
		}
		return err
	},
	"ApproveCancelPayment": func(ctx context.Context, c *loyalty.Client) error {
		p, err := cancelOpened(ctx, c)
		if err == nil {
			var sig string
			if sig, err = signCancel(ctx, c, p); err == nil {
				_, err = c.ApproveCancelPayment(ctx, p.ID, sig)
			}
		}
		return err
	},
	"DenyCancelPayment": func(ctx context.Context, c *loyalty.Client) error {
		p, err := cancelOpened(ctx, c)
		if err == nil {
			var sig string
			if sig, err = signCancel(ctx, c, p); err == nil {
				_, err = c.DenyCancelPayment(ctx, p.ID, sig)
			}
		}
		return err
	},
	"ChainID": func(ctx context.Context, c *loyalty.Client) error { _, err := c.ChainID(ctx); return err },
	"Nonce": func(ctx context.Context, c *loyalty.Client) error {
		_, err := c.Nonce(ctx, alice().Account)
		return err
	},
}

func alice() loyaltymock.Wallet {
	w, _ := loyaltymock.DefaultSeed().Wallet(loyaltymock.Alice)
	return w
}
func owner() loyaltymock.Wallet {
	w, _ := loyaltymock.DefaultSeed().Wallet(loyaltymock.Owner)
	return w
}

func open(ctx context.Context, c *loyalty.Client) (*loyalty.Payment, error) {
	return c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{
		PurchaseID: "contract-1", Amount: loyalty.FromWhole(1000), Currency: "krw",
		ShopID: loyaltymock.DefaultSeed().Shop().ID, Account: alice().Account,
	})
}

// signNew signs p's approval as Alice's wallet app does: chain id and nonce from the relay.
func signNew(ctx context.Context, c *loyalty.Client, p *loyalty.Payment) (string, error) {
	chain, err := c.ChainID(ctx)
	if err != nil {
		return "", err
	}
	nonce, err := c.Nonce(ctx, p.Account)
	if err != nil {
		return "", err
	}
	return loyalty.SignNewPayment(alice().Key, loyalty.NewPaymentMessage{PaymentID: p.ID, PurchaseID: p.PurchaseID,
		Amount: p.Amount, Currency: p.Currency, ShopID: p.ShopID, Account: p.Account, ChainID: chain, Nonce: nonce})
}

// signCancel signs p's cancel as the shop owner's app does.
func signCancel(ctx context.Context, c *loyalty.Client, p *loyalty.Payment) (string, error) {
	o := owner()
	chain, err := c.ChainID(ctx)
	if err != nil {
		return "", err
	}
	nonce, err := c.Nonce(ctx, o.Account)
	if err != nil {
		return "", err
	}
	return loyalty.SignCancel(o.Key, loyalty.CancelMessage{PaymentID: p.ID, PurchaseID: p.PurchaseID, Signer: o.Account, ChainID: chain, Nonce: nonce})
}

func approved(ctx context.Context, c *loyalty.Client) (*loyalty.Payment, error) {
	p, err := open(ctx, c)
	if err != nil {
		return nil, err
	}
	sig, err := signNew(ctx, c, p)
	if err != nil {
		return nil, err
	}
	return c.ApproveNewPayment(ctx, p.ID, sig)
}

func closed(ctx context.Context, c *loyalty.Client) (*loyalty.Payment, error) {
	p, err := approved(ctx, c)
	if err != nil {
		return nil, err
	}
	return c.CloseNewPayment(ctx, p.ID, true)
}

func cancelOpened(ctx context.Context, c *loyalty.Client) (*loyalty.Payment, error) {
	p, err := closed(ctx, c)
	if err != nil {
		return nil, err
	}
	return c.OpenCancelPayment(ctx, p.ID)
}

// echoes are relay answers that carry the secret back: in error.message, in a validation
// entry, and in data fields that fail to parse (every answer type reads one of them).
func echoes(_ string, secret string) [][]byte {
	q := func(s string) string { b, _ := jsonString(s); return b }
	return [][]byte{
		[]byte(`{"code":2002,"error":{"message":"The access key entered is not valid: ` + secret + `"}}`),
		[]byte(`{"code":2001,"error":{"message":"Failed to check the validity of parameters","validation":[{"type":"field","msg":` + q("bad "+secret) + `,"path":` + q(secret) + `,"location":"body","value":` + q(secret) + `}]}}`),
		[]byte(`{"code":0,"data":{"paymentId":"0x` + zeros64 + `","purchaseId":"x","account":"0x` + zeros40 + `","amount":` + q(secret) +
			`,"balance":` + q(secret) + `,"withdrawAmount":` + q(secret) + `,"providedPoint":` + q(secret) +
			`,"chainId":` + q(secret) + `,"nonce":` + q(secret) + `,"currency":"krw","paymentStatus":11}}`),
	}
}

const (
	zeros64 = "0000000000000000000000000000000000000000000000000000000000000001"
	zeros40 = "0000000000000000000000000000000000000001"
)

func jsonString(s string) (string, error) {
	b, err := jsonMarshal(s)
	return string(b), err
}

func TestContract(t *testing.T) {
	sdktest.Run(t, sdktest.Subject[*loyalty.Client]{
		Table: loyaltywire.Table,
		Start: func(t *testing.T) (mock.Fake, []string) {
			srv := loyaltymock.NewServer(loyaltymock.WithWalletPolicy(loyaltymock.WalletPolicy{Action: loyaltymock.WalletIgnore}))
			t.Cleanup(srv.Close)
			return srv, []string{srv.Seed().AccessKey()}
		},
		NewClient: func(f mock.Fake, hc *http.Client, log *slog.Logger, maxBody int64) (*loyalty.Client, error) {
			srv := f.(*loyaltymock.Server)
			return loyalty.NewClient(loyalty.WithBaseURL(srv.URL()), loyalty.WithAccessKey(srv.Seed().AccessKey()),
				loyalty.WithHTTPClient(hc), loyalty.WithLogger(log), loyalty.WithMaxBodyBytes(maxBody),
				loyalty.WithClock(srv.Clock()), loyalty.WithoutRetrySleep())
		},
		Calls:     contractCalls,
		IsLost:    loyalty.IsLost,
		IsRefused: loyalty.IsRefused,
		IsTyped:   func(err error) bool { var e *loyalty.Error; return errors.As(err, &e) },
		Echo:      echoes,
	})
}

// TestEveryOperationServedAndCalled: the fake serves every operation of the endpoint
// table, and each is a method of *loyalty.Client.
func TestEveryOperationServedAndCalled(t *testing.T) {
	srv := loyaltymock.NewServer()
	defer srv.Close()
	if u := srv.Unhandled(); len(u) > 0 {
		t.Errorf("operations without a fake handler: %v", u)
	}
	ct := reflect.TypeOf(&loyalty.Client{})
	for _, op := range loyaltywire.Table.Ops() {
		if _, ok := ct.MethodByName(op); !ok {
			t.Errorf("operation %s is not a *loyalty.Client method", op)
		}
	}
	for _, set := range []struct {
		name string
		ops  []string
	}{{"document", loyaltywire.Document.Ops()}, {"relay", loyaltywire.Relay.Ops()}} {
		if len(set.ops) != len(loyaltywire.Table.Ops()) {
			t.Errorf("the %s route set has %d operations, the table %d", set.name, len(set.ops), len(loyaltywire.Table.Ops()))
		}
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
