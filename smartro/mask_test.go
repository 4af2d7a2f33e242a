package smartro

import (
	"context"
	"fmt"
	wire "github.com/poskit/poskit/internal/smartrowire"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// The agent's MSG/MSG2 may quote a card number; it never reaches Error(), %v or a log line
// in the clear.
func TestCardNumbersInAgentMessagesAreMasked(t *testing.T) {
	cards := []struct{ msg, clear, masked string }{
		{"card 9410123456785555 declined", "9410123456785555", "************5555"},
		{"카드 9410-1234-5678-5555 승인 거절", "9410-1234-5678", "****-****-****-5555"},
		{"card 9410 1234 5678 5555 expired", "9410 1234 5678", "**** **** **** 5555"},
		{"amex 378282246310005.", "378282246310005", "***********0005"},
		{"short 123456789012 twelve", "123456789012", "********9012"},
	}
	for _, c := range cards {
		t.Run(c.clear, func(t *testing.T) {
			s := newStub(t)
			var lb strings.Builder
			log := slog.New(slog.NewTextHandler(&lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
			cl := newTestClient(t, s, WithLogger(log))
			s.on(wire.PathOrderNew, func(w http.ResponseWriter, _ []byte) {
				_ = wire.WriteErrorEnvelope(w, 200, "E_CARD", c.msg, "detail: "+c.msg)
			})
			_, err := cl.NewOrder(context.Background(), validPrepaid())
			var e *Error
			if !asErr(err, &e) || e.Code != "E_CARD" {
				t.Fatal(err)
			}
			for what, text := range map[string]string{
				"Error()": err.Error(), "Message": e.Message, "%v": fmt.Sprintf("%v", err),
				"%+v": fmt.Sprintf("%+v", err), "log": lb.String(),
			} {
				if strings.Contains(text, c.clear) {
					t.Errorf("%s shows the card: %s", what, text)
				}
				if !strings.Contains(text, c.masked) {
					t.Errorf("%s lacks the masked card %q: %s", what, c.masked, text)
				}
			}
		})
	}
}

func TestMaskDigitRuns(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "",
		"no digits":                  "no digits",
		"order 12345678901 ok":       "order 12345678901 ok", // 11 digits: kept
		"9410123456785555":           "************5555",
		"a-9410-1234-5678-5555-b":    "a-****-****-****-5555-b",
		"1234 5678 9012 and 3456":    "**** **** 9012 and 3456",
		"12--34567890123":            "12--34567890123", // a double separator ends a run
		"x 1234567890123456789012 y": "x ******************9012 y",
		"카드번호 4111111111111111 거절":   "카드번호 ************1111 거절",
	} {
		if got := maskDigitRuns(in); got != want {
			t.Errorf("maskDigitRuns(%q) = %q, want %q", in, got, want)
		}
	}
	// Masked before the message is bounded, and after control characters are dropped.
	long := strings.Repeat("x", maxMessage-8) + " 4111111111111111"
	if got := cleanMessage(long); strings.Contains(got, "41111111") {
		t.Errorf("bounded message shows the card: %q", got)
	}
	if got := cleanMessage("card 4111\x0011111111111111"); strings.Contains(got, "411111") {
		t.Errorf("control character hid the card: %q", got)
	}
	// Error() masks a Message set by hand too.
	e := &Error{Op: "smartro.X", Code: "C", Message: "card 4111111111111111"}
	if strings.Contains(e.Error(), "4111111111111111") {
		t.Fatal(e.Error())
	}
}
