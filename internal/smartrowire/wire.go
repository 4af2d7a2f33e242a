// Package smartrowire is the Smartro Order Agent's wire format, shared by the client
// (smartro) and its fake (mock/smartromock): the endpoint table, every wire name (hosts,
// paths, JSON field names, flag letters, status and error codes), the wire structs, and
// the envelope's decoding and writing. Nothing here is part of poskit's public API.
//
// This file is the ONLY place that knows the Order Agent's wire names.
//
// Provenance: Smartro's guide (seeds/smartro-order-agent-guide.md) gives the flow and
// rules but no paths or field names. Everything below was OBSERVED in a public table-order
// app that talks to Smartro's partner order interface — a partner's client, not Smartro's
// published spec. When a partner obtains the real spec, this file is what changes.
//
// Observations that shaped the types:
//   - Every call is POST with a JSON body; every body carries STORE_ID and SERVICE_ID.
//   - Amounts and counts travel as JSON strings of decimal digits ("18000", "1"), though one
//     observed request sends plain numbers (0). Num writes strings and reads both.
//   - The order request's per-item memo is spelled ITEM_MEMO in our notes and ITEM_MENO in
//     one observed sample; we send ITEM_MEMO.
package smartrowire

import (
	"encoding/json"
	"net/http"

	"github.com/poskit/poskit/internal/endpoint"
)

// Hosts of the Order Agent's partner interface (observed).
const (
	HostTest = "https://tordif.smilebiz.co.kr"
	HostLive = "https://ordif.smilebiz.co.kr"
)

// Paths of every call (observed). All are POST with a JSON body.
const (
	PathTables      = "/partner/v1/table"              // table list
	PathMenuState   = "/partner/v1/menu/state"         // has the menu changed since…
	PathMenu        = "/partner/v1/menu/edit"          // full menu
	PathOrderNew    = "/partner/v1/table/order/new"    // new order
	PathOrderAdd    = "/partner/v1/table/order/add"    // additional order on an open table order
	PathTableOrders = "/partner/v1/table/order"        // live orders of one table (latest TableLookupLimit)
	PathStoreOrders = "/partner/v2/table/order"        // live orders of the whole store (StoreLookupLimit per table)
	PathOrderCancel = "/partner/v1/table/order/cancel" // return (refund) request
)

// Operation names: the smartro.Client method that calls each endpoint. Faults are injected
// by these names; errors name them as "smartro.<Op>".
const (
	OpTables          = "Tables"
	OpMenuChanged     = "MenuChanged"
	OpMenu            = "Menu"
	OpNewOrder        = "NewOrder"
	OpAdditionalOrder = "AdditionalOrder"
	OpTableOrders     = "TableOrders"
	OpStoreOrders     = "StoreOrders"
	OpReturnOrder     = "ReturnOrder"
)

// Endpoints is the Order Agent's endpoint table: the client builds its requests from it and
// the fake registers its handlers from it. Only lookups are safe to repeat.
var Endpoints = endpoint.Table{API: "smartro", Endpoints: []endpoint.Endpoint{
	{Op: OpTables, Method: http.MethodPost, Path: PathTables, Idempotent: true},
	{Op: OpMenuChanged, Method: http.MethodPost, Path: PathMenuState, Idempotent: true},
	{Op: OpMenu, Method: http.MethodPost, Path: PathMenu, Idempotent: true},
	{Op: OpNewOrder, Method: http.MethodPost, Path: PathOrderNew},
	{Op: OpAdditionalOrder, Method: http.MethodPost, Path: PathOrderAdd},
	{Op: OpTableOrders, Method: http.MethodPost, Path: PathTableOrders, Idempotent: true},
	{Op: OpStoreOrders, Method: http.MethodPost, Path: PathStoreOrders, Idempotent: true},
	{Op: OpReturnOrder, Method: http.MethodPost, Path: PathOrderCancel},
}}

// Endpoint returns the endpoint of operation op; it panics for an operation not in
// Endpoints (a programming error).
func Endpoint(op string) endpoint.Endpoint {
	e, ok := Endpoints.Lookup(op)
	if !ok {
		panic("smartrowire: no operation " + op)
	}
	return e
}

// Limits of the live-order lookups (observed in the partner's client; which orders the
// store lookup keeps is Modelled as the newest).
const (
	// TableLookupLimit is how many orders PathTableOrders lists at most: the table's latest
	// 10, newest first.
	TableLookupLimit = 10
	// StoreLookupLimit is how many orders of each table PathStoreOrders lists at most.
	StoreLookupLimit = 5
)

