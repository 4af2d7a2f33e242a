package pointpay

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/keylock"
	"github.com/poskit/poskit/internal/pointpaywire"
)

// Clock is the clock the receiver reads (for the credit lease and record times);
// mock.Clock is a fake one.
type Clock = clockx.Clock

// Timer is the timer a Clock hands out.
type Timer = clockx.Timer

// CreditFunc credits one genuine conversion to the member: r.Price points to r.MemberID.
// r.OrderNo is its idempotency key: the receiver calls it once per order number, except
// that it calls again (with the same r) after a failure or after a crash that left the
// outcome unknown. A CreditFunc keyed by r.OrderNo (as the Cafe24 bridge is: a second
// call with a key already applied does nothing and returns nil) makes the whole chain
// exactly-once. It runs with the request's values but not its cancellation (a dropped
// PointPay connection does not abort a half-done credit): bound its own time.
type CreditFunc func(ctx context.Context, r Result) error

// Defaults of a Receiver.
const (
	// DefaultMaxBodyBytes caps a callback body (the form is a few hundred bytes).
	DefaultMaxBodyBytes = 8 << 10
	// DefaultCreditLease is how long a "crediting" record found by a resend is taken for
	// a credit still running elsewhere (another replica); after it, the resend takes over
	// (the case of a crash between credit and record). Modelled: PointPay's resend
	// schedule is not documented.
	DefaultCreditLease = 2 * time.Minute
)

// Option configures NewReceiver. Options cannot fail; NewReceiver checks the values.
type Option func(*config)

type config struct {
	clock      Clock
	logger     *slog.Logger
	maxBody    int64
	allowed    []netip.Prefix
	sourceAddr func(*http.Request) (netip.Addr, bool)
	hook       func(context.Context, *Error)
	lease      time.Duration
	ackDup     bool
}

// WithClock sets the clock (default the wall clock).
func WithClock(c Clock) Option { return func(cf *config) { cf.clock = c } }

// WithLogger logs refusals and failures at warn, credits and duplicates at debug. Member
// ids are masked ("ab***(8)"), the media id is never logged. Silent by default.
func WithLogger(l *slog.Logger) Option { return func(cf *config) { cf.logger = l } }

// WithMaxBodyBytes caps the callback body (default DefaultMaxBodyBytes); a larger body
// is answered 413 "202|-|body too large".
func WithMaxBodyBytes(n int64) Option { return func(cf *config) { cf.maxBody = n } }

// WithAllowedSources accepts callbacks only from these networks (PointPay's servers):
// others are refused as forged before the body is read. The callback is unsigned and the
// media id is public (it is in the popup URL), so this list is the only check a forger
// cannot pass by reading the shop's page. Default: any source.
func WithAllowedSources(prefixes ...netip.Prefix) Option {
	return func(cf *config) { cf.allowed = append(cf.allowed, prefixes...) }
}

// WithSourceAddr tells the allow-list where a request comes from (default: the host of
// r.RemoteAddr). Behind a proxy, read the proxy's header here; ok=false refuses.
func WithSourceAddr(f func(r *http.Request) (addr netip.Addr, ok bool)) Option {
	return func(cf *config) { cf.sourceAddr = f }
}

// WithErrorHook calls f for every callback not answered "201" and for a store failure
// after a credit (CodeStore): forged, conflicting (same order number, other amount),
// duplicate, invalid, busy, failed credits. f runs on the request's goroutine; keep it
// short.
func WithErrorHook(f func(ctx context.Context, err *Error)) Option {
	return func(cf *config) { cf.hook = f }
}

// WithCreditLease sets DefaultCreditLease's value.
func WithCreditLease(d time.Duration) Option { return func(cf *config) { cf.lease = d } }

// WithAcknowledgeDuplicates answers "201" instead of "202|-|duplicate rw_orderno" to a
// resend of an order already credited with the same member and amount (the hook still
// sees CodeDuplicate). Use it if PointPay treats a "202" to a resend whose first "201"
// was lost as a failed conversion. Modelled: the guide names a duplicate as a "202"
// reason, which is the default.
func WithAcknowledgeDuplicates() Option { return func(cf *config) { cf.ackDup = true } }

// Receiver receives PointPay's result callbacks: an http.Handler to mount at the RETURN
// URL given to PointPay. See the package doc (Callback, Idempotency) for what it answers.
type Receiver struct {
	mediaID string
	store   Store
	credit  CreditFunc
	cfg     config

	inflight keylock.Map[string] // order numbers being handled by this process
}

const (
	newReceiverOp = "pointpay.NewReceiver"
	receiverOp    = "pointpay.Receiver"
)

