package loyalty

import (
	"slices"
	"strconv"
)

// PaymentStatus is the processing state of a payment, as the relay reports it in
// the paymentStatus field. Two numberings exist and both are modelled: the
// document's (1–9) and the running relay's (11–19 for the new-payment leg, 51–59
// for the cancel leg). A given relay uses one numbering; transitions never cross
// from one numbering to the other.
//
// Document numbering (source document §3.3 "paymentStatus"):
//
//	1 StatusDocOpened         결제접수  payment opened, waiting for the user
//	2 StatusDocApproved       결제승인  approved by the user
//	3 StatusDocDenied         결제거부  denied by the user            (terminal)
//	4 StatusDocClosed         결제완료  closed by the KIOSK; may start a cancel
//	5 StatusDocCancelOpened   취소접수  cancel opened, waiting for the shop owner
//	6 StatusDocCancelApproved 취소승인  cancel approved
//	7 StatusDocCancelDenied   취소거부  cancel denied                 (terminal)
//	8 StatusDocCancelClosed   취소완료  cancel closed                 (terminal)
//	9 StatusDocTimeout        타임아웃  no answer in time, either leg  (terminal)
//
// Relay numbering (dms-osx packages/relay/src/types LoyaltyPaymentTaskStatus),
// new leg 11–19 and the same meanings +40 for the cancel leg 51–59:
//
//	11/51 Opened            opened, waiting for the wallet's approval
//	12/52 ApprovalFailed    the approval transaction could not be sent (approval may be retried)
//	13/53 ApprovalReverted  the approval transaction reverted (approval may be retried)
//	14/54 ApprovalSent      the approval transaction was sent
//	15/55 Approved          the approval transaction was confirmed (success callback)
//	16/56 Denied            denied by the wallet
//	17/57 Reported          the result was reported to the KIOSK callback
//	18    NewClosed         closed with confirm=true: the end of the new leg; openCancel may follow
//	58    CancelClosed      cancel closed with confirm=true                (terminal)
//	19/59 Failed            closed with confirm=false, force-closed or timed out (terminal)
//
// Terminal means no further transition at all (IsTerminal). A closed new-leg
// payment (18, document 4) is not terminal: it ends the new leg but allows
// openCancel (18→51, 4→5). The terminal states are 3, 7, 8, 9, 19, 58 and 59.
type PaymentStatus int

// Payment states in the document's numbering (1–9).
const (
	StatusDocOpened         PaymentStatus = 1
	StatusDocApproved       PaymentStatus = 2
	StatusDocDenied         PaymentStatus = 3
	StatusDocClosed         PaymentStatus = 4
	StatusDocCancelOpened   PaymentStatus = 5
	StatusDocCancelApproved PaymentStatus = 6
	StatusDocCancelDenied   PaymentStatus = 7
	StatusDocCancelClosed   PaymentStatus = 8
	StatusDocTimeout        PaymentStatus = 9
)

// Payment states of the relay's new-payment leg (11–19).
const (
	StatusNewOpened           PaymentStatus = 11 // OPENED_NEW
	StatusNewApprovalFailed   PaymentStatus = 12 // APPROVED_NEW_FAILED_TX
	StatusNewApprovalReverted PaymentStatus = 13 // APPROVED_NEW_REVERTED_TX
	StatusNewApprovalSent     PaymentStatus = 14 // APPROVED_NEW_SENT_TX
	StatusNewApproved         PaymentStatus = 15 // APPROVED_NEW_CONFIRMED_TX
	StatusNewDenied           PaymentStatus = 16 // DENIED_NEW
	StatusNewReported         PaymentStatus = 17 // REPLY_COMPLETED_NEW
	StatusNewClosed           PaymentStatus = 18 // CLOSED_NEW
	StatusNewFailed           PaymentStatus = 19 // FAILED_NEW
)

