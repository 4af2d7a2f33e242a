// Package loyaltywire is the wire format of the DMS Relay KIOSK payment API, shared by the
// client (package loyalty) and the fake relay (mock/loyaltymock): the endpoint tables of
// both route sets, every query and JSON field name, the answer envelope, the request and
// answer bodies, and the result callback. Nothing here is part of loyalty's public API.
//
// This file holds every wire name of the API; the other files hold the flexible scalars
// (scalars.go), the envelope's decoding (envelope.go) and the callback's spellings
// (callback.go), all in terms of the names declared here.
package loyaltywire

import (
	"encoding/json"

	"github.com/poskit/poskit/internal/endpoint"
)

// API is the endpoint tables' API name: operations are named "loyalty.<Op>".
const API = "loyalty"

// Operations: the loyalty.Client method names, which are also the fake's fault names.
const (
	OpBalance              = "Balance"
	OpPaymentInfo          = "PaymentInfo"
	OpOpenNewPayment       = "OpenNewPayment"
	OpCloseNewPayment      = "CloseNewPayment"
	OpOpenCancelPayment    = "OpenCancelPayment"
	OpCloseCancelPayment   = "CloseCancelPayment"
	OpShopInfo             = "ShopInfo"
	OpShopWithdrawal       = "ShopWithdrawal"
	OpPayment              = "Payment"
	OpApproveNewPayment    = "ApproveNewPayment"
	OpDenyNewPayment       = "DenyNewPayment"
	OpApproveCancelPayment = "ApproveCancelPayment"
	OpDenyCancelPayment    = "DenyCancelPayment"
	OpChainID              = "ChainID"
	OpNonce                = "Nonce"
)

// Paths both route sets share.
const (
	PathUserBalance    = "/v1/payment/user/balance"
	PathPaymentInfo    = "/v1/payment/info"
	PathShopInfo       = "/v1/payment/shop/info"
	PathShopWithdrawal = "/v1/payment/shop/withdrawal"
	PathItem           = "/v1/payment/item"
	PathChainID        = "/v1/chain/side/id"
	// PathNonce carries the account as its last segment ("{account}" is replaced).
	PathNonce = "/v1/ledger/nonce/{" + ParamAccount + "}"
	// NoncePlaceholder is the segment of PathNonce the account replaces.
	NoncePlaceholder = "{" + ParamAccount + "}"
)

// Document is the route set of the source document (the client's default): separate
// confirm and deny paths for the wallet calls, no approval flag. The document names no
// chain-id or nonce route; the relay's are used.
var Document = endpoint.Table{API: API, Endpoints: []endpoint.Endpoint{
	{Op: OpBalance, Method: "GET", Path: PathUserBalance, Idempotent: true},
	{Op: OpPaymentInfo, Method: "GET", Path: PathPaymentInfo, Idempotent: true},
	{Op: OpOpenNewPayment, Method: "POST", Path: "/v1/payment/openNew"},
	{Op: OpCloseNewPayment, Method: "POST", Path: "/v1/payment/closeNew"},
	{Op: OpOpenCancelPayment, Method: "POST", Path: "/v1/payment/openCancel"},
	{Op: OpCloseCancelPayment, Method: "POST", Path: "/v1/payment/closeCancel"},
	{Op: OpShopInfo, Method: "GET", Path: PathShopInfo, Idempotent: true},
	{Op: OpShopWithdrawal, Method: "GET", Path: PathShopWithdrawal, Idempotent: true},
	{Op: OpPayment, Method: "GET", Path: PathItem, Idempotent: true},
	{Op: OpApproveNewPayment, Method: "POST", Path: "/v1/payment/create/confirm"},
	{Op: OpDenyNewPayment, Method: "POST", Path: "/v1/payment/create/deny"},
	{Op: OpApproveCancelPayment, Method: "POST", Path: "/v1/payment/cancel/confirm"},
	{Op: OpDenyCancelPayment, Method: "POST", Path: "/v1/payment/cancel/deny"},
	{Op: OpChainID, Method: "GET", Path: PathChainID, Idempotent: true},
	{Op: OpNonce, Method: "GET", Path: PathNonce, Idempotent: true},
}}

