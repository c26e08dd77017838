package openflow

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// The text form of NXM and OXM matches that ovs-ofctl's parse-nxm and
// parse-oxm read and print: entries "NAME(VALUE)" or "NAME_W(VALUE/MASK)"
// in hexadecimal, separated by commas; "<any>" for no entry.

// headerNames names each wire header (class and field) as the table
// does: NXM_OF_ETH_TYPE, OXM_OF_ETH_TYPE, ... (built by init).
var headerNames = map[oxmKey]string{}

// onfTCPFlags is OpenFlow 1.3's TCP flags field, an ONF experimenter OXM.
const onfTCPFlags = "ONFOXM_ET_TCP_FLAGS"

// onfActsetOutput is OpenFlow 1.3's action set output field, an ONF
// experimenter OXM.
const onfActsetOutput = "ONFOXM_ET_ACTSET_OUTPUT"

func init() {
	for _, f := range fieldTable {
		for _, h := range f.headers {
			if _, ok := headerNames[oxmKey{h.class, h.field}]; !ok {
				headerNames[oxmKey{h.class, h.field}] = h.name
			}
		}
	}
}

// ParseNXMatch reads a match in NXM/OXM text ("NXM_OF_ETH_TYPE(0800),
// NXM_OF_IP_PROTO(06)"): any field's NXM or OXM name, OpenFlow 1.3's
// ONFOXM_ET_TCP_FLAGS, and tunnel metadata fields of any length. It is
// read as a switch reads the entries, and refused as a switch refuses
// them, with a *SyntaxError whose Msg is the OpenFlow error's name: a
// field it does not know (OFPBMC_BAD_FIELD), one given twice
// (OFPBMC_DUP_FIELD), a value it cannot hold (OFPBMC_BAD_VALUE), bits set
// that the mask leaves out (OFPBMC_BAD_WILDCARDS), a field whose
// prerequisites are missing (OFPBMC_BAD_PREREQ).
func ParseNXMatch(s string) (*Match, error) { return parseNXMatch(s, true) }

// ParseNXMatchLoose is ParseNXMatch as Open vSwitch's loose reader reads:
// a field whose prerequisites are missing is dropped (and the match's
// packet type is then set, as that reader leaves it).
func ParseNXMatchLoose(s string) (*Match, error) { return parseNXMatch(s, false) }

// badValue says whether a value is one its field cannot hold.
func badValue(k oxmKey, v []byte) bool {
	n := beUint(v[:min(len(v), 8)])
	switch setFieldByKey[k] {
	case "nw_tos":
		return n&3 != 0
	case "ip_ecn", "nw_ecn":
		return n > 3
	case "arp_op":
		return n > 0xff
	case "ipv6_label":
		return n > 0xfffff
	case "ip_frag", "nw_frag":
		return n&^3 != 0
	case "ct_state":
		return n&^0xff != 0
	case "vlan_vid": // OXM's: the id and the CFI bit
		return n > 0x1fff
	case "vlan_pcp":
		return n > 7
	case "ip_dscp":
		return n > 63
	}
	return false
}

