package dodopointmock_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/dodopoint"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/dodopointmock"
)

var paidAt = time.Date(2026, 5, 5, 9, 0, 0, 0, time.FixedZone("KST", 9*3600))

func sale(id string, total int64) dodopoint.Sale {
	return dodopoint.Sale{PaymentID: id, Total: total, PaidAt: paidAt}
}

func newServer(t *testing.T, opts ...dodopointmock.Option) (*dodopointmock.Server, *dodopoint.HTTPTransport) {
	t.Helper()
	srv := dodopointmock.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, srv.Transport()
}

func claim(tr *dodopoint.HTTPTransport, id string) error {
	return tr.Claim(context.Background(), dodopoint.ClaimRequest{Sale: sale(id, 12000)})
}

func cancel(tr *dodopoint.HTTPTransport, id string) error {
	return tr.Cancel(context.Background(), dodopoint.CancelRequest{PaymentID: id})
}

func TestRules(t *testing.T) {
	srv, tr := newServer(t)
	for i := 0; i < 2; i++ { // claim twice = one claim
		if err := claim(tr, "P-1"); err != nil {
			t.Fatalf("claim %d: %v", i, err)
		}
	}
	if c, x := srv.Counts("P-1"); c != 1 || x != 0 {
		t.Fatalf("after two claims: %d claims, %d cancels", c, x)
	}
	for i := 0; i < 2; i++ { // cancel twice = one cancel
		if err := cancel(tr, "P-1"); err != nil {
			t.Fatalf("cancel %d: %v", i, err)
		}
	}
	if err := claim(tr, "P-1"); err != nil { // a claim after the cancel changes nothing
		t.Fatalf("claim after cancel: %v", err)
	}
	p, ok := srv.Payment("P-1")
	if c, x := srv.Counts("P-1"); !ok || c != 1 || x != 1 || !p.Cancelled || p.Credited != 0 || p.Duplicates != 3 || p.Points != 120 {
		t.Fatalf("after two cancels: %d/%d %+v", c, x, p)
	}
	err := cancel(tr, "NEVER")
	var e *dodopoint.Error
	if !dodopoint.IsNotClaimed(err) || !dodopoint.IsRefused(err) || !errors.As(err, &e) || e.HTTPStatus != http.StatusConflict {
		t.Fatalf("cancel of an id never claimed: %v", err)
	}
	if h := srv.History(); len(h) != 2 || h[0].Op != "Claim" || h[1].Op != "Cancel" {
		t.Fatalf("history %+v", h)
	}
	if got := len(srv.Requests()); got != 6 {
		t.Fatalf("%d requests recorded, want 6", got)
	}
}

