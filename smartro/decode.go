package smartro

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/poskit/poskit/internal/redact"
	wire "github.com/poskit/poskit/internal/smartrowire"
)

// maxMessage bounds the text of an agent's MSG/MSG2 kept in an *Error.
const maxMessage = 512

// decodeAnswer unwraps an answer. The answer must be the Smartro envelope: a JSON object
// with both RESULT and ERRCODE keys (a missing key is CodeBadAnswer). A non-empty ERRCODE
// becomes *Error with that code and MSG + MSG2; a RESULT other than SUCCESS with an empty
// ERRCODE becomes CodeResultFail; a success envelope with a non-2xx HTTP status is
// CodeBadAnswer. On success, a non-nil out (a call that returns data) requires OBJ, present
// and not null, decoded into out (CodeBadAnswer otherwise), and then out's own required
// fields (answerChecker, e.g. ORDERNO of an order answer). When it returns an error, out
// may have been written to (by the two-pass reading).
//
// The body is parsed once: the envelope is decoded with OBJ going into a fresh value of
// out's type (see wire.Answer), copied into out once the envelope says success. Only when
// that fails — not JSON, a field of the wrong type, an OBJ of another shape (as error
// answers may carry) — is the answer read again step by step to tell those cases apart,
// so failures map exactly as decodeAnswerSlow says.
func decodeAnswer(red *redact.Redactor, op string, status int, body []byte, out any) error {
	if out == nil {
		return decodeAnswerSlow(red, op, status, body, nil)
	}
	if d := bytes.TrimSpace(body); len(d) > 0 && d[0] == '{' {
		if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && !v.IsNil() {
			// obj is a pointer to a nil *T (out is *T): encoding/json allocates the T only
			// when OBJ is present and not null, which tells those cases apart.
			obj := reflect.New(v.Type())
			env := wire.Answer{Result: wire.MissingKey, ErrCode: wire.MissingKey, Obj: obj.Interface()}
			if err := json.Unmarshal(d, &env); err == nil {
				if err := checkAnswer(red, op, status, keyValue(env.Result), keyValue(env.ErrCode), env.Msg, env.Msg2); err != nil {
					return err
				}
				got := obj.Elem()
				if got.IsNil() {
					return checkData(op, status, false, out)
				}
				v.Elem().Set(got.Elem())
				return checkData(op, status, true, out)
			}
		}
	}
	return decodeAnswerSlow(red, op, status, body, out)
}

// keyValue returns nil for wire.MissingKey, else a pointer to s.
func keyValue(s string) *string {
	if s == wire.MissingKey {
		return nil
	}
	return &s
}

// decodeAnswerSlow is decodeAnswer in two passes: the envelope with OBJ kept raw, then OBJ
// into out once the envelope says success.
func decodeAnswerSlow(red *redact.Redactor, op string, status int, body []byte, out any) error {
	env, err := wire.DecodeKeys(body)
	if err != nil {
		return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Message: "answer is not a JSON envelope", Err: redactCause(red, err)}
	}
	if err := checkAnswer(red, op, status, env.Result, env.ErrCode, env.Msg, env.Msg2); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if len(env.Obj) == 0 {
		return checkData(op, status, false, out)
	}
	if err := json.Unmarshal(env.Obj, out); err != nil {
		return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Message: "OBJ does not have the expected shape", Err: redactCause(red, err)}
	}
	return checkData(op, status, true, out)
}

// checkAnswer maps a readable envelope's RESULT, ERRCODE and the HTTP status to nil or
// *Error. result and errCode are nil when their key is missing (or null).
func checkAnswer(red *redact.Redactor, op string, status int, result, errCode *string, msg, msg2 string) error {
	if result == nil || errCode == nil {
		return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Message: "answer is not a Smartro envelope (RESULT or ERRCODE missing)"}
	}
	if *errCode != "" {
		return &Error{Op: op, HTTPStatus: status, Code: red.String(clean(*errCode, 64)), Message: red.String(joinMessage(msg, msg2))}
	}
	if *result != wire.ResultSuccess {
		m := "RESULT " + strconv.Quote(clean(*result, 32)) + " without an ERRCODE"
		if j := joinMessage(msg, msg2); j != "" {
			m += ": " + j
		}
		return &Error{Op: op, HTTPStatus: status, Code: CodeResultFail, Message: red.String(m)}
	}
	if status < 200 || status > 299 {
		return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Message: "success envelope with a failure HTTP status"}
	}
	return nil
}

// checkData checks a success answer's payload: OBJ must have been there (seen), and out's
// required fields set.
func checkData(op string, status int, seen bool, out any) error {
	if !seen {
		return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Message: "success answer without OBJ"}
	}
	if c, ok := out.(answerChecker); ok {
		if missing := c.Missing(); missing != "" {
			return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Message: "success answer without " + missing}
		}
	}
	return nil
}

// answerChecker is implemented by OBJ types that have fields a success answer must carry;
// Missing names the first one absent ("" when none is).
type answerChecker interface{ Missing() string }

// joinMessage joins MSG and MSG2, cleaned and with card numbers masked.
func joinMessage(a, b string) string {
	a, b = cleanMessage(a), cleanMessage(b)
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " / " + b
}

// cleanMessage cleans an agent's message and masks its card numbers before bounding its
// length, so that the bound never cuts a number into a run too short to be masked.
func cleanMessage(s string) string {
	return clean(maskDigitRuns(clean(s, len(s)+1)), maxMessage)
}

// clean trims s, drops control characters and invalid UTF-8, and bounds its length.
func clean(s string, max int) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i, r := range s {
		if i >= max {
			b.WriteString("…")
			break
		}
		if r == utf8.RuneError || r < 0x20 || r == 0x7f {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maskDigitRuns masks (maskCard) every run of 12 or more digits in s, a run being digits
// with at most one '-' or ' ' between two of them: card numbers quoted in an agent's
// message or ours. Shorter runs (order numbers up to 11 digits, amounts) are kept.
func maskDigitRuns(s string) string {
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	var b []byte // allocated on the first run to mask
	last := 0
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		start, n := i, 0
		for i < len(s) {
			if isDigit(s[i]) {
				n++
				i++
				continue
			}
			if (s[i] == '-' || s[i] == ' ') && i+1 < len(s) && isDigit(s[i+1]) {
				i++
				continue
			}
			break
		}
		if n >= 12 {
			if b == nil {
				b = make([]byte, 0, len(s))
			}
			b = append(b, s[last:start]...)
			b = append(b, wire.MaskCard(s[start:i])...)
			last = i
		}
	}
	if b == nil {
		return s
	}
	return string(append(b, s[last:]...))
}
