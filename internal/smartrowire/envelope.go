package smartrowire

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/poskit/poskit/internal/wirenum"
)

// MarshalJSON writes the number as a quoted decimal string.
func (n Num) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a quoted or bare decimal integer; "" and null read as 0.
func (n *Num) UnmarshalJSON(b []byte) error {
	if v, ok := quickNum(b); ok {
		*n = v
		return nil
	}
	return n.unmarshalSlow(b)
}

// quickNum reads the usual shapes — up to 18 ASCII digits with an optional '-', bare or in
// plain quotes — without allocating; ok is false for anything else, which unmarshalSlow
// reads (to the same value when both can).
func quickNum(b []byte) (Num, bool) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	v, ok := wirenum.SmallInt(b)
	return Num(v), ok
}

func (n *Num) unmarshalSlow(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*n = 0
		return nil
	}
	if b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return errNum
		}
		b = bytes.TrimSpace([]byte(s))
		if len(b) == 0 {
			*n = 0
			return nil
		}
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		// Some clients send 1000.0; accept a float with no fraction.
		f, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil || f != float64(int64(f)) || f > 9e18 || f < -9e18 {
			return errNum
		}
		v = int64(f)
	}
	*n = Num(v)
	return nil
}

var errNum = errors.New("not a whole number")

// String returns the masked number.
func (c CardNo) String() string { return MaskCard(string(c)) }

// GoString returns the masked number, quoted.
func (c CardNo) GoString() string { return `"` + MaskCard(string(c)) + `"` }

// LogValue returns the masked number for log/slog.
func (c CardNo) LogValue() slog.Value { return slog.StringValue(MaskCard(string(c))) }

// MaskCard replaces every digit but the last four with '*' (every digit when there are
// fewer than eight, so short numbers such as phone tails are hidden too). Other characters
// (separators, an issuer's own '*' mask) are kept; odd bytes become '?'.
func MaskCard(s string) string {
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	keep := 4
	if digits < 8 {
		keep = 0
	}
	var b strings.Builder
	b.Grow(len(s))
	seen := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			seen++
			if seen > digits-keep {
				b.WriteRune(r)
			} else {
				b.WriteByte('*')
			}
			continue
		}
		if r > 0x7e || r < 0x20 { // never echo odd bytes of a number field
			b.WriteByte('?')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// OK reports whether the envelope says success: RESULT SUCCESS and an empty ERRCODE. (The
// client also requires both keys to be present, which a decoded Envelope cannot tell.)
func (e *Envelope) OK() bool { return e.Result == ResultSuccess && e.ErrCode == "" }

// DecodeEnvelope parses an answer body into its envelope. It fails on anything that is not
// a JSON object.
func DecodeEnvelope(body []byte) (*Envelope, error) {
	k, err := DecodeKeys(body)
	if err != nil {
		return nil, err
	}
	return &Envelope{Result: deref(k.Result), ErrCode: deref(k.ErrCode), Msg: k.Msg, Msg2: k.Msg2, Obj: k.Obj}, nil
}

// DecodeKeys parses an answer body into Keys. It fails on anything that is not a JSON
// object; a null OBJ reads as none.
func DecodeKeys(body []byte) (*Keys, error) {
	var env Keys
	d := bytes.TrimSpace(body)
	if len(d) == 0 || d[0] != '{' {
		return nil, errors.New("answer is not a JSON object")
	}
	if err := json.Unmarshal(d, &env); err != nil {
		return nil, err
	}
	if string(env.Obj) == "null" {
		env.Obj = nil
	}
	return &env, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// MissingKey is what Answer's Result and ErrCode hold before decoding: a string no decoded
// JSON string can equal (encoding/json replaces invalid UTF-8), so a key that is missing
// (or null, which leaves a string unchanged) keeps it.
const MissingKey = "\xff"

// WriteEnvelope writes a success envelope carrying obj (which may be nil) with HTTP 200.
func WriteEnvelope(w http.ResponseWriter, obj any) error {
	raw, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return writeEnv(w, http.StatusOK, Envelope{Result: ResultSuccess, Obj: raw})
}

// WriteErrorEnvelope writes a failure envelope with the given HTTP status, ERRCODE, MSG and
// MSG2. Modelled: the agent is assumed to answer refusals with HTTP 200 and a non-empty
// ERRCODE; a fake may pass another status to exercise the client.
func WriteErrorEnvelope(w http.ResponseWriter, status int, code, msg, msg2 string) error {
	return writeEnv(w, status, Envelope{Result: ResultFail, ErrCode: code, Msg: msg, Msg2: msg2})
}

func writeEnv(w http.ResponseWriter, status int, env Envelope) error {
	b, err := json.Marshal(env)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}
