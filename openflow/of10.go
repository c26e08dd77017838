package openflow

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// This file is OpenFlow 1.0 as Open vSwitch speaks it: the message types
// whose numbers differ from 1.3's, OpenFlow 1.0's own actions, Nicira's
// flow mod and flow statistics (NXM matches), and OpenFlow 1.0's standard
// match for the OpenFlow10 flow format.

// Message types of OpenFlow 1.0 that 1.3 numbers otherwise.
const (
	type10StatsRequest   = 16
	type10StatsReply     = 17
	type10BarrierRequest = 18
	type10BarrierReply   = 19
)

// wireType is a message type of OpenFlow 1.3 as version v numbers it; ok
// is false for a message v does not have.
func wireType(v Version, typ uint8) (uint8, bool) {
	if v != OpenFlow10 {
		return typ, true
	}
	switch typ {
	case typeMultipartRequest:
		return type10StatsRequest, true
	case typeMultipartReply:
		return type10StatsReply, true
	case typeBarrierRequest:
		return type10BarrierRequest, true
	case typeBarrierReply:
		return type10BarrierReply, true
	case typeGroupMod, typeMeterMod, typeBundleControl, typeBundleAdd:
		return 0, false
	}
	return typ, true
}

// error10 rewrites an OpenFlow 1.0 error's type and code as OpenFlow 1.3
// numbers them (what decodeError names): 1.0's own types, and the errors
// of later versions that Open vSwitch sends at 1.0 inside Nicira's vendor
// error (NXET_VENDOR: a vendor, a type and a code).
func error10(b []byte) []byte {
	if len(b) < 4 {
		return b
	}
	t, code := binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
	out := append([]byte(nil), b...)
	put := func(t, code uint16) []byte {
		binary.BigEndian.PutUint16(out, t)
		binary.BigEndian.PutUint16(out[2:], code)
		return out
	}
	switch {
	case t == 0xb0c2 && code == 0 && len(b) >= 12: // NXET_VENDOR, NXVC_VENDOR_ERROR
		vendor, nt, nc := binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint16(b[8:]), binary.BigEndian.Uint16(b[10:])
		if vendor == 0 { // a standard error of OpenFlow 1.1 and later
			return append(put(nt, nc)[:4], b[12:]...)
		}
		// An experimenter's: as OpenFlow 1.2 and later carry it.
		e := binary.BigEndian.AppendUint16(nil, 0xffff)
		e = binary.BigEndian.AppendUint16(e, nc)
		e = binary.BigEndian.AppendUint32(e, vendor)
		return append(e, b[12:]...)
	case t == 3: // OFPET10_FLOW_MOD_FAILED: its codes are 1.0's
		c13 := map[uint16]uint16{0: 1, 1: 3, 2: 4, 3: 5, 4: 6}
		if c, ok := c13[code]; ok {
			return put(5, c)
		}
		return put(5, 0)
	case t == 4: // OFPET10_PORT_MOD_FAILED
		return put(7, code)
	case t == 5: // OFPET10_QUEUE_OP_FAILED
		return put(9, code)
	}
	return out
}

// readType is a received message's type in OpenFlow 1.3's numbers.
func readType(v uint8, typ uint8) uint8 {
	if Version(v) != OpenFlow10 {
		return typ
	}
	switch typ {
	case type10StatsRequest:
		return typeMultipartRequest
	case type10StatsReply:
		return typeMultipartReply
	case type10BarrierRequest:
		return typeBarrierRequest
	case type10BarrierReply:
		return typeBarrierReply
	}
	return typ
}

// Nicira message subtypes (OFPT_VENDOR / experimenter 0x2320) and Nicira
// statistics subtypes.
const (
	nxtSetFlowFormat  = 12
	nxtFlowMod        = 13
	nxtFlowModTableID = 15
	nxtGroupMod       = 31
	nxstFlow          = 0
	nxstAggregate     = 1
	nxstGroupDesc     = 8
)

// WithFlowFormat is the flow format of an OpenFlow 1.0 connection:
// FormatNXM (the default, every field) or FormatOpenFlow10 (OpenFlow
// 1.0's own flow mods and statistics, which have only its twelve match
// fields: a flow of others cannot be added, and a dump shows only those).
// Later versions always use OXM.
func WithFlowFormat(f FlowFormat) DialOption { return func(c *dialConfig) { c.format = f } }

// FlowFormat is the connection's flow format: at OpenFlow 1.0, the one
// WithFlowFormat chose; FormatOXM at later versions.
func (c *Conn) FlowFormat() FlowFormat {
	if c.version == OpenFlow10 {
		return c.format
	}
	return FormatOXM
}

// flowMod is the message that applies a flow mod on this connection: its
// type and body.
func (c *Conn) flowMod(s *FlowSpec, command uint8) (uint8, []byte, error) {
	if err := c.checkFormat(&s.Flow); err != nil {
		return 0, nil, err
	}
	switch {
	case c.version != OpenFlow10:
		return typeFlowMod, appendFlowMod(nil, s, command, c.version), nil
	case c.format == FormatOpenFlow10:
		b, err := appendStd10FlowMod(nil, s, command)
		return typeFlowMod, b, err
	}
	b, err := appendNXFlowMod(nil, s, command)
	return typeExperimenter, b, err
}

// dumpFlows10 is DumpFlows at OpenFlow 1.0: Nicira's flow statistics, or
// OpenFlow 1.0's own in the OpenFlow10 format.
func (c *Conn) dumpFlows10(ctx context.Context, spec *FlowSpec) ([]*Flow, error) {
	if c.format == FormatOpenFlow10 {
		req, err := std10FlowStatsRequest(spec)
		if err != nil {
			return nil, err
		}
		parts, err := c.multipart(ctx, 1, req)
		if err != nil {
			return nil, err
		}
		return records(parts, c.version, decodeStd10FlowStats)
	}
	parts, err := c.multipart(ctx, 0xffff, nxFlowStatsRequest(spec, nxstFlow))
	if err != nil {
		return nil, err
	}
	for i, p := range parts {
		if len(p) < 12 {
			return nil, fmt.Errorf("openflow: Nicira statistics reply: %w", ErrBadMessage)
		}
		parts[i] = p[12:]
	}
	return records(parts, c.version, decodeNXFlowStats)
}

