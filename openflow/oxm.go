package openflow

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
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
// and its size on the wire when that differs from the internal one.
func oxmOf(m *Match, f fid) (k oxmKey, size int) {
	size = fieldSize[f]
	t, p := m.dlType(), m.nwProto()
	arp := t == ethARP || t == ethRARP
	switch {
	case f >= fReg0 && f <= fReg15:
		return oxmKey{classNXM1, uint8(f - fReg0)}, size
	}
	switch f {
	case fInPort:
		return oxmKey{classBasic, 0}, size
	case fMetadata:
		return oxmKey{classBasic, 2}, size
	case fDlDst:
		return oxmKey{classBasic, 3}, size
	case fDlSrc:
		return oxmKey{classBasic, 4}, size
	case fDlType:
		return oxmKey{classBasic, 5}, size
	case fVLANTCI:
		return oxmKey{classNXM0, 4}, size
	case fNwTOS:
		return oxmKey{classBasic, 8}, 1
	case fNwECN:
		return oxmKey{classBasic, 9}, 1
	case fNwProto:
		if arp {
			return oxmKey{classBasic, 21}, 2
		}
		return oxmKey{classBasic, 10}, 1
	case fNwSrc:
		if arp {
			return oxmKey{classBasic, 22}, size
		}
		return oxmKey{classBasic, 11}, size
	case fNwDst:
		if arp {
			return oxmKey{classBasic, 23}, size
		}
		return oxmKey{classBasic, 12}, size
	case fTpSrc, fTpDst:
		d := uint8(0)
		if f == fTpDst {
			d = 1
		}
		switch {
		case p == ipTCP:
			return oxmKey{classBasic, 13 + d}, size
		case p == ipUDP:
			return oxmKey{classBasic, 15 + d}, size
		case p == ipSCTP:
			return oxmKey{classBasic, 17 + d}, size
		case t == ethIPv6:
			return oxmKey{classBasic, 29 + d}, 1
		default:
			return oxmKey{classBasic, 19 + d}, 1
		}
	case fArpSHA:
		return oxmKey{classBasic, 24}, size
	case fArpTHA:
		return oxmKey{classBasic, 25}, size
	case fIPv6Src:
		return oxmKey{classBasic, 26}, size
	case fIPv6Dst:
		return oxmKey{classBasic, 27}, size
	case fIPv6Label:
		return oxmKey{classBasic, 28}, size
	case fTunID:
		return oxmKey{classBasic, 38}, size
	case fNwTTL:
		return oxmKey{classNXM1, 29}, size
	case fTunSrc:
		return oxmKey{classNXM1, 31}, size
	case fTunDst:
		return oxmKey{classNXM1, 32}, size
	case fPktMark:
		return oxmKey{classNXM1, 33}, size
	case fConjID:
		return oxmKey{classNXM1, 37}, size
	case fTCPFlags:
		return oxmKey{classNXM1, 34}, size
	case fCTState:
		return oxmKey{classNXM1, 105}, size
	case fCTZone:
		return oxmKey{classNXM1, 106}, size
	case fCTMark:
		return oxmKey{classNXM1, 107}, size
	case fCTLabel:
		return oxmKey{classNXM1, 108}, size
	case fMPLSLabel:
		return oxmKey{classBasic, 34}, size
	case fMPLSTC:
		return oxmKey{classBasic, 35}, size
	case fMPLSBOS:
		return oxmKey{classBasic, 36}, size
	case fMPLSTTL:
		return oxmKey{classNXM1, 30}, size
	case fNDTarget:
		return oxmKey{classBasic, 31}, size
	case fNDSLL:
		return oxmKey{classBasic, 32}, size
	case fNDTLL:
		return oxmKey{classBasic, 33}, size
	case fTunGBPID:
		return oxmKey{classNXM1, 38}, size
	case fTunGBPFlags:
		return oxmKey{classNXM1, 39}, size
	case fTunFlags:
		return oxmKey{classNXM1, 104}, size
	case fNwFrag:
		return oxmKey{classNXM1, 26}, size
	case fCTNwProto:
		return oxmKey{classNXM1, 119}, size
	case fCTNwSrc:
		return oxmKey{classNXM1, 120}, size
	case fCTNwDst:
		return oxmKey{classNXM1, 121}, size
	case fCTIPv6Src:
		return oxmKey{classNXM1, 122}, size
	case fCTIPv6Dst:
		return oxmKey{classNXM1, 123}, size
	case fCTTpSrc:
		return oxmKey{classNXM1, 124}, size
	case fCTTpDst:
		return oxmKey{classNXM1, 125}, size
	case fDpHash:
		return oxmKey{classNXM1, 35}, size
	case fRecircID:
		return oxmKey{classNXM1, 36}, size
	case fTunIPv6Src:
		return oxmKey{classNXM1, 109}, size
	case fTunIPv6Dst:
		return oxmKey{classNXM1, 110}, size
	}
	return oxmKey{}, 0
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

// appendOXM appends the match's fields as OXM TLVs, prerequisites first
// (Ethernet type, then IP protocol), as a switch requires them.
func (m *Match) appendOXM(b []byte) []byte {
	order := make([]fid, 0, nFields)
	order = append(order, fDlType, fNwProto)
	for f := range nFields {
		if f != fDlType && f != fNwProto {
			order = append(order, f)
		}
	}
	for _, f := range order {
		if !m.has[f] {
			continue
		}
		k, size := oxmOf(m, f)
		v := wireValue(f, m.value(f), size, false)
		mask := wireValue(f, m.maskOf(f), size, true)
		if f == fIPv6Label {
			mask = []byte{0xff, 0xff, 0xff, 0xff}
			if lm := m.maskUint(fIPv6Label); lm != 0xfffff {
				mask = binary.BigEndian.AppendUint32(nil, uint32(lm))
			}
		}
		masked := false
		for _, c := range mask {
			if c != 0xff {
				masked = true
			}
		}
		if f == fNwTOS {
			masked = false
		}
		n := size
		if masked {
			n *= 2
		}
		b = binary.BigEndian.AppendUint32(b, oxmHeader(k.class, k.field, masked, n))
		b = append(b, v...)
		if masked {
			b = append(b, mask...)
		}
	}
	return append(b, m.raw...)
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
		case class == classBasic && field == 6: // VLAN_VID
			hasVID, vid, vidMask = true, beUint(v), beUint(mask)&0x1fff
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
		f, ok := decodeField(class, field)
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

// decodeField maps a wire field to the internal one.
func decodeField(class uint16, field uint8) (fid, bool) {
	switch class {
	case classBasic:
		switch field {
		case 0:
			return fInPort, true
		case 2:
			return fMetadata, true
		case 3:
			return fDlDst, true
		case 4:
			return fDlSrc, true
		case 5:
			return fDlType, true
		case 9:
			return fNwECN, true
		case 10, 21:
			return fNwProto, true
		case 11, 22:
			return fNwSrc, true
		case 12, 23:
			return fNwDst, true
		case 13, 15, 17, 19, 29:
			return fTpSrc, true
		case 14, 16, 18, 20, 30:
			return fTpDst, true
		case 24:
			return fArpSHA, true
		case 25:
			return fArpTHA, true
		case 26:
			return fIPv6Src, true
		case 27:
			return fIPv6Dst, true
		case 28:
			return fIPv6Label, true
		case 38:
			return fTunID, true
		case 31:
			return fNDTarget, true
		case 32:
			return fNDSLL, true
		case 33:
			return fNDTLL, true
		case 34:
			return fMPLSLabel, true
		case 35:
			return fMPLSTC, true
		case 36:
			return fMPLSBOS, true
		}
	case classNXM0:
		switch field {
		case 0:
			return fInPort, true
		case 1:
			return fDlDst, true
		case 2:
			return fDlSrc, true
		case 3:
			return fDlType, true
		case 4:
			return fVLANTCI, true
		case 6:
			return fNwProto, true
		case 7, 16:
			return fNwSrc, true
		case 8, 17:
			return fNwDst, true
		case 9, 11, 13:
			return fTpSrc, true
		case 10, 12, 14:
			return fTpDst, true
		case 15:
			return fNwProto, true
		}
	case classNXM1:
		switch {
		case field < 16:
			return fReg0 + fid(field), true
		}
		switch field {
		case 16:
			return fTunID, true
		case 17:
			return fArpSHA, true
		case 18:
			return fArpTHA, true
		case 19:
			return fIPv6Src, true
		case 20:
			return fIPv6Dst, true
		case 21:
			return fTpSrc, true
		case 22:
			return fTpDst, true
		case 27:
			return fIPv6Label, true
		case 28:
			return fNwECN, true
		case 29:
			return fNwTTL, true
		case 31:
			return fTunSrc, true
		case 32:
			return fTunDst, true
		case 33:
			return fPktMark, true
		case 34:
			return fTCPFlags, true
		case 37:
			return fConjID, true
		case 105:
			return fCTState, true
		case 106:
			return fCTZone, true
		case 107:
			return fCTMark, true
		case 108:
			return fCTLabel, true
		case 30:
			return fMPLSTTL, true
		case 38:
			return fTunGBPID, true
		case 39:
			return fTunGBPFlags, true
		case 104:
			return fTunFlags, true
		case 26:
			return fNwFrag, true
		case 35:
			return fDpHash, true
		case 36:
			return fRecircID, true
		case 109:
			return fTunIPv6Src, true
		case 110:
			return fTunIPv6Dst, true
		case 119, 120, 121, 122, 123, 124, 125:
			return []fid{fCTNwProto, fCTNwSrc, fCTNwDst, fCTIPv6Src, fCTIPv6Dst, fCTTpSrc, fCTTpDst}[field-119], true
		}
	}
	return 0, false
}
