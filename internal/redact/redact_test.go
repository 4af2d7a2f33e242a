package redact

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

const key = "kiosk-0123456789abcdef/<secret>&x"

func TestRedactsWholeFragmentsAndEscapedForms(t *testing.T) {
	r := New(key, "")
	jsonForm, _ := json.Marshal(key)
	cases := map[string]string{
		"whole":        "bad key " + key + " given",
		"prefix cut":   "bad key " + key[:12] + "…",
		"middle":       "x" + key[5:20] + "y",
		"json escaped": `{"message":` + string(jsonForm) + `}`,
		"query":        "accessKey=" + url.QueryEscape(key),
		"twice":        key + " and " + key,
	}
	for name, in := range cases {
		out := r.String(in)
		if strings.Contains(out, key[:MinFragment]) || r.Contains(out) {
			t.Errorf("%s: %q still holds a fragment", name, out)
		}
		if !strings.Contains(out, Mark) {
			t.Errorf("%s: %q has no mark", name, out)
		}
	}
}

func TestLeavesShortOverlapsAndOtherText(t *testing.T) {
	r := New(key)
	in := "kiosk-01 is seven+1 but " + key[:MinFragment-1] + " is short"
	// key[:8] = "kiosk-01" is a fragment; key[:7] alone is not.
	out := r.String(in)
	if strings.Contains(out, "kiosk-01 ") {
		t.Fatalf("8-char fragment kept: %q", out)
	}
	if !strings.Contains(out, " is short") || !strings.Contains(out, key[:MinFragment-1]+" is short") {
		t.Fatalf("short overlap or plain text damaged: %q", out)
	}
	if got := r.String("nothing secret here"); got != "nothing secret here" {
		t.Fatalf("plain text changed: %q", got)
	}
}

func TestShortSecretsAreReplacedWhole(t *testing.T) {
	r := New("abc")
	if got := r.String("xabcx"); got != "x"+Mark+"x" {
		t.Fatalf("got %q", got)
	}
	var nilR *Redactor
	if nilR.String("abc") != "abc" || !nilR.Empty() {
		t.Fatal("nil redactor must redact nothing")
	}
}

func FuzzRedactNeverLeavesAWindow(f *testing.F) {
	f.Add("0123456789abcdef", "pre 0123456789abcdef post")
	f.Add("secret-secret-secret", "secret-secrx secret-secret")
	f.Fuzz(func(t *testing.T, secret, text string) {
		if len(secret) < MinFragment || strings.Contains(secret, Mark[:1]) {
			return
		}
		r := New(secret)
		out := r.String(text + secret + text)
		for i := 0; i+MinFragment <= len(secret); i++ {
			if strings.Contains(out, secret[i:i+MinFragment]) {
				t.Fatalf("window %q of the secret survives in %q", secret[i:i+MinFragment], out)
			}
		}
	})
}