// Payment states of the relay's cancel leg (51–59).
const (
	StatusCancelOpened           PaymentStatus = 51 // OPENED_CANCEL
	StatusCancelApprovalFailed   PaymentStatus = 52 // APPROVED_CANCEL_FAILED_TX
	StatusCancelApprovalReverted PaymentStatus = 53 // APPROVED_CANCEL_REVERTED_TX
	StatusCancelApprovalSent     PaymentStatus = 54 // APPROVED_CANCEL_SENT_TX
	StatusCancelApproved         PaymentStatus = 55 // APPROVED_CANCEL_CONFIRMED_TX
	StatusCancelDenied           PaymentStatus = 56 // DENIED_CANCEL
	StatusCancelReported         PaymentStatus = 57 // REPLY_COMPLETED_CANCEL
	StatusCancelClosed           PaymentStatus = 58 // CLOSED_CANCEL
	StatusCancelFailed           PaymentStatus = 59 // FAILED_CANCEL
)

// Leg is the half of a payment's life a status or an event belongs to.
type Leg int

// Legs of a payment.
const (
	// LegUnknown is the zero Leg: an unknown status, or the document's
	// timeout (9), which both legs share.
	LegUnknown Leg = iota
	// LegNew is the new payment: open, wallet approval, close.
	LegNew
	// LegCancel is the cancellation of a closed payment: open, shop-owner approval, close.
	LegCancel
)

// String returns "new", "cancel" or "unknown".
func (l Leg) String() string {
	switch l {
	case LegNew:
		return "new"
	case LegCancel:
		return "cancel"
	}
	return "unknown"
}

var statusNames = map[PaymentStatus]string{
	StatusDocOpened:              "opened",
	StatusDocApproved:            "approved",
	StatusDocDenied:              "denied",
	StatusDocClosed:              "closed",
	StatusDocCancelOpened:        "cancel-opened",
	StatusDocCancelApproved:      "cancel-approved",
	StatusDocCancelDenied:        "cancel-denied",
	StatusDocCancelClosed:        "cancel-closed",
	StatusDocTimeout:             "timeout",
	StatusNewOpened:              "new-opened",
	StatusNewApprovalFailed:      "new-approval-failed",
	StatusNewApprovalReverted:    "new-approval-reverted",
	StatusNewApprovalSent:        "new-approval-sent",
	StatusNewApproved:            "new-approved",
	StatusNewDenied:              "new-denied",
	StatusNewReported:            "new-reported",
	StatusNewClosed:              "new-closed",
	StatusNewFailed:              "new-failed",
	StatusCancelOpened:           "cancel-opened",
	StatusCancelApprovalFailed:   "cancel-approval-failed",
	StatusCancelApprovalReverted: "cancel-approval-reverted",
	StatusCancelApprovalSent:     "cancel-approval-sent",
	StatusCancelApproved:         "cancel-approved",
	StatusCancelDenied:           "cancel-denied",
	StatusCancelReported:         "cancel-reported",
	StatusCancelClosed:           "cancel-closed",
	StatusCancelFailed:           "cancel-failed",
}