// Relay is the route set of the running relay (dms-osx PaymentRouter): approve and deny
// of a leg share one path and differ in the body's approval flag. Modelled: the relay has
// no shop/withdrawal route; the document's path is kept.
var Relay = endpoint.Table{API: API, Endpoints: []endpoint.Endpoint{
	{Op: OpBalance, Method: "GET", Path: PathUserBalance, Idempotent: true},
	{Op: OpPaymentInfo, Method: "GET", Path: PathPaymentInfo, Idempotent: true},
	{Op: OpOpenNewPayment, Method: "POST", Path: "/v1/payment/new/open"},
	{Op: OpCloseNewPayment, Method: "POST", Path: "/v1/payment/new/close"},
	{Op: OpOpenCancelPayment, Method: "POST", Path: "/v1/payment/cancel/open"},
	{Op: OpCloseCancelPayment, Method: "POST", Path: "/v1/payment/cancel/close"},
	{Op: OpShopInfo, Method: "GET", Path: PathShopInfo, Idempotent: true},
	{Op: OpShopWithdrawal, Method: "GET", Path: PathShopWithdrawal, Idempotent: true},
	{Op: OpPayment, Method: "GET", Path: PathItem, Idempotent: true},
	{Op: OpApproveNewPayment, Method: "POST", Path: "/v1/payment/new/approval"},
	{Op: OpDenyNewPayment, Method: "POST", Path: "/v1/payment/new/approval"},
	{Op: OpApproveCancelPayment, Method: "POST", Path: "/v1/payment/cancel/approval"},
	{Op: OpDenyCancelPayment, Method: "POST", Path: "/v1/payment/cancel/approval"},
	{Op: OpChainID, Method: "GET", Path: PathChainID, Idempotent: true},
	{Op: OpNonce, Method: "GET", Path: PathNonce, Idempotent: true},
}}

// Table is what the fake relay serves: both route sets, every (operation, method, path)
// once. In the relay set approve and deny of a leg share a path; the fake serves that path
// with one handler that tells approve from deny by the approval flag, and names each
// request by that flag (Approve… or Deny…) for its faults and recordings.
var Table = merge(Document, Relay)

func merge(ts ...endpoint.Table) endpoint.Table {
	out := endpoint.Table{API: API}
	seen := map[string]bool{}
	for _, t := range ts {
		for _, e := range t.Endpoints {
			if k := e.Op + " " + e.Method + " " + e.Path; !seen[k] {
				seen[k] = true
				out.Endpoints = append(out.Endpoints, e)
			}
		}
	}
	return out
}

// Parameter names used in query strings and bodies; loyalty.Error.Field of an
// invalid-input error is one of them.
const (
	ParamAccessKey  = "accessKey"
	ParamAccount    = "account"
	ParamAmount     = "amount"
	ParamCurrency   = "currency"
	ParamPurchaseID = "purchaseId"
	ParamShopID     = "shopId"
	ParamPaymentID  = "paymentId"
	ParamSignature  = "signature"
	ParamConfirm    = "confirm"
	ParamApproval   = "approval"
)

// HeaderAuthorization carries the raw access key (no scheme) on KIOSK calls, and on the
// relay's callbacks.
const HeaderAuthorization = "Authorization"

// ---------------------------------------------------------------------------
// Envelope

// CodeOK is the envelope's success code.
const CodeOK = 0

// Envelope is every answer's body: {"code":0,"data":{…}} on success,
// {"code":N,"error":{"message":"…","validation":[…]}} otherwise. The relay answers HTTP
// 200 for application errors too.
type Envelope struct {
	Code  int    `json:"code"`
	Data  any    `json:"data,omitempty"`
	Error *Error `json:"error,omitempty"`
}

// Error is the envelope's error object.
type Error struct {
	Message    string       `json:"message"`
	Validation []Validation `json:"validation,omitempty"`
}

// Validation is one express-validator entry of error.validation.
type Validation struct {
	Type     string `json:"type,omitempty"`
	Msg      string `json:"msg"`
	Path     string `json:"path,omitempty"`
	Param    string `json:"param,omitempty"` // express-validator 6 spells path "param"
	Location string `json:"location,omitempty"`
}

