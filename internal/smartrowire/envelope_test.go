package smartrowire

import "testing"

// FuzzNumQuick checks the allocation-free reading of Num against the general one.
func FuzzNumQuick(f *testing.F) {
	for _, s := range []string{`"18000"`, `18000`, `"-5"`, `-0`, `"-"`, `""`, `"`, `null`, `"999999999999999999"`,
		`"9999999999999999999"`, `" 12 "`, `"+1"`, `1e3`, `"1\u0030"`, `"１"`, `--1`, `"-"1`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, ok := quickNum(b)
		if !ok {
			return
		}
		var slow Num
		if err := slow.unmarshalSlow(b); err != nil || slow != v {
			t.Fatalf("quickNum(%q) = %d; general reading: %d, %v", b, v, slow, err)
		}
	})
}
