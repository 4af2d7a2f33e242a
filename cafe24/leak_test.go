package cafe24

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/poskit/poskit/mock"
)

// echoRefresher refuses every refresh and echoes the refresh token back, in a plain error
// or in Cafe24's error body, as a careless server or transport might.
type echoRefresher struct{ body bool }

func (r echoRefresher) Refresh(_ context.Context, rt string) (*Token, error) {
	if r.body {
		e := DecodeError("cafe24.Refresh", 400, []byte(`{"error":"invalid_grant","error_description":"dead token `+rt+`"}`))
		e.Err = errors.New("upstream said: " + rt[2:15])
		return nil, e
	}
	return nil, errors.New("proxy error for refresh_token=" + rt)
}

func TestErrorsNeverShowEchoedTokens(t *testing.T) {
	for _, body := range []bool{false, true} {
		clk := mock.NewClock(time.Time{})
		store := NewMemoryStore()
		tok := testToken(clk.Now(), 1)
		if _, err := store.Save(context.Background(), "shop1", tok, 0); err != nil {
			t.Fatal(err)
		}
		ts, _ := NewTokenSource("shop1", store, echoRefresher{body: body}, WithSourceClock(clk))
		clk.Advance(3 * time.Hour)
		_, err := ts.Token(context.Background())
		if err == nil {
			t.Fatal("no error")
		}
		if body != IsConsentNeeded(err) || body == IsLost(err) {
			t.Fatalf("body=%v: %v", body, err)
		}
		assertHidden(t, err, tok.RefreshToken.Reveal(), tok.AccessToken.Reveal())
		for e := err; e != nil; e = errors.Unwrap(e) {
			if _, raw := e.(interface{ Reveal() string }); raw {
				t.Fatal("secret in the chain")
			}
			if se, ok := e.(*scrubbedError); ok {
				assertHidden(t, se, tok.RefreshToken.Reveal())
				break // below it is the refresher's own error, which the SDK does not print
			}
			assertHidden(t, e, tok.RefreshToken.Reveal())
		}
	}
}

func TestPanickingRefresherDoesNotStrandCallers(t *testing.T) {
	clk := mock.NewClock(time.Time{})
	store := NewMemoryStore()
	tok := testToken(clk.Now(), 1)
	if _, err := store.Save(context.Background(), "shop1", tok, 0); err != nil {
		t.Fatal(err)
	}
	ts, _ := NewTokenSource("shop1", store, RefresherFunc(func(context.Context, string) (*Token, error) {
		panic("boom " + tok.RefreshToken.Reveal())
	}), WithSourceClock(clk))
	clk.Advance(3 * time.Hour)
	_, err := ts.Token(context.Background())
	if !IsLost(err) {
		t.Fatalf("panic: %v", err)
	}
	assertHidden(t, err, tok.RefreshToken.Reveal())
	// The lock was released: the store can be locked again.
	unlock, lerr := store.Lock(context.Background(), "shop1")
	if lerr != nil {
		t.Fatal(lerr)
	}
	unlock()
}
