package smartro

import "context"

// OrderAgent is the part of *Client the postpaid flow and the Tracker use to send and
// find orders; tests may substitute an in-memory one.
type OrderAgent interface {
	OrderLookup
	NewOrder(ctx context.Context, o *Order) (*OrderAck, error)
	AdditionalOrder(ctx context.Context, orgOrderNo string, o *Order) (*OrderAck, error)
}

// OrderLookup finds a table's live orders; *Client implements it.
type OrderLookup interface {
	TableOrders(ctx context.Context, floorCode, tableCode string) ([]LiveOrder, error)
}

var _ OrderAgent = (*Client)(nil)

// orderChecker is implemented by an OrderAgent that checks an order before the postpaid
// flow's lookup (*Client: against its catalog, WithCatalog).
type orderChecker interface {
	checkCatalog(ctx context.Context, op string, o *Order) error
}

// PlaceTableOrder runs the postpaid ("table occupancy") flow for a postpaid order: it looks
// up the table's live orders (POST /partner/v1/table/order); with no open table order it
// sends a new order (POST …/order/new), with one open (SMRO000068/069) an additional order
// on it (POST …/order/add). A table order cancelled or returned on the POS gives *Error
// with CodeAddNotAllowed (staff must clear the table; nothing is sent). A paid table order
// counts as closed: a new order starts.
//
// Occupied: when the agent answers that the POS occupies the table (IsOccupied), the order
// was refused, so the flow pauses (WithOccupiedRetry, DefaultOccupiedRetry, on the client's
// clock; no pause with WithoutRetrySleep) and starts again from the lookup, up to the
// policy's bound or until ctx ends; it then returns the last occupied error (or, when ctx
// ended during a pause, that error too: nothing was applied).
//
// Idempotency: MCHT_ORDERNO is the key. An order request is never repeated after a lost
// answer (IsLost): the error is returned at once, and the order must be resolved by
// Tracker.Track (which finds MCHT_ORDERNO in the lookup within 60 s), never resent.
// Tracker.PlaceTableOrder does all of this and tracks the result. With WithCatalog the
// order is checked against the catalog before the lookup; a failed check sends nothing.
func (c *Client) PlaceTableOrder(ctx context.Context, o *Order) (*OrderAck, error) {
	ack, _, err := placeTableOrder(ctx, c, o, c.clock, c.occupied, nil)
	return ack, err
}

// placeTableOrder runs the flow; sent reports whether an order request may have reached
// the agent in the final attempt (false when the failure came before sending). hook, if
// not nil, sees Submitted→Occupied and Occupied→Submitted.
func placeTableOrder(ctx context.Context, a OrderAgent, o *Order, clk Clock, pol RetryPolicy, hook func(to OrderState)) (*OrderAck, bool, error) {
	const op = "smartro.PlaceTableOrder"
	if err := o.validate(op, true); err != nil {
		return nil, false, err
	}
	if c, ok := a.(orderChecker); ok { // the catalog check comes before the lookup
		if err := c.checkCatalog(ctx, op, o); err != nil {
			return nil, false, err
		}
	}
	send := func() (*OrderAck, bool, error) {
		live, err := a.TableOrders(ctx, o.Table.FloorCode, o.Table.TableCode)
		if err != nil {
			return nil, false, err
		}
		org, status := openTableOrder(live)
		switch {
		case status.Open():
			ack, err := a.AdditionalOrder(ctx, org, o)
			return ack, true, err
		case status.Voided():
			return nil, false, &Error{Op: op, Code: CodeAddNotAllowed,
				Message: "table order " + org + " is " + status.String() + " on the POS; clear the table there first"}
		}
		ack, err := a.NewOrder(ctx, o)
		return ack, true, err
	}
	return withOccupiedRetry(ctx, send, clk, pol, hook)
}

// withOccupiedRetry repeats send while it fails with an occupied answer, pausing as pol
// says on clk. When ctx ends during a pause, the last (occupied) error is returned: the
// order was refused, there is nothing to resolve.
func withOccupiedRetry(ctx context.Context, send func() (*OrderAck, bool, error), clk Clock, pol RetryPolicy, hook func(OrderState)) (*OrderAck, bool, error) {
	var (
		ack     *OrderAck
		sent    bool
		last    error
		retries bool // an attempt after a pause is running
	)
	err := pol.Do(ctx, clk, func() (bool, error) {
		if retries && hook != nil {
			hook(Submitted)
		}
		ack, sent, last = send()
		if last == nil || !IsOccupied(last) {
			return false, last
		}
		if pol.MaxRetries >= 0 && hook != nil {
			hook(Occupied)
		}
		retries = true
		return true, last
	})
	if err != nil && err != last { // ctx ended during a pause: the occupied refusal stands
		return nil, false, last
	}
	if err != nil && IsOccupied(err) {
		return nil, sent, err
	}
	return ack, sent, err
}

// openTableOrder finds the table's current table order among the live orders: orders are
// grouped by ORG_ORDERNO; the group with the latest order time (list order breaks ties) is
// the current one, and its status is that of its root entry (ORDERNO = ORG_ORDERNO) if
// listed, else of its latest entry. Orders whose delivery failed are ignored. Modelled.
func openTableOrder(live []LiveOrder) (string, OrderStatus) {
	best := -1
	for i := range live {
		if live[i].Delivery == DeliveryFailed {
			continue
		}
		if best < 0 || live[i].OrderedAt.After(live[best].OrderedAt) {
			best = i
		}
	}
	if best < 0 {
		return "", ""
	}
	org := live[best].OrgOrderNo
	if org == "" {
		org = live[best].OrderNo
	}
	status := live[best].Status
	for i := range live {
		if live[i].OrderNo == org && live[i].Delivery != DeliveryFailed {
			status = live[i].Status
			break
		}
	}
	return org, status
}
