package loyalty

// Wallet signatures of the DMS relay's mobile approval calls.
//
// The relay (bosagora/dms-osx, packages/relay/src/utils/ContractUtils.ts,
// getLoyaltyNewPaymentMessage / getLoyaltyCancelPaymentMessage) builds the
// message as keccak256(abi.encode(fields…)) and checks an EIP-191 personal
// signature of those 32 bytes with ethers v5 verifyMessage. This file
// reproduces that byte for byte without a go-ethereum dependency.

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"golang.org/x/crypto/sha3"

	"github.com/poskit/poskit/internal/loyaltywire"
)

// ErrInvalidSignature is matched by errors.Is for every *SignatureError whose
// Field is "signature": a malformed signature, or one that was not made by
// the expected key over the given message. The relay answers such a signature
// with code 1501.
var ErrInvalidSignature = errors.New("loyalty: invalid signature")

// Field names a *SignatureError reports beside the wire names ("signature",
// "paymentId", "shopId", "account").
const (
	fieldSigner     = "signer"     // CancelMessage.Signer or the signer given to VerifyCancel
	fieldPrivateKey = "privateKey" // the private key (its value is never reported)
)

// SignatureError reports a malformed input of the signature functions or a
// signature that does not verify. It never contains key material.
type SignatureError struct {
	// Op is the operation, e.g. "loyalty.VerifyNewPayment".
	Op string
	// Field is the input at fault: "signature", "paymentId", "shopId", "account",
	// "signer" (CancelMessage.Signer or VerifyCancel's signer) or "privateKey".
	Field string
	// Reason says what is wrong, in plain words.
	Reason string
}

// Error returns "Op: Field: Reason".
func (e *SignatureError) Error() string {
	return e.Op + ": " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidSignature and the error is about the
// signature (not about a malformed message field).
func (e *SignatureError) Is(target error) bool {
	return target == ErrInvalidSignature && e.Field == loyaltywire.ParamSignature
}

// IsInvalidSignature reports whether err is (or wraps) a *SignatureError about
// the signature: malformed, or not made by the expected wallet.
func IsInvalidSignature(err error) bool { return errors.Is(err, ErrInvalidSignature) }

// ---------------------------------------------------------------------------
// Keys

// PrivateKey is a secp256k1 wallet key. Its formatted forms (%v, %+v, %#v, %s,
// %x, …), slog value and JSON encoding never reveal the key: they show the
// address only.
type PrivateKey struct {
	// key hides the secret behind a closure: fmt and other reflection-based
	// printers cannot call the methods of an unexported field and would
	// otherwise print its limbs; a func value prints as an address only.
	key  func() *secp256k1.PrivateKey
	addr [20]byte
}

// secret returns the key, or nil for the zero PrivateKey.
func (k PrivateKey) secret() *secp256k1.PrivateKey {
	if k.key == nil {
		return nil
	}
	return k.key()
}

// generateAttempts bounds GenerateKey's rejection sampling; a good source of
// randomness fails one attempt with probability below 2⁻¹²⁷.
const generateAttempts = 64

// GenerateKey returns a new random key read from rand (crypto/rand.Reader when
// rand is nil).
func GenerateKey(rand io.Reader) (*PrivateKey, error) {
	const op = "loyalty.GenerateKey"
	if rand == nil {
		rand = cryptoRand
	}
	var b [32]byte
	defer clear(b[:])
	for range generateAttempts {
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return nil, &SignatureError{Op: op, Field: fieldPrivateKey, Reason: "reading randomness: " + err.Error()}
		}
		if k, ok := keyFromBytes(b[:]); ok {
			return k, nil
		}
	}
	return nil, &SignatureError{Op: op, Field: fieldPrivateKey, Reason: "source of randomness gave no valid key"}
}

var cryptoRand io.Reader = rand.Reader

