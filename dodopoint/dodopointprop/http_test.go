package dodopointprop_test

import (
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/poskit/poskit/dodopoint/dodopointprop"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/dodopointmock"
)

// The property over the shipped HTTP transport against the fake assist program: outages
// close the program's port (Down/Up), dropped answers are DropAnswer faults, restarts
// reopen the bbolt file.
func TestOutboxPropertyOverHTTP(t *testing.T) {
	var mu sync.Mutex
	var prev *dodopointmock.Server
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if prev != nil {
			prev.Close()
		}
	})
	dodopointprop.Check(t, func(rt *rapid.T) dodopointprop.Program {
		srv := dodopointmock.NewServer()
		mu.Lock()
		if prev != nil {
			prev.Close() // the previous case is over
		}
		prev = srv
		mu.Unlock()
		return dodopointprop.Program{
			Transport: srv.Transport(),
			SetDown: func(down bool) {
				if down {
					srv.Down()
					return
				}
				if err := srv.Up(); err != nil {
					rt.Fatalf("program up: %v", err)
				}
			},
			DropAnswers: func(n int) {
				for _, op := range []string{dodopointmock.OpClaim, dodopointmock.OpCancel} {
					srv.Faults().MustInject(op, mock.Fault{Kind: mock.DropAnswer, Times: n})
				}
			},
			Applied: srv.Counts,
		}
	})
}
