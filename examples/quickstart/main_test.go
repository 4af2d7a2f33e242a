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
	for _, f := range flows {
		if err := f.run(ctx); err != nil {
			t.Errorf("%s: %v", f.name, err)
		}
	}
}
