//go:build !race

package loyaltymock_test

const raceEnabled = false
