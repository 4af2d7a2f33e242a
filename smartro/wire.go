package smartro

// This file is the ONLY place that knows the Order Agent's wire format: URL paths, JSON
// field names, flag letters, status codes and the error codes the fake agent answers with.
//
// Provenance: Smartro's guide (seeds/smartro-order-agent-guide.md) gives the flow and
// rules but no paths or field names. Everything below was OBSERVED in a public table-order
// app that talks to Smartro's partner order interface — a partner's client, not Smartro's
// published spec. When a partner obtains the real spec, this file is what changes.
//
// Observations that shaped the types:
//   - Every call is POST with a JSON body; every body carries STORE_ID and SERVICE_ID.
//   - Amounts and counts travel as JSON strings of decimal digits ("18000", "1"), though one
//     observed request sends plain numbers (0). WireNum writes strings and reads both.
//   - The order request's per-item memo is spelled ITEM_MEMO in our notes and ITEM_MENO in
//     one observed sample; we send ITEM_MEMO.

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/poskit/poskit/internal/wirenum"
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

// Limits of the live-order lookups (observed in the partner's client; which orders the
// store lookup keeps is Modelled as the newest).
const (
	// TableLookupLimit is how many orders PathTableOrders lists at most: the table's latest
	// 10, newest first. A lookup with this many entries is "full": an order missing from it
	// may simply have been pushed out by newer ones, so its absence proves nothing.
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

// MenuCheckAllTime is the UPDATE_CHECK_DTIME MenuChanged sends for a zero "since": a time
// before any menu, so the agent answers whether the menu was ever updated (DateTimeLayout).
const MenuCheckAllTime = "20000101000000"

// Order status codes seen in the live-order lookup (ORDER_STATUS).
const (
	StatusReceived  OrderStatus = "SMRO000068" // 접수: received
	StatusDone      OrderStatus = "SMRO000069" // 완료: done
	StatusCancelled OrderStatus = "SMRO000070" // 취소: cancelled
	StatusReturned  OrderStatus = "SMRO000071" // 반품: returned
	StatusPaid      OrderStatus = "SMRO000088" // 결제: paid
)

// Payment type words (PAY_TYPE).
const (
	wirePayCard    = "card"
	wirePayCash    = "cash"
	wirePayETicket = "eticket"
	wirePayMobile  = "mobile"
	wirePayEtc     = "etc"
)

// Card entry letters (CARD_PAY_TYPE): M magnetic stripe, I IC chip, R RF/contactless,
// X not used.
const (
	wireCardMS   = "M"
	wireCardIC   = "I"
	wireCardRF   = "R"
	wireCardNone = "X"
)

// Cash receipt letters (CASH_AUTH_TYPE): P personal (income deduction), C corporate
// (expense proof); empty when no receipt was issued.
const (
	wireCashPersonal  = "P"
	wireCashCorporate = "C"
)

// WireLumpSum is ISTM_TERM for a lump-sum (no installment) card payment.
const WireLumpSum = "00"

// Error codes. Smartro publishes no list of ERRCODE values, so every code below is
// OUR OWN. The "agent" rows are Modelled: they are the codes the fake agent
// (mock/smartromock) answers with for the situations the guide describes, and what
// a real answer is mapped to when its text says so (see classify in errors.go). The
// "client" rows are produced by this package without (or instead of) an answer.
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
//	                             a failure without a reason (treated as lost: IsLost)
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

	CodeInvalidInput  = "PKT_INVALID_INPUT"
	CodeInactiveItem  = "PKT_INACTIVE_ITEM"
	CodeUnknownAddOn  = "PKT_UNKNOWN_ADDON"
	CodePriceMismatch = "PKT_PRICE_MISMATCH"
	CodeTransport     = "PKT_TRANSPORT"
	CodeBadAnswer     = "PKT_BAD_ANSWER"
	CodeResultFail    = "PKT_RESULT_FAIL"
	CodeTrackerClosed = "PKT_TRACKER_CLOSED"
)

// WireNum is a whole number (won or a count) as the observed client sends it: a JSON
// string of decimal digits. It decodes from a string, a JSON number, "" or null (both 0).
type WireNum int64

// MarshalJSON writes the number as a quoted decimal string.
func (n WireNum) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a quoted or bare decimal integer; "" and null read as 0.
func (n *WireNum) UnmarshalJSON(b []byte) error {
	if v, ok := quickWireNum(b); ok {
		*n = v
		return nil
	}
	return n.unmarshalSlow(b)
}

// quickWireNum reads the usual shapes — up to 18 ASCII digits with an optional '-', bare
// or in plain quotes — without allocating; ok is false for anything else, which
// unmarshalSlow reads (to the same value when both can).
func quickWireNum(b []byte) (WireNum, bool) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	v, ok := wirenum.SmallInt(b)
	return WireNum(v), ok
}

