package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// The dodopoint fake is served: its actions bring the program down (its port refuses
// connections) and up again, and list the claims.
func TestDodopointActions(t *testing.T) {
	srv, fakes := adminServer(t)
	status, body := call(t, "GET", srv.URL+"/fakes", "")
	var urls map[string]string
	if status != 200 || json.Unmarshal([]byte(body), &urls) != nil || urls["dodopoint"] != fakes.dodo.URL() {
		t.Fatalf("/fakes = %d %s", status, body)
	}
	claim := func() (int, string) {
		resp, err := http.Post(urls["dodopoint"]+"/claim", "application/json",
			strings.NewReader(`{"payment_id":"POS1-1","total":12000,"paid_at":"2026-05-05T09:00:00+09:00"}`))
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		var a struct{ Code string }
		json.NewDecoder(resp.Body).Decode(&a)
		return resp.StatusCode, a.Code
	}
	if status, body := call(t, "POST", srv.URL+"/dodopoint/do/down", ""); status != 200 || !strings.Contains(body, `"down":true`) {
		t.Fatalf("down = %d %s", status, body)
	}
	if status, msg := claim(); status != 0 || !strings.Contains(msg, "refused") {
		t.Fatalf("claim while down: %d %s", status, msg)
	}
	if status, body := call(t, "POST", srv.URL+"/dodopoint/do/up", "{}"); status != 200 || !strings.Contains(body, `"down":false`) {
		t.Fatalf("up = %d %s", status, body)
	}
	if status, code := claim(); status != 200 || code != "OK" {
		t.Fatalf("claim: %d %s", status, code)
	}
	status, body = call(t, "POST", srv.URL+"/dodopoint/do/claims", "")
	if status != 200 || !strings.Contains(body, `"payment_id":"POS1-1"`) || !strings.Contains(body, `"points":120`) {
		t.Fatalf("claims = %d %s", status, body)
	}
	if status, _ := call(t, "POST", srv.URL+"/dodopoint/do/payment", `{"payment_id":"NOPE"}`); status != 404 {
		t.Fatalf("payment of an unknown id: %d", status)
	}
	if status, body := call(t, "POST", srv.URL+"/dodopoint/faults?op=Claim", `{"kind":"fail"}`); status != 200 {
		t.Fatalf("inject = %d %s", status, body)
	}
}
