package loyalty

// Conversions from the relay's wire values (internal/loyaltywire) to this package's typed
// ones. A field that fails to parse is named in the error with its text redacted and
// bounded: a server may echo a secret into any field.

import (
	"net/http"
	"strconv"

	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/internal/redact"
)

// maxFieldDisplay bounds the quoted text of a field that failed to parse.
const maxFieldDisplay = 40

// fieldError is a wire field that does not hold what its name promises.
type fieldError struct{ msg string }

func (e *fieldError) Error() string { return e.msg }

// badField describes an unparsable field: its text redacted first, then bounded.
func badField(what string, raw string, red *redact.Redactor) error {
	s := loyaltywire.Clean(raw, red)
	if len(s) > maxFieldDisplay {
		s = loyaltywire.Clean(s[:maxFieldDisplay], nil)
		s += "…"
	}
	return &fieldError{msg: "invalid " + what + " " + strconv.Quote(s)}
}

// amountOf parses a wire number as an Amount; "" is zero.
func amountOf(n loyaltywire.Number, red *redact.Redactor) (Amount, error) {
	if n == "" {
		return Amount{}, nil
	}
	a, err := ParseAmount(string(n))
	if err != nil {
		return Amount{}, badField("amount", string(n), red)
	}
	return a, nil
}

// amountField is one typed amount and the wire number it is read from.
type amountField struct {
	dst *Amount
	src loyaltywire.Number
}

// readAmounts reads each field's wire number into its amount, in order, and stops at the
// first that is not an amount.
func readAmounts(red *redact.Redactor, fields ...amountField) error {
	for _, f := range fields {
		var err error
		if *f.dst, err = amountOf(f.src, red); err != nil {
			return err
		}
	}
	return nil
}

func estimateOf(w *loyaltywire.Estimate, red *redact.Redactor) (e Estimate, err error) {
	err = readAmounts(red,
		amountField{&e.PaidPoint, w.PaidPoint}, amountField{&e.PaidToken, w.PaidToken}, amountField{&e.PaidValue, w.PaidValue},
		amountField{&e.FeePoint, w.FeePoint}, amountField{&e.FeeToken, w.FeeToken}, amountField{&e.FeeValue, w.FeeValue},
		amountField{&e.TotalPoint, w.TotalPoint}, amountField{&e.TotalToken, w.TotalToken}, amountField{&e.TotalValue, w.TotalValue},
	)
	return e, err
}

// paymentOf converts the wire payment to the typed one. createTimestamp and
// cancelTimestamp (document's item) fill OpenedAt and CancelOpenedAt when the relay's
// open timestamps are absent.
func paymentOf(w *loyaltywire.Payment, red *redact.Redactor) (*Payment, error) {
	p := &Payment{
		ID:          w.PaymentID,
		PurchaseID:  w.PurchaseID,
		Currency:    w.Currency,
		ShopID:      w.ShopID,
		Account:     w.Account,
		LoyaltyType: LoyaltyType(w.LoyaltyType),
		Status:      PaymentStatus(w.PaymentStatus),
		TxHash:      w.TxHash,
	}
	if p.Status == 0 {
		p.Status = PaymentStatus(w.Status)
	}
	if err := readAmounts(red, amountField{&p.Amount, w.Amount}, amountField{&p.Balance, w.Balance}); err != nil {
		return nil, err
	}
	var err error
	if p.Estimate, err = estimateOf(&w.Estimate, red); err != nil {
		return nil, err
	}
	p.OpenedAt = loyaltywire.Time(w.OpenNewTimestamp)
	if p.OpenedAt.IsZero() {
		p.OpenedAt = loyaltywire.Time(w.CreateTimestamp)
	}
	p.ClosedAt = loyaltywire.Time(w.CloseNewTimestamp)
	p.CancelOpenedAt = loyaltywire.Time(w.OpenCancelTimestamp)
	if p.CancelOpenedAt.IsZero() {
		p.CancelOpenedAt = loyaltywire.Time(w.CancelTimestamp)
	}
	p.CancelClosedAt = loyaltywire.Time(w.CloseCancelTimestamp)
	return p, nil
}

// dataError is the CodeDecode error of a success answer whose data the client cannot
// turn into its typed value: lost, as the answer is unusable.
func dataError(op string, err error) *Error {
	return &Error{Op: opName(op), HTTPStatus: http.StatusOK, Code: CodeDecode, Message: err.Error(), idempotent: idempotentOp(opName(op))}
}

func (c *Client) decodePayment(op string, w *loyaltywire.Payment) (*Payment, error) {
	p, err := paymentOf(w, c.red)
	if err != nil {
		return nil, dataError(op, err)
	}
	return p, nil
}