// ParsePrivateKey parses a key written as "0x" followed by 64 hex digits (the
// form ethers and wallets export). The key must lie in [1, n-1]. The error
// never repeats the input.
func ParsePrivateKey(s string) (*PrivateKey, error) {
	const op = "loyalty.ParsePrivateKey"
	b, reason := decodeHex(s, 32)
	if reason != "" {
		return nil, &SignatureError{Op: op, Field: fieldPrivateKey, Reason: reason}
	}
	defer clear(b)
	k, ok := keyFromBytes(b)
	if !ok {
		return nil, &SignatureError{Op: op, Field: fieldPrivateKey, Reason: "not in the range [1, n-1] of secp256k1"}
	}
	return k, nil
}

// keyFromBytes builds a key from 32 big-endian bytes when they are in [1, n-1].
func keyFromBytes(b []byte) (*PrivateKey, bool) {
	var s secp256k1.ModNScalar
	if overflow := s.SetByteSlice(b); overflow || s.IsZero() {
		s.Zero()
		return nil, false
	}
	sk := secp256k1.NewPrivateKey(&s)
	s.Zero()
	return &PrivateKey{key: func() *secp256k1.PrivateKey { return sk }, addr: pubKeyAddress(sk.PubKey())}, true
}

// Address returns the key's EIP-55 checksummed address ("0x" and 40 hex digits).
func (k PrivateKey) Address() string {
	if k.key == nil {
		return ""
	}
	return checksumAddress(k.addr)
}

// String returns "loyalty.PrivateKey(0x…address)"; the key itself is never shown.
func (k PrivateKey) String() string {
	if k.key == nil {
		return "loyalty.PrivateKey(invalid)"
	}
	return "loyalty.PrivateKey(" + k.Address() + ")"
}

// GoString returns the same redacted form as String, for %#v.
func (k PrivateKey) GoString() string { return k.String() }

// Format writes the redacted String form for every verb and flag, so that no
// verb (%x, %d, %+v, …) prints the key.
func (k PrivateKey) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, k.String()) }

