package loyalty_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock/loyaltymock"
)

// leakKey has characters JSON and URLs escape, so echoes come in several spellings.
const leakKey = `Lk7<Qz&9>"Wm2'Rx\Tp5Vb8Nc3`

const (
	leakAccount = "0x53801Bf69Cb9B6Ad205BAc9134766807551F26BC"
	leakShop    = "0x5b2eaa90dbb877356c28cf13fe9263b1e749abeb78f031a4b35fa63c7d30e5db"
	leakPayment = "0x644a5568445869656a16b67ab82894bbe7fb40e984bc5bff90002aa40177292f"
	leakSig     = "0x" + "11111111111111111111111111111111111111111111111111111111111111112222222222222222222222222222222222222222222222222222222222222222" + "1b"
)

// spellingsOf returns the key as written, JSON-escaped (as json.Marshal writes it) and
// URL-escaped.
func spellingsOf(k string) []string {
	b, _ := json.Marshal(k)
	return []string{k, string(b[1 : len(b)-1]), url.QueryEscape(k), url.PathEscape(k)}
}

// assertNoFragment fails when s holds any 8-character run of any spelling of the key.
func assertNoFragment(t *testing.T, what, s string) {
	t.Helper()
	for _, sp := range spellingsOf(leakKey) {
		for i := 0; i+8 <= len(sp); i++ {
			if strings.Contains(s, sp[i:i+8]) {
				t.Errorf("%s shows %q of the key: %s", what, sp[i:i+8], s)
				return
			}
		}
	}
}

// echoServer answers every request with body(key) for its path, key being the JSON
// spelling of the access key (as a relay that echoes it writes it).
func echoServer(t *testing.T, body func(path, jsonKey string) string) *httptest.Server {
	jk := spellingsOf(leakKey)[1]
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body(r.URL.Path, jk)))
	}))
	t.Cleanup(hs.Close)
	return hs
}

type leakCall struct {
	name string
	call func(ctx context.Context, c *loyalty.Client) error
}

func allCalls() []leakCall {
	in := loyalty.OpenNewPaymentInput{PurchaseID: "P1", Amount: loyalty.FromWhole(1), Currency: "krw", ShopID: leakShop, Account: leakAccount}
	e := func(_ any, err error) error { return err }
	return []leakCall{
		{"Balance", func(ctx context.Context, c *loyalty.Client) error { return e(c.Balance(ctx, leakAccount)) }},
		{"PaymentInfo", func(ctx context.Context, c *loyalty.Client) error {
			return e(c.PaymentInfo(ctx, leakAccount, loyalty.FromWhole(1), "krw"))
		}},
		{"OpenNewPayment", func(ctx context.Context, c *loyalty.Client) error { return e(c.OpenNewPayment(ctx, in)) }},
		{"CloseNewPayment", func(ctx context.Context, c *loyalty.Client) error {
			return e(c.CloseNewPayment(ctx, leakPayment, true))
		}},
		{"OpenCancelPayment", func(ctx context.Context, c *loyalty.Client) error { return e(c.OpenCancelPayment(ctx, leakPayment)) }},
		{"CloseCancelPayment", func(ctx context.Context, c *loyalty.Client) error {
			return e(c.CloseCancelPayment(ctx, leakPayment, true))
		}},
		{"Payment", func(ctx context.Context, c *loyalty.Client) error { return e(c.Payment(ctx, leakPayment)) }},
		{"ApproveNewPayment", func(ctx context.Context, c *loyalty.Client) error {
			return e(c.ApproveNewPayment(ctx, leakPayment, leakSig))
		}},
		{"DenyCancelPayment", func(ctx context.Context, c *loyalty.Client) error {
			return e(c.DenyCancelPayment(ctx, leakPayment, leakSig))
		}},
		{"ShopInfo", func(ctx context.Context, c *loyalty.Client) error { return e(c.ShopInfo(ctx, leakShop)) }},
		{"ShopWithdrawal", func(ctx context.Context, c *loyalty.Client) error { return e(c.ShopWithdrawal(ctx, leakShop)) }},
		{"ChainID", func(ctx context.Context, c *loyalty.Client) error { return e(c.ChainID(ctx)) }},
		{"Nonce", func(ctx context.Context, c *loyalty.Client) error { return e(c.Nonce(ctx, leakAccount)) }},
	}
}

