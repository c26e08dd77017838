package openflow

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
)

// onfExperimenter is the ONF's experimenter id (OpenFlow 1.3's TCP flags
// field).
const onfExperimenter = 0x4f4e4600

// OXM classes: OpenFlow's basic fields and Nicira's NXM_0 and NXM_1.
const (
	classBasic = 0x8000
	classNXM0  = 0x0000
	classNXM1  = 0x0001
)

// oxmHeader builds an OXM (or NXM) header.
func oxmHeader(class uint16, field uint8, masked bool, length int) uint32 {
	h := uint32(class)<<16 | uint32(field)<<9 | uint32(length)
	if masked {
		h |= 1 << 8
	}
	return h
}

type oxmKey struct {
	class uint16
	field uint8
}

// oxmOf says how an internal field is sent: its class and field number,
// and its size on the wire when that differs from the internal one. The
// numbers are fieldTable's, by the field's name in the match's context
// (nw_src is arp_spa in an ARP match, tp_src is tcp_src, udp_src,
// sctp_src or the ICMP type): its OXM header where it has one, else its
// NXM header, as set_field sends it.
func oxmOf(m *Match, f fid) (k oxmKey, size int) {
	if f == fTCPFlags { // OXM's TCP flags are OpenFlow 1.5's: Nicira's
		h := nxmFields["NXM_NX_TCP_FLAGS"]
		return oxmKey{h.class, h.field}, h.size
	}
	name := wireName(m, f)
	if name == "" {
		return oxmKey{}, 0
	}
	d := setFieldDefs[name]
	return oxmKey{d.class, d.field}, d.size
}

// wireNames are the wire names of the match fields whose name does not
// depend on the rest of the match (built with the table's views, by
// buildWireNames).
var wireNames [nFields]string

func buildWireNames() {
	w := &wireNames
	for name, f := range fieldNames {
		if _, ok := setFieldDefs[name]; ok && w[f] == "" && !contextual[f] {
			w[f] = name
		}
	}
	for i := range 16 {
		w[fReg0+fid(i)] = "reg" + strconv.Itoa(i)
	}
	// Fields with more than one name, and those the table names another
	// way: the name whose header the match sends.
	w[fInPort], w[fDlSrc], w[fDlDst], w[fDlType] = "in_port_oxm", "eth_src", "eth_dst", "eth_type"
	w[fTunID], w[fNwECN], w[fNwFrag], w[fNwTOS] = "tun_id", "nw_ecn", "ip_frag", "ip_dscp"
}

// contextual are the match fields whose wire name depends on the match.
var contextual = [nFields]bool{fNwSrc: true, fNwDst: true, fNwProto: true, fTpSrc: true, fTpDst: true}

// wireName names field f as it is sent in match m ("" if it is not).
func wireName(m *Match, f fid) string {
	if !contextual[f] {
		return wireNames[f]
	}
	t, p := m.dlType(), m.nwProto()
	arp := t == ethARP || t == ethRARP
	src := f == fTpSrc
	switch f {
	case fNwProto:
		if arp {
			return "arp_op"
		}
		return "nw_proto"
	case fNwSrc:
		if arp {
			return "arp_spa"
		}
		return "ip_src"
	case fNwDst:
		if arp {
			return "arp_tpa"
		}
		return "ip_dst"
	}
	pick := func(s, d string) string {
		if src {
			return s
		}
		return d
	}
	switch {
	case p == ipTCP:
		return pick("tcp_src", "tcp_dst")
	case p == ipUDP:
		return pick("udp_src", "udp_dst")
	case p == ipSCTP:
		return pick("sctp_src", "sctp_dst")
	case t == ethIPv6:
		return pick("icmpv6_type", "icmpv6_code")
	}
	return pick("icmp_type", "icmp_code")
}

// wireValue converts a field's value or mask to its wire size; a mask
// widened is all ones in its new bytes.
func wireValue(f fid, b []byte, size int, isMask bool) []byte {
	switch {
	case f == fNwTOS:
		return []byte{b[0] >> 2}
	case len(b) == size:
		return b
	case size < len(b):
		return b[len(b)-size:]
	}
	out := make([]byte, size)
	if isMask {
		for i := range out {
			out[i] = 0xff
		}
	}
	copy(out[size-len(b):], b)
	return out
}

