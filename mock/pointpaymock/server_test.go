package pointpaymock_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/pointpaymock"
	"github.com/poskit/poskit/pointpay"
)

const kstLayout = "2006-01-02 15:04:05"

func TestEveryOperationHasAHandler(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	if u := srv.Unhandled(); len(u) != 0 {
		t.Fatalf("operations without a handler: %v", u)
	}
	if ops := srv.Faults().Ops(); fmt.Sprint(ops) != "[Convert Popup]" {
		t.Errorf("fault operations %v", ops)
	}
}

// With duplicate sends, every result reaches the receiver twice; the receiver credits it
// once and answers the copy "202|-|duplicate rw_orderno". Conversions run concurrently.
func TestDuplicateSendsAreCreditedOnce(t *testing.T) {
	t.Parallel()
	sh := newShop(t, pointpaymock.DefaultMediaID)
	srv := newFake(t, pointpaymock.WithReturnURL(sh.URL), pointpaymock.WithDuplicateSends(true))
	const n = 12
	convs := make([]pointpaymock.Conversion, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := srv.Convert(fmt.Sprintf("member%d", i%3), int64(100*(i+1)), "")
			convs[i] = c
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	want := map[string]int64{}
	for i, c := range convs {
		if seen[c.OrderNo] {
			t.Fatalf("order number %s handed out twice", c.OrderNo)
		}
		seen[c.OrderNo] = true
		want[c.MemberID] += c.Points
		if c.Delivery != pointpaymock.DeliveryDelivered || len(c.Attempts) != 2 {
			t.Fatalf("conversion %d: %s after %d POSTs", i, c.Delivery, len(c.Attempts))
		}
		if got := fmt.Sprint(c.Answers()); got != "[201 202|-|duplicate rw_orderno]" {
			t.Errorf("%s answers %s", c.OrderNo, got)
		}
		if !c.Attempts[1].Duplicate || c.Attempts[1].N != 1 {
			t.Errorf("second POST %+v is not the duplicate copy of attempt 1", c.Attempts[1])
		}
		if calls := sh.creditCalls(c.OrderNo); calls != 1 {
			t.Errorf("%s credited %d times", c.OrderNo, calls)
		}
		if c.Result.RegisteredAt.Location().String() != "KST" || c.RegisteredAt != c.Result.RegisteredAt.Format(kstLayout) {
			t.Errorf("rw_reg_datetime %q / %v", c.RegisteredAt, c.Result.RegisteredAt)
		}
	}
	for m, w := range want {
		if got := sh.balance(m); got != w {
			t.Errorf("%s balance %d, want %d", m, got, w)
		}
	}
	// Switching duplicates off sends once.
	srv.SetDuplicateSends(false)
	c, err := srv.Convert("member9", 10, "")
	if err != nil || len(c.Attempts) != 1 || !c.Attempts[0].OK {
		t.Fatalf("single send: %+v %v", c, err)
	}
}

// A result not answered "201" is resent after each wait of the schedule, on the fake
// clock only, until the receiver answers "201"; the receiver credits it once.
func TestResendsUntil201OnTheFakeClock(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	clk := mock.NewClock(time.Time{})
	sh := newShop(t, pointpaymock.DefaultMediaID)
	sh.failCredits(2)
	srv := newFake(t, pointpaymock.WithClock(clk), pointpaymock.WithReturnURL(sh.URL),
		pointpaymock.WithResendSchedule(time.Minute, 5*time.Minute, 10*time.Minute))
	c, err := srv.Convert("member01", 1500, "cart7")
	if err != nil {
		t.Fatal(err)
	}
	if c.Delivery != pointpaymock.DeliveryPending || len(c.Attempts) != 1 || c.Attempts[0].Answer != "202|-|credit failed, resend later" {
		t.Fatalf("after the first POST: %s %q", c.Delivery, c.Answers())
	}
	if want := clk.Now().Add(time.Minute); !c.NextResend.Equal(want) {
		t.Errorf("next resend at %v, want %v", c.NextResend, want)
	}
	// Nothing is resent before the wait has passed on the clock.
	clk.Advance(59 * time.Second)
	if clk.TaggedWaiters(pointpaymock.ResendTag) != 1 {
		t.Fatal("the resend fired early")
	}
	clk.Advance(time.Second)
	if c, err = srv.WaitFor(ctx, c.OrderNo, attempts(2)); err != nil {
		t.Fatal(err)
	}
	if !clk.WaitForWaiters(1, ctx.Done()) { // the second resend is armed
		t.Fatal("no second resend armed")
	}
	clk.Advance(5 * time.Minute)
	c, err = srv.WaitFor(ctx, c.OrderNo, func(c pointpaymock.Conversion) bool { return c.Delivery == pointpaymock.DeliveryDelivered })
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.Answers()); got != "[202|-|credit failed, resend later 202|-|credit failed, resend later 201]" {
		t.Errorf("answers %s", got)
	}
	if c.Attempts[2].N != 3 || !c.Attempts[2].At.Equal(c.Attempts[0].At.Add(6*time.Minute)) {
		t.Errorf("third attempt %+v (first at %v)", c.Attempts[2], c.Attempts[0].At)
	}
	if sh.creditCalls(c.OrderNo) != 1 || sh.balance("member01") != 1500 {
		t.Errorf("credited %d times, balance %d", sh.creditCalls(c.OrderNo), sh.balance("member01"))
	}
	if n := clk.TaggedWaiters(pointpaymock.ResendTag); n != 0 {
		t.Errorf("%d resends still armed after a 201", n)
	}
}