// envelopeIn is the decoding side: data stays raw until the caller's type is known, the
// code may be a string, validation entries are read leniently.
type envelopeIn struct {
	Code  *Int            `json:"code"`
	Data  json.RawMessage `json:"data"`
	Error *struct {
		Message    json.RawMessage `json:"message"`
		Validation json.RawMessage `json:"validation"`
	} `json:"error"`
}

// successIn is a success envelope as the one pass reads it: data goes straight into the
// caller's value.
type successIn struct {
	Code *Int `json:"code"`
	Data any  `json:"data"`
}

// ---------------------------------------------------------------------------
// Requests

// OpenNewRequest is the body of OpenNewPayment.
type OpenNewRequest struct {
	AccessKey  string `json:"accessKey,omitempty"`
	PurchaseID string `json:"purchaseId"`
	Amount     Number `json:"amount"`
	Currency   string `json:"currency"`
	ShopID     string `json:"shopId"`
	Account    string `json:"account"`
}

// CloseRequest is the body of CloseNewPayment and CloseCancelPayment. The client always
// sends confirm (the relay requires it; a document-style server ignores it).
type CloseRequest struct {
	AccessKey string `json:"accessKey,omitempty"`
	PaymentID string `json:"paymentId"`
	Confirm   Bool   `json:"confirm"`
}

// OpenCancelRequest is the body of OpenCancelPayment.
type OpenCancelRequest struct {
	AccessKey string `json:"accessKey,omitempty"`
	PaymentID string `json:"paymentId"`
}

// ApprovalRequest is the body of the four wallet approve/deny calls. Approval is present
// only in the relay set.
type ApprovalRequest struct {
	PaymentID string `json:"paymentId"`
	Signature string `json:"signature"`
	Approval  *Bool  `json:"approval,omitempty"`
}

// ---------------------------------------------------------------------------
// Answers

// Balance is the data of Balance.
type Balance struct {
	Account     string `json:"account"`
	LoyaltyType Int    `json:"loyaltyType"`
	Balance     Number `json:"balance"`
}

// Estimate holds the nine estimate amounts, shared by the info answer, every payment
// answer and the callback data.
type Estimate struct {
	PaidPoint  Number `json:"paidPoint,omitempty"`
	PaidToken  Number `json:"paidToken,omitempty"`
	PaidValue  Number `json:"paidValue,omitempty"`
	FeePoint   Number `json:"feePoint,omitempty"`
	FeeToken   Number `json:"feeToken,omitempty"`
	FeeValue   Number `json:"feeValue,omitempty"`
	TotalPoint Number `json:"totalPoint,omitempty"`
	TotalToken Number `json:"totalToken,omitempty"`
	TotalValue Number `json:"totalValue,omitempty"`
}

// PaymentInfo is the data of PaymentInfo.
type PaymentInfo struct {
	Account      string `json:"account"`
	LoyaltyType  Int    `json:"loyaltyType"`
	Amount       Number `json:"amount"`
	Currency     string `json:"currency"`
	Balance      Number `json:"balance"`
	BalanceValue Number `json:"balanceValue,omitempty"`
	Estimate
	FeeRate json.Number `json:"feeRate,omitempty"` // relay: fee as a fraction, e.g. 0.05
}

// Payment is a payment as every payment endpoint and the callback's data carry it. The
// document and the relay use different subsets; absent fields stay empty.
type Payment struct {
	PaymentID   string `json:"paymentId"`
	PurchaseID  string `json:"purchaseId"`
	Amount      Number `json:"amount"`
	Currency    string `json:"currency"`
	ShopID      string `json:"shopId"`
	Account     string `json:"account"`
	LoyaltyType Int    `json:"loyaltyType"`
	Estimate
	Balance              Number `json:"balance,omitempty"` // callbacks only
	PaymentStatus        Int    `json:"paymentStatus,omitempty"`
	Status               Int    `json:"status,omitempty"` // fallback spelling of paymentStatus
	OpenNewTimestamp     Int    `json:"openNewTimestamp,omitempty"`
	CloseNewTimestamp    Int    `json:"closeNewTimestamp,omitempty"`
	OpenCancelTimestamp  Int    `json:"openCancelTimestamp,omitempty"`
	CloseCancelTimestamp Int    `json:"closeCancelTimestamp,omitempty"`
	CreateTimestamp      Int    `json:"createTimestamp,omitempty"` // document's item
	CancelTimestamp      Int    `json:"cancelTimestamp,omitempty"` // document's item
	TxHash               string `json:"txHash,omitempty"`
}