// appendOXMVLAN appends the VLAN match as OXM says it, as Open vSwitch
// writes it: the VLAN id with its "present" bit (OXM_OF_VLAN_VID, masked
// unless it tests all 13 bits), then the priority (OXM_OF_VLAN_PCP) when
// the match tests it on a packet with a VLAN header.
func (m *Match) appendOXMVLAN(b []byte) []byte {
	tci, mask := uint16(m.uint(fVLANTCI)), uint16(m.maskUint(fVLANTCI))
	vid, vmask := tci&0x1fff, mask&0x1fff
	switch {
	case vmask == 0x1fff:
		b = binary.BigEndian.AppendUint32(b, oxmHeader(classBasic, 6, false, 2))
		b = binary.BigEndian.AppendUint16(b, vid)
	case vmask != 0:
		b = binary.BigEndian.AppendUint32(b, oxmHeader(classBasic, 6, true, 4))
		b = binary.BigEndian.AppendUint16(b, vid)
		b = binary.BigEndian.AppendUint16(b, vmask)
	}
	if vid != 0 && mask>>13 != 0 {
		b = binary.BigEndian.AppendUint32(b, oxmHeader(classBasic, 7, false, 1))
		b = append(b, byte(tci>>13))
	}
	return b
}

// appendOXM appends the match's fields as OXM TLVs, prerequisites first
// (Ethernet type, then IP protocol), as a switch requires them.
func (m *Match) appendOXM(b []byte) []byte { return m.appendEntries(b, false) }

// appendEntries appends the match's fields, prerequisites first: as OXM
// TLVs (each field's OXM header where it has one), or with nxm as
// Nicira's NXM (its NXM header where it has one).
func (m *Match) appendEntries(b []byte, nxm bool) []byte {
	if m.ptEth {
		b = binary.BigEndian.AppendUint32(b, oxmHeader(classBasic, 44, false, 4))
		b = binary.BigEndian.AppendUint32(b, ptEthernet)
	}
	for _, f := range m.entryOrder() {
		if !m.has[f] {
			continue
		}
		k, size := oxmOf(m, f)
		if nxm {
			k, size = nxmOf(m, f)
		}
		// Nicira's experimenter OXM: the fields without an NXM header,
		// and dp_hash in OXM.
		if x, ok := nxExpOf[f]; ok && (k.class == 0 && k.field == 0 || !nxm && f == fDpHash) {
			k, size = oxmKey{classNXExp, x}, fieldSize[f]
		}
		v := wireValue(f, m.value(f), size, false)
		mask := wireValue(f, m.maskOf(f), size, true)
		switch {
		case f == fNwTOS && nxm: // NXM_OF_IP_TOS: the DSCP bits in place
			v, mask = []byte{byte(m.uint(fNwTOS))}, []byte{0xff}
		case f == fNwTOS: // OXM's IP_DSCP: exact
			mask = []byte{0xff}
		case f == fVLANTCI && !nxm:
			b = m.appendOXMVLAN(b)
			continue
		case f == fNwFrag: // two bits
			mask = []byte{mask[0] & 3}
			if mask[0] == 3 {
				mask[0] = 0xff
			}
		case f == fCTState: // eight bits of 32: always with its mask, as Open vSwitch writes it
			binary.BigEndian.PutUint32(mask, binary.BigEndian.Uint32(mask)&0xff)
		case f == fIPv6Label:
			mask = []byte{0xff, 0xff, 0xff, 0xff}
			if lm := m.maskUint(fIPv6Label); lm != 0xfffff {
				mask = binary.BigEndian.AppendUint32(nil, uint32(lm))
			}
		}
		masked := !allOnes(mask)
		n := size
		if masked {
			n *= 2
		}
		if k.class == classNXExp {
			b = binary.BigEndian.AppendUint32(b, oxmHeader(0xffff, k.field, masked, 4+n))
			b = binary.BigEndian.AppendUint32(b, nxVendor)
		} else {
			b = binary.BigEndian.AppendUint32(b, oxmHeader(k.class, k.field, masked, n))
		}
		b = append(b, v...)
		if masked {
			b = append(b, mask...)
		}
	}
	b = append(b, m.tunmd...)
	return append(b, m.raw...)
}

