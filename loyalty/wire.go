package loyalty

// This file holds every wire name of the DMS Relay KIOSK payment API: URL paths,
// query and JSON field names, the response envelope, result codes as they travel,
// and the callback's JSON. Everything else in the package uses typed values.
// The Wire* types are exported so the fake relay (mock/loyaltymock) speaks the
// same format from the same definitions.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/poskit/poskit/internal/wirenum"
)

// RouteSet names one of the two known route tables.
type RouteSet int

// Route sets.
const (
	// RouteSetDocument is the source document's routes (/v1/payment/openNew,
	// create/confirm, …), the default.
	RouteSetDocument RouteSet = iota
	// RouteSetRelay is the running relay's routes (/v1/payment/new/open,
	// new/approval with an approval flag, …).
	RouteSetRelay
)

// String returns "document" or "relay".
func (s RouteSet) String() string {
	if s == RouteSetRelay {
		return "relay"
	}
	return "document"
}

// Routes is the table of URL paths a Client calls and a fake relay serves.
// Start from DocumentRoutes or RelayRoutes; a partner's renamed path changes
// one field.
type Routes struct {
	// Set selects the body dialect: the relay set sends `approval: true|false`
	// to a single approval path per leg; the document set posts to separate
	// confirm and deny paths without a flag.
	Set RouteSet

	UserBalance    string // GET  ?account=
	PaymentInfo    string // GET  ?account=&amount=&currency=
	OpenNew        string // POST accessKey, purchaseId, amount, currency, shopId, account
	CloseNew       string // POST accessKey, paymentId, confirm
	OpenCancel     string // POST accessKey, paymentId
	CloseCancel    string // POST accessKey, paymentId, confirm
	ShopInfo       string // GET  ?shopId=
	ShopWithdrawal string // GET  ?shopId=
	Item           string // GET  ?paymentId=
	ApproveNew     string // POST paymentId, signature[, approval=true]
	DenyNew        string // POST paymentId, signature[, approval=false]
	ApproveCancel  string // POST paymentId, signature[, approval=true]
	DenyCancel     string // POST paymentId, signature[, approval=false]
	ChainID        string // GET
	Nonce          string // GET, with the placeholder "{account}"
}

// Wire paths shared by both sets.
const (
	pathUserBalance    = "/v1/payment/user/balance"
	pathPaymentInfo    = "/v1/payment/info"
	pathShopInfo       = "/v1/payment/shop/info"
	pathShopWithdrawal = "/v1/payment/shop/withdrawal"
	pathItem           = "/v1/payment/item"
	pathChainID        = "/v1/chain/side/id"
	pathNonce          = "/v1/ledger/nonce/{account}"
	// NoncePlaceholder is the segment of Routes.Nonce replaced by the account.
	NoncePlaceholder = "{account}"
)

// DocumentRoutes returns the routes of the source document (the default).
// The document names no chain-id, nonce route; the relay's are used.
func DocumentRoutes() Routes {
	return Routes{
		Set:            RouteSetDocument,
		UserBalance:    pathUserBalance,
		PaymentInfo:    pathPaymentInfo,
		OpenNew:        "/v1/payment/openNew",
		CloseNew:       "/v1/payment/closeNew",
		OpenCancel:     "/v1/payment/openCancel",
		CloseCancel:    "/v1/payment/closeCancel",
		ShopInfo:       pathShopInfo,
		ShopWithdrawal: pathShopWithdrawal,
		Item:           pathItem,
		ApproveNew:     "/v1/payment/create/confirm",
		DenyNew:        "/v1/payment/create/deny",
		ApproveCancel:  "/v1/payment/cancel/confirm",
		DenyCancel:     "/v1/payment/cancel/deny",
		ChainID:        pathChainID,
		Nonce:          pathNonce,
	}
}

