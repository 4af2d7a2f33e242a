package smartro

import (
	"context"
	"time"

	wire "github.com/poskit/poskit/internal/smartrowire"
)

// Tables returns the store's tables (POST /partner/v1/table). It is a lookup: retried on
// transport errors and 5xx.
func (c *Client) Tables(ctx context.Context) ([]Table, error) {
	var ans wire.TablesAnswer
	if err := c.post(ctx, wire.OpTables, c.store(), &ans); err != nil {
		return nil, err
	}
	out := make([]Table, 0, len(ans.TableList))
	for _, t := range ans.TableList {
		out = append(out, tableFromWire(t))
	}
	return out, nil
}

// MenuChanged asks whether the menu changed since the given time (POST
// /partner/v1/menu/state, UPDATE_CHECK_DTIME in Korea time) and returns the agent's
// last-update time (UPDATE_DTIME; zero when absent). A zero since asks about all time
// (wire.MenuCheckAllTime).
// It is a lookup: retried.
func (c *Client) MenuChanged(ctx context.Context, since time.Time) (bool, time.Time, error) {
	check := wire.MenuCheckAllTime
	if !since.IsZero() {
		check = since.In(kst).Format(wire.DateTimeLayout)
	}
	req := wire.MenuStateRequest{StoreID: c.storeID, ServiceID: c.serviceID, CheckTime: check}
	var ans wire.MenuStateAnswer
	if err := c.post(ctx, wire.OpMenuChanged, req, &ans); err != nil {
		return false, time.Time{}, err
	}
	var at time.Time
	if t, err := time.ParseInLocation(wire.DateTimeLayout, ans.UpdateTime, kst); err == nil {
		at = t
	}
	return ans.Updated == wire.FlagYes, at, nil
}

// Menu returns the full menu with add-ons (POST /partner/v1/menu/edit). It is a lookup:
// retried. Catalog caches it.
func (c *Client) Menu(ctx context.Context) (*Menu, error) {
	var ans wire.MenuAnswer
	if err := c.post(ctx, wire.OpMenu, c.store(), &ans); err != nil {
		return nil, err
	}
	return menuFromWire(ans), nil
}

// NewOrder sends a new order for a table (POST /partner/v1/table/order/new): a prepaid
// order with its payments, or the first postpaid order of a free table. The order is
// checked first (see Order, and WithCatalog); a failed check sends nothing.
//
// Idempotency: MCHT_ORDERNO (o.MerchantOrderNo) is the order's key. The answer is only step
// 1 (accepted by the agent's server); delivery to the POS is seen by polling — use a
// Tracker. The request is sent exactly once, never retried: when the answer is lost
// (IsLost(err)), the order may or may not exist — resolve it with Tracker.Track, which
// looks for its MCHT_ORDERNO in the live-order lookup; never resend it. Only once the
// tracker reports Expired (60 s without delivery) or the agent refused it (IsRefused) may
// the same basket be ordered again.
func (c *Client) NewOrder(ctx context.Context, o *Order) (*OrderAck, error) {
	const op = "smartro.NewOrder"
	if err := o.validate(op, false); err != nil {
		return nil, err
	}
	if err := c.checkCatalog(ctx, op, o); err != nil {
		return nil, err
	}
	var ans wire.OrderAnswer
	if err := c.post(ctx, wire.OpNewOrder, o.toWire(c.storeID, c.serviceID, ""), &ans); err != nil {
		return nil, err
	}
	return ackOrDefault(&ans, o, ""), nil
}

