package apierr

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestFormatNamesTheOperationOnce(t *testing.T) {
	cases := []struct {
		op, code, msg string
		status        int
		cause         error
		want          string
	}{
		{"smartro.NewOrder", "E101", "table occupied", 200, nil, "smartro.NewOrder: E101: table occupied (HTTP 200)"},
		{"loyalty.Balance", "lost", "", 0, errors.New("EOF"), "loyalty.Balance: lost: EOF"},
		{"cafe24.ListPoints", "", "", 503, nil, "cafe24.ListPoints (HTTP 503)"},
		{"x.Op", "invalid input", "invalid input", 0, nil, "x.Op: invalid input"},
		{"x.Op", "canceled", "context canceled", 0, context.Canceled, "x.Op: canceled: context canceled"},
	}
	for _, c := range cases {
		if got := Format(c.op, c.code, c.msg, c.status, c.cause); got != c.want {
			t.Errorf("Format(%q,%q,%q,%d,%v) = %q, want %q", c.op, c.code, c.msg, c.status, c.cause, got, c.want)
		}
	}
}

func TestIsContext(t *testing.T) {
	if !IsContext(fmt.Errorf("x: %w", context.DeadlineExceeded)) || IsContext(errors.New("deadline")) {
		t.Fatal("IsContext misjudges")
	}
	for _, o := range []Outcome{Refused, Lost, Canceled, 0} {
		if o.String() == "" {
			t.Fatal("empty outcome name")
		}
	}
}
