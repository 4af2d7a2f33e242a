package smartro

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// maxMessage bounds the text of an agent's MSG/MSG2 kept in an *Error.
const maxMessage = 512

// decodeAnswer unwraps an answer: a readable envelope with an empty ERRCODE has its OBJ
// decoded into out (nil out ignores it; a missing OBJ leaves out unchanged); a non-empty
// ERRCODE becomes *Error with that code and MSG + MSG2; anything else is CodeBadAnswer.
func decodeAnswer(op string, status int, body []byte, out any) error {
	env, err := DecodeEnvelope(body)
	if err != nil {
		return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Message: "answer is not a JSON envelope", err: err}
	}
	if !env.OK() {
		return &Error{Op: op, HTTPStatus: status, Code: clean(env.ErrCode, 64), Message: joinMessage(env.Msg, env.Msg2)}
	}
	if status < 200 || status > 299 {
		return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Message: "success envelope with a failure HTTP status"}
	}
	if out == nil || len(env.Obj) == 0 {
		return nil
	}
	if err := json.Unmarshal(env.Obj, out); err != nil {
		return &Error{Op: op, HTTPStatus: status, Code: CodeBadAnswer, Message: "OBJ does not have the expected shape", err: err}
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
