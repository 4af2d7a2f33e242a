package loyalty

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

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
	Payment *Payment        // the callback's data, typed; never nil
	Raw     json.RawMessage // the whole body as received
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
// not check an access key (CallbackHandler does). Failures are *Error values
// with CodeDecode (not JSON, bad data) or CodeInvalidInput (unknown type or
// code, missing paymentId); it never panics.
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
	p, err := paymentOf(&wp, red)
	if err != nil {
		return CallbackEvent{}, &Error{Op: callbackOp, Code: CodeDecode, Field: "data", Message: err.Error()}
	}
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

// Defaults of a CallbackHandler.
const (
	DefaultCallbackMaxBytes  = 64 << 10
	DefaultCallbackDedupSize = 4096
)

// CallbackOption configures a CallbackHandler.
type CallbackOption func(*callbackConfig)

type callbackConfig struct {
	maxBytes   int64
	dedupSize  int
	requireKey bool
	logger     *slog.Logger
}

// WithCallbackMaxBytes limits the body size (default 64 KiB); larger bodies are
// answered 413.
func WithCallbackMaxBytes(n int64) CallbackOption {
	return func(c *callbackConfig) {
		if n > 0 {
			c.maxBytes = n
		}
	}
}

// WithCallbackDedupSize sets how many handled (paymentId, leg) pairs are
// remembered to drop duplicates (default 4096; the oldest is forgotten first).
func WithCallbackDedupSize(n int) CallbackOption {
	return func(c *callbackConfig) {
		if n > 0 {
			c.dedupSize = n
		}
	}
}

// WithCallbackLogger logs refused and duplicate deliveries at debug/warn level.
// The access key is never logged. Silent by default.
func WithCallbackLogger(l *slog.Logger) CallbackOption {
	return func(c *callbackConfig) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithCallbackRequireKey refuses (401) callbacks that carry no access key at
// all. By default a keyless callback (the document's dialects carry none) is
// accepted, and a key is checked whenever one is present.
func WithCallbackRequireKey() CallbackOption {
	return func(c *callbackConfig) { c.requireKey = true }
}

// CallbackHandler receives the relay's result callbacks. It is an http.Handler:
//
//   - only POST (405 otherwise); bodies over the limit → 413; not JSON → 400;
//   - a key in the Authorization header or the body's accessKey must equal the
//     configured key (constant-time compare), else 401 and fn is not called;
//   - unknown type or code, or no data.paymentId → 400;
//   - fn is called once per (paymentId, leg): a redelivery of a handled event is
//     answered 200 without calling fn; a redelivery while fn still runs waits
//     for it; 200 is sent only after fn returned nil; if fn fails the answer is
//     500 and the event is not marked handled, so a redelivery calls fn again.
//
// The relay does not retry callbacks; a KIOSK that misses one learns the result
// from PaymentWaiter's polling.
type CallbackHandler struct {
	key string
	red *redact.Redactor
	fn  func(context.Context, CallbackEvent) error
	callbackConfig

	mu      sync.Mutex
	entries map[callbackKey]*callbackEntry
	handled []callbackKey // FIFO of handled keys, at most dedupSize
}

type callbackKey struct {
	paymentID string
	leg       Leg
}

type callbackEntry struct {
	done    chan struct{} // closed when the running fn returns
	handled bool
}

// NewCallbackHandler returns a handler calling fn for each new event. An empty
// accessKey disables the key check (not recommended outside tests).
func NewCallbackHandler(accessKey string, fn func(ctx context.Context, ev CallbackEvent) error, opts ...CallbackOption) *CallbackHandler {
	cfg := callbackConfig{
		maxBytes:  DefaultCallbackMaxBytes,
		dedupSize: DefaultCallbackDedupSize,
		logger:    slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return &CallbackHandler{
		key:            accessKey,
		red:            redact.New(accessKey),
		fn:             fn,
		callbackConfig: cfg,
		entries:        make(map[callbackKey]*callbackEntry),
	}
}

// String describes the handler without its access key.
func (h *CallbackHandler) String() string {
	return "loyalty.CallbackHandler{accessKey: " + redacted(h.key) + "}"
}

// GoString is String, so %#v does not print the key either.
func (h *CallbackHandler) GoString() string { return h.String() }

// Format writes String for every verb, so no verb reaches the key.
func (h *CallbackHandler) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(h.String())) }