func parseNXMatch(s string, strict bool) (*Match, error) {
	wire, err := nxTextEntries(s, strict)
	if err != nil {
		return nil, err
	}
	// As a switch checks entries: a value with bits its mask leaves out,
	// and a field given twice, are refused.
	seen := map[oxmKey]bool{}
	for b := wire; len(b) >= 4; {
		h := binary.BigEndian.Uint32(b)
		n := int(h & 0xff)
		k := oxmKey{uint16(h >> 16), uint8(h >> 9 & 0x7f)}
		body, b0 := b[4:4+n], b
		b = b[4+n:]
		if k.class == 0xffff {
			if len(body) >= 4 && binary.BigEndian.Uint32(body) == nxVendor {
				k.class = classNXExp
			}
			body = body[min(4, len(body)):]
		}
		v := body
		if h&0x100 != 0 {
			half := len(body) / 2
			v = body[:half]
			for i := range half {
				if body[i]&^body[half+i] != 0 {
					var exp uint32
					if k.class == 0xffff && n >= 4 {
						exp = binary.BigEndian.Uint32(b0[4:])
					}
					return nil, &SyntaxError{Text: s, Msg: "OFPBMC_BAD_WILDCARDS",
						Entry: fmt.Sprintf("%d:%d:%d:1:%d", exp, k.class, k.field, n)}
				}
			}
		}
		if badValue(k, v) {
			return nil, &SyntaxError{Text: s, Msg: "OFPBMC_BAD_VALUE"}
		}
		if seen[k] {
			return nil, &SyntaxError{Text: s, Msg: "OFPBMC_DUP_FIELD"}
		}
		seen[k] = true
	}
	m := &Match{}
	if err := m.decodeOXM(wire); err != nil {
		return nil, &SyntaxError{Text: s, Msg: err.Error()}
	}
	before := *m
	m.normalize()
	if strict && !contextOK(wire, m) {
		return nil, &SyntaxError{Text: s, Msg: "OFPBMC_BAD_PREREQ"}
	}
	if before != *m {
		if strict {
			return nil, &SyntaxError{Text: s, Msg: "OFPBMC_BAD_PREREQ"}
		}
		// Open vSwitch's loose reader, dropping a field whose
		// prerequisites are missing, leaves the packet type set (to
		// Ethernet).
		m.ptEth = true
	}
	return m, nil
}

// nxTextEntries converts NXM/OXM text into wire entries.
func nxTextEntries(s string, strict bool) ([]byte, error) {
	s, _, _ = strings.Cut(s, "#") // a comment to the end of the line
	s = strings.TrimSpace(s)
	var b []byte
	if s == "<any>" || s == "" {
		return b, nil
	}
	// Entries are separated by commas, spaces, or both.
	var entries []string
	for rest := s; ; {
		rest = strings.TrimLeft(rest, ", \t")
		if rest == "" {
			break
		}
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			entries = append(entries, rest)
			break
		}
		entries = append(entries, rest[:end+1])
		rest = rest[end+1:]
	}
	for _, e := range entries {
		name, rest, ok := strings.Cut(e, "(")
		if !ok || !strings.HasSuffix(rest, ")") {
			return nil, syntaxf(e, "expected NAME(VALUE) or NAME_W(VALUE/MASK)")
		}
		rest = strings.TrimSuffix(rest, ")")
		if len(name) == 8 || len(name) == 16 {
			if _, err := hex.DecodeString(name); err == nil {
				// A header given as its number: one this package does not
				// know is a field the switch does not know, which the
				// loose reader skips.
				if !strict {
					continue
				}
				return nil, &SyntaxError{Text: e, Msg: "OFPBMC_BAD_FIELD"}
			}
		}
		masked := false
		if base, ok := strings.CutSuffix(name, "_W"); ok {
			name, masked = base, true
		}
		vs, ms, hasMask := strings.Cut(rest, "/")
		if hasMask != masked {
			return nil, syntaxf(e, "%s: a mask goes with the _W form", name)
		}
		v, err := hex.DecodeString(vs)
		if err != nil {
			return nil, syntaxf(e, "%s: bad hex value", name)
		}
		var mask []byte
		if masked {
			if mask, err = hex.DecodeString(ms); err != nil || len(mask) != len(v) {
				return nil, syntaxf(e, "%s: bad hex mask", name)
			}
		}
		body := append(v, mask...)
		var class uint16
		var field uint8
		var exp []byte
		switch {
		case name == onfTCPFlags, name == onfActsetOutput:
			class, field = 0xffff, 42
			if name == onfActsetOutput {
				field = 43
			}
			exp = binary.BigEndian.AppendUint32(nil, onfExperimenter)
		case nxExpByName[name] != 0 || name == "NXOXM_ET_DP_HASH":
			f := nxExpByField[nxExpByName[name]]
			class, field = 0xffff, nxExpByName[name]
			exp = binary.BigEndian.AppendUint32(nil, nxVendor)
			if len(v) != fieldSize[f] {
				return nil, syntaxf(e, "%s: %d bytes, the field has %d", name, len(v), fieldSize[f])
			}
		default:
			f, ok := nxmFields[name]
			if !ok {
				return nil, syntaxf(e, "%s: unknown field", name)
			}
			class, field = f.class, f.field
			if len(v) != f.size && !variableLength(class, field) {
				return nil, syntaxf(e, "%s: %d bytes, the field has %d", name, len(v), f.size)
			}
		}
		b = binary.BigEndian.AppendUint32(b, oxmHeader(class, field, masked, len(exp)+len(body)))
		b = append(append(b, exp...), body...)
	}
	return b, nil
}

