package openflow

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// This file holds the actions and instructions a chassis's flows carry
// beyond the basic set (OVN's ovn-controller writes most of them):
// ct_clear, dec_ttl with controller ids, MPLS push, pop and TTL,
// check_pkt_larger, the write_actions and clear_actions instructions, and
// RawAction, which keeps what this package cannot name.

// CTClear clears the packet's connection tracking state (ct_clear).
type CTClear struct{}

func (CTClear) String() string { return "ct_clear" }
func (CTClear) appendWire(b []byte, ver Version) []byte {
	return append(nxHeader(b, 16, nxastCTClear), 0, 0, 0, 0, 0, 0)
}

// DecTTLIDs decrements the IP TTL and, when it reaches zero, sends the
// packet to the controllers with these ids: dec_ttl(1,2). With no ids it
// prints dec_ttl(), as Open vSwitch prints it (ovn-controller writes it
// so); ovs-ofctl reads "dec_ttl()" as DecTTL, and so does ParseFlow.
type DecTTLIDs struct{ IDs []uint16 }

func (a DecTTLIDs) String() string {
	ids := make([]string, len(a.IDs))
	for i, id := range a.IDs {
		ids[i] = strconv.Itoa(int(id))
	}
	return "dec_ttl(" + strings.Join(ids, ",") + ")"
}

func (a DecTTLIDs) appendWire(b []byte, ver Version) []byte {
	n := (16 + 2*len(a.IDs) + 7) / 8 * 8
	start := len(b)
	b = nxHeader(b, uint16(n), nxastDecTTLCntIDs)
	b = binary.BigEndian.AppendUint16(b, uint16(len(a.IDs)))
	b = append(b, 0, 0, 0, 0)
	for _, id := range a.IDs {
		b = binary.BigEndian.AppendUint16(b, id)
	}
	for len(b)-start < n {
		b = append(b, 0)
	}
	return b
}

// PushMPLS pushes an MPLS label stack entry (push_mpls:0x8847).
type PushMPLS struct{ EtherType uint16 }

func (a PushMPLS) String() string { return fmt.Sprintf("push_mpls:0x%04x", a.EtherType) }
func (a PushMPLS) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 {
		return append(binary.BigEndian.AppendUint16(nxHeader(b, 16, nxastPushMPLS), a.EtherType), 0, 0, 0, 0)
	}
	return appendEtherTypeAction(b, ofpatPushMPLS, a.EtherType)
}

// PopMPLS pops the outer MPLS label stack entry; EtherType is the
// packet's after it (pop_mpls:0x0800).
type PopMPLS struct{ EtherType uint16 }

func (a PopMPLS) String() string { return fmt.Sprintf("pop_mpls:0x%04x", a.EtherType) }
func (a PopMPLS) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 {
		return append(binary.BigEndian.AppendUint16(nxHeader(b, 16, nxastPopMPLS), a.EtherType), 0, 0, 0, 0)
	}
	return appendEtherTypeAction(b, ofpatPopMPLS, a.EtherType)
}

// DecMPLSTTL decrements the MPLS TTL (dec_mpls_ttl).
type DecMPLSTTL struct{}

func (DecMPLSTTL) String() string { return "dec_mpls_ttl" }
func (DecMPLSTTL) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 {
		return append(nxHeader(b, 16, nxastDecMPLSTTL), 0, 0, 0, 0, 0, 0)
	}
	return append(b, 0, ofpatDecMPLSTTL, 0, 8, 0, 0, 0, 0)
}

// CheckPktLarger stores in one bit of a field whether the packet is
// longer than Len bytes: check_pkt_larger(1500)->NXM_NX_REG0[0].
type CheckPktLarger struct {
	Len uint16
	Dst string // NXM name
	Ofs int
}

func (a CheckPktLarger) String() string {
	return "check_pkt_larger(" + strconv.Itoa(int(a.Len)) + ")->" + formatSubfield(a.Dst, a.Ofs, 1)
}

func (a CheckPktLarger) appendWire(b []byte, ver Version) []byte {
	b = nxHeader(b, 24, nxastCheckPktLarger)
	b = binary.BigEndian.AppendUint16(b, a.Len)
	b = binary.BigEndian.AppendUint16(b, uint16(a.Ofs))
	b = binary.BigEndian.AppendUint32(b, nxmFields[a.Dst].header())
	return append(b, 0, 0, 0, 0, 0, 0)
}

// WriteActions adds actions to the packet's action set (an instruction:
// write_actions(...)), which runs when the pipeline ends.
type WriteActions struct{ Actions []Action }

