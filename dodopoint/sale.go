package dodopoint

import (
	"fmt"
	"math/bits"
	"time"
	"unicode/utf8"
)

// Limits of a Sale.
const (
	MaxPaymentIDLen = 64   // bytes of a payment id
	MaxItems        = 1000 // line items of one sale
	MaxItemNameLen  = 200  // bytes of an item name (UTF-8)
)

// Sale is the sales data of one payment, passed to the assist program with a claim so it
// can set the points. The POS makes up PaymentID, unique per payment; it is the key of
// every rule of this package (see Outbox.Claim).
type Sale struct {
	// PaymentID identifies the payment: 1–64 printable ASCII characters (0x20–0x7E).
	PaymentID string
	// Total is the amount paid in won; > 0.
	Total int64
	// PaidAt is when the payment was made; not zero.
	PaidAt time.Time
	// Items are the optional line items. When present, the sum of UnitPrice × Quantity
	// must equal Total.
	Items []Item
}

// Item is one line of a sale.
type Item struct {
	Name      string // non-empty UTF-8, at most MaxItemNameLen bytes
	UnitPrice int64  // won; may be negative (a discount line)
	Quantity  int64  // ≥ 1
}

// ValidatePaymentID checks a payment id: 1–64 printable ASCII characters. It returns an
// *Error with CodeInvalidInput.
func ValidatePaymentID(id string) error { return checkID("dodopoint.ValidatePaymentID", id) }

func checkID(op, id string) error {
	if id == "" {
		return newError(op, CodeInvalidInput, "payment id is empty", nil)
	}
	if len(id) > MaxPaymentIDLen {
		return newError(op, CodeInvalidInput, fmt.Sprintf("payment id is %d bytes long, more than %d", len(id), MaxPaymentIDLen), nil)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x20 || c > 0x7e {
			return newError(op, CodeInvalidInput, fmt.Sprintf("payment id has a non-printable byte 0x%02x at %d", c, i), nil)
		}
	}
	return nil
}

// Validate checks the sale before it is queued: the payment id, a total > 0, a paid-at
// time, and line items that are well formed and sum to the total without overflow. It
// returns an *Error with CodeInvalidInput.
func (s Sale) Validate() error { return s.check("dodopoint.Sale.Validate") }

func (s Sale) check(op string) error {
	if err := checkID(op, s.PaymentID); err != nil {
		return err
	}
	if s.Total <= 0 {
		return newError(op, CodeInvalidInput, fmt.Sprintf("total %d won is not > 0", s.Total), nil)
	}
	if s.PaidAt.IsZero() {
		return newError(op, CodeInvalidInput, "paid-at time is missing", nil)
	}
	if y := s.PaidAt.Year(); y < 1970 || y > 2200 {
		return newError(op, CodeInvalidInput, fmt.Sprintf("paid-at year %d is out of range 1970–2200", y), nil)
	}
	if len(s.Items) == 0 {
		return nil
	}
	if len(s.Items) > MaxItems {
		return newError(op, CodeInvalidInput, fmt.Sprintf("%d items, more than %d", len(s.Items), MaxItems), nil)
	}
	var sum int64
	for i, it := range s.Items {
		if it.Name == "" || len(it.Name) > MaxItemNameLen || !utf8.ValidString(it.Name) {
			return newError(op, CodeInvalidInput, fmt.Sprintf("item %d: name must be 1–%d bytes of UTF-8", i, MaxItemNameLen), nil)
		}
		if it.Quantity < 1 {
			return newError(op, CodeInvalidInput, fmt.Sprintf("item %d: quantity %d is not ≥ 1", i, it.Quantity), nil)
		}
		line, ok := mulInt64(it.UnitPrice, it.Quantity)
		if !ok {
			return newError(op, CodeInvalidInput, fmt.Sprintf("item %d: price × quantity overflows", i), nil)
		}
		if sum, ok = addInt64(sum, line); !ok {
			return newError(op, CodeInvalidInput, "sum of items overflows", nil)
		}
	}
	if sum != s.Total {
		return newError(op, CodeInvalidInput, fmt.Sprintf("items sum to %d won, total is %d", sum, s.Total), nil)
	}
	return nil
}

// equal reports whether two sales carry the same data (times compared as instants). A
// sale whose items were compacted away (nil) matches on id, total and time only.
func (s Sale) equal(o Sale, compacted bool) bool {
	if s.PaymentID != o.PaymentID || s.Total != o.Total || !s.PaidAt.Equal(o.PaidAt) {
		return false
	}
	if compacted {
		return true
	}
	if len(s.Items) != len(o.Items) {
		return false
	}
	for i := range s.Items {
		if s.Items[i] != o.Items[i] {
			return false
		}
	}
	return true
}

func (s Sale) clone() Sale {
	if s.Items != nil {
		s.Items = append([]Item(nil), s.Items...)
	}
	return s
}

func mulInt64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	neg := (a < 0) != (b < 0)
	ua, ub := absU(a), absU(b)
	hi, lo := bits.Mul64(ua, ub)
	if hi != 0 {
		return 0, false
	}
	if neg {
		if lo > 1<<63 {
			return 0, false
		}
		return int64(-lo), true //nolint:gosec // bounded above
	}
	if lo > 1<<63-1 {
		return 0, false
	}
	return int64(lo), true
}

func absU(a int64) uint64 {
	if a < 0 {
		return uint64(-(a + 1)) + 1
	}
	return uint64(a)
}

func addInt64(a, b int64) (int64, bool) {
	c := a + b
	if (c > a) != (b > 0) {
		return 0, false
	}
	return c, true
}
