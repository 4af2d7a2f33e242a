package pointpay_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/sdktest"
	"github.com/poskit/poskit/pointpay"
)

// PointPay's document defines no call a shop's server makes to PointPay (the popup is the
// member's browser page), so the outbound contract has nothing to run here; the bridge's
// outbound calls are cafe24.Client calls, which run it in cafe24/contract_test.go. The
// receiver runs the inbound contract.
func TestReceiverContract(t *testing.T) {
	const media = "MEDIA01"
	result := func(orderNo, code string) *http.Request {
		r := pointpay.Result{
			PayType: "KT", MemberID: "member01", Price: 1500, MediaCode: code, OrderNo: orderNo, UTCCode: "U1",
			RegisteredAt: time.Date(2026, 11, 23, 15, 4, 5, 0, time.FixedZone("KST", 9*3600)),
		}
		req := httptest.NewRequest(http.MethodPost, "/pointpay/result", strings.NewReader(r.Form().Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}
	sdktest.RunReceiver(t, sdktest.Receiver{
		New: func(t *testing.T, deliver func() error, log *slog.Logger) http.Handler {
			rv, err := pointpay.NewReceiver(media, pointpay.NewMemoryStore(),
				func(context.Context, pointpay.Result) error { return deliver() },
				pointpay.WithLogger(log), pointpay.WithMaxBodyBytes(4<<10))
			if err != nil {
				t.Fatal(err)
			}
			return rv
		},
		Genuine: func(i int) *http.Request { return result(fmt.Sprintf("PP-%04d", i), media) },
		Forged:  func() *http.Request { return result("PP-9999", "OTHER01") },
		Taken: func(status int, body string) bool {
			return status == http.StatusOK && (body == "201" || strings.HasPrefix(body, "202|-|duplicate"))
		},
		MaxBody: 4 << 10,
	})
}
