package cafe24

import (
	"errors"
	"strconv"

	"github.com/poskit/poskit/internal/apierr"
)

// Codes of this package. Cafe24's own codes are kept in Error.Code as received (a number
// such as "401" from the Admin API, or an OAuth code such as "invalid_grant"); the codes
// below never clash with them because they carry the "poskit." prefix.
const (
	// CodeInvalidInput: an argument or a Config field failed validation; nothing was sent
	// and nothing changed.
	CodeInvalidInput = "poskit.invalid_input"
	// CodeInvalidState: an OAuth state value was unknown, already used or expired.
	CodeInvalidState = "poskit.invalid_state"
	// CodeConsentNeeded: the mall's refresh token is dead (expired, rotated by a refresh
	// whose answer was lost, revoked) or no token was ever stored: a person must consent
	// again (authorize URL, code exchange).
	CodeConsentNeeded = "poskit.consent_needed"
	// CodeNoToken: the token store holds no token for the mall.
	CodeNoToken = "poskit.no_token"
	// CodeStoreConflict: a compare-and-swap save found a newer token than the one the
	// writer loaded; the save was refused and the store kept the newer token.
	CodeStoreConflict = "poskit.store_conflict"
	// CodeStoreCorrupt: a stored token could not be read (truncated, not JSON, missing
	// fields). The message names the file; the store is left as it is.
	CodeStoreCorrupt = "poskit.store_corrupt"
	// CodeStoreIO: the token store could not be read, written or locked.
	CodeStoreIO = "poskit.store_io"
	// CodeDecode: an answer of Cafe24 could not be decoded (not JSON, wrong shape, bad time).
	CodeDecode = "poskit.decode"
	// CodeRefreshUnsaved: a refresh succeeded but the rotated token could not be saved; the
	// token source keeps it in memory and saves it before any caller receives it.
	CodeRefreshUnsaved = "poskit.refresh_unsaved"

	// CodeInvalidGrant is the OAuth error Cafe24's token endpoint answers when a refresh
	// token or an authorization code is unknown, used, expired or revoked.
	CodeInvalidGrant = "invalid_grant"
)

// Error is the one error type of this package: an answer of Cafe24 with an error, an
// invalid argument, a token store failure or a decoding failure. Use errors.As or the IsXxx
// helpers. Error() never contains the client secret, an access token or a refresh token,
// also not when Cafe24 echoes one back in its message.
type Error struct {
	Op         string // operation, e.g. "cafe24.Refresh"
	HTTPStatus int    // HTTP status of the answer; 0 if none was received
	Code       string // Cafe24's code as received, or one of the Code constants of this package
	Message    string // Cafe24's message (secrets removed), or this package's description
	MoreInfo   string // Cafe24's more_info as raw JSON (secrets removed); empty if none
	Err        error  // cause, if any

	outcome apierr.Outcome
}

// Error formats the error as "cafe24.Refresh: invalid_grant: refresh token expired (HTTP 400)".
func (e *Error) Error() string {
	return apierr.Format(e.Op, e.Code, e.Message, e.HTTPStatus, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Outcome tells whether the failed request was refused (nothing applied), lost (it may
// have been applied: reconcile, never resend blindly) or canceled by the caller's context.
// For an Error built outside this package (a Refresher of your own) it is derived: a
// context error as cause is Canceled; no HTTP status with a cause (no answer) or a 5xx
// status other than 503 is Lost; anything else is Refused.
func (e *Error) Outcome() apierr.Outcome {
	if e.outcome != 0 {
		return e.outcome
	}
	switch {
	case e.Err != nil && apierr.IsContext(e.Err):
		return apierr.Canceled
	case e.HTTPStatus == 0 && e.Err != nil, e.HTTPStatus >= 500 && e.HTTPStatus != 503:
		return apierr.Lost
	}
	return apierr.Refused
}

func asError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

func hasCode(err error, codes ...string) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	for _, c := range codes {
		if e.Code == c {
			return true
		}
	}
	return false
}

// CodeOf returns the Code of the first *Error in err's chain, or "" if there is none.
func CodeOf(err error) string {
	if e, ok := asError(err); ok {
		return e.Code
	}
	return ""
}

// IsLost reports whether err says a request was sent and its answer lost: it may have been
// applied. For a refresh this means the refresh token may have been rotated and be dead.
func IsLost(err error) bool {
	if err == nil || apierr.IsContext(err) {
		return false
	}
	e, ok := asError(err)
	return ok && e.Outcome() == apierr.Lost
}

// IsRefused reports whether err says nothing was applied: the request was not sent, or
// Cafe24 refused it.
func IsRefused(err error) bool {
	e, ok := asError(err)
	return ok && e.Outcome() == apierr.Refused
}

// IsInvalidInput reports whether err is an argument or Config validation failure.
func IsInvalidInput(err error) bool { return hasCode(err, CodeInvalidInput) }

// IsInvalidState reports whether err is the refusal of an OAuth state value.
func IsInvalidState(err error) bool { return hasCode(err, CodeInvalidState) }

// IsConsentNeeded reports whether a person must consent again for the mall.
func IsConsentNeeded(err error) bool { return hasCode(err, CodeConsentNeeded) }

// IsInvalidGrant reports whether Cafe24 refused a refresh token or code (invalid_grant).
func IsInvalidGrant(err error) bool { return hasCode(err, CodeInvalidGrant) }

// IsNoToken reports whether the store holds no token for the mall.
func IsNoToken(err error) bool { return hasCode(err, CodeNoToken) }

// IsStoreConflict reports whether a compare-and-swap save lost against a newer token.
func IsStoreConflict(err error) bool { return hasCode(err, CodeStoreConflict) }

// IsStoreCorrupt reports whether a stored token could not be read.
func IsStoreCorrupt(err error) bool { return hasCode(err, CodeStoreCorrupt) }

// IsDecode reports whether an answer could not be decoded.
func IsDecode(err error) bool { return hasCode(err, CodeDecode) }

// IsRateLimited reports whether Cafe24 answered 429 Too Many Requests.
func IsRateLimited(err error) bool {
	e, ok := asError(err)
	return ok && (e.HTTPStatus == 429 || e.Code == "429")
}

// IsUnauthorized reports whether Cafe24 answered 401 (expired or invalid access token).
func IsUnauthorized(err error) bool {
	e, ok := asError(err)
	return ok && (e.HTTPStatus == 401 || e.Code == "401")
}

func invalidInput(op, msg string) *Error {
	return &Error{Op: op, Code: CodeInvalidInput, Message: msg, outcome: apierr.Refused}
}

// statusOutcome is the outcome of an error answer with HTTP status s: 503 Service
// Unavailable (and every 4xx, 429 included) says the request was not processed, so it was
// refused; any other 5xx (500, 502, 504) may come after the request was applied (the
// points POST has no idempotency key), so it is lost.
func statusOutcome(s int) apierr.Outcome {
	if s >= 500 && s != 503 {
		return apierr.Lost
	}
	return apierr.Refused
}

func itoa(n int) string { return strconv.Itoa(n) }

func utoa(n uint64) string { return strconv.FormatUint(n, 10) }