func (a WriteActions) String() string { return a.formatNamed(nil) }

func (a WriteActions) formatNamed(n PortNames) string {
	return "write_actions(" + actionsNamed(a.Actions, n) + ")"
}

func (a WriteActions) appendWire(b []byte, ver Version) []byte { return b }

// ClearActions empties the packet's action set (an instruction:
// clear_actions).
type ClearActions struct{}

func (ClearActions) String() string                          { return "clear_actions" }
func (ClearActions) appendWire(b []byte, ver Version) []byte { return b }

// RawAction is an action this package cannot name, as the switch sent it
// (type, length and body): a dump keeps it instead of failing, it
// compares by its bytes, and a flow holding it writes it back as it
// came. It prints as unknown_action(HEX), which ParseFlow reads.
type RawAction struct{ Data []byte }

func (a RawAction) String() string { return "unknown_action(" + hex.EncodeToString(a.Data) + ")" }

func (a RawAction) appendWire(b []byte, ver Version) []byte { return append(b, a.Data...) }

// parseRawAction reads unknown_action's bytes: a whole action, its
// length a multiple of 8 and the one its header gives.
func parseRawAction(arg, item string) ([]Action, error) {
	data, err := hex.DecodeString(arg)
	if err != nil || len(data) < 8 || len(data)%8 != 0 || int(binary.BigEndian.Uint16(data[2:])) != len(data) {
		return nil, syntaxf(item, "unknown_action: %q is not one action's bytes", arg)
	}
	return []Action{RawAction{data}}, nil
}

// parseCTZone reads ct's zone: a number or a 16-bit subfield.
func parseCTZone(c *CT, v, item string) error {
	if n, err := strconv.ParseUint(v, 0, 16); err == nil {
		c.Zone = uint16(n)
		return nil
	}
	if !strings.Contains(v, "[") {
		return syntaxf(item, "ct: zone %q is neither a number nor a field", v)
	}
	f, ofs, bits, err := parseSubfield(v)
	if err != nil {
		return err
	}
	if bits != 16 {
		return syntaxf(item, "ct: zone %s is %d bits wide; a zone is 16", v, bits)
	}
	c.ZoneField, c.ZoneOfs = f, ofs
	return nil
}

// parseDecTTL reads dec_ttl's controller ids; "dec_ttl" and "dec_ttl()"
// are OpenFlow's dec_ttl, as ovs-ofctl reads them.
func parseDecTTL(arg, item string) ([]Action, error) {
	if strings.TrimSpace(arg) == "" {
		return []Action{DecTTL{}}, nil
	}
	var a DecTTLIDs
	for _, s := range strings.Split(arg, ",") {
		n, err := strconv.ParseUint(strings.TrimSpace(s), 0, 16)
		if err != nil {
			return nil, syntaxf(item, "dec_ttl: %q is not a controller id", s)
		}
		a.IDs = append(a.IDs, uint16(n))
	}
	return []Action{a}, nil
}

// parseCheckPktLarger reads check_pkt_larger(LEN)->FIELD[BIT] (the
// caller cut it at "(").
func parseCheckPktLarger(arg, item string) ([]Action, error) {
	lens, dst, ok := strings.Cut(arg, ")->")
	n, err := strconv.ParseUint(lens, 0, 16)
	if !ok || err != nil {
		return nil, syntaxf(item, "check_pkt_larger: expected check_pkt_larger(LEN)->FIELD[BIT]")
	}
	f, ofs, bits, err := parseSubfield(dst)
	if err != nil {
		return nil, err
	}
	if bits != 1 {
		return nil, syntaxf(item, "check_pkt_larger: %s is %d bits; the result is one bit", dst, bits)
	}
	return []Action{CheckPktLarger{uint16(n), f, ofs}}, nil
}

// decodeOVNNX decodes the Nicira actions of this file; ok is false for
// another subtype.
func decodeOVNNX(sub uint16, a []byte) (act Action, ok bool, err error) {
	n := len(a)
	short := fmt.Errorf("openflow: Nicira action %d of %d bytes: %w", sub, n, ErrBadMessage)
	switch sub {
	case nxastCTClear:
		return CTClear{}, true, nil
	case nxastDecTTLCntIDs:
		if n < 16 {
			return nil, true, short
		}
		count := int(binary.BigEndian.Uint16(a[10:]))
		if 16+2*count > n {
			return nil, true, short
		}
		ids := make([]uint16, count)
		for i := range ids {
			ids[i] = binary.BigEndian.Uint16(a[16+2*i:])
		}
		return DecTTLIDs{ids}, true, nil
	case nxastCheckPktLarger:
		if n < 24 {
			return nil, true, short
		}
		dst, found := nxmByHeader(binary.BigEndian.Uint32(a[14:]))
		if !found {
			return nil, true, fmt.Errorf("openflow: check_pkt_larger into field %#x: %w", binary.BigEndian.Uint32(a[14:]), ErrUnsupported)
		}
		return CheckPktLarger{binary.BigEndian.Uint16(a[10:]), dst, int(binary.BigEndian.Uint16(a[12:]))}, true, nil
	case nxastController2:
		c, err := decodeController2(a)
		return c, true, err
	}
	return nil, false, nil
}

