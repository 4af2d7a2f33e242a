package wirenum

import (
	"strconv"
	"testing"
)

// SmallInt agrees with strconv.ParseInt wherever it answers, and answers for every
// signed decimal of up to 18 digits.
func FuzzSmallInt(f *testing.F) {
	for _, s := range []string{"0", "-0", "+7", "123456789012345678", "1234567890123456789", "", "-", "1e3", " 1", "１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := SmallInt([]byte(s))
		want, err := strconv.ParseInt(s, 10, 64)
		digits := len(s)
		if digits > 0 && (s[0] == '-' || s[0] == '+') {
			digits--
		}
		if ok && (err != nil || v != want) {
			t.Fatalf("SmallInt(%q) = %d, ParseInt = %d %v", s, v, want, err)
		}
		if !ok && err == nil && digits <= 18 {
			t.Fatalf("SmallInt(%q) refused what ParseInt reads as %d", s, want)
		}
	})
}
