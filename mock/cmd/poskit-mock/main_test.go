package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestParseFlagsRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:1", "10.0.0.1:80", "example.com:80", "nonsense"} {
		if _, err := parseFlags([]string{"-admin", addr}); err == nil {
			t.Errorf("-admin %s accepted", addr)
		}
	}
	if _, err := parseFlags([]string{"-admin", "127.0.0.1:0"}); err != nil {
		t.Errorf("loopback refused: %v", err)
	}
}

func adminServer(t *testing.T) (*httptest.Server, map[string]fake) {
	t.Helper()
	fakes := startFakes(config{})
	srv := httptest.NewServer(&admin{fakes: fakes})
	t.Cleanup(func() {
		srv.Close()
		for _, f := range fakes {
			f.Close()
		}
	})
	return srv, fakes
}

func call(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAdminDrivesTheFakes(t *testing.T) {
	srv, fakes := adminServer(t)
	status, body := call(t, "GET", srv.URL+"/fakes", "")
	var urls map[string]string
	if status != 200 || json.Unmarshal([]byte(body), &urls) != nil || urls["loyalty"] != fakes["loyalty"].URL() {
		t.Fatalf("/fakes = %d %s", status, body)
	}

	loyalty := fakes["loyalty"]
	before := loyalty.Clock().Now()
	if status, body := call(t, "POST", srv.URL+"/loyalty/clock/advance?d=60s", ""); status != 200 {
		t.Fatalf("advance = %d %s", status, body)
	}
	if got := loyalty.Clock().Now().Sub(before); got != time.Minute {
		t.Errorf("clock moved %v, want 1m", got)
	}
	if status, _ := call(t, "POST", srv.URL+"/loyalty/clock/advance?d=-1s", ""); status != 400 {
		t.Errorf("negative advance status %d", status)
	}

	status, body = call(t, "POST", srv.URL+"/loyalty/faults?op=Balance", `{"kind":"fail","status":503,"times":2}`)
	if status != 200 || loyalty.Faults().Pending("Balance") != 1 {
		t.Fatalf("inject = %d %s", status, body)
	}
	if status, _ := call(t, "POST", srv.URL+"/loyalty/faults?op=Balance", `{"kind":"explode"}`); status != 400 {
		t.Errorf("unknown fault kind status %d", status)
	}
	if status, _ := call(t, "GET", loyalty.URL()+"/v1/payment/user/balance?account=0x0000000000000000000000000000000000000001", ""); status != 503 {
		t.Errorf("injected fault not applied: status %d", status)
	}
	status, body = call(t, "GET", srv.URL+"/loyalty/requests", "")
	if status != 200 || !strings.Contains(body, "/v1/payment/user/balance") {
		t.Errorf("requests = %d %s", status, body)
	}
	if status, _ := call(t, "DELETE", srv.URL+"/loyalty/faults", ""); status != 204 || loyalty.Faults().Pending("Balance") != 0 {
		t.Errorf("clear status %d, pending %d", status, loyalty.Faults().Pending("Balance"))
	}
	smartro := fakes["smartro"]
	if status, _ := call(t, "POST", srv.URL+"/smartro/faults?op=tables", `{"kind":"garbage"}`); status != 200 || smartro.Faults().Pending("tables") != 1 {
		t.Errorf("smartro fault not queued: status %d", status)
	}
	if status, _ := call(t, "GET", srv.URL+"/nope/clock", ""); status != 404 {
		t.Errorf("unknown fake status %d", status)
	}
}

func TestRunPrintsURLsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-admin", "127.0.0.1:0"}, pw) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var urls map[string]string
	if err := json.Unmarshal([]byte(line), &urls); err != nil || urls["admin"] == "" || urls["loyalty"] == "" || urls["smartro"] == "" {
		t.Fatalf("first line %q: %v", line, err)
	}
	if status, _ := call(t, "GET", urls["admin"]+"/fakes", ""); status != 200 {
		t.Errorf("admin /fakes status %d", status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}
