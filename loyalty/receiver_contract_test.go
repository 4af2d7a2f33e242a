package loyalty_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/poskit/poskit/internal/sdktest"
	"github.com/poskit/poskit/loyalty"
)

// The callback receiver runs the inbound contract every poskit receiver runs.
func TestCallbackHandlerContract(t *testing.T) {
	const key = "k7Qz-91xLm-PwR4-t0Vb-Zy62" // no ordinary word in it: any 8 of its characters in a log are a leak
	body := func(i int, accessKey string) string {
		k := ""
		if accessKey != "" {
			k = fmt.Sprintf(`"accessKey":%q,`, accessKey)
		}
		return fmt.Sprintf(`{%s"type":"pay_new","code":0,"message":"Success","data":{"paymentId":"0x%064x",`+
			`"purchaseId":"P%d","amount":"10000000000000000000","currency":"krw",`+
			`"account":"0x53801Bf69Cb9B6Ad205BAc9134766807551F26BC","shopId":"0x%064x","loyaltyType":0,`+
			`"paidPoint":"10000000000000000000","paidToken":"0","paidValue":"10000000000000000000",`+
			`"feePoint":"500000000000000000","feeToken":"0","feeValue":"500000000000000000",`+
			`"totalPoint":"10500000000000000000","totalToken":"0","totalValue":"10500000000000000000",`+
			`"balance":"989500000000000000000","paymentStatus":15}}`, k, i+1, i, 7)
	}
	request := func(b string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/callback", strings.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	sdktest.RunReceiver(t, sdktest.Receiver{
		New: func(t *testing.T, deliver func() error, log *slog.Logger) http.Handler {
			return loyalty.NewCallbackHandler(key, func(context.Context, loyalty.CallbackEvent) error { return deliver() },
				loyalty.WithCallbackLogger(log))
		},
		Genuine: func(i int) *http.Request { return request(body(i, key)) },
		Forged:  func() *http.Request { return request(body(99, "")) },
		Taken:   func(status int, _ string) bool { return status == http.StatusOK },
		MaxBody: loyalty.DefaultCallbackMaxBytes,
		Secrets: []string{key},
	})
}
