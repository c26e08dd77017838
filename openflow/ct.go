package openflow

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Nicira's connection-tracking flush messages.
const (
	nxtCTFlushZone = 29
	nxtCTFlush     = 32
)

// CTTuple is one direction of a tracked connection, as ct-flush names it:
// its addresses (IPv4 or IPv6; the zero Addr matches any), its ports, or
// for ICMP its id, type and code.
type CTTuple struct {
	Src, Dst           netip.Addr
	SrcPort, DstPort   uint16
	ICMPID             uint16
	ICMPType, ICMPCode uint8
}

// CTFlush says which tracked connections FlushConntrack removes: those of
// a zone (0 unless set) whose IP protocol (0: any) and original and
// reply directions match.
type CTFlush struct {
	Zone        uint16
	Proto       uint8
	Orig, Reply CTTuple
}

// ParseCTFlush reads ovs-ofctl ct-flush's arguments: an optional
// "zone=N", then the original direction's tuple and the reply's, each
// optional and possibly empty ("ct_nw_src=10.1.1.1,ct_nw_dst=10.1.1.2,
// ct_nw_proto=17,ct_tp_src=1"; ct_ipv6_src/ct_ipv6_dst for IPv6;
// icmp_id, icmp_type, icmp_code for ICMP).
func ParseCTFlush(args ...string) (*CTFlush, error) {
	f := &CTFlush{}
	if len(args) > 0 && strings.HasPrefix(args[0], "zone=") {
		z, err := strconv.ParseUint(strings.TrimPrefix(args[0], "zone="), 0, 16)
		if err != nil {
			return nil, fmt.Errorf("%w: Failed to parse zone", ErrSyntax)
		}
		f.Zone, args = uint16(z), args[1:]
	}
	if len(args) > 2 {
		return nil, fmt.Errorf("%w: ct-flush takes a zone and two tuples at most", ErrSyntax)
	}
	var l3 string
	for i, s := range args {
		t := &f.Orig
		if i == 1 {
			t = &f.Reply
		}
		if s == "" {
			continue
		}
		if err := parseCTTuple(t, s, &f.Proto, &l3); err != nil {
			return nil, fmt.Errorf("%w: Failed to parse ct-tuple: %v", ErrSyntax, err)
		}
	}
	return f, nil
}

// parseCTTuple reads one tuple into t; the IP protocol and the address
// family are the flush's, shared by both tuples.
func parseCTTuple(t *CTTuple, s string, proto *uint8, l3 *string) error {
	for _, kv := range splitTop(s) {
		k, v, _ := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if v == "" {
			return fmt.Errorf("field %s missing value", k)
		}
		bad := fmt.Errorf("failed to parse field %s", k)
		switch k {
		case "ct_nw_src", "ct_nw_dst", "ct_ipv6_src", "ct_ipv6_dst":
			fam := "ipv4"
			if strings.HasPrefix(k, "ct_ipv6") {
				fam = "ipv6"
			}
			if *l3 != "" && *l3 != fam {
				return fmt.Errorf("the L3 protocol does not match %s", v)
			}
			addr := &t.Src
			if strings.HasSuffix(k, "dst") {
				addr = &t.Dst
			}
			if addr.IsValid() {
				return fmt.Errorf("%s is set multiple times", k)
			}
			a, err := netip.ParseAddr(v)
			if err != nil || a.Is4() != (fam == "ipv4") {
				return bad
			}
			*addr, *l3 = a, fam
		case "ct_nw_proto":
			n, err := strconv.ParseUint(v, 0, 8)
			if err != nil {
				return bad
			}
			*proto = uint8(n)
		case "ct_tp_src", "ct_tp_dst":
			n, err := strconv.ParseUint(v, 0, 16)
			if err != nil {
				return bad
			}
			if k == "ct_tp_src" {
				t.SrcPort = uint16(n)
			} else {
				t.DstPort = uint16(n)
			}
		case "icmp_type", "icmp_code", "icmp_id":
			if *proto != ipICMP && *proto != 58 {
				return fmt.Errorf("invalid L4 fields")
			}
			bits := 8
			if k == "icmp_id" {
				bits = 16
			}
			n, err := strconv.ParseUint(v, 0, bits)
			if err != nil {
				return bad
			}
			switch k {
			case "icmp_type":
				t.ICMPType = uint8(n)
			case "icmp_code":
				t.ICMPCode = uint8(n)
			default:
				t.ICMPID = uint16(n)
			}
		default:
			return fmt.Errorf("invalid conntrack tuple field: %s", k)
		}
	}
	if *proto == 0 && (t.SrcPort != 0 || t.DstPort != 0) {
		return fmt.Errorf("port is set without protocol")
	}
	return nil
}

