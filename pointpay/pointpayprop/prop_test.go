package pointpayprop_test

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/poskit/poskit/pointpay"
	"github.com/poskit/poskit/pointpay/pointpayprop"
	"pgregory.net/rapid"
)

func TestPropertyMemoryStore(t *testing.T) {
	pointpayprop.Check(t, pointpayprop.Config{})
}

func TestPropertyBoltStore(t *testing.T) {
	pointpayprop.Check(t, pointpayprop.Config{OpenStore: pointpayprop.BoltStores(t.TempDir(), pointpay.WithNoSync())})
}

func TestPropertyAcknowledgeDuplicates(t *testing.T) {
	pointpayprop.Check(t, pointpayprop.Config{Options: []pointpay.Option{pointpay.WithAcknowledgeDuplicates()}})
}

// The property fails a credit function that is not keyed when a crash makes the receiver
// call it again: it must catch double credits, not just pass.
func TestPropertyCatchesAnUnkeyedCredit(t *testing.T) {
	unkeyed := func(*rapid.T) (pointpay.CreditFunc, pointpayprop.Balance) {
		var mu sync.Mutex
		bal := map[string]int64{}
		return func(_ context.Context, r pointpay.Result) error {
				mu.Lock()
				defer mu.Unlock()
				bal[r.MemberID] += r.Price
				return nil
			}, func(_ context.Context, m string) (int64, error) {
				mu.Lock()
				defer mu.Unlock()
				return bal[m], nil
			}
	}
	// Run the property on a recording TB: its failure is this test's success. No fail
	// file is written for it.
	if err := flag.Set("rapid.nofailfile", "true"); err != nil {
		t.Fatal(err)
	}
	defer flag.Set("rapid.nofailfile", "false")
	prop := pointpayprop.Property(pointpayprop.Config{NewCredit: unkeyed})
	for range 5 {
		rec := &recordingTB{name: t.Name()}
		done := make(chan struct{})
		go func() { defer close(done); rapid.Check(rec, prop) }()
		<-done
		t.Logf("caught: %.300s", rec.msg)
		if rec.Failed() && strings.Contains(rec.msg, "balance grew by") {
			return
		}
	}
	t.Fatal("the property never caught an unkeyed credit function crediting twice")
}

// recordingTB is a rapid.TB that records a failure instead of failing the test.
type recordingTB struct {
	name   string
	mu     sync.Mutex
	failed bool
	msg    string
}

func (r *recordingTB) Helper()             {}
func (r *recordingTB) Name() string        { return r.name }
func (r *recordingTB) Logf(string, ...any) {}
func (r *recordingTB) Log(...any)          {}
func (r *recordingTB) Skipf(f string, a ...any) {
	r.Fatalf(f, a...)
}
func (r *recordingTB) Skip(a ...any) { r.Fatal(a...) }
func (r *recordingTB) SkipNow()      { r.FailNow() }
func (r *recordingTB) Errorf(f string, a ...any) {
	r.mu.Lock()
	r.failed, r.msg = true, r.msg+fmt.Sprintf(f, a...)
	r.mu.Unlock()
}
func (r *recordingTB) Error(a ...any)            { r.Errorf("%s", fmt.Sprint(a...)) }
func (r *recordingTB) Fatalf(f string, a ...any) { r.Errorf(f, a...); runtime.Goexit() }
func (r *recordingTB) Fatal(a ...any)            { r.Error(a...); runtime.Goexit() }
func (r *recordingTB) FailNow()                  { r.Fail(); runtime.Goexit() }
func (r *recordingTB) Fail()                     { r.mu.Lock(); r.failed = true; r.mu.Unlock() }
func (r *recordingTB) Failed() bool              { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }

// The Cafe24 bridge over HTTP to the cafe24 fake, with Cafe24 faults.
func TestPropertyCafe24Bridge(t *testing.T) {
	pointpayprop.Check(t, pointpayprop.WithCafe24(t, pointpayprop.Config{}))
}

func TestPropertyCafe24BridgeBoltStore(t *testing.T) {
	pointpayprop.Check(t, pointpayprop.WithCafe24(t, pointpayprop.Config{
		OpenStore: pointpayprop.BoltStores(t.TempDir(), pointpay.WithNoSync())}))
}
