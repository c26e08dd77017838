package openflow

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
)

// Tunnel metadata (tun_metadata0 to tun_metadata63) in a match. Each is
// as long as the switch's TLV map says (up to 124 bytes), which neither
// the text nor the program knows: a match holds each as its shortest
// entry of the same meaning (leading zero bytes dropped, as ovs-ofctl
// sends it), so a flow read from a switch and the same flow read from text
// compare equal.

// tunMetadataIndex is N of "tun_metadataN" (ok false for other names).
func tunMetadataIndex(name string) (int, bool) {
	n, ok := strings.CutPrefix(name, "tun_metadata")
	if !ok || n == "" || len(n) > 1 && n[0] == '0' {
		return 0, false
	}
	i, err := strconv.Atoi(n)
	return i, err == nil && i >= 0 && i < 64
}

// significant is b without its leading zero bytes (nothing if all zero).
func significant(b []byte) []byte {
	for i, c := range b {
		if c != 0 {
			return b[i:]
		}
	}
	return nil
}

// leftPad is b right-aligned in n bytes.
func leftPad(b []byte, n int) []byte {
	out := make([]byte, n)
	copy(out[n-len(b):], b)
	return out
}

// setTunMetadata sets tun_metadataIDX to v (mask nil: exactly, else
// under mask), replacing what the match had for it.
func (m *Match) setTunMetadata(idx int, v, mask []byte) {
	sv := significant(v)
	n := max(len(sv), 1)
	var sm []byte
	if mask != nil {
		sm = significant(mask)
		n = max(n, len(sm))
	}
	entry := binary.BigEndian.AppendUint32(nil, oxmHeader(classNXM1, uint8(tunMetadataField+idx), mask != nil, n*(1+btoi(mask != nil))))
	entry = append(entry, leftPad(sv, n)...)
	if mask != nil {
		entry = append(entry, leftPad(sm, n)...)
	}
	// Entries are kept in index order.
	var out []byte
	placed := false
	for _, e := range m.tunMetadataEntries() {
		if !placed && e.idx > idx {
			out, placed = append(out, entry...), true
		}
		if e.idx != idx {
			out = append(out, e.raw...)
		}
	}
	if !placed {
		out = append(out, entry...)
	}
	m.tunmd = string(out)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// tunMetadataEntry is one tunnel metadata field of a match.
type tunMetadataEntry struct {
	idx        int
	value, raw []byte
	mask       []byte // nil: exact
}

// tunMetadataEntries are the match's tunnel metadata fields, by index.
func (m *Match) tunMetadataEntries() []tunMetadataEntry {
	var out []tunMetadataEntry
	for b := []byte(m.tunmd); len(b) >= 4; {
		h := binary.BigEndian.Uint32(b)
		n := int(h & 0xff)
		e := tunMetadataEntry{idx: int(uint8(h>>9&0x7f)) - tunMetadataField, raw: b[:4+n]}
		if h&0x100 != 0 {
			e.value, e.mask = b[4:4+n/2], b[4+n/2:4+n]
		} else {
			e.value = b[4 : 4+n]
		}
		out = append(out, e)
		b = b[4+n:]
	}
	return out
}

// tunMetadataValue is tun_metadataIDX's value, right-aligned in 124
// bytes (ok false if the match does not test it), for sorting.
func (m *Match) tunMetadataValue(idx int) ([]byte, bool) {
	for _, e := range m.tunMetadataEntries() {
		if e.idx == idx {
			return leftPad(e.value, 124), true
		}
	}
	return nil, false
}

// parseTunMetadata reads "tun_metadataN=VALUE[/MASK]" (hexadecimal or
// decimal, up to 124 bytes).
func (m *Match) parseTunMetadata(idx int, name, value string) error {
	if _, ok := m.tunMetadataValue(idx); ok {
		return syntaxf(name, "field %s set multiple times", name)
	}
	v, mask, err := parseWideMasked(value, 124)
	if err != nil {
		return syntaxf(value, "%s: %v", name, err)
	}
	if !strings.Contains(value, "/") || allOnes(mask) {
		mask = nil
	} else {
		for i := range v {
			v[i] &= mask[i]
		}
	}
	m.setTunMetadata(idx, v, mask)
	return nil
}

// formatTunMetadata prints the fields as ovs-ofctl does
// (tun_metadata0=0xab,tun_metadata1=0xef/0xff,): its dump-flows prints a
// mask that is all ones over the field's shortest form as no mask, its
// diff-flows (diff) prints every mask the switch sent.
func (m *Match) formatTunMetadata(b *strings.Builder, diff bool) {
	for _, e := range m.tunMetadataEntries() {
		b.WriteString("tun_metadata" + strconv.Itoa(e.idx))
		if e.mask != nil && significant(e.mask) == nil {
			b.WriteByte(',')
			continue
		}
		b.WriteString("=" + hexBytes(e.value))
		if e.mask != nil && (diff || !allOnes(e.mask)) {
			b.WriteString("/" + hexBytes(e.mask))
		}
		b.WriteByte(',')
	}
}

// hexBytes is b as Open vSwitch prints a long value: 0x and its hex
// digits without leading zeros, or 0.
func hexBytes(b []byte) string {
	s := significant(b)
	if s == nil {
		return "0"
	}
	h := hex.EncodeToString(s)
	return "0x" + strings.TrimPrefix(h, "0")
}

// decodeTunMetadata reads a tunnel metadata entry of a match from the
// switch (as long as its TLV map says) into its shortest form.
func (m *Match) decodeTunMetadata(field uint8, masked bool, body []byte) {
	if masked {
		m.setTunMetadata(int(field)-tunMetadataField, body[:len(body)/2], body[len(body)/2:])
		return
	}
	m.setTunMetadata(int(field)-tunMetadataField, body, nil)
}
