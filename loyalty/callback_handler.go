package loyalty

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/poskit/poskit/internal/keylock"
	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/internal/redact"
)

// DefaultCallbackMaxBytes is the default body limit of a CallbackHandler.
const DefaultCallbackMaxBytes = 64 << 10

// CallbackOption configures a CallbackHandler.
type CallbackOption func(*callbackConfig)

type callbackConfig struct {
	maxBytes int64
	logger   *slog.Logger
	store    CallbackStore
	clock    Clock
	keyless  PaymentReader
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

// WithCallbackLogger logs refused and duplicate deliveries at debug/warn level. Neither
// the access key nor a fragment of it is ever logged, also when a callback echoes it.
// Silent by default.
func WithCallbackLogger(l *slog.Logger) CallbackOption {
	return func(c *callbackConfig) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithCallbackStore replaces the duplicate memory (default: a MemoryCallbackStore on the
// handler's clock, keeping final legs for DefaultCallbackRetention), for instance with a
// store shared by several KIOSK processes.
func WithCallbackStore(s CallbackStore) CallbackOption {
	return func(c *callbackConfig) {
		if s != nil {
			c.store = s
		}
	}
}

// WithCallbackClock sets the clock of the default duplicate memory (default the wall
// clock; mock.Clock in tests).
func WithCallbackClock(clk Clock) CallbackOption { return func(c *callbackConfig) { c.clock = clk } }

// WithCallbackKeyless accepts callbacks that carry no access key — the source document's
// dialects and old relay versions send none — but never believes them: for each one the
// handler reads the payment from the relay with relay (a *Client) and gives the
// application the relay's answer (CallbackEvent.Confirmed, Outcome and Payment from the
// relay). A keyless callback whose leg the relay does not report as decided is answered
// 409 and not delivered (a PaymentWaiter's polling and its 45 s rule cover the timeout the
// relay does not record); a payment the relay does not know is answered 400. Without this
// option a keyless callback is refused with 401. A callback with a wrong key is refused
// with 401 either way.
func WithCallbackKeyless(relay PaymentReader) CallbackOption {
	return func(c *callbackConfig) { c.keyless = relay }
}

// CallbackHandler receives the relay's result callbacks. It is an http.Handler:
//
//   - only POST (405 otherwise); bodies over the limit → 413; not JSON → 400;
//   - the configured access key must come in the Authorization header (raw or
//     "Bearer …") or the body's accessKey (constant-time compare); a wrong key → 401;
//     no key → 401, unless WithCallbackKeyless, which confirms the callback with the
//     relay before the application hears of it;
//   - unknown type or code, or a data.paymentId that is not 0x and 64 hex digits → 400;
//     the id is canonicalised (trimmed, lower case) before anything else, so spellings
//     of one id are one payment;
//   - fn is called once per (paymentId, leg): a redelivery of a handled event is
//     answered 200 without calling fn; a redelivery while fn still runs waits for it;
//     200 is sent only after fn returned nil; if fn fails the answer is 500 and the event
//     is not marked handled, so a redelivery calls fn again. Only authenticated (or
//     relay-confirmed) callbacks reach the duplicate memory (CallbackStore), which
//     traffic cannot flush.
//
// The relay does not retry callbacks; a KIOSK that misses one learns the result
// from PaymentWaiter's polling.
type CallbackHandler struct {
	key string
	red *redact.Redactor
	fn  func(context.Context, CallbackEvent) error
	callbackConfig

	running keylock.Map[CallbackKey] // one delivery at a time per leg
}

// NewCallbackHandler returns a handler calling fn for each new event, checking accessKey
// (the relay's callbackAccessKey). With an empty accessKey no callback is authenticated:
// all are refused unless WithCallbackKeyless.
func NewCallbackHandler(accessKey string, fn func(ctx context.Context, ev CallbackEvent) error, opts ...CallbackOption) *CallbackHandler {
	cfg := callbackConfig{maxBytes: DefaultCallbackMaxBytes, logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.store == nil {
		cfg.store = NewMemoryCallbackStore(cfg.clock, DefaultCallbackRetention)
	}
	return &CallbackHandler{
		key:            accessKey,
		red:            redact.New(accessKey),
		fn:             fn,
		callbackConfig: cfg,
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

// keyState is what a delivery proved about its sender.
type keyState int

const (
	keyNone  keyState = iota // no key (or no configured key to check one against)
	keyRight                 // every key it carried is the configured one
	keyWrong                 // a key it carried is not
)

func (h *CallbackHandler) keyMatches(got string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(h.key)) == 1
}

// authenticate checks the keys of the header and the body; where says which was wrong.
func (h *CallbackHandler) authenticate(r *http.Request, in *loyaltywire.CallbackIn) (keyState, string) {
	if h.key == "" {
		return keyNone, ""
	}
	st := keyNone
	if vals, ok := r.Header[loyaltywire.HeaderAuthorization]; ok {
		k := strings.TrimPrefix(strings.TrimSpace(strings.Join(vals, ",")), "Bearer ")
		if !h.keyMatches(k) {
			return keyWrong, "header"
		}
		st = keyRight
	}
	if in.AccessKey != nil {
		if !h.keyMatches(*in.AccessKey) {
			return keyWrong, "body"
		}
		st = keyRight
	}
	return st, ""
}

// ServeHTTP handles one callback delivery.
func (h *CallbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		answer(w, http.StatusMethodNotAllowed, "method not allowed")
		return
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
	auth, where := h.authenticate(r, in)
	switch {
	case auth == keyWrong:
		h.logger.Warn("loyalty callback refused: wrong access key", "where", where)
		answer(w, http.StatusUnauthorized, "wrong access key")
		return
	case auth == keyNone && h.keyless == nil:
		h.logger.Warn("loyalty callback refused: no access key")
		answer(w, http.StatusUnauthorized, "access key required")
		return
	}
	ev, err := callbackEvent(in, body, h.red)
	if err != nil {
		h.logger.Warn("loyalty callback refused", "error", h.red.String(err.Error()))
		answer(w, http.StatusBadRequest, "unrecognised callback")
		return
	}
	status, msg := h.deliver(r.Context(), ev, auth == keyNone)
	answer(w, status, msg)
}

// deliver runs fn at most once per (paymentId, leg) that succeeded; a keyless event is
// first replaced by the relay's account of the payment.
func (h *CallbackHandler) deliver(ctx context.Context, ev CallbackEvent, keyless bool) (int, string) {
	k := CallbackKey{PaymentID: ev.Payment.ID, Leg: ev.Leg}
	unlock, err := h.running.Lock(ctx, k)
	if err != nil { // the other delivery of the leg outlasted this request
		return http.StatusServiceUnavailable, "busy"
	}
	defer unlock()
	seen, err := h.store.Seen(ctx, k)
	if err != nil {
		h.logger.Warn("loyalty callback store failed", "error", h.red.String(err.Error()))
		return http.StatusServiceUnavailable, "store unavailable"
	}
	if seen {
		h.logger.Debug("loyalty callback duplicate", "paymentId", k.PaymentID, "leg", k.Leg.String())
		return http.StatusOK, "duplicate"
	}
	if keyless {
		var status int
		var msg string
		if ev, status, msg = h.confirm(ctx, ev); status != http.StatusOK {
			return status, msg
		}
	}
	if h.fn != nil {
		if err := h.fn(ctx, ev); err != nil {
			h.logger.Warn("loyalty callback handler failed", "paymentId", k.PaymentID, "leg", k.Leg.String(), "error", h.red.String(err.Error()))
			return http.StatusInternalServerError, "handler failed"
		}
	}
	if err := h.store.Remember(ctx, k, ev.Payment.Status); err != nil {
		h.logger.Warn("loyalty callback store failed", "error", h.red.String(err.Error()))
	}
	return http.StatusOK, "OK"
}

// confirm reads a keyless callback's payment from the relay: the relay's status decides
// the outcome, and its payment replaces the callback's data.
func (h *CallbackHandler) confirm(ctx context.Context, ev CallbackEvent) (CallbackEvent, int, string) {
	p, err := h.keyless.Payment(ctx, ev.Payment.ID)
	switch {
	case IsNotFound(err):
		h.logger.Warn("loyalty keyless callback refused: unknown payment", "paymentId", ev.Payment.ID)
		return ev, http.StatusBadRequest, "unknown payment"
	case err != nil:
		h.logger.Warn("loyalty keyless callback not confirmed", "paymentId", ev.Payment.ID, "error", h.red.String(err.Error()))
		return ev, http.StatusServiceUnavailable, "cannot confirm with the relay"
	}
	o := p.Status.OutcomeFor(ev.Leg)
	if o == OutcomePending {
		h.logger.Warn("loyalty keyless callback refused: the relay has not decided the leg", "paymentId", ev.Payment.ID, "leg", ev.Leg.String(), "status", p.Status.String())
		return ev, http.StatusConflict, "not confirmed by the relay"
	}
	if id, ok := CanonicalPaymentID(p.ID); ok {
		p.ID = id
	} else {
		p.ID = ev.Payment.ID
	}
	ev.Outcome, ev.Payment, ev.Confirmed = o, p, true
	return ev, http.StatusOK, ""
}
