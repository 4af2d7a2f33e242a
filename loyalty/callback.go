package loyalty

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/internal/redact"
)

// CallbackEvent is the relay's final word on one leg of a payment, whichever of
// the three callback spellings it arrived in.
type CallbackEvent struct {
	Leg     Leg             // LegNew or LegCancel
	Outcome Outcome         // approved, denied, contract error, server error or timeout
	Code    Code            // the code as sent (0, 4000, 1001, 2001, …)
	Message string          // the relay's message, cleaned and bounded
	Dialect CallbackDialect // which spelling the relay used
	Payment *Payment        // the callback's data, typed; never nil; Payment.ID canonical
	Raw     json.RawMessage // the whole body as received
	// Confirmed: the callback carried no access key (WithCallbackKeyless), so the
	// handler read the payment from the relay: Outcome and Payment are the relay's answer,
	// not the callback's claim.
	Confirmed bool
}

// CallbackDialect is one of the three spellings of the callback.
type CallbackDialect int

// Callback dialects.
const (
	// CallbackDialectRelay: {accessKey, type "pay_new"|"pay_cancel",
	// code 0|4000|5000|6000|7000, message, data}, key also in Authorization.
	CallbackDialectRelay CallbackDialect = iota
	// CallbackDialectDocTable: the document's table, type "create"|"cancel",
	// code 0|1001|1002|1003|2000.
	CallbackDialectDocTable
	// CallbackDialectDocExample: the document's examples, type
	// "openNew"|"openCancel", denial code 2001.
	CallbackDialectDocExample
)

// String returns "relay", "doc-table" or "doc-example".
func (d CallbackDialect) String() string {
	switch d {
	case CallbackDialectDocTable:
		return "doc-table"
	case CallbackDialectDocExample:
		return "doc-example"
	}
	return "relay"
}

const callbackOp = "loyalty.Callback"

// ParseCallback decodes a callback body in any of the three dialects. It does
// not check an access key (CallbackHandler does). The payment id is validated (0x and
// 64 hex digits, surrounding white space trimmed) and canonicalised (CanonicalPaymentID).
// Failures are *Error values with CodeDecode (not JSON, bad data) or CodeInvalidInput
// (unknown type or code, missing or malformed paymentId); it never panics.
func ParseCallback(body []byte) (CallbackEvent, error) {
	in, err := parseCallbackJSON(body)
	if err != nil {
		return CallbackEvent{}, err
	}
	return callbackEvent(in, body, nil)
}

func parseCallbackJSON(body []byte) (*loyaltywire.CallbackIn, error) {
	trimmed := bytes.TrimSpace(body)
	var in loyaltywire.CallbackIn
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &in) != nil {
		return nil, &Error{Op: callbackOp, Code: CodeDecode, Message: "callback body is not a JSON object"}
	}
	return &in, nil
}

// callbackEvent types a decoded callback; red redacts secrets from the text it keeps.
func callbackEvent(in *loyaltywire.CallbackIn, body []byte, red *redact.Redactor) (CallbackEvent, error) {
	dialect, leg, ok := loyaltywire.CallbackType(in.Type)
	if !ok {
		return CallbackEvent{}, invalidInput(callbackOp, "type", "unknown callback type")
	}
	if in.Code == nil {
		return CallbackEvent{}, invalidInput(callbackOp, "code", "missing")
	}
	code := Code(*in.Code)
	outcome, ok := loyaltywire.CallbackOutcome(int(code))
	if !ok {
		return CallbackEvent{}, invalidInput(callbackOp, "code", "unknown callback code")
	}
	var wp loyaltywire.Payment
	if d := bytes.TrimSpace(in.Data); len(d) == 0 || d[0] != '{' || json.Unmarshal(d, &wp) != nil {
		return CallbackEvent{}, &Error{Op: callbackOp, Code: CodeDecode, Field: "data", Message: "not a payment object"}
	}
	if strings.TrimSpace(wp.PaymentID) == "" {
		return CallbackEvent{}, invalidInput(callbackOp, "data.paymentId", "missing")
	}
	id, ok := CanonicalPaymentID(wp.PaymentID)
	if !ok {
		return CallbackEvent{}, invalidInput(callbackOp, "data.paymentId", "must be 0x followed by 64 hex digits")
	}
	p, err := paymentOf(&wp, red)
	if err != nil {
		return CallbackEvent{}, &Error{Op: callbackOp, Code: CodeDecode, Field: "data", Message: err.Error()}
	}
	p.ID = id
	return CallbackEvent{
		Leg:     Leg(leg),
		Outcome: Outcome(outcome),
		Code:    code,
		Message: loyaltywire.Clean(loyaltywire.RawText(in.Message), red),
		Dialect: CallbackDialect(dialect),
		Payment: p,
		Raw:     json.RawMessage(bytes.Clone(body)),
	}, nil
}
