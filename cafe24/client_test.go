package cafe24_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// fake starts a fake with member1 (100.00 points) and a client of it.
func fake(t testing.TB, opts ...cafe24mock.Option) (*cafe24mock.Server, *cafe24.Client) {
	t.Helper()
	srv := cafe24mock.NewServer(opts...)
	t.Cleanup(srv.Close)
	srv.AddMember("member1", "m1@example.com", dec("100"))
	return srv, srv.Client()
}

func credit(order, amount string) cafe24.Adjustment {
	return cafe24.Adjustment{MemberID: "member1", OrderID: order, Amount: dec(amount), Direction: cafe24.Increase, Reason: "test"}
}

func balance(t *testing.T, srv *cafe24mock.Server) string {
	t.Helper()
	b, _ := srv.Balance("member1")
	return b.StringFixed(2)
}

// noSecret fails when err's text shows one of secrets (8+ character fragments included).
func noSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for i := 0; i+8 <= len(s); i++ {
			if strings.Contains(err.Error(), s[i:i+8]) {
				t.Fatalf("error shows a secret: %v", err)
			}
		}
	}
}

func TestConsentExchangeAndReuse(t *testing.T) {
	ctx := context.Background()
	srv, c := fake(t)
	code, err := consentCode(ctx, c)
	if err != nil || code == "" {
		t.Fatalf("consent: %q %v", code, err)
	}
	tok, err := c.ExchangeCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.TokenSource().Token(ctx)
	if err != nil || got.AccessToken != tok.AccessToken || !tok.ExpiresAt.Equal(srv.Clock().Now().Add(2*time.Hour)) {
		t.Fatalf("stored %v %v, exchanged %v", got, err, tok)
	}
	issued := srv.Issued()
	_, err = c.ExchangeCode(ctx, code) // reused
	if !cafe24.IsInvalidGrant(err) || !cafe24.IsRefused(err) || srv.Issued() != issued {
		t.Fatalf("reused code: %v", err)
	}
	again, _ := c.TokenSource().Token(ctx)
	if again.AccessToken != tok.AccessToken {
		t.Fatal("a refused exchange changed the stored token")
	}
}

func TestExpiredCode(t *testing.T) {
	ctx := context.Background()
	srv, c := fake(t)
	code := srv.Consent()
	srv.Clock().Advance(cafe24mock.CodeLife)
	if _, err := c.ExchangeCode(ctx, code); !cafe24.IsInvalidGrant(err) {
		t.Fatalf("expired code: %v", err)
	}
}

