package mock_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/poskit/poskit/mock"
)

func TestAdminServesFakesThroughTheOneInterface(t *testing.T) {
	c := newCounter(t)
	admin := httptest.NewServer(mock.NewAdmin(c))
	defer admin.Close()
	hc := admin.Client()
	cases := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/fakes", "", 200, `"counter":"` + c.URL() + `"`},
		{"GET", "/nope/clock", "", 404, `unknown fake \"nope\"; known: counter`},
		{"GET", "/counter/faults", "", 200, `{"ops":["Add","Get"]}`},
		{"POST", "/counter/faults", `{"kind":"fail"}`, 400, `missing ?op=: one of Add, Get`},
		{"POST", "/counter/faults?op=add", `{"kind":"fail"}`, 400, `no operation \"add\"; known: Add, Get`},
		{"POST", "/counter/faults?op=Add", `{"kind":"explode"}`, 400, `unknown kind \"explode\"`},
		{"POST", "/counter/faults?op=Add", `{"kind":"fail","status":503}`, 200, `{"pending":1}`},
		{"DELETE", "/counter/faults", "", 204, ``},
		{"GET", "/counter/do", "", 200, `"name":"set","doc":"sets a counter that exists: name, to","example":{"name":"a","to":1}`},
		{"POST", "/counter/do/set", `{"name":"zz","to":3}`, 404, `unknown counter \"zz\"`},
		{"POST", "/counter/do/set", `{"nam":"a"}`, 400, `unknown field \"nam\"`},
		{"POST", "/counter/do/set", `{"name":"a","to":3}`, 200, `{"a":3}`},
		{"POST", "/counter/do/explode", `{}`, 404, `has no action \"explode\"`},
		{"POST", "/counter/clock/advance?d=-1s", "", 400, `non-negative`},
		{"GET", "/counter/requests", "", 200, `[]`},
		{"POST", "/counter/down", "", 200, `{"down":true}`},
		{"POST", "/counter/up", "", 200, `{"down":false}`},
	}
	for _, tc := range cases {
		st, body := call(t, hc, tc.method, admin.URL+tc.path, tc.body)
		if st != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s %s %s = %d %s; want %d containing %s", tc.method, tc.path, tc.body, st, body, tc.status, tc.want)
		}
	}
	if c.Faults().Pending("Add") != 0 {
		t.Error("refused faults were queued")
	}
}
