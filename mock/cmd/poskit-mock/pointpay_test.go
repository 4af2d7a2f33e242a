package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/poskit/poskit/mock/pointpaymock"
	"github.com/poskit/poskit/pointpay"
)

func TestParseFlagsRefusesNonLoopbackPointPayReturn(t *testing.T) {
	if _, err := parseFlags([]string{"-pointpay-return", "http://example.com/cb"}); err == nil {
		t.Error("non-loopback -pointpay-return accepted")
	}
	c, err := parseFlags([]string{"-pointpay-return", "http://127.0.0.1:9000/pointpay"})
	if err != nil || c.pointpayReturn != "http://127.0.0.1:9000/pointpay" {
		t.Errorf("loopback -pointpay-return: %+v %v", c, err)
	}
}

// A test suite in another language drives the fake PointPay through the admin API: it
// converts, switches duplicate sends on, resends, and lists the results; the shop's
// receiver credits each conversion once.
func TestAdminPointPayActions(t *testing.T) {
	var mu sync.Mutex
	credits := map[string]int{}
	rv, err := pointpay.NewReceiver(pointpaymock.DefaultMediaID, pointpay.NewMemoryStore(),
		func(_ context.Context, r pointpay.Result) error {
			mu.Lock()
			credits[r.OrderNo]++
			mu.Unlock()
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	shop := httptest.NewServer(rv)
	defer shop.Close()
	fs := startFakes(config{pointpayReturn: shop.URL})
	srv := httptest.NewServer(fs.admin)
	defer func() { srv.Close(); fs.admin.Close() }()

	status, body := call(t, "GET", srv.URL+"/fakes", "")
	if status != 200 || !strings.Contains(body, `"pointpay":"`+fs.pp.URL()+`"`) {
		t.Fatalf("/fakes = %d %s", status, body)
	}
	status, body = call(t, "GET", srv.URL+"/pointpay/do", "")
	for _, name := range []string{"convert", "resend", "results", "duplicate-sends", "return-url"} {
		if status != 200 || !strings.Contains(body, `"name":"`+name+`"`) {
			t.Errorf("action list lacks %s: %d %s", name, status, body)
		}
	}
	if status, body := call(t, "POST", srv.URL+"/pointpay/do/duplicate-sends", `{"on":true}`); status != 200 || !fs.pp.DuplicateSends() {
		t.Fatalf("duplicate-sends = %d %s", status, body)
	}
	status, body = call(t, "POST", srv.URL+"/pointpay/do/convert", `{"member":"member01","points":1500}`)
	var c pointpaymock.Conversion
	if status != 200 || json.Unmarshal([]byte(body), &c) != nil || c.Delivery != pointpaymock.DeliveryDelivered {
		t.Fatalf("convert = %d %s", status, body)
	}
	if len(c.Attempts) != 2 || c.Attempts[0].Answer != "201" || c.Attempts[1].Answer != "202|-|duplicate rw_orderno" {
		t.Errorf("attempts %+v", c.Attempts)
	}
	status, body = call(t, "POST", srv.URL+"/pointpay/do/resend", `{"orderNo":"`+c.OrderNo+`"}`)
	if status != 200 || strings.Count(body, `"answer":"202|-|duplicate rw_orderno"`) != 3 {
		t.Errorf("resend = %d %s", status, body)
	}
	if status, _ := call(t, "POST", srv.URL+"/pointpay/do/resend", `{"orderNo":"1"}`); status != 404 {
		t.Errorf("resend of an unknown order: status %d", status)
	}
	if status, _ := call(t, "POST", srv.URL+"/pointpay/do/convert", `{"member":"member01","points":0}`); status != 400 {
		t.Errorf("convert of 0 points: status %d", status)
	}
	if status, _ := call(t, "POST", srv.URL+"/pointpay/do/return-url", `{"url":"http://example.com/"}`); status != 400 {
		t.Errorf("non-loopback return-url: status %d", status)
	}
	status, body = call(t, "POST", srv.URL+"/pointpay/do/results", "")
	var list []pointpaymock.Conversion
	if status != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list) != 1 || list[0].OrderNo != c.OrderNo {
		t.Errorf("results = %d %s", status, body)
	}
	mu.Lock()
	if credits[c.OrderNo] != 1 || len(credits) != 1 {
		t.Errorf("credits %v", credits)
	}
	mu.Unlock()

	if status, body := call(t, "POST", srv.URL+"/pointpay/faults?op=Convert", `{"kind":"fail","status":502}`); status != 200 {
		t.Errorf("inject = %d %s", status, body)
	}
	if status, _ := call(t, "POST", fs.pp.URL()+"/pointhub/convert", "a_code=MEDIA01&user_id=m&points=1"); status != 502 {
		t.Errorf("injected fault not applied: status %d", status)
	}
	if status, _ := call(t, "POST", srv.URL+"/pointpay/faults?op=Callback", `{"kind":"fail"}`); status != 400 {
		t.Errorf("fault on an unknown operation: status %d", status)
	}
	if status, body := call(t, "GET", srv.URL+"/pointpay/requests", ""); status != 200 || !strings.Contains(body, `"Op":"Convert"`) {
		t.Errorf("requests = %d %.200s", status, body)
	}
}