// When the schedule runs out the fake gives up; a manual resend sends again and, still
// refused, starts the schedule over.
func TestGivesUpAfterTheSchedule(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	clk := mock.NewClock(time.Time{})
	sh := newShop(t, "OTHERMEDIA") // every result is forged from its point of view
	srv := newFake(t, pointpaymock.WithClock(clk), pointpaymock.WithReturnURL(sh.URL), pointpaymock.WithResendSchedule(time.Minute))
	c, err := srv.Convert("member01", 700, "")
	if err != nil {
		t.Fatal(err)
	}
	clk.WaitForWaiters(1, ctx.Done())
	clk.Advance(time.Minute)
	c, err = srv.WaitFor(ctx, c.OrderNo, func(c pointpaymock.Conversion) bool { return c.Delivery == pointpaymock.DeliveryGaveUp })
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.Answers()); got != "[202|-|unknown rw_a_code 202|-|unknown rw_a_code]" {
		t.Errorf("answers %s", got)
	}
	c, err = srv.Resend(c.OrderNo)
	if err != nil || len(c.Attempts) != 3 || c.Attempts[2].N != 3 || c.Delivery != pointpaymock.DeliveryPending || c.NextResend.IsZero() {
		t.Fatalf("manual resend: %+v %v", c, err)
	}
	if sh.creditCalls(c.OrderNo) != 0 {
		t.Error("a forged result was credited")
	}
}

// A callback sent straight to the receiver with the wrong a_code is refused, even for an
// order number PointPay really handed out; the genuine one is credited.
func TestForgedCallbackIsRefused(t *testing.T) {
	t.Parallel()
	sh := newShop(t, pointpaymock.DefaultMediaID)
	srv := newFake(t, pointpaymock.WithReturnURL(sh.URL))
	forged := pointpay.Result{MemberID: "mallory", Price: 1_000_000, MediaCode: "GUESSED",
		OrderNo: "20260101999999", RegisteredAt: srv.Clock().Now()}
	if a := sh.post(t, forged.Form()); a != "202|-|unknown rw_a_code" {
		t.Errorf("forged callback answered %q", a)
	}
	c, err := srv.Convert("member01", 300, "")
	if err != nil || c.Delivery != pointpaymock.DeliveryDelivered {
		t.Fatalf("genuine conversion: %+v %v", c, err)
	}
	r := c.Result
	r.MediaCode, r.MemberID, r.Price = "GUESSED", "mallory", 999
	if a := sh.post(t, r.Form()); a != "202|-|unknown rw_a_code" {
		t.Errorf("forged copy of a genuine order answered %q", a)
	}
	if sh.balance("mallory") != 0 || sh.balance("member01") != 300 || sh.creditCalls(c.OrderNo) != 1 {
		t.Errorf("balances mallory %d, member01 %d", sh.balance("mallory"), sh.balance("member01"))
	}
}