// Envelope RESULT values. Only "SUCCESS" was observed; the failure word is Modelled.
const (
	ResultSuccess = "SUCCESS"
	ResultFail    = "FAIL"
)

// Y/N flags as they appear on the wire.
const (
	FlagYes = "Y"
	FlagNo  = "N"
)

// DateTimeLayout is the layout of UPDATE_CHECK_DTIME / UPDATE_DTIME (yyyyMMddHHmmss);
// DateLayout and TimeLayout are those of ORDER_DATE and ORDER_TIME. All are Korea time.
const (
	DateTimeLayout = "20060102150405"
	DateLayout     = "20060102"
	TimeLayout     = "150405"
)

// MenuCheckAllTime is the UPDATE_CHECK_DTIME sent for a zero "since": a time before any
// menu, so the agent answers whether the menu was ever updated (DateTimeLayout).
const MenuCheckAllTime = "20000101000000"

// Order status codes seen in the live-order lookup (ORDER_STATUS).
const (
	StatusReceived  = "SMRO000068" // 접수: received
	StatusDone      = "SMRO000069" // 완료: done
	StatusCancelled = "SMRO000070" // 취소: cancelled
	StatusReturned  = "SMRO000071" // 반품: returned
	StatusPaid      = "SMRO000088" // 결제: paid
)

// Payment type words (PAY_TYPE).
const (
	PayCard    = "card"
	PayCash    = "cash"
	PayETicket = "eticket"
	PayMobile  = "mobile"
	PayEtc     = "etc"
)

// Card entry letters (CARD_PAY_TYPE): M magnetic stripe, I IC chip, R RF/contactless,
// X not used.
const (
	CardMS   = "M"
	CardIC   = "I"
	CardRF   = "R"
	CardNone = "X"
)

// Cash receipt letters (CASH_AUTH_TYPE): P personal (income deduction), C corporate
// (expense proof); empty when no receipt was issued.
const (
	CashPersonal  = "P"
	CashCorporate = "C"
)

// LumpSum is ISTM_TERM for a lump-sum (no installment) card payment.
const LumpSum = "00"

// Error codes. Smartro publishes no list of ERRCODE values, so every code below is
// OUR OWN. The "agent" rows are Modelled: they are the codes the fake agent
// (mock/smartromock) answers with for the situations the guide describes, and what
// a real answer is mapped to when its text says so (see smartro's errors.go). The
// "client" rows are produced by the smartro package without (or instead of) an answer.
// smartro re-exports them as its Code* constants.
//
//	code                 origin  meaning
//	PKT_OCCUPIED         agent   table occupied by the POS screen or a payment; retry shortly
//	PKT_BIZDAY_CLOSED    agent   the POS has not opened its business day
//	PKT_AGENT_OFFLINE    agent   the Order Agent on the shop PC is not running / unreachable
//	PKT_UNKNOWN_ITEM     agent   an ITEM_ID / ADDITIVE_ID the POS does not know (also client: catalog check)
//	PKT_ORDER_EXPIRED    agent   the order was not delivered within 60 s and was dropped (also client: tracker)
//	PKT_UNKNOWN_TABLE    agent   a FLR_CODE/TBL_CODE the POS does not know (also client: catalog check)
//	PKT_INVALID_REQUEST  agent   malformed request: missing field, amounts that do not add up
//	PKT_ADD_NOT_ALLOWED  agent   additional order on a table order that is cancelled/returned/paid
//	PKT_UNKNOWN_ORDER    agent   ORG_ORDERNO not found
//	PKT_UNKNOWN_STORE    agent   STORE_ID / SERVICE_ID not issued, or not a pair
//	PKT_SERVER_ERROR     agent   the fake's answer to an injected failure that names no code
//	PKT_INVALID_INPUT    client  input rejected before any request was sent
//	PKT_INACTIVE_ITEM    client  catalog check: item or its group is switched off (USE_FLAG N)
//	PKT_UNKNOWN_ADDON    client  catalog check: add-on not in the item's add-on groups
//	PKT_PRICE_MISMATCH   client  catalog check: price differs from the catalog
//	PKT_TRANSPORT        client  no complete answer arrived (the request may or may not have acted)
//	PKT_BAD_ANSWER       client  an answer that is not a readable envelope: not JSON, no RESULT or
//	                             ERRCODE key, no OBJ where the call returns data, an order answer
//	                             without ORDERNO, a success envelope with a failure HTTP status
//	PKT_TRACKER_CLOSED   client  Tracker.Wait: the tracker closed before the order reached a terminal state
//	PKT_RESULT_FAIL      client  an envelope whose RESULT is not SUCCESS but whose ERRCODE is empty:
//	                             a failure without a reason (treated as lost)
//	PKT_CANCELED         client  the caller's context ended (the error also matches the context's)
//
// The fake agent also answers PKT_INACTIVE_ITEM, PKT_UNKNOWN_ADDON and PKT_PRICE_MISMATCH
// when an order breaks its menu (Modelled).
const (
	CodeOccupied          = "PKT_OCCUPIED"
	CodeBusinessDayClosed = "PKT_BIZDAY_CLOSED"
	CodeAgentOffline      = "PKT_AGENT_OFFLINE"
	CodeUnknownItem       = "PKT_UNKNOWN_ITEM"
	CodeOrderExpired      = "PKT_ORDER_EXPIRED"
	CodeUnknownTable      = "PKT_UNKNOWN_TABLE"
	CodeInvalidRequest    = "PKT_INVALID_REQUEST"
	CodeAddNotAllowed     = "PKT_ADD_NOT_ALLOWED"
	CodeUnknownOrder      = "PKT_UNKNOWN_ORDER"
	CodeUnknownStore      = "PKT_UNKNOWN_STORE"
	CodeServerError       = "PKT_SERVER_ERROR"

	CodeInvalidInput  = "PKT_INVALID_INPUT"
	CodeInactiveItem  = "PKT_INACTIVE_ITEM"
	CodeUnknownAddOn  = "PKT_UNKNOWN_ADDON"
	CodePriceMismatch = "PKT_PRICE_MISMATCH"
	CodeTransport     = "PKT_TRANSPORT"
	CodeBadAnswer     = "PKT_BAD_ANSWER"
	CodeResultFail    = "PKT_RESULT_FAIL"
	CodeTrackerClosed = "PKT_TRACKER_CLOSED"
	CodeCanceled      = "PKT_CANCELED"
)