// dumpAggregate10 is DumpAggregate at OpenFlow 1.0.
func (c *Conn) dumpAggregate10(ctx context.Context, spec *FlowSpec) (Aggregate, error) {
	var parts [][]byte
	var err error
	skip := 0
	if c.format == FormatOpenFlow10 {
		var req []byte
		if req, err = std10FlowStatsRequest(spec); err != nil {
			return Aggregate{}, err
		}
		parts, err = c.multipart(ctx, 2, req)
	} else {
		parts, err = c.multipart(ctx, 0xffff, nxFlowStatsRequest(spec, nxstAggregate))
		skip = 12
	}
	if err != nil {
		return Aggregate{}, err
	}
	if len(parts) != 1 || len(parts[0]) < skip+20 {
		return Aggregate{}, fmt.Errorf("openflow: aggregate reply: %w", ErrBadMessage)
	}
	p := parts[0][skip:]
	return Aggregate{binary.BigEndian.Uint64(p), binary.BigEndian.Uint64(p[8:]), binary.BigEndian.Uint32(p[16:])}, nil
}

// Message types of the features exchange (the same in every version).
const (
	typeFeaturesRequest = 5
	typeFeaturesReply   = 6
)

// portsDesc10 is DumpPortsDesc at OpenFlow 1.0: the ports of the
// features reply.
func (c *Conn) portsDesc10(ctx context.Context) ([]*PortDesc, error) {
	m, err := c.request(ctx, typeFeaturesRequest, nil, "")
	if err != nil {
		return nil, err
	}
	if m.typ != typeFeaturesReply || len(m.body) < 24 || (len(m.body)-24)%48 != 0 {
		return nil, fmt.Errorf("openflow: features reply of %d bytes: %w", len(m.body), ErrBadMessage)
	}
	var out []*PortDesc
	for p := m.body[24:]; len(p) >= 48; p = p[48:] {
		out = append(out, decodePortDesc10(p[:48]))
	}
	slices.SortFunc(out, func(a, b *PortDesc) int { return int(int64(a.Port) - int64(b.Port)) })
	return out, nil
}

// decodePortDesc10 reads an ofp10_phy_port. Its config and state bits are
// 1.3's where 1.0 has them; its features are 1.0's first seven (the
// speeds), then 1.0's medium and negotiation bits, which 1.3 numbers four
// places higher.
func decodePortDesc10(e []byte) *PortDesc {
	name := string(e[8:24])
	if i := strings.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	feat := func(v uint32) uint32 { return v&0x7f | (v&^0x7f)<<4 }
	st := binary.BigEndian.Uint32(e[28:])
	return &PortDesc{Port: port32(binary.BigEndian.Uint16(e)), MAC: net.HardwareAddr(append([]byte(nil), e[2:8]...)), Name: name,
		Config: binary.BigEndian.Uint32(e[24:]) & 0x65, State: st & 1,
		Current: feat(binary.BigEndian.Uint32(e[32:])), Advertised: feat(binary.BigEndian.Uint32(e[36:])),
		Supported: feat(binary.BigEndian.Uint32(e[40:])), Peer: feat(binary.BigEndian.Uint32(e[44:]))}
}

// appendNXT appends the body of a Nicira message of a subtype.
func appendNXT(b []byte, subtype uint32) []byte {
	b = binary.BigEndian.AppendUint32(b, nxVendor)
	return binary.BigEndian.AppendUint32(b, subtype)
}

// FlowFormat is how a connection of OpenFlow 1.0 sends matches: as
// Nicira's extensible matches (NXM, the default: every field) or as
// OpenFlow 1.0's standard match, which has only its twelve fields. A set
// of formats (the formats that can express a match, or those a program
// allows) is a FlowFormat with several bits.
type FlowFormat uint8

// The flow formats, as ovs-ofctl's -F names them.
const (
	FormatOpenFlow10 FlowFormat = 1 << iota // OpenFlow 1.0's standard match
	FormatNXM                               // Nicira's extensible match, at OpenFlow 1.0
	FormatOXM                               // OpenFlow 1.2's and later extensible match
	FormatOpenFlow11                        // OpenFlow 1.1's standard match
)

// String lists the formats as ovs-ofctl does ("NXM,OXM").
func (f FlowFormat) String() string {
	var s string
	for _, x := range []struct {
		f    FlowFormat
		name string
	}{{FormatOpenFlow10, "OpenFlow10"}, {FormatNXM, "NXM"}, {FormatOXM, "OXM"}, {FormatOpenFlow11, "OpenFlow11"}} {
		if f&x.f != 0 {
			if s != "" {
				s += ","
			}
			s += x.name
		}
	}
	switch s {
	case "":
		return "none"
	case "OpenFlow10,NXM,OXM,OpenFlow11":
		return "any"
	}
	return s
}

// ParseFlowFormats reads ovs-ofctl's -F list ("openflow10", "nxm", "oxm",
// "OpenFlow11", "any", comma-separated, in any case; "of10" and "nxm" as
// ovs-ofctl abbreviates).
func ParseFlowFormats(s string) (FlowFormat, error) {
	var out FlowFormat
	for _, name := range splitTop(s) {
		switch strings.ToLower(name) {
		case "openflow10", "of10", "openflow10-table_id", "openflow10+table_id":
			out |= FormatOpenFlow10
		case "nxm", "nxm-table_id", "nxm+table_id":
			out |= FormatNXM
		case "openflow11", "of11":
			out |= FormatOpenFlow11
		case "oxm", "oxm-openflow12", "oxm-openflow13", "oxm-openflow14", "oxm-openflow15", "openflow12", "openflow13", "openflow14", "openflow15":
			out |= FormatOXM
		case "any":
			out |= FormatOpenFlow10 | FormatNXM | FormatOXM | FormatOpenFlow11
		default:
			return 0, fmt.Errorf("%w: %s: unknown flow format", ErrSyntax, name)
		}
	}
	return out, nil
}

// Formats are the flow formats that can express the match, decided
// field by field as Open vSwitch decides it: NXM and OXM always;
// OpenFlow 1.0's standard match when the match tests only its fields,
// each exactly (IPv4 and ARP addresses by prefix; the VLAN by its id, its
// priority, both or "no VLAN"; nothing past the Ethernet type of IPv6);
// OpenFlow 1.1's when it tests only those, the metadata, Ethernet and
// IPv4 addresses under any mask, the IP ECN and the MPLS label and
// traffic class.
func (m *Match) Formats() FlowFormat {
	return FormatNXM | FormatOXM | m.stdFormats()
}