// AdditionalOrder adds a postpaid order to the table's open order orgOrderNo (POST
// /partner/v1/table/order/add), allowed only while that order is received or done
// (SMRO000068/069). The order is checked first (and against the catalog, WithCatalog);
// prepaid orders are refused (they go as one new order).
//
// Idempotency: as NewOrder — MCHT_ORDERNO is the key, the request is sent exactly once,
// and a lost answer is resolved by Tracker.Track (lookup of MCHT_ORDERNO), never by
// resending.
func (c *Client) AdditionalOrder(ctx context.Context, orgOrderNo string, o *Order) (*OrderAck, error) {
	const op = "smartro.AdditionalOrder"
	if err := checkID(op, "original order number", orgOrderNo); err != nil {
		return nil, err
	}
	if err := o.validate(op, true); err != nil {
		return nil, err
	}
	if err := c.checkCatalog(ctx, op, o); err != nil {
		return nil, err
	}
	var ans wire.OrderAnswer
	if err := c.post(ctx, wire.OpAdditionalOrder, o.toWire(c.storeID, c.serviceID, orgOrderNo), &ans); err != nil {
		return nil, err
	}
	return ackOrDefault(&ans, o, orgOrderNo), nil
}

func ackOrDefault(ans *wire.OrderAnswer, o *Order, org string) *OrderAck {
	a := ackFromWire(ans)
	if a.MerchantOrderNo == "" {
		a.MerchantOrderNo = o.MerchantOrderNo
	}
	if a.OrgOrderNo == "" {
		a.OrgOrderNo = org
		if org == "" {
			a.OrgOrderNo = a.OrderNo
		}
	}
	return a
}

// TableOrders returns the live orders of one table, the latest TableLookupLimit (10) (POST
// /partner/v1/table/order). Pending and failed orders appear only within 60 s of being
// received. A list of TableLookupLimit entries may have left older orders out. It is a
// lookup: retried.
func (c *Client) TableOrders(ctx context.Context, floorCode, tableCode string) ([]LiveOrder, error) {
	const op = "smartro.TableOrders"
	if floorCode == "" || tableCode == "" {
		return nil, invalid(op, "floor and table codes are required")
	}
	req := wire.TableOrdersRequest{StoreID: c.storeID, ServiceID: c.serviceID, FloorCode: floorCode, TableCode: tableCode}
	var ans wire.OrderList
	if err := c.post(ctx, wire.OpTableOrders, req, &ans); err != nil {
		return nil, err
	}
	out := liveOrdersFromWire(&ans)
	for i := range out { // the lookup is per table; fill the table if the answer omits it
		if out[i].Table.FloorCode == "" && out[i].Table.TableCode == "" {
			out[i].Table = TableRef{FloorCode: floorCode, TableCode: tableCode}
		}
	}
	return out, nil
}

// StoreOrders returns the live orders of every table of the store (POST
// /partner/v2/table/order; observed: up to StoreLookupLimit (5) per table). It is a lookup:
// retried.
func (c *Client) StoreOrders(ctx context.Context) ([]LiveOrder, error) {
	var ans wire.OrderList
	if err := c.post(ctx, wire.OpStoreOrders, c.store(), &ans); err != nil {
		return nil, err
	}
	return liveOrdersFromWire(&ans), nil
}

// ReturnOrder asks the POS to return (refund) the table order orgOrderNo with the given
// payments (POST /partner/v1/table/order/cancel); they are sent with CAN_FLAG=Y. The guide
// says cancel and refund normally happen on the POS; this is the partner-side request.
//
// Idempotency: the request is keyed by ORG_ORDERNO and sent exactly once. When the answer
// is lost, look the order up (TableOrders: status SMRO000071 means returned) before
// sending it again.
func (c *Client) ReturnOrder(ctx context.Context, orgOrderNo string, pays []Payment) error {
	const op = "smartro.ReturnOrder"
	if err := checkID(op, "original order number", orgOrderNo); err != nil {
		return err
	}
	req := wire.CancelRequest{StoreID: c.storeID, ServiceID: c.serviceID, OrgOrderNo: orgOrderNo, Pays: make([]wire.Pay, len(pays))}
	for i, p := range pays {
		if p.Amount < 0 || p.Amount > MaxAmount {
			return invalid(op, "payment %d amount out of range", i+1)
		}
		p.Cancelled = true
		req.Pays[i] = paymentToWire(p)
	}
	return c.post(ctx, wire.OpReturnOrder, req, nil)
}
