package loyaltywire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/poskit/poskit/internal/wirenum"
)

// Number is a decimal integer as it travels: usually a JSON string
// ("1000000000000000000"), but a JSON number is accepted too (the document types
// settledPoint as int). It marshals as a string.
type Number string

// UnmarshalJSON accepts a string, a number literal or null.
func (n *Number) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*n = ""
		return nil
	}
	if in, ok := plainString(b); ok {
		*n = Number(bytes.TrimSpace(in))
		return nil
	}
	if plainDigits(b) {
		*n = Number(b)
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = Number(strings.TrimSpace(s))
		return nil
	}
	var num json.Number
	if err := json.Unmarshal(b, &num); err != nil {
		return fmt.Errorf("want a decimal string or number")
	}
	*n = Number(num.String())
	return nil
}

// MarshalJSON writes the number as a JSON string.
func (n Number) MarshalJSON() ([]byte, error) { return json.Marshal(string(n)) }

// Int is a JSON integer that may also arrive as a numeric string; it marshals as a
// number. Statuses, codes, timestamps and the chain id use it.
type Int int64

// UnmarshalJSON accepts a number, a numeric string or null.
func (n *Int) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*n = 0
		return nil
	}
	digits := b
	if in, ok := plainString(b); ok {
		digits = bytes.TrimSpace(in)
	}
	if v, ok := wirenum.SmallInt(digits); ok {
		*n = Int(v)
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Accept integral floats such as 1.7e9 from loosely typed servers.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return fmt.Errorf("want an integer")
		}
		v = int64(f)
	}
	*n = Int(v)
	return nil
}

// plainString returns the content of b when b is a JSON string of printable ASCII
// without escapes (its content is then its value), and whether it was.
func plainString(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	in := b[1 : len(b)-1]
	for _, c := range in {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return nil, false
		}
	}
	return in, true
}

// plainDigits reports whether b is a JSON number made of digits only.
func plainDigits(b []byte) bool {
	if len(b) == 0 || (b[0] == '0' && len(b) > 1) {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Bool is a boolean that may also arrive as the string "true"/"false" (the relay
// validates approval and confirm as strings). It marshals as a bool.
type Bool bool

// UnmarshalJSON accepts true, false, "true", "false" (any case) or null.
func (v *Bool) UnmarshalJSON(b []byte) error {
	s := strings.ToLower(strings.Trim(string(bytes.TrimSpace(b)), `"`))
	switch strings.TrimSpace(s) {
	case "true":
		*v = true
	case "false", "null":
		*v = false
	default:
		return fmt.Errorf("want a boolean")
	}
	return nil
}

// Time reads a Unix-seconds timestamp; 0 or less is the zero time.
func Time(sec Int) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(sec), 0).UTC()
}

// Unix writes t as Unix seconds; the zero time is 0.
func Unix(t time.Time) Int {
	if t.IsZero() {
		return 0
	}
	return Int(t.Unix())
}
