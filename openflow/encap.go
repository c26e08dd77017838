package openflow

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Open vSwitch's actions that add and remove whole headers (NSH,
// Ethernet, MPLS) and NSH's TTL, with ovs-ofctl's syntax.

// Packet types (OpenFlow 1.5's: name space << 16 | type) of the headers
// encap adds, and decap's "the next protocol's".
const (
	ptEthernet  = 0x00000000
	ptUseNext   = 0x0000fffe
	ptNSH       = 0x0001894f
	ptMPLS      = 0x00018847
	ptMPLSMcast = 0x00018848
)

var encapHeaders = map[string]uint32{"ethernet": ptEthernet, "nsh": ptNSH, "mpls": ptMPLS, "mpls_mc": ptMPLSMcast}

// Encap adds a header: encap(ethernet), encap(nsh(md_type=1)),
// encap(nsh(md_type=2,tlv(0x1000,10,0x12345678))), encap(mpls).
type Encap struct {
	// Header is "ethernet", "nsh", "mpls" or "mpls_mc".
	Header string
	// MDType is NSH's metadata type (0: not given); TLVs are its
	// metadata of type 2.
	MDType uint8
	TLVs   []NSHTLV
	// hdrSize is the header size the switch reported (kept for writing
	// the action back as it came).
	hdrSize uint16
}

// NSHTLV is one NSH metadata TLV of encap(nsh(...,tlv(CLASS,TYPE,VALUE))).
type NSHTLV struct {
	Class uint16
	Type  uint8
	Value []byte
}

func (a Encap) String() string {
	var props []string
	if a.MDType != 0 {
		props = append(props, "md_type="+strconv.Itoa(int(a.MDType)))
	}
	for _, t := range a.TLVs {
		props = append(props, fmt.Sprintf("tlv(0x%04x,%d,%s)", t.Class, t.Type, putHex(t.Value)))
	}
	if len(props) == 0 {
		return "encap(" + a.Header + ")"
	}
	return "encap(" + a.Header + "(" + strings.Join(props, ",") + "))"
}

// Properties of encap's NSH class.
const (
	edClassNSH  = 4
	edNSHMDType = 1
	edNSHTLV    = 2
)

