// Command poskit-mock serves every poskit fake on loopback ports for test suites that are
// not written in Go, plus a small admin API to drive them (clock, faults, recorded requests).
//
//	go run ./mock/cmd/poskit-mock -admin 127.0.0.1:18080 -loyalty-callback http://127.0.0.1:9000/callback
//
// Fakes: "loyalty" (mock/loyaltymock), "smartro" (mock/smartromock), "cafe24"
// (mock/cafe24mock), "pointpay" (mock/pointpaymock; -pointpay-return sets the RETURN URL
// results are POSTed to, or its return-url action does) and "dodopoint"
// (mock/dodopointmock); each runs on its own fake clock, which only the admin API moves.
//
// It prints one JSON line with the URL of each fake and of the admin API, then serves until
// interrupted. See mock.Admin for the admin routes; GET /{fake}/do lists each fake's actions with their arguments.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/cafe24mock"
	"github.com/poskit/poskit/mock/dodopointmock"
	"github.com/poskit/poskit/mock/loyaltymock"
	"github.com/poskit/poskit/mock/pointpaymock"
	"github.com/poskit/poskit/mock/smartromock"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "poskit-mock:", err)
		os.Exit(2)
	}
}

type config struct {
	admin           string
	loyaltyCallback string
	pointpayReturn  string
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("poskit-mock", flag.ContinueOnError)
	fs.StringVar(&c.admin, "admin", "127.0.0.1:18080", "loopback address of the admin API (port 0 picks one)")
	fs.StringVar(&c.loyaltyCallback, "loyalty-callback", "", "loopback URL the fake relay POSTs payment callbacks to")
	fs.StringVar(&c.pointpayReturn, "pointpay-return", "", "loopback RETURN URL the fake PointPay POSTs conversion results to")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.pointpayReturn != "" {
		if err := pointpaymock.CheckReturnURL(c.pointpayReturn); err != nil {
			return c, fmt.Errorf("-pointpay-return: %w", err)
		}
	}
	host, _, err := net.SplitHostPort(c.admin)
	if err != nil {
		return c, fmt.Errorf("-admin: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return c, fmt.Errorf("-admin must be a loopback address, got %q", c.admin)
	}
	return c, nil
}

// fakes are the running fakes and the admin API over them.
type fakes struct {
	relay *loyaltymock.Server
	agent *smartromock.Server
	pp    *pointpaymock.Server
	dodo  *dodopointmock.Server
	admin *mock.Admin
}

// startFakes starts every fake and the admin API over them: one line per fake.
func startFakes(c config) *fakes {
	var lopts []loyaltymock.Option
	if c.loyaltyCallback != "" {
		lopts = append(lopts, loyaltymock.WithCallbackURL(c.loyaltyCallback))
	}
	f := &fakes{
		relay: loyaltymock.NewServer(lopts...),
		agent: smartromock.NewServer(),
		pp:    pointpaymock.NewServer(pointpaymock.WithReturnURL(c.pointpayReturn)),
		dodo:  dodopointmock.NewServer(),
	}
	f.admin = mock.NewAdmin(
		f.relay,
		f.agent,
		cafe24mock.NewServer(),
		f.pp,
		f.dodo,
	)
	return f
}

// run serves until ctx ends or a signal arrives.
func run(ctx context.Context, args []string, out io.Writer) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	fs := startFakes(c)
	adm := fs.admin
	defer adm.Close()
	ln, err := net.Listen("tcp", c.admin)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: adm}
	urls := adm.URLs()
	urls["admin"] = "http://" + ln.Addr().String()
	if err := json.NewEncoder(out).Encode(urls); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
