package smartromock

import (
	"encoding/json"
	"errors"
	"fmt"
	wire "github.com/poskit/poskit/internal/smartrowire"
	"github.com/poskit/poskit/mock"
	"net/http"
	"time"

	"github.com/poskit/poskit/smartro"
)

// refusal is an answer with an ERRCODE: MSG in Korean (the words the client's hints
// know), MSG2 the English detail.
type refusal struct {
	code, msg, detail string
}

func refuse(code, msg, format string, args ...any) *refusal {
	return &refusal{code: code, msg: msg, detail: fmt.Sprintf(format, args...)}
}

// Error returns the refusal's code and detail.
func (r *refusal) Error() string { return r.code + ": " + r.detail }

// Korean messages of each refusal (Modelled wording, using the guide's words).
const (
	msgBadRequest  = "요청 형식이 올바르지 않습니다"
	msgStore       = "등록되지 않은 가맹점입니다"
	msgOffline     = "Agent가 실행 중이 아닙니다"
	msgBizDay      = "POS 영업개시 전입니다"
	msgTable       = "등록되지 않은 테이블입니다"
	msgOccupied    = "테이블이 점유되어 있습니다. 잠시 후 다시 요청하세요"
	msgItem        = "등록되지 않은 상품입니다"
	msgInactive    = "판매 중지된 상품입니다"
	msgAddOn       = "상품에 없는 첨가물입니다"
	msgPrice       = "상품 금액이 일치하지 않습니다"
	msgOrder       = "주문을 찾을 수 없습니다"
	msgExpired     = "POS로 전송되지 않은 주문입니다 (60초 경과)"
	msgAddRefused  = "추가주문이 불가능한 주문입니다"
	msgMchtReused  = "이미 사용된 가맹점 주문번호입니다"
	msgNotReturned = "반품할 수 없는 주문입니다"
)

// codec is smartro's wire format as the fake speaks it (mock.Codec): requests are JSON
// bodies that carry the store's ids, answers the envelope, refusals a failure envelope.
type codec struct{ s *Server }

// Decode reads body into v and checks the store's identity (STORE_ID and SERVICE_ID of
// every body).
func (c codec) Decode(_ *http.Request, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return refuse(smartro.CodeInvalidRequest, msgBadRequest, "body is not the expected JSON: %v", err)
	}
	var ids wire.StoreRequest
	_ = json.Unmarshal(body, &ids)
	if ids.StoreID != c.s.storeID || ids.ServiceID != c.s.serviceID {
		return refuse(smartro.CodeUnknownStore, msgStore, "STORE_ID/SERVICE_ID not issued to this store")
	}
	return nil
}

// Answer writes a success envelope carrying v as OBJ.
func (codec) Answer(w http.ResponseWriter, v any) { _ = wire.WriteEnvelope(w, v) }

// Refuse writes err as a failure envelope (HTTP 200): a *refusal as it says, anything else
// as a malformed request.
func (codec) Refuse(w http.ResponseWriter, err error) {
	var r *refusal
	if !errors.As(err, &r) {
		r = refuse(smartro.CodeInvalidRequest, msgBadRequest, "%v", err)
	}
	_ = wire.WriteErrorEnvelope(w, http.StatusOK, r.code, r.msg, r.detail)
}

// handle registers one handler per operation of smartro's endpoint table.
func (s *Server) handle() {
	c := codec{s}
	for op, h := range map[string]mock.HandlerFunc{
		OpTables:          mock.Typed(c, s.tablesHandler),
		OpMenuChanged:     mock.Typed(c, s.menuStateHandler),
		OpMenu:            mock.Typed(c, s.menuHandler),
		OpNewOrder:        mock.Typed(c, s.orderHandler(false)),
		OpAdditionalOrder: mock.Typed(c, s.orderHandler(true)),
		OpTableOrders:     mock.Typed(c, s.tableOrdersHandler),
		OpStoreOrders:     mock.Typed(c, s.storeOrdersHandler),
		OpReturnOrder:     mock.Typed(c, s.cancelHandler),
	} {
		s.Handle(op, s.withLatency(op, h))
	}
}