// stdFormats are the standard matches (FormatOpenFlow10,
// FormatOpenFlow11) that express m.
func (m *Match) stdFormats() FlowFormat {
	if m.raw != "" || m.tunmd != "" {
		return 0
	}
	out := FormatOpenFlow10 | FormatOpenFlow11
	if m.has[fDlType] && m.dlType() == ethIPv6 && (m.has[fNwProto] || m.has[fNwTOS] || m.has[fNwECN] || m.has[fTpSrc] || m.has[fTpDst]) {
		return 0 // only NXM and OXM match within IPv6
	}
	for f := range nFields {
		if !m.has[f] {
			continue
		}
		exact := allOnes(m.maskOf(f))
		switch f {
		case fMetadata:
			out &= FormatOpenFlow11
		case fInPort:
			if p := m.uint(fInPort); p > 0xffff && p < 0xfffffff8 {
				out &= FormatOpenFlow11
			}
		case fDlSrc, fDlDst:
			if !exact {
				out &= FormatOpenFlow11
			}
		case fDlType, fNwProto, fTpSrc, fTpDst:
			if !exact {
				return 0
			}
		case fNwTOS:
			if m.maskUint(fNwTOS)&0xfc != 0xfc {
				return 0
			}
		case fNwECN, fMPLSLabel, fMPLSTC:
			out &= FormatOpenFlow11
		case fNwSrc, fNwDst:
			if prefixLen32(uint32(m.maskUint(f))) < 0 {
				out &= FormatOpenFlow11
			}
		case fVLANTCI:
			// What dl_vlan, dl_vlan_pcp, vlan_vid, vlan_pcp and an
			// exact vlan_tci set; a bitwise mask needs NXM or OXM.
			switch m.maskUint(fVLANTCI) {
			case 0x1fff, 0xf000, 0xffff:
			default:
				return 0
			}
		default:
			return 0
		}
	}
	return out
}

// ofp10 wildcard bits.
const (
	fw10InPort   = 1 << 0
	fw10DlVLAN   = 1 << 1
	fw10DlSrc    = 1 << 2
	fw10DlDst    = 1 << 3
	fw10DlType   = 1 << 4
	fw10NwProto  = 1 << 5
	fw10TpSrc    = 1 << 6
	fw10TpDst    = 1 << 7
	fw10NwSrcSh  = 8
	fw10NwDstSh  = 14
	fw10DlVLANPC = 1 << 20
	fw10NwTOS    = 1 << 21
	fw10All      = 1<<22 - 1
)

// appendStd10 appends m as OpenFlow 1.0's 40-byte ofp10_match, as Open
// vSwitch writes it: a match that does not fit (stdFormats) loses what
// the standard match cannot say.
func (m *Match) appendStd10(b []byte) []byte {
	// Every field wild; the addresses by 32 bits, as Open vSwitch writes
	// them.
	w := uint32(fw10All)&^(63<<fw10NwSrcSh|63<<fw10NwDstSh) | 32<<fw10NwSrcSh | 32<<fw10NwDstSh
	var e [40]byte
	if m.has[fInPort] {
		w &^= fw10InPort
		binary.BigEndian.PutUint16(e[4:], port16(uint32(m.uint(fInPort))))
	}
	if m.has[fDlSrc] {
		w &^= fw10DlSrc
		copy(e[6:], m.value(fDlSrc))
	}
	if m.has[fDlDst] {
		w &^= fw10DlDst
		copy(e[12:], m.value(fDlDst))
	}
	if m.has[fVLANTCI] {
		// As Open vSwitch writes it: a mask with the CFI bit on a value
		// without it is "no VLAN"; else the id and the priority, each
		// when any of its bits is tested.
		tci, mask := m.uint(fVLANTCI), m.maskUint(fVLANTCI)
		switch {
		case mask&0x1000 != 0 && tci&0x1000 == 0:
			w &^= fw10DlVLAN | fw10DlVLANPC
			binary.BigEndian.PutUint16(e[18:], 0xffff) // OFP10_VLAN_NONE
		case mask != 0:
			if mask&0xfff != 0 {
				w &^= fw10DlVLAN
				binary.BigEndian.PutUint16(e[18:], uint16(tci&0xfff))
			}
			if mask&0xe000 != 0 {
				w &^= fw10DlVLANPC
				e[20] = byte(tci >> 13)
			}
		}
	}
	if m.has[fDlType] {
		w &^= fw10DlType
		binary.BigEndian.PutUint16(e[22:], uint16(m.uint(fDlType)))
	}
	if m.has[fNwTOS] {
		w &^= fw10NwTOS
		e[24] = byte(m.uint(fNwTOS)) & 0xfc
	}
	if m.has[fNwProto] {
		w &^= fw10NwProto
		e[25] = byte(m.uint(fNwProto))
	}
	for i, f := range []fid{fNwSrc, fNwDst} {
		shift := []uint32{fw10NwSrcSh, fw10NwDstSh}[i]
		if m.has[f] {
			// The mask's trailing zeros are wild (all of a prefix's;
			// another mask is widened to the prefix that ends at its
			// last one, as Open vSwitch writes it).
			w &^= 63 << shift
			w |= uint32(bits.TrailingZeros32(uint32(m.maskUint(f)))) << shift
			copy(e[28+4*i:], m.value(f))
		}
	}
	if m.has[fTpSrc] {
		w &^= fw10TpSrc
		binary.BigEndian.PutUint16(e[36:], uint16(m.uint(fTpSrc)))
	}
	if m.has[fTpDst] {
		w &^= fw10TpDst
		binary.BigEndian.PutUint16(e[38:], uint16(m.uint(fTpDst)))
	}
	binary.BigEndian.PutUint32(e[0:], w)
	return append(b, e[:]...)
}