func TestWrongAndReusedState(t *testing.T) {
	states := cafe24.NewStates()
	_, state, err := states.AuthorizeURL(cafe24mock.NewServer().AppConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := states.Check(state + "x"); !cafe24.IsInvalidState(err) || states.Pending() != 1 {
		t.Fatalf("wrong state: %v (pending %d)", err, states.Pending())
	}
	if err := states.Check(state); err != nil {
		t.Fatal(err)
	}
	if err := states.Check(state); !cafe24.IsInvalidState(err) || strings.Contains(err.Error(), state) {
		t.Fatalf("reused state: %v", err)
	}
}

func TestWrongClientSecret(t *testing.T) {
	ctx := context.Background()
	srv, _ := fake(t)
	cfg := srv.AppConfig()
	cfg.ClientSecret = "Wrong-Secret-Value-1234"
	c, err := cafe24.NewClient(cfg, cafe24.WithHTTPClient(srv.HTTPClient()), cafe24.WithClock(srv.Clock()),
		cafe24.WithTokenStore(cafe24.NewMemoryStore()))
	if err != nil {
		t.Fatal(err)
	}
	issued := srv.Issued()
	_, err = c.ExchangeCode(ctx, srv.Consent())
	var e *cafe24.Error
	if !errors.As(err, &e) || e.Code != "invalid_client" || e.HTTPStatus != 401 || !cafe24.IsRefused(err) || srv.Issued() != issued {
		t.Fatalf("wrong secret: %v", err)
	}
	noSecret(t, err, cfg.ClientSecret, cafe24mock.ClientSecret)
	for _, r := range srv.Requests() {
		if strings.Contains(r.Header.Get("Authorization"), "Basic") {
			t.Fatalf("recorded Authorization %q", r.Header.Get("Authorization"))
		}
	}
}

func TestMissingScope(t *testing.T) {
	srv, c := fake(t, cafe24mock.WithGrantedScopes(cafe24.ScopeReadMileage))
	_, err := c.AdjustPoints(context.Background(), credit("o-1", "5"))
	if !cafe24.IsRefused(err) || cafe24.CodeOf(err) != "403" || balance(t, srv) != "100.00" {
		t.Fatalf("write without the scope: %v, balance %s", err, balance(t, srv))
	}
	for _, err := range c.ListPoints(context.Background(), cafe24.PointsQuery{From: srv.Clock().Now(), To: srv.Clock().Now()}) {
		if err != nil {
			t.Fatalf("read with the read scope: %v", err)
		}
	}
}

func TestBadAmountsAreNeverSent(t *testing.T) {
	srv, c := fake(t)
	for _, a := range []string{"0", "-1", "1000000.01", "1.005"} {
		_, err := c.AdjustPoints(context.Background(), credit("o-"+a, a))
		if !cafe24.IsInvalidInput(err) || !cafe24.IsRefused(err) {
			t.Errorf("amount %s: %v", a, err)
		}
	}
	bad := []cafe24.Adjustment{
		{MemberID: "", OrderID: "o", Amount: dec("1"), Direction: cafe24.Increase},
		{MemberID: "member1", OrderID: "", Amount: dec("1"), Direction: cafe24.Increase},
		{MemberID: "member1", OrderID: "o", Amount: dec("1")},
		{MemberID: "member1", OrderID: "o\n", Amount: dec("1"), Direction: cafe24.Decrease},
	}
	for _, a := range bad {
		if _, err := c.AdjustPoints(context.Background(), a); !cafe24.IsInvalidInput(err) {
			t.Errorf("%+v: %v", a, err)
		}
	}
	if n := srv.Recorder().Count("AdjustPoints"); n != 0 || balance(t, srv) != "100.00" {
		t.Fatalf("%d requests sent, balance %s", n, balance(t, srv))
	}
}

func TestDecreasePastBalanceAndUnknownMember(t *testing.T) {
	ctx := context.Background()
	srv, c := fake(t)
	debit := credit("o-2", "100.01")
	debit.Direction = cafe24.Decrease
	if _, err := c.AdjustPoints(ctx, debit); !cafe24.IsRefused(err) || cafe24.CodeOf(err) != "422" {
		t.Fatalf("overdraw: %v", err)
	}
	nobody := credit("o-3", "1")
	nobody.MemberID = "nobody"
	if _, err := c.AdjustPoints(ctx, nobody); !cafe24.IsRefused(err) || cafe24.CodeOf(err) != "404" {
		t.Fatalf("unknown member: %v", err)
	}
	debit.Amount = dec("100")
	if _, err := c.AdjustPoints(ctx, debit); err != nil || balance(t, srv) != "0.00" {
		t.Fatalf("decrease to zero: %v, balance %s", err, balance(t, srv))
	}
	if srv.Records() != 1 {
		t.Fatalf("%d records, want 1", srv.Records())
	}
}

func TestMalformedAndOversizedAnswers(t *testing.T) {
	ctx := context.Background()
	for name, body := range map[string]string{
		"html":      "<html>oops</html>",
		"truncated": `{"point":`,
		"no point":  `{"points":[]}`,
		"oversized": `{"point":{"reason":"` + strings.Repeat("x", 8<<10) + `"}}`,
	} {
		srv, _ := fake(t)
		c := srv.Client(cafe24.WithMaxBodyBytes(4 << 10))
		srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.Garbage, Body: []byte(body)})
		_, err := c.AdjustPoints(ctx, credit("o-"+name, "1"))
		if !cafe24.IsLost(err) || !cafe24.IsDecode(err) {
			t.Errorf("%s: %v (lost %v)", name, err, cafe24.IsLost(err))
		}
		if balance(t, srv) != "100.00" {
			t.Errorf("%s: the garbage answer changed state", name)
		}
	}
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	ctx := context.Background()
	srv, c := fake(t)
	srv.ExpireTokens(false) // Cafe24 refuses the access token the client still thinks valid
	res, err := c.AdjustPoints(ctx, credit("o-401", "1"))
	if err != nil {
		t.Fatal(err)
	}
	if r, a := srv.Recorder().Count("Refresh"), srv.Recorder().Count("AdjustPoints"); r != 1 || a != 2 {
		t.Fatalf("%d refreshes, %d posts; want 1 and 2", r, a)
	}
	if res.CallLimit.Max != 40 || res.CallLimit.Used < 1 || c.CallLimit() != res.CallLimit {
		t.Fatalf("call limit %v / %v", res.CallLimit, c.CallLimit())
	}
	// A second 401 after the refresh is returned, not retried again.
	srv.ExpireTokens(false)
	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.Fail, Status: 401, Code: "401", Times: 2})
	if _, err := c.AdjustPoints(ctx, credit("o-401b", "1")); !cafe24.IsUnauthorized(err) {
		t.Fatalf("401 twice: %v", err)
	}
	if r := srv.Recorder().Count("Refresh"); r != 2 {
		t.Fatalf("%d refreshes after the second 401, want 2", r)
	}
}