func (n *WireNum) unmarshalSlow(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*n = 0
		return nil
	}
	if b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return errWireNum
		}
		b = bytes.TrimSpace([]byte(s))
		if len(b) == 0 {
			*n = 0
			return nil
		}
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		// Some clients send 1000.0; accept a float with no fraction.
		f, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil || f != float64(int64(f)) || f > 9e18 || f < -9e18 {
			return errWireNum
		}
		v = int64(f)
	}
	*n = WireNum(v)
	return nil
}

var errWireNum = errors.New("smartro: not a whole number")

// WireEnvelope is the wrapper of every answer: RESULT "SUCCESS" and an empty ERRCODE mean
// success; OBJ holds the call's payload. The client requires both RESULT and ERRCODE keys
// (ERRCODE is therefore never omitted), and OBJ on a success answer of a call that
// returns data.
type WireEnvelope struct {
	Result  string          `json:"RESULT"`
	ErrCode string          `json:"ERRCODE"`
	Msg     string          `json:"MSG"`
	Msg2    string          `json:"MSG2"`
	Obj     json.RawMessage `json:"OBJ,omitempty"`
}

// OK reports whether the envelope says success: RESULT SUCCESS and an empty ERRCODE. (The
// client also requires both keys to be present, which a decoded WireEnvelope cannot tell.)
func (e *WireEnvelope) OK() bool { return e.Result == ResultSuccess && e.ErrCode == "" }

// DecodeEnvelope parses an answer body into its envelope. It fails on anything that is not
// a JSON object.
func DecodeEnvelope(body []byte) (*WireEnvelope, error) {
	env, err := decodeEnvelope(body)
	if err != nil {
		return nil, err
	}
	return &WireEnvelope{Result: deref(env.Result), ErrCode: deref(env.ErrCode), Msg: env.Msg, Msg2: env.Msg2, Obj: env.Obj}, nil
}

// envelopeKeys is the envelope read with RESULT and ERRCODE as pointers, so that a
// missing (or null) key is told from an empty value; OBJ is nil when missing or null.
type envelopeKeys struct {
	Result  *string         `json:"RESULT"`
	ErrCode *string         `json:"ERRCODE"`
	Msg     string          `json:"MSG"`
	Msg2    string          `json:"MSG2"`
	Obj     json.RawMessage `json:"OBJ"`
}

