package cafe24prop_test

import (
	"os"
	"testing"

	"pgregory.net/rapid"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/cafe24/cafe24prop"
)

func TestNeverLockedOut(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cafe24prop.CheckNeverLockedOut(t, cafe24prop.ScenarioGen(3, 12, 30).Draw(t, "scenario"))
	})
}

// The same property with every process on its own FileStore handle of one directory: the
// refresh lock is a real flock, the saves real atomic file replacements.
func TestNeverLockedOutFileStore(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		dir, err := os.MkdirTemp(t.TempDir(), "prop")
		if err != nil {
			rt.Fatalf("%v", err)
		}
		sc := cafe24prop.ScenarioGen(3, 6, 12).Draw(rt, "scenario")
		cafe24prop.CheckNeverLockedOutOn(rt, sc, func() cafe24prop.SharedStore {
			s, err := cafe24.NewFileStore(dir)
			if err != nil {
				rt.Fatalf("%v", err)
			}
			return s
		})
	})
}
