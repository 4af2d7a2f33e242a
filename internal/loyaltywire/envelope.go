package loyaltywire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/poskit/poskit/internal/redact"
)

// NewSuccess returns {"code":0,"data":data}.
func NewSuccess(data any) Envelope { return Envelope{Code: CodeOK, Data: data} }

// NewError returns {"code":code,"error":{"message":…,"validation":…}}.
func NewError(code int, message string, validation ...Validation) Envelope {
	return Envelope{Code: code, Error: &Error{Message: message, Validation: validation}}
}

// Refusal is Decode's error for an envelope with a non-zero code: the relay refused.
// Message and the validation entries are the server's raw text: clean them (Clean) before
// they go anywhere.
type Refusal struct {
	Code       int
	Message    string
	Validation []Validation
}

func (r *Refusal) Error() string { return "code " + strconv.Itoa(r.Code) }

// MalformedKind says why an answer is not a usable envelope.
type MalformedKind uint8

const (
	// Undecodable: not JSON, not an envelope, no code, data of the wrong shape.
	Undecodable MalformedKind = iota + 1
	// BadStatus: a non-2xx HTTP status without an envelope (or with code 0).
	BadStatus
)

// Malformed is Decode's error for an answer that is not a usable envelope. Message never
// quotes the answer.
type Malformed struct {
	Kind    MalformedKind
	Message string
}

func (m *Malformed) Error() string { return m.Message }

// Decode unwraps an answer of the relay into out (which may be nil): nil on success, a
// *Refusal for a non-zero code, a *Malformed for anything else. status is the HTTP status
// (0: none, counts as success). It never panics; on an error out may be partly written.
//
// A success answer is decoded in one pass, data straight into out; anything else (an
// error code, no or null data, a body that does not decode) is decoded again, data kept
// raw until the code is known.
func Decode(status int, body []byte, out any) error {
	if decodeSuccess(status, body, out) {
		return nil
	}
	return decodeEnvelope(status, body, out)
}

// non2xx reports whether status is a known HTTP status outside 2xx; 0 (no status, as a
// test or a callback passes) counts as success.
func non2xx(status int) bool { return status != 0 && (status < 200 || status > 299) }

// decodeSuccess decodes body in one pass when it is a success envelope whose data fills
// out, and reports whether it was. out must be a non-nil pointer to a zero value, so that
// "data absent" (out still zero) can be told apart; data that decodes to the zero value is
// left to the second pass too.
func decodeSuccess(status int, body []byte, out any) bool {
	if out == nil || non2xx(status) {
		return false
	}
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() || !v.Elem().IsZero() {
		return false
	}
	env := successIn{Data: out}
	if json.Unmarshal(body, &env) != nil || env.Code == nil || *env.Code != 0 || env.Data == nil {
		return false // not an envelope, an error code, null data (Data reset to nil), bad shape
	}
	return !v.Elem().IsZero() // data was there and said something
}

func decodeEnvelope(status int, body []byte, out any) error {
	bad := func(k MalformedKind, msg string) error { return &Malformed{Kind: k, Message: msg} }
	trimmed := bytes.TrimSpace(body)
	var env envelopeIn
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &env) != nil || env.Code == nil {
		if non2xx(status) {
			return bad(BadStatus, "")
		}
		switch {
		case len(trimmed) == 0:
			return bad(Undecodable, "empty body")
		case trimmed[0] != '{' || !json.Valid(trimmed):
			return bad(Undecodable, "body is not a JSON object ("+strconv.Itoa(len(body))+" bytes)")
		default:
			return bad(Undecodable, "envelope without a code")
		}
	}
	if *env.Code != CodeOK {
		r := &Refusal{Code: int(*env.Code)}
		if env.Error != nil {
			r.Message = RawText(env.Error.Message)
			r.Validation = decodeValidation(env.Error.Validation)
		}
		return r
	}
	if non2xx(status) {
		return bad(BadStatus, "code 0 with a non-2xx status")
	}
	if out == nil {
		return nil
	}
	if len(env.Data) == 0 || bytes.Equal(bytes.TrimSpace(env.Data), []byte("null")) {
		return bad(Undecodable, "success without data")
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		msg := "data has an unexpected shape"
		if errors.As(err, &typ) && typ.Field != "" {
			msg = "data field " + typ.Field + " has an unexpected type"
		} else if errors.As(err, &syn) {
			msg = "data is not valid JSON"
		}
		return bad(Undecodable, msg)
	}
	return nil
}

// maxValidation bounds the validation entries kept from one answer.
const maxValidation = 16

func decodeValidation(raw json.RawMessage) []Validation {
	if len(raw) == 0 {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []Validation
	for _, it := range items {
		var v Validation
		if json.Unmarshal(it, &v) != nil {
			continue
		}
		if v.Path == "" {
			v.Path = v.Param
		}
		out = append(out, v)
		if len(out) == maxValidation {
			break
		}
	}
	return out
}

// RawText returns a JSON string's value, or the raw JSON of anything else.
func RawText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// MaxMessageLen bounds a server-supplied text kept in an error or a log record.
const MaxMessageLen = 256

// Clean makes server-supplied text fit for an error or a log line: invalid UTF-8 and
// control characters replaced, the secrets red knows (and their fragments of 8 or more
// characters) redacted — before the text is cut to MaxMessageLen bytes, so no prefix of a
// secret survives the cut — and trimmed.
func Clean(s string, red *redact.Redactor) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	s = red.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > MaxMessageLen {
		cut := MaxMessageLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// DecodeTwoPass is Decode without its one-pass shortcut, for tests that compare the two.
func DecodeTwoPass(status int, body []byte, out any) error { return decodeEnvelope(status, body, out) }
