package loyalty

// SKELETON: replaced by the full implementation (issue 3). Only the surface other
// files depend on is here.

import (
	"errors"
	"math/big"

	"github.com/holiman/uint256"
)

// Amount is an exact, non-negative count of 10⁻¹⁸ units in the uint256 range.
type Amount struct{ v uint256.Int }

// ParseAmount parses the wire form, a decimal integer string.
func ParseAmount(wire string) (Amount, error) {
	var a Amount
	if err := a.v.SetFromDecimal(wire); err != nil {
		return Amount{}, errors.New("loyalty: invalid amount")
	}
	return a, nil
}

// ToBig returns the amount as a new *big.Int.
func (a Amount) ToBig() *big.Int { return a.v.ToBig() }

// String returns the wire form.
func (a Amount) String() string { return a.v.Dec() }
