package dodopoint

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"time"
)

// State is where one operation (a claim or a cancel) of the outbox stands.
type State uint8

const (
	// StateQueued: on disk, waiting to be delivered (or being retried).
	StateQueued State = iota + 1
	// StateDelivered: the assist program took it (applied, or had applied it before).
	StateDelivered
	// StateCancelledBeforeDelivery: the payment was cancelled while its claim had not
	// reached the program: the claim is never sent, and the cancel that withdrew it is not
	// sent either (there is nothing to void). Both operations end in this state.
	StateCancelledBeforeDelivery
	// StateFailed: the program refused it definitively (see Status.Err).
	StateFailed
)

// String returns "queued", "delivered", "cancelled-before-delivery" or "failed".
func (s State) String() string {
	switch s {
	case StateQueued:
		return "queued"
	case StateDelivered:
		return "delivered"
	case StateCancelledBeforeDelivery:
		return "cancelled-before-delivery"
	case StateFailed:
		return "failed"
	}
	return "none"
}

// Terminal reports whether the state is final (anything but queued).
func (s State) Terminal() bool { return s >= StateDelivered && s <= StateFailed }

// Kind names an outbox operation.
type Kind uint8

const (
	// KindClaim is a claim (적립).
	KindClaim Kind = iota + 1
	// KindCancel is a cancel (적립 취소).
	KindCancel
)

// String returns "claim" or "cancel".
func (k Kind) String() string {
	switch k {
	case KindClaim:
		return "claim"
	case KindCancel:
		return "cancel"
	}
	return "unknown"
}

// record is one operation as the outbox stores it. A claim carries its sale; once it is
// terminal its items are compacted away (compacted true).
type record struct {
	kind      Kind
	state     State
	sale      Sale // claim: full sale; cancel: PaymentID only
	compacted bool
	errCode   string // failed: the refusal's code and message
	errMsg    string
}

const (
	recordVersion = 1
	flagCompacted = 1
	maxErrField   = 1024
)

// encodeRecord writes r in the outbox's binary record format (version 1):
//
//	version kind state flags | uvarint len + payment id
//	claim:  varint total | varint unix ns | varint zone offset s | uvarint n | n × (uvarint len + name | varint price | varint qty)
//	failed: uvarint len + code | uvarint len + message
//	crc32 (IEEE, little endian) of everything before it
func encodeRecord(r record) []byte {
	b := make([]byte, 0, 32+len(r.sale.PaymentID)+len(r.sale.Items)*24)
	flags := byte(0)
	if r.compacted {
		flags |= flagCompacted
	}
	b = append(b, recordVersion, byte(r.kind), byte(r.state), flags)
	b = appendString(b, r.sale.PaymentID)
	if r.kind == KindClaim {
		_, off := r.sale.PaidAt.Zone()
		b = binary.AppendVarint(b, r.sale.Total)
		b = binary.AppendVarint(b, r.sale.PaidAt.UnixNano())
		b = binary.AppendVarint(b, int64(off))
		items := r.sale.Items
		if r.compacted {
			items = nil
		}
		b = binary.AppendUvarint(b, uint64(len(items)))
		for _, it := range items {
			b = appendString(b, it.Name)
			b = binary.AppendVarint(b, it.UnitPrice)
			b = binary.AppendVarint(b, it.Quantity)
		}
	}
	if r.state == StateFailed {
		b = appendString(b, truncate(r.errCode, maxErrField))
		b = appendString(b, truncate(r.errMsg, maxErrField))
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeRecord reads a record written by encodeRecord and checks everything in it: the
// checksum, the version, the kind and state, and the sale as Sale.Validate would. Any bytes
// give a record or an error, never a panic.
func decodeRecord(data []byte) (record, error) {
	var r record
	if len(data) < 4+1+4 {
		return r, fmt.Errorf("record of %d bytes is too short", len(data))
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return r, fmt.Errorf("record checksum mismatch")
	}
	if body[0] != recordVersion {
		return r, fmt.Errorf("record version %d is unknown", body[0])
	}
	r.kind, r.state = Kind(body[1]), State(body[2])
	if r.kind != KindClaim && r.kind != KindCancel {
		return r, fmt.Errorf("record kind %d is unknown", body[1])
	}
	if r.state < StateQueued || r.state > StateFailed {
		return r, fmt.Errorf("record state %d is unknown", body[2])
	}
	if body[3]&^flagCompacted != 0 {
		return r, fmt.Errorf("record flags 0x%02x are unknown", body[3])
	}
	r.compacted = body[3]&flagCompacted != 0
	d := decoder{b: body[4:]}
	r.sale.PaymentID = d.str(MaxPaymentIDLen)
	if r.kind == KindClaim {
		r.sale.Total = d.varint()
		ns := d.varint()
		off := d.varint()
		if d.err == nil && (off < -18*3600 || off > 18*3600) {
			d.fail("zone offset out of range")
		}
		r.sale.PaidAt = time.Unix(0, ns).In(time.FixedZone("", int(off)))
		n := d.uvarint()
		if d.err == nil && (n > MaxItems || n > uint64(len(d.b))) {
			d.fail("item count out of range")
		}
		if d.err == nil && r.compacted && n != 0 {
			d.fail("compacted claim has items")
		}
		for i := uint64(0); i < n && d.err == nil; i++ {
			it := Item{Name: d.str(MaxItemNameLen), UnitPrice: d.varint(), Quantity: d.varint()}
			r.sale.Items = append(r.sale.Items, it)
		}
	} else if r.compacted {
		d.fail("compacted flag on a cancel")
	}
	if r.state == StateFailed {
		r.errCode = d.str(maxErrField)
		r.errMsg = d.str(maxErrField)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail(fmt.Sprintf("%d bytes after the record", len(d.b)))
	}
	if d.err != nil {
		return record{}, d.err
	}
	if r.compacted && r.state == StateQueued {
		return record{}, fmt.Errorf("queued claim is compacted")
	}
	var err error
	switch {
	case r.kind == KindCancel:
		err = checkID("dodopoint.decodeRecord", r.sale.PaymentID)
	case r.compacted:
		s := r.sale
		s.Items = nil
		err = s.check("dodopoint.decodeRecord")
	default:
		err = r.sale.check("dodopoint.decodeRecord")
	}
	if err != nil {
		return record{}, fmt.Errorf("record holds invalid data: %w", err)
	}
	return r, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = fmt.Errorf("record: %s", msg)
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad uvarint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str(max int) string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(max) || n > uint64(len(d.b)) {
		d.fail("string length out of range")
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
