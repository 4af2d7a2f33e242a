package loyalty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/poskit/poskit/internal/loyaltywire"
)

var (
	testSig    = "0x" + strings.Repeat("ab", 65)
	testAmount = testAmt("10000000000000000000")
)

func testAmt(s string) Amount {
	a, err := ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

type seenRequest struct {
	Method, Path string
	Query        url.Values
	Body         map[string]any
	Auth         string
	HasAuth      bool
}

// recordingRelay answers every request with {"code":0,"data":data(path)} and
// records what it saw.
type recordingRelay struct {
	mu   sync.Mutex
	seen []seenRequest
}

func (r *recordingRelay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	var body map[string]any
	if len(b) > 0 {
		_ = json.Unmarshal(b, &body)
	}
	_, has := req.Header[HeaderAuthorization]
	r.mu.Lock()
	r.seen = append(r.seen, seenRequest{req.Method, req.URL.Path, req.URL.Query(), body, req.Header.Get(HeaderAuthorization), has})
	r.mu.Unlock()
	var data any
	switch {
	case strings.Contains(req.URL.Path, "balance"):
		data = WireBalance{Account: testAccount, Balance: "989500000000000000000"}
	case req.URL.Path == "/v1/payment/info":
		data = WirePaymentInfo{Account: testAccount, Amount: "1000000000000000000", Currency: "usd", Balance: "5",
			Estimate: WireEstimate{PaidPoint: "1000000000000000000000", FeePoint: "50000000000000000000", TotalPoint: "1050000000000000000000"}}
	case strings.Contains(req.URL.Path, "shop/info"):
		data = json.RawMessage(`{"shopId":"` + testShopID + `","name":"Cafe","providedAmount":"7","settledPoint":12,"provideWaitTime":60}`)
	case strings.Contains(req.URL.Path, "withdrawal"):
		data = WireShopWithdrawal{ShopID: testShopID, WithdrawAmount: "9", WithdrawStatus: 1}
	case strings.Contains(req.URL.Path, "chain"):
		data = WireChainID{ChainID: 24680}
	case strings.Contains(req.URL.Path, "nonce"):
		data = WireNonce{Account: testAccount, Nonce: "3"}
	default:
		data = json.RawMessage(callbackData(11))
	}
	b, _ = json.Marshal(NewSuccessEnvelope(data))
	w.Write(b)
}

func (r *recordingRelay) last(t *testing.T) seenRequest {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seen) == 0 {
		t.Fatal("no request seen")
	}
	return r.seen[len(r.seen)-1]
}

