package dodopoint_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/poskit/poskit/dodopoint"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/dodopointmock"
)

func TestNewHTTPTransportChecks(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8650", "ftp://127.0.0.1", "http://"} {
		if _, err := dodopoint.NewHTTPTransport(u); !dodopoint.IsInvalidInput(err) {
			t.Errorf("base URL %q: %v", u, err)
		}
	}
	if _, err := dodopoint.NewHTTPTransport("http://127.0.0.1:1", dodopoint.WithMaxBodyBytes(-1)); !dodopoint.IsInvalidInput(err) {
		t.Errorf("negative max body: %v", err)
	}
	if _, err := dodopoint.NewHTTPTransport("http://127.0.0.1:1", nil, dodopoint.WithUserAgent("pos/1")); err != nil {
		t.Error(err)
	}
}

// Bad input is refused before anything is sent.
func TestHTTPTransportChecksInput(t *testing.T) {
	srv := dodopointmock.NewServer()
	defer srv.Close()
	tr := srv.Transport()
	ctx := context.Background()
	if err := tr.Claim(ctx, dodopoint.ClaimRequest{Sale: sale("", 100)}); !dodopoint.IsInvalidInput(err) || !dodopoint.IsRefused(err) {
		t.Errorf("claim with no id: %v", err)
	}
	if err := tr.Cancel(ctx, dodopoint.CancelRequest{PaymentID: "bad\nid"}); !dodopoint.IsInvalidInput(err) {
		t.Errorf("cancel with a bad id: %v", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// A port nobody listens on is refused: not applied, safe to resend.
func TestHTTPTransportRefusedIsUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	tr, err := dodopoint.NewHTTPTransport("http://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Claim(context.Background(), dodopoint.ClaimRequest{Sale: sale("P-1", 100)})
	var e *dodopoint.Error
	if !dodopoint.IsUnavailable(err) || !dodopoint.IsRefused(err) || dodopoint.IsLost(err) || !errors.As(err, &e) || e.Op != "dodopoint.Claim" {
		t.Fatalf("refused connection: %v", err)
	}
}

// The caller's *http.Client timing out is the program not answering: lost, never the
// caller's context.
func TestHTTPTransportClientTimeoutIsLost(t *testing.T) {
	block := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer hs.Close()
	defer close(block)
	tr, err := dodopoint.NewHTTPTransport(hs.URL, dodopoint.WithHTTPClient(&http.Client{Timeout: 20 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Cancel(context.Background(), dodopoint.CancelRequest{PaymentID: "P-1"})
	if !dodopoint.IsLost(err) || dodopoint.IsRefused(err) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("client timeout: %v (lost %v)", err, dodopoint.IsLost(err))
	}
	if c, _ := dodopoint.CodeOf(err); c != dodopoint.CodeLost {
		t.Fatalf("code %s", c)
	}
}

// The caller's deadline is the context's error, not lost.
func TestHTTPTransportDeadlineIsTheContexts(t *testing.T) {
	srv := dodopointmock.NewServer()
	defer srv.Close()
	srv.Faults().MustInject("Claim", mock.Fault{Kind: mock.Delay, Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := srv.Transport().Claim(ctx, dodopoint.ClaimRequest{Sale: sale("P-1", 100)})
	var e *dodopoint.Error
	if !errors.Is(err, context.DeadlineExceeded) || dodopoint.IsLost(err) || errors.As(err, &e) {
		t.Fatalf("deadline: %v", err)
	}
}

// End to end over HTTP: claims while the program is down queue, are delivered in order
// when it is back; a cancel before delivery withdraws its claim; a dropped answer is
// resent and de-duplicated; a restart of the POS loses nothing.
func TestOutboxOverHTTP(t *testing.T) {
	srv := dodopointmock.NewServer()
	defer srv.Close()
	clk := srv.Clock()
	path := boltPath(t)
	ob, err := srv.Outbox(path, dodopoint.WithRetry(testRetry))
	if err != nil {
		t.Fatal(err)
	}
	mustClaim(t, ob, sale("A", 1000))
	drain(t, ob, clk)

	srv.Down()
	for _, id := range ids(5, "Q") {
		mustClaim(t, ob, sale(id, 2000))
	}
	if err := ob.Cancel(ctxT(t), "Q-0002"); err != nil {
		t.Fatal(err)
	}
	parked(t, clk)
	if got := mustStatus(t, ob, "Q-0002").Claim; got != dodopoint.StateCancelledBeforeDelivery {
		t.Fatalf("withdrawn claim: %s", got)
	}
	// Restart the POS while the program is down.
	if err := ob.Close(); err != nil {
		t.Fatal(err)
	}
	if ob, err = srv.Outbox(path, dodopoint.WithRetry(testRetry)); err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	srv.Faults().MustInject("Claim", mock.Fault{Kind: mock.DropAnswer})
	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	drain(t, ob, clk)

	var got []string
	for _, a := range srv.History() {
		got = append(got, a.Op+":"+a.PaymentID)
	}
	want := []string{"Claim:A", "Claim:Q-0000", "Claim:Q-0001", "Claim:Q-0003", "Claim:Q-0004"}
	if len(got) != len(want) {
		t.Fatalf("applied %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("applied %v, want %v", got, want)
		}
	}
	for _, id := range []string{"A", "Q-0000", "Q-0001", "Q-0003", "Q-0004"} {
		if st := mustStatus(t, ob, id); st.Claim != dodopoint.StateDelivered {
			t.Errorf("%s: %s", id, st.Claim)
		}
	}
	if _, ok := srv.Payment("Q-0002"); ok {
		t.Fatal("withdrawn claim reached the program")
	}
	if p, _ := srv.Payment("Q-0000"); p.Duplicates != 1 {
		t.Fatalf("the claim whose answer was dropped was not resent once: %+v", p)
	}
}
