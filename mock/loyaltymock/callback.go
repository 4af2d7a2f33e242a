package loyaltymock

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/internal/redact"
	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
)

// OpCallback is the fault-injection name of the callback the fake POSTs to
// the KIOSK (the one fault name that is not a client method). Fail and DropAnswer lose the callback (it is recorded, not
// sent); Delay sends it after Fault.Delay on the fake clock; Garbage sends
// Fault.Body (default: not JSON) instead of the callback.
const OpCallback = "Callback"

// CallbackRecord is one callback the fake sent (or tried to send) to a KIOSK.
type CallbackRecord struct {
	At        time.Time       // on the fake clock, when it was decided
	URL       string          // where it went
	PaymentID string          // data.paymentId
	Leg       loyalty.Leg     // new or cancel
	Outcome   loyalty.Outcome // approved, denied or timeout
	Code      loyalty.Code    // the code as sent, in the dialect's spelling
	Dialect   loyalty.CallbackDialect
	Body      []byte // the JSON body, its access key (relay dialect) redacted
	sent      []byte // the body as sent, key included (ResendCallback sends it again)
	Status    int    // the KIOSK's HTTP status; 0 when there was no answer
	Err       string // why nothing or no answer came back; "" on an answer
	Duplicate bool   // sent again by ResendCallback
}

// callbackLocked decides the callback of a leg's outcome: once per leg, never
// again (the relay sends exactly one, without retry).
func (s *Server) callbackLocked(p *payment, leg loyalty.Leg, o loyalty.Outcome, msg string) (pendingCallback, bool) {
	if p.cbSent&legBit(leg) != 0 {
		return pendingCallback{}, false
	}
	p.cbSent |= legBit(leg)
	data := wirePayment(&p.p)
	// The relay's callback data carries no timestamps or txHash.
	data.OpenNewTimestamp, data.CloseNewTimestamp, data.OpenCancelTimestamp, data.CloseCancelTimestamp = 0, 0, 0, 0
	data.TxHash = ""
	return pendingCallback{p: p, leg: leg, outcome: o, message: msg, data: data}, true
}

// deliver sends decided callbacks, one POST each, without retry. The lock
// must not be held.
func (s *Server) deliver(cbs []pendingCallback) {
	for _, cb := range cbs {
		s.deliverOne(cb)
	}
}

func (s *Server) deliverOne(cb pendingCallback) {
	s.mu.Lock()
	dialect := s.opts.dialect
	target := s.opts.callbackURL
	key := ""
	if cb.p.key != nil {
		key = cb.p.key.Key
		if cb.p.key.CallbackURL != "" {
			target = cb.p.key.CallbackURL
		}
	}
	s.mu.Unlock()
	wc, err := loyaltywire.NewCallback(loyaltywire.Dialect(dialect), loyaltywire.Leg(cb.leg), loyaltywire.Outcome(cb.outcome), cb.message, cb.data)
	rec := CallbackRecord{
		At: s.clock.Now(), URL: target, PaymentID: cb.data.PaymentID, Leg: cb.leg,
		Outcome: cb.outcome, Code: loyalty.Code(wc.Code), Dialect: dialect,
	}
	if err != nil {
		rec.Err = err.Error()
		s.record(rec, "")
		return
	}
	if dialect == loyalty.CallbackDialectRelay {
		wc.AccessKey = key
	}
	rec.Body, _ = json.Marshal(wc)
	s.send(rec, key)
	s.mu.Lock()
	dup := s.dupCallbacks
	s.mu.Unlock()
	if dup {
		rec.Duplicate = true
		s.send(rec, key)
	}
}

// send posts rec.Body to rec.URL, applying the Callback faults, and records it.
func (s *Server) send(rec CallbackRecord, key string) {
	if rec.URL == "" {
		rec.Err = "no callback URL"
		s.record(rec, key)
		return
	}
	if err := checkLoopback(rec.URL); err != nil {
		rec.Err = err.Error()
		s.record(rec, key)
		return
	}
	if f, ok := s.Faults().Take(OpCallback); ok {
		switch f.Kind {
		case mock.Fail, mock.DropAnswer:
			rec.Err = "lost by an injected fault"
			s.record(rec, key)
			return
		case mock.Garbage:
			rec.Body = f.Body
			if rec.Body == nil {
				rec.Body = []byte("<html>garbage</html>")
			}
		case mock.Delay:
			s.mu.Lock()
			s.inflight++
			s.mu.Unlock()
			go func() {
				defer s.done1()
				if mock.Wait(s.ctx, s.clock, f.Delay) {
					s.post(rec, key)
				}
			}()
			return
		}
	}
	s.post(rec, key)
}

// post sends rec and returns its index in the records.
func (s *Server) post(rec CallbackRecord, key string) int {
	i := s.record(rec, key)
	// Bounded by cbClient's Timeout (callbackTimeout) and the fake's lifetime.
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, rec.URL, bytes.NewReader(rec.Body))
	status, errText := 0, ""
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		if key != "" && rec.Dialect == loyalty.CallbackDialectRelay && s.opts.callbackHeader {
			req.Header.Set(loyaltywire.HeaderAuthorization, key)
		}
		var resp *http.Response
		resp, err = s.cbClient.Do(req)
		if err == nil {
			status = resp.StatusCode
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
	}
	if err != nil {
		errText = err.Error()
	}
	s.mu.Lock()
	s.callbacks[i].Status = status
	s.callbacks[i].Err = errText
	s.mu.Unlock()
	return i
}

// record keeps rec with key (and its 8+ character fragments) redacted from its body.
func (s *Server) record(rec CallbackRecord, key string) int {
	rec.sent = rec.Body
	if key != "" {
		rec.Body = redact.New(key).Bytes(rec.Body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callbacks = append(s.callbacks, rec)
	return len(s.callbacks) - 1
}

func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return errors.New("callback URL is not an http(s) URL")
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("callback URL is not a loopback address")
}

// Callbacks returns every callback sent so far, oldest first, with the
// KIOSK's answer.
func (s *Server) Callbacks() []CallbackRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CallbackRecord, len(s.callbacks))
	copy(out, s.callbacks)
	return out
}

// ResendCallback posts the last callback of a payment's leg again, as a
// duplicate delivery (the relay itself never does; KIOSKs must be
// idempotent). It returns the new record, or false if there was none.
func (s *Server) ResendCallback(paymentID string, leg loyalty.Leg) (CallbackRecord, bool) {
	s.mu.Lock()
	var (
		last  CallbackRecord
		found bool
		key   string
	)
	for i := len(s.callbacks) - 1; i >= 0; i-- {
		if c := s.callbacks[i]; equalFold(c.PaymentID, paymentID) && c.Leg == leg && c.Body != nil {
			last, found = c, true
			break
		}
	}
	if p := s.payments[lower(paymentID)]; p != nil && p.key != nil {
		key = p.key.Key
	}
	s.mu.Unlock()
	if !found {
		return CallbackRecord{}, false
	}
	last.At, last.Status, last.Err, last.Duplicate = s.clock.Now(), 0, "", true
	last.Body = last.sent
	i := s.post(last, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callbacks[i], true
}