func newTestClient(t *testing.T, srv *httptest.Server, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(append([]Option{WithBaseURL(srv.URL), WithHTTPClient(srv.Client()), WithAccessKey(testKey), WithoutRetrySleep()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEndpointsBothRouteSets(t *testing.T) {
	ctx := context.Background()
	type tc struct {
		name   string
		call   func(c *Client) error
		method string
		path   any // unused: the path is the route set's
		query  url.Values
		body   func(set RouteSet) map[string]any // nil: no body
		auth   bool
	}
	withKey := func(set RouteSet, m map[string]any) map[string]any {
		if set == RouteSetDocument {
			m[loyaltywire.ParamAccessKey] = testKey
		}
		return m
	}
	withFlag := func(set RouteSet, m map[string]any, v bool) map[string]any {
		if set == RouteSetRelay {
			m[loyaltywire.ParamApproval] = v
		}
		return m
	}
	cases := []tc{
		{"Balance", func(c *Client) error {
			b, err := c.Balance(ctx, testAccount)
			if err == nil && b.Balance.String() != "989500000000000000000" {
				err = fmt.Errorf("balance %v", b.Balance)
			}
			return err
		}, "GET", nil, url.Values{"account": {testAccount}}, nil, true},
		{"PaymentInfo", func(c *Client) error {
			i, err := c.PaymentInfo(ctx, testAccount, testAmt("1000000000000000000"), "usd")
			if err == nil && (i.TotalPoint.String() != "1050000000000000000000" || i.FeePoint.String() != "50000000000000000000") {
				err = fmt.Errorf("info %+v", i)
			}
			return err
		}, "GET", nil, url.Values{"account": {testAccount}, "amount": {"1000000000000000000"}, "currency": {"usd"}}, nil, true},
		{"OpenNewPayment", func(c *Client) error {
			p, err := c.OpenNewPayment(ctx, OpenNewPaymentInput{PurchaseID: "P000002", Amount: testAmount, Currency: "krw", ShopID: testShopID, Account: testAccount})
			if err == nil && (p.ID != testPaymentID || p.Status != StatusNewOpened || p.TotalPoint.String() != "10500000000000000000") {
				err = fmt.Errorf("payment %+v", p)
			}
			return err
		}, "POST", nil, nil, func(s RouteSet) map[string]any {
			return withKey(s, map[string]any{"purchaseId": "P000002", "amount": "10000000000000000000", "currency": "krw", "shopId": testShopID, "account": testAccount})
		}, true},
		{"CloseNewPayment", func(c *Client) error { _, err := c.CloseNewPayment(ctx, testPaymentID, true); return err },
			"POST", nil, nil, func(s RouteSet) map[string]any {
				return withKey(s, map[string]any{"paymentId": testPaymentID, "confirm": true})
			}, true},
		{"OpenCancelPayment", func(c *Client) error { _, err := c.OpenCancelPayment(ctx, testPaymentID); return err },
			"POST", nil, nil, func(s RouteSet) map[string]any {
				return withKey(s, map[string]any{"paymentId": testPaymentID})
			}, true},
		{"CloseCancelPayment", func(c *Client) error { _, err := c.CloseCancelPayment(ctx, testPaymentID, false); return err },
			"POST", nil, nil, func(s RouteSet) map[string]any {
				return withKey(s, map[string]any{"paymentId": testPaymentID, "confirm": false})
			}, true},
		{"ShopInfo", func(c *Client) error {
			s, err := c.ShopInfo(ctx, testShopID)
			if err == nil && (s.Name != "Cafe" || s.ProvidedPoint.String() != "7" || s.SettledPoint.String() != "12" || s.ProvideWaitTime.Seconds() != 60) {
				err = fmt.Errorf("shop %+v", s)
			}
			return err
		}, "GET", nil, url.Values{"shopId": {testShopID}}, nil, true},
		{"ShopWithdrawal", func(c *Client) error {
			w, err := c.ShopWithdrawal(ctx, testShopID)
			if err == nil && (!w.InProgress || w.Amount.String() != "9") {
				err = fmt.Errorf("withdrawal %+v", w)
			}
			return err
		}, "GET", nil, url.Values{"shopId": {testShopID}}, nil, true},
		{"Payment", func(c *Client) error { _, err := c.Payment(ctx, testPaymentID); return err },
			"GET", nil, url.Values{"paymentId": {testPaymentID}}, nil, true},
		{"ApproveNewPayment", func(c *Client) error { _, err := c.ApproveNewPayment(ctx, testPaymentID, testSig); return err },
			"POST", nil, nil, func(s RouteSet) map[string]any {
				return withFlag(s, map[string]any{"paymentId": testPaymentID, "signature": testSig}, true)
			}, false},
		{"DenyNewPayment", func(c *Client) error { _, err := c.DenyNewPayment(ctx, testPaymentID, testSig); return err },
			"POST", nil, nil, func(s RouteSet) map[string]any {
				return withFlag(s, map[string]any{"paymentId": testPaymentID, "signature": testSig}, false)
			}, false},
		{"ApproveCancelPayment", func(c *Client) error { _, err := c.ApproveCancelPayment(ctx, testPaymentID, testSig); return err },
			"POST", nil, nil, func(s RouteSet) map[string]any {
				return withFlag(s, map[string]any{"paymentId": testPaymentID, "signature": testSig}, true)
			}, false},
		{"DenyCancelPayment", func(c *Client) error { _, err := c.DenyCancelPayment(ctx, testPaymentID, testSig); return err },
			"POST", nil, nil, func(s RouteSet) map[string]any {
				return withFlag(s, map[string]any{"paymentId": testPaymentID, "signature": testSig}, false)
			}, false},
		{"ChainID", func(c *Client) error {
			id, err := c.ChainID(ctx)
			if err == nil && id != 24680 {
				err = fmt.Errorf("chain id %d", id)
			}
			return err
		}, "GET", nil, url.Values{}, nil, true},
		{"Nonce", func(c *Client) error {
			n, err := c.Nonce(ctx, testAccount)
			if err == nil && n != 3 {
				err = fmt.Errorf("nonce %d", n)
			}
			return err
		}, "GET", nil, url.Values{}, nil, true},
	}
	for _, routes := range []RouteSet{RouteSetDocument, RouteSetRelay} {
		for _, c := range cases {
			t.Run(routes.String()+"/"+c.name, func(t *testing.T) {
				relay := &recordingRelay{}
				srv := httptest.NewServer(relay)
				defer srv.Close()
				cl := newTestClient(t, srv, WithRouteSet(routes))
				if err := c.call(cl); err != nil {
					t.Fatal(err)
				}
				got := relay.last(t)
				if wp := wantPath(routes, c.name); got.Method != c.method || got.Path != wp {
					t.Fatalf("%s %s, want %s %s", got.Method, got.Path, c.method, wp)
				}
				if c.query != nil && got.Query.Encode() != c.query.Encode() {
					t.Fatalf("query %v, want %v", got.Query, c.query)
				}
				var want map[string]any
				if c.body != nil {
					want = c.body(routes)
				}
				gb, _ := json.Marshal(got.Body)
				wb, _ := json.Marshal(want)
				if !bytes.Equal(gb, wb) {
					t.Fatalf("body %s, want %s", gb, wb)
				}
				if c.auth && got.Auth != testKey || !c.auth && got.HasAuth {
					t.Fatalf("Authorization %q (present %v), want key: %v", got.Auth, got.HasAuth, c.auth)
				}
			})
		}
	}
}

func mockClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	c, err := NewClient(append([]Option{WithBaseURL("https://relay.test"), WithHTTPClient(&http.Client{Transport: mt}),
		WithAccessKey(testKey), WithoutRetrySleep()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, mt
}

func TestRelayErrorsAndBrokenAnswers(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name      string
		responder httpmock.Responder
		code      Code
		status    int
	}{
		{"code 2002", httpmock.NewStringResponder(200, `{"code":2002,"error":{"message":"The access key entered is not valid"}}`), CodeInvalidAccessKey, 200},
		{"code 1511", httpmock.NewStringResponder(200, `{"code":1511,"error":{"message":"Insufficient balance"}}`), CodeInsufficientBalance, 200},
		{"validation 2001", httpmock.NewStringResponder(200, `{"code":2001,"error":{"message":"Failed to check the validity of parameters","validation":[{"path":"shopId","msg":"Invalid value"}]}}`), CodeInvalidParameters, 200},
		{"not json", httpmock.NewStringResponder(200, `<html>captive portal</html>`), CodeDecode, 200},
		{"truncated", httpmock.NewStringResponder(200, `{"code":0,"data":{"paymentId":"0x`), CodeDecode, 200},
		{"bad amount", httpmock.NewStringResponder(200, `{"code":0,"data":{"paymentId":"0x1","amount":"1e18"}}`), CodeDecode, 200},
		{"502 html", httpmock.NewStringResponder(502, `<html>bad gateway</html>`), CodeHTTPStatus, 502},
		{"oversized", httpmock.NewStringResponder(200, `{"code":0,"data":{"purchaseId":"`+strings.Repeat("x", 2048)+`"}}`), CodeTooLarge, 200},
		{"transport", httpmock.NewErrorResponder(errors.New("connection reset by peer")), CodeTransport, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, mt := mockClient(t, WithMaxBodyBytes(1024))
			mt.RegisterResponder("POST", "https://relay.test/v1/payment/openNew", c.responder)
			_, err := cl.OpenNewPayment(ctx, OpenNewPaymentInput{PurchaseID: "P1", Amount: testAmount, Currency: "krw", ShopID: testShopID, Account: testAccount})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %v", err)
			}
			if e.Code != c.code || e.Op != "loyalty.OpenNewPayment" || e.HTTPStatus != c.status {
				t.Fatalf("got code %v op %q status %d: %v", e.Code, e.Op, e.HTTPStatus, e)
			}
			if !strings.Contains(e.Error(), "loyalty.OpenNewPayment") || (c.status != 0 && !strings.Contains(e.Error(), fmt.Sprintf("HTTP %d", c.status))) {
				t.Fatalf("Error() %q lacks op or status", e)
			}
			if mt.GetTotalCallCount() != 1 {
				t.Fatalf("money-moving POST sent %d times", mt.GetTotalCallCount())
			}
		})
	}
}

func TestReadsRetriedWritesNot(t *testing.T) {
	cl, mt := mockClient(t)
	calls := 0
	mt.RegisterResponder("GET", "https://relay.test/v1/payment/item", func(r *http.Request) (*http.Response, error) {
		calls++
		if calls < 3 {
			return httpmock.NewStringResponse(200, `{"code":6000,"error":{"message":"Server Error"}}`), nil
		}
		return httpmock.NewStringResponse(200, `{"code":0,"data":`+callbackData(15)+`}`), nil
	})
	p, err := cl.Payment(context.Background(), testPaymentID)
	if err != nil || p.Status != StatusNewApproved || calls != 3 {
		t.Fatalf("read: %v after %d calls", err, calls)
	}
	mt.RegisterResponder("POST", "https://relay.test/v1/payment/closeNew", httpmock.NewStringResponder(503, ``))
	if _, err := cl.CloseNewPayment(context.Background(), testPaymentID, true); !IsCode(err, CodeHTTPStatus) {
		t.Fatalf("close: %v", err)
	}
	if n := mt.GetCallCountInfo()["POST https://relay.test/v1/payment/closeNew"]; n != 1 {
		t.Fatalf("close sent %d times", n)
	}
}

func TestInvalidInputSendsNothing(t *testing.T) {
	ctx := context.Background()
	cl, mt := mockClient(t)
	mt.RegisterNoResponder(httpmock.NewStringResponder(200, `{"code":0,"data":{}}`))
	good := OpenNewPaymentInput{PurchaseID: "P1", Amount: testAmount, Currency: "krw", ShopID: testShopID, Account: testAccount}
	mod := func(f func(*OpenNewPaymentInput)) OpenNewPaymentInput { in := good; f(&in); return in }
	cases := []struct {
		field string
		call  func() error
	}{
		{"account", func() error { _, err := cl.Balance(ctx, "0x123"); return err }},
		{"account", func() error { _, err := cl.PaymentInfo(ctx, "nope", testAmount, "krw"); return err }},
		{"currency", func() error { _, err := cl.PaymentInfo(ctx, testAccount, testAmount, " "); return err }},
		{"purchaseId", func() error {
			_, err := cl.OpenNewPayment(ctx, mod(func(i *OpenNewPaymentInput) { i.PurchaseID = "" }))
			return err
		}},
		{"amount", func() error {
			_, err := cl.OpenNewPayment(ctx, mod(func(i *OpenNewPaymentInput) { i.Amount = Amount{} }))
			return err
		}},
		{"currency", func() error {
			_, err := cl.OpenNewPayment(ctx, mod(func(i *OpenNewPaymentInput) { i.Currency = "" }))
			return err
		}},
		{"shopId", func() error {
			_, err := cl.OpenNewPayment(ctx, mod(func(i *OpenNewPaymentInput) { i.ShopID = testAccount }))
			return err
		}},
		{"account", func() error {
			_, err := cl.OpenNewPayment(ctx, mod(func(i *OpenNewPaymentInput) { i.Account = testShopID }))
			return err
		}},
		{"paymentId", func() error { _, err := cl.CloseNewPayment(ctx, "0x12", true); return err }},
		{"paymentId", func() error { _, err := cl.OpenCancelPayment(ctx, testPaymentID+"00"); return err }},
		{"paymentId", func() error { _, err := cl.CloseCancelPayment(ctx, "", true); return err }},
		{"shopId", func() error { _, err := cl.ShopInfo(ctx, "shop-1"); return err }},
		{"shopId", func() error { _, err := cl.ShopWithdrawal(ctx, "0x"); return err }},
		{"paymentId", func() error { _, err := cl.Payment(ctx, "../../admin"); return err }},
		{"signature", func() error { _, err := cl.ApproveNewPayment(ctx, testPaymentID, "0xdead"); return err }},
		{"paymentId", func() error { _, err := cl.DenyNewPayment(ctx, "x", testSig); return err }},
		{"signature", func() error { _, err := cl.ApproveCancelPayment(ctx, testPaymentID, testSig+"0"); return err }},
		{"signature", func() error { _, err := cl.DenyCancelPayment(ctx, testPaymentID, ""); return err }},
		{"account", func() error { _, err := cl.Nonce(ctx, "0x/../../x"); return err }},
	}
	for i, c := range cases {
		err := c.call()
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalidInput || e.Field != c.field || !IsInvalidInput(err) {
			t.Errorf("case %d: want invalid %s, got %v", i, c.field, err)
		}
	}
	if n := mt.GetTotalCallCount(); n != 0 {
		t.Fatalf("%d requests sent for invalid input", n)
	}
	noKey, mt2 := mockClient(t, WithAccessKey(""))
	if _, err := noKey.OpenNewPayment(ctx, good); !IsInvalidInput(err) || mt2.GetTotalCallCount() != 0 {
		t.Fatalf("missing key: %v", err)
	}
}

func TestAccessKeyNeverShown(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cl, mt := mockClient(t, WithLogger(logger))
	// A relay that echoes the key in its message, and a transport error quoting it.
	mt.RegisterResponder("POST", "https://relay.test/v1/payment/openCancel",
		httpmock.NewStringResponder(200, `{"code":2002,"error":{"message":"bad key `+testKey+`","validation":[{"path":"accessKey","msg":"`+testKey+`"}]}}`))
	mt.RegisterResponder("GET", "https://relay.test/v1/payment/item", httpmock.NewErrorResponder(errors.New("proxy refused key "+testKey)))
	_, err1 := cl.OpenCancelPayment(context.Background(), testPaymentID)
	_, err2 := cl.Payment(context.Background(), testPaymentID)
	if !IsAccessDenied(err1) || !IsTransport(err2) {
		t.Fatalf("errors %v / %v", err1, err2)
	}
	logger.Info("client", "client", cl, "value", *cl)
	opt := WithAccessKey(testKey)
	var cfg config
	opt(&cfg)
	for _, s := range []string{err1.Error(), err2.Error(), fmt.Sprintf("%+v", err1), logs.String(),
		fmt.Sprintf("%v", cl), fmt.Sprintf("%+v", cl), fmt.Sprintf("%#v", cl), fmt.Sprintf("%v", *cl), fmt.Sprintf("%+v", *cl),
		fmt.Sprintf("%v", opt), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprintf("%d %x %X %s %q", cfg, cfg, cfg, cfg, cfg), fmt.Sprintf("%d %x %s %q", cl, *cl, cl, *cl)} {
		if strings.Contains(s, testKey) {
			t.Fatalf("access key shown in %q", s)
		}
	}
	if !strings.Contains(logs.String(), "loyalty.OpenCancelPayment") {
		t.Fatalf("requests not logged: %s", logs.String())
	}
}

func TestNewClientOptions(t *testing.T) {
	c, err := NewClient(WithNetwork(Testnet))
	if err != nil || c.baseURL != "https://relay.kios.testnet.bosagora.org" || c.RouteSet() != RouteSetDocument {
		t.Fatalf("%v %v", c, err)
	}
	if c, _ := NewClient(); c.baseURL != "https://relay.kios.bosagora.org" {
		t.Fatal("default network is mainnet")
	}
	if Devnet.BaseURL() != "https://relay.kios.devnet.bosagora.org" || Devnet.String() != "devnet" {
		t.Fatal("devnet")
	}
	for _, bad := range []string{"relay.example", "ftp://x", "http://"} {
		if _, err := NewClient(WithBaseURL(bad)); !IsInvalidInput(err) {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
}

// wantPath is the path operation op is sent to in route set s.
func wantPath(s RouteSet, op string) string {
	e, _ := s.table().Lookup(op)
	return strings.Replace(e.Path, loyaltywire.NoncePlaceholder, testAccount, 1)
}