// Num is a whole number (won or a count) as the observed client sends it: a JSON string of
// decimal digits. It decodes from a string, a JSON number, "" or null (both 0). Its
// methods are in envelope.go.
type Num int64

// CardNo is CARD_NO: a card number (or the cash-receipt / voucher number the field also
// carries), sent as given but printed masked (MaskCard) by every fmt verb and slog.
type CardNo string

// Envelope is the wrapper of every answer: RESULT "SUCCESS" and an empty ERRCODE mean
// success; OBJ holds the call's payload. The client requires both RESULT and ERRCODE keys
// (ERRCODE is therefore never omitted), and OBJ on a success answer of a call that
// returns data.
type Envelope struct {
	Result  string          `json:"RESULT"`
	ErrCode string          `json:"ERRCODE"`
	Msg     string          `json:"MSG"`
	Msg2    string          `json:"MSG2"`
	Obj     json.RawMessage `json:"OBJ,omitempty"`
}

// Keys is the envelope read with RESULT and ERRCODE as pointers, so that a missing (or
// null) key is told from an empty value; OBJ is nil when missing or null.
type Keys struct {
	Result  *string         `json:"RESULT"`
	ErrCode *string         `json:"ERRCODE"`
	Msg     string          `json:"MSG"`
	Msg2    string          `json:"MSG2"`
	Obj     json.RawMessage `json:"OBJ"`
}

// Answer is the envelope read in one pass: the reader sets Obj to a pointer to a nil
// pointer of its out type before decoding, so encoding/json decodes OBJ into a new value
// only when OBJ is present and not null; Result and ErrCode start as MissingKey, which a
// missing or null key leaves in place. The fields are those of Keys so that both accept
// and reject the same envelopes.
type Answer struct {
	Result  string `json:"RESULT"`
	ErrCode string `json:"ERRCODE"`
	Msg     string `json:"MSG"`
	Msg2    string `json:"MSG2"`
	Obj     any    `json:"OBJ"`
}

// StoreRequest is the body of calls that need only the store's identity (PathTables,
// PathMenu, PathStoreOrders).
type StoreRequest struct {
	StoreID   string `json:"STORE_ID"`
	ServiceID string `json:"SERVICE_ID"`
}

// TablesAnswer is OBJ of PathTables.
type TablesAnswer struct {
	TableList []Table `json:"TABLE_LIST"`
}

