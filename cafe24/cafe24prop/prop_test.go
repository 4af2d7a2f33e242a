package cafe24prop_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/poskit/poskit/cafe24/cafe24prop"
)

func TestNeverLockedOut(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cafe24prop.CheckNeverLockedOut(t, cafe24prop.ScenarioGen(3, 12, 30).Draw(t, "scenario"))
	})
}
