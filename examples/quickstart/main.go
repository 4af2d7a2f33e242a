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
	for _, name := range order {
		fmt.Printf("\n=== %s ===\n", name)
		if err := flows()[name](ctx); err != nil {
			fmt.Fprintf(os.Stderr, "quickstart: %s: %v\n", name, err)
			os.Exit(1)
		}
	}
	fmt.Println("\nall flows done")
}

// order is the order the flows run and print in.
var order = []string{"loyalty — DMS Relay KIOSK payment", "smartro — Order Agent for Smile POS"}

// flows maps each flow's title to its function.
func flows() map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		order[0]: runLoyalty,
		order[1]: runSmartro,
	}
}

// step prints one numbered line of a flow.
type step int

func (s *step) printf(format string, args ...any) {
	*s++
	fmt.Printf("%2d. %s\n", int(*s), fmt.Sprintf(format, args...))
}
