package smartro

import (
	"strconv"
	"time"
)

// OrderState is where an order stands in the two-step life the guide describes: the order
// answer is only step 1 (the agent's server accepted it); step 2 (delivered to the POS,
// 접수성공) is seen only in the live-order lookup, and an order not delivered within 60 s of
// being received is dropped.
//
//	Submitted ──► Accepted ──► Delivered ──► Succeeded
//	    │  ▲          │            └───────► Cancelled
//	    │  └ Occupied │ (60 s, not delivered)
//	    │      │      └──────────► Expired
//	    ├──► Rejected ◄┘ (occupied: gave up)
//	    └──► Unknown ──► Accepted (found by MCHT_ORDERNO)
//	            └──────► Expired (not found 60 s after submission)
//
// Terminal states: Succeeded, Cancelled, Expired, Rejected. Only Expired and Rejected mean
// the POS never got the order, so only they allow ordering the same basket again.
//
// Decision: Succeeded is terminal. A POS may later cancel or return a finished order
// (SMRO000070/071); that is visible in TableOrders/StoreOrders but the tracker does not
// reopen the order — the partner's question ("did the POS get it?") is answered.
type OrderState uint8

// Order states. The zero value is Submitted.
const (
	Submitted OrderState = iota // request being sent (step 1 not answered yet)
	Accepted                    // step 1: the agent's server accepted the order
	Delivered                   // step 2: the lookup shows the POS received it
	Succeeded                   // the POS finished it (done / paid), or it settled as delivered
	Cancelled                   // the POS cancelled or returned it
	Expired                     // not delivered within 60 s (or a lost order never found): dropped
	Rejected                    // refused with a typed error (or occupied and retries gave up)
	Occupied                    // refused because the table is occupied; will be retried
	Unknown                     // the step-1 answer was lost; resolving by lookup of MCHT_ORDERNO
	numStates
)

var stateNames = [numStates]string{"Submitted", "Accepted", "Delivered", "Succeeded", "Cancelled", "Expired", "Rejected", "Occupied", "Unknown"}

// String names the state.
func (s OrderState) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "OrderState(" + strconv.Itoa(int(s)) + ")"
}

// IsTerminal reports whether no transition leaves s.
func (s OrderState) IsTerminal() bool {
	return s < numStates && transitions[s] == 0
}

// AllowsReorder reports whether the same basket may be ordered again: the POS never got
// the order (Expired, Rejected).
func (s OrderState) AllowsReorder() bool { return s == Expired || s == Rejected }

// transitions is THE transition table: transitions[from] has bit `to` set when from → to
// is allowed.
var transitions = [numStates]uint16{
	Submitted: bits(Accepted, Rejected, Occupied, Unknown),
	Occupied:  bits(Submitted, Rejected),
	Unknown:   bits(Accepted, Expired),
	Accepted:  bits(Delivered, Expired),
	Delivered: bits(Succeeded, Cancelled),
	Succeeded: 0,
	Cancelled: 0,
	Expired:   0,
	Rejected:  0,
}

func bits(ss ...OrderState) uint16 {
	var b uint16
	for _, s := range ss {
		b |= 1 << s
	}
	return b
}

// CanTransition reports whether from → to is allowed.
func CanTransition(from, to OrderState) bool {
	return from < numStates && to < numStates && transitions[from]&(1<<to) != 0
}

// Next returns the states reachable from s in one step.
func (s OrderState) Next() []OrderState {
	if s >= numStates {
		return nil
	}
	var out []OrderState
	for t := OrderState(0); t < numStates; t++ {
		if transitions[s]&(1<<t) != 0 {
			out = append(out, t)
		}
	}
	return out
}

// Transition is one state change of a tracked order.
type Transition struct {
	MerchantOrderNo string
	OrderNo         string // ORDERNO once known
	Table           TableRef
	From, To        OrderState
	At              time.Time // on the tracker's clock
}
