package loyaltymock

import (
	"github.com/poskit/poskit/loyalty"
)

// Client returns a loyalty.Client ready for the fake: its base URL, the
// seed's first access key, the fake's clock, the fake's loopback HTTP client
// and retries without sleeping. opts are applied after these and override
// them (e.g. loyalty.WithRouteSet(loyalty.RouteSetRelay) for the relay set).
// It panics if an option is invalid, as a test helper does.
func (s *Server) Client(opts ...loyalty.Option) *loyalty.Client {
	base := []loyalty.Option{
		loyalty.WithBaseURL(s.URL()),
		loyalty.WithAccessKey(s.Seed().AccessKey()),
		loyalty.WithClock(s.clock),
		loyalty.WithHTTPClient(s.HTTPClient()),
		loyalty.WithoutRetrySleep(),
	}
	c, err := loyalty.NewClient(append(base, opts...)...)
	if err != nil {
		panic("loyaltymock: Client: " + err.Error())
	}
	return c
}
