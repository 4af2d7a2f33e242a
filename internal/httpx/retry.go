package httpx

import (
	"errors"
	"net/http"

	"github.com/poskit/poskit/internal/apierr"
)

// Retryable is implemented by package errors that say whether repeating a request safe to
// repeat may help (e.g. an API's own "server busy" code). A lost answer of a request that
// is not safe to repeat is never retried, whatever it says: the engine retries only
// requests marked Idempotent.
type Retryable interface{ Retryable() bool }

// DefaultShouldRetry retries transport failures (never the context's own), HTTP 429 and
// 5xx, and errors that say they are Retryable.
func DefaultShouldRetry(status int, err error) bool {
	if err == nil || apierr.IsContext(err) {
		return false
	}
	if IsTransport(err) {
		return true
	}
	if status == http.StatusTooManyRequests || status >= 500 {
		return true
	}
	var r Retryable
	return errors.As(err, &r) && r.Retryable()
}
