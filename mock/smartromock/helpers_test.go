package smartromock

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	wire "github.com/poskit/poskit/internal/smartrowire"

	"github.com/poskit/poskit/smartro"
)

var t1 = smartro.TableRef{FloorCode: "1", TableCode: "01"}
var t2 = smartro.TableRef{FloorCode: "1", TableCode: "02"}

func newTestServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// rawPost posts body (a value to encode, or []byte as is) and returns status and body.
func rawPost(t testing.TB, s *Server, path string, body any) (int, []byte, error) {
	t.Helper()
	var b []byte
	switch v := body.(type) {
	case []byte:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := s.HTTPClient().Post(s.URL()+path, "application/json", bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// call posts and decodes the envelope.
func call(t testing.TB, s *Server, path string, body any) (int, *wire.Envelope) {
	t.Helper()
	status, data, err := rawPost(t, s, path, body)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	env, err := wire.DecodeEnvelope(data)
	if err != nil {
		t.Fatalf("POST %s: answer %q: %v", path, data, err)
	}
	return status, env
}

// ok posts, requires success, and decodes OBJ into out (if not nil).
func ok(t testing.TB, s *Server, path string, body, out any) {
	t.Helper()
	status, env := call(t, s, path, body)
	if status != http.StatusOK || !env.OK() || env.Result != wire.ResultSuccess {
		t.Fatalf("POST %s: HTTP %d %s %s %s", path, status, env.ErrCode, env.Msg, env.Msg2)
	}
	if out != nil {
		if err := json.Unmarshal(env.Obj, out); err != nil {
			t.Fatalf("POST %s: OBJ %s: %v", path, env.Obj, err)
		}
	}
}

// refused posts, requires a refusal, and returns its ERRCODE.
func refused(t testing.TB, s *Server, path string, body any) string {
	t.Helper()
	_, env := call(t, s, path, body)
	if env.OK() {
		t.Fatalf("POST %s: success, want a refusal (OBJ %s)", path, env.Obj)
	}
	if env.Result != wire.ResultFail || env.Msg == "" {
		t.Errorf("POST %s: refusal envelope %+v", path, env)
	}
	return env.ErrCode
}

func storeReq(s *Server) wire.StoreRequest {
	return wire.StoreRequest{StoreID: s.StoreID(), ServiceID: s.ServiceID()}
}

func line(id string, price int64, n int, addOns ...smartro.LineAddOn) smartro.OrderLine {
	return smartro.OrderLine{ItemID: id, Name: id, Price: price, Count: n, AddOns: addOns}
}

func addOn(group, id string, price int64) smartro.LineAddOn {
	return smartro.LineAddOn{ID: id, Name: id, GroupCode: group, Price: price}
}

// basket is a valid postpaid order of the default menu on table.
func basket(mcht string, table smartro.TableRef) *smartro.Order {
	return &smartro.Order{MerchantOrderNo: mcht, Table: table, Lines: []smartro.OrderLine{
		line(ItemAmericano, 4500, 2, addOn(GroupShot, AddOnShot, 500)),
		line(ItemCheesecake, 6500, 1),
	}}
}

// reqOf builds the request body of o (orgOrderNo "" for a new order).
func reqOf(t testing.TB, s *Server, o *smartro.Order, orgOrderNo string) *wire.OrderRequest {
	t.Helper()
	w, err := orderToWire(o, s.StoreID(), s.ServiceID(), orgOrderNo)
	if err != nil {
		t.Fatalf("ToWire: %v", err)
	}
	return w
}

// place sends a new order and returns its answer.
func place(t testing.TB, s *Server, o *smartro.Order) wire.OrderAnswer {
	t.Helper()
	var ans wire.OrderAnswer
	ok(t, s, wire.PathOrderNew, reqOf(t, s, o, ""), &ans)
	if ans.OrderNo == "" || ans.MerchantOrderNo != o.MerchantOrderNo {
		t.Fatalf("order answer %+v", ans)
	}
	return ans
}

// addTo sends an additional order on org.
func addTo(t testing.TB, s *Server, org string, o *smartro.Order) wire.OrderAnswer {
	t.Helper()
	var ans wire.OrderAnswer
	ok(t, s, wire.PathOrderAdd, reqOf(t, s, o, org), &ans)
	return ans
}

// lookup returns the table's live orders.
func lookup(t testing.TB, s *Server, ref smartro.TableRef) []wire.LiveOrder {
	t.Helper()
	var ans wire.OrderList
	ok(t, s, wire.PathTableOrders, wire.TableOrdersRequest{
		StoreID: s.StoreID(), ServiceID: s.ServiceID(), FloorCode: ref.FloorCode, TableCode: ref.TableCode,
	}, &ans)
	return ans.Orders
}

// find returns the lookup entry with ORDERNO no, or nil.
func find(list []wire.LiveOrder, no string) *wire.LiveOrder {
	for i := range list {
		if list[i].OrderNo == no {
			return &list[i]
		}
	}
	return nil
}