// Open vSwitch's order of match entries (nx_put_match's): metadata and
// the input port, Ethernet, VLAN, MPLS, then layer 3 (an ARP's opcode
// before its addresses, an IP packet's protocol after its addresses,
// fragment, DSCP, ECN, TTL and flow label), tunnels, registers, the
// connection tracker's fields, the metadata.
var (
	entriesHead = []fid{fDpHash, fRecircID, fConjID, fInPort, fActsetOutput, fDlSrc, fDlDst, fDlType, fVLANTCI,
		fMPLSTC, fMPLSBOS, fMPLSTTL, fMPLSLabel}
	entriesIP = []fid{fNwSrc, fNwDst, fIPv6Src, fIPv6Dst, fNwFrag, fNwTOS, fNwECN, fNwTTL, fIPv6Label,
		fNwProto, fTpSrc, fTpDst, fTCPFlags, fNDTarget, fNDSLL, fNDTLL}
	entriesARP  = []fid{fNwProto, fNwSrc, fNwDst, fArpSHA, fArpTHA}
	entriesTail = []fid{fTunID, fTunFlags, fTunSrc, fTunDst, fTunIPv6Src, fTunIPv6Dst, fTunGBPID, fTunGBPFlags,
		fTunErspanIdx, fTunErspanVer, fTunErspanDir, fTunErspanHwid,
		fReg0, fReg1, fReg2, fReg3, fReg4, fReg5, fReg6, fReg7, fReg8, fReg9, fReg10, fReg11, fReg12, fReg13, fReg14, fReg15,
		fPktMark, fCTState, fCTZone, fCTMark, fCTLabel, fCTNwSrc, fCTIPv6Src, fCTNwDst, fCTIPv6Dst, fCTNwProto,
		fCTTpSrc, fCTTpDst, fMetadata}
)

// entryOrder is the order in which the match's entries go.
func (m *Match) entryOrder() []fid {
	if t := m.dlType(); m.has[fDlType] && (t == ethARP || t == ethRARP) {
		return orderARP
	}
	return orderIP
}

// orderIP and orderARP are the entries' orders: every field once.
var orderIP, orderARP = buildOrder(false), buildOrder(true)