// echoFields is, for every answer type, each field a relay could echo the key into.
var echoFields = map[string][]string{
	"/v1/payment/user/balance":    {"balance"},
	"/v1/payment/info":            {"amount", "balance", "balanceValue", "paidPoint", "paidToken", "paidValue", "feePoint", "feeToken", "feeValue", "totalPoint", "totalToken", "totalValue"},
	"payment":                     {"amount", "balance", "paidPoint", "paidToken", "paidValue", "feePoint", "feeToken", "feeValue", "totalPoint", "totalToken", "totalValue"},
	"/v1/payment/shop/info":       {"providedPoint", "usedPoint", "settledPoint", "withdrawnPoint", "providedAmount", "usedAmount", "refundedAmount"},
	"/v1/payment/shop/withdrawal": {"withdrawAmount"},
	"/v1/chain/side/id":           {"chainId"},
	"nonce":                       {"nonce"},
}

func fieldsOf(path string) []string {
	if f, ok := echoFields[path]; ok {
		return f
	}
	if strings.HasPrefix(path, "/v1/ledger/nonce/") {
		return echoFields["nonce"]
	}
	return echoFields["payment"]
}

// TestEchoedKeyNeverLeaks: a relay (or a proxy, or a server the kiosk was pointed at)
// echoes the access key — in the error message (also after 250 bytes, where a cut before
// the scrub would keep its prefix), in validation entries, JSON- and URL-escaped, and in
// every amount or number field of every answer type, which then fails to decode. No
// error text, fmt verb of the error, or debug log line holds the key or 8 characters of it.
func TestEchoedKeyNeverLeaks(t *testing.T) {
	ctx := context.Background()
	refusals := map[string]string{
		"message":     `{"code":2002,"error":{"message":"bad key %[1]s"}}`,
		"cut":         `{"code":2002,"error":{"message":"` + strings.Repeat("a", 250) + `%[1]s"}}`,
		"validation":  `{"code":2001,"error":{"message":"Failed","validation":[{"type":"field","value":"%[1]s","msg":"%[1]s is wrong","path":"x%[1]s","location":"%[1]s"}]}}`,
		"json-escape": `{"code":2002,"error":{"message":"%[2]s"}}`,
		"url-escape":  `{"code":5000,"error":{"message":"%[3]s"}}`,
		"raw-message": `{"code":5000,"error":{"message":{"k":"%[1]s"}}}`,
	}
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for name, tmpl := range refusals {
		hs := echoServer(t, func(_ string, jk string) string {
			// %[2]s: the key JSON-escaped twice, so the decoded message holds the escaped
			// spelling; %[3]s: URL-escaped.
			b, _ := json.Marshal(jk)
			return fmt.Sprintf(tmpl, jk, string(b[1:len(b)-1]), url.QueryEscape(leakKey))
		})
		c, err := loyalty.NewClient(loyalty.WithBaseURL(hs.URL), loyalty.WithAccessKey(leakKey),
			loyalty.WithLogger(logger), loyalty.WithoutRetrySleep(), loyalty.WithRetry(loyalty.RetryPolicy{MaxRetries: 1}))
		if err != nil {
			t.Fatal(err)
		}
		for _, lc := range allCalls() {
			err := lc.call(ctx, c)
			if err == nil {
				t.Errorf("%s/%s: no error", name, lc.name)
				continue
			}
			for _, s := range []string{err.Error(), fmt.Sprintf("%v|%+v|%#v|%q", err, err, err, err)} {
				assertNoFragment(t, name+"/"+lc.name, s)
			}
		}
	}
	for path := range echoFields {
		for _, field := range fieldsOf(path) {
			for _, lc := range allCalls() {
				hs := echoServer(t, func(p, jk string) string {
					if fieldsOf(p)[0] != fieldsOf(path)[0] {
						return `{"code":6000,"error":{"message":"Server Error"}}`
					}
					return fmt.Sprintf(`{"code":0,"data":{"paymentId":%q,"account":%q,"shopId":%q,"chainId":1,"nonce":"1",%q:"%s"}}`,
						leakPayment, leakAccount, leakShop, field, jk)
				})
				c, err := loyalty.NewClient(loyalty.WithBaseURL(hs.URL), loyalty.WithAccessKey(leakKey),
					loyalty.WithLogger(logger), loyalty.WithoutRetrySleep(), loyalty.WithRetry(loyalty.RetryPolicy{MaxRetries: 1}))
				if err != nil {
					t.Fatal(err)
				}
				err = lc.call(ctx, c)
				if err == nil {
					continue // this call reads another answer type
				}
				assertNoFragment(t, path+"."+field+"/"+lc.name, fmt.Sprintf("%s|%v|%+v|%#v", err.Error(), err, err, err))
				if path == "/v1/payment/user/balance" && lc.name == "Balance" && !strings.Contains(err.Error(), `invalid amount "REDACTED"`) {
					t.Errorf("the undecodable balance is not named, redacted: %v", err)
				}
			}
		}
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	assertNoFragment(t, "debug log", out)
	if !strings.Contains(out, "REDACTED") {
		t.Error("nothing was redacted: the echoes did not reach the errors")
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestNoVerbShowsTheKey: every fmt verb of *Client, Client, *CallbackHandler, an Option,
// the fake's Seed and AccessKey, and slog's rendering of them, hide the key.
func TestNoVerbShowsTheKey(t *testing.T) {
	srv := loyaltymock.NewServer(loyaltymock.WithAccessKey(loyaltymock.AccessKey{Key: leakKey}))
	defer srv.Close()
	c := srv.Client(loyalty.WithAccessKey(leakKey))
	h := loyalty.NewCallbackHandler(leakKey, nil)
	seed := srv.Seed()
	opt := loyalty.WithAccessKey(leakKey)
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "client", c, "value", *c, "handler", h, "seed", seed)
	subjects := map[string]any{"*Client": c, "Client": *c, "*CallbackHandler": h, "Seed": seed, "keys": seed.AccessKeys, "server": srv, "option": opt}
	for name, v := range subjects {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%T", "%p"} {
			if verb == "%p" && name == "Seed" {
				// %p of a non-pointer is the one verb fmt prints field by field before it
				// asks any formatter; Seed is plain test data whose AccessKey.Key is a
				// string (Client keeps its state behind a pointer instead).
				continue
			}
			assertNoFragment(t, name+" "+verb, fmt.Sprintf(verb, v))
		}
	}
	assertNoFragment(t, "slog", logs.String())
}

// TestFakeRecordingsHideTheKey: the fake's recorded requests (document POSTs carry the key
// in the body, every KIOSK call in the Authorization header) never hold the key.
func TestFakeRecordingsHideTheKey(t *testing.T) {
	ctx := context.Background()
	srv := loyaltymock.NewServer(loyaltymock.WithAccessKey(loyaltymock.AccessKey{Key: leakKey}), loyaltymock.WithWalletPolicy(loyaltymock.Ignore))
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	for _, rs := range []loyalty.RouteSet{loyalty.RouteSetDocument, loyalty.RouteSetRelay} {
		c := srv.Client(loyalty.WithAccessKey(leakKey), loyalty.WithRouteSet(rs))
		p, err := c.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{PurchaseID: "R-" + rs.String(), Amount: loyalty.FromWhole(1),
			Currency: "krw", ShopID: seed.Shop().ID, Account: alice.Account})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.Payment(ctx, p.ID)
		_, _ = c.CloseNewPayment(ctx, p.ID, false)
	}
	reqs := srv.Requests()
	if len(reqs) < 6 {
		t.Fatalf("%d requests recorded", len(reqs))
	}
	for _, r := range reqs {
		assertNoFragment(t, "recorded request", fmt.Sprintf("%+v %s", r, r.Body))
	}
}