// appendProp appends an OpenFlow 1.4-style property (type, length, value,
// padded to 8 bytes).
func appendProp(b []byte, typ uint16, v []byte) []byte {
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(4+len(v)))
	b = append(b, v...)
	return pad8(b, start)
}

// appendTuple appends a tuple as a nested property of type typ (none if
// the tuple says nothing).
func (t CTTuple) appendTuple(b []byte, typ uint16, proto uint8) []byte {
	var n []byte
	addr := func(a netip.Addr) []byte {
		if a.Is4() {
			a = netip.AddrFrom16(a.As16()) // mapped, as Open vSwitch sends it
		}
		s := a.As16()
		return s[:]
	}
	if t.Src.IsValid() {
		n = appendProp(n, 0, addr(t.Src))
	}
	if t.Dst.IsValid() {
		n = appendProp(n, 1, addr(t.Dst))
	}
	if proto == ipICMP || proto == 58 {
		n = appendProp(n, 4, binary.BigEndian.AppendUint16(nil, t.ICMPID))
		n = appendProp(n, 5, []byte{t.ICMPType})
		n = appendProp(n, 6, []byte{t.ICMPCode})
	} else {
		if t.SrcPort != 0 {
			n = appendProp(n, 2, binary.BigEndian.AppendUint16(nil, t.SrcPort))
		}
		if t.DstPort != 0 {
			n = appendProp(n, 3, binary.BigEndian.AppendUint16(nil, t.DstPort))
		}
	}
	if len(n) == 0 {
		return b
	}
	// A nested property's own properties start 8 bytes in, as Open
	// vSwitch's ofpprop_put_nested lays them out.
	return appendProp(b, typ, append([]byte{0, 0, 0, 0}, n...))
}

// FlushConntrack removes the datapath's tracked connections that f
// matches (Nicira's NXT_CT_FLUSH, Open vSwitch 3.1 and later).
// Equivalent to: ovs-ofctl ct-flush SWITCH [zone=N] [ORIG [REPLY]]
func (c *Conn) FlushConntrack(ctx context.Context, f *CTFlush) error {
	b := appendNXT(nil, nxtCTFlush)
	b = append(b, f.Proto, 0, 0, 0, 0, 0, 0, 0)
	b = f.Orig.appendTuple(b, 0, f.Proto)
	b = f.Reply.appendTuple(b, 1, f.Proto)
	if f.Zone != 0 {
		b = appendProp(b, 2, binary.BigEndian.AppendUint16(nil, f.Zone))
	}
	return c.send(ctx, typeExperimenter, b)
}

// FlushConntrackZone removes every tracked connection of a zone (Nicira's
// NXT_CT_FLUSH_ZONE).
// Equivalent to: ovs-ofctl ct-flush-zone SWITCH ZONE
func (c *Conn) FlushConntrackZone(ctx context.Context, zone uint16) error {
	b := appendNXT(nil, nxtCTFlushZone)
	b = append(b, 0, 0, 0, 0, 0, 0)
	return c.send(ctx, typeExperimenter, binary.BigEndian.AppendUint16(b, zone))
}
