package pointpay

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/poskit/poskit/internal/pointpaywire"
)

func FuzzParseResult(f *testing.F) {
	f.Add([]byte(sampleResult("PP-1", 100).Form().Encode()))
	f.Add([]byte("rw_user_id=a&rw_price=-1&rw_reg_datetime=2026-01-01+00%3A00%3A00&rw_a_code=M&rw_orderno=1"))
	f.Add([]byte("rw_price=1&rw_price=2"))
	f.Add([]byte("%zz&;;=="))
	f.Add([]byte(""))
	f.Add([]byte("rw_user_id=%FF&rw_price=99999999999999999999"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseResult(body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalidInput || !IsRefused(err) {
				t.Fatalf("untyped error %#v", err)
			}
			return
		}
		if r.Price <= 0 || r.OrderNo == "" || r.MemberID == "" || r.MediaCode == "" {
			t.Fatalf("accepted an incomplete result %+v", r)
		}
		if _, off := r.RegisteredAt.Zone(); off != 9*3600 {
			t.Fatalf("not KST: %v", r.RegisteredAt)
		}
		if !utf8.ValidString(r.MemberID) || len(r.OrderNo) > pointpaywire.MaxOrderNoLen {
			t.Fatalf("unchecked values %+v", r)
		}
		// What was accepted survives the wire both ways.
		again, err := ParseResult([]byte(r.Form().Encode()))
		if err != nil || again.OrderNo != r.OrderNo || again.Price != r.Price || !again.RegisteredAt.Equal(r.RegisteredAt) {
			t.Fatalf("round trip: %+v %v", again, err)
		}
	})
}

// FuzzReceiver: any body gets one of PointPay's two answers, never a panic, and the credit
// function sees only what ParseResult accepts with the configured media id.
func FuzzReceiver(f *testing.F) {
	f.Add(sampleResult("PP-1", 100).Form().Encode())
	f.Add("rw_a_code=MEDIA01&rw_orderno=1&rw_price=1")
	f.Add("%%%")
	l := newLedger()
	rv, _ := newTestReceiver(f, NewMemoryStore(), l)
	f.Fuzz(func(t *testing.T, body string) {
		_, answer := postBody(t, rv, "POST", body)
		a, err := ParseAnswer([]byte(answer))
		if err != nil || a.String() != answer {
			t.Fatalf("answer %q", answer)
		}
		r, perr := ParseResult([]byte(body))
		genuine := perr == nil && r.MediaCode == testMedia
		if a.OK && !genuine {
			t.Fatalf("credited a body ParseResult refuses (%v): %q", perr, body)
		}
	})
}
