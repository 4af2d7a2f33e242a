package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAdminServesCafe24(t *testing.T) {
	srv, _ := adminServer(t)
	status, body := call(t, "GET", srv.URL+"/fakes", "")
	var urls map[string]string
	if status != 200 || json.Unmarshal([]byte(body), &urls) != nil || urls["cafe24"] == "" {
		t.Fatalf("/fakes = %d %s", status, body)
	}
	if status, body = call(t, "POST", srv.URL+"/cafe24/do/add-member", `{"member_id":"m1","balance":"12.50"}`); status != 200 {
		t.Fatalf("add-member = %d %s", status, body)
	}
	status, body = call(t, "POST", srv.URL+"/cafe24/do/balance", `{"member_id":"m1"}`)
	if status != 200 || !strings.Contains(body, `"12.50"`) {
		t.Fatalf("balance = %d %s", status, body)
	}
	if status, body = call(t, "POST", srv.URL+"/cafe24/do/balance", `{"member_id":"nobody"}`); status != 404 {
		t.Fatalf("balance of an unknown member = %d %s, want 404", status, body)
	}
	status, body = call(t, "POST", srv.URL+"/cafe24/do/consent", `{"state":"s1"}`)
	var c struct{ Code, State, Redirect string }
	if status != 200 || json.Unmarshal([]byte(body), &c) != nil || c.Code == "" || c.State != "s1" ||
		!strings.Contains(c.Redirect, "code="+c.Code) {
		t.Fatalf("consent = %d %s", status, body)
	}
	status, body = call(t, "GET", srv.URL+"/cafe24/do", "")
	for _, name := range []string{"consent", "add-member", "balance", "expire-tokens", "credits"} {
		if status != 200 || !strings.Contains(body, `"`+name+`"`) {
			t.Errorf("action %s not listed: %d %s", name, status, body)
		}
	}
}
