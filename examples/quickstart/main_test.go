package main

import (
	"context"
	"testing"
	"time"
)

// TestQuickstart runs every flow of the quickstart, so a change that breaks the README's
// first command fails CI.
func TestQuickstart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for name, run := range flows() {
		if err := run(ctx); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
