package smartro

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// Unusable answers — not JSON, cut short, too large, without the envelope — are *Error of
// the method that got them (Op), with the answer's HTTP status, lost (the request may have
// acted), and never a panic.
func TestUnusableAnswersAreErrorsOfTheMethod(t *testing.T) {
	const maxBody = 2048
	full := `{"RESULT":"SUCCESS","ERRCODE":"","MSG":"","MSG2":"","OBJ":{"TABLE_LIST":[],"ORDER_LIST":[],"ORDERNO":"TO1","UPDATE_YN":"N"}}`
	answers := []struct {
		name   string
		status int
		h      func(http.ResponseWriter, []byte)
		code   string
	}{
		{"HTML error page", 502, raw(502, "<html><body>Bad Gateway</body></html>"), CodeBadAnswer},
		{"plain text", 200, raw(200, "OK"), CodeBadAnswer},
		{"empty body", 200, raw(200, ""), CodeBadAnswer},
		{"truncated JSON", 200, raw(200, full[:len(full)/2]), CodeBadAnswer},
		{"truncated body", 200, func(w http.ResponseWriter, _ []byte) {
			// Content-Length promises more than arrives: the connection ends mid-body.
			w.Header().Set("Content-Length", strconv.Itoa(len(full)))
			w.WriteHeader(200)
			_, _ = w.Write([]byte(full[:20]))
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			panic(http.ErrAbortHandler)
		}, CodeTransport},
		{"oversized", 200, raw(200, `{"RESULT":"SUCCESS","ERRCODE":"","MSG":"`+strings.Repeat("x", 2*maxBody)+`"}`), CodeBadAnswer},
		{"envelope-less", 200, raw(200, `{"ORDER_LIST":[]}`), CodeBadAnswer},
		{"JSON array", 200, raw(200, `[{"RESULT":"SUCCESS"}]`), CodeBadAnswer},
		{"JSON null", 200, raw(200, `null`), CodeBadAnswer},
	}
	ctx := context.Background()
	for _, call := range apiCalls() {
		for _, a := range answers {
			t.Run(call.op+"/"+a.name, func(t *testing.T) {
				s := newStub(t)
				c := newTestClient(t, s, WithMaxBodyBytes(maxBody), WithRetry(RetryPolicy{MaxRetries: -1}))
				s.on(call.path, a.h)
				var err error
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("panic: %v", p)
						}
					}()
					err = call.do(ctx, c)
				}()
				var e *Error
				if !asErr(err, &e) {
					t.Fatalf("err = %v (%T), want *Error", err, err)
				}
				if e.Op != call.op || e.HTTPStatus != a.status || e.Code != a.code {
					t.Fatalf("got Op %q HTTP %d code %s (%v), want %q %d %s", e.Op, e.HTTPStatus, e.Code, err, call.op, a.status, a.code)
				}
				if !IsLost(err) || IsRefused(err) {
					t.Fatalf("%v: want lost", err)
				}
				if msg := err.Error(); !strings.Contains(msg, call.op) || !strings.Contains(msg, "HTTP "+strconv.Itoa(a.status)) {
					t.Fatalf("Error() = %q", msg)
				}
			})
		}
	}
}