// StdMatch is the match as the standard match of OpenFlow 1.0
// (ofp10_match, 40 bytes) or 1.1 (ofp11_match, 88 bytes), as Open
// vSwitch writes any match: what the standard match cannot say
// (Match.Formats has no FormatOpenFlow10 or FormatOpenFlow11) is left out
// or widened. ovs-ofctl's parse-ofp10-match and parse-ofp11-match.
func (m *Match) StdMatch(ver Version) ([]byte, error) {
	switch ver {
	case OpenFlow10:
		return m.appendStd10(nil), nil
	case OpenFlow11:
		return m.appendStd11(nil), nil
	}
	return nil, fmt.Errorf("openflow: standard match of %v: %w", ver, ErrUnsupported)
}

// DecodeStdMatch reads the standard match of OpenFlow 1.0 (ofp10_match,
// 40 bytes) or 1.1 (ofp11_match, 88 bytes) as Open vSwitch reads it. At
// 1.0, before normalization: the fields a packet of its Ethernet type or
// IP protocol does not have stay (Normalize drops them, as a switch
// does). At 1.1 they are not read, and a value out of range is a
// *MatchError.
func DecodeStdMatch(ver Version, b []byte) (*Match, error) {
	m := &Match{}
	switch ver {
	case OpenFlow10:
		if len(b) != 40 {
			return nil, fmt.Errorf("openflow: OpenFlow 1.0 match of %d bytes, not 40: %w", len(b), ErrBadMessage)
		}
		m.decodeStd10Raw(b)
	case OpenFlow11:
		if err := m.decodeStd11(b); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("openflow: standard match of %v: %w", ver, ErrUnsupported)
	}
	return m, nil
}

// VLANTCI is the match's VLAN TCI and its mask (0, 0 when the match
// does not test the VLAN): the id in the low 12 bits, 0x1000 for "a VLAN
// header is present", the priority in the top 3.
func (m *Match) VLANTCI() (tci, mask uint16) {
	if !m.has[fVLANTCI] {
		return 0, 0
	}
	return uint16(m.uint(fVLANTCI)), uint16(m.maskUint(fVLANTCI))
}

// Normalize drops the fields whose prerequisites the match lacks (nw_src
// without ip or arp, tp_src without a transport protocol, ...), as a
// switch drops them, and says whether it dropped any. ParseFlow and the
// decoders of flows normalize already.
func (m *Match) Normalize() bool { return m.normalize() }

// decodeStd10 reads an ofp10_match as a switch reads it: then
// normalized (the fields a packet of its Ethernet type and IP protocol
// does not have are not tested).
func (m *Match) decodeStd10(e []byte) {
	m.decodeStd10Raw(e)
	m.normalize()
}

// decodeStd10Raw reads an ofp10_match as Open vSwitch reads it, before
// normalization: every field not wildcarded, an IPv4 address under the
// mask of its wildcard bits, the VLAN as an id and a priority (1.0's
// "no VLAN" as a TCI of 0), the TOS as its DSCP bits.
func (m *Match) decodeStd10Raw(e []byte) {
	w := binary.BigEndian.Uint32(e) & fw10All
	exact := func(f fid, v []byte) {
		mask := make([]byte, len(v))
		for i := range mask {
			mask[i] = 0xff
		}
		m.set(f, v, mask)
	}
	if w&fw10InPort == 0 {
		m.setUint(fInPort, uint64(port32(binary.BigEndian.Uint16(e[4:]))))
	}
	if w&fw10DlSrc == 0 {
		exact(fDlSrc, e[6:12])
	}
	if w&fw10DlDst == 0 {
		exact(fDlDst, e[12:18])
	}
	vid, pcp := binary.BigEndian.Uint16(e[18:]), e[20]
	switch {
	case w&fw10DlVLAN == 0 && vid == 0xffff:
		m.setUintMasked(fVLANTCI, 0, 0xffff)
	default:
		var mask uint64
		if w&fw10DlVLANPC == 0 {
			mask |= 0xf000
		}
		if w&fw10DlVLAN == 0 {
			mask |= 0x1fff
		}
		if mask != 0 {
			tci := uint64(vid&0xfff) | uint64(pcp)<<13&0xe000 | 0x1000
			m.setUintMasked(fVLANTCI, tci&mask, mask)
		}
	}
	if w&fw10DlType == 0 {
		t := binary.BigEndian.Uint16(e[22:])
		if t < 0x600 { // not an Ethernet type: 802.2, as Open vSwitch says it
			t = 0x5ff
		}
		m.setUint(fDlType, uint64(t))
	}
	if w&fw10NwTOS == 0 {
		m.setUintMasked(fNwTOS, uint64(e[24]&0xfc), 0xfc)
	}
	if w&fw10NwProto == 0 {
		m.setUint(fNwProto, uint64(e[25]))
	}
	for i, f := range []fid{fNwSrc, fNwDst} {
		shift := []uint32{fw10NwSrcSh, fw10NwDstSh}[i]
		wild := int(w >> shift & 63)
		if wild >= 32 {
			continue
		}
		mask := uint32(0xffffffff) << wild
		m.setUintMasked(f, uint64(binary.BigEndian.Uint32(e[28+4*i:])&mask), uint64(mask))
	}
	if w&fw10TpSrc == 0 {
		m.setUint(fTpSrc, uint64(binary.BigEndian.Uint16(e[36:])))
	}
	if w&fw10TpDst == 0 {
		m.setUint(fTpDst, uint64(binary.BigEndian.Uint16(e[38:])))
	}
}

// appendNXM appends the match as Nicira's extensible match (NXM), the
// fields by their NXM headers where they have one (else their OXM
// headers, as Open vSwitch sends them), prerequisites first; with a
// cookie mask, the cookie too. It returns the match's length, unpadded.
func (m *Match) appendNXM(b []byte, cookie, cookieMask uint64) ([]byte, int) {
	start := len(b)
	b = m.appendEntries(b, true)
	if cookieMask != 0 {
		h := nxmFields["NXM_NX_COOKIE"]
		masked := cookieMask != ^uint64(0)
		n := 8
		if masked {
			n = 16
		}
		b = binary.BigEndian.AppendUint32(b, oxmHeader(h.class, h.field, masked, n))
		b = binary.BigEndian.AppendUint64(b, cookie&cookieMask)
		if masked {
			b = binary.BigEndian.AppendUint64(b, cookieMask)
		}
	}
	return b, len(b) - start
}

