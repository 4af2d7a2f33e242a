package smartro

import wire "github.com/poskit/poskit/internal/smartrowire"

// Error codes (Error.Code, CodeOf). Smartro publishes no list of ERRCODE values, so every
// code is OUR OWN. The agent codes are Modelled: the codes the fake agent answers with for
// the situations the guide describes, and what a real answer is mapped to when its text
// says so (see IsOccupied and friends). The client codes are produced by this package
// without (or instead of) an answer.
const (
	// Agent codes.
	CodeOccupied          = wire.CodeOccupied          // table occupied by the POS screen or a payment; retry shortly
	CodeBusinessDayClosed = wire.CodeBusinessDayClosed // the POS has not opened its business day
	CodeAgentOffline      = wire.CodeAgentOffline      // the Order Agent on the shop PC is not running
	CodeUnknownItem       = wire.CodeUnknownItem       // an item or add-on the POS does not know (also the catalog check)
	CodeOrderExpired      = wire.CodeOrderExpired      // not delivered within 60 s and dropped (also the tracker)
	CodeUnknownTable      = wire.CodeUnknownTable      // a table the POS does not know (also the catalog check)
	CodeInvalidRequest    = wire.CodeInvalidRequest    // malformed request: missing field, amounts that do not add up
	CodeAddNotAllowed     = wire.CodeAddNotAllowed     // additional order on a cancelled/returned/paid table order
	CodeUnknownOrder      = wire.CodeUnknownOrder      // ORG_ORDERNO not found
	CodeUnknownStore      = wire.CodeUnknownStore      // STORE_ID / SERVICE_ID not issued, or not a pair

	// Client codes.
	CodeInvalidInput  = wire.CodeInvalidInput  // input rejected before any request was sent
	CodeInactiveItem  = wire.CodeInactiveItem  // catalog check: item or its group is switched off
	CodeUnknownAddOn  = wire.CodeUnknownAddOn  // catalog check: add-on not offered with the item
	CodePriceMismatch = wire.CodePriceMismatch // catalog check: price differs from the catalog
	CodeTransport     = wire.CodeTransport     // no complete answer arrived: lost
	CodeBadAnswer     = wire.CodeBadAnswer     // an answer that is not a readable envelope: lost
	CodeResultFail    = wire.CodeResultFail    // RESULT not SUCCESS without an ERRCODE: lost
	CodeTrackerClosed = wire.CodeTrackerClosed // Tracker.Wait: the tracker closed first
	CodeCanceled      = wire.CodeCanceled      // the caller's context ended (errors.Is matches it)
)

// Order status codes seen in the live-order lookup (ORDER_STATUS).
const (
	StatusReceived  OrderStatus = wire.StatusReceived  // 접수: received
	StatusDone      OrderStatus = wire.StatusDone      // 완료: done
	StatusCancelled OrderStatus = wire.StatusCancelled // 취소: cancelled
	StatusReturned  OrderStatus = wire.StatusReturned  // 반품: returned
	StatusPaid      OrderStatus = wire.StatusPaid      // 결제: paid
)

// Limits of the live-order lookups (observed; which orders the store lookup keeps is
// Modelled as the newest).
const (
	// TableLookupLimit is how many orders TableOrders lists at most: the table's latest
	// 10, newest first. A lookup with this many entries is "full": an order missing from it
	// may simply have been pushed out by newer ones, so its absence proves nothing.
	TableLookupLimit = wire.TableLookupLimit
	// StoreLookupLimit is how many orders of each table StoreOrders lists at most.
	StoreLookupLimit = wire.StoreLookupLimit
)
