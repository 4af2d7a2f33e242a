package cafe24

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// verbs are every fmt verb a secret must survive.
var verbs = []string{"%v", "%+v", "%#v", "%s", "%d", "%q", "%x", "%X", "%10.3s", "%T"}

// assertHidden fails if any rendering of v (every fmt verb, slog text and JSON handlers)
// contains secret or a fragment of 8 or more of its characters.
func assertHidden(t *testing.T, v any, secrets ...string) {
	t.Helper()
	var outs []string
	for _, verb := range verbs {
		outs = append(outs, fmt.Sprintf(verb, v))
		outs = append(outs, fmt.Sprintf(verb, []any{v}))
		outs = append(outs, fmt.Sprintf(verb, struct{ V any }{v}))
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "v", v)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "v", v)
	outs = append(outs, buf.String())
	for _, out := range outs {
		for _, s := range secrets {
			if leaks(out, s) {
				t.Fatalf("secret fragment shown in %q", out)
			}
		}
	}
}

// leaks reports whether out contains secret or 8+ characters of it.
func leaks(out, secret string) bool {
	if len(secret) < minFragment {
		return strings.Contains(out, secret)
	}
	for i := 0; i+minFragment <= len(secret); i++ {
		if strings.Contains(out, secret[i:i+minFragment]) {
			return true
		}
	}
	return false
}