// Properties of controller(...) in its Nicira form with properties.
const (
	ctlPropMaxLen   = 0
	ctlPropID       = 1
	ctlPropReason   = 2
	ctlPropUserdata = 3
	ctlPropPause    = 4
	ctlPropMeterID  = 5
)

// decodeController2 reads controller(...) with properties.
func decodeController2(a []byte) (Action, error) {
	c := Controller{MaxLen: 0xffff, Reason: 1}
	p := a[16:]
	for len(p) >= 4 {
		typ, n := binary.BigEndian.Uint16(p), int(binary.BigEndian.Uint16(p[2:]))
		if n < 4 || n > len(p) {
			return nil, fmt.Errorf("openflow: controller property of length %d: %w", n, ErrBadMessage)
		}
		v := p[4:n]
		need := map[uint16]int{ctlPropMaxLen: 2, ctlPropID: 2, ctlPropReason: 1, ctlPropMeterID: 4}[typ]
		if len(v) < need {
			return nil, fmt.Errorf("openflow: controller property %d of length %d: %w", typ, n, ErrBadMessage)
		}
		switch typ {
		case ctlPropMaxLen:
			c.MaxLen = binary.BigEndian.Uint16(v)
		case ctlPropID:
			c.ID = binary.BigEndian.Uint16(v)
		case ctlPropReason:
			c.Reason = v[0]
		case ctlPropUserdata:
			c.Userdata = append([]byte(nil), v...)
		case ctlPropPause:
			c.Pause = true
		case ctlPropMeterID:
			c.MeterID = binary.BigEndian.Uint32(v)
		default:
			return nil, fmt.Errorf("openflow: controller property %d: %w", typ, ErrUnsupported)
		}
		p = p[(n+7)/8*8:]
	}
	return c, nil
}

// appendController2 writes controller(...) with properties, each only
// when it differs from its default, as Open vSwitch writes it.
func (a Controller) appendController2(b []byte) []byte {
	start := len(b)
	b = append(nxHeader(b, 0, nxastController2), 0, 0, 0, 0, 0, 0)
	prop := func(typ uint16, v []byte) {
		n := 4 + len(v)
		b = binary.BigEndian.AppendUint16(b, typ)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
		b = append(b, v...)
		for ; n%8 != 0; n++ {
			b = append(b, 0)
		}
	}
	if a.MaxLen != 0xffff {
		prop(ctlPropMaxLen, binary.BigEndian.AppendUint16(nil, a.MaxLen))
	}
	if a.ID != 0 {
		prop(ctlPropID, binary.BigEndian.AppendUint16(nil, a.ID))
	}
	if a.Reason != 1 {
		prop(ctlPropReason, []byte{a.Reason})
	}
	if len(a.Userdata) > 0 {
		prop(ctlPropUserdata, a.Userdata)
	}
	if a.Pause {
		prop(ctlPropPause, nil)
	}
	if a.MeterID != 0 {
		prop(ctlPropMeterID, binary.BigEndian.AppendUint32(nil, a.MeterID))
	}
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

// decodeONFCopyField reads the ONF's copy_field of OpenFlow 1.3 (a move
// written at 1.5 and dumped at 1.3).
func decodeONFCopyField(a []byte) (Action, error) {
	if len(a) < 28 {
		return nil, fmt.Errorf("openflow: copy_field of %d bytes: %w", len(a), ErrBadMessage)
	}
	src, ok1 := nxmByHeader(binary.BigEndian.Uint32(a[20:]))
	dst, ok2 := nxmByHeader(binary.BigEndian.Uint32(a[24:]))
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("openflow: copy_field of unknown fields: %w", ErrUnsupported)
	}
	be16 := func(i int) int { return int(binary.BigEndian.Uint16(a[i:])) }
	return Move{Src: src, Dst: dst, Bits: be16(12), SrcOfs: be16(14), DstOfs: be16(16)}, nil
}