// RelayRoutes returns the routes of the running relay (dms-osx PaymentRouter).
// Approve and deny share one path per leg and differ in the `approval` flag.
// Modelled: the relay has no shop/withdrawal route; the document's path is kept.
func RelayRoutes() Routes {
	return Routes{
		Set:            RouteSetRelay,
		UserBalance:    pathUserBalance,
		PaymentInfo:    pathPaymentInfo,
		OpenNew:        "/v1/payment/new/open",
		CloseNew:       "/v1/payment/new/close",
		OpenCancel:     "/v1/payment/cancel/open",
		CloseCancel:    "/v1/payment/cancel/close",
		ShopInfo:       pathShopInfo,
		ShopWithdrawal: pathShopWithdrawal,
		Item:           pathItem,
		ApproveNew:     "/v1/payment/new/approval",
		DenyNew:        "/v1/payment/new/approval",
		ApproveCancel:  "/v1/payment/cancel/approval",
		DenyCancel:     "/v1/payment/cancel/approval",
		ChainID:        pathChainID,
		Nonce:          pathNonce,
	}
}

// ApprovalFlag reports whether approve/deny calls carry `approval: true|false`
// (the relay set) instead of using separate paths.
func (r Routes) ApprovalFlag() bool { return r.Set == RouteSetRelay }

// NoncePath returns the nonce path for an account.
func (r Routes) NoncePath(account string) string {
	return strings.Replace(r.Nonce, NoncePlaceholder, account, 1)
}

// Endpoint names one operation of the API.
type Endpoint string

// Endpoints, named after the Client methods that call them.
const (
	EndpointBalance              Endpoint = "Balance"
	EndpointPaymentInfo          Endpoint = "PaymentInfo"
	EndpointOpenNewPayment       Endpoint = "OpenNewPayment"
	EndpointCloseNewPayment      Endpoint = "CloseNewPayment"
	EndpointOpenCancelPayment    Endpoint = "OpenCancelPayment"
	EndpointCloseCancelPayment   Endpoint = "CloseCancelPayment"
	EndpointShopInfo             Endpoint = "ShopInfo"
	EndpointShopWithdrawal       Endpoint = "ShopWithdrawal"
	EndpointPayment              Endpoint = "Payment"
	EndpointApproveNewPayment    Endpoint = "ApproveNewPayment"
	EndpointDenyNewPayment       Endpoint = "DenyNewPayment"
	EndpointApproveCancelPayment Endpoint = "ApproveCancelPayment"
	EndpointDenyCancelPayment    Endpoint = "DenyCancelPayment"
	EndpointChainID              Endpoint = "ChainID"
	EndpointNonce                Endpoint = "Nonce"
)

// Route is one row of a route table.
type Route struct {
	Endpoint Endpoint
	Method   string // "GET" or "POST"
	Path     string // may contain NoncePlaceholder
}

// List returns every route of the table, one per endpoint, in a fixed order.
// In the relay set approve and deny of a leg share a path: a server registers
// each (Method, Path) once and tells them apart by the `approval` flag.
func (r Routes) List() []Route {
	return []Route{
		{EndpointBalance, "GET", r.UserBalance},
		{EndpointPaymentInfo, "GET", r.PaymentInfo},
		{EndpointOpenNewPayment, "POST", r.OpenNew},
		{EndpointCloseNewPayment, "POST", r.CloseNew},
		{EndpointOpenCancelPayment, "POST", r.OpenCancel},
		{EndpointCloseCancelPayment, "POST", r.CloseCancel},
		{EndpointShopInfo, "GET", r.ShopInfo},
		{EndpointShopWithdrawal, "GET", r.ShopWithdrawal},
		{EndpointPayment, "GET", r.Item},
		{EndpointApproveNewPayment, "POST", r.ApproveNew},
		{EndpointDenyNewPayment, "POST", r.DenyNew},
		{EndpointApproveCancelPayment, "POST", r.ApproveCancel},
		{EndpointDenyCancelPayment, "POST", r.DenyCancel},
		{EndpointChainID, "GET", r.ChainID},
		{EndpointNonce, "GET", r.Nonce},
	}
}

// Parameter names used in query strings and bodies; Error.Field of a
// CodeInvalidInput error is one of them.
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

// HeaderAuthorization carries the raw access key (no scheme) on KIOSK calls,
// and on the relay's callbacks.
const HeaderAuthorization = "Authorization"

// ---------------------------------------------------------------------------
// Flexible scalars

