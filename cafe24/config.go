package cafe24

import (
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/poskit/poskit/internal/cafe24wire"
	"github.com/poskit/poskit/internal/clockx"
	"github.com/poskit/poskit/internal/retry"
)

// Clock tells the time and makes timers: token expiry, state expiry and the rate limiter
// run on it. clockx.Real (the default) is the wall clock; mock.Clock is a fake one.
type Clock = clockx.Clock

// Timer is the timer a Clock hands out.
type Timer = clockx.Timer

// RetryPolicy is poskit's one retry policy (backoff on the injected clock).
type RetryPolicy = retry.Policy

// DefaultAPIVersion is the Admin API version date sent in X-Cafe24-Api-Version when
// Config.APIVersion is empty.
const DefaultAPIVersion = "2025-12-01"

// Scopes of the points (mileage) API.
const (
	ScopeReadMileage  = cafe24wire.ScopeReadMileage
	ScopeWriteMileage = cafe24wire.ScopeWriteMileage
)

// Config is what a Cafe24 app needs for one mall. ClientSecret never appears in String,
// GoString, any fmt verb or slog.
type Config struct {
	MallID       string   // the mall id, the first label of https://{mall_id}.cafe24api.com
	ClientID     string   // the app's client id (Cafe24 developers: Apps → App 관리)
	ClientSecret string   // the app's client secret; never printed
	RedirectURI  string   // the redirect URI registered with the app (absolute https URL)
	Scopes       []string // scopes asked at consent, e.g. ScopeReadMileage, ScopeWriteMileage
	APIVersion   string   // pinned Admin API version date YYYY-MM-DD; "" means DefaultAPIVersion
	// BaseURL replaces https://{mall_id}.cafe24api.com, e.g. with a fake server's URL;
	// "" for the real service.
	BaseURL string
}

var (
	mallIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	scopePattern  = regexp.MustCompile(`^mall\.(read|write)_[a-z_]{1,40}$`)
)

// Validate checks every field and returns the first problem as an *Error with
// CodeInvalidInput naming the field (never its value when it is the secret).
func (c Config) Validate() error {
	const op = "cafe24.Config"
	if err := validMallID(op, c.MallID); err != nil {
		return err
	}
	if c.ClientID == "" || len(c.ClientID) > 128 || strings.ContainsAny(c.ClientID, " \t\r\n:") {
		return invalidInput(op, "ClientID is empty, too long or has spaces or a colon")
	}
	if c.ClientSecret == "" || len(c.ClientSecret) > 256 || strings.ContainsAny(c.ClientSecret, "\r\n") {
		return invalidInput(op, "ClientSecret is empty, too long or has a line break")
	}
	u, err := url.Parse(c.RedirectURI)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Fragment != "" ||
		(u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return invalidInput(op, "RedirectURI must be an absolute https URL without a fragment")
	}
	if len(c.Scopes) == 0 {
		return invalidInput(op, "Scopes is empty")
	}
	for _, s := range c.Scopes {
		if !scopePattern.MatchString(s) {
			return invalidInput(op, "Scopes has an entry that is not a Cafe24 scope (mall.read_x / mall.write_x)")
		}
	}
	if c.APIVersion != "" {
		if _, err := time.Parse(cafe24wire.DateLayout, c.APIVersion); err != nil {
			return invalidInput(op, "APIVersion is not a date YYYY-MM-DD")
		}
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return invalidInput(op, "BaseURL must be an http(s) URL without a path or query")
		}
	}
	return nil
}

func validMallID(op, mall string) error {
	if !mallIDPattern.MatchString(mall) {
		return invalidInput(op, "MallID must be 1–64 lowercase letters, digits, '-' or '_'")
	}
	return nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Base returns the mall's API root: BaseURL, or https://{mall_id}.cafe24api.com.
func (c Config) Base() string {
	if c.BaseURL != "" {
		return strings.TrimSuffix(c.BaseURL, "/")
	}
	return cafe24wire.BaseScheme + c.MallID + cafe24wire.BaseSuffix
}

// Version returns the pinned API version date (APIVersion or DefaultAPIVersion).
func (c Config) Version() string {
	if c.APIVersion != "" {
		return c.APIVersion
	}
	return DefaultAPIVersion
}

func (c Config) secretShown() string {
	if c.ClientSecret == "" {
		return ""
	}
	return redacted
}

// String describes the config without the client secret.
func (c Config) String() string {
	return fmt.Sprintf("cafe24.Config{MallID:%q ClientID:%q ClientSecret:%q RedirectURI:%q Scopes:%q APIVersion:%q BaseURL:%q}",
		c.MallID, c.ClientID, c.secretShown(), c.RedirectURI, c.Scopes, c.Version(), c.BaseURL)
}

// GoString is String: %#v never shows the secret either.
func (c Config) GoString() string { return c.String() }

// Format writes String for every verb.
func (c Config) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue shows the config in slog without the client secret.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("mall_id", c.MallID),
		slog.String("client_id", c.ClientID),
		slog.String("client_secret", c.secretShown()),
		slog.String("redirect_uri", c.RedirectURI),
		slog.String("scopes", strings.Join(c.Scopes, cafe24wire.ScopeSeparator)),
		slog.String("api_version", c.Version()),
	)
}
