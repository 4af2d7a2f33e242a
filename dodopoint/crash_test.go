package dodopoint_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/poskit/poskit/dodopoint"
)

const crashEnv = "DODOPOINT_CRASH_CHILD_FILE"

// downTransport is an assist program that is never reachable.
type downTransport struct{}

func (downTransport) Claim(context.Context, dodopoint.ClaimRequest) error {
	return &dodopoint.Error{Op: "dodopoint.Claim", Code: dodopoint.CodeUnavailable}
}
func (downTransport) Cancel(context.Context, dodopoint.CancelRequest) error {
	return &dodopoint.Error{Op: "dodopoint.Cancel", Code: dodopoint.CodeUnavailable}
}

// crashChild runs in the re-executed test binary: it claims from 8 goroutines and prints
// "ACK <id>" once each Claim returned, until it is killed.
func crashChild(path string) {
	ob, err := dodopoint.OpenFile(path, downTransport{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50_000 { // bounded; the parent kills long before
				id := fmt.Sprintf("CR-%d-%d", w, i)
				if err := ob.Claim(context.Background(), sale(id, 1000)); err != nil {
					fmt.Fprintln(os.Stderr, "child:", err)
					os.Exit(4)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ACK %s\n", id)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	os.Exit(5)
}

func TestCrashKeepsAcknowledgedClaims(t *testing.T) {
	if path := os.Getenv(crashEnv); path != "" {
		crashChild(path)
		return
	}
	path := boltPath(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKeepsAcknowledgedClaims$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const killAfter = 300
	var acked []string
	rd := bufio.NewReader(out)
	killed := false
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			break // EOF after the kill; a partial last line was never acknowledged
		}
		if id, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "ACK "); ok {
			acked = append(acked, id)
		}
		if len(acked) == killAfter && !killed {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			killed = true
		}
	}
	werr := cmd.Wait()
	if !killed {
		t.Fatalf("child ended before %d acks (%v): %s", killAfter, werr, stderr.String())
	}
	ob, err := dodopoint.OpenFile(path, downTransport{})
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer ob.Close()
	for _, id := range acked {
		st, ok := ob.Status(id)
		if !ok || st.Claim != dodopoint.StateQueued {
			t.Fatalf("acknowledged claim %s lost after SIGKILL (%d acked)", id, len(acked))
		}
	}
	if q := ob.Queued(); q < len(acked) {
		t.Fatalf("%d queued, %d acknowledged", q, len(acked))
	}
	t.Logf("%d acknowledged claims survived SIGKILL; %d queued (claims in flight at the kill may be there too)", len(acked), ob.Queued())
}