// WireNumber is a decimal integer as it travels: usually a JSON string
// ("1000000000000000000"), but a JSON number is accepted too (the document types
// settledPoint as int). It marshals as a string.
type WireNumber string

// UnmarshalJSON accepts a string, a number literal or null.
func (n *WireNumber) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*n = ""
		return nil
	}
	if in, ok := plainString(b); ok {
		*n = WireNumber(bytes.TrimSpace(in))
		return nil
	}
	if plainDigits(b) {
		*n = WireNumber(b)
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = WireNumber(strings.TrimSpace(s))
		return nil
	}
	var num json.Number
	if err := json.Unmarshal(b, &num); err != nil {
		return fmt.Errorf("loyalty: want a decimal string or number, got %.20q", b)
	}
	*n = WireNumber(num.String())
	return nil
}

// MarshalJSON writes the number as a JSON string.
func (n WireNumber) MarshalJSON() ([]byte, error) { return json.Marshal(string(n)) }

// amount parses the wire number as an Amount; "" is zero.
func (n WireNumber) amount() (Amount, error) {
	if n == "" {
		return Amount{}, nil
	}
	a, err := ParseAmount(string(n))
	if err != nil {
		return Amount{}, fmt.Errorf("invalid amount %.40q", string(n))
	}
	return a, nil
}

// WireAmount returns the wire form of an Amount.
func WireAmount(a Amount) WireNumber { return WireNumber(a.String()) }

// WireInt is a JSON integer that may also arrive as a numeric string; it
// marshals as a number. Statuses, codes, timestamps and the chain id use it.
type WireInt int64

// UnmarshalJSON accepts a number, a numeric string or null.
func (n *WireInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*n = 0
		return nil
	}
	digits := b
	if in, ok := plainString(b); ok {
		digits = bytes.TrimSpace(in)
	}
	if v, ok := wirenum.SmallInt(digits); ok {
		*n = WireInt(v)
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Accept integral floats such as 1.7e9 from loosely typed servers.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return fmt.Errorf("loyalty: want an integer, got %.20q", s)
		}
		v = int64(f)
	}
	*n = WireInt(v)
	return nil
}

// plainString returns the content of b when b is a JSON string of printable
// ASCII without escapes (its content is then its value), and whether it was.
func plainString(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	in := b[1 : len(b)-1]
	for _, c := range in {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return nil, false
		}
	}
	return in, true
}

// plainDigits reports whether b is a JSON number made of digits only.
func plainDigits(b []byte) bool {
	if len(b) == 0 || (b[0] == '0' && len(b) > 1) {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// WireBool is a boolean that may also arrive as the string "true"/"false"
// (the relay validates approval and confirm as strings). It marshals as a bool.
type WireBool bool

// UnmarshalJSON accepts true, false, "true", "false" (any case) or null.
func (v *WireBool) UnmarshalJSON(b []byte) error {
	s := strings.ToLower(strings.Trim(string(bytes.TrimSpace(b)), `"`))
	switch strings.TrimSpace(s) {
	case "true":
		*v = true
	case "false", "null":
		*v = false
	default:
		return fmt.Errorf("loyalty: want a boolean, got %.20q", b)
	}
	return nil
}

func wireTime(sec WireInt) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(sec), 0).UTC()
}

func unixWire(t time.Time) WireInt {
	if t.IsZero() {
		return 0
	}
	return WireInt(t.Unix())
}

// ---------------------------------------------------------------------------
// Envelope

// WireEnvelope is every answer's body: {"code":0,"data":{…}} on success,
// {"code":N,"error":{"message":"…","validation":[…]}} otherwise. The relay
// answers HTTP 200 for application errors too.
type WireEnvelope struct {
	Code  Code       `json:"code"`
	Data  any        `json:"data,omitempty"`
	Error *WireError `json:"error,omitempty"`
}

// WireError is the envelope's error object.
type WireError struct {
	Message    string           `json:"message"`
	Validation []WireValidation `json:"validation,omitempty"`
}

