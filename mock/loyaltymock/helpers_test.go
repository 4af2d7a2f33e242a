package loyaltymock

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/loyalty"
)

// kiosk is a loopback callback receiver that records what it got.
type kiosk struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	status int
}

func newKiosk(t testing.TB) *kiosk {
	k := &kiosk{status: http.StatusOK}
	k.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		k.mu.Lock()
		k.bodies = append(k.bodies, b)
		st := k.status
		k.mu.Unlock()
		w.WriteHeader(st)
	}))
	t.Cleanup(k.Close)
	return k
}

func (k *kiosk) events(t testing.TB) []loyalty.CallbackEvent {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []loyalty.CallbackEvent
	for _, b := range k.bodies {
		ev, err := loyalty.ParseCallback(b)
		if err != nil {
			t.Fatalf("kiosk got an unparsable callback %s: %v", b, err)
		}
		out = append(out, ev)
	}
	return out
}

type fixture struct {
	t     *testing.T
	srv   *Server
	kiosk *kiosk
	seed  Seed
	ctx   context.Context
}

func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	k := newKiosk(t)
	srv := NewServer(append([]Option{WithCallbackURL(k.URL)}, opts...)...)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return &fixture{t: t, srv: srv, kiosk: k, seed: srv.Seed(), ctx: ctx}
}

func (f *fixture) wallet(name string) Wallet {
	w, ok := f.seed.Wallet(name)
	if !ok {
		f.t.Fatalf("no wallet %s", name)
	}
	return w
}

func (f *fixture) sync() {
	f.t.Helper()
	if err := f.srv.Sync(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}

// answer is a decoded envelope.
type answer struct {
	HTTP  int
	Code  loyalty.Code
	Data  json.RawMessage
	Error *loyaltywire.Error
}

func (a answer) payment(t testing.TB) loyaltywire.Payment {
	t.Helper()
	if a.Code != 0 {
		t.Fatalf("want success, got code %d %+v", a.Code, a.Error)
	}
	var w loyaltywire.Payment
	if err := json.Unmarshal(a.Data, &w); err != nil {
		t.Fatalf("data %s: %v", a.Data, err)
	}
	return w
}

type req struct {
	method string
	path   string
	fields map[string]string
	key    string // Authorization header when non-empty
	form   bool
}

func (f *fixture) do(r req) answer {
	f.t.Helper()
	return doRaw(f.t, f.srv, r)
}

func doRaw(t testing.TB, srv *Server, r req) answer {
	t.Helper()
	var (
		hr  *http.Request
		err error
	)
	if r.method == http.MethodGet {
		q := url.Values{}
		for k, v := range r.fields {
			q.Set(k, v)
		}
		u := srv.URL() + r.path
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		hr, err = http.NewRequest(http.MethodGet, u, nil)
	} else if r.form {
		q := url.Values{}
		for k, v := range r.fields {
			q.Set(k, v)
		}
		hr, err = http.NewRequest(r.method, srv.URL()+r.path, strings.NewReader(q.Encode()))
		if err == nil {
			hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		b, _ := json.Marshal(r.fields)
		hr, err = http.NewRequest(r.method, srv.URL()+r.path, strings.NewReader(string(b)))
		if err == nil {
			hr.Header.Set("Content-Type", "application/json")
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if r.key != "" {
		hr.Header.Set("Authorization", r.key)
	}
	resp, err := srv.HTTPClient().Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var env struct {
		Code  *int               `json:"code"`
		Data  json.RawMessage    `json:"data"`
		Error *loyaltywire.Error `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Code == nil {
		t.Fatalf("%s %s: not an envelope (HTTP %d): %s", r.method, r.path, resp.StatusCode, body)
	}
	return answer{HTTP: resp.StatusCode, Code: loyalty.Code(*env.Code), Data: env.Data, Error: env.Error}
}

// open opens a payment with the default key through the given route set.
func (f *fixture) open(rs routes, purchaseID, amount, currency, account string) answer {
	f.t.Helper()
	return f.do(req{method: "POST", path: rs.OpenNew, key: f.seed.AccessKey(), fields: map[string]string{
		"purchaseId": purchaseID, "amount": amount, "currency": currency,
		"shopId": f.seed.Shop().ID, "account": account,
	}})
}

// mustOpen opens a payment of whole KRW units for alice and returns its id.
func (f *fixture) mustOpen(rs routes, purchaseID string, krw uint64) string {
	f.t.Helper()
	a := f.open(rs, purchaseID, loyalty.FromWhole(krw).String(), "krw", f.wallet(Alice).Account)
	return a.payment(f.t).PaymentID
}

// approval posts an approval/denial of a leg through a route set, signed by the seeded wallet.
func (f *fixture) approval(rs routes, id string, leg loyalty.Leg, approve bool) answer {
	f.t.Helper()
	sig, err := f.srv.ApprovalSignature(id, leg)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.approvalSig(rs, id, leg, approve, sig)
}

func (f *fixture) approvalSig(rs routes, id string, leg loyalty.Leg, approve bool, sig string) answer {
	f.t.Helper()
	path := rs.ApproveNew
	switch {
	case leg == loyalty.LegNew && !approve:
		path = rs.DenyNew
	case leg == loyalty.LegCancel && approve:
		path = rs.ApproveCancel
	case leg == loyalty.LegCancel:
		path = rs.DenyCancel
	}
	fields := map[string]string{"paymentId": id, "signature": sig}
	if rs.ApprovalFlag() {
		if approve {
			fields["approval"] = "true"
		} else {
			fields["approval"] = "false"
		}
	}
	return f.do(req{method: "POST", path: path, fields: fields})
}

func (f *fixture) close(rs routes, path, id string, confirm bool) answer {
	f.t.Helper()
	c := "false"
	if confirm {
		c = "true"
	}
	return f.do(req{method: "POST", path: path, key: f.seed.AccessKey(), fields: map[string]string{"paymentId": id, "confirm": c}})
}

func (f *fixture) status(id string) loyalty.PaymentStatus {
	f.t.Helper()
	p, ok := f.srv.Payment(id)
	if !ok {
		f.t.Fatalf("payment %s unknown", id)
	}
	return p.Status
}

func wantCode(t testing.TB, a answer, code loyalty.Code) {
	t.Helper()
	if a.Code != code {
		t.Fatalf("code = %d (%+v), want %d", a.Code, a.Error, code)
	}
	if a.HTTP != http.StatusOK {
		t.Errorf("HTTP %d, want 200", a.HTTP)
	}
	if code != 0 && (a.Error == nil || a.Error.Message == "") {
		t.Errorf("code %d without error.message", code)
	}
}

func routeSets() map[string]routes {
	return map[string]routes{"document": documentRoutes(), "relay": relayRoutes()}
}
