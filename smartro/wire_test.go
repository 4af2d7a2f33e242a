package smartro

import (
	"encoding/json"
	wire "github.com/poskit/poskit/internal/smartrowire"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWireNumDecode(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{`"18000"`, 18000, true},
		{`18000`, 18000, true},
		{`""`, 0, true},
		{`null`, 0, true},
		{`" 12 "`, 12, true},
		{`"-5"`, -5, true},
		{`1000.0`, 1000, true},
		{`"1000.5"`, 0, false},
		{`"abc"`, 0, false},
		{`true`, 0, false},
		{`"9223372036854775808"`, 0, false},
	}
	for _, c := range cases {
		var n wire.Num
		err := json.Unmarshal([]byte(c.in), &n)
		if (err == nil) != c.ok {
			t.Errorf("%s: err=%v, want ok=%v", c.in, err, c.ok)
			continue
		}
		if c.ok && int64(n) != c.want {
			t.Errorf("%s: got %d want %d", c.in, n, c.want)
		}
	}
}

func TestWireNumEncodesString(t *testing.T) {
	b, err := json.Marshal(struct {
		A wire.Num `json:"A"`
	}{-42})
	if err != nil || string(b) != `{"A":"-42"}` {
		t.Fatalf("got %s, %v", b, err)
	}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := wire.WriteEnvelope(rec, wire.TablesAnswer{TableList: []wire.Table{{FloorCode: "0001", TableCode: "0002", TableName: "T2"}}}); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("status %d ctype %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	env, err := wire.DecodeEnvelope(rec.Body.Bytes())
	if err != nil || !env.OK() || env.Result != wire.ResultSuccess {
		t.Fatalf("env %+v err %v", env, err)
	}
	var obj wire.TablesAnswer
	if err := json.Unmarshal(env.Obj, &obj); err != nil || len(obj.TableList) != 1 || obj.TableList[0].TableName != "T2" {
		t.Fatalf("obj %+v err %v", obj, err)
	}
	for _, k := range []string{`"RESULT"`, `"ERRCODE"`, `"MSG"`, `"MSG2"`, `"OBJ"`, `"TABLE_LIST"`, `"FLR_CODE"`, `"TBL_NAME"`} {
		if !strings.Contains(rec.Body.String(), k) {
			t.Errorf("body lacks %s: %s", k, rec.Body.String())
		}
	}

	rec = httptest.NewRecorder()
	_ = wire.WriteErrorEnvelope(rec, 200, CodeOccupied, "테이블 점유중", "잠시 후 재요청")
	env, err = wire.DecodeEnvelope(rec.Body.Bytes())
	if err != nil || env.OK() || env.ErrCode != CodeOccupied || env.Msg2 == "" || env.Obj != nil {
		t.Fatalf("env %+v err %v", env, err)
	}
}

func TestDecodeEnvelopeRejectsNonObjects(t *testing.T) {
	for _, in := range []string{"", "[]", "null", "<html>", `"x"`, `{"RESULT":`} {
		if _, err := wire.DecodeEnvelope([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestLiveOrderFromObservedSample(t *testing.T) {
	// Shape of a lookup answer as observed (numbers as strings, SUCCESS_FLAG empty).
	body := `{"RESULT":"SUCCESS","ERRCODE":"","MSG":"","MSG2":"","OBJ":{"ORDER_LIST":[{"DISC_AMT":"0","FLR_CODE":"0001",
	"ITEM_LIST":[{"ITEM_SEQ":"1","ITEM_ID":"2222245","ITEM_NAME":"돼지불백","SALE_PRICE":"5500","SALE_AMT":"11000","ITEM_CNT":"2","ITEM_SET_GBN":"N",
	"ADDITIVE_ITEM_LIST":[{"ADDITIVE_ID":"1001","ADDITIVE_NAME":"시원함","RULE_ID":"1000","ADDITIVE_PRICE":"500","ADDITIVE_CNT":"1"}]}],
	"MCHT_ORDERNO":"130","MEMB_TEL":"01012349876","ORDERNO":"TO202310180006066","ORDER_DATE":"20231018","ORDER_MEMO":"x",
	"ORDER_PAY_AMT":"11000","ORDER_STATUS":"SMRO000069","ORDER_STATUS_NAME":"완료","ORDER_TIME":"012702",
	"ORD_PAY_LIST":[{"PAY_TYPE":"card","CAN_FLAG":"N","TML_NO":"CAT1","SALE_AMT":11000,"ISTM_TERM":"03","CARD_NO":"9410123456781234","CARD_PAY_TYPE":"I"}],
	"ORG_ORDERNO":"TO202310180006066","ORG_ORDER_PAY_AMT":"11000","POS_ORDERNO":"","PREPAY_FLAG":"Y","SUCCESS_FLAG":"","TBL_CODE":"0002"}]}}`
	env, err := wire.DecodeEnvelope([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var wl wire.OrderList
	if err := json.Unmarshal(env.Obj, &wl); err != nil {
		t.Fatal(err)
	}
	got := liveOrdersFromWire(&wl)
	if len(got) != 1 {
		t.Fatalf("%d orders", len(got))
	}
	o := got[0]
	if o.Status != StatusDone || !o.Status.Open() || !o.Delivered() || o.Amount != 11000 || !o.Prepaid || o.MerchantOrderNo != "130" {
		t.Fatalf("%+v", o)
	}
	if o.OrderedAt.Hour() != 1 || o.OrderedAt.Minute() != 27 || o.OrderedAt.Day() != 18 {
		t.Fatalf("time %v", o.OrderedAt)
	}
	if l := o.Lines[0]; l.Price != 5000 || l.UnitPrice() != 5500 || l.Amount() != 11000 {
		t.Fatalf("line %+v", l)
	}
	p := o.Payments[0]
	if p.Kind != PayCard || p.Card.Installments != 3 || p.Card.Entry != EntryIC || p.Amount != 11000 {
		t.Fatalf("pay %+v", p)
	}
	if s := p.Card.CardNo.String(); s != "************1234" {
		t.Fatalf("masked %q", s)
	}
}
