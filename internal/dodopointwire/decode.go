package dodopointwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Decoded is what an answer body says.
type Decoded struct {
	// Code is the answer's code (non-empty) when Problem is empty.
	Code    string
	Message string
	// Problem says why the body is not a readable answer ("" when it is): not one JSON
	// object, data after it, no string code, or over MaxAnswerBytes. Err is the parse
	// error behind it, if any.
	Problem string
	Err     error
}

// Applied reports whether the answer says the operation is applied now (OK) or was
// applied before (DUPLICATE).
func (d Decoded) Applied() bool {
	return d.Problem == "" && (d.Code == CodeOK || d.Code == CodeDuplicate)
}

var errNoCode = errors.New("no code")

// DecodeAnswer reads an answer body. It is pure and total: any body gives a Decoded with
// either a non-empty Code or a non-empty Problem, never a panic.
func DecodeAnswer(body []byte) Decoded {
	if len(body) > MaxAnswerBytes {
		return Decoded{Problem: fmt.Sprintf("answer of %d bytes is over %d", len(body), MaxAnswerBytes)}
	}
	var a Answer
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&a); err != nil {
		return Decoded{Problem: "answer is not a JSON object", Err: err}
	}
	if dec.More() {
		return Decoded{Problem: "answer has data after the JSON object"}
	}
	if a.Code == nil || *a.Code == "" {
		return Decoded{Problem: "answer has no code", Err: errNoCode}
	}
	return Decoded{Code: *a.Code, Message: a.Message}
}
