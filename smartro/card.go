package smartro

import (
	"log/slog"

	wire "github.com/poskit/poskit/internal/smartrowire"
)

// CardNumber is a card number (or the cash-receipt / voucher number the same wire field
// carries). It is sent on the wire as given, but String, GoString and LogValue show only
// its last four digits, so %v, %+v, %#v and slog never print it whole.
type CardNumber string

// String returns the masked number.
func (c CardNumber) String() string { return wire.MaskCard(string(c)) }

// GoString returns the masked number, quoted.
func (c CardNumber) GoString() string { return `"` + wire.MaskCard(string(c)) + `"` }

// LogValue returns the masked number for log/slog.
func (c CardNumber) LogValue() slog.Value { return slog.StringValue(wire.MaskCard(string(c))) }

// Masked returns the masked number.
func (c CardNumber) Masked() string { return wire.MaskCard(string(c)) }
