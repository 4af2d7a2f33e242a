module github.com/poskit/poskit

go 1.23.12

require (
	github.com/cenkalti/backoff/v4 v4.3.0
	github.com/decred/dcrd/dcrec/secp256k1/v4 v4.4.1
	github.com/google/go-querystring v1.2.0
	github.com/holiman/uint256 v1.3.2
	github.com/jarcoal/httpmock v1.4.2
	github.com/shopspring/decimal v1.6.0
	golang.org/x/crypto v0.36.0
	pgregory.net/rapid v1.3.0
)

require golang.org/x/sys v0.31.0 // indirect
