package cafe24

import (
	"errors"
	"strings"
	"testing"
)

const testSecret = "s3cr3t-CLIENT-secret-value-0123"

func validConfig() Config {
	return Config{
		MallID: "shop1", ClientID: "client-abc", ClientSecret: testSecret,
		RedirectURI: "https://example.com/cafe24/callback",
		Scopes:      []string{ScopeReadMileage, ScopeWriteMileage},
	}
}

func TestConfigValidate(t *testing.T) {
	if err := validConfig().Validate(); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	bad := map[string]func(*Config){
		"empty mall":         func(c *Config) { c.MallID = "" },
		"mall path":          func(c *Config) { c.MallID = "../etc" },
		"mall upper":         func(c *Config) { c.MallID = "Shop" },
		"empty client":       func(c *Config) { c.ClientID = "" },
		"client colon":       func(c *Config) { c.ClientID = "a:b" },
		"empty secret":       func(c *Config) { c.ClientSecret = "" },
		"secret newline":     func(c *Config) { c.ClientSecret = testSecret + "\n" },
		"relative redirect":  func(c *Config) { c.RedirectURI = "/cb" },
		"http redirect":      func(c *Config) { c.RedirectURI = "http://example.com/cb" },
		"fragment redirect":  func(c *Config) { c.RedirectURI = "https://example.com/cb#x" },
		"no scopes":          func(c *Config) { c.Scopes = nil },
		"bad scope":          func(c *Config) { c.Scopes = []string{"admin"} },
		"bad version":        func(c *Config) { c.APIVersion = "2025-13-01" },
		"bad base":           func(c *Config) { c.BaseURL = "ftp://x" },
		"base with path":     func(c *Config) { c.BaseURL = "https://x.example/api" },
		"secret in redirect": func(c *Config) { c.RedirectURI = "not a url " + testSecret },
	}
	for name, mod := range bad {
		t.Run(name, func(t *testing.T) {
			c := validConfig()
			mod(&c)
			err := c.Validate()
			if !IsInvalidInput(err) {
				t.Fatalf("want invalid input, got %v", err)
			}
			var e *Error
			if !errors.As(err, &e) || e.Op != "cafe24.Config" || !IsRefused(err) {
				t.Fatalf("want *Error op cafe24.Config refused, got %#v", err)
			}
			if leaks(err.Error(), testSecret) {
				t.Fatalf("secret in %q", err)
			}
		})
	}
	c := validConfig()
	c.RedirectURI = "http://127.0.0.1:8080/cb"
	if err := c.Validate(); err != nil {
		t.Fatalf("loopback http redirect refused: %v", err)
	}
}

func TestConfigNeverShowsSecret(t *testing.T) {
	c := validConfig()
	assertHidden(t, c, testSecret)
	assertHidden(t, &c, testSecret)
	if s := c.String(); !strings.Contains(s, "shop1") || !strings.Contains(s, "[redacted]") {
		t.Fatalf("String lost its useful parts: %q", s)
	}
	if c.Base() != "https://shop1.cafe24api.com" || c.Version() != DefaultAPIVersion {
		t.Fatalf("Base %q Version %q", c.Base(), c.Version())
	}
	c.BaseURL, c.APIVersion = "http://127.0.0.1:9/", "2024-06-01"
	if c.Base() != "http://127.0.0.1:9" || c.Version() != "2024-06-01" {
		t.Fatalf("Base %q Version %q", c.Base(), c.Version())
	}
}