// LogValue keeps the key out of slog output.
func (h *CallbackHandler) LogValue() slog.Value { return slog.StringValue(h.String()) }

func redacted(secret string) string {
	if secret == "" {
		return `""`
	}
	return "[REDACTED]"
}

type callbackAnswer struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func answer(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	code := 0
	if status != http.StatusOK {
		code = status
	}
	_ = json.NewEncoder(w).Encode(callbackAnswer{Code: code, Message: msg})
}

func (h *CallbackHandler) keyMatches(got string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(h.key)) == 1
}

// ServeHTTP handles one callback delivery.
func (h *CallbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		answer(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	headerKey, hasHeaderKey := r.Header[loyaltywire.HeaderAuthorization]
	if hasHeaderKey && h.key != "" {
		k := strings.TrimSpace(strings.Join(headerKey, ","))
		k = strings.TrimPrefix(k, "Bearer ")
		if !h.keyMatches(k) {
			h.logger.Warn("loyalty callback refused: wrong access key", "where", "header")
			answer(w, http.StatusUnauthorized, "wrong access key")
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			answer(w, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		answer(w, http.StatusBadRequest, "cannot read body")
		return
	}
	in, err := parseCallbackJSON(body)
	if err != nil {
		answer(w, http.StatusBadRequest, "body is not a JSON object")
		return
	}
	if in.AccessKey != nil && h.key != "" && !h.keyMatches(*in.AccessKey) {
		h.logger.Warn("loyalty callback refused: wrong access key", "where", "body")
		answer(w, http.StatusUnauthorized, "wrong access key")
		return
	}
	if h.requireKey && in.AccessKey == nil && !hasHeaderKey {
		answer(w, http.StatusUnauthorized, "access key required")
		return
	}
	ev, err := callbackEvent(in, body, h.red)
	if err != nil {
		h.logger.Warn("loyalty callback refused", "error", h.red.String(err.Error()))
		answer(w, http.StatusBadRequest, "unrecognised callback")
		return
	}
	status, msg := h.deliver(r.Context(), ev)
	answer(w, status, msg)
}

// deliver runs fn at most once per (paymentId, leg) that succeeded.
func (h *CallbackHandler) deliver(ctx context.Context, ev CallbackEvent) (int, string) {
	k := callbackKey{paymentID: strings.ToLower(ev.Payment.ID), leg: ev.Leg}
	var e *callbackEntry
	for {
		h.mu.Lock()
		cur, found := h.entries[k]
		if !found {
			e = &callbackEntry{done: make(chan struct{})}
			h.entries[k] = e
			h.mu.Unlock()
			break
		}
		if cur.handled {
			h.mu.Unlock()
			h.logger.Debug("loyalty callback duplicate", "paymentId", h.red.String(ev.Payment.ID), "leg", ev.Leg.String())
			return http.StatusOK, "duplicate"
		}
		done := cur.done
		h.mu.Unlock()
		select {
		case <-done: // the first delivery finished: look again
		case <-ctx.Done():
			return http.StatusServiceUnavailable, "busy"
		}
	}

	ok := false
	defer func() {
		h.mu.Lock()
		if ok {
			e.handled = true
			h.handled = append(h.handled, k)
			for len(h.handled) > h.dedupSize {
				delete(h.entries, h.handled[0])
				h.handled = h.handled[1:]
			}
		} else {
			delete(h.entries, k)
		}
		close(e.done)
		h.mu.Unlock()
	}()
	if h.fn != nil {
		if err := h.fn(ctx, ev); err != nil {
			h.logger.Warn("loyalty callback handler failed", "paymentId", h.red.String(ev.Payment.ID), "leg", ev.Leg.String(), "error", h.red.String(err.Error()))
			return http.StatusInternalServerError, "handler failed"
		}
	}
	ok = true
	return http.StatusOK, "OK"
}