func (a Encap) appendWire(b []byte, ver Version) []byte {
	start := len(b)
	b = nxHeader(b, 0, nxastEncap)
	b = binary.BigEndian.AppendUint16(b, a.hdrSize)
	b = binary.BigEndian.AppendUint32(b, encapHeaders[a.Header])
	if a.MDType != 0 {
		b = append(b, 0, edClassNSH, edNSHMDType, 5, a.MDType, 0, 0, 0)
	}
	for _, t := range a.TLVs {
		padded := (len(t.Value) + 7) / 8 * 8
		b = append(b, 0, edClassNSH, edNSHTLV, byte(8+padded))
		b = binary.BigEndian.AppendUint16(b, t.Class)
		b = append(b, t.Type, byte(len(t.Value)))
		b = append(b, t.Value...)
		b = append(b, make([]byte, padded-len(t.Value))...)
	}
	for (len(b)-start)%8 != 0 {
		b = append(b, 0)
	}
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

// Decap removes the outer header; PacketType is the packet's type after
// it, or ptUseNext (decap()): the removed header's next protocol.
type Decap struct{ PacketType uint32 }

func (a Decap) String() string {
	if a.PacketType == ptUseNext {
		return "decap()"
	}
	return fmt.Sprintf("decap(packet_type(ns=%d,type=%#x))", a.PacketType>>16, a.PacketType&0xffff)
}

func (a Decap) appendWire(b []byte, ver Version) []byte {
	b = append(nxHeader(b, 16, nxastDecap), 0, 0)
	return binary.BigEndian.AppendUint32(b, a.PacketType)
}

// DecNSHTTL decrements NSH's TTL (dec_nsh_ttl).
type DecNSHTTL struct{}

func (DecNSHTTL) String() string { return "dec_nsh_ttl" }
func (DecNSHTTL) appendWire(b []byte, ver Version) []byte {
	return append(nxHeader(b, 16, nxastDecNSHTTL), 0, 0, 0, 0, 0, 0)
}

// parseEncap reads encap's argument: HEADER or HEADER(PROPS).
func parseEncap(arg, item string) ([]Action, error) {
	hdr, props, hasProps := strings.Cut(arg, "(")
	a := Encap{Header: hdr}
	if _, ok := encapHeaders[hdr]; !ok {
		return nil, syntaxf(item, "Encap: unknown header %s", hdr)
	}
	if !hasProps {
		return []Action{a}, nil
	}
	if hdr != "nsh" || !strings.HasSuffix(props, ")") {
		return nil, syntaxf(item, "encap: properties are only for nsh(...)")
	}
	for _, p := range splitTop(strings.TrimSuffix(props, ")")) {
		p = strings.TrimSpace(p)
		if v, ok := strings.CutPrefix(p, "md_type="); ok {
			n, err := strconv.ParseUint(v, 0, 8)
			if err != nil || n < 1 || n > 2 {
				return nil, syntaxf(item, "encap: md_type %q: want 1 or 2", v)
			}
			a.MDType = uint8(n)
			continue
		}
		if v, ok := strings.CutPrefix(p, "tlv("); ok && strings.HasSuffix(v, ")") {
			f := strings.Split(strings.TrimSuffix(v, ")"), ",")
			class, err1 := strconv.ParseUint(strings.TrimSpace(f[0]), 0, 16)
			var typ uint64
			var err2 error = fmt.Errorf("missing")
			var val []byte
			err3 := fmt.Errorf("missing")
			if len(f) == 3 {
				typ, err2 = strconv.ParseUint(strings.TrimSpace(f[1]), 0, 8)
				h := strings.TrimPrefix(strings.TrimSpace(f[2]), "0x")
				if len(h)%2 == 1 {
					h = "0" + h
				}
				val, err3 = hex.DecodeString(h)
			}
			if err1 != nil || err2 != nil || err3 != nil || len(val) > 127 {
				return nil, syntaxf(item, "encap: %s: want tlv(CLASS,TYPE,VALUE)", p)
			}
			a.TLVs = append(a.TLVs, NSHTLV{uint16(class), uint8(typ), val})
			continue
		}
		return nil, syntaxf(item, "encap: unknown property %s", p)
	}
	return []Action{a}, nil
}

// parseDecap reads decap's argument: empty, or packet_type(ns=N,type=T).
func parseDecap(arg, item string) ([]Action, error) {
	if strings.TrimSpace(arg) == "" {
		return []Action{Decap{ptUseNext}}, nil
	}
	inner, ok := strings.CutPrefix(arg, "packet_type(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return nil, syntaxf(item, "decap: want decap() or decap(packet_type(ns=N,type=T))")
	}
	var ns, typ uint64
	var okNS, okType bool
	for _, kv := range keyValues(strings.TrimSuffix(inner, ")")) {
		n, err := strconv.ParseUint(kv[1], 0, 16)
		if err != nil {
			return nil, syntaxf(item, "decap: %s=%s is not a number", kv[0], kv[1])
		}
		switch kv[0] {
		case "ns":
			ns, okNS = n, true
		case "type":
			typ, okType = n, true
		default:
			return nil, syntaxf(item, "decap: unknown key %s", kv[0])
		}
	}
	if !okNS || !okType {
		return nil, syntaxf(item, "decap: packet_type needs ns and type")
	}
	return []Action{Decap{uint32(ns)<<16 | uint32(typ)}}, nil
}

// decodeEncapNX decodes the actions of this file; ok is false for another
// subtype.
func decodeEncapNX(sub uint16, a []byte) (act Action, ok bool, err error) {
	switch sub {
	case nxastDecNSHTTL:
		return DecNSHTTL{}, true, nil
	case nxastDecap:
		return Decap{binary.BigEndian.Uint32(a[12:])}, true, nil
	case nxastEncap:
		pt := binary.BigEndian.Uint32(a[12:])
		e := Encap{hdrSize: binary.BigEndian.Uint16(a[10:])}
		for name, t := range encapHeaders {
			if t == pt {
				e.Header = name
			}
		}
		if e.Header == "" {
			return nil, true, fmt.Errorf("openflow: encap of packet type %#x: %w", pt, ErrUnsupported)
		}
		p := a[16:]
		for len(p) >= 4 && !(p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0) {
			class, typ, n := binary.BigEndian.Uint16(p), p[2], int(p[3])
			padded := (n + 7) / 8 * 8
			if n < 4 || padded > len(p) || class != edClassNSH {
				return nil, true, fmt.Errorf("openflow: encap property class %d of %d bytes: %w", class, n, ErrUnsupported)
			}
			switch {
			case typ == edNSHMDType && n >= 5:
				e.MDType = p[4]
			case typ == edNSHTLV && n >= 8 && 8+int(p[7]) <= n:
				e.TLVs = append(e.TLVs, NSHTLV{binary.BigEndian.Uint16(p[4:]), p[6], append([]byte(nil), p[8:8+int(p[7])]...)})
			default:
				return nil, true, fmt.Errorf("openflow: encap property %d: %w", typ, ErrUnsupported)
			}
			p = p[padded:]
		}
		return e, true, nil
	}
	return nil, false, nil
}