func buildOrder(arp bool) []fid {
	order := append([]fid(nil), entriesHead...)
	if arp {
		order = append(order, entriesARP...)
	}
	order = append(order, entriesIP...)
	order = append(order, entriesTail...)
	var seen [nFields]bool
	out := make([]fid, 0, nFields)
	for _, f := range order {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for f := range nFields { // any field not placed above, last
		if !seen[f] {
			out = append(out, f)
		}
	}
	return out
}

// parseRaw reads unknown_field's bytes: whole OXM entries.
func (m *Match) parseRaw(s, item string) error {
	raw, err := hex.DecodeString(s)
	if err != nil {
		return syntaxf(item, "unknown_field: bad hex")
	}
	for p := raw; len(p) > 0; {
		if len(p) < 4 || len(p) < 4+int(p[3]) || p[3] == 0 {
			return syntaxf(item, "unknown_field: not whole OXM entries")
		}
		p = p[4+int(p[3]):]
	}
	m.raw += string(raw)
	return nil
}

// appendMatch appends an OpenFlow 1.3 ofp_match (type OXM), padded to 8.
func (m *Match) appendMatch(b []byte) []byte {
	start := len(b)
	b = append(b, 0, 1, 0, 0) // type OFPMT_OXM, length
	b = m.appendOXM(b)
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	for (len(b)-start)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// decodeOXM reads OXM TLVs into the match.
func (m *Match) decodeOXM(b []byte) error {
	var vid, vidMask, pcp uint64
	var hasVID, hasPCP bool
	for len(b) > 0 {
		if len(b) < 4 {
			return fmt.Errorf("openflow: truncated OXM header: %w", ErrBadMessage)
		}
		h := binary.BigEndian.Uint32(b)
		class, field, masked, n := uint16(h>>16), uint8(h>>9&0x7f), h&0x100 != 0, int(h&0xff)
		if len(b) < 4+n || n == 0 {
			return fmt.Errorf("openflow: truncated OXM field %#x: %w", h, ErrBadMessage)
		}
		entry := b[:4+n]
		body := b[4 : 4+n]
		b = b[4+n:]
		var exp uint32
		if class == 0xffff { // experimenter OXM: its id first
			if n < 4 {
				return fmt.Errorf("openflow: truncated experimenter OXM: %w", ErrBadMessage)
			}
			exp, body = binary.BigEndian.Uint32(body), body[4:]
			n -= 4
		}
		if n == 0 || (masked && n%2 != 0) {
			return fmt.Errorf("openflow: OXM field %#x of %d bytes: %w", h, n, ErrBadMessage)
		}
		size := n
		if masked {
			size = n / 2
		}
		v := body[:size]
		mask := make([]byte, size)
		if masked {
			copy(mask, body[size:])
		} else {
			for i := range mask {
				mask[i] = 0xff
			}
		}
		switch {
		case class == classBasic && field == 44 && !masked && beUint(v) == ptEthernet: // packet_type: Ethernet, the default
			continue
		case class == 0xffff && exp == onfExperimenter && field == 42, // ONF's TCP flags
			class == classBasic && field == 42: // OpenFlow 1.5's
			m.set(fTCPFlags, v, mask)
			continue
		case class == 0xffff && exp == onfExperimenter && field == 43: // ONF's ACTSET_OUTPUT, OpenFlow 1.3's
			m.set(fActsetOutput, v, mask)
			continue
		case class == classBasic && field == 6: // VLAN_VID
			hasVID, vid, vidMask = true, beUint(v), beUint(mask)&0x1fff
			if vidMask == 0 {
				// Tests nothing but that the packet is Ethernet, as
				// Open vSwitch reads it.
				hasVID, m.ptEth = false, true
			}
			continue
		case class == classBasic && field == 7: // VLAN_PCP
			hasPCP, pcp = true, beUint(v)
			continue
		case class == 0x8001 && field < 8 && size == 8: // OpenFlow 1.5's xregN: reg2N and reg2N+1
			for half := range 2 {
				if mk := mask[4*half : 4*half+4]; beUint(mk) != 0 {
					m.set(fReg0+fid(2*field)+fid(half), append([]byte(nil), v[4*half:4*half+4]...), append([]byte(nil), mk...))
				}
			}
			continue
		case class == classBasic && field == 8: // IP_DSCP
			m.setUintMasked(fNwTOS, beUint(v)<<2, 0xfc)
			continue
		}
		if variableLength(class, field) {
			m.decodeTunMetadata(field, masked, body)
			continue
		}
		if class == classNXM1 && field == 30 && size == 8 { // NXM_NX_COOKIE (mpls_ttl's number, its own length)
			// Kept as it came, as Open vSwitch writes it back: without
			// its mask when exact, not at all when wild.
			switch {
			case masked && beUint(mask) == 0:
			case masked && beUint(mask) == ^uint64(0):
				m.raw += string(binary.BigEndian.AppendUint32(nil, oxmHeader(class, field, false, 8))) + string(v)
			default:
				m.raw += string(entry)
			}
			continue
		}
		f, ok := decodeField(class, field)
		if class == 0xffff && exp == nxVendor {
			f, ok = nxExpByField[field]
		}
		if !ok {
			// Kept as it came: the flow, and the dump, still decode.
			m.raw += string(entry)
			continue
		}
		vv, mm := make([]byte, fieldSize[f]), make([]byte, fieldSize[f])
		if size < fieldSize[f] { // a narrower wire field: exact in the bytes it lacks
			for i := range mm {
				mm[i] = 0xff
			}
		}
		if f == fInPort && size == 2 { // NXM_OF_IN_PORT: OpenFlow 1.0's 16-bit ports
			binary.BigEndian.PutUint32(vv, port32(binary.BigEndian.Uint16(v)))
			copy(mm, []byte{0xff, 0xff, 0xff, 0xff})
			m.set(f, vv, mm)
			continue
		}
		copy(vv[max(0, fieldSize[f]-size):], v[max(0, size-fieldSize[f]):])
		copy(mm[max(0, fieldSize[f]-size):], mask[max(0, size-fieldSize[f]):])
		if f == fIPv6Label {
			putBeUint(mm, beUint(mm)&0xfffff)
		}
		m.set(f, vv, mm)
	}
	if hasVID || hasPCP {
		tci, mask := vid&vidMask, vidMask
		if !hasVID && hasPCP {
			tci, mask = 0x1000, 0x1000
		}
		if hasPCP {
			tci |= pcp << 13
			mask |= 0xe000
		}
		m.setUintMasked(fVLANTCI, tci, mask)
	}
	return nil
}

// decodeField maps a wire field to the internal one, by fieldTable's
// name for the header.
func decodeField(class uint16, field uint8) (fid, bool) {
	name, ok := setFieldByKey[oxmKey{class, field}]
	if !ok {
		return 0, false
	}
	if f, ok := decodeNames[name]; ok {
		return f, true
	}
	f, ok := fieldNames[name]
	return f, ok
}

// decodeNames are the table's names that the match parser spells
// otherwise.
var decodeNames = map[string]fid{"in_port_oxm": fInPort, "ip_frag": fNwFrag, "nw_tos": fNwTOS, "ip_dscp": fNwTOS}