// The solution credit runs once the delay has passed on the fake clock, not before.
func TestSolutionCreditAfterTheDelay(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	clk := mock.NewClock(time.Time{})
	type call struct {
		member, orderNo string
		points          int64
	}
	calls := make(chan call, 4)
	srv := newFake(t, pointpaymock.WithClock(clk), pointpaymock.WithSolutionCredit(
		func(_ context.Context, member string, points int64, orderNo string) error {
			calls <- call{member, orderNo, points}
			if points == 13 {
				return errors.New("cafe24: 401 invalid_token")
			}
			return nil
		}))
	c, err := srv.Convert("member01", 1500, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Credit != pointpaymock.CreditPending || c.Delivery != pointpaymock.DeliveryNoReturnURL || len(c.Attempts) != 0 {
		t.Fatalf("after converting: credit %q, delivery %q, %d POSTs", c.Credit, c.Delivery, len(c.Attempts))
	}
	clk.Advance(pointpaymock.DefaultSolutionCreditDelay - time.Second)
	if clk.TaggedWaiters(pointpaymock.CreditTag) != 1 || len(calls) != 0 {
		t.Fatal("credited before the delay")
	}
	clk.Advance(time.Second)
	got := <-calls
	if got != (call{"member01", c.OrderNo, 1500}) {
		t.Errorf("credit call %+v", got)
	}
	if c, err = srv.WaitFor(ctx, c.OrderNo, func(c pointpaymock.Conversion) bool { return c.Credit == pointpaymock.CreditApplied }); err != nil {
		t.Fatal(err)
	}

	bad, _ := srv.Convert("member02", 13, "")
	clk.Advance(time.Minute)
	<-calls
	bad, err = srv.WaitFor(ctx, bad.OrderNo, func(c pointpaymock.Conversion) bool { return c.Credit != pointpaymock.CreditPending })
	if err != nil || bad.Credit != pointpaymock.CreditFailed || bad.CreditError != "cafe24: 401 invalid_token" {
		t.Errorf("failed credit: %q %q %v", bad.Credit, bad.CreditError, err)
	}
	if len(calls) != 0 {
		t.Error("a failed credit was retried")
	}
}

// The popup page shows what it was opened with and posts a form that converts; faults
// apply by operation; requests are recorded.
func TestPopupPageAndForm(t *testing.T) {
	t.Parallel()
	sh := newShop(t, "SHOP7")
	srv := newFake(t, pointpaymock.WithMediaID("SHOP7"), pointpaymock.WithReturnURL(sh.URL))
	hc := srv.HTTPClient()
	u, err := srv.PopupURL("kim@k", pointpay.WithAddParam("cart7"))
	if err != nil {
		t.Fatal(err)
	}
	status, body := get(t, hc, u)
	if status != 200 || !contains(body, `id="a_code">SHOP7<`, `id="user_id">kim@k<`, `id="add_param">cart7<`, `name="points"`, `action="/pointhub/convert"`) {
		t.Fatalf("popup page %d:\n%s", status, body)
	}
	status, body = get(t, hc, srv.URL()+"/pointhub/direct.php?a_code=SHOP7&user_id=lee")
	if status != 200 || !contains(body, `id="user_id">lee<`) {
		t.Errorf("direct.php page %d", status)
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"a_code=OTHER&user_id=lee", 404},
		{"a_code=SHOP7", 400},
		{"a_code=SHOP7&user_id=%3Cscript%3E", 400},
	} {
		if status, body := get(t, hc, srv.URL()+"/pointhub/direct?"+tc.query); status != tc.want || contains(body, "<script>") {
			t.Errorf("?%s: %d, want %d", tc.query, status, tc.want)
		}
	}

	form := url.Values{"a_code": {"SHOP7"}, "user_id": {"kim@k"}, "add_param": {"cart7"}, "points": {"2500"}}
	status, body = postForm(t, hc, srv.URL()+"/pointhub/convert", form)
	m := orderNoInPage.FindStringSubmatch(body)
	if status != 200 || m == nil {
		t.Fatalf("convert page %d:\n%s", status, body)
	}
	c, err := srv.Lookup(m[1])
	if err != nil || c.Result.AddParam != "cart7" || c.Delivery != pointpaymock.DeliveryDelivered || sh.balance("kim@k") != 2500 {
		t.Fatalf("conversion %+v %v, balance %d", c, err, sh.balance("kim@k"))
	}
	for _, bad := range []url.Values{
		{"a_code": {"SHOP7"}, "user_id": {"kim@k"}, "points": {"0"}},
		{"a_code": {"SHOP7"}, "user_id": {"kim@k"}, "points": {"12abc"}},
		{"a_code": {"SHOP7"}, "points": {"10"}},
		{"a_code": {"SHOP7"}, "user_id": {"kim@k", "lee"}, "points": {"10"}},
	} {
		if status, _ := postForm(t, hc, srv.URL()+"/pointhub/convert", bad); status != 400 {
			t.Errorf("%v: status %d", bad, status)
		}
	}
	if status, _ := postForm(t, hc, srv.URL()+"/pointhub/convert", url.Values{"a_code": {"X"}, "user_id": {"a"}, "points": {"1"}}); status != 404 {
		t.Errorf("unknown media: status %d", status)
	}

	if err := srv.Faults().Inject(pointpaymock.OpConvert, mock.Fault{Kind: mock.Fail}); err != nil {
		t.Fatal(err)
	}
	if status, _ := postForm(t, hc, srv.URL()+"/pointhub/convert", form); status != 503 || len(srv.Conversions()) != 1 {
		t.Errorf("injected failure: status %d, %d conversions", status, len(srv.Conversions()))
	}
	srv.Faults().MustInject(pointpaymock.OpConvert, mock.Fault{Kind: mock.DropAnswer})
	if _, err := hc.PostForm(srv.URL()+"/pointhub/convert", form); err == nil {
		t.Error("dropped answer arrived")
	}
	if n := len(srv.Conversions()); n != 2 || sh.balance("kim@k") != 5000 {
		t.Errorf("after a dropped answer: %d conversions, balance %d (the conversion applies)", n, sh.balance("kim@k"))
	}
	if err := srv.Faults().Inject("Callback", mock.Fault{Kind: mock.Fail}); err == nil {
		t.Error("a fault on an operation the fake does not serve was accepted")
	}
	if n := srv.Recorder().Count(pointpaymock.OpPopup); n != 5 {
		t.Errorf("%d popup requests recorded, want 5", n)
	}
	if n := srv.Recorder().Count(pointpaymock.OpConvert); n != 8 {
		t.Errorf("%d convert requests recorded, want 8", n)
	}
}

