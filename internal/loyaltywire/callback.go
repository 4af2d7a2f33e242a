package loyaltywire

import (
	"fmt"
	"strings"
)

// Dialect is one of the three spellings of the result callback. Its values equal
// loyalty.CallbackDialect's.
type Dialect int

// Callback dialects.
const (
	// DialectRelay: {accessKey, type "pay_new"|"pay_cancel", code 0|4000|5000|6000|7000,
	// message, data}, key also in Authorization.
	DialectRelay Dialect = iota
	// DialectDocTable: the document's table, type "create"|"cancel", code
	// 0|1001|1002|1003|2000.
	DialectDocTable
	// DialectDocExample: the document's examples, type "openNew"|"openCancel", denial
	// code 2001.
	DialectDocExample
)

// Leg is a payment's leg; its values equal loyalty.Leg's.
type Leg int

// Legs.
const (
	LegUnknown Leg = iota
	LegNew
	LegCancel
)

// Outcome is how a leg ended; its values equal loyalty.Outcome's.
type Outcome int

// Outcomes a callback can carry (OutcomePending and OutcomeFailed have none).
const (
	OutcomePending Outcome = iota
	OutcomeApproved
	OutcomeDenied
	OutcomeContractError
	OutcomeServerError
	OutcomeTimeout
	OutcomeFailed
)

type callbackType struct {
	dialect Dialect
	leg     Leg
}

// callbackOutcomes reads every dialect's code, derived from callbackCodes: a code the
// dialects share means the same outcome in each.
var callbackOutcomes = func() map[int]Outcome {
	m := make(map[int]Outcome)
	for _, codes := range callbackCodes {
		for o, c := range codes {
			if prev, dup := m[c]; dup && prev != o {
				panic(fmt.Sprintf("loyaltywire: callback code %d means two outcomes", c))
			}
			m[c] = o
		}
	}
	return m
}()

// CallbackType returns the dialect and leg a callback's type field names (case and
// surrounding spaces ignored), and whether it names one.
func CallbackType(t string) (Dialect, Leg, bool) {
	if info, ok := callbackTypes[t]; ok {
		return info.dialect, info.leg, true
	}
	for k, info := range callbackTypes {
		if strings.EqualFold(k, strings.TrimSpace(t)) {
			return info.dialect, info.leg, true
		}
	}
	return 0, LegUnknown, false
}

// CallbackOutcome returns the outcome a callback code means in any dialect, and whether
// it is one.
func CallbackOutcome(code int) (Outcome, bool) {
	o, ok := callbackOutcomes[code]
	return o, ok
}

// NewCallback spells a callback in dialect d: the type string for the leg and the code for
// the outcome (OutcomeFailed and OutcomePending have no callback and are refused).
func NewCallback(d Dialect, leg Leg, o Outcome, message string, data Payment) (Callback, error) {
	var typ string
	for k, info := range callbackTypes {
		if info.dialect == d && info.leg == leg {
			typ = k
		}
	}
	if typ == "" {
		return Callback{}, fmt.Errorf("loyaltywire: no callback type for leg %d in dialect %d", leg, d)
	}
	code, ok := callbackCodes[d][o]
	if !ok {
		return Callback{}, fmt.Errorf("loyaltywire: outcome %d has no callback", o)
	}
	return Callback{Type: typ, Code: Int(code), Message: message, Data: data}, nil
}
