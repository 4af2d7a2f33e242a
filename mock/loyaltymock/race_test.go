//go:build race

package loyaltymock_test

// raceEnabled: the race detector slows the wallet's secp256k1 signing and recovery about
// fifteenfold, so load tests scale down under it.
const raceEnabled = true
