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
// read as a switch reads the entries: each must be as long as its field,
// and a field whose prerequisites are missing is dropped.
func ParseNXMatch(s string) (*Match, error) {
	wire, err := nxTextEntries(s)
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
		body := b[4 : 4+n]
		b = b[4+n:]
		if k.class == 0xffff {
			body = body[min(4, len(body)):]
		}
		if h&0x100 != 0 {
			half := len(body) / 2
			for i := range half {
				if body[i]&^body[half+i] != 0 {
					return nil, &SyntaxError{Text: s, Msg: "OFPBMC_BAD_WILDCARDS"}
				}
			}
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
	// Open vSwitch's reader, dropping a field whose prerequisites are
	// missing, leaves the match's packet type set (to Ethernet).
	m.ptEth = before != *m
	return m, nil
}

// nxTextEntries converts NXM/OXM text into wire entries.
func nxTextEntries(s string) ([]byte, error) {
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
		case name == onfTCPFlags:
			class, field = 0xffff, 42
			exp = binary.BigEndian.AppendUint32(nil, onfExperimenter)
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
// version (1.2 or later): OXM entries, TCP flags as that version
// carries them (Nicira's before 1.3, the ONF's at 1.3 and 1.4, OpenFlow's
// at 1.5).
func (m *Match) OXMString(ver Version) string {
	b := m.appendEntries(nil, false)
	var out []byte
	for len(b) >= 4 {
		h := binary.BigEndian.Uint32(b)
		n := int(h & 0xff)
		e := b[:4+n]
		b = b[4+n:]
		if k := (oxmKey{uint16(h >> 16), uint8(h >> 9 & 0x7f)}); k == (oxmKey{classNXM1, 34}) && ver >= OpenFlow13 {
			masked := h&0x100 != 0
			if ver >= OpenFlow15 {
				out = binary.BigEndian.AppendUint32(out, oxmHeader(classBasic, 42, masked, n))
			} else {
				out = binary.BigEndian.AppendUint32(out, oxmHeader(0xffff, 42, masked, 4+n))
				out = binary.BigEndian.AppendUint32(out, onfExperimenter)
			}
			out = append(out, e[4:]...)
			continue
		}
		out = append(out, e...)
	}
	return nxText(out)
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
		if class == 0xffff && len(body) >= 4 && binary.BigEndian.Uint32(body) == onfExperimenter && field == 42 {
			name, ok, body = onfTCPFlags, true, body[4:]
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