// Sales data the program refuses: the fake checks the body itself (a hand-made request).
func TestInvalidSaleRefused(t *testing.T) {
	srv, _ := newServer(t)
	for _, body := range []string{`{"payment_id":"X","total":0,"paid_at":"2026-05-05T09:00:00+09:00"}`,
		`{"payment_id":"X","total":5,"paid_at":"yesterday"}`, `not json`,
		`{"payment_id":"X","total":5,"paid_at":"2026-05-05T09:00:00+09:00","items":[{"name":"a","unit_price":4,"quantity":1}]}`} {
		resp, err := srv.HTTPClient().Post(srv.URL()+"/claim", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var a struct{ Code string }
		json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || a.Code != "INVALID_SALE" {
			t.Errorf("%s: %d %s", body, resp.StatusCode, a.Code)
		}
	}
	if len(srv.Payments()) != 0 {
		t.Fatal("a refused sale was kept")
	}
	resp, err := srv.HTTPClient().Get(srv.URL() + "/points")
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown path: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestDownRefusesConnectionsUpServesAgain(t *testing.T) {
	srv, tr := newServer(t)
	url := srv.URL()
	srv.Down()
	srv.Down() // no-op
	err := claim(tr, "P-1")
	if !dodopoint.IsUnavailable(err) || !dodopoint.IsRefused(err) || dodopoint.IsLost(err) {
		t.Fatalf("claim while down: %v", err)
	}
	if len(srv.Payments()) != 0 || !srv.IsDown() {
		t.Fatal("applied while down")
	}
	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	if srv.URL() != url {
		t.Fatalf("url moved from %s to %s", url, srv.URL())
	}
	if err := claim(tr, "P-1"); err != nil {
		t.Fatalf("claim after up: %v", err)
	}
}

// A request held by the program when it goes down loses its connection: lost, not applied.
func TestDownDuringRequestIsLost(t *testing.T) {
	srv, tr := newServer(t)
	srv.Faults().MustInject("Claim", mock.Fault{Kind: mock.Delay, Delay: time.Minute})
	done := make(chan error, 1)
	go func() { done <- claim(tr, "P-1") }()
	if !srv.Clock().WaitForWaiters(1, nil) {
		t.Fatal("request never held")
	}
	srv.Down()
	err := <-done
	if !dodopoint.IsLost(err) || dodopoint.IsRefused(err) {
		t.Fatalf("claim cut by down: %v", err)
	}
	if len(srv.Payments()) != 0 {
		t.Fatal("applied although the program went down first")
	}
}

func TestDropAnswerAppliesAndLoses(t *testing.T) {
	srv, tr := newServer(t)
	srv.Faults().MustInject("Claim", mock.Fault{Kind: mock.DropAnswer})
	err := claim(tr, "P-1")
	if !dodopoint.IsLost(err) {
		t.Fatalf("dropped answer: %v", err)
	}
	if c, _ := srv.Counts("P-1"); c != 1 {
		t.Fatal("dropped answer not applied")
	}
	if err := claim(tr, "P-1"); err != nil { // the resend is a duplicate
		t.Fatalf("resend: %v", err)
	}
	if c, _ := srv.Counts("P-1"); c != 1 {
		t.Fatal("resend applied twice")
	}
}

func TestSlowOnTheFakeClock(t *testing.T) {
	srv, tr := newServer(t)
	srv.Faults().MustInject("Cancel", mock.Fault{Kind: mock.Delay, Delay: 5 * time.Second})
	if err := claim(tr, "P-1"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cancel(tr, "P-1") }()
	srv.Clock().WaitForWaiters(1, nil)
	select {
	case err := <-done:
		t.Fatalf("answered before the clock moved: %v", err)
	default:
	}
	srv.Clock().Advance(5 * time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestBusyFault(t *testing.T) {
	srv, tr := newServer(t)
	srv.Faults().MustInject("Claim", mock.Fault{Kind: mock.Fail})
	err := claim(tr, "P-1")
	var e *dodopoint.Error
	if !dodopoint.IsUnavailable(err) || !errors.As(err, &e) || e.HTTPStatus != 503 || len(srv.Payments()) != 0 {
		t.Fatalf("busy: %v", err)
	}
}

func TestTablet(t *testing.T) {
	srv, tr := newServer(t, dodopointmock.WithTabletPolicy(dodopointmock.TabletDecline))
	claim(tr, "D-1")
	if p, _ := srv.Payment("D-1"); p.Offer != dodopointmock.OfferDeclined || p.Credited != 0 {
		t.Fatalf("declined: %+v", p)
	}
	if err := srv.SetTabletPolicy("maybe"); err == nil {
		t.Fatal("unknown policy accepted")
	}
	srv.SetTabletPolicy(dodopointmock.TabletManual)
	claim(tr, "M-1")
	if p, _ := srv.Payment("M-1"); p.Offer != dodopointmock.OfferPending {
		t.Fatalf("manual: %+v", p)
	}
	p, err := srv.AnswerOffer("M-1", true)
	if err != nil || p.Offer != dodopointmock.OfferAccepted || p.Credited != 120 {
		t.Fatalf("accepted: %+v %v", p, err)
	}
	if _, err := srv.AnswerOffer("M-1", false); err == nil {
		t.Fatal("answered twice")
	}
	if _, err := srv.AnswerOffer("NOPE", true); !errors.Is(err, mock.ErrUnknown) {
		t.Fatalf("unknown id: %v", err)
	}
}

func run(t *testing.T, srv *dodopointmock.Server, name, args string) (any, error) {
	t.Helper()
	for _, a := range srv.Actions() {
		if a.Name == name {
			if a.Doc == "" || len(a.Example) == 0 {
				t.Errorf("action %s lacks doc or example", name)
			}
			return a.Run(context.Background(), json.RawMessage(args))
		}
	}
	t.Fatalf("no action %s", name)
	return nil, nil
}

func TestActions(t *testing.T) {
	srv, tr := newServer(t)
	// Every example runs (payment and tablet-answer name an id not claimed yet).
	for _, a := range srv.Actions() {
		_, err := a.Run(context.Background(), a.Example)
		if err != nil && !errors.Is(err, mock.ErrUnknown) {
			t.Errorf("%s example: %v", a.Name, err)
		}
	}
	if _, err := run(t, srv, "down", ""); err != nil || !srv.IsDown() {
		t.Fatalf("down: %v", err)
	}
	if _, err := run(t, srv, "up", "{}"); err != nil || srv.IsDown() {
		t.Fatalf("up: %v", err)
	}
	if _, err := run(t, srv, "tablet-policy", `{"policy":"manual"}`); err != nil || srv.TabletPolicy() != dodopointmock.TabletManual {
		t.Fatalf("tablet-policy: %v", err)
	}
	if _, err := run(t, srv, "tablet-policy", `{"policy":"later"}`); err == nil || errors.Is(err, mock.ErrUnknown) {
		t.Fatalf("bad policy: %v", err)
	}
	claim(tr, "A-1")
	if res, err := run(t, srv, "tablet-answer", `{"payment_id":"A-1","accept":false}`); err != nil || res.(dodopointmock.Payment).Offer != dodopointmock.OfferDeclined {
		t.Fatalf("tablet-answer: %v %v", res, err)
	}
	if res, err := run(t, srv, "claims", ""); err != nil || len(res.([]dodopointmock.Payment)) != 1 {
		t.Fatalf("claims: %v %v", res, err)
	}
	if _, err := run(t, srv, "payment", `{"payment_id":"Z"}`); !errors.Is(err, mock.ErrUnknown) {
		t.Fatalf("payment of an unknown id: %v", err)
	}
	if _, err := run(t, srv, "payment", `{"id":"A-1"}`); err == nil {
		t.Fatal("unknown argument field accepted")
	}
}

// Down, up and requests from many goroutines at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	srv, tr := newServer(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				id := "G" + string(rune('A'+g)) + "-" + string(rune('a'+i))
				if err := claim(tr, id); err != nil && !dodopoint.IsUnavailable(err) && !dodopoint.IsLost(err) {
					t.Errorf("claim %s: %v", id, err)
				}
			}
		}()
	}
	for i := 0; i < 5; i++ {
		srv.Down()
		if err := srv.Up(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for _, p := range srv.Payments() {
		if c, _ := srv.Counts(p.PaymentID); c != 1 {
			t.Fatalf("%s: %d claims", p.PaymentID, c)
		}
	}
}

func TestCloseIsFinal(t *testing.T) {
	srv := dodopointmock.NewServer()
	tr := srv.Transport()
	srv.Close()
	srv.Close()
	if err := srv.Up(); err == nil {
		t.Fatal("Up after Close succeeded")
	}
	if err := claim(tr, "P"); !dodopoint.IsUnavailable(err) {
		t.Fatalf("claim after close: %v", err)
	}
}