func TestConsentNeededWhenRefreshTokenIsDead(t *testing.T) {
	srv, c := fake(t)
	srv.ExpireTokens(true)
	srv.Clock().Advance(time.Second)
	_, err := c.AdjustPoints(context.Background(), credit("o-dead", "1"))
	if !cafe24.IsConsentNeeded(err) || !cafe24.IsRefused(err) || balance(t, srv) != "100.00" {
		t.Fatalf("dead refresh token: %v", err)
	}
}

func TestLostAnswerReconciledWithoutDoubleCredit(t *testing.T) {
	ctx := context.Background()
	srv, c := fake(t)
	a := credit("order-lost", "25")
	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.DropAnswer})
	_, err := c.AdjustPoints(ctx, a)
	if !cafe24.IsLost(err) || srv.Recorder().Count("AdjustPoints") != 1 {
		t.Fatalf("dropped answer: %v", err)
	}
	applied, err := c.CheckAdjusted(ctx, a)
	if err != nil || !applied {
		t.Fatalf("check: %v %v", applied, err)
	}
	res, err := c.AdjustPointsOnce(ctx, a)
	if err != nil || !res.Reconciled || srv.Credits("order-lost") != 1 || balance(t, srv) != "125.00" {
		t.Fatalf("once: %+v %v, %d credits", res, err, srv.Credits("order-lost"))
	}
	// Not applied: a 503 refused it, so the order may be sent again.
	b := credit("order-503", "5")
	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.Fail, Status: 503})
	if _, err := c.AdjustPoints(ctx, b); !cafe24.IsRefused(err) {
		t.Fatalf("503: %v", err)
	}
	if applied, err := c.CheckAdjusted(ctx, b); err != nil || applied {
		t.Fatalf("check after 503: %v %v", applied, err)
	}
	// AdjustPointsOnce through a lost answer, a 500 that applied nothing and a 429.
	o := credit("order-once", "7")
	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.Fail, Status: 500})
	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.Fail, Status: 429, Code: "429"})
	res, err = c.AdjustPointsOnce(ctx, o)
	if err != nil || res.Reconciled || srv.Credits("order-once") != 1 {
		t.Fatalf("once through 500 and 429: %+v %v, %d credits", res, err, srv.Credits("order-once"))
	}
}

