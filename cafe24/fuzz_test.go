package cafe24

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func FuzzDecodeToken(f *testing.F) {
	f.Add([]byte(tokenAnswer))
	f.Add([]byte(`{"access_token":"a","refresh_token":"b","expires_at":"2026-01-01T00:00:00","refresh_token_expires_at":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(tokenAnswer[:40]))
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := DecodeToken(body)
		if err != nil {
			if tok != nil || !IsDecode(err) {
				t.Fatalf("error %v with token %v", err, tok)
			}
			if len(body) >= 16 && strings.Contains(err.Error(), string(body)) {
				t.Fatalf("error quotes the answer: %v", err)
			}
			return
		}
		if tok.AccessToken == "" || tok.RefreshToken == "" || tok.ExpiresAt.IsZero() || tok.RefreshExpiresAt.IsZero() {
			t.Fatalf("accepted an incomplete token: %v", tok)
		}
		// What decodes re-encodes and decodes to the same token (up to the millisecond).
		b, err := encodeToken(tok)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeToken(b)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if again.AccessToken != tok.AccessToken || again.RefreshToken != tok.RefreshToken ||
			again.ExpiresAt.Unix() != tok.ExpiresAt.Unix() {
			t.Fatalf("round trip changed the token")
		}
	})
}

func FuzzDecodeError(f *testing.F) {
	f.Add(401, []byte(`{"error":{"code":401,"message":"Invalid access_token","more_info":{}}}`), "JeTJ7XpnFC0P7ZmMFtKbDl")
	f.Add(400, []byte(`{"error":"invalid_grant","error_description":"bad JeTJ7XpnFC0P7ZmMFtKbDl"}`), "JeTJ7XpnFC0P7ZmMFtKbDl")
	f.Add(500, []byte(`<html>`), "")
	f.Add(422, []byte(`{"error":{"code":null,"message":7,"more_info":"x"}}`), "abcdefgh")
	f.Fuzz(func(t *testing.T, status int, body []byte, secret string) {
		e := DecodeError("cafe24.Op", status, body, secret)
		if e == nil || e.Op != "cafe24.Op" || e.HTTPStatus != status {
			t.Fatalf("bad error %#v", e)
		}
		if len(e.Message) > maxErrorText+4 || len(e.MoreInfo) > maxErrorText+4 {
			t.Fatal("unbounded text")
		}
		if len(secret) >= minFragment && !strings.Contains("cafe24.Op", secret[:minFragment]) {
			msg := e.Error() + e.MoreInfo
			for i := 0; i+minFragment <= len(secret); i++ {
				frag := secret[i : i+minFragment]
				if strings.Contains(msg, frag) && !strings.Contains("cafe24.Op: (HTTP )"+itoa(status)+redacted, frag) {
					t.Fatalf("secret fragment %q in %q", frag, msg)
				}
			}
		}
	})
}

func FuzzParseKST(f *testing.F) {
	for _, s := range []string{"2026-11-23T15:04:05.000", "2026-11-23T15:04:05", "2026-11-23T15:04:05.000+09:00", "2026-11-23T06:04:05Z", "0000-01-01T00:00:00", "2026-02-29T00:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseKST(s)
		if err != nil {
			if !tm.IsZero() {
				t.Fatal("time with error")
			}
			if len(s) > 0 && strings.Contains(err.Error(), s) && !strings.Contains(errBadKST.Error(), s) {
				t.Fatalf("error quotes input")
			}
			return
		}
		// FormatKST → ParseKST keeps the instant to the millisecond.
		back, err := ParseKST(FormatKST(tm))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", FormatKST(tm), err)
		}
		if d := back.Sub(tm.Truncate(0)); d > 0 || d <= -1e6 {
			t.Fatalf("%q: %v vs %v", s, tm, back)
		}
	})
}

func FuzzValidateAmount(f *testing.F) {
	for _, s := range []string{"10.00", "0", "-1", "1000000", "1000000.01", "10.505", "1e6", "0.01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := decimal.NewFromString(s)
		if err != nil {
			return
		}
		err = ValidateAmount(d)
		inRange := d.Sign() > 0 && d.LessThanOrEqual(decimal.NewFromInt(MaxPointsAmount)) && d.Mul(decimal.NewFromInt(100)).IsInteger()
		if (err == nil) != inRange {
			t.Fatalf("%s: err=%v inRange=%v", s, err, inRange)
		}
		if err == nil {
			back := decimal.RequireFromString(formatAmount(d))
			if !back.Equal(d) {
				t.Fatalf("%s formats to %s", s, formatAmount(d))
			}
		} else if !IsInvalidInput(err) {
			t.Fatalf("untyped error %v", err)
		}
	})
}
