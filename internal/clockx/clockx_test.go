package clockx

import (
	"testing"
	"time"
)

func TestOrAndSleep(t *testing.T) {
	if Or(nil) != Real {
		t.Error("Or(nil) is not the real clock")
	}
	if !Sleep(Real, 0, nil) {
		t.Error("a zero sleep did not complete")
	}
	done := make(chan struct{})
	close(done)
	if Sleep(Real, time.Hour, done) {
		t.Error("a sleep whose done channel is closed reported completion")
	}
	tm := Real.NewTimer(time.Hour)
	if !tm.Stop() {
		t.Error("Stop of a pending real timer returned false")
	}
	if tm.Reset(time.Hour); !tm.Stop() {
		t.Error("Reset did not re-arm the timer")
	}
}