// NewReceiver returns a receiver for the merchant's media id that records conversions in
// store and credits them with credit. Failures are *Error with CodeInvalidInput: an empty
// or malformed media id, a nil store or credit, a non-positive body cap or lease, an
// invalid prefix.
func NewReceiver(mediaID string, store Store, credit CreditFunc, opts ...Option) (*Receiver, error) {
	cfg := config{maxBody: DefaultMaxBodyBytes, lease: DefaultCreditLease}
	for _, o := range opts {
		o(&cfg)
	}
	if err := checkPopupValue(pointpaywire.ParamACode, mediaID, pointpaywire.MaxMediaIDLen); err != nil {
		err.Op = newReceiverOp
		return nil, err
	}
	switch {
	case store == nil:
		return nil, invalid(newReceiverOp, "store", "nil")
	case credit == nil:
		return nil, invalid(newReceiverOp, "credit", "nil")
	case cfg.maxBody <= 0:
		return nil, invalid(newReceiverOp, "max body bytes", "not positive")
	case cfg.lease <= 0:
		return nil, invalid(newReceiverOp, "credit lease", "not positive")
	}
	for _, p := range cfg.allowed {
		if !p.IsValid() {
			return nil, invalid(newReceiverOp, "allowed sources", "invalid prefix")
		}
	}
	cfg.clock = clockx.Or(cfg.clock)
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.sourceAddr == nil {
		cfg.sourceAddr = remoteAddr
	}
	return &Receiver{mediaID: mediaID, store: store, credit: credit, cfg: cfg}, nil
}

// String describes the receiver without its media id.
func (rv *Receiver) String() string {
	return fmt.Sprintf("pointpay.Receiver{store: %T, allowedSources: %d}", rv.store, len(rv.cfg.allowed))
}

// GoString is String, so %#v does not print the media id either.
func (rv *Receiver) GoString() string { return rv.String() }

// LogValue is String for slog.
func (rv *Receiver) LogValue() slog.Value { return slog.StringValue(rv.String()) }

func remoteAddr(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		a, err := netip.ParseAddr(r.RemoteAddr)
		return a.Unmap(), err == nil
	}
	return ap.Addr().Unmap(), true
}

// ServeHTTP handles one result callback (POST, form body) and answers in plain text:
//
//   - "201" (HTTP 200) when the conversion is credited now;
//   - "202|-|<reason>" (HTTP 200) when it is refused — invalid field, forged rw_a_code or
//     source, an order number already credited (duplicate) or reused with another member
//     or amount (conflict), one being credited right now (busy), or when the credit
//     function or the store failed (PointPay resends, and the resend finishes the job);
//   - "202|-|method not allowed" with HTTP 405 for another method, and
//     "202|-|body too large" with HTTP 413 for a body over the cap.
//
// Modelled: the guide fixes the texts, not the HTTP statuses.
func (rv *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, ans, err := rv.serve(r)
	if err != nil {
		err.HTTPStatus = status
		if rv.cfg.hook != nil {
			rv.cfg.hook(r.Context(), err)
		}
	}
	h := w.Header()
	h.Set("Content-Type", pointpaywire.AnswerContentType)
	h.Set("Cache-Control", "no-store")
	if status == http.StatusMethodNotAllowed {
		h.Set("Allow", http.MethodPost)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, ans.String())
}

func refuse(code Code, reason, msg string) (Answer, *Error) {
	return Answer{Reason: reason}, &Error{Op: receiverOp, Code: code, Message: msg, outcome: apierr.Refused}
}

func (rv *Receiver) serve(r *http.Request) (int, Answer, *Error) {
	log := rv.cfg.logger
	if r.Method != http.MethodPost {
		a, e := refuse(CodeMethod, pointpaywire.ReasonMethod, "method "+r.Method)
		return http.StatusMethodNotAllowed, a, e
	}
	if len(rv.cfg.allowed) > 0 {
		addr, ok := rv.cfg.sourceAddr(r)
		if !ok || !rv.allowedSource(addr) {
			log.Warn("pointpay callback refused: source not allowed", "source", addr.String())
			a, e := refuse(CodeForged, pointpaywire.ReasonForgedSource, "source "+addr.String()+" not allowed")
			return http.StatusOK, a, e
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, rv.cfg.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			log.Warn("pointpay callback refused: body too large", "limit", rv.cfg.maxBody)
			a, e := refuse(CodeTooLarge, pointpaywire.ReasonTooLarge, "body over "+fmt.Sprint(rv.cfg.maxBody)+" bytes")
			return http.StatusRequestEntityTooLarge, a, e
		}
		a, e := refuse(CodeInvalidInput, pointpaywire.ReasonUnreadable, "cannot read body")
		e.Err = err
		return http.StatusOK, a, e
	}
	res, err := ParseResult(body)
	if err != nil {
		pe, _ := codeOf(err)
		field, _, _ := strings.Cut(pe.Message, ":")
		log.Warn("pointpay callback refused: invalid", "error", pe.Message)
		a, e := refuse(CodeInvalidInput, pointpaywire.ReasonInvalid+field, pe.Message)
		return http.StatusOK, a, e
	}
	if subtle.ConstantTimeCompare([]byte(res.MediaCode), []byte(rv.mediaID)) != 1 {
		log.Warn("pointpay callback refused: unknown rw_a_code", "orderno", res.OrderNo)
		a, e := refuse(CodeForged, pointpaywire.ReasonForgedMedia, "rw_orderno "+res.OrderNo+": rw_a_code is not the configured media id")
		return http.StatusOK, a, e
	}
	a, e := rv.deliver(r.Context(), res)
	return http.StatusOK, a, e
}