// nxmOf is the header (class and field) and wire size of match field f
// in an NXM match: its NXM header where it has one, else its OXM header.
func nxmOf(m *Match, f fid) (oxmKey, int) {
	var name string
	switch f {
	case fInPort:
		name = "in_port"
	case fVLANTCI:
		name = "vlan_tci"
	case fNwTOS:
		name = "nw_tos"
	case fTCPFlags:
		name = "tcp_flags"
	default:
		name = wireName(m, f)
	}
	if h, ok := nxmHeaders[name]; ok {
		return oxmKey{h.class, h.field}, h.size
	}
	k, size := oxmOf(m, f)
	return k, size
}

// pad8 pads b from start to a multiple of 8 bytes.
func pad8(b []byte, start int) []byte {
	for (len(b)-start)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// appendNXFlowMod appends a Nicira flow mod (NXT_FLOW_MOD), its table in
// the command's high byte (the connection enables that at its start).
func appendNXFlowMod(b []byte, s *FlowSpec, command uint8) ([]byte, error) {
	if err := actionsAt10(s.Actions); err != nil {
		return nil, err
	}
	b = appendNXT(b, nxtFlowMod)
	b = binary.BigEndian.AppendUint64(b, newCookie10(s, command))
	b = append(b, flowModTable10(s, command), command)
	b = binary.BigEndian.AppendUint16(b, s.IdleTimeout)
	b = binary.BigEndian.AppendUint16(b, s.HardTimeout)
	b = binary.BigEndian.AppendUint16(b, uint16(s.Priority))
	b = binary.BigEndian.AppendUint32(b, 0xffffffff) // buffer_id: none
	b = binary.BigEndian.AppendUint16(b, port16(s.OutPort))
	b = binary.BigEndian.AppendUint16(b, s.flags()&(flagSendFlowRem|flagCheckOverlap))
	lenAt := len(b)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0) // match_len, pad
	start := len(b)
	cookieMask := s.CookieMask
	if command == fmAdd {
		cookieMask = 0
	}
	b, n := s.Match.appendNXM(b, s.Cookie, cookieMask)
	binary.BigEndian.PutUint16(b[lenAt:], uint16(n))
	b = pad8(b, start)
	if command != fmDelete && command != fmDeleteStrict {
		for _, a := range s.Actions {
			b = a.appendWire(b, OpenFlow10)
		}
	}
	return b, nil
}

// newCookie10 is an OpenFlow 1.0 flow mod's cookie field: an added
// flow's cookie; for a change, the cookie to give the flows changed, all
// ones to keep theirs (a cookie with a mask is a filter, in the match).
func newCookie10(s *FlowSpec, command uint8) uint64 {
	if command != fmAdd && s.CookieMask != 0 {
		return ^uint64(0)
	}
	// A modify without a cookie gives the flows cookie 0 and, matching
	// none, adds one, as OpenFlow 1.0 says.
	return s.Cookie
}

// flowModTable10 is an OpenFlow 1.0 flow mod's table, sent in its
// command's high byte (Nicira's flow_mod_table_id, which the connection
// turns on): 0xff for a change or deletion in every table.
func flowModTable10(s *FlowSpec, command uint8) uint8 {
	if command != fmAdd && !s.hasTable {
		return 0xff
	}
	return s.Table
}

// appendStd10FlowMod appends OpenFlow 1.0's own flow mod (the OpenFlow10
// flow format: its standard match, no table).
func appendStd10FlowMod(b []byte, s *FlowSpec, command uint8) ([]byte, error) {
	if err := actionsAt10(s.Actions); err != nil {
		return nil, err
	}
	if s.Match.stdFormats()&FormatOpenFlow10 == 0 {
		return nil, &FormatError{Usable: s.Match.Formats(), Allowed: FormatOpenFlow10}
	}
	if s.CookieMask != 0 && command != fmAdd {
		return nil, &FormatError{Usable: FormatNXM | FormatOXM, Allowed: FormatOpenFlow10}
	}
	b = s.Match.appendStd10(b)
	b = binary.BigEndian.AppendUint64(b, newCookie10(s, command))
	b = binary.BigEndian.AppendUint16(b, uint16(flowModTable10(s, command))<<8|uint16(command))
	b = binary.BigEndian.AppendUint16(b, s.IdleTimeout)
	b = binary.BigEndian.AppendUint16(b, s.HardTimeout)
	b = binary.BigEndian.AppendUint16(b, uint16(s.Priority))
	b = binary.BigEndian.AppendUint32(b, 0xffffffff)
	b = binary.BigEndian.AppendUint16(b, port16(s.OutPort))
	b = binary.BigEndian.AppendUint16(b, s.flags()&(flagSendFlowRem|flagCheckOverlap))
	if command != fmDelete && command != fmDeleteStrict {
		for _, a := range s.Actions {
			b = a.appendWire(b, OpenFlow10)
		}
	}
	return b, nil
}

// actionsAt10 refuses the actions OpenFlow 1.0 cannot carry, even with
// Nicira's extensions.
func actionsAt10(acts []Action) error {
	for _, a := range acts {
		switch a := a.(type) {
		case MeterAction, PushVLAN:
			// (An explicit push_vlan: 1.0's VLAN header comes with
			// mod_vlan_vid. clear_actions and write_actions are not
			// written at 1.0, as Open vSwitch does not write them.)
			return fmt.Errorf("openflow: %s: %w at OpenFlow 1.0", a, ErrUnsupported)
		}
	}
	return nil
}

// nxFlowStatsRequest is the body of a Nicira flow (or aggregate)
// statistics request: the Nicira statistics header, then the request.
func nxFlowStatsRequest(spec *FlowSpec, subtype uint32) []byte {
	if spec == nil {
		spec = &FlowSpec{OutPort: PortAny, OutGroup: PortAny}
	}
	b := appendNXT(nil, subtype)
	b = append(b, 0, 0, 0, 0)
	b = binary.BigEndian.AppendUint16(b, port16(spec.OutPort))
	lenAt := len(b)
	table := spec.Table
	if !spec.hasTable {
		table = 0xff
	}
	b = append(b, 0, 0, table, 0, 0, 0)
	start := len(b)
	b, n := spec.Match.appendNXM(b, spec.Cookie, spec.CookieMask)
	binary.BigEndian.PutUint16(b[lenAt:], uint16(n))
	return pad8(b, start)
}

