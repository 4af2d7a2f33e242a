// Package cafe24mock is a stateful fake of Cafe24 for one mall: the OAuth 2.0 endpoints
// (consent, code exchange, rotating refresh, revoke) and the points (mileage) API, with
// members, balances and point records, on a fake clock. It is built on mock.Server and
// speaks the wire format of internal/cafe24wire, the same file the client uses.
//
//	srv := cafe24mock.NewServer(); defer srv.Close()
//	srv.AddMember("member1", "", decimal.RequireFromString("1000"))
//	c := srv.Client() // a *cafe24.Client with a consented token
//
// # Operations
//
// Operation names (for Faults().Inject and mock.Request.Op) are the client's methods:
//
//	op            request                                  answer
//	ExchangeCode  POST /api/v2/oauth/token (authorization_code)  token pair (access 2 h, refresh 14 days)
//	Refresh       POST /api/v2/oauth/token (refresh_token)       new pair; the old refresh token dies at once
//	Revoke        POST /api/v2/oauth/revoke (token=…)            {}; the pair holding the token dies
//	ListPoints    GET  /api/v2/admin/points                      {"points":[…]}
//	AdjustPoints  POST /api/v2/admin/points                      201 {"point":{…}}
//
// The token endpoints check Basic auth (client id and secret; else 401 invalid_client).
// Codes are single use and live CodeLife (one minute) on the fake clock; a reused, unknown
// or expired code, a redirect_uri other than the app's and a dead refresh token are 400
// invalid_grant. GET /api/v2/oauth/authorize is the consent page: the operator consents at
// once and it redirects (302) to the redirect URI with ?code=…&state=… (Consent, or the
// "consent" action, does the same without a browser).
//
// Admin API calls check, in this order: the bearer token (401 "Invalid access_token"),
// the X-Cafe24-Api-Version header when present (400), the mall's leaky bucket (40 calls
// draining 2 per second on the fake clock: 429 when full; every answer carries
// X-Api-Call-Limit: used/40), the scope (403: mall.read_mileage for the list,
// mall.write_mileage for the POST). The list needs start_date and end_date (KST days,
// 422), limit 1–100 (default 10) and offset ≤ 8000 (422 beyond), and filters by
// member_id, email, order_id and group_no. The POST refuses a missing member_id, an amount
// ≤ 0, over 1,000,000 or with three decimals, and a type other than increase/decrease
// (422), an unknown member (404) and a decrease past the balance (422), changing nothing.
// Errors are Cafe24's {"error":{"code":…,"message":…,"more_info":{}}} (the token endpoint:
// OAuth's {"error":"invalid_grant","error_description":…}).
//
// Faults (mock.Fault by operation): Fail answers in Cafe24's error format; DropAnswer
// applies the operation and drops the answer (a credit applied, its answer lost); Delay
// waits on the fake clock; Garbage answers a raw body. Recorded requests never show the
// client secret or an issued token (Authorization is redacted, and every token the fake
// issues is registered as a secret).
//
// Actions (poskit-mock: POST /cafe24/do/{name}): consent, add-member, balance,
// expire-tokens, credits.
//
// # Where the fake differs from Cafe24
//
//   - One mall, one app (MallID, ClientID, ClientSecret, RedirectURI) and one shop (shop_no
//     1); the consent page consents at once, without a login.
//   - An access token stays valid until its expiry after a refresh (Cafe24 does not say);
//     revoking either token of a pair kills both.
//   - The 429 answer carries no Retry-After (as on Cafe24) and OAuth endpoints do not count
//     in the bucket.
//   - The list ignores case and points_category, returns records oldest first, and its
//     records have no unavailable points or coupons; created_date is written with its zone
//     (+09:00). The POST answer's shape ({"point":{…}}) follows the reference's example.
//   - A missing X-Cafe24-Api-Version is accepted (Cafe24 then uses its latest version).
//   - Refusal codes are the HTTP status as a number; Cafe24's own messages differ.
package cafe24mock
