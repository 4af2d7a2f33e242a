package cafe24

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
)

func TestAuthorizeURL(t *testing.T) {
	cfg := validConfig()
	u, err := AuthorizeURL(cfg, "st4te")
	if err != nil {
		t.Fatal(err)
	}
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	if p.Scheme != "https" || p.Host != "shop1.cafe24api.com" || p.Path != "/api/v2/oauth/authorize" ||
		q.Get("response_type") != "code" || q.Get("client_id") != "client-abc" || q.Get("state") != "st4te" ||
		q.Get("redirect_uri") != cfg.RedirectURI || q.Get("scope") != "mall.read_mileage,mall.write_mileage" {
		t.Fatalf("url %s", u)
	}
	if strings.Contains(u, testSecret) {
		t.Fatal("secret in the authorize URL")
	}
	if _, err := AuthorizeURL(cfg, ""); !IsInvalidInput(err) {
		t.Fatalf("empty state: %v", err)
	}
	cfg.MallID = ""
	if _, err := AuthorizeURL(cfg, "x"); !IsInvalidInput(err) {
		t.Fatalf("bad config: %v", err)
	}
}

func TestStates(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	s := NewStates(WithStateClock(clk), WithStateTTL(time.Minute))
	u, st, err := s.AuthorizeURL(validConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(st) < 43 || !strings.Contains(u, "state="+st) || s.Pending() != 1 {
		t.Fatalf("state %q in %s, pending %d", st, u, s.Pending())
	}
	st2, _ := s.New()
	if st2 == st {
		t.Fatal("states repeat")
	}
	// Wrong states change nothing.
	for _, wrong := range []string{"", "x", st[:len(st)-1], st + "x", strings.ToUpper(st)} {
		err := s.Check(wrong)
		if !IsInvalidState(err) || !IsRefused(err) || (wrong != "" && strings.Contains(err.Error(), wrong)) {
			t.Fatalf("Check(%q) = %v", wrong, err)
		}
	}
	if s.Pending() != 2 {
		t.Fatalf("wrong states consumed a pending one: %d", s.Pending())
	}
	if err := s.Check(st); err != nil {
		t.Fatalf("first check: %v", err)
	}
	if err := s.Check(st); !IsInvalidState(err) {
		t.Fatalf("reused state accepted: %v", err)
	}
	// Expiry on the injected clock.
	clk.Advance(time.Minute)
	if err := s.Check(st2); !IsInvalidState(err) {
		t.Fatalf("expired state accepted: %v", err)
	}
	if s.Pending() != 0 {
		t.Fatal("expired state kept")
	}
	// Invalid config issues no state.
	if _, _, err := s.AuthorizeURL(Config{}); !IsInvalidInput(err) || s.Pending() != 0 {
		t.Fatalf("bad config: %v, pending %d", err, s.Pending())
	}
}

func TestStatesConcurrentSingleUse(t *testing.T) {
	s := NewStates(WithStateLimit(3))
	st, _ := s.New()
	var wg sync.WaitGroup
	var mu sync.Mutex
	okCount := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.Check(st) == nil {
				mu.Lock()
				okCount++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if okCount != 1 {
		t.Fatalf("state accepted %d times", okCount)
	}
	// The limit forgets the oldest.
	a, _ := s.New()
	for range 3 {
		_, _ = s.New()
	}
	if s.Pending() != 3 || s.Check(a) == nil {
		t.Fatalf("limit: pending %d", s.Pending())
	}
}
