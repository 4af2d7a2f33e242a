package smartro

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"unicode/utf8"
)

// maxMessage bounds the text of an agent's MSG/MSG2 kept in an *Error.
const maxMessage = 512

// decodeAnswer unwraps an answer: a readable envelope with an empty ERRCODE has its OBJ
// decoded into out (nil out ignores it; a missing OBJ leaves out unchanged); a non-empty
// ERRCODE becomes *Error with that code and MSG + MSG2; anything else is CodeBadAnswer.
// When it returns an error, out may have been written to.
//
// The body is parsed once: the envelope is decoded with OBJ going straight into out (see
// wireAnswer). Only when that fails — not JSON, a field of the wrong type, an OBJ of
// another shape (as error answers may carry) — is the answer read again step by step to
// tell those cases apart, so failures map exactly as decodeAnswerSlow says.
func decodeAnswer(op string, status int, body []byte, out any) error {
	if out == nil {
		return decodeAnswerSlow(op, status, body, nil)
	}
	if d := bytes.TrimSpace(body); len(d) > 0 && d[0] == '{' {
		if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && !v.IsNil() {
			env := wireAnswer{Obj: out}
			if err := json.Unmarshal(d, &env); err == nil {
				return checkAnswer(op, status, env.ErrCode, env.Msg, env.Msg2)
			}
		}
	}
	return decodeAnswerSlow(op, status, body, out)
}

// decodeAnswerSlow is decodeAnswer in two passes: the envelope with OBJ kept raw, then OBJ
// into out once the envelope says success.
func decodeAnswerSlow(op string, status int, body []byte, out any) error {
	env, err := DecodeEnvelope(body)
	if err != nil {
		return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Message: "answer is not a JSON envelope", err: err}
	}
	if err := checkAnswer(op, status, env.ErrCode, env.Msg, env.Msg2); err != nil {
		return err
	}
	if out == nil || len(env.Obj) == 0 {
		return nil
	}
	if err := json.Unmarshal(env.Obj, out); err != nil {
		return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Message: "OBJ does not have the expected shape", err: err}
	}
	return nil
}

// checkAnswer maps a readable envelope's ERRCODE and the HTTP status to nil or *Error.
func checkAnswer(op string, status int, errCode, msg, msg2 string) error {
	if errCode != "" {
		return &Error{Op: op, HTTPStatus: status, Code: clean(errCode, 64), Message: joinMessage(msg, msg2)}
	}
	if status < 200 || status > 299 {
		return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Message: "success envelope with a failure HTTP status"}
	}
	return nil
}

func joinMessage(a, b string) string {
	a, b = clean(a, maxMessage), clean(b, maxMessage)
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " / " + b
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
