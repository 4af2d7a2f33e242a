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

	"github.com/poskit/poskit/mock/loyaltymock"
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

func adminServer(t *testing.T) (*httptest.Server, *fakes) {
	t.Helper()
	fs := startFakes(config{})
	srv := httptest.NewServer(fs.admin)
	t.Cleanup(func() {
		srv.Close()
		fs.admin.Close()
	})
	return srv, fs
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
	if status != 200 || json.Unmarshal([]byte(body), &urls) != nil || urls["loyalty"] != fakes.relay.URL() {
		t.Fatalf("/fakes = %d %s", status, body)
	}

	loyalty := fakes.relay
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
	smartro := fakes.agent
	if status, _ := call(t, "POST", srv.URL+"/smartro/faults?op=Tables", `{"kind":"garbage"}`); status != 200 || smartro.Faults().Pending("Tables") != 1 {
		t.Errorf("smartro fault not queued: status %d", status)
	}
	// The old operation names are refused, not silently accepted.
	if status, body := call(t, "POST", srv.URL+"/smartro/faults?op=tables", `{"kind":"garbage"}`); status != 400 || !strings.Contains(body, "NewOrder") {
		t.Errorf("unknown smartro operation: status %d %s", status, body)
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

func TestAdminActions(t *testing.T) {
	srv, fakes := adminServer(t)
	agent := fakes.agent
	if status, body := call(t, "POST", srv.URL+"/smartro/do/occupy", `{"floor":"1","table":"01"}`); status != 200 || !agent.Occupied("1", "01") {
		t.Fatalf("occupy = %d %s", status, body)
	}
	if status, _ := call(t, "POST", srv.URL+"/smartro/do/occupy", `{"floor":"1"}`); status != 400 {
		t.Errorf("occupy without a table: status %d", status)
	}
	if status, _ := call(t, "POST", srv.URL+"/smartro/do/agent-online", `{"on":false}`); status != 200 || agent.AgentOnline() {
		t.Errorf("agent-online false: status %d, online %v", status, agent.AgentOnline())
	}
	if status, body := call(t, "POST", srv.URL+"/smartro/do/pos-complete", `{"orderNo":"nope"}`); status != 404 || !strings.Contains(body, `unknown order \"nope\"`) {
		t.Errorf("pos-complete of an unknown order: status %d %s", status, body)
	}
	if status, body := call(t, "POST", srv.URL+"/smartro/do/occupy", `{"floor":"9","table":"99"}`); status != 404 || agent.Occupied("9", "99") {
		t.Errorf("occupy of an unknown table: status %d %s", status, body)
	}
	if status, _ := call(t, "POST", srv.URL+"/smartro/do/explode", `{}`); status != 404 {
		t.Errorf("unknown action: status %d", status)
	}
	status, body := call(t, "GET", srv.URL+"/smartro/do", "")
	if status != 200 || !strings.Contains(body, "pos-return") || !strings.Contains(body, `"example":{"floor":"1","table":"01"}`) {
		t.Errorf("action list = %d %s", status, body)
	}

	relay := fakes.relay
	alice, _ := relay.Seed().Wallet(loyaltymock.Alice)
	status, body = call(t, "POST", srv.URL+"/loyalty/do/balance", `{"account":"`+alice.Account+`","set":true,"amount":"5000000000000000000"}`)
	if status != 200 || relay.Balance(alice.Account).String() != "5000000000000000000" {
		t.Errorf("balance = %d %s", status, body)
	}
	if status, _ := call(t, "POST", srv.URL+"/loyalty/do/wallet-policy", `{"account":"`+alice.Account+`","action":"shrug"}`); status != 400 {
		t.Errorf("unknown wallet action: status %d", status)
	}
	if status, body := call(t, "POST", srv.URL+"/loyalty/do/seed", ""); status != 200 || !strings.Contains(body, alice.Account) {
		t.Errorf("seed = %d %s", status, body)
	}
}

func TestActionArgsRefuseUnknownFields(t *testing.T) {
	srv, fakes := adminServer(t)
	agent := fakes.agent
	if status, _ := call(t, "POST", srv.URL+"/smartro/do/occupy", `{"floor":"1","table":"01","tabel":"02"}`); status != 400 || agent.Occupied("1", "01") {
		t.Errorf("misspelt field accepted: status %d", status)
	}
}
