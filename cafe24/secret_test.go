package cafe24

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("access-token-ABCDEFGHIJKLMNOP")
	assertHidden(t, s, s.Reveal())
	assertHidden(t, &s, s.Reveal())
	if s.Reveal() != "access-token-ABCDEFGHIJKLMNOP" {
		t.Fatal("Reveal changed the value")
	}
	if Secret("").String() != "" {
		t.Fatal("empty secret should print empty")
	}
}

func TestScrub(t *testing.T) {
	sec := "R3fr3shT0kenABCDEFGHij"
	cases := []struct{ in, want string }{
		{"invalid refresh_token " + sec, "invalid refresh_token [redacted]"},
		{"token " + sec[3:13] + " is dead", "token [redacted] is dead"},      // 10-char fragment
		{"short " + sec[:7] + " fragment", "short " + sec[:7] + " fragment"}, // 7 chars stay
		{"nothing here", "nothing here"},
		{sec + sec, "[redacted]"},
	}
	for _, c := range cases {
		if got := scrub(c.in, sec); got != c.want {
			t.Errorf("scrub(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := scrub("pw abc here", "abc"); got != "pw [redacted] here" {
		t.Errorf("short secret: %q", got)
	}
	inner := errors.New("server said " + sec)
	err := scrubErr(inner, sec)
	if strings.Contains(err.Error(), sec[:8]) || !errors.Is(err, inner) {
		t.Fatalf("scrubErr: %q, Is=%v", err, errors.Is(err, inner))
	}
	e := &Error{Op: "cafe24.Refresh", Message: "refresh failed", Err: err}
	if leaks(fmt.Sprint(e), sec) {
		t.Fatalf("error shows secret: %v", e)
	}
}