// NXMString is the match as ovs-ofctl's parse-nxm prints it: its NXM
// entries (each field's NXM header where it has one), "<any>" if none.
func (m *Match) NXMString() string {
	return nxText(m.appendEntries(nil, true))
}

// OXMString is the match as ovs-ofctl's parse-oxm prints it for a
// version (1.2 or later): its OXM entries as that version carries them
// (oxmEntries).
func (m *Match) OXMString(ver Version) string { return nxText(m.oxmEntries(ver)) }

// MarshalOXM is the match as a message of a version (1.2 or later)
// carries it: an OXM match (ofp11_match_header, entries as oxmEntries,
// padding to 8 bytes).
func (m *Match) MarshalOXM(ver Version) []byte {
	e := m.oxmEntries(ver)
	b := binary.BigEndian.AppendUint16(nil, 1) // OFPMT_OXM
	b = binary.BigEndian.AppendUint16(b, uint16(4+len(e)))
	return pad8(append(b, e...), 0)
}

// MarshalNXM is the match as Nicira's messages carry it: NXM entries
// (NXMString's), padded to 8 bytes.
func (m *Match) MarshalNXM() []byte { return pad8(m.appendEntries(nil, true), 0) }

// oxmEntries are the match's OXM entries as a version carries them: TCP
// flags Nicira's before 1.3, the ONF's at 1.3 and 1.4, OpenFlow's at
// 1.5; the action set's output port the ONF's before 1.5; at 1.5 the
// registers in pairs, as OpenFlow 1.5's 64-bit packet registers.
func (m *Match) oxmEntries(ver Version) []byte {
	b := m.appendEntries(nil, false)
	var out []byte
	var regs [16]struct{ v, mask uint32 }
	regsAt := -1
	for len(b) >= 4 {
		h := binary.BigEndian.Uint32(b)
		n := int(h & 0xff)
		e := b[:4+n]
		b = b[4+n:]
		k, masked := oxmKey{uint16(h >> 16), uint8(h >> 9 & 0x7f)}, h&0x100 != 0
		switch {
		case k == oxmKey{classNXM1, 34} && ver >= OpenFlow13: // TCP flags
			if ver >= OpenFlow15 {
				out = binary.BigEndian.AppendUint32(out, oxmHeader(classBasic, 42, masked, n))
			} else {
				out = binary.BigEndian.AppendUint32(out, oxmHeader(0xffff, 42, masked, 4+n))
				out = binary.BigEndian.AppendUint32(out, onfExperimenter)
			}
			out = append(out, e[4:]...)
			continue
		case k == oxmKey{classBasic, 43} && ver < OpenFlow15: // ACTSET_OUTPUT
			out = binary.BigEndian.AppendUint32(out, oxmHeader(0xffff, 43, masked, 4+n))
			out = binary.BigEndian.AppendUint32(out, onfExperimenter)
			out = append(out, e[4:]...)
			continue
		case k.class == classNXM1 && k.field < 16 && ver >= OpenFlow15 && (n == 4 || n == 8): // NXM_NX_REGn
			if regsAt < 0 {
				regsAt = len(out)
			}
			r := &regs[k.field]
			r.v, r.mask = binary.BigEndian.Uint32(e[4:]), 0xffffffff
			if masked {
				r.mask = binary.BigEndian.Uint32(e[8:])
			}
			continue
		}
		out = append(out, e...)
	}
	if regsAt < 0 {
		return out
	}
	var xregs []byte
	for x := range 8 {
		hi, lo := regs[2*x], regs[2*x+1]
		if hi.mask == 0 && lo.mask == 0 {
			continue
		}
		v, mask := uint64(hi.v)<<32|uint64(lo.v), uint64(hi.mask)<<32|uint64(lo.mask)
		masked := mask != ^uint64(0)
		n := 8
		if masked {
			n = 16
		}
		xregs = binary.BigEndian.AppendUint32(xregs, oxmHeader(classPktReg, uint8(x), masked, n))
		xregs = binary.BigEndian.AppendUint64(xregs, v)
		if masked {
			xregs = binary.BigEndian.AppendUint64(xregs, mask)
		}
	}
	return append(out[:regsAt:regsAt], append(xregs, out[regsAt:]...)...)
}