func TestReturnURLIsLoopbackOnly(t *testing.T) {
	t.Parallel()
	srv := newFake(t, pointpaymock.WithReturnURL("http://10.1.2.3/pointpay"))
	c, err := srv.Convert("member01", 10, "")
	if err != nil || c.Delivery != pointpaymock.DeliveryRefusedURL || len(c.Attempts) != 0 {
		t.Fatalf("non-loopback return URL: %+v %v", c, err)
	}
	for _, u := range []string{"http://example.com/cb", "ftp://127.0.0.1/", "/relative", "http://user:pw@127.0.0.1/"} {
		if err := srv.SetReturnURL(u); err == nil {
			t.Errorf("SetReturnURL(%q) accepted", u)
		}
	}
	sh := newShop(t, pointpaymock.DefaultMediaID)
	if err := srv.SetReturnURL(sh.URL); err != nil {
		t.Fatal(err)
	}
	if c, err = srv.Resend(c.OrderNo); err != nil || c.Delivery != pointpaymock.DeliveryDelivered {
		t.Fatalf("resend after fixing the URL: %+v %v", c, err)
	}
}

func TestConvertRefusesBadValues(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, tc := range []struct {
		member, add string
		points      int64
	}{{"", "", 1}, {"kim&x=1", "", 1}, {"kim", "a b", 1}, {"kim", "", 0}, {"kim", "", pointpaymock.MaxPoints + 1}} {
		if _, err := srv.Convert(tc.member, tc.points, tc.add); err == nil {
			t.Errorf("Convert(%q, %d, %q) accepted", tc.member, tc.points, tc.add)
		}
	}
	if len(srv.Conversions()) != 0 {
		t.Error("a refused conversion was recorded")
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	sh := newShop(t, pointpaymock.DefaultMediaID)
	srv := newFake(t)
	if _, err := runAction(t, srv, "return-url", `{"url":"http://192.0.2.1/x"}`); err == nil {
		t.Error("non-loopback return URL accepted")
	}
	if _, err := runAction(t, srv, "return-url", `{"url":"`+sh.URL+`"}`); err != nil || srv.ReturnURL() != sh.URL {
		t.Fatalf("return-url: %v", err)
	}
	if _, err := runAction(t, srv, "duplicate-sends", `{"on":true}`); err != nil || !srv.DuplicateSends() {
		t.Fatalf("duplicate-sends: %v", err)
	}
	out, err := runAction(t, srv, "convert", `{"member":"member01","points":1500,"addParam":"cart7"}`)
	c, ok := out.(pointpaymock.Conversion)
	if err != nil || !ok || len(c.Attempts) != 2 || c.AddParam != "cart7" {
		t.Fatalf("convert: %+v %v", out, err)
	}
	if _, err := runAction(t, srv, "convert", `{"member":"member01"}`); err == nil {
		t.Error("convert without points accepted")
	}
	if _, err := runAction(t, srv, "convert", `{"member":"member01","points":1,"pionts":2}`); err == nil {
		t.Error("misspelt argument accepted")
	}
	out, err = runAction(t, srv, "resend", `{"orderNo":"`+c.OrderNo+`"}`)
	if c, ok = out.(pointpaymock.Conversion); err != nil || !ok || len(c.Attempts) != 4 || c.Attempts[3].Answer != "202|-|duplicate rw_orderno" {
		t.Fatalf("resend: %+v %v", out, err)
	}
	if _, err := runAction(t, srv, "resend", `{"orderNo":"123"}`); !errors.Is(err, mock.ErrUnknown) {
		t.Errorf("resend of an unknown order: %v", err)
	}
	if _, err := srv.WaitFor(context.Background(), "123", attempts(1)); !errors.Is(err, mock.ErrUnknown) {
		t.Errorf("WaitFor an unknown order: %v", err)
	}
	out, err = runAction(t, srv, "results", ``)
	if list, ok := out.([]pointpaymock.Conversion); err != nil || !ok || len(list) != 1 || list[0].OrderNo != c.OrderNo {
		t.Fatalf("results: %+v %v", out, err)
	}
	if sh.creditCalls(c.OrderNo) != 1 {
		t.Errorf("credited %d times", sh.creditCalls(c.OrderNo))
	}
	for _, a := range srv.Actions() {
		if a.Doc == "" || len(a.Example) == 0 {
			t.Errorf("action %s has no doc or example", a.Name)
		}
	}
}

// Close stops the pending resends and credits; nothing runs after it.
func TestCloseStopsPendingWork(t *testing.T) {
	t.Parallel()
	clk := mock.NewClock(time.Time{})
	sh := newShop(t, "OTHERMEDIA")
	var credits sync.WaitGroup
	srv := pointpaymock.NewServer(pointpaymock.WithClock(clk), pointpaymock.WithReturnURL(sh.URL),
		pointpaymock.WithSolutionCredit(func(context.Context, string, int64, string) error { credits.Done(); return nil }))
	c, err := srv.Convert("member01", 5, "")
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	srv.Close()
	c, _ = srv.Lookup(c.OrderNo)
	if c.Credit != pointpaymock.CreditCanceled {
		t.Errorf("credit %q after Close", c.Credit)
	}
	clk.Advance(24 * time.Hour) // would panic on credits.Done if a credit still ran
	if c, _ = srv.Lookup(c.OrderNo); len(c.Attempts) != 1 {
		t.Errorf("%d POSTs after Close", len(c.Attempts))
	}
}

func TestOrderNumbersAreNumericAndUnique(t *testing.T) {
	t.Parallel()
	a, b := newFake(t), newFake(t)
	seen := map[string]bool{}
	for i := range 20 {
		srv := a
		if i%2 == 1 {
			srv = b
		}
		c, err := srv.Convert("m", 1, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := strconv.ParseUint(c.OrderNo, 10, 64); err != nil || seen[c.OrderNo] {
			t.Fatalf("order number %q (seen %v)", c.OrderNo, seen[c.OrderNo])
		}
		seen[c.OrderNo] = true
	}
}

// A manual resend answered "201" drops the armed resend: nothing is pending any more.
func TestManualResendCancelsTheArmedResend(t *testing.T) {
	t.Parallel()
	clk := mock.NewClock(time.Time{})
	sh := newShop(t, pointpaymock.DefaultMediaID)
	sh.failCredits(1)
	srv := newFake(t, pointpaymock.WithClock(clk), pointpaymock.WithReturnURL(sh.URL))
	c, err := srv.Convert("member01", 40, "")
	if err != nil || c.NextResend.IsZero() || clk.TaggedWaiters(pointpaymock.ResendTag) != 1 {
		t.Fatalf("after a refused first POST: %+v %v", c, err)
	}
	if c, err = srv.Resend(c.OrderNo); err != nil || c.Delivery != pointpaymock.DeliveryDelivered || !c.NextResend.IsZero() {
		t.Fatalf("manual resend: %+v %v", c, err)
	}
	if n := clk.TaggedWaiters(pointpaymock.ResendTag); n != 0 {
		t.Errorf("%d resends still armed", n)
	}
	clk.Advance(time.Hour)
	if c, _ = srv.Lookup(c.OrderNo); len(c.Attempts) != 2 || sh.creditCalls(c.OrderNo) != 1 {
		t.Errorf("%d POSTs, %d credits", len(c.Attempts), sh.creditCalls(c.OrderNo))
	}
}