// std10FlowStatsRequest is the body of OpenFlow 1.0's own flow statistics
// request.
func std10FlowStatsRequest(spec *FlowSpec) ([]byte, error) {
	if spec == nil {
		spec = &FlowSpec{OutPort: PortAny, OutGroup: PortAny}
	}
	if spec.Match.stdFormats()&FormatOpenFlow10 == 0 {
		return nil, &FormatError{Usable: spec.Match.Formats(), Allowed: FormatOpenFlow10}
	}
	if spec.CookieMask != 0 {
		return nil, &FormatError{Usable: FormatNXM | FormatOXM, Allowed: FormatOpenFlow10}
	}
	table := spec.Table
	if !spec.hasTable {
		table = 0xff
	}
	b := spec.Match.appendStd10(nil)
	b = append(b, table, 0)
	return binary.BigEndian.AppendUint16(b, port16(spec.OutPort)), nil
}

// decodeNXFlowStats reads one entry of a Nicira flow statistics reply.
func decodeNXFlowStats(b []byte, _ Version) (*Flow, int, error) {
	if len(b) < 48 {
		return nil, 0, fmt.Errorf("openflow: truncated Nicira flow stats: %w", ErrBadMessage)
	}
	n := int(binary.BigEndian.Uint16(b))
	ml := int(binary.BigEndian.Uint16(b[18:]))
	if n < 48 || n > len(b) || 48+(ml+7)/8*8 > n {
		return nil, 0, fmt.Errorf("openflow: Nicira flow stats length %d: %w", n, ErrBadMessage)
	}
	e := b[:n]
	f := &Flow{
		Table:        e[2],
		DurationSec:  binary.BigEndian.Uint32(e[4:]),
		DurationNsec: binary.BigEndian.Uint32(e[8:]),
		Priority:     int(binary.BigEndian.Uint16(e[12:])),
		IdleTimeout:  binary.BigEndian.Uint16(e[14:]),
		HardTimeout:  binary.BigEndian.Uint16(e[16:]),
		Cookie:       binary.BigEndian.Uint64(e[24:]),
		Packets:      binary.BigEndian.Uint64(e[32:]),
		Bytes:        binary.BigEndian.Uint64(e[40:]),
	}
	// The ages are sent plus one; zero says the switch does not know.
	if a := binary.BigEndian.Uint16(e[20:]); a > 0 {
		f.IdleAge, f.hasIdleAge = uint32(a-1), true
	}
	if a := binary.BigEndian.Uint16(e[22:]); a > 0 {
		f.HardAge, f.hasHardAge = uint32(a-1), true
	}
	if err := f.Match.decodeOXM(e[48 : 48+ml]); err != nil {
		return nil, 0, f.decodeError(err)
	}
	if err := f.decodeActions10(e[48+(ml+7)/8*8:]); err != nil {
		return nil, 0, err
	}
	return f, n, nil
}

// decodeStd10FlowStats reads one entry of OpenFlow 1.0's own flow
// statistics reply.
func decodeStd10FlowStats(b []byte, _ Version) (*Flow, int, error) {
	if len(b) < 88 {
		return nil, 0, fmt.Errorf("openflow: truncated flow stats: %w", ErrBadMessage)
	}
	n := int(binary.BigEndian.Uint16(b))
	if n < 88 || n > len(b) {
		return nil, 0, fmt.Errorf("openflow: flow stats length %d: %w", n, ErrBadMessage)
	}
	e := b[:n]
	f := &Flow{
		Table:        e[2],
		DurationSec:  binary.BigEndian.Uint32(e[44:]),
		DurationNsec: binary.BigEndian.Uint32(e[48:]),
		Priority:     int(binary.BigEndian.Uint16(e[52:])),
		IdleTimeout:  binary.BigEndian.Uint16(e[54:]),
		HardTimeout:  binary.BigEndian.Uint16(e[56:]),
		Cookie:       binary.BigEndian.Uint64(e[64:]),
		Packets:      binary.BigEndian.Uint64(e[72:]),
		Bytes:        binary.BigEndian.Uint64(e[80:]),
	}
	f.Match.decodeStd10(e[4:44])
	if err := f.decodeActions10(e[88:]); err != nil {
		return nil, 0, err
	}
	return f, n, nil
}

// decodeActions10 reads a 1.0 flow's actions, its transport port
// settings named by its match's protocol.
func (f *Flow) decodeActions10(b []byte) error {
	acts, err := decodeActions(b, OpenFlow10)
	if err != nil {
		return f.decodeError(err)
	}
	f.Actions = transportActions(acts, &f.Match)
	return nil
}

// transportActions names the transport ports OpenFlow 1.0's
// mod_tp_src/mod_tp_dst set by the flow's IP protocol (they were read as
// TCP's).
func transportActions(acts []Action, m *Match) []Action {
	p := m.nwProto()
	for i, a := range acts {
		sf, ok := a.(SetField)
		if !ok || !sf.ofp10 || (sf.Field != "tcp_src" && sf.Field != "tcp_dst") {
			continue
		}
		dir := sf.Field[3:]
		switch p {
		case ipUDP:
			sf.Field = "udp" + dir
		case ipSCTP:
			sf.Field = "sctp" + dir
		}
		acts[i] = sf
	}
	return acts
}

// OpenFlow 1.0's action types.
const (
	ofpat10Output     = 0
	ofpat10SetVLANVID = 1
	ofpat10SetVLANPCP = 2
	ofpat10StripVLAN  = 3
	ofpat10SetDlSrc   = 4
	ofpat10SetDlDst   = 5
	ofpat10SetNwSrc   = 6
	ofpat10SetNwDst   = 7
	ofpat10SetNwTOS   = 8
	ofpat10SetTpSrc   = 9
	ofpat10SetTpDst   = 10
	ofpat10Enqueue    = 11
)