// nxText prints wire entries as NXM/OXM text.
func nxText(b []byte) string {
	var parts []string
	for len(b) >= 4 {
		h := binary.BigEndian.Uint32(b)
		class, field, masked, n := uint16(h>>16), uint8(h>>9&0x7f), h&0x100 != 0, int(h&0xff)
		if 4+n > len(b) {
			break
		}
		body := b[4 : 4+n]
		b = b[4+n:]
		name, ok := headerNames[oxmKey{class, field}]
		if variableLength(class, field) {
			name, ok = fmt.Sprintf("NXM_NX_TUN_METADATA%d", int(field)-tunMetadataField), true
		}
		if class == classNXM1 && field == 30 && len(body) >= 8 { // shares mpls_ttl's number
			name, ok = "NXM_NX_COOKIE", true
		}
		if class == 0xffff && len(body) >= 4 && binary.BigEndian.Uint32(body) == onfExperimenter && field == 42 {
			name, ok, body = onfTCPFlags, true, body[4:]
		}
		if class == 0xffff && len(body) >= 4 && binary.BigEndian.Uint32(body) == onfExperimenter && field == 43 {
			name, ok, body = onfActsetOutput, true, body[4:]
		}
		if class == 0xffff && len(body) >= 4 && binary.BigEndian.Uint32(body) == nxVendor {
			if n, known := headerNames[oxmKey{classNXExp, field}]; known {
				name, ok, body = n, true, body[4:]
			}
		}
		if !ok {
			name = fmt.Sprintf("%d:%d", class, field)
		}
		if masked {
			half := len(body) / 2
			parts = append(parts, fmt.Sprintf("%s_W(%x/%x)", name, body[:half], body[half:]))
		} else {
			parts = append(parts, fmt.Sprintf("%s(%x)", name, body))
		}
	}
	if len(parts) == 0 {
		return "<any>"
	}
	return strings.Join(parts, ", ")
}

// oxmVLANPresent says whether OXM entries have a VLAN_VID that says a
// VLAN header is present (its CFI bit set, in value and mask).
func oxmVLANPresent(wire []byte) bool {
	for b := wire; len(b) >= 4; {
		h := binary.BigEndian.Uint32(b)
		n := int(h & 0xff)
		if uint16(h>>16) == classBasic && uint8(h>>9&0x7f) == 6 && n >= 2 {
			v, mask := binary.BigEndian.Uint16(b[4:]), uint16(0xffff)
			if h&0x100 != 0 && n >= 4 {
				mask = binary.BigEndian.Uint16(b[6:])
			}
			return v&mask&0x1000 != 0
		}
		b = b[4+n:]
	}
	return false
}

// contextOK checks what normalize cannot see, the match holding one
// field under several names: each entry of the fields whose name depends
// on the packet (an IP or ARP address, a transport port, an ICMP type)
// is the field the match's Ethernet type and protocol make it, and the
// neighbor discovery fields go with the ICMPv6 types that carry them.
func contextOK(wire []byte, m *Match) bool {
	names := map[string]bool{}
	for b := wire; len(b) >= 4; {
		h := binary.BigEndian.Uint32(b)
		names[setFieldByKey[oxmKey{uint16(h >> 16), uint8(h >> 9 & 0x7f)}]] = true
		b = b[4+int(h&0xff):]
	}
	for name := range names {
		f, ok := fieldNames[name]
		if !ok || !contextual[f] || name == "nw_proto" {
			continue
		}
		if wireName(m, f) != name {
			return false
		}
	}
	// OXM's VLAN_PCP needs a VLAN header: a VLAN_VID entry with its CFI
	// bit.
	if names["vlan_pcp"] && !oxmVLANPresent(wire) {
		return false
	}
	t := m.uint(fTpSrc)
	switch {
	case names["nd_sll"] && t != 135, names["nd_tll"] && t != 136, names["nd_target"] && t != 135 && t != 136:
		return false
	}
	return true
}