// err returns r as an error, nil when r is nil (never a typed nil).
func (r *refusal) err() error {
	if r == nil {
		return nil
	}
	return r
}

func (s *Server) tablesHandler(_ *http.Request, _ wire.StoreRequest) (wire.TablesAnswer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ans := wire.TablesAnswer{TableList: make([]wire.Table, len(s.tables))}
	for i, t := range s.tables {
		ans.TableList[i] = wire.Table{FloorCode: t.FloorCode, FloorName: t.FloorName, TableCode: t.TableCode, TableName: t.TableName}
	}
	return ans, nil
}

func (s *Server) menuStateHandler(_ *http.Request, req wire.MenuStateRequest) (wire.MenuStateAnswer, error) {
	var since time.Time
	if req.CheckTime != "" {
		t, err := time.ParseInLocation(wire.DateTimeLayout, req.CheckTime, kst)
		if err != nil {
			return wire.MenuStateAnswer{}, refuse(smartro.CodeInvalidRequest, msgBadRequest, "UPDATE_CHECK_DTIME %q is not yyyyMMddHHmmss", req.CheckTime)
		}
		since = t
	}
	s.mu.Lock()
	upd := s.menuUpdated
	s.mu.Unlock()
	ans := wire.MenuStateAnswer{Updated: wire.FlagNo, UpdateTime: upd.In(kst).Format(wire.DateTimeLayout)}
	if req.CheckTime == "" || upd.After(since) {
		ans.Updated = wire.FlagYes
	}
	return ans, nil
}

func (s *Server) menuHandler(_ *http.Request, _ wire.StoreRequest) (wire.MenuAnswer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.menuWire, nil // replaced, never mutated: safe to encode outside the lock
}

// orderHandler serves NewOrder (additional false) and AdditionalOrder (true).
func (s *Server) orderHandler(additional bool) func(*http.Request, *wire.OrderRequest) (wire.OrderAnswer, error) {
	return func(_ *http.Request, req *wire.OrderRequest) (wire.OrderAnswer, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		ans, r := s.placeLocked(req, additional)
		return ans, r.err()
	}
}