// Table is one table of TABLE_LIST.
type Table struct {
	FloorCode string `json:"FLR_CODE"`
	FloorName string `json:"FLR_NAME"`
	TableCode string `json:"TBL_CODE"`
	TableName string `json:"TBL_NAME"`
}

// MenuStateRequest is the body of PathMenuState.
type MenuStateRequest struct {
	StoreID   string `json:"STORE_ID"`
	ServiceID string `json:"SERVICE_ID"`
	CheckTime string `json:"UPDATE_CHECK_DTIME"` // DateTimeLayout
}

// MenuStateAnswer is OBJ of PathMenuState.
type MenuStateAnswer struct {
	Updated    string `json:"UPDATE_YN"`    // FlagYes | FlagNo
	UpdateTime string `json:"UPDATE_DTIME"` // DateTimeLayout
}

// MenuAnswer is OBJ of PathMenu: an array whose first element holds the groups.
type MenuAnswer []Menu

// Menu is one element of the menu answer.
type Menu struct {
	Groups []ItemGroup `json:"ITEM_GROUP_LIST"`
}

// ItemGroup is a menu group.
type ItemGroup struct {
	Code    string `json:"ITEM_GROUP_CODE"`
	Name    string `json:"ITEM_GROUP_NAME"`
	UseFlag string `json:"ITEM_GROUP_USE_FLAG"`
	Items   []Item `json:"ITEM_LIST"`
}

// Item is a menu item with its add-on groups.
type Item struct {
	ID          string          `json:"ITEM_ID"`
	Name        string          `json:"ITEM_NAME"`
	Price       Num             `json:"ITEM_AMT"`
	UseFlag     string          `json:"ITEM_USE_FLAG"`
	AddOnGroups []AdditiveGroup `json:"ADDITIVE_GROUP_LIST"`
}

// AdditiveGroup is an add-on group of an item.
type AdditiveGroup struct {
	Code   string     `json:"ADDITIVE_GROUP_CODE"`
	Name   string     `json:"ADDITIVE_GROUP_NAME"`
	AddOns []Additive `json:"ADDITIVE_ITEM_LIST"`
}

// Additive is one add-on in the menu.
type Additive struct {
	ID        string `json:"ADDITIVE_ID"`
	Name      string `json:"ADDITIVE_NAME"`
	SalePrice Num    `json:"ADDITIVE_SALE_PRICE"`
}

// OrderRequest is the body of PathOrderNew and PathOrderAdd (the latter also carries
// ORG_ORDERNO, the open table order it adds to).
type OrderRequest struct {
	StoreID          string      `json:"STORE_ID"`
	ServiceID        string      `json:"SERVICE_ID"`
	MerchantOrderNo  string      `json:"MCHT_ORDERNO"`
	OrgOrderNo       string      `json:"ORG_ORDERNO,omitempty"`
	MemberTel        string      `json:"MEMB_TEL"`
	Memo             string      `json:"ORDER_MEMO"`
	OriginalAmount   Num         `json:"ORG_ORDER_PAY_AMT"`
	PayAmount        Num         `json:"ORDER_PAY_AMT"`
	Discount         Num         `json:"DISC_AMT"`
	Prepaid          string      `json:"PREPAY_FLAG"`
	OS               string      `json:"OS_GBN"`
	FloorCode        string      `json:"FLR_CODE"`
	TableCode        string      `json:"TBL_CODE"`
	PrintReceipt     string      `json:"REPT_PRT_FLAG"`
	PrintOrderTicket string      `json:"ORDER_PRT_FLAG"`
	Items            []OrderItem `json:"ITEM_LIST"`
	Pays             []Pay       `json:"ORD_PAY_LIST"`
}

// OrderItem is one line of ITEM_LIST. SALE_PRICE is the unit price including add-ons
// (observed comment: 상품금액+첨가물금액) and SALE_AMT = SALE_PRICE × ITEM_CNT.
type OrderItem struct {
	Seq            Num             `json:"ITEM_SEQ"`
	ID             string          `json:"ITEM_ID"`
	Name           string          `json:"ITEM_NAME"`
	SalePrice      Num             `json:"SALE_PRICE"`
	SaleAmount     Num             `json:"SALE_AMT"`
	Count          Num             `json:"ITEM_CNT"`
	SetMenu        string          `json:"ITEM_SET_GBN"`
	MerchantMenuNo string          `json:"MCHT_MENU_NO"`
	Memo           string          `json:"ITEM_MEMO"`
	AddOns         []OrderAdditive `json:"ADDITIVE_ITEM_LIST"`
}