// decodeAction10 reads one of OpenFlow 1.0's own actions.
func decodeAction10(t uint16, a []byte) (Action, error) {
	n := len(a)
	// Each has its one length, as Open vSwitch checks it.
	if want := map[uint16]int{ofpat10SetDlSrc: 16, ofpat10SetDlDst: 16, ofpat10Enqueue: 16}[t]; t <= ofpat10Enqueue && n != max(want, 8) {
		return nil, fmt.Errorf("openflow: OpenFlow 1.0 action type %d of %d bytes: %w", t, n, ErrBadMessage)
	}
	legacy := func(field string, v []byte) SetField {
		return SetField{Field: field, Value: append([]byte(nil), v...), ofp10: true}
	}
	switch t {
	case ofpat10Output:
		p := binary.BigEndian.Uint16(a[4:])
		if p == 0xffff || p >= 0xff00 && p < 0xfff8 { // OFPP_NONE, or not a port
			return nil, fmt.Errorf("openflow: output to port %#x: %w", p, ErrBadMessage)
		}
		return Output{port32(p), binary.BigEndian.Uint16(a[6:])}, nil
	case ofpat10SetVLANVID:
		return legacy("vlan_vid", binary.BigEndian.AppendUint16(nil, binary.BigEndian.Uint16(a[4:])&0xfff|0x1000)), nil
	case ofpat10SetVLANPCP:
		return legacy("vlan_pcp", a[4:5]), nil
	case ofpat10StripVLAN:
		return PopVLAN{strip: true}, nil
	case ofpat10SetDlSrc, ofpat10SetDlDst:
		return legacy(map[uint16]string{ofpat10SetDlSrc: "eth_src", ofpat10SetDlDst: "eth_dst"}[t], a[4:10]), nil
	case ofpat10SetNwSrc, ofpat10SetNwDst:
		return legacy(map[uint16]string{ofpat10SetNwSrc: "ip_src", ofpat10SetNwDst: "ip_dst"}[t], a[4:8]), nil
	case ofpat10SetNwTOS:
		return legacy("ip_dscp", []byte{a[4] >> 2}), nil
	case ofpat10SetTpSrc, ofpat10SetTpDst:
		return legacy(map[uint16]string{ofpat10SetTpSrc: "tcp_src", ofpat10SetTpDst: "tcp_dst"}[t], a[4:6]), nil
	case ofpat10Enqueue:
		return Enqueue{Port: port32(binary.BigEndian.Uint16(a[4:])), Queue: binary.BigEndian.Uint32(a[12:])}, nil
	}
	return nil, fmt.Errorf("openflow: OpenFlow 1.0 action type %d: %w", t, ErrUnsupported)
}

// legacyString is how ovs-ofctl prints an OpenFlow 1.0 set action
// (mod_vlan_vid:5, mod_dl_src:..., mod_nw_tos:8, mod_tp_dst:80).
func (a SetField) legacyString() string {
	v := beUint(a.Value)
	switch a.Field {
	case "vlan_vid":
		return "mod_vlan_vid:" + strconv.FormatUint(v&0xfff, 10)
	case "vlan_pcp":
		return "mod_vlan_pcp:" + strconv.FormatUint(v, 10)
	case "eth_src", "eth_dst":
		return "mod_dl_" + a.Field[4:] + ":" + formatMAC(a.Value, nil)
	case "ip_src", "ip_dst":
		return "mod_nw_" + a.Field[3:] + ":" + netip.AddrFrom4([4]byte(a.Value)).String()
	case "ip_dscp":
		return "mod_nw_tos:" + strconv.FormatUint(v<<2, 10)
	case "mpls_label", "mpls_tc":
		return "set_" + a.Field + "(" + strconv.FormatUint(v, 10) + ")"
	case "nw_ecn":
		return "mod_nw_ecn:" + strconv.FormatUint(v, 10)
	}
	// tcp_src, udp_dst, sctp_src, ...
	dir := a.Field[len(a.Field)-3:]
	return "mod_tp_" + dir + ":" + strconv.FormatUint(v, 10)
}

// appendLegacy10 appends a set_field as OpenFlow 1.0 writes it, as Open
// vSwitch does: Nicira's set_mpls_label/tc for those written so, one of
// 1.0's own set actions for the fields that have one (the value alone:
// 1.0's actions take no mask), else Nicira's loads.
func (a SetField) appendLegacy10(b []byte) []byte {
	v := beUint(a.Value)
	if a.ofp10 && a.Field == "mpls_label" {
		return binary.BigEndian.AppendUint32(append(nxHeader(b, 16, nxastSetMPLSLabel), 0, 0), uint32(v))
	}
	if a.ofp10 && a.Field == "mpls_tc" {
		return append(nxHeader(b, 16, nxastSetMPLSTC), byte(v), 0, 0, 0, 0, 0)
	}
	return a.appendLegacy(b, legacy10)
}

// legacySets are a version's own set actions (OpenFlow 1.0's, 1.1's):
// the action type that sets each field, 0 for none; the action that pops
// a VLAN; whether SCTP's ports have the transport ports' actions and
// whether mod_vlan_vid/pcp on a match without a VLAN push one first.
type legacySets struct {
	vid, pcp, dlSrc, dlDst, nwSrc, nwDst, tos, ecn, tpSrc, tpDst, mplsLabel, mplsTC, popVLAN byte
	sctp, push                                                                               bool
}

var (
	legacy10 = legacySets{vid: ofpat10SetVLANVID, pcp: ofpat10SetVLANPCP, dlSrc: ofpat10SetDlSrc, dlDst: ofpat10SetDlDst,
		nwSrc: ofpat10SetNwSrc, nwDst: ofpat10SetNwDst, tos: ofpat10SetNwTOS, tpSrc: ofpat10SetTpSrc, tpDst: ofpat10SetTpDst,
		popVLAN: ofpat10StripVLAN}
	legacy11 = legacySets{vid: ofpat11SetVLANVID, pcp: ofpat11SetVLANPCP, dlSrc: ofpat11SetDlSrc, dlDst: ofpat11SetDlDst,
		nwSrc: ofpat11SetNwSrc, nwDst: ofpat11SetNwDst, tos: ofpat11SetNwTOS, ecn: ofpat11SetNwECN, tpSrc: ofpat11SetTpSrc,
		tpDst: ofpat11SetTpDst, mplsLabel: ofpat11SetMPLSLabel, mplsTC: ofpat11SetMPLSTC, popVLAN: ofpatPopVLAN,
		sctp: true, push: true}
)

