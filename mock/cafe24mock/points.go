package cafe24mock

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/poskit/poskit/cafe24"
	"github.com/poskit/poskit/internal/cafe24wire"
	"github.com/poskit/poskit/mock"
)

// apiError is a refusal in Cafe24's format.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func refuse(status int, msg string) error { return &apiError{status: status, msg: msg} }

// answer is a typed handler's result: the status and the JSON body.
type answer struct {
	status int
	body   any
}

// codec is Cafe24's wire format as the fake speaks it (mock.Codec): list queries from the
// URL, JSON bodies, Admin API error bodies.
type codec struct{}

func (codec) Decode(r *http.Request, body []byte, v any) error {
	if in, ok := v.(*listIn); ok {
		return in.parse(r)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return refuse(http.StatusBadRequest, "body is not JSON")
	}
	return nil
}

func (codec) Answer(w http.ResponseWriter, v any) {
	a := v.(answer)
	cafe24wire.WriteJSON(w, a.status, a.body)
}

func (codec) Refuse(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = &apiError{status: http.StatusBadRequest, msg: err.Error()}
	}
	cafe24wire.WriteError(w, e.status, strconv.Itoa(e.status), e.msg)
}

// adminAPI wraps an Admin API handler: bearer token (401), API version header (400),
// the mall's leaky bucket (429, X-Api-Call-Limit on every answer) and scope (403).
func (s *Server) adminAPI(scope string, h mock.HandlerFunc) mock.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		now := s.Clock().Now()
		bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		g := s.access[bearer]
		valid := ok && g != nil && now.Before(g.accessExp)
		var scopes []string
		if valid {
			scopes = g.scopes
		}
		limit, full := s.takeLocked(now)
		s.mu.Unlock()
		if limit != "" {
			w.Header().Set(cafe24wire.HeaderCallLimit, limit)
		}
		v := r.Header.Get(cafe24wire.HeaderAPIVersion)
		_, verr := time.Parse(cafe24wire.DateLayout, v)
		switch {
		case !valid:
			cafe24wire.WriteError(w, http.StatusUnauthorized, "401", "Invalid access_token")
		case v != "" && verr != nil:
			cafe24wire.WriteError(w, http.StatusBadRequest, "400", "X-Cafe24-Api-Version is not a date")
		case full:
			cafe24wire.WriteError(w, http.StatusTooManyRequests, "429", "Too Many Requests")
		case !contains(scopes, scope):
			cafe24wire.WriteError(w, http.StatusForbidden, "403", "scope "+scope+" not granted")
		default:
			h(w, r, body)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// takeLocked drains the bucket to now and takes one unit; full says the call overflows it
// (then nothing is taken). limit is the header value ("" with the bucket off).
func (s *Server) takeLocked(now time.Time) (limit string, full bool) {
	if s.o.size <= 0 {
		return "", false
	}
	if el := now.Sub(s.levelAt); el > 0 {
		s.level = math.Max(0, s.level-el.Seconds()*s.o.drain)
		s.levelAt = now
	}
	if s.level+1 > float64(s.o.size)+1e-9 {
		return strconv.Itoa(s.o.size) + "/" + strconv.Itoa(s.o.size), true
	}
	s.level++
	return strconv.Itoa(int(math.Ceil(s.level-1e-9))) + "/" + strconv.Itoa(s.o.size), false
}

// listIn is the query of GET /api/v2/admin/points.
type listIn struct {
	from, to               time.Time
	memberID, email, order string
	groupNo, limit, offset int
}

func (in *listIn) parse(r *http.Request) error {
	q := r.URL.Query()
	var err error
	day := func(k string) time.Time {
		t, e := time.ParseInLocation(cafe24wire.DateLayout, q.Get(k), cafe24.KST)
		if e != nil && err == nil {
			err = refuse(http.StatusUnprocessableEntity, k+" is required as YYYY-MM-DD")
		}
		return t
	}
	num := func(k string, def, lo, hi int) int {
		s := q.Get(k)
		if s == "" {
			return def
		}
		n, e := strconv.Atoi(s)
		if (e != nil || n < lo || n > hi) && err == nil {
			err = refuse(http.StatusUnprocessableEntity, k+" must be "+strconv.Itoa(lo)+"–"+strconv.Itoa(hi))
		}
		return n
	}
	in.from, in.to = day(cafe24wire.QueryStartDate), day(cafe24wire.QueryEndDate)
	in.limit = num(cafe24wire.QueryLimit, 10, 1, cafe24wire.MaxListLimit)
	in.offset = num(cafe24wire.QueryOffset, 0, 0, cafe24wire.MaxListOffset)
	in.groupNo = num(cafe24wire.QueryGroupNo, 0, 0, math.MaxInt32)
	in.memberID, in.email, in.order = q.Get(cafe24wire.QueryMemberID), q.Get(cafe24wire.QueryEmail), q.Get(cafe24wire.QueryOrderID)
	if err == nil && in.to.Before(in.from) {
		err = refuse(http.StatusUnprocessableEntity, "end_date is before start_date")
	}
	return err
}

func (s *Server) listPoints(w http.ResponseWriter, r *http.Request, body []byte) {
	mock.Typed(codec{}, func(_ *http.Request, in listIn) (answer, error) {
		end := in.to.AddDate(0, 0, 1)
		out := make([]cafe24wire.PointRecord, 0, in.limit)
		s.mu.Lock()
		defer s.mu.Unlock()
		skip := in.offset
		for i := range s.records {
			rec := &s.records[i]
			switch {
			case rec.created.Before(in.from), !rec.created.Before(end),
				in.memberID != "" && rec.memberID != in.memberID,
				in.email != "" && rec.email != in.email,
				in.order != "" && rec.orderID != in.order,
				in.groupNo != 0 && rec.groupNo != in.groupNo:
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			out = append(out, rec.wire())
			if len(out) == in.limit {
				break
			}
		}
		return answer{http.StatusOK, cafe24wire.PointsList{Points: &out}}, nil
	})(w, r, body)
}

func (rec *record) wire() cafe24wire.PointRecord {
	f := func(d decimal.Decimal) string { return d.StringFixed(2) }
	return cafe24wire.PointRecord{
		ShopNo: 1, Case: rec.kind, MemberID: rec.memberID, Email: rec.email, GroupName: rec.group,
		AvailablePointsIncrease: f(rec.inc), AvailablePointsDecrease: f(rec.dec), AvailablePointsTotal: f(rec.total),
		UnavailablePointsIncrease: "0.00", UnavailablePointsDecrease: "0.00", UnavailablePointsTotal: "0.00",
		OrderID: rec.orderID, Reason: rec.reason, CreatedDate: rec.created.In(cafe24.KST).Format(cafe24wire.RecordTimeLayout),
	}
}

var maxAmount = decimal.NewFromInt(cafe24.MaxPointsAmount)

func (s *Server) adjustPoints(w http.ResponseWriter, r *http.Request, body []byte) {
	mock.Typed(codec{}, func(_ *http.Request, in cafe24wire.PointsPost) (answer, error) {
		q := in.Request
		amount, err := decimal.NewFromString(q.Amount)
		switch {
		case in.ShopNo > 1 || in.ShopNo < 0:
			return answer{}, refuse(http.StatusNotFound, "shop_no not found")
		case q.MemberID == "":
			return answer{}, refuse(http.StatusUnprocessableEntity, "member_id is required")
		case err != nil || len(q.Amount) > 20:
			return answer{}, refuse(http.StatusUnprocessableEntity, "amount is not a number")
		case amount.Sign() <= 0 || amount.GreaterThan(maxAmount):
			return answer{}, refuse(http.StatusUnprocessableEntity, "amount must be greater than 0 and at most 1000000")
		case !amount.Equal(amount.Truncate(2)):
			return answer{}, refuse(http.StatusUnprocessableEntity, "amount has more than two decimals")
		case q.Type != cafe24wire.PointsIncrease && q.Type != cafe24wire.PointsDecrease:
			return answer{}, refuse(http.StatusUnprocessableEntity, "type must be increase or decrease")
		case len([]rune(q.Reason)) > 255 || len(q.OrderID) > 64:
			return answer{}, refuse(http.StatusUnprocessableEntity, "reason or order_id too long")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		m := s.members[q.MemberID]
		if m == nil {
			return answer{}, refuse(http.StatusNotFound, "member not found")
		}
		rec := record{memberID: m.id, email: m.email, group: m.group, groupNo: m.groupNo,
			orderID: q.OrderID, reason: q.Reason, kind: "manual", created: s.Clock().Now()}
		if q.Type == cafe24wire.PointsDecrease {
			if amount.GreaterThan(m.balance) {
				return answer{}, refuse(http.StatusUnprocessableEntity, "not enough points to decrease")
			}
			m.balance = m.balance.Sub(amount)
			rec.dec = amount
		} else {
			m.balance = m.balance.Add(amount)
			rec.inc = amount
		}
		rec.total = m.balance
		s.records = append(s.records, rec)
		echo := q
		echo.ShopNo = 1
		echo.Amount = amount.StringFixed(2)
		return answer{http.StatusCreated, cafe24wire.PointAnswer{Point: &echo}}, nil
	})(w, r, body)
}

// Member is a member as the fake keeps it.
type Member struct {
	ID      string          `json:"member_id"`
	Email   string          `json:"email,omitempty"`
	Group   string          `json:"group_name,omitempty"`
	Balance decimal.Decimal `json:"balance"`
}

// AddMember adds (or replaces) a member with an opening balance (no record is written for
// it).
func (s *Server) AddMember(id, email string, balance decimal.Decimal) Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &member{id: id, email: email, group: "일반회원", groupNo: 1, balance: balance}
	s.members[id] = m
	return Member{ID: id, Email: email, Group: m.group, Balance: balance}
}

// Balance returns the member's available points and whether the member exists.
func (s *Server) Balance(id string) (decimal.Decimal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.members[id]
	if m == nil {
		return decimal.Zero, false
	}
	return m.balance, true
}

// Credits returns how many increase records carry orderID (a test of exactly-once
// crediting expects 1).
func (s *Server) Credits(orderID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for i := range s.records {
		if s.records[i].orderID == orderID && s.records[i].inc.Sign() > 0 {
			n++
		}
	}
	return n
}

// Records returns the number of point records.
func (s *Server) Records() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// AddRecords writes n increase records of 1.00 for the member (created if unknown) at
// start, start+step, …, with order ids prefix-0, prefix-1, …: a large history to list.
func (s *Server) AddRecords(memberID, prefix string, n int, start time.Time, step time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.members[memberID]
	if m == nil {
		m = &member{id: memberID, group: "일반회원", groupNo: 1}
		s.members[memberID] = m
	}
	one := decimal.NewFromInt(1)
	for i := range n {
		m.balance = m.balance.Add(one)
		s.records = append(s.records, record{memberID: m.id, email: m.email, group: m.group, groupNo: m.groupNo,
			inc: one, total: m.balance, orderID: prefix + "-" + strconv.Itoa(i), reason: "seed", kind: "manual",
			created: start.Add(time.Duration(i) * step)})
	}
}
