package cafe24

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/poskit/poskit/internal/apierr"
	"github.com/poskit/poskit/internal/cafe24wire"
	"github.com/poskit/poskit/internal/httpx"
)

// tokenCall posts form to the token endpoint (or revoke) as operation op with Basic auth
// (client id and secret) and decodes a token answer when want is true.
func (c *Client) tokenCall(ctx context.Context, op string, form url.Values, secrets []string, want bool) (*Token, error) {
	ep, _ := cafe24wire.Table.Lookup(op)
	req := httpx.NewRequest(cafe24wire.Table, ep)
	req.Form = form
	req.Header = http.Header{"Authorization": c.basic}
	var tok *Token
	t := &target{secrets: secrets, into: func(name string, status int, body []byte) error {
		if !want {
			if !isJSONObject(body) {
				return badAnswer(name, status, "answer is not a JSON object")
			}
			return nil
		}
		var err error
		tok, err = decodeToken(name, body)
		if e, ok := asError(err); ok {
			e.HTTPStatus = status
		}
		return err
	}}
	if _, err := c.eng.Do(ctx, req, t); err != nil {
		return nil, err
	}
	c.remember(tok)
	return tok, nil
}

// ExchangeCode trades the code of a consent redirect for the mall's first token pair —
// POST /api/v2/oauth/token with grant_type=authorization_code, Basic auth (client id and
// secret) and a form body — and saves it in the token store (replacing whatever was
// stored) before returning it. Check the redirect's state with States.Check first.
//
// A code is single use and lives one minute: the exchange is never repeated. A lost answer
// (IsLost) cannot be recovered — the code is spent — so a person consents again. When the
// token was received but could not be saved, ExchangeCode returns it with an *Error with
// CodeRefreshUnsaved: save it yourself. A refused code is an *Error with
// CodeInvalidGrant.
func (c *Client) ExchangeCode(ctx context.Context, code string) (*Token, error) {
	const op = "cafe24.ExchangeCode"
	if !trimmed(code, 512) {
		return nil, invalidInput(op, "code is empty, too long or has spaces or control characters")
	}
	form := url.Values{
		cafe24wire.FieldGrantType:   {cafe24wire.GrantAuthorizationCode},
		cafe24wire.FieldCode:        {code},
		cafe24wire.FieldRedirectURI: {c.cfg.RedirectURI},
	}
	tok, err := c.tokenCall(ctx, cafe24wire.OpExchangeCode, form, []string{code}, true)
	if err != nil {
		return nil, err
	}
	if tok.MallID == "" {
		tok.MallID = c.cfg.MallID
	}
	if tok.ClientID == "" {
		tok.ClientID = c.cfg.ClientID
	}
	ctx = context.WithoutCancel(ctx) // the code is spent: keep what it bought
	for range 3 {
		_, ver, lerr := c.store.Load(ctx, c.cfg.MallID)
		if lerr != nil && !IsNoToken(lerr) && !IsStoreCorrupt(lerr) {
			err = lerr
			break
		}
		if _, err = c.store.Save(ctx, c.cfg.MallID, tok, ver); err == nil {
			c.ts.adopt(tok)
			return tok.Clone(), nil
		}
		if !IsStoreConflict(err) {
			break
		}
	}
	return tok.Clone(), &Error{Op: op, Code: CodeRefreshUnsaved,
		Message: "token received but not saved; save it with the token store", Err: err, outcome: apierr.Refused}
}

// Refresh trades a refresh token for a new pair — POST /api/v2/oauth/token with
// grant_type=refresh_token, Basic auth and a form body. It implements Refresher for the
// client's TokenSource, which saves the rotated token before using it; call it yourself
// only with a store of your own, and save its answer at once: the refresh token it was
// given is dead from the moment Cafe24 received the request, also when the answer is lost
// (IsLost). A refresh is never repeated. A refused refresh token is an *Error for which
// IsInvalidGrant is true.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	const op = "cafe24.Refresh"
	if !trimmed(refreshToken, 1024) {
		return nil, invalidInput(op, "refresh token is empty, too long or has spaces or control characters")
	}
	form := url.Values{
		cafe24wire.FieldGrantType:    {cafe24wire.GrantRefreshToken},
		cafe24wire.FieldRefreshToken: {refreshToken},
	}
	return c.tokenCall(ctx, cafe24wire.OpRefresh, form, []string{refreshToken}, true)
}

// Revoke revokes the mall's stored token pair — POST /api/v2/oauth/revoke with Basic auth
// and token=<access token> — after which a person must consent again. It is not repeated;
// a lost answer (IsLost) leaves the pair's fate unknown: call Revoke again (revoking a
// dead token is answered as a success). With no stored token it is an *Error with
// CodeNoToken.
func (c *Client) Revoke(ctx context.Context) error {
	const op = "cafe24.Revoke"
	tok, _, err := c.store.Load(ctx, c.cfg.MallID)
	if err != nil {
		if apierr.IsContext(err) {
			return c.wrap(op, 0, err)
		}
		return err
	}
	c.remember(tok)
	form := url.Values{cafe24wire.FieldToken: {tok.AccessToken.Reveal()}}
	_, err = c.tokenCall(ctx, cafe24wire.OpRevoke, form,
		[]string{tok.AccessToken.Reveal(), tok.RefreshToken.Reveal()}, false)
	return err
}

func isJSONObject(b []byte) bool {
	for i, ch := range b {
		switch ch {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return json.Valid(b[i:])
		}
		return false
	}
	return false
}
