package cafe24mock

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/internal/cafe24wire"
)

func (s *Server) routes() {
	s.HandleMatch(cafe24wire.OpRefresh, func(_ *http.Request, body []byte) bool {
		f, err := url.ParseQuery(string(body))
		return err == nil && f.Get(cafe24wire.FieldGrantType) == cafe24wire.GrantRefreshToken
	}, s.token)
	s.Handle(cafe24wire.OpExchangeCode, s.token)
	s.Handle(cafe24wire.OpRevoke, s.revoke)
	s.Handle(cafe24wire.OpListPoints, s.adminAPI(cafe24.ScopeReadMileage, s.listPoints))
	s.Handle(cafe24wire.OpAdjustPoints, s.adminAPI(cafe24.ScopeWriteMileage, s.adjustPoints))
}

// serveAuthorize is the consent page, GET /api/v2/oauth/authorize: the fake's operator
// consents at once and the browser is redirected to redirect_uri with a code and the
// state. Any other unknown route answers a Cafe24 404.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != cafe24wire.PathAuthorize {
		cafe24wire.WriteError(w, http.StatusNotFound, "404", "No API found")
		return
	}
	q := r.URL.Query()
	scopes := strings.Split(q.Get(cafe24wire.FieldScope), cafe24wire.ScopeSeparator)
	switch {
	case q.Get(cafe24wire.FieldResponseType) != cafe24wire.ResponseTypeCode:
		http.Error(w, "response_type must be code", http.StatusBadRequest)
	case q.Get(cafe24wire.FieldClientID) != ClientID:
		http.Error(w, "unknown client_id", http.StatusBadRequest)
	case q.Get(cafe24wire.FieldRedirectURI) != RedirectURI:
		http.Error(w, "redirect_uri is not the app's", http.StatusBadRequest)
	case q.Get(cafe24wire.FieldScope) == "" || !knownScopes(scopes):
		http.Error(w, "scope is empty or unknown", http.StatusBadRequest)
	default:
		code := s.Consent(scopes...)
		http.Redirect(w, r, redirectWith(code, q.Get(cafe24wire.FieldState)), http.StatusFound)
	}
}

func knownScopes(scopes []string) bool {
	for _, sc := range scopes {
		if sc != cafe24.ScopeReadMileage && sc != cafe24.ScopeWriteMileage {
			return false
		}
	}
	return true
}

func redirectWith(code, state string) string {
	v := url.Values{cafe24wire.FieldCode: {code}}
	if state != "" {
		v.Set(cafe24wire.FieldState, state)
	}
	return RedirectURI + "?" + v.Encode()
}

// Consent stands for the operator consenting to scopes (nil: both mileage scopes; the
// grant is cut to WithGrantedScopes): it returns a fresh single-use code, valid for the
// code life on the fake clock.
func (s *Server) Consent(scopes ...string) string {
	if len(scopes) == 0 {
		scopes = []string{cafe24.ScopeReadMileage, cafe24.ScopeWriteMileage}
	}
	if s.o.granted != nil {
		scopes = slices.DeleteFunc(slices.Clone(scopes), func(sc string) bool { return !slices.Contains(s.o.granted, sc) })
	}
	code := randomToken()
	s.mu.Lock()
	s.codes[code] = &authCode{scopes: scopes, expires: s.Clock().Now().Add(s.o.codeLife)}
	s.mu.Unlock()
	return code
}

