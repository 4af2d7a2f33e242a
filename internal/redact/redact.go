// Package redact removes secrets from text a server or a caller supplied before it enters
// an error, a log record or a recorded request: every occurrence of a secret, and of any
// fragment of it of MinFragment or more characters (also in its JSON- and URL-escaped
// spellings), becomes Mark.
package redact

import (
	"encoding/json"
	"net/url"
	"strings"
)

// Mark replaces a secret or a fragment of one.
const Mark = "REDACTED"

// MinFragment is the shortest run of a secret's characters that is redacted on its own.
const MinFragment = 8

// Redactor redacts a fixed set of secrets. The zero value and nil redact nothing. It is
// safe for concurrent use.
type Redactor struct {
	windows map[string]struct{} // every MinFragment-long substring of every spelling
	forms   []string            // secrets (all spellings) shorter than MinFragment
}

// New returns a redactor of secrets (empty strings are ignored).
func New(secrets ...string) *Redactor {
	r := &Redactor{windows: make(map[string]struct{})}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, f := range spellings(s) {
			if len(f) < MinFragment {
				r.forms = append(r.forms, f)
				continue
			}
			for i := 0; i+MinFragment <= len(f); i++ {
				r.windows[f[i:i+MinFragment]] = struct{}{}
			}
		}
	}
	return r
}

// spellings returns s as written, JSON-escaped and URL-escaped (distinct forms only).
func spellings(s string) []string {
	out := []string{s}
	if b, err := json.Marshal(s); err == nil {
		if j := string(b[1 : len(b)-1]); j != s {
			out = append(out, j)
		}
	}
	for _, e := range []string{url.QueryEscape(s), url.PathEscape(s)} {
		if e != s && e != out[len(out)-1] {
			out = append(out, e)
		}
	}
	return out
}

// Empty reports whether r redacts nothing.
func (r *Redactor) Empty() bool { return r == nil || (len(r.windows) == 0 && len(r.forms) == 0) }

// String returns s with every secret and every fragment of MinFragment or more of its
// characters replaced by Mark.
func (r *Redactor) String(s string) string {
	if r.Empty() || s == "" {
		return s
	}
	var b strings.Builder
	last := 0 // s[last:] is not yet copied
	i := 0
	for i+MinFragment <= len(s) {
		if _, hit := r.windows[s[i:i+MinFragment]]; !hit {
			i++
			continue
		}
		// Extend the run while each next window is still a secret's.
		end := i + MinFragment
		for end < len(s) {
			if _, ok := r.windows[s[end+1-MinFragment:end+1]]; !ok {
				break
			}
			end++
		}
		b.WriteString(s[last:i])
		b.WriteString(Mark)
		last, i = end, end
	}
	if last == 0 {
		return r.short(s)
	}
	b.WriteString(s[last:])
	return r.short(b.String())
}

// short replaces whole secrets too short to have fragments.
func (r *Redactor) short(s string) string {
	for _, f := range r.forms {
		s = strings.ReplaceAll(s, f, Mark)
	}
	return s
}

// Bytes is String for a byte slice; it returns b itself when nothing was redacted.
func (r *Redactor) Bytes(b []byte) []byte {
	if r.Empty() {
		return b
	}
	s := string(b)
	if c := r.String(s); c != s {
		return []byte(c)
	}
	return b
}

// Contains reports whether s holds a secret or a fragment of MinFragment or more of one.
func (r *Redactor) Contains(s string) bool { return r.String(s) != s }