// WireValidation is one express-validator entry of error.validation.
type WireValidation struct {
	Type     string `json:"type,omitempty"`
	Msg      string `json:"msg"`
	Path     string `json:"path,omitempty"`
	Param    string `json:"param,omitempty"` // express-validator 6 spells path "param"
	Location string `json:"location,omitempty"`
}

// NewSuccessEnvelope returns {"code":0,"data":data}.
func NewSuccessEnvelope(data any) WireEnvelope { return WireEnvelope{Code: CodeOK, Data: data} }

// NewErrorEnvelope returns {"code":code,"error":{"message":…}}; an empty
// message becomes the code's description.
func NewErrorEnvelope(code Code, message string, validation ...WireValidation) WireEnvelope {
	if message == "" {
		message = code.String()
	}
	return WireEnvelope{Code: code, Error: &WireError{Message: message, Validation: validation}}
}

// wireEnvelopeIn is the decoding side: data stays raw until the caller's type
// is known, the code may be a string, validation entries are read leniently.
type wireEnvelopeIn struct {
	Code  *WireInt        `json:"code"`
	Data  json.RawMessage `json:"data"`
	Error *struct {
		Message    json.RawMessage `json:"message"`
		Validation json.RawMessage `json:"validation"`
	} `json:"error"`
}

const maxMessageLen = 256

