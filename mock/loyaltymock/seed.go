package loyaltymock

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"

	"github.com/poskit/poskit/loyalty"
)

// Wallet is a seeded account: a user who pays with points, or a shop owner who
// approves cancels. Its Key signs the scripted wallet's approvals.
type Wallet struct {
	// Name is a label for tests ("alice"); not sent anywhere.
	Name string
	// Key is the wallet's secp256k1 key. Nil means the account cannot sign:
	// the scripted wallet ignores its payments.
	Key *loyalty.PrivateKey
	// Account is the address; when empty it is Key.Address().
	Account string
	// Balance is the point balance, in 10⁻¹⁸ units.
	Balance loyalty.Amount
	// Nonce is the ledger nonce the first approval must sign.
	Nonce uint64
}

// Shop is a seeded shop.
type Shop struct {
	// ID is the shopId, "0x" + 64 hex digits.
	ID   string
	Name string
	// Owner is the owner's account; it signs cancel approvals and should be
	// a seeded Wallet with a Key.
	Owner string
	// ProvideWaitTime (seconds) and ProvidePercent are reported by shop/info.
	ProvideWaitTime int64
	ProvidePercent  int64
	// FeeBasisPoints is the payment fee charged to users of this shop
	// (0 → Seed.Rates.FeeBasisPoints; at most loyalty.MaxFeeBasisPoints).
	FeeBasisPoints uint32
	// ProvidedPoint is the points the shop has provided (reported as is).
	ProvidedPoint loyalty.Amount
	// WithdrawnPoint is reported as is by shop/info.
	WithdrawnPoint loyalty.Amount
}

// AccessKey is a KIOSK access key: which shop it may act for and where the
// results of its payments are posted.
type AccessKey struct {
	// Key is the secret the KIOSK sends in Authorization or accessKey.
	Key string
	// ShopID limits the key to one shop; "" lets it act for every shop.
	// Modelled: the relay has one global key.
	ShopID string
	// CallbackURL receives the results of payments opened with this key;
	// "" uses the server's WithCallbackURL. It must be a loopback URL.
	CallbackURL string
}

// Format prints the key without its secret, for every verb, so that no fmt verb of a
// Seed shows an access key.
func (k AccessKey) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "loyaltymock.AccessKey{Key: REDACTED, ShopID: %s, CallbackURL: %s}", k.ShopID, k.CallbackURL)
}

// String describes the key without its secret.
func (k AccessKey) String() string {
	return fmt.Sprintf("loyaltymock.AccessKey{Key: [REDACTED], ShopID: %s, CallbackURL: %s}", k.ShopID, k.CallbackURL)
}

// GoString is String, so %#v does not print the key either.
func (k AccessKey) GoString() string { return k.String() }

// LogValue keeps the key out of slog output.
func (k AccessKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// Seed is the fake's initial data. DefaultSeed gives one shop, two users, the
// shop's owner and one access key.
type Seed struct {
	// ChainID is what GET /v1/chain/side/id answers and signatures bind to.
	ChainID uint64
	// Rates are the currency rates and default fee (loyalty.DefaultRates()).
	Rates      loyalty.Rates
	Wallets    []Wallet
	Shops      []Shop
	AccessKeys []AccessKey
}

// Names of the default seed's wallets.
const (
	Alice = "alice" // user with 1,000,000 points
	Bob   = "bob"   // user with 1,000 points
	Owner = "owner" // owner of the default shop, 0 points
)

// DefaultChainID is the default seed's chain id. Modelled: any positive value works.
const DefaultChainID = 24680

// DefaultAccessKey is the default seed's access key (for the default shop).
const DefaultAccessKey = "loyaltymock-access-key"

// DeterministicKey derives a wallet key from a label: the same label always
// gives the same key, so tests can print addresses and reproduce signatures.
// Never use such keys for real funds.
func DeterministicKey(label string) *loyalty.PrivateKey {
	for i := 0; ; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprintf("poskit/loyaltymock/key/%s/%d", label, i)))
		k, err := loyalty.ParsePrivateKey("0x" + hex.EncodeToString(sum[:]))
		if err == nil {
			return k
		}
	}
}

// DeterministicID derives a bytes32 id ("0x" + 64 hex digits) from a label.
func DeterministicID(label string) string {
	sum := sha256.Sum256([]byte("poskit/loyaltymock/id/" + label))
	return "0x" + hex.EncodeToString(sum[:])
}

// DefaultSeed returns the seed NewServer uses without WithSeed: wallets
// "alice" (1,000,000 points), "bob" (1,000 points) and "owner" (0 points)
// with deterministic keys; one shop "Poskit Test Shop" owned by "owner" with
// the default 5 % fee; and DefaultAccessKey for that shop.
func DefaultSeed() Seed {
	mk := func(name string, points uint64) Wallet {
		k := DeterministicKey(name)
		return Wallet{Name: name, Key: k, Account: k.Address(), Balance: loyalty.FromWhole(points)}
	}
	alice, bob, owner := mk(Alice, 1_000_000), mk(Bob, 1_000), mk(Owner, 0)
	shop := Shop{
		ID:              DeterministicID("shop/0"),
		Name:            "Poskit Test Shop",
		Owner:           owner.Account,
		ProvideWaitTime: 0,
		ProvidePercent:  5,
		FeeBasisPoints:  loyalty.MaxFeeBasisPoints,
	}
	return Seed{
		ChainID:    DefaultChainID,
		Rates:      loyalty.DefaultRates(),
		Wallets:    []Wallet{alice, bob, owner},
		Shops:      []Shop{shop},
		AccessKeys: []AccessKey{{Key: DefaultAccessKey, ShopID: shop.ID}},
	}
}

// Wallet returns the seeded wallet with the given name or account.
func (s Seed) Wallet(nameOrAccount string) (Wallet, bool) {
	for _, w := range s.Wallets {
		if w.Name == nameOrAccount || equalFold(w.Account, nameOrAccount) {
			return w, true
		}
	}
	return Wallet{}, false
}

// Shop returns the first seeded shop (the default shop of DefaultSeed).
func (s Seed) Shop() Shop {
	if len(s.Shops) == 0 {
		return Shop{}
	}
	return s.Shops[0]
}

// AccessKey returns the first seeded access key's secret.
func (s Seed) AccessKey() string {
	if len(s.AccessKeys) == 0 {
		return ""
	}
	return s.AccessKeys[0].Key
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