// LogValue returns the redacted String form for log/slog.
func (k PrivateKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// MarshalText returns the redacted String form, so encoding/json and friends
// never see the key.
func (k PrivateKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// ---------------------------------------------------------------------------
// Messages

// NewPaymentMessage is what the user's wallet signs to approve or deny a new
// payment (POST /v1/payment/create/confirm, create/deny; relay:
// /v1/payment/new/approval). The approve/deny flag is not part of it.
//
// ChainID and Nonce are uint256 on the wire; they are uint64 here because the
// relay's values are a chain id and a per-account counter that fit easily (the
// official Java and C# SDKs use a signed 64-bit long for both).
type NewPaymentMessage struct {
	PaymentID  string // "0x" + 64 hex digits (bytes32)
	PurchaseID string // any UTF-8 text, hashed byte for byte
	Amount     Amount // the payment amount in 10⁻¹⁸ units
	Currency   string // hashed byte for byte: send lower-case codes ("krw", "php", "point")
	ShopID     string // "0x" + 64 hex digits (bytes32)
	Account    string // the user's wallet address, "0x" + 40 hex digits, any case
	ChainID    uint64 // side-chain id (GET /v1/chain/side/id)
	Nonce      uint64 // the account's ledger nonce (GET /v1/ledger/nonce/{account})
}

// CancelMessage is what the shop owner's wallet signs to approve or deny a
// cancel (POST /v1/payment/cancel/confirm, cancel/deny; relay:
// /v1/payment/cancel/approval). When the shop has a delegator registered at
// the relay, the relay expects the delegator's signature and nonce instead of
// the shop owner's.
//
// ChainID and Nonce: see NewPaymentMessage.
type CancelMessage struct {
	PaymentID  string // "0x" + 64 hex digits (bytes32)
	PurchaseID string // any UTF-8 text, hashed byte for byte
	Signer     string // the shop owner's (or delegator's) address, "0x" + 40 hex digits
	ChainID    uint64 // side-chain id
	Nonce      uint64 // the signer's ledger nonce
}

// Hash returns keccak256 of abi.encode(bytes32 paymentId, string purchaseId,
// uint256 amount, string currency, bytes32 shopId, address account, uint256
// chainId, uint256 nonce), the relay's getLoyaltyNewPaymentMessage. This is the
// hash before the EIP-191 prefix. It fails with a *SignatureError naming the
// malformed field.
func (m NewPaymentMessage) Hash() ([32]byte, error) {
	return m.hash("loyalty.NewPaymentMessage.Hash")
}

func (m NewPaymentMessage) hash(op string) ([32]byte, error) {
	enc, err := m.encode(op)
	if err != nil {
		return [32]byte{}, err
	}
	return keccak(enc), nil
}

// encode returns the ABI encoding the relay hashes.
func (m NewPaymentMessage) encode(op string) ([]byte, error) {
	pid, err := word32(op, loyaltywire.ParamPaymentID, m.PaymentID)
	if err != nil {
		return nil, err
	}
	sid, err := word32(op, loyaltywire.ParamShopID, m.ShopID)
	if err != nil {
		return nil, err
	}
	acc, err := addressWord(op, loyaltywire.ParamAccount, m.Account)
	if err != nil {
		return nil, err
	}
	return abiEncode(
		static(pid),
		dynamic([]byte(m.PurchaseID)),
		static(bigWord(m.Amount.ToBig())),
		dynamic([]byte(m.Currency)),
		static(sid),
		static(acc),
		static(uint64Word(m.ChainID)),
		static(uint64Word(m.Nonce)),
	), nil
}

// Hash returns keccak256 of abi.encode(bytes32 paymentId, string purchaseId,
// address signer, uint256 chainId, uint256 nonce), the relay's
// getLoyaltyCancelPaymentMessage. This is the hash before the EIP-191 prefix.
// It fails with a *SignatureError naming the malformed field.
func (m CancelMessage) Hash() ([32]byte, error) {
	return m.hash("loyalty.CancelMessage.Hash")
}

func (m CancelMessage) hash(op string) ([32]byte, error) {
	enc, err := m.encode(op)
	if err != nil {
		return [32]byte{}, err
	}
	return keccak(enc), nil
}

// encode returns the ABI encoding the relay hashes.
func (m CancelMessage) encode(op string) ([]byte, error) {
	pid, err := word32(op, loyaltywire.ParamPaymentID, m.PaymentID)
	if err != nil {
		return nil, err
	}
	signer, err := addressWord(op, fieldSigner, m.Signer)
	if err != nil {
		return nil, err
	}
	return abiEncode(
		static(pid),
		dynamic([]byte(m.PurchaseID)),
		static(signer),
		static(uint64Word(m.ChainID)),
		static(uint64Word(m.Nonce)),
	), nil
}

// ---------------------------------------------------------------------------
// Sign and verify

// SignNewPayment signs m with the user's key as the relay expects it on
// /v1/payment/new/approval (document: create/confirm, create/deny) and returns
// "0x" + 130 hex digits (r‖s‖v, v 27 or 28). Signatures are deterministic
// (RFC 6979) and byte-identical to ethers v5 Wallet.signMessage. It does not
// check that m.Account is the key's address; the relay will refuse it (1501)
// if it is not.
func SignNewPayment(key *PrivateKey, m NewPaymentMessage) (string, error) {
	const op = "loyalty.SignNewPayment"
	h, err := m.hash(op)
	if err != nil {
		return "", err
	}
	return sign(op, key, h)
}

// SignCancel signs m with the shop owner's (or delegator's) key as the relay
// expects it on /v1/payment/cancel/approval (document: cancel/confirm,
// cancel/deny) and returns "0x" + 130 hex digits (r‖s‖v, v 27 or 28).
func SignCancel(key *PrivateKey, m CancelMessage) (string, error) {
	const op = "loyalty.SignCancel"
	h, err := m.hash(op)
	if err != nil {
		return "", err
	}
	return sign(op, key, h)
}

// VerifyNewPayment checks that sig is account's signature of m, the way the
// relay's verifyLoyaltyNewPayment does (addresses compared without regard to
// case). It returns nil, or a *SignatureError: IsInvalidSignature(err) is true
// when the signature is malformed or made by another key or over other
// fields; other Fields name a malformed message field or account.
func VerifyNewPayment(sig string, m NewPaymentMessage, account string) error {
	const op = "loyalty.VerifyNewPayment"
	h, err := m.hash(op)
	if err != nil {
		return err
	}
	return verify(op, h, sig, loyaltywire.ParamAccount, account)
}

// VerifyCancel checks that sig is signer's signature of m, the way the relay's
// verifyLoyaltyCancelPayment does. Errors as for VerifyNewPayment.
func VerifyCancel(sig string, m CancelMessage, signer string) error {
	const op = "loyalty.VerifyCancel"
	h, err := m.hash(op)
	if err != nil {
		return err
	}
	return verify(op, h, sig, fieldSigner, signer)
}

// RecoverAddress returns the checksummed address whose key made sig over the
// message hash (a Hash result; the EIP-191 prefix is applied here), like
// ethers.utils.verifyMessage(arrayify(hash), sig).
//
// Accepted: 65 bytes r‖s‖v as "0x" + 130 hex digits, v 27/28 or 0/1, r and s in
// [1, n-1], s high or low. Modelled: ethers v5 also takes any v ≥ 29 by its
// parity, and r or s ≥ n in some cases; real wallets never produce those, and
// they are refused here.
func RecoverAddress(hash [32]byte, sig string) (string, error) {
	a, err := recoverAddr("loyalty.RecoverAddress", hash, sig)
	if err != nil {
		return "", err
	}
	return checksumAddress(a), nil
}

func sign(op string, key *PrivateKey, h [32]byte) (string, error) {
	if key == nil || key.key == nil {
		return "", &SignatureError{Op: op, Field: fieldPrivateKey, Reason: "no key"}
	}
	d := personalDigest(h)
	c := ecdsa.SignCompact(key.secret(), d[:], false) // v‖r‖s, v = 27 + recovery id
	out := make([]byte, 65)
	copy(out, c[1:])
	out[64] = c[0]
	return "0x" + hex.EncodeToString(out), nil
}

func verify(op string, h [32]byte, sig, field, want string) error {
	wb, reason := decodeHex(want, 20)
	if reason != "" {
		return &SignatureError{Op: op, Field: field, Reason: "address " + reason}
	}
	got, err := recoverAddr(op, h, sig)
	if err != nil {
		return err
	}
	if [20]byte(wb) != got {
		return &SignatureError{Op: op, Field: loyaltywire.ParamSignature,
			Reason: "signed by " + checksumAddress(got) + ", not by " + checksumAddress([20]byte(wb))}
	}
	return nil
}

func recoverAddr(op string, h [32]byte, sig string) ([20]byte, error) {
	b, reason := decodeHex(sig, 65)
	if reason != "" {
		return [20]byte{}, &SignatureError{Op: op, Field: loyaltywire.ParamSignature, Reason: reason}
	}
	v := b[64]
	switch v {
	case 0, 1:
		v += 27
	case 27, 28:
	default:
		return [20]byte{}, &SignatureError{Op: op, Field: loyaltywire.ParamSignature,
			Reason: fmt.Sprintf("recovery byte v is %d, want 27 or 28", v)}
	}
	c := make([]byte, 65)
	c[0] = v
	copy(c[1:], b[:64])
	d := personalDigest(h)
	pub, _, err := ecdsa.RecoverCompact(c, d[:])
	if err != nil {
		return [20]byte{}, &SignatureError{Op: op, Field: loyaltywire.ParamSignature, Reason: "cannot recover a key: " + err.Error()}
	}
	return pubKeyAddress(pub), nil
}

// personalDigest is keccak256("\x19Ethereum Signed Message:\n32" ‖ h) (EIP-191).
func personalDigest(h [32]byte) [32]byte {
	return keccak([]byte("\x19Ethereum Signed Message:\n32"), h[:])
}

// ---------------------------------------------------------------------------
// Helpers: hex, addresses, ABI encoding

// keccak is Keccak-256 as Ethereum uses it (the original Keccak padding, not SHA3-256's).
func keccak(parts ...[]byte) [32]byte {
	h := sha3.NewLegacyKeccak256()
	for _, p := range parts {
		h.Write(p)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// decodeHex decodes "0x" (or "0X") followed by exactly 2n hex digits of any
// case. On failure it returns a reason that does not repeat the input.
func decodeHex(s string, n int) ([]byte, string) {
	if len(s) < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return nil, "must start with 0x"
	}
	if len(s) != 2+2*n {
		return nil, fmt.Sprintf("must be 0x and %d hex digits, got %d characters", 2*n, len(s))
	}
	b, err := hex.DecodeString(s[2:])
	if err != nil {
		return nil, "not hexadecimal"
	}
	return b, ""
}

func word32(op, field, s string) ([32]byte, error) {
	b, reason := decodeHex(s, 32)
	if reason != "" {
		return [32]byte{}, &SignatureError{Op: op, Field: field, Reason: reason}
	}
	return [32]byte(b), nil
}

// addressWord parses an address and returns its ABI word (left-padded). The
// EIP-55 checksum of a mixed-case address is not enforced, like the relay's
// input validation.
func addressWord(op, field, s string) ([32]byte, error) {
	b, reason := decodeHex(s, 20)
	if reason != "" {
		return [32]byte{}, &SignatureError{Op: op, Field: field, Reason: "address " + reason}
	}
	var w [32]byte
	copy(w[12:], b)
	return w, nil
}

func uint64Word(v uint64) [32]byte {
	var w [32]byte
	for i := range 8 {
		w[31-i] = byte(v >> (8 * i))
	}
	return w
}

// bigWord encodes a non-negative integer below 2²⁵⁶ (an Amount always is).
func bigWord(v *big.Int) [32]byte {
	var w [32]byte
	v.FillBytes(w[:])
	return w
}

func pubKeyAddress(p *secp256k1.PublicKey) [20]byte {
	u := p.SerializeUncompressed() // 0x04 ‖ X ‖ Y
	h := keccak(u[1:])
	return [20]byte(h[12:])
}

// checksumAddress writes a in the EIP-55 mixed-case form.
func checksumAddress(a [20]byte) string {
	const digits = "0123456789abcdef"
	var lower [40]byte
	for i, c := range a {
		lower[2*i] = digits[c>>4]
		lower[2*i+1] = digits[c&0x0f]
	}
	h := keccak(lower[:])
	out := make([]byte, 42)
	out[0], out[1] = '0', 'x'
	for i, c := range lower {
		nibble := h[i/2] >> 4
		if i%2 == 1 {
			nibble = h[i/2] & 0x0f
		}
		if c >= 'a' && nibble >= 8 {
			c -= 'a' - 'A'
		}
		out[2+i] = c
	}
	return string(out)
}

// abiValue is one top-level ABI parameter: a static 32-byte word or the bytes
// of a dynamic string.
type abiValue struct {
	word    [32]byte
	data    []byte
	dynamic bool
}

func static(w [32]byte) abiValue  { return abiValue{word: w} }
func dynamic(b []byte) abiValue   { return abiValue{data: b, dynamic: true} }
func padded(n int) int            { return (n + 31) / 32 * 32 }
func abiPutLen(dst []byte, n int) { w := uint64Word(uint64(n)); copy(dst, w[:]) }
func headSize(vs []abiValue) int  { return 32 * len(vs) }
func tailSize(v abiValue) int     { return 32 + padded(len(v.data)) }
func encodedSize(vs []abiValue) int {
	n := headSize(vs)
	for _, v := range vs {
		if v.dynamic {
			n += tailSize(v)
		}
	}
	return n
}

// abiEncode is Solidity's abi.encode of the values as a parameter list: one
// head word per value (the value, or the offset of its tail from the start),
// then each dynamic value's tail (length word, data right-padded with zeros
// to a whole word).
func abiEncode(vs ...abiValue) []byte {
	out := make([]byte, encodedSize(vs))
	tail := headSize(vs)
	for i, v := range vs {
		head := out[32*i : 32*i+32]
		if !v.dynamic {
			copy(head, v.word[:])
			continue
		}
		abiPutLen(head, tail)
		abiPutLen(out[tail:tail+32], len(v.data))
		copy(out[tail+32:], v.data)
		tail += tailSize(v)
	}
	return out
}
