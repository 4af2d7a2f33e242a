package smartro

import (
	"context"
	wire "github.com/poskit/poskit/internal/smartrowire"
	"net/http"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
)

// apiCall is one client method, called against a stub, with the path it posts to.
type apiCall struct {
	op   string // the *Error's Op
	path string
	data bool // the call returns data: its answer must carry OBJ
	do   func(ctx context.Context, c *Client) error
}

func apiCalls() []apiCall {
	return []apiCall{
		{"smartro.Tables", wire.PathTables, true, func(ctx context.Context, c *Client) error { _, err := c.Tables(ctx); return err }},
		{"smartro.MenuChanged", wire.PathMenuState, true, func(ctx context.Context, c *Client) error {
			_, _, err := c.MenuChanged(ctx, time.Time{})
			return err
		}},
		{"smartro.Menu", wire.PathMenu, true, func(ctx context.Context, c *Client) error { _, err := c.Menu(ctx); return err }},
		{"smartro.NewOrder", wire.PathOrderNew, true, func(ctx context.Context, c *Client) error { _, err := c.NewOrder(ctx, validPrepaid()); return err }},
		{"smartro.AdditionalOrder", wire.PathOrderAdd, true, func(ctx context.Context, c *Client) error {
			_, err := c.AdditionalOrder(ctx, "TO1", postpaid())
			return err
		}},
		{"smartro.TableOrders", wire.PathTableOrders, true, func(ctx context.Context, c *Client) error {
			_, err := c.TableOrders(ctx, "0001", "0005")
			return err
		}},
		{"smartro.StoreOrders", wire.PathStoreOrders, true, func(ctx context.Context, c *Client) error { _, err := c.StoreOrders(ctx); return err }},
		{"smartro.ReturnOrder", wire.PathOrderCancel, false, func(ctx context.Context, c *Client) error {
			return c.ReturnOrder(ctx, "TO1", []Payment{{Kind: PayCash, Amount: 100}})
		}},
	}
}