// transitions is THE state machine of a payment, shared by the client's waiter
// and the fake relay (through CanTransition and Next). Each entry lists the
// states the relay may move a payment to in one step. It was read off the relay
// (PaymentRouter approval/close handlers, WatchScheduler, CloseScheduler):
//
//   - approval (11/12/13) sends a tx (→14), fails to send it (→12), or finds the
//     contract already opened (→17), closed (→18) or failed (→19);
//   - a deny moves 11/12/13 to 16; close turns 16 into 19;
//   - the watcher confirms 14 (→15) or sees it revert (→13), then reports (15→17);
//   - close with confirm=true/false turns 14/15/17 into 18/19; close after the
//     approval window or the 300 s force-close turns any open state into 19;
//   - openCancel is only allowed from 18 (→51); the cancel leg mirrors the new one.
//
// Document numbering: 1→2|3|9, 2→4|9, 4→5, 5→6|7|9, 6→8|9.
// Modelled: the document does not state its transitions; these follow its
// sequence diagrams, with 9 (timeout) reachable from every open state.
var transitions = map[PaymentStatus][]PaymentStatus{
	StatusDocOpened:         {StatusDocApproved, StatusDocDenied, StatusDocTimeout},
	StatusDocApproved:       {StatusDocClosed, StatusDocTimeout},
	StatusDocDenied:         nil,
	StatusDocClosed:         {StatusDocCancelOpened},
	StatusDocCancelOpened:   {StatusDocCancelApproved, StatusDocCancelDenied, StatusDocTimeout},
	StatusDocCancelApproved: {StatusDocCancelClosed, StatusDocTimeout},
	StatusDocCancelDenied:   nil,
	StatusDocCancelClosed:   nil,
	StatusDocTimeout:        nil,

	StatusNewOpened:           {StatusNewApprovalFailed, StatusNewApprovalSent, StatusNewDenied, StatusNewReported, StatusNewClosed, StatusNewFailed},
	StatusNewApprovalFailed:   {StatusNewApprovalSent, StatusNewDenied, StatusNewReported, StatusNewClosed, StatusNewFailed},
	StatusNewApprovalReverted: {StatusNewApprovalFailed, StatusNewApprovalSent, StatusNewDenied, StatusNewReported, StatusNewClosed, StatusNewFailed},
	StatusNewApprovalSent:     {StatusNewApprovalReverted, StatusNewApproved, StatusNewClosed, StatusNewFailed},
	StatusNewApproved:         {StatusNewReported, StatusNewClosed, StatusNewFailed},
	StatusNewDenied:           {StatusNewFailed},
	StatusNewReported:         {StatusNewClosed, StatusNewFailed},
	StatusNewClosed:           {StatusCancelOpened},
	StatusNewFailed:           nil,

	StatusCancelOpened:           {StatusCancelApprovalFailed, StatusCancelApprovalSent, StatusCancelDenied, StatusCancelReported, StatusCancelClosed, StatusCancelFailed},
	StatusCancelApprovalFailed:   {StatusCancelApprovalSent, StatusCancelDenied, StatusCancelReported, StatusCancelClosed, StatusCancelFailed},
	StatusCancelApprovalReverted: {StatusCancelApprovalFailed, StatusCancelApprovalSent, StatusCancelDenied, StatusCancelReported, StatusCancelClosed, StatusCancelFailed},
	StatusCancelApprovalSent:     {StatusCancelApprovalReverted, StatusCancelApproved, StatusCancelClosed, StatusCancelFailed},
	StatusCancelApproved:         {StatusCancelReported, StatusCancelClosed, StatusCancelFailed},
	StatusCancelDenied:           {StatusCancelFailed},
	StatusCancelReported:         {StatusCancelClosed, StatusCancelFailed},
	StatusCancelClosed:           nil,
	StatusCancelFailed:           nil,
}

