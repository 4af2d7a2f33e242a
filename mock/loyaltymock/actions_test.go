package loyaltymock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/loyaltymock"
)

func action(t *testing.T, srv *loyaltymock.Server, name string) mock.Action {
	t.Helper()
	for _, a := range srv.Actions() {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no action %q", name)
	return mock.Action{}
}

func TestActionsDescribedAndExamplesRun(t *testing.T) {
	srv := loyaltymock.NewServer()
	defer srv.Close()
	for _, a := range srv.Actions() {
		if a.Doc == "" || len(a.Example) == 0 {
			t.Errorf("%s: no doc or example", a.Name)
		}
	}
	for _, name := range []string{"seed", "callbacks", "balance", "wallet-policy"} {
		a := action(t, srv, name)
		if _, err := a.Run(context.Background(), a.Example); err != nil {
			t.Errorf("%s with its example %s: %v", name, a.Example, err)
		}
	}
}

func TestActionsRefuseUnknownAccountsAndPayments(t *testing.T) {
	srv := loyaltymock.NewServer()
	defer srv.Close()
	unknownAccount := json.RawMessage(`{"account":"0x000000000000000000000000000000000000dead"}`)
	if _, err := action(t, srv, "balance").Run(context.Background(), unknownAccount); !errors.Is(err, mock.ErrUnknown) {
		t.Errorf("balance of an unknown account: %v", err)
	}
	unknownPayment := json.RawMessage(`{"paymentId":"0x00000000000000000000000000000000000000000000000000000000000000ff"}`)
	for _, name := range []string{"approve", "deny", "approve-cancel", "deny-cancel"} {
		if _, err := action(t, srv, name).Run(context.Background(), unknownPayment); !errors.Is(err, mock.ErrUnknown) {
			t.Errorf("%s of an unknown payment: %v", name, err)
		}
	}
	if _, err := action(t, srv, "balance").Run(context.Background(), json.RawMessage(`{"account":"nope"}`)); err == nil || errors.Is(err, mock.ErrUnknown) {
		t.Errorf("a malformed account is a bad argument: %v", err)
	}
}

func TestFaultNamesAreClientMethods(t *testing.T) {
	srv := loyaltymock.NewServer()
	defer srv.Close()
	for _, op := range append(loyaltywire.Table.Ops(), loyaltymock.OpCallback) {
		if err := srv.Faults().Inject(op, mock.Fault{Kind: mock.Fail}); err != nil {
			t.Errorf("%s refused: %v", op, err)
		}
	}
	var unknown *mock.UnknownOperationError
	if err := srv.Faults().Inject("openNew", mock.Fault{Kind: mock.Fail}); !errors.As(err, &unknown) {
		t.Errorf("a misspelt operation was accepted: %v", err)
	}
}

func TestSeedNeverPrintsTheAccessKey(t *testing.T) {
	srv := loyaltymock.NewServer()
	defer srv.Close()
	key := srv.Seed().AccessKey()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
		for _, v := range []any{srv.Seed(), srv, srv.Seed().AccessKeys} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, key) {
				t.Errorf("%s of %T shows the access key: %s", verb, v, s)
			}
		}
	}
}