// appendLegacy appends a set_field as one of a version's own set actions
// when the field has one, else as Nicira's loads.
func (a SetField) appendLegacy(b []byte, t legacySets) []byte {
	v := beUint(a.Value)
	set8 := func(typ byte, x byte) []byte { return append(b, 0, typ, 0, 8, x, 0, 0, 0) }
	set16 := func(typ byte, x uint16) []byte {
		return append(binary.BigEndian.AppendUint16(append(b, 0, typ, 0, 8), x), 0, 0)
	}
	setAddr := func(src, dst byte, length byte) []byte {
		typ := src
		if strings.HasSuffix(a.Field, "_dst") {
			typ = dst
		}
		b = append(append(b, 0, typ, 0, length), a.Value...)
		return append(b, make([]byte, int(length)-4-len(a.Value))...) // padding
	}
	if a.load {
		return a.appendLoads10(b)
	}
	switch f := a.Field; {
	case f == "vlan_tci":
		if v&0x1000 == 0 {
			return append(b, 0, t.popVLAN, 0, 8, 0, 0, 0, 0)
		}
		b = set16(t.vid, uint16(v&0xfff))
		return append(b, 0, t.pcp, 0, 8, byte(v>>13), 0, 0, 0)
	case f == "vlan_vid" || f == "vlan_pcp":
		if t.push && a.push {
			b = PushVLAN{ethVLAN}.appendWire(b, OpenFlow11)
		}
		if f == "vlan_vid" {
			return set16(t.vid, uint16(v&0xfff))
		}
		return set8(t.pcp, byte(v))
	case f == "ip_dscp":
		return set8(t.tos, byte(v<<2))
	case (f == "nw_ecn" || f == "ip_ecn") && t.ecn != 0:
		return set8(t.ecn, byte(v))
	case f == "tcp_src" || f == "udp_src" || f == "sctp_src" && t.sctp:
		return set16(t.tpSrc, uint16(v))
	case f == "tcp_dst" || f == "udp_dst" || f == "sctp_dst" && t.sctp:
		return set16(t.tpDst, uint16(v))
	case f == "mpls_label" && t.mplsLabel != 0:
		return binary.BigEndian.AppendUint32(append(b, 0, t.mplsLabel, 0, 8), uint32(v))
	case f == "mpls_tc" && t.mplsTC != 0:
		return set8(t.mplsTC, byte(v))
	case f == "eth_src" || f == "eth_dst":
		return setAddr(t.dlSrc, t.dlDst, 16)
	case f == "ip_src" || f == "ip_dst":
		return setAddr(t.nwSrc, t.nwDst, 8)
	}
	return a.appendLoads10(b)
}

// appendLoads10 appends a set_field as Nicira's loads, a load per run of
// ones in its mask (the field's own bits when it has none).
func (a SetField) appendLoads10(b []byte) []byte {
	full := a
	if full.Mask == nil {
		// The field's own bits (mpls_label's 20 of 4 bytes).
		full.Mask = make([]byte, len(a.Value))
		bits := 8 * len(a.Value)
		if n, ok := narrowFields[a.Field]; ok {
			bits = n
		}
		for i := range bits {
			full.Mask[len(full.Mask)-1-i/8] |= 1 << (i % 8)
		}
	}
	for _, l := range full.loads() {
		b = l.appendWire(b, OpenFlow10)
	}
	return b
}

// Enqueue sends the packet to a queue of a port (enqueue:PORT:QUEUE), as
// OpenFlow 1.0 says it; later versions say set_queue, output, pop_queue.
type Enqueue struct {
	Port  uint32
	Queue uint32
}

func (a Enqueue) String() string { return a.formatNamed(nil) }

func (a Enqueue) formatNamed(n PortNames) string {
	return "enqueue:" + n.format(a.Port) + ":" + strconv.FormatUint(uint64(a.Queue), 10)
}

func (a Enqueue) appendWire(b []byte, ver Version) []byte {
	if ver != OpenFlow10 {
		b = SetQueue{a.Queue}.appendWire(b, ver)
		b = Output{Port: a.Port}.appendWire(b, ver)
		return PopQueue{}.appendWire(b, ver)
	}
	b = append(b, 0, ofpat10Enqueue, 0, 16)
	b = binary.BigEndian.AppendUint16(b, port16(a.Port))
	b = append(b, 0, 0, 0, 0, 0, 0)
	return binary.BigEndian.AppendUint32(b, a.Queue)
}

// Formats are the flow formats that can carry the flow: its match's
// (Match.Formats), less those its actions rule out, as ovs-ofctl rules
// them out: an explicit push_vlan needs OpenFlow 1.1 or later (1.0's
// VLAN header comes with mod_vlan_vid), meter and encap/decap need OXM,
// write_metadata is not OpenFlow 1.0's own, and a transport port set on
// a match without a transport protocol is consistent only to OpenFlow
// 1.0 (which does not check actions against the match); the flags
// reset_counts, no_packet_counts and no_byte_counts need OXM.
func (f *Flow) Formats() FlowFormat {
	out := f.Match.Formats()
	if f.ResetCounts || f.NoPacketCounts || f.NoByteCounts {
		out &= FormatOXM // flags of OpenFlow 1.2 and 1.3
	}
	l4 := f.Match.has[fNwProto] && (f.Match.nwProto() == ipTCP || f.Match.nwProto() == ipUDP || f.Match.nwProto() == ipSCTP)
	for _, a := range f.Actions {
		switch a := a.(type) {
		case PushVLAN:
			out &= FormatOpenFlow11 | FormatOXM
		case MeterAction, Encap, Decap:
			out &= FormatOXM
		case WriteMetadata:
			out &^= FormatOpenFlow10
		case SetField:
			if a.ofp10 && !l4 && (a.Field == "tcp_src" || a.Field == "tcp_dst") {
				out &= FormatOpenFlow10 | FormatNXM
			}
		}
	}
	return out
}

// FormatError is a flow (or a statistics request) that the connection's
// flow format cannot carry: sending it would change its meaning or be
// refused. It is an ErrUnsupported.
type FormatError struct {
	// Usable are the formats that can carry it; Allowed, those at hand.
	Usable, Allowed FlowFormat
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("openflow: none of the usable flow formats (%v) is among the allowed flow formats (%v)", e.Usable, e.Allowed)
}

// Is reports whether target is ErrUnsupported.
func (e *FormatError) Is(target error) bool { return target == ErrUnsupported }

// checkFormat refuses a flow the connection's flow format cannot carry.
func (c *Conn) checkFormat(f *Flow) error {
	if u := f.Formats(); u&c.FlowFormat() == 0 {
		return &FormatError{Usable: u, Allowed: c.FlowFormat()}
	}
	return nil
}
