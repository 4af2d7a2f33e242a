package smartro

import (
	"encoding/json"
	wire "github.com/poskit/poskit/internal/smartrowire"
	"strings"
	"testing"
)

func FuzzDecodeEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"RESULT":"SUCCESS","ERRCODE":"","MSG":"","MSG2":"","OBJ":{"TABLE_LIST":[]}}`,
		`{"RESULT":"FAIL","ERRCODE":"PKT_OCCUPIED","MSG":"점유","MSG2":""}`,
		`{"OBJ":null}`, `[]`, ``, `{"RESULT":1}`, `{"OBJ":[{"ITEM_GROUP_LIST":[]}]}`,
		`{}`, `{"RESULT":"FAIL"}`, `{"RESULT":"SUCCESS"}`, `{"RESULT":"SUCCESS","ERRCODE":""}`, `{"result":"SUCCESS","errcode":""}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := wire.DecodeEnvelope(b)
		if err != nil {
			return
		}
		if keyCount(b, "RESULT") > 1 || keyCount(b, "ERRCODE") > 1 {
			t.Skip("repeated RESULT/ERRCODE members")
		}
		// The client accepts exactly the envelopes that say OK and carry both keys.
		var keys map[string]json.RawMessage
		_ = json.Unmarshal(b, &keys)
		has := func(k string) bool {
			for kk, v := range keys {
				if strings.EqualFold(kk, k) && string(v) != "null" {
					return true
				}
			}
			return false
		}
		e := decodeAnswer(nil, "smartro.Fuzz", 200, b, nil)
		if want := env.OK() && has("RESULT") && has("ERRCODE"); want != (e == nil) {
			t.Fatalf("OK=%v keys=%v but decode err %v", env.OK(), keys, e)
		}
		var m wire.MenuAnswer
		_ = json.Unmarshal(env.Obj, &m)
		_ = menuFromWire(m)
		var tl wire.TablesAnswer
		_ = json.Unmarshal(env.Obj, &tl)
	})
}

func FuzzDecodeOrderLookup(f *testing.F) {
	for _, s := range []string{
		`{"RESULT":"SUCCESS","ERRCODE":"","OBJ":{"ORDER_LIST":[{"ORDERNO":"TO1","MCHT_ORDERNO":"M1","ORDER_STATUS":"SMRO000068","SUCCESS_FLAG":"Y","ORDER_DATE":"20240101","ORDER_TIME":"120000","ORG_ORDER_PAY_AMT":"100","ITEM_LIST":[{"SALE_PRICE":"50","ITEM_CNT":"2","ADDITIVE_ITEM_LIST":[{"ADDITIVE_PRICE":"5"}]}],"ORD_PAY_LIST":[{"PAY_TYPE":"card","ISTM_TERM":"xx","CARD_NO":"1234567890123456"}]}]}}`,
		`{"OBJ":{"ORDER_LIST":null}}`,
		`{"OBJ":{"ORDER_LIST":[{"ORG_ORDER_PAY_AMT":1e400}]}}`,
		`{"OBJ":{"ORDER_LIST":[{"ITEM_LIST":[{"SALE_PRICE":"9223372036854775807","ADDITIVE_ITEM_LIST":[{"ADDITIVE_PRICE":"9223372036854775807","ADDITIVE_CNT":"9223372036854775807"}]}]}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var wl wire.OrderList
		if err := decodeAnswer(nil, "smartro.Fuzz", 200, b, &wl); err != nil {
			return
		}
		for _, o := range liveOrdersFromWire(&wl) {
			_ = o.Delivered()
			_ = o.Status.String()
			for _, p := range o.Payments {
				if p.Card != nil {
					_ = p.Card.CardNo.String()
				}
			}
			for _, l := range o.Lines {
				_ = l.Amount()
			}
		}
	})
}
