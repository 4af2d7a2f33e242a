package mock

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRouterHandleMatch(t *testing.T) {
	rt := NewRouter(NewClock(time.Time{}), func(w http.ResponseWriter, f Fault) { w.WriteHeader(f.Status) })
	answer := func(s string) HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request, _ []byte) { w.Write([]byte(s)) }
	}
	rt.HandleMatch("POST", "/token", "Refresh", func(_ *http.Request, b []byte) bool {
		return strings.Contains(string(b), "grant_type=refresh_token")
	}, answer("refresh"))
	rt.Handle("POST", "/token", "Exchange", answer("exchange"))
	rt.Faults.MustInject("Refresh", Fault{Kind: Fail, Status: 503})
	for _, c := range []struct{ body, want string }{
		{"grant_type=refresh_token", ""}, // the fault of Refresh
		{"grant_type=refresh_token", "refresh"},
		{"grant_type=authorization_code", "exchange"},
	} {
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, httptest.NewRequest("POST", "/token", strings.NewReader(c.body)))
		if w.Body.String() != c.want {
			t.Errorf("%s: %q, want %q", c.body, w.Body.String(), c.want)
		}
	}
	if rt.Recorder.Count("Refresh") != 2 || rt.Recorder.Count("Exchange") != 1 {
		t.Errorf("recorded %v", rt.Recorder.Requests())
	}
}