func raw(status int, body string) func(http.ResponseWriter, []byte) {
	return func(w http.ResponseWriter, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// Answers without the Smartro envelope (RESULT and ERRCODE), with a RESULT other than
// SUCCESS, or without OBJ where data is expected are errors of every operation, never an
// empty success.
func TestEnvelopeLessAnswersAreErrors(t *testing.T) {
	bodies := []struct {
		name, body string
		code       string
		dataOnly   bool // an error only for calls that return data
	}{
		{"empty object", `{}`, CodeBadAnswer, false},
		{"foreign object", `{"status":"ok"}`, CodeBadAnswer, false},
		{"FAIL without ERRCODE", `{"RESULT":"FAIL"}`, CodeBadAnswer, false},
		{"no RESULT", `{"ERRCODE":"","OBJ":{"ORDER_LIST":[]}}`, CodeBadAnswer, false},
		{"bare order list", `{"ORDER_LIST":[{"ORDERNO":"TO1","MCHT_ORDERNO":"X"}]}`, CodeBadAnswer, false},
		{"bare order answer", `{"ORDERNO":"TO1"}`, CodeBadAnswer, false},
		{"FAIL, empty ERRCODE", `{"RESULT":"FAIL","ERRCODE":"","MSG":"실패"}`, CodeResultFail, false},
		{"unknown RESULT", `{"RESULT":"WAIT","ERRCODE":"","OBJ":{"ORDERNO":"TO1"}}`, CodeResultFail, false},
		{"null RESULT", `{"RESULT":null,"ERRCODE":"","OBJ":{}}`, CodeBadAnswer, false},
		{"no OBJ", `{"RESULT":"SUCCESS","ERRCODE":""}`, CodeBadAnswer, true},
		{"null OBJ", `{"RESULT":"SUCCESS","ERRCODE":"","OBJ":null}`, CodeBadAnswer, true},
	}
	ctx := context.Background()
	for _, call := range apiCalls() {
		for _, b := range bodies {
			t.Run(call.op+"/"+b.name, func(t *testing.T) {
				s := newStub(t)
				c := newTestClient(t, s, WithRetry(RetryPolicy{MaxRetries: -1}))
				s.on(call.path, raw(200, b.body))
				err := call.do(ctx, c)
				if b.dataOnly && !call.data {
					if err != nil {
						t.Fatalf("a call without data must accept %s: %v", b.body, err)
					}
					return
				}
				var e *Error
				if !asErr(err, &e) {
					t.Fatalf("answer %s: err = %v, want *Error", b.body, err)
				}
				if e.Op != call.op || e.HTTPStatus != 200 || e.Code != b.code {
					t.Fatalf("answer %s: %+v, want op %s, HTTP 200, code %s", b.body, e, call.op, b.code)
				}
				if !IsLost(err) || IsRefused(err) {
					t.Fatalf("answer %s: IsLost=%v IsRefused=%v, want lost (we cannot tell whether it acted)", b.body, IsLost(err), IsRefused(err))
				}
				if s.n(call.path) != 1 {
					t.Fatalf("%d requests", s.n(call.path))
				}
			})
		}
	}
}

// An order answer must carry ORDERNO: without it there is nothing to track.
func TestOrderAnswerWithoutOrderNoIsAnError(t *testing.T) {
	for _, call := range apiCalls() {
		if call.path != wire.PathOrderNew && call.path != wire.PathOrderAdd {
			continue
		}
		s := newStub(t)
		c := newTestClient(t, s)
		s.on(call.path, ok(wire.OrderAnswer{MerchantOrderNo: "M-1"}))
		err := call.do(context.Background(), c)
		var e *Error
		if !asErr(err, &e) || e.Op != call.op || e.Code != CodeBadAnswer || e.HTTPStatus != 200 || !IsLost(err) {
			t.Errorf("%s: %v", call.op, err)
		}
	}
}

// A full envelope still works for every call, including ReturnOrder's OBJ-less success.
func TestFullEnvelopesAccepted(t *testing.T) {
	s := newStub(t)
	c := newTestClient(t, s)
	s.on(wire.PathTables, ok(wire.TablesAnswer{}))
	s.on(wire.PathMenuState, ok(wire.MenuStateAnswer{Updated: wire.FlagNo}))
	s.on(wire.PathMenu, ok(wire.MenuAnswer{}))
	s.on(wire.PathOrderNew, ok(wire.OrderAnswer{OrderNo: "TO1"}))
	s.on(wire.PathOrderAdd, ok(wire.OrderAnswer{OrderNo: "TO2", OrgOrderNo: "TO1"}))
	s.on(wire.PathTableOrders, ok(wire.OrderList{}))
	s.on(wire.PathStoreOrders, ok(wire.OrderList{}))
	s.on(wire.PathOrderCancel, raw(200, `{"RESULT":"SUCCESS","ERRCODE":"","MSG":"","MSG2":""}`))
	for _, call := range apiCalls() {
		if err := call.do(context.Background(), c); err != nil {
			t.Errorf("%s: %v", call.op, err)
		}
	}
}

// Found by the audit: a lookup answering a bare ORDER_LIST (no envelope) was read as "no
// orders", so a tracked order went Accepted → Expired and CanReorder said yes while the
// POS may have it. Such a lookup is now a failed lookup, which changes nothing.
func TestTrackerIgnoresEnvelopeLessLookups(t *testing.T) {
	s := newStub(t)
	clk := mock.NewClock(time.Time{})
	c := newTestClient(t, s, WithClock(clk), WithRetry(RetryPolicy{MaxRetries: -1}))
	s.on(wire.PathTableOrders, raw(200, `{"ORDER_LIST":[{"ORDERNO":"OTHER","MCHT_ORDERNO":"X"}]}`))
	q := newQuiet()
	tr := newTracker(c, q.hook, WithTrackerClock(clk))
	defer tr.Close()
	ref := TableRef{"0001", "0005"}
	if st, err := tr.Track(ref, "M-1", &OrderAck{OrderNo: "TO1"}, nil); err != nil || st != Accepted {
		t.Fatal(st, err)
	}
	for i := 0; i < 15; i++ { // 75 s: well past the 60 s expiry
		q.settle(t, tr, clk.Now())
		clk.Advance(DefaultPollInterval)
	}
	q.settle(t, tr, clk.Now())
	if st, _ := tr.State("M-1"); st != Accepted || tr.CanReorder("M-1") {
		t.Fatalf("state %v, CanReorder %v after envelope-less lookups", st, tr.CanReorder("M-1"))
	}
	if s.n(wire.PathTableOrders) < 12 {
		t.Fatalf("only %d lookups", s.n(wire.PathTableOrders))
	}
}