// Grant issues a token pair as a consent and code exchange would (both mileage scopes, cut
// to WithGrantedScopes) and returns it; Client uses the last one.
func (s *Server) Grant() *cafe24.Token {
	scopes := []string{cafe24.ScopeReadMileage, cafe24.ScopeWriteMileage}
	if s.o.granted != nil {
		scopes = slices.Clone(s.o.granted)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(scopes, randomToken(), randomToken()).Clone()
}

// GrantPair is Grant with the tokens given, for tests that need the same secrets in every
// fake (at least 16 characters each, unlike each other).
func (s *Server) GrantPair(access, refresh string) *cafe24.Token {
	if len(access) < 16 || len(refresh) < 16 || access == refresh {
		panic("cafe24mock: GrantPair needs two different tokens of at least 16 characters")
	}
	scopes := []string{cafe24.ScopeReadMileage, cafe24.ScopeWriteMileage}
	if s.o.granted != nil {
		scopes = slices.Clone(s.o.granted)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(scopes, access, refresh).Clone()
}

// issueLocked issues a new pair and remembers it as the last grant.
func (s *Server) issueLocked(scopes []string, access, refresh string) *cafe24.Token {
	now := s.Clock().Now()
	g := &grant{access: access, refresh: refresh, accessExp: now.Add(AccessLife),
		refreshExp: now.Add(RefreshLife), scopes: scopes, issued: now}
	s.access[g.access], s.refresh[g.refresh] = g, g
	s.AddSecret(g.access)
	s.AddSecret(g.refresh)
	s.issued++
	tok := &cafe24.Token{
		AccessToken: cafe24.Secret(g.access), RefreshToken: cafe24.Secret(g.refresh),
		ExpiresAt: g.accessExp, RefreshExpiresAt: g.refreshExp, ClientID: ClientID, MallID: MallID,
		UserID: UserID, Scopes: slices.Clone(scopes), IssuedAt: now, ShopNo: "1",
	}
	s.lastGrant = tok
	return tok
}

// token serves POST /api/v2/oauth/token: the code exchange (ExchangeCode) and the
// rotating refresh (Refresh), both with Basic auth and a form body.
func (s *Server) token(w http.ResponseWriter, r *http.Request, body []byte) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != ClientID || secret != ClientSecret {
		cafe24wire.WriteOAuthError(w, http.StatusUnauthorized, cafe24wire.OAuthInvalidClient, "client authentication failed")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		cafe24wire.WriteOAuthError(w, http.StatusBadRequest, cafe24wire.OAuthInvalidRequest, "body is not a form")
		return
	}
	now := s.Clock().Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var scopes []string
	switch form.Get(cafe24wire.FieldGrantType) {
	case cafe24wire.GrantAuthorizationCode:
		c := s.codes[form.Get(cafe24wire.FieldCode)]
		switch {
		case c == nil || c.used:
			cafe24wire.WriteOAuthError(w, http.StatusBadRequest, cafe24wire.OAuthInvalidGrant, "authorization code unknown or already used")
			return
		case !now.Before(c.expires):
			cafe24wire.WriteOAuthError(w, http.StatusBadRequest, cafe24wire.OAuthInvalidGrant, "authorization code expired")
			return
		case form.Get(cafe24wire.FieldRedirectURI) != RedirectURI:
			cafe24wire.WriteOAuthError(w, http.StatusBadRequest, cafe24wire.OAuthInvalidGrant, "redirect_uri does not match")
			return
		}
		c.used = true
		scopes = c.scopes
	case cafe24wire.GrantRefreshToken:
		g := s.refresh[form.Get(cafe24wire.FieldRefreshToken)]
		if g == nil || !now.Before(g.refreshExp) {
			cafe24wire.WriteOAuthError(w, http.StatusBadRequest, cafe24wire.OAuthInvalidGrant, "refresh token unknown, used or expired")
			return
		}
		delete(s.refresh, g.refresh) // rotation: the old refresh token dies at once
		scopes = g.scopes
	default:
		cafe24wire.WriteOAuthError(w, http.StatusBadRequest, cafe24wire.OAuthUnsupported, "grant_type must be authorization_code or refresh_token")
		return
	}
	tok := s.issueLocked(scopes, randomToken(), randomToken())
	cafe24wire.WriteJSON(w, http.StatusOK, cafe24wire.Token{
		AccessToken: tok.AccessToken.Reveal(), ExpiresAt: cafe24.FormatKST(tok.ExpiresAt),
		RefreshToken: tok.RefreshToken.Reveal(), RefreshTokenExpiresAt: cafe24.FormatKST(tok.RefreshExpiresAt),
		ClientID: ClientID, MallID: MallID, UserID: UserID, Scopes: tok.Scopes,
		IssuedAt: cafe24.FormatKST(tok.IssuedAt), ShopNo: json.RawMessage(`"1"`), TokenType: cafe24wire.TokenTypeBearer,
	})
}

// revoke serves POST /api/v2/oauth/revoke: the pair holding token (access or refresh)
// dies. An unknown token is answered as a success (RFC 7009).
func (s *Server) revoke(w http.ResponseWriter, r *http.Request, body []byte) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != ClientID || secret != ClientSecret {
		cafe24wire.WriteOAuthError(w, http.StatusUnauthorized, cafe24wire.OAuthInvalidClient, "client authentication failed")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get(cafe24wire.FieldToken) == "" {
		cafe24wire.WriteOAuthError(w, http.StatusBadRequest, cafe24wire.OAuthInvalidRequest, "token is required")
		return
	}
	t := form.Get(cafe24wire.FieldToken)
	s.mu.Lock()
	g := s.access[t]
	if g == nil {
		g = s.refresh[t]
	}
	if g != nil {
		delete(s.access, g.access)
		delete(s.refresh, g.refresh)
	}
	s.mu.Unlock()
	cafe24wire.WriteJSON(w, http.StatusOK, map[string]any{})
}

// ExpireTokens ends every access token now (and every refresh token too when refresh is
// true), as time would; it returns how many pairs it touched.
func (s *Server) ExpireTokens(refresh bool) int {
	now := s.Clock().Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, g := range s.access {
		g.accessExp = now
		n++
	}
	if refresh {
		for _, g := range s.refresh {
			g.refreshExp = now
		}
	}
	return n
}

// Issued returns the number of token pairs issued (grants, exchanges and refreshes).
func (s *Server) Issued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}
