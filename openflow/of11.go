package openflow

import (
	"encoding/binary"
	"fmt"
)

// OpenFlow 1.1's standard match (ofp11_match, 88 bytes): its wildcard
// bits (the addresses and the metadata have masks instead, with ones
// for the bits that are wild).
const (
	fw11InPort    = 1 << 0
	fw11DlVLAN    = 1 << 1
	fw11DlVLANPCP = 1 << 2
	fw11DlType    = 1 << 3
	fw11NwTOS     = 1 << 4
	fw11NwProto   = 1 << 5
	fw11TpSrc     = 1 << 6
	fw11TpDst     = 1 << 7
	fw11MPLSLabel = 1 << 8
	fw11MPLSTC    = 1 << 9

	std11Len = 88
	// OpenFlow 1.1's VLAN ids with a meaning: no VLAN header, and a
	// header with any id.
	vid11None = 0xffff
	vid11Any  = 0xfffe
)

// MatchError is a standard match that does not decode: the error Open
// vSwitch names for it (OFPBMC_BAD_VALUE, OFPBMC_BAD_FIELD), the field,
// and why. It is an ErrBadMessage.
type MatchError struct {
	Name, Field, Detail string
}

func (e *MatchError) Error() string {
	return fmt.Sprintf("openflow: %s: %s: %s", e.Name, e.Field, e.Detail)
}

// Is makes a MatchError match ErrBadMessage.
func (e *MatchError) Is(target error) bool { return target == ErrBadMessage }

