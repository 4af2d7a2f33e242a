// Package dodopointwire holds every wire name of the Dodopoint POS assist API as poskit
// models it: paths, JSON field names, answer codes, the wire structs, the endpoint table
// and the writers the fake assist program answers with. The HTTP transport of package
// dodopoint and the fake (mock/dodopointmock) both import it; dodopoint re-exports nothing
// of it.
//
// Modelled: the Dodopoint POS assist API ("dpa.dll") publishes no function names, fields,
// codes or transport. Everything here is our model of it — JSON over HTTP to the assist
// program on loopback. A partner's real spec changes this package only.
//
//	POST /claim   {"payment_id","total","paid_at","items":[{"name","unit_price","quantity"}]}
//	POST /cancel  {"payment_id"}
//	answer        {"code":"OK"|"DUPLICATE"|"NOT_CLAIMED"|"INVALID_SALE"|"BUSY","message":"…"}
package dodopointwire

import (
	"encoding/json"
	"net/http"

	"github.com/poskit/poskit/internal/endpoint"
)

// Paths of the two operations.
const (
	PathClaim  = "/claim"  // Modelled: claim (적립)
	PathCancel = "/cancel" // Modelled: cancel (적립 취소)
)

// Operation names: the dodopoint.Transport method names, also the fault names of the fake.
const (
	OpClaim  = "Claim"
	OpCancel = "Cancel"
)

// Table is the API's endpoint table, read by the HTTP transport and the fake assist
// program.
//
// Both operations are safe to repeat at the program (it de-duplicates by payment id), yet
// Idempotent is false on purpose: the one retry loop is the outbox's (durable, ordered,
// pausing on its clock with the shared policy). The engine sends each request once, so a
// failed attempt reaches the outbox at once and retries never nest.
var Table = endpoint.Table{API: "dodopoint", Endpoints: []endpoint.Endpoint{
	{Op: OpClaim, Method: http.MethodPost, Path: PathClaim, Idempotent: false},
	{Op: OpCancel, Method: http.MethodPost, Path: PathCancel, Idempotent: false},
}}

// Answer codes as they appear on the wire. Modelled.
const (
	CodeOK          = "OK"           // applied now
	CodeDuplicate   = "DUPLICATE"    // already applied for this payment id: no second effect
	CodeNotClaimed  = "NOT_CLAIMED"  // cancel of a payment id the program never claimed
	CodeInvalidSale = "INVALID_SALE" // sales data (or payment id) refused
	CodeBusy        = "BUSY"         // not applied; try again later
	CodeNoSuchCall  = "NO_SUCH_CALL" // the fake's answer to a path it does not serve
)

// HTTP statuses the fake answers each code with. Modelled; the client reads the code, not
// the status.
const (
	StatusOK          = http.StatusOK
	StatusNotClaimed  = http.StatusConflict
	StatusInvalidSale = http.StatusBadRequest
	StatusBusy        = http.StatusServiceUnavailable
)

// MaxAnswerBytes bounds an answer body the client reads.
const MaxAnswerBytes = 64 << 10

// TimeLayout is the layout of Claim.PaidAt: RFC 3339 with an offset and fractions.
const TimeLayout = "2006-01-02T15:04:05.999999999Z07:00"

// Item is one line item on the wire. Modelled.
type Item struct {
	Name      string `json:"name"`
	UnitPrice int64  `json:"unit_price"`
	Quantity  int64  `json:"quantity"`
}

// Claim is the body of POST /claim. Modelled.
type Claim struct {
	PaymentID string `json:"payment_id"`
	Total     int64  `json:"total"`
	PaidAt    string `json:"paid_at"` // TimeLayout
	Items     []Item `json:"items,omitempty"`
}

// Cancel is the body of POST /cancel. Modelled.
type Cancel struct {
	PaymentID string `json:"payment_id"`
}

// Answer is the body of every answer. Code is a pointer so that a missing code is told
// apart from an empty one. Modelled.
type Answer struct {
	Code    *string `json:"code"`
	Message string  `json:"message,omitempty"`
}

// WriteAnswer writes an answer with the given HTTP status, code and message (the fake's
// writer).
func WriteAnswer(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Answer{Code: &code, Message: message})
}

// StatusOf returns the HTTP status the fake answers code with.
func StatusOf(code string) int {
	switch code {
	case CodeOK, CodeDuplicate:
		return StatusOK
	case CodeNotClaimed:
		return StatusNotClaimed
	case CodeInvalidSale:
		return StatusInvalidSale
	case CodeBusy:
		return StatusBusy
	case CodeNoSuchCall:
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}