// placeLocked applies the order rules, in this order: MCHT_ORDERNO present; de-duplication
// (a live order with the same MCHT_ORDERNO answers again); agent online; business day
// open; request arithmetic; table known; menu (item known, active, add-ons of its groups,
// prices); for an additional order, the table order it adds to; table not occupied.
func (s *Server) placeLocked(req *wire.OrderRequest, additional bool) (wire.OrderAnswer, *refusal) {
	var none wire.OrderAnswer
	if req.MerchantOrderNo == "" {
		return none, refuse(smartro.CodeInvalidRequest, msgBadRequest, "MCHT_ORDERNO is required")
	}
	now := s.clock.Now()
	s.settleLocked(now)
	ref := smartro.TableRef{FloorCode: req.FloorCode, TableCode: req.TableCode}
	if prev := s.byMcht[req.MerchantOrderNo]; prev != nil {
		if prev.table != ref || prev.additional != additional || (additional && req.OrgOrderNo != prev.org) {
			return none, refuse(smartro.CodeInvalidRequest, msgMchtReused, "MCHT_ORDERNO %s belongs to order %s of another table or kind", req.MerchantOrderNo, prev.no)
		}
		return prev.answer, nil
	}
	if !s.online {
		return none, refuse(smartro.CodeAgentOffline, msgOffline, "the Order Agent is offline")
	}
	if !s.bizOpen {
		return none, refuse(smartro.CodeBusinessDayClosed, msgBizDay, "the POS has not opened its business day")
	}
	parsed, err := orderFromWire(req)
	if err != nil {
		return none, refuse(smartro.CodeInvalidRequest, msgBadRequest, "%s", err)
	}
	if additional && req.Prepaid == wire.FlagYes {
		return none, refuse(smartro.CodeInvalidRequest, msgBadRequest, "a prepaid order is sent as one new order, not an additional order")
	}
	if !s.tableSet[ref] {
		return none, refuse(smartro.CodeUnknownTable, msgTable, "no table %s", ref)
	}
	if r := checkMenu(s.menu, parsed); r != nil {
		return none, r
	}
	org := ""
	if additional {
		if req.OrgOrderNo == "" {
			return none, refuse(smartro.CodeInvalidRequest, msgBadRequest, "ORG_ORDERNO is required")
		}
		root := s.byNo[req.OrgOrderNo]
		if root == nil {
			return none, refuse(smartro.CodeUnknownOrder, msgOrder, "no order %s", req.OrgOrderNo)
		}
		root = s.byNo[root.org]
		if root.table != ref {
			return none, refuse(smartro.CodeInvalidRequest, msgBadRequest, "order %s belongs to table %s, not %s", root.no, root.table, ref)
		}
		switch root.delivery {
		case DeliveryExpired:
			return none, refuse(smartro.CodeOrderExpired, msgExpired, "table order %s was never delivered to the POS", root.no)
		case DeliveryDelivered:
			if !root.status.Open() {
				return none, refuse(smartro.CodeAddNotAllowed, msgAddRefused, "table order %s is %s", root.no, root.status)
			}
		default:
			return none, refuse(smartro.CodeAddNotAllowed, msgAddRefused, "table order %s is not on the POS yet (%s)", root.no, root.delivery)
		}
		org = root.no
	}
	if oc := s.occ[ref]; oc != (occupancy{}) {
		why := "the POS screen"
		if oc.payment {
			why = "a payment in progress"
		}
		return none, refuse(smartro.CodeOccupied, msgOccupied, "table %s is occupied by %s", ref, why)
	}

	s.seq++
	no := now.In(kst).Format(wire.DateLayout) + fmt.Sprintf("%06d", s.seq)
	if org == "" {
		org = no
	}
	delay := s.delay
	if d, ok := s.delayFor[req.MerchantOrderNo]; ok {
		delay = d
		delete(s.delayFor, req.MerchantOrderNo)
	}
	o := &order{
		no: no, org: org, mcht: req.MerchantOrderNo, table: ref, additional: additional,
		req: req, parsed: parsed, acceptedAt: now, deliverAt: now.Add(delay), expiresAt: now.Add(Expiry),
	}
	if s.failNext > 0 {
		s.failNext--
		o.willFail = true
	}
	o.answer = wire.OrderAnswer{OrderNo: no, OrgOrderNo: org, MerchantOrderNo: req.MerchantOrderNo}
	s.orders = append(s.orders, o)
	s.byNo[no] = o
	s.byMcht[o.mcht] = o
	s.byTable[ref] = append(s.byTable[ref], o)
	s.pending = append(s.pending, o)
	return o.answer, nil
}

// checkMenu checks every line against the menu, in the order smartro's catalog check does:
// item known, active (and its group), item price, then each add-on offered and its price.
func checkMenu(m *smartro.Menu, o *smartro.Order) *refusal {
	for i, l := range o.Lines {
		it, g, ok := m.Item(l.ItemID)
		if !ok {
			return refuse(smartro.CodeUnknownItem, msgItem, "line %d: no item %s", i+1, l.ItemID)
		}
		if !it.Active || !g.Active {
			return refuse(smartro.CodeInactiveItem, msgInactive, "line %d: item %s is not on sale", i+1, l.ItemID)
		}
		if l.Price != it.Price {
			return refuse(smartro.CodePriceMismatch, msgPrice, "line %d: item %s price %d, menu says %d", i+1, l.ItemID, l.Price, it.Price)
		}
		for j, a := range l.AddOns {
			ad, ok := it.AddOn(a.GroupCode, a.ID)
			if !ok {
				return refuse(smartro.CodeUnknownAddOn, msgAddOn, "line %d add-on %d: %s (group %q) is not offered with item %s", i+1, j+1, a.ID, a.GroupCode, l.ItemID)
			}
			if ad.Price != a.Price {
				return refuse(smartro.CodePriceMismatch, msgPrice, "line %d add-on %d: price %d, menu says %d", i+1, j+1, a.Price, ad.Price)
			}
		}
	}
	return nil
}