// appendStd11 appends m as OpenFlow 1.1's ofp11_match, as Open vSwitch
// writes any match: what the standard match cannot say is left out.
func (m *Match) appendStd11(b []byte) []byte {
	var e [std11Len]byte
	binary.BigEndian.PutUint16(e[2:], std11Len)
	var w uint32
	u32 := func(f fid) uint32 { return uint32(m.uint(f)) }
	mask32 := func(f fid) uint32 {
		if !m.has[f] {
			return 0
		}
		return uint32(m.maskUint(f))
	}
	if m.has[fInPort] {
		binary.BigEndian.PutUint32(e[4:], u32(fInPort))
	} else {
		w |= fw11InPort
	}
	for i, f := range []fid{fDlSrc, fDlDst} {
		at := 12 + 12*i
		if m.has[f] {
			copy(e[at:], m.value(f))
			for j, c := range m.maskOf(f) {
				e[at+6+j] = ^c
			}
		} else {
			copy(e[at+6:], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		}
	}
	tci, tmask := uint16(m.uint(fVLANTCI)), uint16(m.maskUint(fVLANTCI))
	switch {
	case !m.has[fVLANTCI]:
		w |= fw11DlVLAN | fw11DlVLANPCP
	case tmask&0x1000 != 0 && tci&0x1000 == 0:
		binary.BigEndian.PutUint16(e[36:], vid11None)
		w |= fw11DlVLANPCP
	default:
		if tmask&0xfff == 0 {
			binary.BigEndian.PutUint16(e[36:], vid11Any)
		} else {
			binary.BigEndian.PutUint16(e[36:], tci&0xfff)
		}
		if tmask&0xe000 == 0 {
			w |= fw11DlVLANPCP
		} else {
			e[38] = byte(tci >> 13)
		}
	}
	if m.has[fDlType] {
		binary.BigEndian.PutUint16(e[40:], uint16(m.uint(fDlType)))
	} else {
		w |= fw11DlType
	}
	if m.has[fNwTOS] && m.maskUint(fNwTOS)&0xfc != 0 {
		e[42] = byte(m.uint(fNwTOS)) & 0xfc
	} else {
		w |= fw11NwTOS
	}
	if m.has[fNwProto] {
		e[43] = byte(m.uint(fNwProto))
	} else {
		w |= fw11NwProto
	}
	for i, f := range []fid{fNwSrc, fNwDst} {
		binary.BigEndian.PutUint32(e[44+8*i:], u32(f))
		binary.BigEndian.PutUint32(e[48+8*i:], ^mask32(f))
	}
	if m.has[fTpSrc] {
		binary.BigEndian.PutUint16(e[60:], uint16(m.uint(fTpSrc)))
	} else {
		w |= fw11TpSrc
	}
	if m.has[fTpDst] {
		binary.BigEndian.PutUint16(e[62:], uint16(m.uint(fTpDst)))
	} else {
		w |= fw11TpDst
	}
	if m.has[fMPLSLabel] && m.maskUint(fMPLSLabel)&0xfffff != 0 {
		binary.BigEndian.PutUint32(e[64:], u32(fMPLSLabel)&0xfffff)
	} else {
		w |= fw11MPLSLabel
	}
	if m.has[fMPLSTC] && m.maskUint(fMPLSTC)&7 != 0 {
		e[68] = byte(m.uint(fMPLSTC)) & 7
	} else {
		w |= fw11MPLSTC
	}
	binary.BigEndian.PutUint64(e[72:], m.uint(fMetadata))
	mm := uint64(0)
	if m.has[fMetadata] {
		mm = m.maskUint(fMetadata)
	}
	binary.BigEndian.PutUint64(e[80:], ^mm)
	binary.BigEndian.PutUint32(e[8:], w)
	return append(b, e[:]...)
}

// decodeStd11 reads an ofp11_match as Open vSwitch reads it: the fields
// its Ethernet type and IP protocol have; a port, VLAN id or priority,
// TOS or ICMP type or code out of range is a *MatchError.
func (m *Match) decodeStd11(e []byte) error {
	if len(e) != std11Len || binary.BigEndian.Uint16(e) != 0 || binary.BigEndian.Uint16(e[2:]) != std11Len {
		return &MatchError{Name: "OFPBMC_BAD_LEN", Field: "match", Detail: "not an 88-byte standard match"}
	}
	w := binary.BigEndian.Uint32(e[8:])
	if w&fw11InPort == 0 {
		p := binary.BigEndian.Uint32(e[4:])
		if p >= 0xff00 && p < 0xffffff00 {
			return &MatchError{Name: "OFPBMC_BAD_VALUE", Field: "in_port",
				Detail: fmt.Sprintf("port %d is outside the supported range 0 through 65279 or 0xffffff00 through 0xffffffff", p)}
		}
		m.setUint(fInPort, uint64(p))
	}
	inv := func(b []byte) []byte {
		out := make([]byte, len(b))
		for i, c := range b {
			out[i] = ^c
		}
		return out
	}
	m.set(fDlSrc, e[12:18], inv(e[18:24]))
	m.set(fDlDst, e[24:30], inv(e[30:36]))
	if w&fw11DlVLAN == 0 {
		vid := binary.BigEndian.Uint16(e[36:])
		switch {
		case vid == vid11None:
			m.setUintMasked(fVLANTCI, 0, 0xffff)
		default:
			tci, mask := uint64(0x1000), uint64(0x1000)
			switch {
			case vid == vid11Any:
			case vid < 4096:
				tci, mask = 0x1000|uint64(vid), 0x1fff
			default:
				return &MatchError{Name: "OFPBMC_BAD_VALUE", Field: "dl_vlan", Detail: fmt.Sprintf("VLAN id %d", vid)}
			}
			if w&fw11DlVLANPCP == 0 {
				if e[38] > 7 {
					return &MatchError{Name: "OFPBMC_BAD_VALUE", Field: "dl_vlan_pcp", Detail: fmt.Sprintf("priority %d", e[38])}
				}
				tci, mask = tci|uint64(e[38])<<13, mask|0xe000
			}
			m.setUintMasked(fVLANTCI, tci, mask)
		}
	}
	if w&fw11DlType == 0 {
		t := binary.BigEndian.Uint16(e[40:])
		if t < 0x600 {
			t = 0x5ff
		}
		m.setUint(fDlType, uint64(t))
	}
	t := m.dlType()
	ip := m.has[fDlType] && t == ethIP
	arp := m.has[fDlType] && (t == ethARP || t == ethRARP)
	if ip && w&fw11NwTOS == 0 {
		if e[42]&3 != 0 {
			return &MatchError{Name: "OFPBMC_BAD_VALUE", Field: "nw_tos", Detail: fmt.Sprintf("TOS %#x has ECN bits", e[42])}
		}
		m.setUintMasked(fNwTOS, uint64(e[42]), 0xfc)
	}
	if ip || arp {
		if w&fw11NwProto == 0 {
			m.setUint(fNwProto, uint64(e[43]))
		}
		m.set(fNwSrc, e[44:48], inv(e[48:52]))
		m.set(fNwDst, e[52:56], inv(e[56:60]))
	}
	if ip && w&(fw11TpSrc|fw11TpDst) != fw11TpSrc|fw11TpDst {
		src, dst := binary.BigEndian.Uint16(e[60:]), binary.BigEndian.Uint16(e[62:])
		switch m.nwProto() {
		case ipICMP:
			for _, x := range []struct {
				wild uint32
				v    uint16
				f    fid
				name string
			}{{fw11TpSrc, src, fTpSrc, "icmp_type"}, {fw11TpDst, dst, fTpDst, "icmp_code"}} {
				if w&x.wild != 0 {
					continue
				}
				if x.v >= 0x100 {
					return &MatchError{Name: "OFPBMC_BAD_FIELD", Field: x.name, Detail: fmt.Sprintf("%d", x.v)}
				}
				m.setUint(x.f, uint64(x.v))
			}
		case ipTCP, ipUDP, ipSCTP:
			if w&fw11TpSrc == 0 {
				m.setUint(fTpSrc, uint64(src))
			}
			if w&fw11TpDst == 0 {
				m.setUint(fTpDst, uint64(dst))
			}
		}
	}
	if m.has[fDlType] && (t == 0x8847 || t == 0x8848) {
		if w&fw11MPLSLabel == 0 {
			m.setUintMasked(fMPLSLabel, uint64(binary.BigEndian.Uint32(e[64:])&0xfffff), 0xfffff)
		}
		if w&fw11MPLSTC == 0 {
			m.setUintMasked(fMPLSTC, uint64(e[68]&7), 7)
		}
	}
	m.set(fMetadata, e[72:80], inv(e[80:88]))
	return nil
}

// OpenFlow 1.1's set actions, which 1.2 replaced with set_field (the
// other action types are 1.3's numbers).
const (
	ofpat11SetVLANVID   = 1
	ofpat11SetVLANPCP   = 2
	ofpat11SetDlSrc     = 3
	ofpat11SetDlDst     = 4
	ofpat11SetNwSrc     = 5
	ofpat11SetNwDst     = 6
	ofpat11SetNwTOS     = 7
	ofpat11SetNwECN     = 8
	ofpat11SetTpSrc     = 9
	ofpat11SetTpDst     = 10
	ofpat11SetMPLSLabel = 13
	ofpat11SetMPLSTC    = 14
)

// decodeAction11 reads OpenFlow 1.1's set actions, as set_fields that
// print as ovs-ofctl prints them (mod_nw_src:..., mod_nw_ecn:...).
func decodeAction11(t uint16, a []byte) (Action, error) {
	// The ones OpenFlow 1.0 has too, with the same layout, under 1.0's
	// numbers.
	if t10, ok := map[uint16]uint16{ofpat11SetVLANVID: ofpat10SetVLANVID, ofpat11SetVLANPCP: ofpat10SetVLANPCP,
		ofpat11SetDlSrc: ofpat10SetDlSrc, ofpat11SetDlDst: ofpat10SetDlDst, ofpat11SetNwSrc: ofpat10SetNwSrc,
		ofpat11SetNwDst: ofpat10SetNwDst, ofpat11SetNwTOS: ofpat10SetNwTOS, ofpat11SetTpSrc: ofpat10SetTpSrc,
		ofpat11SetTpDst: ofpat10SetTpDst}[t]; ok {
		return decodeAction10(t10, a)
	}
	if len(a) != 8 {
		return nil, fmt.Errorf("openflow: OpenFlow 1.1 action type %d of %d bytes: %w", t, len(a), ErrBadMessage)
	}
	switch t {
	case ofpat11SetNwECN:
		return SetField{Field: "nw_ecn", Value: []byte{a[4]}, ofp10: true}, nil
	case ofpat11SetMPLSLabel:
		return SetField{Field: "mpls_label", Value: append([]byte(nil), a[4:8]...), ofp10: true}, nil
	case ofpat11SetMPLSTC:
		return SetField{Field: "mpls_tc", Value: []byte{a[4]}, ofp10: true}, nil
	}
	return nil, fmt.Errorf("openflow: OpenFlow 1.1 action type %d: %w", t, ErrUnsupported)
}

// appendLegacy11 appends a set_field as OpenFlow 1.1 writes it, as Open
// vSwitch does: one of 1.1's set actions for the fields that have one,
// else Nicira's loads (as at 1.0).
func (a SetField) appendLegacy11(b []byte) []byte { return a.appendLegacy(b, legacy11) }

// appendStd11FlowMod appends OpenFlow 1.1's flow mod that adds s: 1.3's
// layout, with 1.1's standard match and flags.
func appendStd11FlowMod(b []byte, s *FlowSpec) ([]byte, error) {
	b = binary.BigEndian.AppendUint64(b, s.Cookie)
	b = binary.BigEndian.AppendUint64(b, 0)
	b = append(b, s.Table, fmAdd)
	b = binary.BigEndian.AppendUint16(b, s.IdleTimeout)
	b = binary.BigEndian.AppendUint16(b, s.HardTimeout)
	b = binary.BigEndian.AppendUint16(b, uint16(s.Priority))
	b = binary.BigEndian.AppendUint32(b, 0xffffffff) // buffer_id: none
	b = binary.BigEndian.AppendUint32(b, PortAny)
	b = binary.BigEndian.AppendUint32(b, PortAny)
	b = binary.BigEndian.AppendUint16(b, s.flags()&(flagSendFlowRem|flagCheckOverlap))
	b = append(b, 0, 0)
	b = s.Match.appendStd11(b)
	return appendInstructions(b, s.Actions, OpenFlow11), nil
}