func decodeEnvelope(body []byte) (*envelopeKeys, error) {
	var env envelopeKeys
	d := bytes.TrimSpace(body)
	if len(d) == 0 || d[0] != '{' {
		return nil, errors.New("smartro: answer is not a JSON object")
	}
	if err := json.Unmarshal(d, &env); err != nil {
		return nil, err
	}
	if string(env.Obj) == "null" {
		env.Obj = nil
	}
	return &env, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// wireAnswer is the envelope read in one pass: Obj is set to a pointer to a nil pointer of
// the caller's out type before decoding, so encoding/json decodes OBJ into a new value
// only when OBJ is present and not null; Result and ErrCode start as missingKey, which a
// missing or null key leaves in place. The fields are those of envelopeKeys so that both
// accept and reject the same envelopes.
type wireAnswer struct {
	Result  string `json:"RESULT"`
	ErrCode string `json:"ERRCODE"`
	Msg     string `json:"MSG"`
	Msg2    string `json:"MSG2"`
	Obj     any    `json:"OBJ"`
}

// WriteEnvelope writes a success envelope carrying obj (which may be nil) with HTTP 200.
// It is for fakes (mock/smartromock) so that they speak exactly this wire format.
func WriteEnvelope(w http.ResponseWriter, obj any) error {
	raw, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return writeEnv(w, http.StatusOK, WireEnvelope{Result: ResultSuccess, Obj: raw})
}

// WriteErrorEnvelope writes a failure envelope with the given HTTP status, ERRCODE, MSG and
// MSG2. Modelled: the agent is assumed to answer refusals with HTTP 200 and a non-empty
// ERRCODE; a fake may pass another status to exercise the client.
func WriteErrorEnvelope(w http.ResponseWriter, status int, code, msg, msg2 string) error {
	return writeEnv(w, status, WireEnvelope{Result: ResultFail, ErrCode: code, Msg: msg, Msg2: msg2})
}

func writeEnv(w http.ResponseWriter, status int, env WireEnvelope) error {
	b, err := json.Marshal(env)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// WireStoreRequest is the body of calls that need only the store's identity
// (PathTables, PathMenu, PathStoreOrders).
type WireStoreRequest struct {
	StoreID   string `json:"STORE_ID"`
	ServiceID string `json:"SERVICE_ID"`
}

// WireTablesAnswer is OBJ of PathTables.
type WireTablesAnswer struct {
	TableList []WireTable `json:"TABLE_LIST"`
}

// WireTable is one table of TABLE_LIST.
type WireTable struct {
	FloorCode string `json:"FLR_CODE"`
	FloorName string `json:"FLR_NAME"`
	TableCode string `json:"TBL_CODE"`
	TableName string `json:"TBL_NAME"`
}

// WireMenuStateRequest is the body of PathMenuState.
type WireMenuStateRequest struct {
	StoreID   string `json:"STORE_ID"`
	ServiceID string `json:"SERVICE_ID"`
	CheckTime string `json:"UPDATE_CHECK_DTIME"` // DateTimeLayout
}

// WireMenuStateAnswer is OBJ of PathMenuState.
type WireMenuStateAnswer struct {
	Updated    string `json:"UPDATE_YN"`    // FlagYes | FlagNo
	UpdateTime string `json:"UPDATE_DTIME"` // DateTimeLayout
}

// WireMenuAnswer is OBJ of PathMenu: an array whose first element holds the groups.
type WireMenuAnswer []WireMenu

// WireMenu is one element of the menu answer.
type WireMenu struct {
	Groups []WireItemGroup `json:"ITEM_GROUP_LIST"`
}

// WireItemGroup is a menu group.
type WireItemGroup struct {
	Code    string     `json:"ITEM_GROUP_CODE"`
	Name    string     `json:"ITEM_GROUP_NAME"`
	UseFlag string     `json:"ITEM_GROUP_USE_FLAG"`
	Items   []WireItem `json:"ITEM_LIST"`
}

// WireItem is a menu item with its add-on groups.
type WireItem struct {
	ID          string              `json:"ITEM_ID"`
	Name        string              `json:"ITEM_NAME"`
	Price       WireNum             `json:"ITEM_AMT"`
	UseFlag     string              `json:"ITEM_USE_FLAG"`
	AddOnGroups []WireAdditiveGroup `json:"ADDITIVE_GROUP_LIST"`
}

// WireAdditiveGroup is an add-on group of an item.
type WireAdditiveGroup struct {
	Code   string         `json:"ADDITIVE_GROUP_CODE"`
	Name   string         `json:"ADDITIVE_GROUP_NAME"`
	AddOns []WireAdditive `json:"ADDITIVE_ITEM_LIST"`
}

// WireAdditive is one add-on in the menu.
type WireAdditive struct {
	ID        string  `json:"ADDITIVE_ID"`
	Name      string  `json:"ADDITIVE_NAME"`
	SalePrice WireNum `json:"ADDITIVE_SALE_PRICE"`
}

// WireOrderRequest is the body of PathOrderNew and PathOrderAdd (the latter also carries
// ORG_ORDERNO, the open table order it adds to).
type WireOrderRequest struct {
	StoreID          string          `json:"STORE_ID"`
	ServiceID        string          `json:"SERVICE_ID"`
	MerchantOrderNo  string          `json:"MCHT_ORDERNO"`
	OrgOrderNo       string          `json:"ORG_ORDERNO,omitempty"`
	MemberTel        string          `json:"MEMB_TEL"`
	Memo             string          `json:"ORDER_MEMO"`
	OriginalAmount   WireNum         `json:"ORG_ORDER_PAY_AMT"`
	PayAmount        WireNum         `json:"ORDER_PAY_AMT"`
	Discount         WireNum         `json:"DISC_AMT"`
	Prepaid          string          `json:"PREPAY_FLAG"`
	OS               string          `json:"OS_GBN"`
	FloorCode        string          `json:"FLR_CODE"`
	TableCode        string          `json:"TBL_CODE"`
	PrintReceipt     string          `json:"REPT_PRT_FLAG"`
	PrintOrderTicket string          `json:"ORDER_PRT_FLAG"`
	Items            []WireOrderItem `json:"ITEM_LIST"`
	Pays             []WirePay       `json:"ORD_PAY_LIST"`
}

// WireOrderItem is one line of ITEM_LIST. SALE_PRICE is the unit price including add-ons
// (observed comment: 상품금액+첨가물금액) and SALE_AMT = SALE_PRICE × ITEM_CNT.
type WireOrderItem struct {
	Seq            WireNum             `json:"ITEM_SEQ"`
	ID             string              `json:"ITEM_ID"`
	Name           string              `json:"ITEM_NAME"`
	SalePrice      WireNum             `json:"SALE_PRICE"`
	SaleAmount     WireNum             `json:"SALE_AMT"`
	Count          WireNum             `json:"ITEM_CNT"`
	SetMenu        string              `json:"ITEM_SET_GBN"`
	MerchantMenuNo string              `json:"MCHT_MENU_NO"`
	Memo           string              `json:"ITEM_MEMO"`
	AddOns         []WireOrderAdditive `json:"ADDITIVE_ITEM_LIST"`
}

// WireOrderAdditive is an add-on of an order line. RULE_ID is the add-on group code;
// ADDITIVE_PRICE is the unit price; ADDITIVE_CNT the count per one unit of the item.
type WireOrderAdditive struct {
	ID     string  `json:"ADDITIVE_ID"`
	Name   string  `json:"ADDITIVE_NAME"`
	RuleID string  `json:"RULE_ID"`
	Price  WireNum `json:"ADDITIVE_PRICE"`
	Count  WireNum `json:"ADDITIVE_CNT"`
}

// WirePay is one payment of ORD_PAY_LIST. CARD_NO is a CardNumber so that printing a
// WirePay (or any struct holding one) never shows more than the last four digits.
type WirePay struct {
	PayType        string     `json:"PAY_TYPE"`
	Cancelled      string     `json:"CAN_FLAG"`
	TerminalID     string     `json:"TML_NO"`
	Amount         WireNum    `json:"SALE_AMT"`
	VAT            WireNum    `json:"SALE_VAT_AMT"`
	ServiceCharge  WireNum    `json:"SVC_AMT"`
	Installment    string     `json:"ISTM_TERM"`
	AuthNo         string     `json:"AUTH_NO"`
	AuthDate       string     `json:"AUTH_DATE"`
	AuthTime       string     `json:"AUTH_TIME"`
	CardNo         CardNumber `json:"CARD_NO"`
	CardMerchantNo string     `json:"CARD_MCHTNO"`
	CardPayType    string     `json:"CARD_PAY_TYPE"`
	CashAuthType   string     `json:"CASH_AUTH_TYPE"`
}

// WireOrderAnswer is OBJ of PathOrderNew and PathOrderAdd (step 1: the server accepted).
// A success answer must carry ORDERNO (else the client answers CodeBadAnswer).
type WireOrderAnswer struct {
	OrderNo         string `json:"ORDERNO"`
	OrgOrderNo      string `json:"ORG_ORDERNO"`
	MerchantOrderNo string `json:"MCHT_ORDERNO"`
	POSOrderNo      string `json:"POS_ORDERNO"`
}

// missing names the required field a success order answer lacks: ORDERNO.
func (a *WireOrderAnswer) missing() string {
	if a.OrderNo == "" {
		return "ORDERNO"
	}
	return ""
}

// WireTableOrdersRequest is the body of PathTableOrders.
type WireTableOrdersRequest struct {
	StoreID   string `json:"STORE_ID"`
	ServiceID string `json:"SERVICE_ID"`
	FloorCode string `json:"FLR_CODE"`
	TableCode string `json:"TBL_CODE"`
}

// WireOrderList is OBJ of PathTableOrders and PathStoreOrders.
type WireOrderList struct {
	Orders []WireLiveOrder `json:"ORDER_LIST"`
}

// WireLiveOrder is one order of ORDER_LIST. SUCCESS_FLAG is Modelled: "Y" delivered to the
// POS (접수성공), "N" delivery failed, "" not (yet) delivered.
type WireLiveOrder struct {
	OrderNo         string          `json:"ORDERNO"`
	OrgOrderNo      string          `json:"ORG_ORDERNO"`
	MerchantOrderNo string          `json:"MCHT_ORDERNO"`
	OrderDate       string          `json:"ORDER_DATE"` // DateLayout
	OrderTime       string          `json:"ORDER_TIME"` // TimeLayout
	Status          string          `json:"ORDER_STATUS"`
	StatusName      string          `json:"ORDER_STATUS_NAME"`
	SuccessFlag     string          `json:"SUCCESS_FLAG"`
	POSOrderNo      string          `json:"POS_ORDERNO"`
	OriginalAmount  WireNum         `json:"ORG_ORDER_PAY_AMT"`
	PayAmount       WireNum         `json:"ORDER_PAY_AMT"`
	Discount        WireNum         `json:"DISC_AMT"`
	Prepaid         string          `json:"PREPAY_FLAG"`
	FloorCode       string          `json:"FLR_CODE"`
	TableCode       string          `json:"TBL_CODE"`
	Items           []WireOrderItem `json:"ITEM_LIST"`
	Pays            []WirePay       `json:"ORD_PAY_LIST"`
}

// WireCancelRequest is the body of PathOrderCancel (return request).
type WireCancelRequest struct {
	StoreID    string    `json:"STORE_ID"`
	ServiceID  string    `json:"SERVICE_ID"`
	OrgOrderNo string    `json:"ORG_ORDERNO"`
	Pays       []WirePay `json:"ORD_PAY_LIST"`
}
