// Package wirenum reads the small whole numbers the wire formats of poskit's APIs carry,
// on the hot path of every answer, without allocating.
package wirenum

// SmallInt parses an optionally signed ('+' or '-') decimal of 1 to 18 ASCII digits, as
// strconv.ParseInt(string(b), 10, 64) would (no overflow is possible at that length). ok
// is false for anything else (empty, longer, a non-digit), which callers hand to their
// general parser.
func SmallInt(b []byte) (v int64, ok bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg, b = b[0] == '-', b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}
