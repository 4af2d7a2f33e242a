package smartro

import "fmt"

// invalid returns an input-validation error for op.
func invalid(op, format string, args ...any) *Error {
	return &Error{Op: op, Code: CodeInvalidInput, Message: fmt.Sprintf(format, args...)}
}

func checkID(op, what, s string) error {
	if s == "" {
		return invalid(op, "%s is required", what)
	}
	if len(s) > maxIDLen {
		return invalid(op, "%s is longer than %d bytes", what, maxIDLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return invalid(op, "%s contains a control character", what)
		}
	}
	return nil
}

func checkAmount(op, what string, v int64) error {
	if v < 0 {
		return invalid(op, "%s is negative", what)
	}
	if v > MaxAmount {
		return invalid(op, "%s exceeds %d", what, int64(MaxAmount))
	}
	return nil
}

// Validate checks the order as NewOrder would (see Order) and returns *Error with
// CodeInvalidInput, or nil. It sends nothing.
func (o *Order) Validate() error { return o.validate("smartro.Validate", false) }

func (o *Order) validate(op string, additional bool) error {
	if o == nil {
		return invalid(op, "order is nil")
	}
	if err := checkID(op, "merchant order number", o.MerchantOrderNo); err != nil {
		return err
	}
	if !o.Table.valid() {
		return invalid(op, "table floor and table codes are required")
	}
	if len(o.Lines) == 0 {
		return invalid(op, "the basket is empty")
	}
	if len(o.Lines) > MaxLines {
		return invalid(op, "more than %d lines", MaxLines)
	}
	if len(o.Memo) > maxMemoBytes {
		return invalid(op, "memo longer than %d bytes", maxMemoBytes)
	}
	var total int64
	for i, l := range o.Lines {
		if err := checkID(op, fmt.Sprintf("line %d item id", i+1), l.ItemID); err != nil {
			return err
		}
		if l.Count < 1 || l.Count > MaxCount {
			return invalid(op, "line %d count %d is outside 1..%d", i+1, l.Count, MaxCount)
		}
		if err := checkAmount(op, fmt.Sprintf("line %d price", i+1), l.Price); err != nil {
			return err
		}
		unit := l.Price
		for j, a := range l.AddOns {
			if err := checkID(op, fmt.Sprintf("line %d add-on %d id", i+1, j+1), a.ID); err != nil {
				return err
			}
			if a.Count < 0 || a.Count > MaxCount {
				return invalid(op, "line %d add-on %d count %d is outside 0..%d", i+1, j+1, a.Count, MaxCount)
			}
			if err := checkAmount(op, fmt.Sprintf("line %d add-on %d price", i+1, j+1), a.Price); err != nil {
				return err
			}
			unit += a.Price * a.count()
			if unit > MaxAmount {
				return invalid(op, "line %d unit price exceeds %d", i+1, int64(MaxAmount))
			}
		}
		amt := unit * int64(l.Count)
		if amt > MaxAmount {
			return invalid(op, "line %d amount exceeds %d", i+1, int64(MaxAmount))
		}
		total += amt
		if total > MaxAmount {
			return invalid(op, "order amount exceeds %d", int64(MaxAmount))
		}
	}
	if err := checkAmount(op, "discount", o.Discount); err != nil {
		return err
	}
	if o.Discount > total {
		return invalid(op, "discount %d exceeds the original amount %d", o.Discount, total)
	}
	due := total - o.Discount
	switch s := o.Settlement.(type) {
	case nil, Postpaid, *Postpaid:
		return nil
	case Prepaid:
		return checkPayments(op, s.Payments, due, additional)
	case *Prepaid:
		if s == nil {
			return invalid(op, "prepaid settlement is nil")
		}
		return checkPayments(op, s.Payments, due, additional)
	default:
		return invalid(op, "unknown settlement %T", s)
	}
}

func checkPayments(op string, pays []Payment, due int64, additional bool) error {
	if additional {
		return invalid(op, "a prepaid order is sent as one new order; additional orders are postpaid")
	}
	if len(pays) == 0 {
		return invalid(op, "a prepaid order needs at least one payment")
	}
	if len(pays) > MaxPayments {
		return invalid(op, "more than %d payments", MaxPayments)
	}
	var sum int64
	for i, p := range pays {
		n := i + 1
		if p.Kind.wireName() == "" {
			return invalid(op, "payment %d has no valid kind", n)
		}
		if p.Cancelled {
			return invalid(op, "payment %d is marked cancelled", n)
		}
		if p.Amount <= 0 {
			return invalid(op, "payment %d amount must be positive", n)
		}
		for _, f := range []struct {
			what string
			v    int64
		}{{"amount", p.Amount}, {"VAT", p.VAT}, {"service charge", p.ServiceCharge}} {
			if err := checkAmount(op, fmt.Sprintf("payment %d %s", n, f.what), f.v); err != nil {
				return err
			}
		}
		if p.VAT > p.Amount {
			return invalid(op, "payment %d VAT exceeds its amount", n)
		}
		switch p.Kind {
		case PayCard:
			c := p.Card
			if c == nil {
				return invalid(op, "payment %d is a card payment without approval data", n)
			}
			if c.TerminalID == "" || c.AuthNo == "" {
				return invalid(op, "payment %d (card %s) needs the terminal id and approval number", n, c.CardNo)
			}
			if c.Installments < 0 || c.Installments == 1 || c.Installments > 99 {
				return invalid(op, "payment %d (card %s) installments %d: use 0 (lump sum) or 2..99", n, c.CardNo, c.Installments)
			}
			if !digits(c.AuthDate) || !digits(c.AuthTime) {
				return invalid(op, "payment %d (card %s) approval date/time must be digits", n, c.CardNo)
			}
		case PayCash:
			if p.Cash == nil || !p.Cash.StaffConfirmed {
				return invalid(op, "payment %d is cash not confirmed by staff; send cash orders only after staff confirm them", n)
			}
		}
		sum += p.Amount
		if sum > MaxAmount {
			return invalid(op, "payments exceed %d", int64(MaxAmount))
		}
	}
	if sum != due {
		return invalid(op, "payments total %d but the order amount is %d", sum, due)
	}
	return nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// payments returns the prepaid payments, or nil.
func (o *Order) payments() []Payment {
	switch s := o.Settlement.(type) {
	case Prepaid:
		return s.Payments
	case *Prepaid:
		return s.Payments
	}
	return nil
}
