// gen.js writes ../sigvectors.json: wallet-signature test vectors for poskit's
// loyalty package, produced by the same code path as the DMS relay
// (bosagora/dms-osx packages/relay/src/utils/ContractUtils.ts):
//   encoded = defaultAbiCoder.encode(types, values)
//   hash    = keccak256(encoded)
//   sig     = wallet.signMessage(arrayify(hash))   // EIP-191 personal message
//
// Usage: npm ci && node gen.js
"use strict";

const fs = require("fs");
const path = require("path");
const { ethers } = require("ethers");
const { defaultAbiCoder, keccak256, arrayify, verifyMessage } = ethers.utils;

// Well-known throwaway keys: hardhat accounts #0 and #1, the smallest key (1)
// and the largest key (n-1). Never use them for real funds.
const KEYS = {
    hardhat0: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    hardhat1: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    one: "0x0000000000000000000000000000000000000000000000000000000000000001",
    nMinus1: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
};

const MAX_U256 = ethers.constants.MaxUint256.toString();
const MAX_U64 = "18446744073709551615";

// Same field order and types as ContractUtils.getLoyaltyNewPaymentMessage.
function newPaymentMessage(v) {
    return defaultAbiCoder.encode(
        ["bytes32", "string", "uint256", "string", "bytes32", "address", "uint256", "uint256"],
        [v.paymentId, v.purchaseId, v.amount, v.currency, v.shopId, v.account, v.chainId, v.nonce]
    );
}

// Same field order and types as ContractUtils.getLoyaltyCancelPaymentMessage.
function cancelMessage(v) {
    return defaultAbiCoder.encode(
        ["bytes32", "string", "address", "uint256", "uint256"],
        [v.paymentId, v.purchaseId, v.signer, v.chainId, v.nonce]
    );
}

const id = (s) => keccak256(ethers.utils.toUtf8Bytes(s)); // deterministic bytes32 ids

const cases = [
    {
        name: "new/krw/basic",
        kind: "new",
        key: "hardhat0",
        paymentId: id("payment-1"),
        purchaseId: "P000001",
        amount: "1000000000000000000000",
        currency: "krw",
        shopId: id("shop-1"),
        chainId: "24680",
        nonce: "0",
    },
    {
        name: "new/php/unicode-purchase-id",
        kind: "new",
        key: "hardhat1",
        paymentId: id("payment-2"),
        purchaseId: "주문-2024-☕-커피",
        amount: "12345678901234567890",
        currency: "php",
        shopId: id("shop-2"),
        chainId: "24680",
        nonce: "7",
    },
    {
        name: "new/point/long-purchase-id/max-amount",
        kind: "new",
        key: "one",
        paymentId: id("payment-3"),
        purchaseId: "PURCHASE-" + "0123456789abcdef".repeat(5) + "-END", // 93 bytes: three words
        amount: MAX_U256,
        currency: "point",
        shopId: id("shop-3"),
        chainId: "215110",
        nonce: "42",
    },
    {
        name: "new/usd/empty-purchase-id/amount-zero/max-u64",
        kind: "new",
        key: "nMinus1",
        paymentId: id("payment-4"),
        purchaseId: "",
        amount: "0",
        currency: "usd",
        shopId: id("shop-4"),
        chainId: MAX_U64,
        nonce: MAX_U64,
    },
    {
        name: "new/krw/purchase-id-exactly-32-bytes/amount-max-minus-1",
        kind: "new",
        key: "hardhat0",
        paymentId: "0x" + "00".repeat(32),
        purchaseId: "0123456789abcdef0123456789abcdef",
        amount: ethers.constants.MaxUint256.sub(1).toString(),
        currency: "krw",
        shopId: "0x" + "ff".repeat(32),
        chainId: "1",
        nonce: "1",
    },
    {
        name: "cancel/basic",
        kind: "cancel",
        key: "hardhat1",
        paymentId: id("payment-1"),
        purchaseId: "P000001",
        chainId: "24680",
        nonce: "3",
    },
    {
        name: "cancel/unicode-long-purchase-id",
        kind: "cancel",
        key: "hardhat0",
        paymentId: id("payment-5"),
        purchaseId: "취소 요청 — 영수증 번호 00012345 / キャンセル / 🧾",
        chainId: "215110",
        nonce: "123456789",
    },
    {
        name: "cancel/empty-purchase-id/max-u64",
        kind: "cancel",
        key: "one",
        paymentId: "0x" + "ab".repeat(32),
        purchaseId: "",
        chainId: MAX_U64,
        nonce: MAX_U64,
    },
    {
        name: "cancel/key-n-minus-1",
        kind: "cancel",
        key: "nMinus1",
        paymentId: id("payment-6"),
        purchaseId: "ORDER#6",
        chainId: "24680",
        nonce: "0",
    },
];

async function main() {
    const vectors = [];
    for (const c of cases) {
        const wallet = new ethers.Wallet(KEYS[c.key]);
        const v = { ...c, privateKey: KEYS[c.key], address: wallet.address };
        delete v.key;
        let encoded;
        if (c.kind === "new") {
            v.account = wallet.address;
            encoded = newPaymentMessage(v);
        } else {
            v.signer = wallet.address;
            encoded = cancelMessage(v);
        }
        const hash = keccak256(encoded);
        const signature = await wallet.signMessage(arrayify(hash));
        if (verifyMessage(arrayify(hash), signature) !== wallet.address) {
            throw new Error("self-check failed for " + c.name);
        }
        vectors.push({ ...v, encoded, hash, signature });
    }
    const out = {
        comment: "Generated by testdata/gen/gen.js with " + ethers.version + "; do not edit by hand.",
        vectors,
    };
    fs.writeFileSync(path.join(__dirname, "..", "sigvectors.json"), JSON.stringify(out, null, 2) + "\n");
    console.log("wrote " + vectors.length + " vectors");
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