func (s *Server) tableOrdersHandler(_ *http.Request, req wire.TableOrdersRequest) (wire.OrderList, error) {
	ref := smartro.TableRef{FloorCode: req.FloorCode, TableCode: req.TableCode}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.tableSet[ref] {
		return wire.OrderList{}, refuse(smartro.CodeUnknownTable, msgTable, "no table %s", ref)
	}
	s.settleLocked(s.clock.Now())
	return wire.OrderList{Orders: s.listLocked(ref, TableLookupLimit, nil)}, nil
}

func (s *Server) storeOrdersHandler(_ *http.Request, _ wire.StoreRequest) (wire.OrderList, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.clock.Now())
	list := make([]wire.LiveOrder, 0)
	for _, t := range s.tables {
		list = s.listLocked(t.Ref(), StoreLookupLimit, list)
	}
	return wire.OrderList{Orders: list}, nil
}

// listLocked appends the newest listed orders of the table (at most limit), newest first.
// Expired orders are never listed. mu held, settled.
func (s *Server) listLocked(ref smartro.TableRef, limit int, dst []wire.LiveOrder) []wire.LiveOrder {
	if dst == nil {
		dst = make([]wire.LiveOrder, 0, limit)
	}
	os := s.byTable[ref]
	n := 0
	for i := len(os) - 1; i >= 0 && n < limit; i-- {
		if os[i].delivery == DeliveryExpired {
			continue
		}
		dst = append(dst, os[i].live())
		n++
	}
	return dst
}

// cancelHandler serves ReturnOrder; a success answers OBJ null.
func (s *Server) cancelHandler(_ *http.Request, req wire.CancelRequest) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return nil, s.returnLocked(&req).err()
}

// returnLocked applies a return request: the order named by ORG_ORDERNO becomes returned
// (SMRO000071). A repeat on a returned order succeeds without change (idempotent).
func (s *Server) returnLocked(req *wire.CancelRequest) *refusal {
	if req.OrgOrderNo == "" {
		return refuse(smartro.CodeInvalidRequest, msgBadRequest, "ORG_ORDERNO is required")
	}
	now := s.clock.Now()
	s.settleLocked(now)
	if !s.online {
		return refuse(smartro.CodeAgentOffline, msgOffline, "the Order Agent is offline")
	}
	o := s.byNo[req.OrgOrderNo]
	if o == nil {
		return refuse(smartro.CodeUnknownOrder, msgOrder, "no order %s", req.OrgOrderNo)
	}
	switch o.delivery {
	case DeliveryExpired:
		return refuse(smartro.CodeOrderExpired, msgExpired, "order %s was never delivered to the POS", o.no)
	case DeliveryDelivered:
	default:
		return refuse(smartro.CodeUnknownOrder, msgOrder, "order %s is not on the POS (%s)", o.no, o.delivery)
	}
	var sum int64
	for i, p := range req.Pays {
		if p.Cancelled != wire.FlagYes {
			return refuse(smartro.CodeInvalidRequest, msgBadRequest, "payment %d: CAN_FLAG must be Y", i+1)
		}
		sum += int64(p.Amount)
	}
	switch o.status {
	case smartro.StatusReturned:
		return nil
	case smartro.StatusCancelled:
		return refuse(smartro.CodeInvalidRequest, msgNotReturned, "order %s is cancelled on the POS", o.no)
	}
	if o.req.Prepaid == wire.FlagYes && sum != int64(o.req.PayAmount) {
		return refuse(smartro.CodeInvalidRequest, msgBadRequest, "returned payments total %d, the order was paid %d", sum, o.req.PayAmount)
	}
	o.status = smartro.StatusReturned
	return nil
}
