package loyalty

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/poskit/poskit/internal/loyaltywire"
)

// sigVector is one entry of testdata/sigvectors.json, written by
// testdata/gen/gen.js with ethers v5 (the relay's code path).
type sigVector struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"` // "new" or "cancel"
	PrivateKey string `json:"privateKey"`
	Address    string `json:"address"`
	PaymentID  string `json:"paymentId"`
	PurchaseID string `json:"purchaseId"`
	Amount     string `json:"amount"`
	Currency   string `json:"currency"`
	ShopID     string `json:"shopId"`
	Account    string `json:"account"`
	Signer     string `json:"signer"`
	ChainID    string `json:"chainId"`
	Nonce      string `json:"nonce"`
	Encoded    string `json:"encoded"`
	Hash       string `json:"hash"`
	Signature  string `json:"signature"`
}

func loadVectors(t testing.TB) []sigVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/sigvectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []sigVector `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) < 8 {
		t.Fatalf("only %d vectors", len(file.Vectors))
	}
	return file.Vectors
}

func mustU64(t testing.TB, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustAmount(t testing.TB, s string) Amount {
	t.Helper()
	a, err := ParseAmount(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (v sigVector) newPayment(t testing.TB) NewPaymentMessage {
	return NewPaymentMessage{
		PaymentID: v.PaymentID, PurchaseID: v.PurchaseID, Amount: mustAmount(t, v.Amount),
		Currency: v.Currency, ShopID: v.ShopID, Account: v.Account,
		ChainID: mustU64(t, v.ChainID), Nonce: mustU64(t, v.Nonce),
	}
}

func (v sigVector) cancel(t testing.TB) CancelMessage {
	return CancelMessage{
		PaymentID: v.PaymentID, PurchaseID: v.PurchaseID, Signer: v.Signer,
		ChainID: mustU64(t, v.ChainID), Nonce: mustU64(t, v.Nonce),
	}
}

// signedMessage abstracts over the two message kinds for table tests.
type signedMessage struct {
	encode func() ([]byte, error)
	hash   func() ([32]byte, error)
	sign   func(*PrivateKey) (string, error)
	verify func(sig, who string) error
}

func (v sigVector) message(t testing.TB) signedMessage {
	switch v.Kind {
	case "new":
		m := v.newPayment(t)
		return signedMessage{
			encode: func() ([]byte, error) { return m.encode("test") },
			hash:   m.Hash,
			sign:   func(k *PrivateKey) (string, error) { return SignNewPayment(k, m) },
			verify: func(sig, who string) error { return VerifyNewPayment(sig, m, who) },
		}
	case "cancel":
		m := v.cancel(t)
		return signedMessage{
			encode: func() ([]byte, error) { return m.encode("test") },
			hash:   m.Hash,
			sign:   func(k *PrivateKey) (string, error) { return SignCancel(k, m) },
			verify: func(sig, who string) error { return VerifyCancel(sig, m, who) },
		}
	}
	t.Fatalf("unknown kind %q", v.Kind)
	return signedMessage{}
}

func TestSignatureVectorsMatchEthers(t *testing.T) {
	kinds := map[string]int{}
	for _, v := range loadVectors(t) {
		kinds[v.Kind]++
		t.Run(v.Name, func(t *testing.T) {
			key, err := ParsePrivateKey(v.PrivateKey)
			if err != nil {
				t.Fatal(err)
			}
			if got := key.Address(); got != v.Address {
				t.Errorf("Address() = %s, ethers %s", got, v.Address)
			}
			m := v.message(t)
			enc, err := m.encode()
			if err != nil {
				t.Fatal(err)
			}
			if got := "0x" + hex.EncodeToString(enc); got != v.Encoded {
				t.Errorf("ABI encoding differs\n got %s\nwant %s", got, v.Encoded)
			}
			h, err := m.hash()
			if err != nil {
				t.Fatal(err)
			}
			if got := "0x" + hex.EncodeToString(h[:]); got != v.Hash {
				t.Errorf("Hash() = %s, ethers %s", got, v.Hash)
			}
			sig, err := m.sign(key)
			if err != nil {
				t.Fatal(err)
			}
			if sig != v.Signature {
				t.Errorf("signature differs\n got %s\nwant %s", sig, v.Signature)
			}
			// ethers' signature verifies, with the address in any case.
			for _, who := range []string{v.Address, strings.ToLower(v.Address), "0x" + strings.ToUpper(v.Address[2:])} {
				if err := m.verify(v.Signature, who); err != nil {
					t.Errorf("verify(%s): %v", who, err)
				}
			}
			got, err := RecoverAddress(h, v.Signature)
			if err != nil || got != v.Address {
				t.Errorf("RecoverAddress = %s, %v; want %s", got, err, v.Address)
			}
			// Another wallet's address is refused.
			if err := m.verify(v.Signature, "0x000000000000000000000000000000000000dEaD"); !IsInvalidSignature(err) {
				t.Errorf("verify against another address: %v, want invalid signature", err)
			}
		})
	}
	if kinds["new"] == 0 || kinds["cancel"] == 0 {
		t.Fatalf("vectors miss a kind: %v", kinds)
	}
}

// bump returns s+1 as a decimal string, or s-1 at the uint256 maximum.
func bump(t testing.TB, s string) Amount {
	b, _ := new(big.Int).SetString(s, 10)
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	if b.Cmp(max) == 0 {
		b.Sub(b, big.NewInt(1))
	} else {
		b.Add(b, big.NewInt(1))
	}
	return mustAmount(t, b.String())
}

func flipHexDigit(s string) string {
	b := []byte(s)
	i := len(b) - 1
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	return string(b)
}

func TestVerifyRejectsChangedField(t *testing.T) {
	const other = "0x000000000000000000000000000000000000bEEF"
	for _, v := range loadVectors(t) {
		switch v.Kind {
		case "new":
			base := v.newPayment(t)
			changes := map[string]func(*NewPaymentMessage){
				"amount":     func(m *NewPaymentMessage) { m.Amount = bump(t, v.Amount) },
				"account":    func(m *NewPaymentMessage) { m.Account = other },
				"nonce":      func(m *NewPaymentMessage) { m.Nonce ^= 1 },
				"chainId":    func(m *NewPaymentMessage) { m.ChainID ^= 1 << 20 },
				"purchaseId": func(m *NewPaymentMessage) { m.PurchaseID += " " },
				"currency":   func(m *NewPaymentMessage) { m.Currency = strings.ToUpper(m.Currency) + "x" },
				"paymentId":  func(m *NewPaymentMessage) { m.PaymentID = flipHexDigit(m.PaymentID) },
				"shopId":     func(m *NewPaymentMessage) { m.ShopID = flipHexDigit(m.ShopID) },
			}
			for name, change := range changes {
				m := base
				change(&m)
				if err := VerifyNewPayment(v.Signature, m, v.Address); !IsInvalidSignature(err) {
					t.Errorf("%s: changed %s: %v, want invalid signature", v.Name, name, err)
				}
			}
		case "cancel":
			base := v.cancel(t)
			changes := map[string]func(*CancelMessage){
				"signer":     func(m *CancelMessage) { m.Signer = other },
				"nonce":      func(m *CancelMessage) { m.Nonce ^= 1 },
				"chainId":    func(m *CancelMessage) { m.ChainID ^= 1 << 20 },
				"purchaseId": func(m *CancelMessage) { m.PurchaseID = "x" + m.PurchaseID },
				"paymentId":  func(m *CancelMessage) { m.PaymentID = flipHexDigit(m.PaymentID) },
			}
			for name, change := range changes {
				m := base
				change(&m)
				if err := VerifyCancel(v.Signature, m, v.Address); !IsInvalidSignature(err) {
					t.Errorf("%s: changed %s: %v, want invalid signature", v.Name, name, err)
				}
			}
		}
	}
}

// secp256k1 group order n.
const curveN = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"

func TestMalformedSignatures(t *testing.T) {
	v := loadVectors(t)[0]
	m := v.newPayment(t)
	good := v.Signature
	body := good[2:]
	withV := func(b byte) string { return good[:len(good)-2] + fmt.Sprintf("%02x", b) }
	cases := map[string]string{
		"empty":              "",
		"prefix only":        "0x",
		"no prefix":          body,
		"wrong prefix":       "1x" + body,
		"too short":          good[:len(good)-2],
		"odd length":         good[:len(good)-1],
		"too long":           good + "00",
		"64-byte EIP-2098":   good[:2+128],
		"bad hex":            "0x" + strings.Repeat("g", 130),
		"space inside":       good[:40] + " " + good[41:],
		"v=2":                withV(2),
		"v=26":               withV(26),
		"v=29":               withV(29),
		"v=35 (EIP-155)":     withV(35),
		"v=255":              withV(255),
		"r=0":                "0x" + strings.Repeat("0", 64) + body[64:],
		"s=0":                "0x" + body[:64] + strings.Repeat("0", 64) + body[128:],
		"r=n":                "0x" + curveN + body[64:],
		"s=n":                "0x" + body[:64] + curveN + body[128:],
		"all zero":           "0x" + strings.Repeat("0", 130),
		"all ff":             "0x" + strings.Repeat("f", 130),
		"r not on curve (x)": "0x" + strings.Repeat("0", 63) + "5" + body[64:],
	}
	for name, sig := range cases {
		t.Run(name, func(t *testing.T) {
			err := VerifyNewPayment(sig, m, v.Address)
			var se *SignatureError
			if !errors.As(err, &se) || se.Field != loyaltywire.ParamSignature || se.Op != "loyalty.VerifyNewPayment" {
				t.Fatalf("err = %#v, want *SignatureError on Signature", err)
			}
			if !errors.Is(err, ErrInvalidSignature) || !IsInvalidSignature(err) {
				t.Errorf("%v does not match ErrInvalidSignature", err)
			}
			if _, err := RecoverAddress([32]byte{1}, sig); !IsInvalidSignature(err) && name != "r not on curve (x)" {
				// RecoverAddress can succeed for a well-formed but foreign signature;
				// every case above except that one is malformed.
				t.Errorf("RecoverAddress: %v", err)
			}
		})
	}
}

func TestSignatureVariantsTheRelayAccepts(t *testing.T) {
	for _, v := range loadVectors(t) {
		m := v.message(t)
		sig, _ := hex.DecodeString(v.Signature[2:])
		// ethers' splitSignature turns v 0/1 into 27/28.
		alt := bytes.Clone(sig)
		alt[64] -= 27
		if err := m.verify("0x"+hex.EncodeToString(alt), v.Address); err != nil {
			t.Errorf("%s: v=%d: %v", v.Name, alt[64], err)
		}
		// Upper-case hex digits and prefix.
		if err := m.verify("0X"+strings.ToUpper(v.Signature[2:]), v.Address); err != nil {
			t.Errorf("%s: upper case: %v", v.Name, err)
		}
		// High-s form (n - s with the other v): elliptic, hence the relay, accepts it.
		n, _ := new(big.Int).SetString(curveN, 16)
		s := new(big.Int).SetBytes(sig[32:64])
		high := bytes.Clone(sig)
		new(big.Int).Sub(n, s).FillBytes(high[32:64])
		high[64] ^= 27 ^ 28
		if err := m.verify("0x"+hex.EncodeToString(high), v.Address); err != nil {
			t.Errorf("%s: high s: %v", v.Name, err)
		}
		// Flipping only v recovers another key.
		flip := bytes.Clone(sig)
		flip[64] ^= 27 ^ 28
		if err := m.verify("0x"+hex.EncodeToString(flip), v.Address); !IsInvalidSignature(err) {
			t.Errorf("%s: flipped v: %v, want invalid signature", v.Name, err)
		}
	}
}

func TestMalformedMessageFields(t *testing.T) {
	v := loadVectors(t)[0]
	key, _ := ParsePrivateKey(v.PrivateKey)
	good := v.newPayment(t)
	bad := map[string]string{
		"empty": "", "no prefix": strings.Repeat("a", 64), "short": "0x1234",
		"long": "0x" + strings.Repeat("a", 66), "not hex": "0x" + strings.Repeat("z", 64),
	}
	badAddr := map[string]string{
		"empty": "", "no prefix": strings.Repeat("a", 40), "short": "0x1234",
		"bytes32": "0x" + strings.Repeat("a", 64), "not hex": "0x" + strings.Repeat("z", 40),
	}
	check := func(t *testing.T, err error, field string) {
		t.Helper()
		var se *SignatureError
		if !errors.As(err, &se) || se.Field != field {
			t.Fatalf("err = %v, want *SignatureError on %s", err, field)
		}
		if IsInvalidSignature(err) {
			t.Errorf("a malformed %s is not an invalid signature: %v", field, err)
		}
	}
	for name, s := range bad {
		t.Run("PaymentID/"+name, func(t *testing.T) {
			m := good
			m.PaymentID = s
			_, err := m.Hash()
			check(t, err, loyaltywire.ParamPaymentID)
			_, err = SignNewPayment(key, m)
			check(t, err, loyaltywire.ParamPaymentID)
			check(t, VerifyNewPayment(v.Signature, m, v.Address), loyaltywire.ParamPaymentID)
			_, err = CancelMessage{PaymentID: s, Signer: v.Address}.Hash()
			check(t, err, loyaltywire.ParamPaymentID)
		})
		t.Run("ShopID/"+name, func(t *testing.T) {
			m := good
			m.ShopID = s
			_, err := m.Hash()
			check(t, err, loyaltywire.ParamShopID)
		})
	}
	for name, s := range badAddr {
		t.Run("Account/"+name, func(t *testing.T) {
			m := good
			m.Account = s
			_, err := m.Hash()
			check(t, err, loyaltywire.ParamAccount)
			check(t, VerifyNewPayment(v.Signature, good, s), loyaltywire.ParamAccount)
		})
		t.Run("Signer/"+name, func(t *testing.T) {
			c := CancelMessage{PaymentID: v.PaymentID, Signer: s}
			_, err := c.Hash()
			check(t, err, fieldSigner)
			_, err = SignCancel(key, c)
			check(t, err, fieldSigner)
			c.Signer = v.Address
			check(t, VerifyCancel(v.Signature, c, s), fieldSigner)
		})
	}
	// The zero message is malformed, not a panic.
	if _, err := (NewPaymentMessage{}).Hash(); err == nil {
		t.Error("zero NewPaymentMessage hashed")
	}
	if _, err := (CancelMessage{}).Hash(); err == nil {
		t.Error("zero CancelMessage hashed")
	}
	// A nil key is an error, not a panic.
	if _, err := SignNewPayment(nil, good); err == nil {
		t.Error("signed with a nil key")
	}
	if _, err := SignCancel(&PrivateKey{}, v.cancel(t)); err == nil {
		t.Error("signed with a zero key")
	}
}

func TestParsePrivateKey(t *testing.T) {
	valid := map[string]string{
		"one":   "0x" + strings.Repeat("0", 63) + "1",
		"n-1":   "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
		"upper": "0xAC0974BEC39A17E36BA4A6B4D238FF944BACB478CBED5EFCAE784D7BF4F2FF80",
	}
	for name, s := range valid {
		if _, err := ParsePrivateKey(s); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	invalid := map[string]string{
		"zero":      "0x" + strings.Repeat("0", 64),
		"n":         "0x" + curveN,
		"max":       "0x" + strings.Repeat("f", 64),
		"no prefix": "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
		"short":     "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff",
		"long":      "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff8000",
		"not hex":   "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ffzz",
	}
	for name, s := range invalid {
		_, err := ParsePrivateKey(s)
		var se *SignatureError
		if !errors.As(err, &se) || se.Field != fieldPrivateKey {
			t.Errorf("%s: err = %v, want *SignatureError on PrivateKey", name, err)
			continue
		}
		if len(s) > 8 && strings.Contains(strings.ToLower(err.Error()), strings.ToLower(s[len(s)-8:])) {
			t.Errorf("%s: error repeats the key: %v", name, err)
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestGenerateKey(t *testing.T) {
	r := mrand.NewChaCha8([32]byte{7})
	seen := map[string]bool{}
	for range 5 {
		k, err := GenerateKey(r)
		if err != nil {
			t.Fatal(err)
		}
		a := k.Address()
		if seen[a] {
			t.Fatalf("GenerateKey repeated %s", a)
		}
		seen[a] = true
	}
	if k, err := GenerateKey(nil); err != nil || len(k.Address()) != 42 {
		t.Fatalf("GenerateKey(nil) = %v, %v", k, err)
	}
	if _, err := GenerateKey(zeroReader{}); err == nil {
		t.Error("a reader of zeros gave a key")
	}
	if _, err := GenerateKey(strings.NewReader("short")); err == nil {
		t.Error("a short reader gave a key")
	}
}

func TestPrivateKeyNeverPrinted(t *testing.T) {
	const keyHex = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
	key, err := ParsePrivateKey("0x" + keyHex)
	if err != nil {
		t.Fatal(err)
	}
	// Forbidden: the key's hex in either case, a long run of it, and the
	// decimal limbs of its in-memory form (8 × uint32, 4 × uint64).
	raw, _ := hex.DecodeString(keyHex)
	forbidden := []string{keyHex, strings.ToUpper(keyHex), keyHex[:16], keyHex[48:]}
	for i := 0; i < 32; i += 4 {
		forbidden = append(forbidden, strconv.FormatUint(uint64(raw[i])<<24|uint64(raw[i+1])<<16|uint64(raw[i+2])<<8|uint64(raw[i+3]), 10))
	}
	for i := 0; i < 32; i += 8 {
		forbidden = append(forbidden, new(big.Int).SetBytes(raw[i:i+8]).String())
	}
	forbidden = append(forbidden, new(big.Int).SetBytes(raw).String())

	type holder struct {
		Key   *PrivateKey
		Value PrivateKey
		key   *PrivateKey
		value PrivateKey
	}
	h := holder{Key: key, Value: *key, key: key, value: *key}
	var outs []string
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		outs = append(outs, fmt.Sprintf(format, key), fmt.Sprintf(format, *key), fmt.Sprintf(format, h),
			fmt.Sprintf(format, []*PrivateKey{key}), fmt.Sprintf(format, map[string]PrivateKey{"k": *key}))
	}
	outs = append(outs, fmt.Sprint(key), fmt.Sprintln(*key), key.String(), key.GoString())
	var logs bytes.Buffer
	for _, hd := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		l := slog.New(hd)
		l.Info("k", "key", key, "value", *key, "holder", h, slog.Any("any", key))
		l.Info("group", slog.Group("g", "key", key))
	}
	outs = append(outs, logs.String())
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(js))

	for _, out := range outs {
		for _, f := range forbidden {
			if strings.Contains(out, f) {
				t.Fatalf("output reveals key material %q:\n%s", f, out)
			}
		}
	}
	// The redacted form is still useful: it names the address.
	if s := fmt.Sprintf("%+v", key); !strings.Contains(s, key.Address()) {
		t.Errorf("%%+v = %q, want the address", s)
	}
	if !strings.Contains(logs.String(), key.Address()) {
		t.Errorf("slog output lacks the address:\n%s", logs.String())
	}
}

func TestChecksumAddressEIP55(t *testing.T) {
	// Examples from EIP-55.
	for _, want := range []string{
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
		"0x52908400098527886E0F7030069857D2E4169EE7",
		"0xde709f2102306220921060314715629080e2fb77",
	} {
		b, _ := hex.DecodeString(strings.ToLower(want[2:]))
		if got := checksumAddress([20]byte(b)); got != want {
			t.Errorf("checksumAddress = %s, want %s", got, want)
		}
	}
}

func TestKeccakKnownAnswers(t *testing.T) {
	// Answers from ethers.utils.keccak256; 135/136/137 bytes straddle the
	// 136-byte block, where the padding needs a block of its own.
	for in, want := range map[string]string{
		"":                       "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
		"abc":                    "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
		strings.Repeat("a", 135): "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446",
		strings.Repeat("a", 136): "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e",
		strings.Repeat("a", 137): "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39",
	} {
		got := keccak([]byte(in))
		if hex.EncodeToString(got[:]) != want {
			t.Errorf("keccak(%d bytes) = %x, want %s", len(in), got, want)
		}
		if len(in) > 1 && keccak([]byte(in[:1]), []byte(in[1:])) != got {
			t.Errorf("keccak of %d bytes in two parts differs", len(in))
		}
	}
}

func TestABIEncodeLayout(t *testing.T) {
	// Two strings: heads are offsets 0x40 and 0x40+0x20+pad(len(a)).
	a := bytes.Repeat([]byte{'x'}, 33)
	enc := abiEncode(dynamic(a), dynamic(nil))
	word := func(i int) *big.Int { return new(big.Int).SetBytes(enc[32*i : 32*i+32]) }
	if len(enc) != 64+32+64+32 {
		t.Fatalf("len = %d", len(enc))
	}
	if word(0).Int64() != 64 || word(1).Int64() != 64+32+64 || word(2).Int64() != 33 || word(5).Int64() != 0 {
		t.Errorf("layout: %x", enc)
	}
	if !bytes.Equal(enc[96:129], a) || !bytes.Equal(enc[129:160], make([]byte, 31)) {
		t.Errorf("string data not right-padded: %x", enc)
	}
}

// ---------------------------------------------------------------------------
// Properties

func drawKey(t *rapid.T) *PrivateKey {
	b := rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "key")
	k, ok := keyFromBytes(b)
	if !ok {
		t.Skip("key out of range")
	}
	return k
}

func drawHex(t *rapid.T, n int, label string) string {
	return "0x" + hex.EncodeToString(rapid.SliceOfN(rapid.Byte(), n, n).Draw(t, label))
}

func drawAmount(t *rapid.T) Amount {
	b := rapid.SliceOfN(rapid.Byte(), 0, 32).Draw(t, "amount")
	a, err := ParseAmount(new(big.Int).SetBytes(b).String())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPropertySignThenVerifyNewPayment(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		key := drawKey(t)
		m := NewPaymentMessage{
			PaymentID:  drawHex(t, 32, "paymentId"),
			PurchaseID: rapid.String().Draw(t, "purchaseId"),
			Amount:     drawAmount(t),
			Currency:   rapid.SampledFrom([]string{"krw", "php", "usd", "point", ""}).Draw(t, "currency"),
			ShopID:     drawHex(t, 32, "shopId"),
			Account:    key.Address(),
			ChainID:    rapid.Uint64().Draw(t, "chainId"),
			Nonce:      rapid.Uint64().Draw(t, "nonce"),
		}
		sig, err := SignNewPayment(key, m)
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) != 132 || sig[:2] != "0x" || (sig[130:] != "1b" && sig[130:] != "1c") {
			t.Fatalf("signature form %q", sig)
		}
		if err := VerifyNewPayment(sig, m, strings.ToLower(m.Account)); err != nil {
			t.Fatalf("own signature refused: %v", err)
		}
		// Any one field changed makes it fail.
		c := m
		switch field := rapid.IntRange(0, 8).Draw(t, "field"); field {
		case 0:
			c.PaymentID = drawHex(t, 32, "otherPaymentId")
		case 1:
			c.PurchaseID = rapid.String().Filter(func(s string) bool { return s != m.PurchaseID }).Draw(t, "otherPurchaseId")
		case 2:
			b := m.Amount.ToBig()
			if b.Sign() == 0 {
				b.SetInt64(1)
			} else {
				b.Sub(b, big.NewInt(1))
			}
			c.Amount, _ = ParseAmount(b.String())
		case 3:
			c.Currency = m.Currency + "x"
		case 4:
			c.ShopID = drawHex(t, 32, "otherShopId")
		case 5:
			c.Account = drawHex(t, 20, "otherAccount")
		case 6:
			c.ChainID = m.ChainID ^ (1 << rapid.IntRange(0, 63).Draw(t, "bit"))
		case 7:
			c.Nonce = m.Nonce + 1
		case 8:
			// Same message, other signer expected.
			if err := VerifyNewPayment(sig, m, drawKey(t).Address()); !IsInvalidSignature(err) {
				t.Fatalf("verified against another key: %v", err)
			}
			return
		}
		if c == m {
			t.Skip("draw left the message unchanged")
		}
		if err := VerifyNewPayment(sig, c, m.Account); !IsInvalidSignature(err) {
			t.Fatalf("changed message verified: %v", err)
		}
	})
}

func TestPropertySignThenVerifyCancel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		key := drawKey(t)
		m := CancelMessage{
			PaymentID:  drawHex(t, 32, "paymentId"),
			PurchaseID: rapid.String().Draw(t, "purchaseId"),
			Signer:     key.Address(),
			ChainID:    rapid.Uint64().Draw(t, "chainId"),
			Nonce:      rapid.Uint64().Draw(t, "nonce"),
		}
		sig, err := SignCancel(key, m)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyCancel(sig, m, m.Signer); err != nil {
			t.Fatalf("own signature refused: %v", err)
		}
		h, _ := m.Hash()
		if got, err := RecoverAddress(h, sig); err != nil || got != key.Address() {
			t.Fatalf("RecoverAddress = %s, %v", got, err)
		}
		c := m
		switch rapid.IntRange(0, 4).Draw(t, "field") {
		case 0:
			c.PaymentID = drawHex(t, 32, "otherPaymentId")
		case 1:
			c.PurchaseID += "\x00"
		case 2:
			c.Signer = drawHex(t, 20, "otherSigner")
		case 3:
			c.ChainID++
		case 4:
			c.Nonce--
		}
		if c == m {
			t.Skip("draw left the message unchanged")
		}
		if err := VerifyCancel(sig, c, m.Signer); !IsInvalidSignature(err) {
			t.Fatalf("changed message verified: %v", err)
		}
	})
}

// ---------------------------------------------------------------------------
// Fuzz

func FuzzVerifySignature(f *testing.F) {
	vs := loadVectors(f)
	for _, v := range vs {
		raw, _ := hex.DecodeString(v.Signature[2:])
		f.Add(v.Signature, raw, v.PurchaseID, uint64(0))
	}
	f.Add("", []byte{}, "", uint64(1))
	f.Add("0x", []byte{27}, "x", uint64(2))
	f.Add("0x"+strings.Repeat("f", 130), bytes.Repeat([]byte{0xff}, 65), "é", uint64(3))
	f.Add("0x"+strings.Repeat("0", 130), make([]byte, 65), "", uint64(4))
	f.Add("0X"+strings.Repeat("g", 130), make([]byte, 64), "", uint64(5))

	v := vs[0]
	base := v.newPayment(f)
	f.Fuzz(func(t *testing.T, sig string, raw []byte, purchaseID string, nonce uint64) {
		m := base
		m.PurchaseID = purchaseID
		m.Nonce = nonce
		c := CancelMessage{PaymentID: m.PaymentID, PurchaseID: purchaseID, Signer: v.Address, Nonce: nonce}
		h, err := m.Hash()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{sig, "0x" + hex.EncodeToString(raw)} {
			errN := VerifyNewPayment(s, m, v.Address)
			errC := VerifyCancel(s, c, v.Address)
			got, errR := RecoverAddress(h, s)
			for _, err := range []error{errN, errC, errR} {
				var se *SignatureError
				if err != nil && (!errors.As(err, &se) || !IsInvalidSignature(err)) {
					t.Fatalf("untyped error %v", err)
				}
			}
			// Verify and RecoverAddress agree.
			if (errN == nil) != (errR == nil && strings.EqualFold(got, v.Address)) {
				t.Fatalf("VerifyNewPayment %v but RecoverAddress %s, %v", errN, got, errR)
			}
		}
	})
}

// ---------------------------------------------------------------------------
// Benchmarks

func BenchmarkSignNewPayment(b *testing.B) {
	v := loadVectors(b)[0]
	key, _ := ParsePrivateKey(v.PrivateKey)
	m := v.newPayment(b)
	b.ReportAllocs()
	for range b.N {
		if _, err := SignNewPayment(key, m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyNewPayment(b *testing.B) {
	v := loadVectors(b)[0]
	m := v.newPayment(b)
	b.ReportAllocs()
	for range b.N {
		if err := VerifyNewPayment(v.Signature, m, v.Address); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewPaymentHash(b *testing.B) {
	m := loadVectors(b)[0].newPayment(b)
	b.ReportAllocs()
	for range b.N {
		if _, err := m.Hash(); err != nil {
			b.Fatal(err)
		}
	}
}