func (rv *Receiver) allowedSource(a netip.Addr) bool {
	for _, p := range rv.cfg.allowed {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// deliver records and credits one genuine result; see the package doc's Idempotency.
func (rv *Receiver) deliver(ctx context.Context, res Result) (Answer, *Error) {
	log := rv.cfg.logger
	key := res.OrderNo
	unlock, err := rv.inflight.Lock(ctx, key)
	if err != nil { // the first delivery outlasted this request
		return refuse(CodeBusy, pointpaywire.ReasonBusy, "rw_orderno "+key+": being credited")
	}
	defer unlock()

	now := rv.cfg.clock.Now()
	rec := Record{Result: res, State: StateCrediting, Attempts: 1, UpdatedAt: now}
	stored, created, err := rv.store.Create(ctx, rec)
	if err != nil {
		log.Warn("pointpay callback: store failed before credit", "orderno", key, "error", err.Error())
		a, e := refuse(CodeStore, pointpaywire.ReasonStoreFailed, "rw_orderno "+key+": recording failed")
		e.Err = err
		return a, e
	}
	if !created {
		if stored.Result.Price != res.Price || stored.Result.MemberID != res.MemberID {
			log.Warn("pointpay callback refused: rw_orderno reused with other values",
				"orderno", key, "price", res.Price, "recorded_price", stored.Result.Price,
				"member_differs", stored.Result.MemberID != res.MemberID)
			return refuse(CodeConflict, pointpaywire.ReasonConflict, fmt.Sprintf("rw_orderno %s: price %d or member differs from the recorded conversion (price %d)", key, res.Price, stored.Result.Price))
		}
		switch {
		case stored.State == StateCredited:
			log.Debug("pointpay callback duplicate", "result", res)
			a, e := refuse(CodeDuplicate, pointpaywire.ReasonDuplicate, "rw_orderno "+key+": already credited")
			if rv.cfg.ackDup {
				a = Answer{OK: true}
			}
			return a, e
		case stored.State == StateCrediting && now.Sub(stored.UpdatedAt) < rv.cfg.lease:
			log.Debug("pointpay callback busy", "orderno", key)
			return refuse(CodeBusy, pointpaywire.ReasonBusy, "rw_orderno "+key+": being credited elsewhere")
		}
		next := stored
		next.State, next.Attempts, next.UpdatedAt = StateCrediting, stored.Attempts+1, now
		ok, err := rv.store.Swap(ctx, stored, next)
		if err != nil {
			a, e := refuse(CodeStore, pointpaywire.ReasonStoreFailed, "rw_orderno "+key+": recording failed")
			e.Err = err
			return a, e
		}
		if !ok {
			return refuse(CodeBusy, pointpaywire.ReasonBusy, "rw_orderno "+key+": taken by another receiver")
		}
		log.Debug("pointpay callback: crediting again", "orderno", key, "attempt", next.Attempts, "was", stored.State.String())
		rec = next
	}

	bg := context.WithoutCancel(ctx)
	cerr := rv.callCredit(bg, rec.Result)
	done := rec
	done.UpdatedAt = rv.cfg.clock.Now()
	if cerr != nil {
		done.State, done.LastError = StateFailed, bounded(cerr.Error(), 200)
		if _, err := rv.store.Swap(bg, rec, done); err != nil {
			log.Warn("pointpay callback: store failed after a failed credit", "orderno", key, "error", err.Error())
		}
		log.Warn("pointpay callback: credit failed", "result", rec.Result, "attempt", rec.Attempts, "error", cerr.Error())
		return Answer{Reason: pointpaywire.ReasonCreditFailed}, &Error{Op: receiverOp, Code: CodeCreditFailed,
			Message: "rw_orderno " + key + ": credit failed", Err: cerr, outcome: apierr.Lost}
	}
	done.State = StateCredited
	if ok, err := rv.store.Swap(bg, rec, done); err != nil || !ok {
		// The member is credited; the record still says "crediting". Answer 201 (the
		// conversion is done); a resend after the lease, or reconciliation, finishes the
		// record through the keyed credit function.
		if err == nil {
			err = errors.New("record changed during the credit")
		}
		log.Warn("pointpay callback: credited but not recorded", "orderno", key, "error", err.Error())
		if rv.cfg.hook != nil {
			rv.cfg.hook(ctx, &Error{Op: receiverOp, HTTPStatus: http.StatusOK, Code: CodeStore,
				Message: "rw_orderno " + key + ": credited, record not updated", Err: err, outcome: apierr.Lost})
		}
	}
	log.Debug("pointpay callback credited", "result", rec.Result, "attempt", rec.Attempts)
	return Answer{OK: true}, nil
}

// callCredit runs the credit function, turning a panic into an error (the record then
// says "failed" and the resend tries again, instead of staying "crediting").
func (rv *Receiver) callCredit(ctx context.Context, r Result) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("credit function panicked: %v", p)
		}
	}()
	return rv.credit(ctx, r)
}

func bounded(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
