// Command quickstart runs every poskit flow against the in-process fakes, on loopback,
// printing each step. It needs no network and no credentials:
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, f := range flows {
		fmt.Printf("\n=== %s ===\n", f.name)
		if err := f.run(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "quickstart: %s: %v\n", f.name, err)
			os.Exit(1)
		}
	}
	fmt.Println("\nall flows done")
}

// flows are the flows with their titles, in the order they run and print in.
var flows = []struct {
	name string
	run  func(context.Context) error
}{
	{"loyalty — DMS Relay KIOSK payment", runLoyalty},
	{"smartro — Order Agent for Smile POS", runSmartro},
	{"pointpay — PointPay point conversion", runPointPay},
	{"cafe24 — mileage credited exactly once", runCafe24},
	{"dodopoint — points from sales through the POS assist program", runDodopoint},
}

// step prints one numbered line of a flow.
type step int

func (s *step) printf(format string, args ...any) {
	*s++
	fmt.Printf("%2d. %s\n", int(*s), fmt.Sprintf(format, args...))
}
