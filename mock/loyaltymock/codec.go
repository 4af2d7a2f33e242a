package loyaltymock

// The fake's side of the wire: how a request is read (query, JSON or form body, trimmed
// as the relay's validators do), checked (express-validator style issues, code 2001) and
// answered (the envelope), as the mock.Codec its typed handlers use.

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
)

// codec is the relay's wire format as the fake speaks it (mock.Codec): a handler's input
// is the request's parameters in a *validator, its answer a success envelope, its error
// (an *opError) an error envelope.
type codec struct{}

func (codec) Decode(r *http.Request, body []byte, v any) error {
	p, e := parseParams(r, body)
	if e != nil {
		return e
	}
	*(v.(**validator)) = &validator{p: p, loc: location(r), r: r}
	return nil
}

func (codec) Answer(w http.ResponseWriter, v any) { ok(w, v) }

func (codec) Refuse(w http.ResponseWriter, err error) {
	var e *opError
	if !errors.As(err, &e) {
		e = fail(loyalty.CodeServerError)
	}
	refuse(w, e)
}

// handler adapts a typed handler of the fake to the base's router.
func handler(h func(v *validator) (any, error)) mock.HandlerFunc {
	return mock.Typed(codec{}, func(_ *http.Request, v *validator) (any, error) { return h(v) })
}

// notFound answers a path no route matches as the relay's express app does.
func notFound(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "Cannot "+r.Method+" "+r.URL.Path, http.StatusNotFound)
}

// num is an amount's wire form.
func num(a loyalty.Amount) loyaltywire.Number { return loyaltywire.Number(a.String()) }

// wirePayment returns the wire form of a payment, with the relay's field spellings
// (paymentStatus, open/close timestamps).
func wirePayment(p *loyalty.Payment) loyaltywire.Payment {
	e := p.Estimate
	return loyaltywire.Payment{
		PaymentID:   p.ID,
		PurchaseID:  p.PurchaseID,
		Amount:      num(p.Amount),
		Currency:    p.Currency,
		ShopID:      p.ShopID,
		Account:     p.Account,
		LoyaltyType: loyaltywire.Int(p.LoyaltyType),
		Estimate: loyaltywire.Estimate{
			PaidPoint: num(e.PaidPoint), PaidToken: num(e.PaidToken), PaidValue: num(e.PaidValue),
			FeePoint: num(e.FeePoint), FeeToken: num(e.FeeToken), FeeValue: num(e.FeeValue),
			TotalPoint: num(e.TotalPoint), TotalToken: num(e.TotalToken), TotalValue: num(e.TotalValue),
		},
		PaymentStatus:        loyaltywire.Int(p.Status),
		OpenNewTimestamp:     loyaltywire.Unix(p.OpenedAt),
		CloseNewTimestamp:    loyaltywire.Unix(p.ClosedAt),
		OpenCancelTimestamp:  loyaltywire.Unix(p.CancelOpenedAt),
		CloseCancelTimestamp: loyaltywire.Unix(p.CancelClosedAt),
		TxHash:               p.TxHash,
	}
}

func writeFault(w http.ResponseWriter, f mock.Fault) {
	code := loyalty.CodeServerError
	if n, err := strconv.Atoi(f.Code); err == nil {
		code = loyalty.Code(n)
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	msg := f.Message
	if msg == "" {
		msg = relayMessage(code)
	}
	writeEnvelope(w, status, loyaltywire.NewError(int(code), msg))
}

func writeEnvelope(w http.ResponseWriter, status int, env loyaltywire.Envelope) {
	b, err := json.Marshal(env)
	if err != nil {
		b = []byte(`{"code":9000,"error":{"message":"Unknown Error"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	b = append(b, '\n')
	_, _ = w.Write(b)
}

func ok(w http.ResponseWriter, data any) {
	writeEnvelope(w, http.StatusOK, loyaltywire.NewSuccess(data))
}

func refuse(w http.ResponseWriter, e *opError) {
	msg := e.msg
	if msg == "" {
		msg = relayMessage(e.code)
	}
	writeEnvelope(w, http.StatusOK, loyaltywire.NewError(int(e.code), msg, e.validation...))
}

// relayMessage is the relay's text for a code, character for character
// (loyaltywire.Messages, from the relay's Errors.ts); "Unknown Error" for a code it has
// none for.
func relayMessage(c loyalty.Code) string { return loyaltywire.Message(int(c)) }

// params are the request's fields, from the query (GET) or the body (JSON
// or form-encoded), trimmed as the relay's validators do.
type params map[string]string

func parseParams(r *http.Request, body []byte) (params, error) {
	p := params{}
	if r.Method == http.MethodGet {
		p.addFirst(r.URL.Query())
		return p, nil
	}
	ct := r.Header.Get("Content-Type")
	trimmed := strings.TrimSpace(string(body))
	switch {
	case trimmed == "":
		return p, nil
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded") || (!strings.HasPrefix(trimmed, "{") && !strings.Contains(ct, "json")):
		vals, err := url.ParseQuery(trimmed)
		if err != nil {
			return nil, badBody()
		}
		p.addFirst(vals)
	default:
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(trimmed), &m); err != nil {
			return nil, badBody()
		}
		for k, raw := range m {
			var str string
			switch {
			case string(raw) == "null":
				continue
			case json.Unmarshal(raw, &str) == nil:
				p[k] = loyaltywire.TrimJS(str)
			default:
				p[k] = loyaltywire.TrimJS(string(raw))
			}
		}
	}
	return p, nil
}

// addFirst sets each key of vals to its first value, trimmed.
func (p params) addFirst(vals url.Values) {
	for k, v := range vals {
		if len(v) > 0 {
			p[k] = loyaltywire.TrimJS(v[0])
		}
	}
}

func badBody() *opError {
	return &opError{code: loyalty.CodeInvalidParameters, validation: []loyaltywire.Validation{
		{Type: "field", Msg: "body is neither JSON nor form-encoded", Path: "body", Location: "body"}}}
}

// validator collects express-validator style issues.
type validator struct {
	p      params
	loc    string
	r      *http.Request
	issues []loyaltywire.Validation
}

func (v *validator) bad(field string) {
	v.issues = append(v.issues, loyaltywire.Validation{Type: "field", Msg: "Invalid value", Path: field, Location: v.loc})
}

func (v *validator) exists(field string) string {
	val, ok := v.p[field]
	if !ok {
		v.bad(field)
	}
	return val
}

func (v *validator) check(field string, okf func(string) bool) string {
	val, ok := v.p[field]
	if !ok || !okf(val) {
		v.bad(field)
	}
	return val
}

// isDigits is the relay's amount check, Validation.isAmount: /^(\+)?([0-9]+)$/ (dms-osx
// packages/relay/src/utils/Utils.ts lines 18–20), so "0" and "+5" pass.
func isDigits(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// flag reads a "true"/"false" field; required says whether it must be there,
// def is its value when absent.
func (v *validator) flag(field string, required, def bool) bool {
	val, ok := v.p[field]
	if !ok {
		if required {
			v.bad(field)
		}
		return def
	}
	switch strings.ToLower(val) {
	case "true":
		return true
	case "false":
		return false
	}
	v.bad(field)
	return def
}

// failed returns the validation's refusal, or nil (an untyped nil error) when every
// check passed.
func (v *validator) failed() error {
	if len(v.issues) == 0 {
		return nil
	}
	return &opError{code: loyalty.CodeInvalidParameters, validation: v.issues}
}

func location(r *http.Request) string {
	if r.Method == http.MethodGet {
		return "query"
	}
	return "body"
}