// String returns a short lower-case name such as "new-opened", or
// "status(42)" for an unknown value.
func (s PaymentStatus) String() string {
	if n, ok := statusNames[s]; ok {
		if s < 10 {
			return "doc-" + n
		}
		return n
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// Known reports whether s is one of the 27 states of either numbering.
func (s PaymentStatus) Known() bool {
	_, ok := transitions[s]
	return ok
}

// IsDocument reports whether s is in the document's numbering (1–9).
func (s PaymentStatus) IsDocument() bool { return s.Known() && s < 10 }

// IsTerminal reports whether s is known and has no outgoing transition:
// 3, 7, 8, 9, 19, 58, 59. Closed new payments (4, 18) are not terminal because
// a cancel may follow.
func (s PaymentStatus) IsTerminal() bool {
	next, ok := transitions[s]
	return ok && len(next) == 0
}

// Leg returns the leg s belongs to: LegNew for 1–4 and 11–19, LegCancel for
// 5–8 and 51–59, LegUnknown for the document's timeout (9) and unknown values.
func (s PaymentStatus) Leg() Leg {
	switch {
	case s >= StatusDocOpened && s <= StatusDocClosed, s >= StatusNewOpened && s <= StatusNewFailed:
		return LegNew
	case s >= StatusDocCancelOpened && s <= StatusDocCancelClosed, s >= StatusCancelOpened && s <= StatusCancelFailed:
		return LegCancel
	}
	return LegUnknown
}

// Next returns the states the relay may move a payment in state s to in one
// step, in a new slice (nil for terminal or unknown states).
func (s PaymentStatus) Next() []PaymentStatus {
	return slices.Clone(transitions[s])
}

// CanTransition reports whether the state machine allows a payment to move
// from one state to the other in one step. Staying in the same state is not a
// transition and reports false.
func CanTransition(from, to PaymentStatus) bool {
	return slices.Contains(transitions[from], to)
}

// Reachable reports whether a payment in state from may be observed later in
// state to, through zero or more transitions (a poller may miss the states in
// between). Reachable(s, s) is true for every known s.
func Reachable(from, to PaymentStatus) bool {
	if !from.Known() || !to.Known() {
		return false
	}
	seen := map[PaymentStatus]bool{from: true}
	queue := []PaymentStatus{from}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s == to {
			return true
		}
		for _, n := range transitions[s] {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	return false
}

// Outcome is how one leg of a payment ended, from a callback or from the
// status a poller saw.
type Outcome int

// Outcomes of a leg.
const (
	// OutcomePending is the zero Outcome: the leg has not been decided yet.
	OutcomePending Outcome = iota
	// OutcomeApproved: the wallet (new leg) or shop owner (cancel leg) approved
	// and the approval transaction was confirmed. The KIOSK should now close.
	OutcomeApproved
	// OutcomeDenied: the wallet or shop owner denied.
	OutcomeDenied
	// OutcomeContractError: the approval failed in the smart contract.
	OutcomeContractError
	// OutcomeServerError: the relay failed internally.
	OutcomeServerError
	// OutcomeTimeout: no approval within the window (45 s), or the relay's
	// timeout callback.
	OutcomeTimeout
	// OutcomeFailed: the leg was closed as failed (19/59): closed with
	// confirm=false, after the approval window, or force-closed. Only polling
	// reports it; no callback carries it.
	OutcomeFailed
)

// String returns a lower-case name such as "approved".
func (o Outcome) String() string {
	switch o {
	case OutcomePending:
		return "pending"
	case OutcomeApproved:
		return "approved"
	case OutcomeDenied:
		return "denied"
	case OutcomeContractError:
		return "contract-error"
	case OutcomeServerError:
		return "server-error"
	case OutcomeTimeout:
		return "timeout"
	case OutcomeFailed:
		return "failed"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// OutcomeFor tells how the given leg stands when the payment is in state s.
// A state of a later leg decides an earlier one: a payment whose cancel leg
// has started was approved and closed in its new leg. A state before the leg
// (a closed payment seen while waiting for a cancel) is pending.
func (s PaymentStatus) OutcomeFor(leg Leg) Outcome {
	switch s {
	case StatusDocTimeout:
		return OutcomeTimeout
	case StatusDocDenied, StatusNewDenied:
		if leg == LegNew {
			return OutcomeDenied
		}
	case StatusDocCancelDenied, StatusCancelDenied:
		if leg == LegCancel {
			return OutcomeDenied
		}
	case StatusNewFailed:
		if leg == LegNew {
			return OutcomeFailed
		}
	case StatusCancelFailed:
		if leg == LegCancel {
			return OutcomeFailed
		}
	case StatusDocApproved, StatusDocClosed, StatusNewApproved, StatusNewReported, StatusNewClosed:
		if leg == LegNew {
			return OutcomeApproved
		}
	case StatusDocCancelApproved, StatusDocCancelClosed, StatusCancelApproved, StatusCancelReported, StatusCancelClosed:
		if leg == LegCancel {
			return OutcomeApproved
		}
	}
	if leg == LegNew && s.Leg() == LegCancel {
		return OutcomeApproved
	}
	return OutcomePending
}
