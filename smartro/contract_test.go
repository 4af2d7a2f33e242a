package smartro_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/sdktest"
	wire "github.com/poskit/poskit/internal/smartrowire"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/smartromock"
	"github.com/poskit/poskit/smartro"
)

// Store ids long enough that an echoed fragment of 8+ characters is a real leak.
const (
	contractStore   = "ST-7731-0042-SEOUL"
	contractService = "SV-POSKIT-PARTNER-9"
)

// contractOrder is a postpaid order the fake accepts on a free table.
func contractOrder(mcht string) *smartro.Order {
	return &smartro.Order{MerchantOrderNo: mcht, Table: smartro.TableRef{FloorCode: "1", TableCode: "01"},
		Lines: []smartro.OrderLine{{ItemID: smartromock.ItemAmericano, Name: "아메리카노", Price: 4500, Count: 1}}}
}

func TestContract(t *testing.T) {
	sdktest.Run(t, sdktest.Subject[*smartro.Client]{
		Table: wire.Endpoints,
		Start: func(t *testing.T) (mock.Fake, []string) {
			s := smartromock.NewServer(smartromock.WithStore(contractStore, contractService))
			t.Cleanup(s.Close)
			return s, []string{contractStore, contractService}
		},
		NewClient: func(f mock.Fake, hc *http.Client, log *slog.Logger, maxBody int64) (*smartro.Client, error) {
			return smartro.NewClient(contractStore, contractService, smartro.WithBaseURL(f.URL()),
				smartro.WithHTTPClient(hc), smartro.WithLogger(log), smartro.WithMaxBodyBytes(maxBody),
				smartro.WithClock(f.Clock()), smartro.WithoutRetrySleep())
		},
		Calls: map[string]func(ctx context.Context, c *smartro.Client) error{
			"Tables": func(ctx context.Context, c *smartro.Client) error { _, err := c.Tables(ctx); return err },
			"MenuChanged": func(ctx context.Context, c *smartro.Client) error {
				_, _, err := c.MenuChanged(ctx, time.Time{})
				return err
			},
			"Menu": func(ctx context.Context, c *smartro.Client) error { _, err := c.Menu(ctx); return err },
			"NewOrder": func(ctx context.Context, c *smartro.Client) error {
				_, err := c.NewOrder(ctx, contractOrder("C-NEW"))
				return err
			},
			"AdditionalOrder": func(ctx context.Context, c *smartro.Client) error {
				// Set the stage with a new order the POS has; its answer is not counted.
				ack, err := c.NewOrder(context.Background(), contractOrder("C-ROOT"))
				if err != nil {
					return err
				}
				c.Clock().(*mock.Clock).Advance(smartromock.DefaultDeliveryDelay)
				_, err = c.AdditionalOrder(ctx, ack.OrderNo, contractOrder("C-ADD"))
				return err
			},
			"TableOrders": func(ctx context.Context, c *smartro.Client) error {
				_, err := c.TableOrders(ctx, "1", "01")
				return err
			},
			"StoreOrders": func(ctx context.Context, c *smartro.Client) error { _, err := c.StoreOrders(ctx); return err },
			"ReturnOrder": func(ctx context.Context, c *smartro.Client) error {
				ack, err := c.NewOrder(context.Background(), contractOrder("C-RET"))
				if err != nil {
					return err
				}
				c.Clock().(*mock.Clock).Advance(smartromock.DefaultDeliveryDelay)
				return c.ReturnOrder(ctx, ack.OrderNo, nil)
			},
		},
		IsLost:    smartro.IsLost,
		IsRefused: smartro.IsRefused,
		IsTyped: func(err error) bool {
			var e *smartro.Error
			return errors.As(err, &e)
		},
		Echo: func(op, secret string) [][]byte {
			bodies := [][]byte{
				// The secret inside MSG, MSG2 and ERRCODE of a refusal.
				[]byte(`{"RESULT":"FAIL","ERRCODE":"PKT_UNKNOWN_STORE","MSG":"store ` + secret + ` is not issued","MSG2":"` + secret[:10] + `"}`),
				[]byte(`{"RESULT":"FAIL","ERRCODE":"` + secret + `","MSG":"x"}`),
				// RESULT other than SUCCESS without ERRCODE, its text the secret.
				[]byte(`{"RESULT":"` + secret + `","ERRCODE":"","MSG":"` + secret + `"}`),
			}
			if op != "ReturnOrder" { // the only call without OBJ to parse
				// A field that fails to parse, carrying the secret.
				bodies = append(bodies,
					[]byte(`{"RESULT":"SUCCESS","ERRCODE":"","OBJ":"`+secret+`"}`),
					[]byte(`{"RESULT":"SUCCESS","ERRCODE":"","OBJ":{"TABLE_LIST":"`+secret+`","ORDER_LIST":{"x":"`+secret+`"},"UPDATE_YN":7,"ORDERNO":{"n":"`+secret+`"}}}`),
					[]byte(`{"RESULT":"SUCCESS","ERRCODE":"","OBJ":[{"ITEM_GROUP_LIST":[{"ITEM_LIST":[{"ITEM_AMT":"`+secret+`"}]}]}]}`))
			}
			return bodies
		},
	})
}

// The fake serves every operation of the endpoint table, and every operation is a method
// of the client (EveryOperationHasACall in the contract).
func TestFakeHandlesEveryOperation(t *testing.T) {
	s := smartromock.NewServer()
	defer s.Close()
	if u := s.Unhandled(); len(u) != 0 {
		t.Fatalf("operations without a fake handler: %v", u)
	}
	for _, op := range wire.Endpoints.Ops() {
		if _, ok := reflectMethod(op); !ok {
			t.Errorf("operation %s is not a method of *smartro.Client", op)
		}
	}
}

func reflectMethod(name string) (reflect.Method, bool) {
	return reflect.TypeOf(&smartro.Client{}).MethodByName(name)
}