// cleanMessage bounds a server-supplied text and strips control characters,
// so an error string stays one short line.
func cleanMessage(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > maxMessageLen {
		cut := maxMessageLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func rawText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func decodeValidation(raw json.RawMessage) []ValidationIssue {
	if len(raw) == 0 {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []ValidationIssue
	for _, it := range items {
		var v WireValidation
		if json.Unmarshal(it, &v) != nil {
			continue
		}
		f := v.Path
		if f == "" {
			f = v.Param
		}
		out = append(out, ValidationIssue{Field: cleanMessage(f), Location: cleanMessage(v.Location), Message: cleanMessage(v.Msg)})
		if len(out) == 16 {
			break
		}
	}
	return out
}

// DecodeEnvelope unwraps an answer of the relay into out (which may be nil).
// A non-zero code becomes an *Error with that code, the relay's message and
// validation list; a body that is not an envelope becomes an *Error with
// CodeDecode (or CodeHTTPStatus for a non-2xx status). op names the operation
// in the error; status is the HTTP status. It never panics. When it returns
// an error, out may have been partly written.
//
// A success answer is decoded in one pass, data straight into out; anything
// else (an error code, no or null data, a body that does not decode) is
// decoded again, data kept raw until the code is known.
func DecodeEnvelope(op string, status int, body []byte, out any) error {
	if decodeSuccess(status, body, out) {
		return nil
	}
	return decodeEnvelope(op, status, body, out)
}

// non2xx reports whether status is a known HTTP status outside 2xx; 0 (no
// status, as a test or a callback passes) counts as success.
func non2xx(status int) bool { return status != 0 && (status < 200 || status > 299) }

// wireSuccessIn is a success envelope as the one pass reads it: data goes
// straight into the caller's value.
type wireSuccessIn struct {
	Code *WireInt `json:"code"`
	Data any      `json:"data"`
}

// decodeSuccess decodes body in one pass when it is a success envelope whose
// data fills out, and reports whether it was. out must be a non-nil pointer
// to a zero value, so that "data absent" (out still zero) can be told apart;
// data that decodes to the zero value is left to the second pass too.
func decodeSuccess(status int, body []byte, out any) bool {
	if out == nil || non2xx(status) {
		return false
	}
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() || !v.Elem().IsZero() {
		return false
	}
	env := wireSuccessIn{Data: out}
	if json.Unmarshal(body, &env) != nil || env.Code == nil || *env.Code != 0 || env.Data == nil {
		return false // not an envelope, an error code, null data (Data reset to nil), bad shape
	}
	return !v.Elem().IsZero() // data was there and said something
}

// decodeEnvelope is DecodeEnvelope in two passes: the envelope with data raw,
// then data into out once the code is known to be 0.
func decodeEnvelope(op string, status int, body []byte, out any) error {
	fail := func(code Code, msg string, cause error) error {
		return &Error{Op: op, HTTPStatus: status, Code: code, Message: msg, Err: cause}
	}
	trimmed := bytes.TrimSpace(body)
	var env wireEnvelopeIn
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &env) != nil || env.Code == nil {
		if non2xx(status) {
			return fail(CodeHTTPStatus, "", nil)
		}
		switch {
		case len(trimmed) == 0:
			return fail(CodeDecode, "empty body", nil)
		case trimmed[0] != '{' || !json.Valid(trimmed):
			return fail(CodeDecode, "body is not a JSON object ("+strconv.Itoa(len(body))+" bytes)", nil)
		default:
			return fail(CodeDecode, "envelope without a code", nil)
		}
	}
	code := Code(*env.Code)
	if code != CodeOK {
		e := &Error{Op: op, HTTPStatus: status, Code: code}
		if env.Error != nil {
			e.Message = cleanMessage(rawText(env.Error.Message))
			e.Validation = decodeValidation(env.Error.Validation)
		}
		return e
	}
	if non2xx(status) {
		return fail(CodeHTTPStatus, "code 0 with a non-2xx status", nil)
	}
	if out == nil {
		return nil
	}
	if len(env.Data) == 0 || bytes.Equal(bytes.TrimSpace(env.Data), []byte("null")) {
		return fail(CodeDecode, "success without data", nil)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		msg := "data has an unexpected shape"
		if errors.As(err, &typ) && typ.Field != "" {
			msg = "data field " + typ.Field + " has an unexpected type"
		} else if errors.As(err, &syn) {
			msg = "data is not valid JSON"
		}
		return fail(CodeDecode, msg, nil)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Requests

// WireOpenNewRequest is the body of OpenNew.
type WireOpenNewRequest struct {
	AccessKey  string     `json:"accessKey,omitempty"`
	PurchaseID string     `json:"purchaseId"`
	Amount     WireNumber `json:"amount"`
	Currency   string     `json:"currency"`
	ShopID     string     `json:"shopId"`
	Account    string     `json:"account"`
}

// WireCloseRequest is the body of CloseNew and CloseCancel. The client always
// sends confirm (the relay requires it; a document-style server ignores it).
type WireCloseRequest struct {
	AccessKey string   `json:"accessKey,omitempty"`
	PaymentID string   `json:"paymentId"`
	Confirm   WireBool `json:"confirm"`
}

// WireOpenCancelRequest is the body of OpenCancel.
type WireOpenCancelRequest struct {
	AccessKey string `json:"accessKey,omitempty"`
	PaymentID string `json:"paymentId"`
}

// WireApprovalRequest is the body of the four mobile approve/deny calls.
// Approval is present only in the relay set.
type WireApprovalRequest struct {
	PaymentID string    `json:"paymentId"`
	Signature string    `json:"signature"`
	Approval  *WireBool `json:"approval,omitempty"`
}

// ---------------------------------------------------------------------------
// Responses

// WireBalance is the data of UserBalance.
type WireBalance struct {
	Account     string     `json:"account"`
	LoyaltyType WireInt    `json:"loyaltyType"`
	Balance     WireNumber `json:"balance"`
}

// WireEstimate holds the nine estimate amounts, shared by the info answer,
// every payment answer and the callback data.
type WireEstimate struct {
	PaidPoint  WireNumber `json:"paidPoint,omitempty"`
	PaidToken  WireNumber `json:"paidToken,omitempty"`
	PaidValue  WireNumber `json:"paidValue,omitempty"`
	FeePoint   WireNumber `json:"feePoint,omitempty"`
	FeeToken   WireNumber `json:"feeToken,omitempty"`
	FeeValue   WireNumber `json:"feeValue,omitempty"`
	TotalPoint WireNumber `json:"totalPoint,omitempty"`
	TotalToken WireNumber `json:"totalToken,omitempty"`
	TotalValue WireNumber `json:"totalValue,omitempty"`
}

// WirePaymentInfo is the data of PaymentInfo.
type WirePaymentInfo struct {
	Account      string     `json:"account"`
	LoyaltyType  WireInt    `json:"loyaltyType"`
	Amount       WireNumber `json:"amount"`
	Currency     string     `json:"currency"`
	Balance      WireNumber `json:"balance"`
	BalanceValue WireNumber `json:"balanceValue,omitempty"`
	WireEstimate
	FeeRate json.Number `json:"feeRate,omitempty"` // relay: fee as a fraction, e.g. 0.05
}

// WirePayment is a payment as every payment endpoint and the callback's data
// carry it. The document and the relay use different subsets; absent fields
// stay empty.
type WirePayment struct {
	PaymentID   string     `json:"paymentId"`
	PurchaseID  string     `json:"purchaseId"`
	Amount      WireNumber `json:"amount"`
	Currency    string     `json:"currency"`
	ShopID      string     `json:"shopId"`
	Account     string     `json:"account"`
	LoyaltyType WireInt    `json:"loyaltyType"`
	WireEstimate
	Balance              WireNumber `json:"balance,omitempty"` // callbacks only
	PaymentStatus        WireInt    `json:"paymentStatus,omitempty"`
	Status               WireInt    `json:"status,omitempty"` // fallback spelling of paymentStatus
	OpenNewTimestamp     WireInt    `json:"openNewTimestamp,omitempty"`
	CloseNewTimestamp    WireInt    `json:"closeNewTimestamp,omitempty"`
	OpenCancelTimestamp  WireInt    `json:"openCancelTimestamp,omitempty"`
	CloseCancelTimestamp WireInt    `json:"closeCancelTimestamp,omitempty"`
	CreateTimestamp      WireInt    `json:"createTimestamp,omitempty"` // document's item
	CancelTimestamp      WireInt    `json:"cancelTimestamp,omitempty"` // document's item
	TxHash               string     `json:"txHash,omitempty"`
}

// WireShopInfo is the data of ShopInfo: the document's fields and the relay's
// (providedAmount/usedAmount/refundedAmount, currency, status, delegator).
type WireShopInfo struct {
	ShopID          string     `json:"shopId"`
	Name            string     `json:"name"`
	Account         string     `json:"account"`
	ProvideWaitTime WireInt    `json:"provideWaitTime,omitempty"`
	ProvidePercent  WireInt    `json:"providePercent,omitempty"`
	ProvidedPoint   WireNumber `json:"providedPoint,omitempty"`
	UsedPoint       WireNumber `json:"usedPoint,omitempty"`
	SettledPoint    WireNumber `json:"settledPoint,omitempty"` // an int in the document
	WithdrawnPoint  WireNumber `json:"withdrawnPoint,omitempty"`
	Currency        string     `json:"currency,omitempty"`
	Status          WireInt    `json:"status,omitempty"`
	Delegator       string     `json:"delegator,omitempty"`
	ProvidedAmount  WireNumber `json:"providedAmount,omitempty"`
	UsedAmount      WireNumber `json:"usedAmount,omitempty"`
	RefundedAmount  WireNumber `json:"refundedAmount,omitempty"`
}

// WireShopWithdrawal is the data of ShopWithdrawal.
type WireShopWithdrawal struct {
	ShopID         string     `json:"shopId"`
	WithdrawAmount WireNumber `json:"withdrawAmount"`
	WithdrawStatus WireInt    `json:"withdrawStatus"`
}

// WireChainID is the data of ChainID.
type WireChainID struct {
	ChainID WireInt `json:"chainId"`
}

// WireNonce is the data of Nonce.
type WireNonce struct {
	Account string     `json:"account"`
	Nonce   WireNumber `json:"nonce"`
}

// ---------------------------------------------------------------------------
// Conversions between wire and typed values

// amountField is one typed amount and the wire number it is read from.
type amountField struct {
	dst *Amount
	src WireNumber
}

// readAmounts reads each field's wire number into its amount, in order, and
// stops at the first that is not an amount.
func readAmounts(fields ...amountField) error {
	for _, f := range fields {
		var err error
		if *f.dst, err = f.src.amount(); err != nil {
			return err
		}
	}
	return nil
}

func (w WireEstimate) amounts() (e Estimate, err error) {
	err = readAmounts(
		amountField{&e.PaidPoint, w.PaidPoint}, amountField{&e.PaidToken, w.PaidToken}, amountField{&e.PaidValue, w.PaidValue},
		amountField{&e.FeePoint, w.FeePoint}, amountField{&e.FeeToken, w.FeeToken}, amountField{&e.FeeValue, w.FeeValue},
		amountField{&e.TotalPoint, w.TotalPoint}, amountField{&e.TotalToken, w.TotalToken}, amountField{&e.TotalValue, w.TotalValue},
	)
	return e, err
}

func wireEstimateOf(e Estimate) WireEstimate {
	return WireEstimate{
		PaidPoint: WireAmount(e.PaidPoint), PaidToken: WireAmount(e.PaidToken), PaidValue: WireAmount(e.PaidValue),
		FeePoint: WireAmount(e.FeePoint), FeeToken: WireAmount(e.FeeToken), FeeValue: WireAmount(e.FeeValue),
		TotalPoint: WireAmount(e.TotalPoint), TotalToken: WireAmount(e.TotalToken), TotalValue: WireAmount(e.TotalValue),
	}
}

// Payment converts the wire payment to the typed one. createTimestamp and
// cancelTimestamp (document's item) fill OpenedAt and CancelOpenedAt when the
// relay's open timestamps are absent.
func (w *WirePayment) Payment() (*Payment, error) {
	p := &Payment{
		ID:          w.PaymentID,
		PurchaseID:  w.PurchaseID,
		Currency:    w.Currency,
		ShopID:      w.ShopID,
		Account:     w.Account,
		LoyaltyType: LoyaltyType(w.LoyaltyType),
		Status:      PaymentStatus(w.PaymentStatus),
		TxHash:      w.TxHash,
	}
	if p.Status == 0 {
		p.Status = PaymentStatus(w.Status)
	}
	if err := readAmounts(amountField{&p.Amount, w.Amount}, amountField{&p.Balance, w.Balance}); err != nil {
		return nil, err
	}
	var err error
	if p.Estimate, err = w.WireEstimate.amounts(); err != nil {
		return nil, err
	}
	p.OpenedAt = wireTime(w.OpenNewTimestamp)
	if p.OpenedAt.IsZero() {
		p.OpenedAt = wireTime(w.CreateTimestamp)
	}
	p.ClosedAt = wireTime(w.CloseNewTimestamp)
	p.CancelOpenedAt = wireTime(w.OpenCancelTimestamp)
	if p.CancelOpenedAt.IsZero() {
		p.CancelOpenedAt = wireTime(w.CancelTimestamp)
	}
	p.CancelClosedAt = wireTime(w.CloseCancelTimestamp)
	return p, nil
}

// NewWirePayment returns the wire form of a payment, with the relay's field
// spellings (paymentStatus, open/close timestamps).
func NewWirePayment(p *Payment) WirePayment {
	return WirePayment{
		PaymentID:            p.ID,
		PurchaseID:           p.PurchaseID,
		Amount:               WireAmount(p.Amount),
		Currency:             p.Currency,
		ShopID:               p.ShopID,
		Account:              p.Account,
		LoyaltyType:          WireInt(p.LoyaltyType),
		WireEstimate:         wireEstimateOf(p.Estimate),
		PaymentStatus:        WireInt(p.Status),
		OpenNewTimestamp:     unixWire(p.OpenedAt),
		CloseNewTimestamp:    unixWire(p.ClosedAt),
		OpenCancelTimestamp:  unixWire(p.CancelOpenedAt),
		CloseCancelTimestamp: unixWire(p.CancelClosedAt),
		TxHash:               p.TxHash,
	}
}

// ---------------------------------------------------------------------------
// Callback

// CallbackDialect is one of the three spellings of the callback.
type CallbackDialect int

// Callback dialects.
const (
	// CallbackDialectRelay: {accessKey, type "pay_new"|"pay_cancel",
	// code 0|4000|5000|6000|7000, message, data}, key also in Authorization.
	CallbackDialectRelay CallbackDialect = iota
	// CallbackDialectDocTable: the document's table, type "create"|"cancel",
	// code 0|1001|1002|1003|2000.
	CallbackDialectDocTable
	// CallbackDialectDocExample: the document's examples, type
	// "openNew"|"openCancel", denial code 2001.
	CallbackDialectDocExample
)

// String returns "relay", "doc-table" or "doc-example".
func (d CallbackDialect) String() string {
	switch d {
	case CallbackDialectDocTable:
		return "doc-table"
	case CallbackDialectDocExample:
		return "doc-example"
	}
	return "relay"
}

// WireCallback is the body the relay POSTs to the KIOSK's callback URL.
type WireCallback struct {
	AccessKey string      `json:"accessKey,omitempty"`
	Type      string      `json:"type"`
	Code      WireInt     `json:"code"`
	Message   string      `json:"message"`
	Data      WirePayment `json:"data"`
}

type callbackTypeInfo struct {
	dialect CallbackDialect
	leg     Leg
}

var callbackTypes = map[string]callbackTypeInfo{
	"pay_new":    {CallbackDialectRelay, LegNew},
	"pay_cancel": {CallbackDialectRelay, LegCancel},
	"create":     {CallbackDialectDocTable, LegNew},
	"cancel":     {CallbackDialectDocTable, LegCancel},
	"openNew":    {CallbackDialectDocExample, LegNew},
	"openCancel": {CallbackDialectDocExample, LegCancel},
}

// callbackCodes spells each outcome as a code, per dialect. The document's
// examples differ from its table only in the denial code.
var callbackCodes = map[CallbackDialect]map[Outcome]Code{
	CallbackDialectRelay:      {OutcomeApproved: 0, OutcomeDenied: 4000, OutcomeContractError: 5000, OutcomeServerError: 6000, OutcomeTimeout: 7000},
	CallbackDialectDocTable:   {OutcomeApproved: 0, OutcomeDenied: 1001, OutcomeContractError: 1002, OutcomeServerError: 1003, OutcomeTimeout: 2000},
	CallbackDialectDocExample: {OutcomeApproved: 0, OutcomeDenied: 2001, OutcomeContractError: 1002, OutcomeServerError: 1003, OutcomeTimeout: 2000},
}

// callbackOutcomes reads every dialect's code, derived from callbackCodes: a
// code the dialects share means the same outcome in each.
var callbackOutcomes = func() map[Code]Outcome {
	m := make(map[Code]Outcome)
	for _, codes := range callbackCodes {
		for o, c := range codes {
			if prev, dup := m[c]; dup && prev != o {
				panic("loyalty: callback code " + c.String() + " means two outcomes")
			}
			m[c] = o
		}
	}
	return m
}()

func lookupCallbackType(t string) (callbackTypeInfo, bool) {
	if info, ok := callbackTypes[t]; ok {
		return info, true
	}
	for k, info := range callbackTypes {
		if strings.EqualFold(k, strings.TrimSpace(t)) {
			return info, true
		}
	}
	return callbackTypeInfo{}, false
}

// NewWireCallback spells a callback in the given dialect: the type string for
// the leg and the code for the outcome (OutcomeFailed and OutcomePending have
// no callback and are refused).
func NewWireCallback(d CallbackDialect, leg Leg, o Outcome, message string, data WirePayment) (WireCallback, error) {
	var typ string
	for k, info := range callbackTypes {
		if info.dialect == d && info.leg == leg {
			typ = k
		}
	}
	if typ == "" {
		return WireCallback{}, fmt.Errorf("loyalty: no callback type for leg %v in dialect %v", leg, d)
	}
	code, ok := callbackCodes[d][o]
	if !ok {
		return WireCallback{}, fmt.Errorf("loyalty: outcome %v has no callback", o)
	}
	return WireCallback{Type: typ, Code: WireInt(code), Message: message, Data: data}, nil
}

// wireCallbackIn is the decoding side of WireCallback: the key's presence
// matters, data stays raw for CallbackEvent.Raw.
type wireCallbackIn struct {
	AccessKey *string         `json:"accessKey"`
	Type      string          `json:"type"`
	Code      *WireInt        `json:"code"`
	Message   json.RawMessage `json:"message"`
	Data      json.RawMessage `json:"data"`
}
