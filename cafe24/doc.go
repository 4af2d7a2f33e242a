// Package cafe24 is a client of the Cafe24 Admin API for mileage (points) and its OAuth 2.0
// authorization, built so that a mall is never locked out by refresh token rotation and a
// member is never credited twice.
//
// Client (NewClient(cfg, opts...)) makes every call: ExchangeCode, Refresh and Revoke at
// the OAuth endpoints, ListPoints, AdjustPoints, CheckAdjusted and AdjustPointsOnce at the
// Admin API. Every call goes through poskit's one HTTP engine with the caller's context and
// *http.Client (WithHTTPClient); Admin API calls take a bearer token from the client's
// TokenSource, wait on the Limiter first and feed it the X-Api-Call-Limit header of every
// answer, which callers see as Adjusted.CallLimit and Client.CallLimit. Around it: Config,
// the OAuth authorize URL and state check, Token and Cafe24's KST timestamps, the token
// stores, the TokenSource that refreshes safely, amount validation, the rate limiter and
// the error type.
//
//	c, err := cafe24.NewClient(cfg, cafe24.WithTokenStore(store))
//	tok, err := c.ExchangeCode(ctx, code)            // after States.Check(state)
//	res, err := c.AdjustPointsOnce(ctx, cafe24.Adjustment{MemberID: "m1", OrderID: "PP-1",
//		Amount: decimal.RequireFromString("500"), Direction: cafe24.Increase})
//	for rec, err := range c.ListPoints(ctx, cafe24.PointsQuery{From: day, To: day}) { … }
//
// mock/cafe24mock is a stateful fake of Cafe24 for tests; its Client method returns a
// Client ready for it.
//
// # Authentication
//
// Cafe24 uses the OAuth 2.0 authorization code grant. A person (the shop's operator)
// opens AuthorizeURL — GET https://{mall_id}.cafe24api.com/api/v2/oauth/authorize — and
// consents; Cafe24 redirects to Config.RedirectURI with a code (valid one minute) and the
// state. States issues the state (256 random bits) and checks it on the redirect: in
// constant time, once, before its expiry on the injected clock. The code is then exchanged
// at POST /api/v2/oauth/token (Basic auth with the client id and secret, form body) for a
// token pair, which is saved in a TokenStore (version 0: the first save).
//
// # Tokens
//
// The access token lives 2 hours, the refresh token 14 days, and every refresh rotates the
// refresh token: the old one dies at once. Two goroutines, two processes or two replicas
// refreshing together, or a crash between receiving and saving, would lock the mall out
// until a person consents again. TokenSource prevents what a client can prevent:
//
//   - it refreshes ahead of expiry (WithRefreshMargin, default 5 minutes);
//   - one refresh at a time per mall: goroutines share one refresh (1,000 goroutines asking
//     with an expired token cause exactly one refresh), and with a store that is a
//     TokenLocker the refresh runs under the store's lock, which spans processes for
//     FileStore (flock) — after taking it the source re-reads the store and uses a token
//     another process refreshed meanwhile;
//   - the rotated token is saved (compare-and-swap on a version, so a stale writer never
//     overwrites a newer token) before any caller receives it; if saving fails it is kept
//     in memory and saved first on the next call;
//   - on invalid_grant it re-reads the store once before reporting CodeConsentNeeded.
//
// What no client can do: if a refresh request reached Cafe24 and its answer was lost, or
// the process died after receiving the answer and before saving it, the old refresh token
// is dead and the new one is nowhere. The next refresh gets invalid_grant and TokenSource
// reports an *Error for which IsConsentNeeded is true: a person must consent again. A lost
// refresh answer is reported as lost (IsLost) at once, so an operator can be alerted before
// the access token runs out.
//
// FileStore is the embedded default store: one JSON file per mall, mode 0600, replaced
// atomically (github.com/google/renameio/v2). A truncated or non-JSON file is an error
// naming the file (CodeStoreCorrupt), never an empty store. MemoryStore serves tests and
// single-process programs; a database can implement TokenStore and TokenLocker for many
// replicas.
//
// Token, Config and Secret never show a token or the client secret: not with any fmt verb,
// not in slog, not in JSON.
//
// # Errors
//
// Every failure is an *Error with the operation (Op, e.g. "cafe24.Refresh"), the HTTP
// status, Cafe24's code as received (a number such as "422", or an OAuth code such as
// "invalid_grant") or one of this package's Code constants ("poskit.…"), the message and the
// cause. Helpers: IsInvalidInput, IsInvalidState, IsConsentNeeded, IsInvalidGrant,
// IsNoToken, IsStoreConflict, IsStoreCorrupt, IsDecode, IsRateLimited, IsUnauthorized,
// IsLost, IsRefused, CodeOf. A context that ended is reported as the context's error.
// Messages never contain the client secret or a token, also when Cafe24 echoes one: every
// fragment of 8 or more characters of a secret is replaced by "[redacted]".
//
// # Idempotency
//
// POST /api/v2/admin/points has no idempotency key: a resent request whose first answer
// was lost credits twice. AdjustPoints therefore sends exactly once and takes the order id
// as the caller's key (Cafe24 stores it with the record). When its answer is lost
// (IsLost), CheckAdjusted reads the member's point records for that order id and reports
// applied or not applied; only "not applied" allows sending again. AdjustPointsOnce does
// all of it (check first, send, after a loss wait and check, after a 429 or 503 pause and
// send again), so a caller keyed by its own order number — a PointPay conversion, say —
// credits each order exactly once across lost answers and restarts. ValidateAmount (and
// Adjustment.Validate) refuses an amount that Cafe24 would refuse (≤ 0, over 1,000,000,
// more than two decimals) before anything is sent.
// A refresh is not idempotent either (it rotates): it is never retried after a lost answer.
//
// # Rate limits
//
// Cafe24 gives each mall a leaky bucket of 40 calls draining 2 per second and answers 429
// when it is full; every answer carries X-Api-Call-Limit: used/max. Limiter mirrors the
// bucket per mall on the injected clock: Wait queues a caller (first come, first served,
// context-aware) until there is room instead of overflowing the bucket, and Observe follows
// the header of every answer, so calls of other programs on the same mall count too.
//
// # Retries
//
// Retries use poskit's one policy (RetryPolicy, backoff on the injected clock): reads and
// answers that were refused before being applied (429, 503 without effect) may be retried;
// a points POST only after the reconciliation above, and a refresh never after a lost
// answer. A 401 for an access token that looked valid leads to one ForceRefresh and one
// retry (a 401 was not applied).
package cafe24
