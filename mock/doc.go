// Package mock holds what every poskit fake server shares, and the fakes themselves live in
// its sub-packages (loyaltymock, smartromock, …); the standalone binary for test suites in
// other languages is mock/cmd/poskit-mock.
//
//   - Server is the base every fake embeds: a loopback listener routing the API's endpoint
//     table to the fake's handlers, a fake Clock, Faults by operation, recorded Requests
//     (secrets redacted), named Actions and a ready *http.Client.
//   - Fake is the one interface every fake implements and poskit-mock serves; Admin is
//     that binary's HTTP API (clock, faults, requests, actions).
//   - Clock is a fake clock a test advances by hand.
//
// A fake never reads the wall clock: pass one *Clock to the fake and to the client under
// test, wait until the code under test is parked on the clock, then move it, and a
// 60-second expiry takes microseconds:
//
//	clk := mock.NewClock(time.Time{})
//	agent := smartromock.NewServer(smartromock.WithClock(clk))
//	defer agent.Close()
//	// … start an order, then
//	clk.WaitForWaiters(1, ctx.Done()) // the poller is parked on the clock
//	clk.Advance(60 * time.Second)
//
// Faults apply per operation — the client's method name — and are consumed in order. An
// operation the fake does not serve is refused, so a misspelt name fails the test instead
// of injecting nothing:
//
//	err := relay.Faults().Inject("CloseNewPayment", mock.Fault{Kind: mock.DropAnswer}) // applied, answer lost
//	err = agent.Faults().Inject("TableOrders", mock.Fault{Kind: mock.Fail, Times: 2, Status: 503})
package mock
