package smartro

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestErrorHelpers(t *testing.T) {
	helpers := map[string]func(error) bool{
		"occupied": IsOccupied, "bizday": IsBusinessDayClosed, "offline": IsAgentOffline,
		"expired": IsExpired, "invalid": IsInvalidInput, "item": IsUnknownItem, "table": IsUnknownTable,
		"order": IsUnknownOrder, "add": IsAddNotAllowed, "inactive": IsInactiveItem, "price": IsPriceMismatch,
		"lost": IsLost, "closed": IsTrackerClosed,
	}
	cases := []struct {
		err  error
		want string // the one helper that must say yes
	}{
		{&Error{Code: CodeOccupied}, "occupied"},
		{&Error{Code: "E1234", Message: "테이블 점유중입니다"}, "occupied"},
		{&Error{Code: CodeBusinessDayClosed}, "bizday"},
		{&Error{Code: "X", Message: "영업개시 전입니다"}, "bizday"},
		{&Error{Code: CodeAgentOffline}, "offline"},
		{&Error{Code: CodeOrderExpired}, "expired"},
		{&Error{Code: CodeInvalidInput}, "invalid"},
		{&Error{Code: CodeInvalidRequest}, "invalid"},
		{&Error{Code: CodeUnknownItem}, "item"},
		{&Error{Code: CodeUnknownAddOn}, "item"},
		{&Error{Code: CodeUnknownTable}, "table"},
		{&Error{Code: CodeUnknownOrder}, "order"},
		{&Error{Code: CodeAddNotAllowed}, "add"},
		{&Error{Code: CodeInactiveItem}, "inactive"},
		{&Error{Code: CodePriceMismatch}, "price"},
		{&Error{Code: CodeTransport}, "lost"},
		{&Error{Code: CodeBadAnswer, HTTPStatus: 502}, "lost"},
		{&Error{Code: CodeResultFail}, "lost"},
		{&Error{Code: CodeTrackerClosed}, "closed"},
		{&Error{Code: "E9"}, ""},
	}
	for _, c := range cases {
		wrapped := fmt.Errorf("ctx: %w", c.err)
		for name, h := range helpers {
			if got := h(wrapped); got != (name == c.want) {
				t.Errorf("%s(%v) = %v", name, c.err, got)
			}
		}
		if IsRefused(wrapped) == (c.want == "lost" || c.want == "closed") {
			t.Errorf("IsRefused(%v) wrong", c.err)
		}
	}
	if IsLost(context.DeadlineExceeded) || !IsLost(errors.New("x")) || IsLost(nil) || IsRefused(nil) {
		t.Fatal("IsLost on foreign errors")
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Op: "smartro.NewOrder", HTTPStatus: 200, Code: CodeOccupied, Message: "a b", Err: context.Canceled}
	if got := e.Error(); got != "smartro.NewOrder: PKT_OCCUPIED: a b (HTTP 200): context canceled" {
		t.Fatal(got)
	}
	if !errors.Is(e, context.Canceled) {
		t.Fatal("unwrap")
	}
	if !(&Error{Code: CodeOccupied}).Retryable() || (&Error{Code: CodeUnknownItem}).Retryable() || !(&Error{HTTPStatus: 503}).Retryable() {
		t.Fatal("Retryable")
	}
}
