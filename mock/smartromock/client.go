package smartromock

import "github.com/poskit/poskit/smartro"

// Client returns a smartro client ready for this server: its base URL and loopback HTTP
// client, its STORE_ID and SERVICE_ID, its fake clock (occupied-table pauses and trackers
// made by Client.NewTracker run on it), and retries without sleeping (WithoutRetrySleep:
// engine retries and occupied pauses take no time). opts are applied after these and may
// override them. It panics if the client cannot be built (only with a bad option).
func (s *Server) Client(opts ...smartro.Option) *smartro.Client {
	base := []smartro.Option{
		smartro.WithBaseURL(s.URL()),
		smartro.WithHTTPClient(s.HTTPClient()),
		smartro.WithClock(s.clock),
		smartro.WithoutRetrySleep(),
	}
	c, err := smartro.NewClient(s.storeID, s.serviceID, append(base, opts...)...)
	if err != nil {
		panic("smartromock: " + err.Error())
	}
	return c
}