func TestAdjustPointsOnceConcurrentSameOrder(t *testing.T) {
	srv, c := fake(t)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.AdjustPointsOnce(context.Background(), credit("order-same", "1")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := srv.Credits("order-same"); n != 1 {
		t.Fatalf("%d credits, want 1", n)
	}
}

func TestRateLimitedRead(t *testing.T) {
	srv, c := fake(t)
	srv.Faults().MustInject("ListPoints", mock.Fault{Kind: mock.Fail, Status: 429, Code: "429", Times: -1})
	now := srv.Clock().Now()
	var err error
	for _, e := range c.ListPoints(context.Background(), cafe24.PointsQuery{From: now, To: now}) {
		err = e
	}
	if !cafe24.IsRateLimited(err) || !cafe24.IsRefused(err) || srv.Recorder().Count("ListPoints") != 4 {
		t.Fatalf("429 every time: %v after %d requests (want 4: 1 + 3 retries)", err, srv.Recorder().Count("ListPoints"))
	}
	srv.Faults().Clear()
	srv.Faults().MustInject("AdjustPoints", mock.Fault{Kind: mock.Fail, Status: 429, Code: "429"})
	if _, err := c.AdjustPoints(context.Background(), credit("o-429", "1")); !cafe24.IsRateLimited(err) ||
		srv.Recorder().Count("AdjustPoints") != 1 {
		t.Fatalf("a 429 POST is not retried: %v", err)
	}
}

func TestFakeBucketAnswers429(t *testing.T) {
	srv, _ := fake(t, cafe24mock.WithBucket(3, 1))
	// A client whose limiter does not know the bucket: the fake answers 429 once it is full.
	c := srv.Client(cafe24.WithLimiter(cafe24.NewLimiter(cafe24.WithBucket(1000, 1000))), cafe24.WithRetry(cafe24.RetryPolicy{MaxRetries: -1}))
	var errs []error
	for i := range 4 {
		_, err := c.AdjustPoints(context.Background(), credit("o-b"+string(rune('0'+i)), "1"))
		errs = append(errs, err)
	}
	if errs[2] != nil || !cafe24.IsRateLimited(errs[3]) || srv.Credits("o-b3") != 0 {
		t.Fatalf("bucket of 3: %v", errs)
	}
	if c.CallLimit() != (cafe24.CallLimit{Used: 3, Max: 3}) {
		t.Fatalf("call limit %v", c.CallLimit())
	}
	srv.Clock().Advance(time.Second) // one unit drains
	if _, err := c.AdjustPoints(context.Background(), credit("o-b3", "1")); err != nil {
		t.Fatalf("after draining: %v", err)
	}
}

func TestLimiterQueuesInsteadOf429(t *testing.T) {
	srv, c := fake(t, cafe24mock.WithBucket(2, 1))
	done := make(chan error, 3)
	for i := range 3 {
		go func() {
			_, err := c.AdjustPoints(context.Background(), credit("o-q"+string(rune('0'+i)), "1"))
			done <- err
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	srv.Clock().WaitForWaiters(1, nil)
	srv.Clock().Advance(time.Second)
	if err := <-done; err != nil {
		t.Fatalf("the queued call: %v", err)
	}
	if n := srv.Recorder().Count("AdjustPoints"); n != 3 {
		t.Fatalf("%d posts, want 3 (no 429)", n)
	}
}

func TestThousandGoroutinesOneRefresh(t *testing.T) {
	srv, c := fake(t, cafe24mock.WithBucket(0, 0))
	srv.Clock().Advance(2 * time.Hour) // every access token expired
	refreshes := thousandCallers(t, srv, c)
	if refreshes != 1 {
		t.Fatalf("%d refresh requests at the fake, want exactly 1", refreshes)
	}
}

// thousandCallers lists points from 1,000 goroutines at once with an expired token and
// returns the number of refresh requests the fake saw.
func thousandCallers(t testing.TB, srv *cafe24mock.Server, c *cafe24.Client) int {
	before := srv.Recorder().Count("Refresh")
	now := srv.Clock().Now()
	var wg sync.WaitGroup
	for range 1000 {
		wg.Go(func() {
			for _, err := range c.ListPoints(context.Background(), cafe24.PointsQuery{From: now, To: now, PageSize: 1}) {
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	return srv.Recorder().Count("Refresh") - before
}

func TestRevokeNeedsConsent(t *testing.T) {
	ctx := context.Background()
	srv, c := fake(t)
	if err := c.Revoke(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Clock().Advance(2 * time.Hour)
	if _, err := c.AdjustPoints(ctx, credit("o-r", "1")); !cafe24.IsConsentNeeded(err) {
		t.Fatalf("after revoke: %v", err)
	}
	tok, err := c.ExchangeCode(ctx, srv.Consent())
	if err != nil || tok == nil {
		t.Fatal(err)
	}
	if _, err := c.AdjustPoints(ctx, credit("o-r", "1")); err != nil {
		t.Fatalf("after a new consent: %v", err)
	}
}

func TestNewClientRefusesBadOptions(t *testing.T) {
	srv := cafe24mock.NewServer()
	defer srv.Close()
	for _, o := range []cafe24.Option{cafe24.WithMaxBodyBytes(-1), cafe24.WithRefreshAhead(-time.Second),
		cafe24.WithCheckWindow(0), cafe24.WithSettle(-1)} {
		if _, err := cafe24.NewClient(srv.AppConfig(), o, cafe24.WithTokenStore(cafe24.NewMemoryStore())); !cafe24.IsInvalidInput(err) {
			t.Errorf("accepted: %v", err)
		}
	}
	cfg := srv.AppConfig()
	cfg.MallID = "Bad Mall"
	if _, err := cafe24.NewClient(cfg); !cafe24.IsInvalidInput(err) || strings.Contains(err.Error(), cfg.ClientSecret) {
		t.Errorf("bad config: %v", err)
	}
}

var _ = http.StatusOK
