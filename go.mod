module github.com/poskit/poskit

go 1.26.0

require (
	github.com/cenkalti/backoff/v4 v4.3.0
	github.com/decred/dcrd/dcrec/secp256k1/v4 v4.4.1
	github.com/gofrs/flock v0.13.2
	github.com/google/go-querystring v1.2.0
	github.com/google/renameio/v2 v2.0.2
	github.com/holiman/uint256 v1.3.2
	github.com/jarcoal/httpmock v1.4.2
	github.com/shopspring/decimal v1.6.0
	go.etcd.io/bbolt v1.5.0
	golang.org/x/crypto v0.59.0
	golang.org/x/oauth2 v0.38.0
	pgregory.net/rapid v1.3.0
)

require golang.org/x/sys v0.50.0 // indirect
