// Package mock holds the parts every poskit fake server shares: a fake Clock that a test
// advances by hand, fault injection by operation (Faults), and a Recorder of received
// requests. The fakes themselves live in the sub-packages loyaltymock, smartromock, … and
// the standalone binary in mock/cmd/poskit-mock.
//
// A fake never reads the wall clock: pass one *Clock to the fake and to the client under
// test, and a 60-second expiry takes microseconds:
//
//	clk := mock.NewClock(time.Time{})
//	srv := smartromock.NewServer(smartromock.WithClock(clk))
//	defer srv.Close()
//	// … start an order, then
//	clk.WaitForWaiters(1, ctx.Done()) // the poller is parked on the clock
//	clk.Advance(60 * time.Second)
//
// Faults apply per operation name and are consumed in order:
//
//	srv.Faults().Inject("openNew", mock.Fault{Kind: mock.DropAnswer}) // applied, answer lost
//	srv.Faults().Inject("item", mock.Fault{Kind: mock.Fail, Times: 2, Status: 503})
package mock