// OrderAdditive is an add-on of an order line. RULE_ID is the add-on group code;
// ADDITIVE_PRICE is the unit price; ADDITIVE_CNT the count per one unit of the item.
type OrderAdditive struct {
	ID     string `json:"ADDITIVE_ID"`
	Name   string `json:"ADDITIVE_NAME"`
	RuleID string `json:"RULE_ID"`
	Price  Num    `json:"ADDITIVE_PRICE"`
	Count  Num    `json:"ADDITIVE_CNT"`
}

// Pay is one payment of ORD_PAY_LIST. CARD_NO is a CardNo so that printing a Pay (or any
// struct holding one) never shows more than the last four digits.
type Pay struct {
	PayType        string `json:"PAY_TYPE"`
	Cancelled      string `json:"CAN_FLAG"`
	TerminalID     string `json:"TML_NO"`
	Amount         Num    `json:"SALE_AMT"`
	VAT            Num    `json:"SALE_VAT_AMT"`
	ServiceCharge  Num    `json:"SVC_AMT"`
	Installment    string `json:"ISTM_TERM"`
	AuthNo         string `json:"AUTH_NO"`
	AuthDate       string `json:"AUTH_DATE"`
	AuthTime       string `json:"AUTH_TIME"`
	CardNo         CardNo `json:"CARD_NO"`
	CardMerchantNo string `json:"CARD_MCHTNO"`
	CardPayType    string `json:"CARD_PAY_TYPE"`
	CashAuthType   string `json:"CASH_AUTH_TYPE"`
}

// OrderAnswer is OBJ of PathOrderNew and PathOrderAdd (step 1: the server accepted).
// A success answer must carry ORDERNO (Missing).
type OrderAnswer struct {
	OrderNo         string `json:"ORDERNO"`
	OrgOrderNo      string `json:"ORG_ORDERNO"`
	MerchantOrderNo string `json:"MCHT_ORDERNO"`
	POSOrderNo      string `json:"POS_ORDERNO"`
}

// Missing names the required field a success order answer lacks: ORDERNO ("" when set).
func (a *OrderAnswer) Missing() string {
	if a.OrderNo == "" {
		return "ORDERNO"
	}
	return ""
}

// TableOrdersRequest is the body of PathTableOrders.
type TableOrdersRequest struct {
	StoreID   string `json:"STORE_ID"`
	ServiceID string `json:"SERVICE_ID"`
	FloorCode string `json:"FLR_CODE"`
	TableCode string `json:"TBL_CODE"`
}

// OrderList is OBJ of PathTableOrders and PathStoreOrders.
type OrderList struct {
	Orders []LiveOrder `json:"ORDER_LIST"`
}

// LiveOrder is one order of ORDER_LIST. SUCCESS_FLAG is Modelled: "Y" delivered to the
// POS (접수성공), "N" delivery failed, "" not (yet) delivered.
type LiveOrder struct {
	OrderNo         string      `json:"ORDERNO"`
	OrgOrderNo      string      `json:"ORG_ORDERNO"`
	MerchantOrderNo string      `json:"MCHT_ORDERNO"`
	OrderDate       string      `json:"ORDER_DATE"` // DateLayout
	OrderTime       string      `json:"ORDER_TIME"` // TimeLayout
	Status          string      `json:"ORDER_STATUS"`
	StatusName      string      `json:"ORDER_STATUS_NAME"`
	SuccessFlag     string      `json:"SUCCESS_FLAG"`
	POSOrderNo      string      `json:"POS_ORDERNO"`
	OriginalAmount  Num         `json:"ORG_ORDER_PAY_AMT"`
	PayAmount       Num         `json:"ORDER_PAY_AMT"`
	Discount        Num         `json:"DISC_AMT"`
	Prepaid         string      `json:"PREPAY_FLAG"`
	FloorCode       string      `json:"FLR_CODE"`
	TableCode       string      `json:"TBL_CODE"`
	Items           []OrderItem `json:"ITEM_LIST"`
	Pays            []Pay       `json:"ORD_PAY_LIST"`
}

// CancelRequest is the body of PathOrderCancel (return request).
type CancelRequest struct {
	StoreID    string `json:"STORE_ID"`
	ServiceID  string `json:"SERVICE_ID"`
	OrgOrderNo string `json:"ORG_ORDERNO"`
	Pays       []Pay  `json:"ORD_PAY_LIST"`
}
