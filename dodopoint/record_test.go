package dodopoint

import (
	"testing"
	"time"
)

func TestRecordRoundTrip(t *testing.T) {
	at := time.Date(2026, 5, 5, 9, 0, 0, 123, time.FixedZone("KST", 9*3600))
	recs := []record{
		{kind: KindClaim, state: StateQueued, sale: Sale{PaymentID: "A", Total: 9000, PaidAt: at, Items: []Item{{"x", 4000, 2}, {"y", 1000, 1}}}},
		{kind: KindClaim, state: StateDelivered, compacted: true, sale: Sale{PaymentID: "B", Total: 1, PaidAt: at}},
		{kind: KindClaim, state: StateFailed, compacted: true, sale: Sale{PaymentID: "C", Total: 5, PaidAt: at}, errCode: "INVALID_SALE", errMsg: "no"},
		{kind: KindCancel, state: StateQueued, sale: Sale{PaymentID: "D"}},
		{kind: KindCancel, state: StateCancelledBeforeDelivery, sale: Sale{PaymentID: "E"}},
	}
	for _, r := range recs {
		b := encodeRecord(r)
		got, err := decodeRecord(b)
		if err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
		if got.kind != r.kind || got.state != r.state || got.compacted != r.compacted || got.errCode != r.errCode ||
			got.errMsg != r.errMsg || !got.sale.equal(r.sale, false) {
			t.Fatalf("round trip %+v -> %+v", r, got)
		}
		for i := range b { // every single flipped byte is caught
			c := append([]byte(nil), b...)
			c[i] ^= 0x20
			if _, err := decodeRecord(c); err == nil {
				t.Fatalf("flip at %d of %x accepted", i, b)
			}
		}
		if _, err := decodeRecord(b[:len(b)-1]); err == nil {
			t.Fatal("truncated record accepted")
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	f.Add(encodeRecord(record{kind: KindClaim, state: StateQueued, sale: Sale{PaymentID: "A", Total: 3, PaidAt: at, Items: []Item{{"i", 1, 3}}}}))
	f.Add(encodeRecord(record{kind: KindCancel, state: StateFailed, sale: Sale{PaymentID: "B"}, errCode: "X", errMsg: "m"}))
	f.Add(encodeRecord(record{kind: KindClaim, state: StateDelivered, compacted: true, sale: Sale{PaymentID: "C", Total: 3, PaidAt: at}}))
	f.Add([]byte{})
	f.Add([]byte{1, 1, 1, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeRecord(data)
		if err != nil {
			return
		}
		// Whatever decodes is a valid record that encodes back to the same bytes.
		if r.kind == KindClaim && !r.compacted {
			if err := r.sale.Validate(); err != nil {
				t.Fatalf("decoded an invalid sale: %v", err)
			}
		}
		if err := ValidatePaymentID(r.sale.PaymentID); err != nil {
			t.Fatal(err)
		}
		r2, err := decodeRecord(encodeRecord(r))
		if err != nil || r2.kind != r.kind || r2.state != r.state || !r2.sale.equal(r.sale, false) {
			t.Fatalf("re-encoding changed the record: %v", err)
		}
	})
}
