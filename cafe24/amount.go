package cafe24

import "github.com/shopspring/decimal"

// MaxPointsAmount is the largest amount one points adjustment may move.
const MaxPointsAmount = 1_000_000

// ValidateAmount checks a points amount before anything is sent: it must be greater than
// zero, at most MaxPointsAmount and have at most two decimals ("10.5", "10.50"; not
// "10.505"). A refusal is an *Error with CodeInvalidInput and Op "cafe24.AdjustPoints".
func ValidateAmount(amount decimal.Decimal) error {
	const op = "cafe24.AdjustPoints"
	switch {
	case amount.Sign() <= 0:
		return invalidInput(op, "amount must be greater than 0")
	case amount.GreaterThan(decimal.NewFromInt(MaxPointsAmount)):
		return invalidInput(op, "amount must be at most 1000000")
	case !amount.Equal(amount.Truncate(2)):
		return invalidInput(op, "amount must have at most two decimals")
	}
	return nil
}

// formatAmount writes a validated amount as Cafe24 expects it: "10.00".
func formatAmount(amount decimal.Decimal) string { return amount.StringFixed(2) }
