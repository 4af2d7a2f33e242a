package loyalty

import (
	"strings"

	"github.com/poskit/poskit/internal/loyaltywire"
)

// Argument checks run before any request is sent; a failure is an *Error with
// CodeInvalidInput whose Field is the argument's wire name. They follow the
// relay's own express-validator rules (account isEthereumAddress, shopId and
// paymentId /^(0x)[0-9a-f]{64}$/i, signature /^(0x)[0-9a-f]{130}$/i).

func isHexString(s string, digits int) bool {
	if len(s) != 2+digits || (s[0] != '0') || (s[1] != 'x' && s[1] != 'X') {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// IsAccount reports whether s is a wallet address: "0x" and 40 hex digits.
func IsAccount(s string) bool { return isHexString(s, 40) }

// IsBytes32 reports whether s is a shop id or payment id: "0x" and 64 hex digits.
func IsBytes32(s string) bool { return isHexString(s, 64) }

// IsSignature reports whether s is a wallet signature: "0x" and 130 hex digits
// (65 bytes r‖s‖v).
func IsSignature(s string) bool { return isHexString(s, 130) }

func checkAccount(op, field, v string) error {
	if !IsAccount(v) {
		return invalidInput(op, field, "must be 0x followed by 40 hex digits")
	}
	return nil
}

func checkBytes32(op, field, v string) error {
	if !IsBytes32(v) {
		return invalidInput(op, field, "must be 0x followed by 64 hex digits")
	}
	return nil
}

func checkSignature(op, v string) error {
	if !IsSignature(v) {
		// Never echo the value: a signature is a credential for one approval.
		return invalidInput(op, loyaltywire.ParamSignature, "must be 0x followed by 130 hex digits")
	}
	return nil
}

func checkNonEmpty(op, field, v string) error {
	if strings.TrimSpace(v) == "" {
		return invalidInput(op, field, "must not be empty")
	}
	return nil
}

func checkPositive(op, field string, a Amount) error {
	if a.String() == "0" {
		return invalidInput(op, field, "must be greater than zero")
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
