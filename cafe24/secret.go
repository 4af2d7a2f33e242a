package cafe24

import (
	"fmt"
	"log/slog"
	"strings"
)

// Secret is a credential (access token, refresh token) that never prints: every fmt verb,
// String, GoString and slog show "[redacted]". Reveal returns the value for the one place
// that sends or stores it. JSON shows "[redacted]" too: a store writes Reveal().
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns `cafe24.Secret("[redacted]")`.
func (s Secret) GoString() string { return `cafe24.Secret("` + s.String() + `")` }

// Format writes String for every verb (%#v writes GoString).
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	_, _ = f.Write([]byte(s.String()))
}

// MarshalJSON writes "[redacted]" (or "" for an empty secret), never the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// LogValue shows "[redacted]" in slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// minFragment is the shortest part of a secret scrub removes from a text: a server that
// echoes 8 or more characters of a token in a message gets them replaced.
const minFragment = 8

// scrub replaces in s every run of at least minFragment characters that also occurs in one
// of secrets (and every whole occurrence of a shorter secret) with "[redacted]".
func scrub(s string, secrets ...string) string {
	if s == "" {
		return s
	}
	var mark []bool
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		if len(sec) < minFragment {
			for i := 0; ; {
				j := strings.Index(s[i:], sec)
				if j < 0 {
					break
				}
				if mark == nil {
					mark = make([]bool, len(s))
				}
				for k := i + j; k < i+j+len(sec); k++ {
					mark[k] = true
				}
				i += j + 1
			}
			continue
		}
		grams := make(map[string]struct{}, len(sec)-minFragment+1)
		for i := 0; i+minFragment <= len(sec); i++ {
			grams[sec[i:i+minFragment]] = struct{}{}
		}
		for i := 0; i+minFragment <= len(s); i++ {
			if _, ok := grams[s[i:i+minFragment]]; ok {
				if mark == nil {
					mark = make([]bool, len(s))
				}
				for k := i; k < i+minFragment; k++ {
					mark[k] = true
				}
			}
		}
	}
	if mark == nil {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if !mark[i] {
			b.WriteByte(s[i])
			i++
			continue
		}
		for i < len(s) && mark[i] {
			i++
		}
		b.WriteString(redacted)
	}
	return b.String()
}

// scrubbedError hides secrets in the text of a cause while keeping the cause for
// errors.Is/As. The scrubbed text is computed once; the secrets themselves are not kept, and
// every fmt verb (%#v included) prints only the scrubbed text.
type scrubbedError struct {
	err error
	msg string
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

func (e *scrubbedError) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(e.msg)) }

// scrubErr wraps err so that its text never shows one of secrets.
func scrubErr(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	return &scrubbedError{err: err, msg: scrub(err.Error(), secrets...)}
}
