package smartromock

import (
	"encoding/json"
	"errors"
	"fmt"
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

func (r *refusal) write(w http.ResponseWriter) {
	_ = smartro.WriteErrorEnvelope(w, http.StatusOK, r.code, r.msg, r.detail)
}

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

// decode reads body into v and checks the store's identity.
func (s *Server) decode(body []byte, v any, ids func() (string, string)) *refusal {
	if err := json.Unmarshal(body, v); err != nil {
		return refuse(smartro.CodeInvalidRequest, msgBadRequest, "body is not the expected JSON: %v", err)
	}
	store, service := ids()
	if store != s.storeID || service != s.serviceID {
		return refuse(smartro.CodeUnknownStore, msgStore, "STORE_ID/SERVICE_ID not issued to this store")
	}
	return nil
}

func writeOK(w http.ResponseWriter, obj any) { _ = smartro.WriteEnvelope(w, obj) }

func (s *Server) handleTables(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req smartro.WireStoreRequest
	if r := s.decode(body, &req, func() (string, string) { return req.StoreID, req.ServiceID }); r != nil {
		r.write(w)
		return
	}
	s.mu.Lock()
	ans := smartro.WireTablesAnswer{TableList: make([]smartro.WireTable, len(s.tables))}
	for i, t := range s.tables {
		ans.TableList[i] = smartro.WireTable{FloorCode: t.FloorCode, FloorName: t.FloorName, TableCode: t.TableCode, TableName: t.TableName}
	}
	s.mu.Unlock()
	writeOK(w, ans)
}

func (s *Server) handleMenuState(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req smartro.WireMenuStateRequest
	if r := s.decode(body, &req, func() (string, string) { return req.StoreID, req.ServiceID }); r != nil {
		r.write(w)
		return
	}
	var since time.Time
	if req.CheckTime != "" {
		t, err := time.ParseInLocation(smartro.DateTimeLayout, req.CheckTime, kst)
		if err != nil {
			refuse(smartro.CodeInvalidRequest, msgBadRequest, "UPDATE_CHECK_DTIME %q is not yyyyMMddHHmmss", req.CheckTime).write(w)
			return
		}
		since = t
	}
	s.mu.Lock()
	upd := s.menuUpdated
	s.mu.Unlock()
	ans := smartro.WireMenuStateAnswer{Updated: smartro.FlagNo, UpdateTime: upd.In(kst).Format(smartro.DateTimeLayout)}
	if req.CheckTime == "" || upd.After(since) {
		ans.Updated = smartro.FlagYes
	}
	writeOK(w, ans)
}

func (s *Server) handleMenu(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req smartro.WireStoreRequest
	if r := s.decode(body, &req, func() (string, string) { return req.StoreID, req.ServiceID }); r != nil {
		r.write(w)
		return
	}
	s.mu.Lock()
	ans := s.menuWire // replaced, never mutated: safe to encode outside the lock
	s.mu.Unlock()
	writeOK(w, ans)
}

// handleOrder serves PathOrderNew (additional false) and PathOrderAdd (true).
func (s *Server) handleOrder(additional bool) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, _ *http.Request, body []byte) {
		req := new(smartro.WireOrderRequest)
		if r := s.decode(body, req, func() (string, string) { return req.StoreID, req.ServiceID }); r != nil {
			r.write(w)
			return
		}
		s.mu.Lock()
		ans, r := s.placeLocked(req, additional)
		s.mu.Unlock()
		if r != nil {
			r.write(w)
			return
		}
		writeOK(w, ans)
	}
}

// placeLocked applies the order rules, in this order: MCHT_ORDERNO present; de-duplication
// (a live order with the same MCHT_ORDERNO answers again); agent online; business day
// open; request arithmetic; table known; menu (item known, active, add-ons of its groups,
// prices); for an additional order, the table order it adds to; table not occupied.
func (s *Server) placeLocked(req *smartro.WireOrderRequest, additional bool) (smartro.WireOrderAnswer, *refusal) {
	var none smartro.WireOrderAnswer
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
	parsed, _, err := smartro.OrderFromWire(req)
	if err != nil {
		var e *smartro.Error
		msg := err.Error()
		if errors.As(err, &e) {
			msg = e.Message
		}
		return none, refuse(smartro.CodeInvalidRequest, msgBadRequest, "%s", msg)
	}
	if additional && req.Prepaid == smartro.FlagYes {
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
	no := now.In(kst).Format(smartro.DateLayout) + fmt.Sprintf("%06d", s.seq)
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
	o.answer = smartro.WireOrderAnswer{OrderNo: no, OrgOrderNo: org, MerchantOrderNo: req.MerchantOrderNo}
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

func (s *Server) handleTableOrders(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req smartro.WireTableOrdersRequest
	if r := s.decode(body, &req, func() (string, string) { return req.StoreID, req.ServiceID }); r != nil {
		r.write(w)
		return
	}
	ref := smartro.TableRef{FloorCode: req.FloorCode, TableCode: req.TableCode}
	s.mu.Lock()
	if !s.tableSet[ref] {
		s.mu.Unlock()
		refuse(smartro.CodeUnknownTable, msgTable, "no table %s", ref).write(w)
		return
	}
	s.settleLocked(s.clock.Now())
	ans := smartro.WireOrderList{Orders: s.listLocked(ref, TableLookupLimit, nil)}
	s.mu.Unlock()
	writeOK(w, ans)
}

func (s *Server) handleStoreOrders(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req smartro.WireStoreRequest
	if r := s.decode(body, &req, func() (string, string) { return req.StoreID, req.ServiceID }); r != nil {
		r.write(w)
		return
	}
	s.mu.Lock()
	s.settleLocked(s.clock.Now())
	list := make([]smartro.WireLiveOrder, 0)
	for _, t := range s.tables {
		list = s.listLocked(t.Ref(), StoreLookupLimit, list)
	}
	s.mu.Unlock()
	writeOK(w, smartro.WireOrderList{Orders: list})
}

// listLocked appends the newest listed orders of the table (at most limit), newest first.
// Expired orders are never listed. mu held, settled.
func (s *Server) listLocked(ref smartro.TableRef, limit int, dst []smartro.WireLiveOrder) []smartro.WireLiveOrder {
	if dst == nil {
		dst = make([]smartro.WireLiveOrder, 0, limit)
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

func (s *Server) handleCancel(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req smartro.WireCancelRequest
	if r := s.decode(body, &req, func() (string, string) { return req.StoreID, req.ServiceID }); r != nil {
		r.write(w)
		return
	}
	s.mu.Lock()
	r := s.returnLocked(&req)
	s.mu.Unlock()
	if r != nil {
		r.write(w)
		return
	}
	writeOK(w, nil)
}

// returnLocked applies a return request: the order named by ORG_ORDERNO becomes returned
// (SMRO000071). A repeat on a returned order succeeds without change (idempotent).
func (s *Server) returnLocked(req *smartro.WireCancelRequest) *refusal {
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
		if p.Cancelled != smartro.FlagYes {
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
	if o.req.Prepaid == smartro.FlagYes && sum != int64(o.req.PayAmount) {
		return refuse(smartro.CodeInvalidRequest, msgBadRequest, "returned payments total %d, the order was paid %d", sum, o.req.PayAmount)
	}
	o.status = smartro.StatusReturned
	return nil
}