// ShopInfo is the data of ShopInfo: the document's fields and the relay's
// (providedAmount/usedAmount/refundedAmount, currency, status, delegator).
type ShopInfo struct {
	ShopID          string `json:"shopId"`
	Name            string `json:"name"`
	Account         string `json:"account"`
	ProvideWaitTime Int    `json:"provideWaitTime,omitempty"`
	ProvidePercent  Int    `json:"providePercent,omitempty"`
	ProvidedPoint   Number `json:"providedPoint,omitempty"`
	UsedPoint       Number `json:"usedPoint,omitempty"`
	SettledPoint    Number `json:"settledPoint,omitempty"` // an int in the document
	WithdrawnPoint  Number `json:"withdrawnPoint,omitempty"`
	Currency        string `json:"currency,omitempty"`
	Status          Int    `json:"status,omitempty"`
	Delegator       string `json:"delegator,omitempty"`
	ProvidedAmount  Number `json:"providedAmount,omitempty"`
	UsedAmount      Number `json:"usedAmount,omitempty"`
	RefundedAmount  Number `json:"refundedAmount,omitempty"`
}

// ShopWithdrawal is the data of ShopWithdrawal.
type ShopWithdrawal struct {
	ShopID         string `json:"shopId"`
	WithdrawAmount Number `json:"withdrawAmount"`
	WithdrawStatus Int    `json:"withdrawStatus"`
}

// ChainID is the data of ChainID.
type ChainID struct {
	ChainID Int `json:"chainId"`
}

// Nonce is the data of Nonce.
type Nonce struct {
	Account string `json:"account"`
	Nonce   Number `json:"nonce"`
}

// ---------------------------------------------------------------------------
// Callback

// Callback is the body the relay POSTs to the KIOSK's callback URL.
type Callback struct {
	AccessKey string  `json:"accessKey,omitempty"`
	Type      string  `json:"type"`
	Code      Int     `json:"code"`
	Message   string  `json:"message"`
	Data      Payment `json:"data"`
}

// CallbackIn is the decoding side of Callback: the key's presence matters, data stays raw.
type CallbackIn struct {
	AccessKey *string         `json:"accessKey"`
	Type      string          `json:"type"`
	Code      *Int            `json:"code"`
	Message   json.RawMessage `json:"message"`
	Data      json.RawMessage `json:"data"`
}

// callbackTypes spells each (dialect, leg) as the callback's type field.
var callbackTypes = map[string]callbackType{
	"pay_new":    {DialectRelay, LegNew},
	"pay_cancel": {DialectRelay, LegCancel},
	"create":     {DialectDocTable, LegNew},
	"cancel":     {DialectDocTable, LegCancel},
	"openNew":    {DialectDocExample, LegNew},
	"openCancel": {DialectDocExample, LegCancel},
}

// callbackCodes spells each outcome as a code, per dialect. The document's examples
// differ from its table only in the denial code.
var callbackCodes = map[Dialect]map[Outcome]int{
	DialectRelay:      {OutcomeApproved: 0, OutcomeDenied: 4000, OutcomeContractError: 5000, OutcomeServerError: 6000, OutcomeTimeout: 7000},
	DialectDocTable:   {OutcomeApproved: 0, OutcomeDenied: 1001, OutcomeContractError: 1002, OutcomeServerError: 1003, OutcomeTimeout: 2000},
	DialectDocExample: {OutcomeApproved: 0, OutcomeDenied: 2001, OutcomeContractError: 1002, OutcomeServerError: 1003, OutcomeTimeout: 2000},
}
