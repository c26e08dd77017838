package openflow

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// ErrSyntax: text that is not ovs-ofctl's flow syntax.
var ErrSyntax = errors.New("openflow: bad syntax")

// SyntaxError is a flow, match or action that does not parse; it matches
// ErrSyntax.
type SyntaxError struct {
	// Text is what did not parse; Msg says why, in ovs-ofctl's words
	// where it has them.
	Text, Msg string
	// Entry, for an NXM or OXM entry a switch would refuse, names it as
	// Open vSwitch does: experimenter:class:field:hasmask:length.
	Entry string
}

func (e *SyntaxError) Error() string {
	if e.Text == "" {
		return clip(e.Msg)
	}
	return clip(e.Text) + ": " + clip(e.Msg)
}

// clipAt bounds the text an error quotes (a note of 60 KB is not
// repeated whole).
const clipAt = 160

// clip is s, or its start and its length when longer than clipAt.
func clip(s string) string {
	if len(s) <= clipAt {
		return s
	}
	return fmt.Sprintf("%s...(%d bytes)", s[:clipAt], len(s))
}

// Is makes a SyntaxError match ErrSyntax.
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

func syntaxf(text, format string, args ...any) error {
	return &SyntaxError{Text: text, Msg: fmt.Sprintf(format, args...)}
}

// fid names a field of a match, as Open vSwitch's flow holds it (tp_src is
// the TCP, UDP or SCTP source port, or the ICMP type).
type fid int

const (
	fInPort fid = iota
	fMetadata
	fTunID
	fTunSrc
	fTunDst
	fReg0
	fReg1
	fReg2
	fReg3
	fReg4
	fReg5
	fReg6
	fReg7
	fReg8
	fReg9
	fReg10
	fReg11
	fReg12
	fReg13
	fReg14
	fReg15
	fPktMark
	fConjID
	fCTState
	fCTZone
	fCTMark
	fDlSrc
	fDlDst
	fDlType
	fVLANTCI
	fNwSrc
	fNwDst
	fNwProto
	fNwTOS // the DSCP bits, in place (a multiple of 4)
	fNwECN
	fNwTTL
	fTpSrc
	fTpDst
	fArpSHA
	fArpTHA
	fIPv6Src
	fIPv6Dst
	fIPv6Label
	fTCPFlags
	fCTLabel
	fMPLSLabel // the label, in the low 20 bits
	fMPLSTC
	fMPLSBOS
	fMPLSTTL
	fNDTarget
	fNDSLL
	fNDTLL
	fTunGBPID
	fTunGBPFlags
	fTunFlags
	fNwFrag
	fCTNwSrc
	fCTNwDst
	fCTIPv6Src
	fCTIPv6Dst
	fCTNwProto
	fCTTpSrc
	fCTTpDst
	fDpHash
	fRecircID
	fTunIPv6Src
	fTunIPv6Dst
	// ERSPAN's, which only Nicira's experimenter OXM carries (no NXM
	// header).
	fTunErspanIdx
	fTunErspanVer
	fTunErspanDir
	fTunErspanHwid
	fActsetOutput // the output port of the action set (read only)
	nFields
)

// unmaskable are the integer fields a match takes without a mask.
var unmaskable = [nFields]bool{fDlType: true, fNwProto: true, fNwECN: true, fNwTTL: true, fCTZone: true, fConjID: true,
	fMPLSLabel: true, fMPLSTC: true, fMPLSBOS: true, fMPLSTTL: true, fCTNwProto: true, fRecircID: true}

// fieldLimit is the largest value of the fields narrower than their
// bytes (0: the bytes' own limit).
var fieldLimit = [nFields]uint64{fMPLSLabel: 0xfffff, fMPLSTC: 7, fMPLSBOS: 1,
	fTunErspanIdx: 0xfffff, fTunErspanVer: 0xf, fTunErspanDir: 1, fTunErspanHwid: 0x3f}

// fieldSize is each field's size in bytes.
var fieldSize = func() [nFields]int {
	var s [nFields]int
	for f := range nFields {
		switch {
		case f == fMetadata || f == fTunID:
			s[f] = 8
		case f >= fReg0 && f < fReg0+16, f == fInPort, f == fTunSrc, f == fTunDst, f == fPktMark, f == fConjID,
			f == fCTState, f == fCTMark, f == fNwSrc, f == fNwDst, f == fIPv6Label, f == fMPLSLabel,
			f == fCTNwSrc, f == fCTNwDst, f == fDpHash, f == fRecircID, f == fTunErspanIdx, f == fActsetOutput:
			s[f] = 4
		case f == fDlSrc || f == fDlDst || f == fArpSHA || f == fArpTHA || f == fNDSLL || f == fNDTLL:
			s[f] = 6
		case f == fIPv6Src || f == fIPv6Dst || f == fCTLabel || f == fNDTarget, f == fCTIPv6Src, f == fCTIPv6Dst,
			f == fTunIPv6Src, f == fTunIPv6Dst:
			s[f] = 16
		case f == fNwProto || f == fNwTOS || f == fNwECN || f == fNwTTL || f == fMPLSTC || f == fMPLSBOS || f == fMPLSTTL,
			f == fTunGBPFlags || f == fNwFrag || f == fCTNwProto,
			f == fTunErspanVer || f == fTunErspanDir || f == fTunErspanHwid:
			s[f] = 1
		default: // ct_zone, dl_type, vlan_tci, tp_src, tp_dst, tcp_flags
			s[f] = 2
		}
	}
	return s
}()

// Match is a flow's match: which fields it tests, each with a value and a
// mask (all ones for an exact match). The zero Match matches every
// packet.
type Match struct {
	has  [nFields]bool
	val  [nFields][16]byte
	mask [nFields][16]byte
	// raw holds the OXM entries this package cannot name, as the switch
	// sent them: printed as unknown_field(HEX), compared by their bytes
	// and written back as they came. (A string keeps Match comparable.)
	raw string
	// tunmd holds the tunnel metadata fields, each its shortest NXM
	// entry, by index (tunmeta.go).
	tunmd string
	// ptEth: the packet type is set, to Ethernet, as Open vSwitch's NXM
	// reader leaves it (ParseNXMatch); written first, as it writes it.
	ptEth bool
}

// set sets field f to value v under mask m (both of the field's size; the
// value is masked). An all-zero mask clears the field.
func (m *Match) set(f fid, v, mask []byte) {
	zero := true
	for i := range mask {
		if mask[i] != 0 {
			zero = false
		}
	}
	if zero {
		m.clear(f)
		return
	}
	if erspanMaskIsValue[f] {
		// Open vSwitch (3.1) sets these fields' masks to their values,
		// exact or not: so does a switch that reads them, and so does
		// this package.
		mask = v
		if beUint(v[:fieldSize[f]]) == 0 {
			m.clear(f)
			return
		}
	}
	m.has[f] = true
	for i := range fieldSize[f] {
		m.mask[f][i] = mask[i]
		m.val[f][i] = v[i] & mask[i]
	}
}

// erspanMaskIsValue are the ERSPAN fields whose mask Open vSwitch sets to
// their value.
var erspanMaskIsValue = [nFields]bool{fTunErspanVer: true, fTunErspanDir: true, fTunErspanHwid: true}

func (m *Match) clear(f fid) {
	m.has[f] = false
	m.val[f], m.mask[f] = [16]byte{}, [16]byte{}
}

func (m *Match) value(f fid) []byte  { return m.val[f][:fieldSize[f]] }
func (m *Match) maskOf(f fid) []byte { return m.mask[f][:fieldSize[f]] }

// uint is a field's value as an integer (fields up to 8 bytes).
func (m *Match) uint(f fid) uint64     { return beUint(m.value(f)) }
func (m *Match) maskUint(f fid) uint64 { return beUint(m.maskOf(f)) }

// setUint sets an integer field exactly.
func (m *Match) setUint(f fid, v uint64) {
	m.setUintMasked(f, v, ^uint64(0))
}

func (m *Match) setUintMasked(f fid, v, mask uint64) {
	n := fieldSize[f]
	vb, mb := make([]byte, n), make([]byte, n)
	putBeUint(vb, v)
	putBeUint(mb, mask)
	m.set(f, vb, mb)
}

func beUint(b []byte) uint64 {
	var x uint64
	for _, c := range b {
		x = x<<8 | uint64(c)
	}
	return x
}

func putBeUint(b []byte, v uint64) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}

// Ethernet types and IP protocols the syntax names.
const (
	ethIP   = 0x0800
	ethARP  = 0x0806
	ethRARP = 0x8035
	ethIPv6 = 0x86dd
	ethVLAN = 0x8100

	ipICMP   = 1
	ipTCP    = 6
	ipUDP    = 17
	ipSCTP   = 132
	ipICMPv6 = 58
)

// dlType is the match's Ethernet type (0 when it has none).
func (m *Match) dlType() uint16 {
	if !m.has[fDlType] {
		return 0
	}
	return uint16(m.uint(fDlType))
}

// nwProto is the IP protocol (0 when the match has none).
func (m *Match) nwProto() uint8 {
	if !m.has[fNwProto] {
		return 0
	}
	return uint8(m.uint(fNwProto))
}

// normalize drops the fields whose prerequisites the match lacks, as Open
// vSwitch does ("normalization changed ofp_match"): nw_src without ip or
// arp, tp_dst without tcp, udp, sctp or icmp, and so on.
func (m *Match) normalize() (changed bool) {
	drop := func(f fid) {
		if m.has[f] {
			m.clear(f)
			changed = true
		}
	}
	t := m.dlType()
	ip := t == ethIP
	ip6 := t == ethIPv6
	arp := t == ethARP || t == ethRARP
	if !ip && !arp {
		drop(fNwSrc)
		drop(fNwDst)
	}
	if !ip && !ip6 && !arp {
		drop(fNwProto)
	}
	if !ip && !ip6 {
		drop(fNwFrag)
		drop(fNwTOS)
		drop(fNwECN)
		drop(fNwTTL)
	}
	if !arp {
		drop(fArpSHA)
		drop(fArpTHA)
	}
	if !ip6 {
		drop(fIPv6Src)
		drop(fIPv6Dst)
		drop(fIPv6Label)
	}
	// The tracker's ports go with its protocol, as Open vSwitch encodes
	// them.
	if !m.has[fCTNwProto] {
		m.clear(fCTTpSrc)
		m.clear(fCTTpDst)
	}
	p := m.nwProto()
	l4 := (ip || ip6) && (p == ipTCP || p == ipUDP || p == ipSCTP || (ip && p == ipICMP) || (ip6 && p == ipICMPv6))
	if !l4 {
		drop(fTpSrc)
		drop(fTpDst)
	}
	if !(ip || ip6) || p != ipTCP {
		drop(fTCPFlags)
	}
	return changed
}

// ---- parsing ----

// fieldNames maps the syntax's field names to fields.
var fieldNames = func() map[string]fid {
	m := map[string]fid{
		"in_port": fInPort, "metadata": fMetadata, "tun_id": fTunID, "tunnel_id": fTunID,
		"tun_src": fTunSrc, "tun_dst": fTunDst, "pkt_mark": fPktMark, "conj_id": fConjID,
		"ct_state": fCTState, "ct_zone": fCTZone, "ct_mark": fCTMark,
		"dl_src": fDlSrc, "eth_src": fDlSrc, "dl_dst": fDlDst, "eth_dst": fDlDst,
		"dl_type": fDlType, "eth_type": fDlType, "vlan_tci": fVLANTCI,
		"nw_src": fNwSrc, "ip_src": fNwSrc, "nw_dst": fNwDst, "ip_dst": fNwDst,
		"arp_spa": fNwSrc, "arp_tpa": fNwDst,
		"nw_proto": fNwProto, "ip_proto": fNwProto, "arp_op": fNwProto,
		"nw_ecn": fNwECN, "ip_ecn": fNwECN, "nw_ttl": fNwTTL,
		"tp_src": fTpSrc, "tcp_src": fTpSrc, "udp_src": fTpSrc, "sctp_src": fTpSrc,
		"tp_dst": fTpDst, "tcp_dst": fTpDst, "udp_dst": fTpDst, "sctp_dst": fTpDst,
		"icmp_type": fTpSrc, "icmp_code": fTpDst, "icmpv6_type": fTpSrc, "icmpv6_code": fTpDst,
		"arp_sha": fArpSHA, "arp_tha": fArpTHA,
		"ipv6_src": fIPv6Src, "ipv6_dst": fIPv6Dst, "ipv6_label": fIPv6Label,
		"tcp_flags": fTCPFlags, "ct_label": fCTLabel,
		"mpls_label": fMPLSLabel, "mpls_tc": fMPLSTC, "mpls_bos": fMPLSBOS, "mpls_ttl": fMPLSTTL,
		"nd_target": fNDTarget, "nd_sll": fNDSLL, "nd_tll": fNDTLL,
		"tun_gbp_id": fTunGBPID, "tun_gbp_flags": fTunGBPFlags, "tun_flags": fTunFlags,
		"tun_erspan_idx": fTunErspanIdx, "tun_erspan_ver": fTunErspanVer, "tun_erspan_dir": fTunErspanDir,
		"tun_erspan_hwid": fTunErspanHwid, "actset_output": fActsetOutput,
		"ct_nw_src": fCTNwSrc, "ct_nw_dst": fCTNwDst, "ct_ipv6_src": fCTIPv6Src, "ct_ipv6_dst": fCTIPv6Dst,
		"ct_nw_proto": fCTNwProto, "ct_tp_src": fCTTpSrc, "ct_tp_dst": fCTTpDst, "dp_hash": fDpHash,
		"recirc_id": fRecircID, "tun_ipv6_src": fTunIPv6Src, "tun_ipv6_dst": fTunIPv6Dst,
	}
	for i := range 16 {
		m["reg"+strconv.Itoa(i)] = fReg0 + fid(i)
	}
	return m
}()

// protocols are the shorthands that set dl_type and nw_proto.
var protocols = map[string][2]uint16{
	"ip": {ethIP, 0}, "ipv4": {ethIP, 0}, "icmp": {ethIP, ipICMP}, "tcp": {ethIP, ipTCP}, "udp": {ethIP, ipUDP},
	"sctp": {ethIP, ipSCTP}, "arp": {ethARP, 0}, "rarp": {ethRARP, 0},
	"ipv6": {ethIPv6, 0}, "ip6": {ethIPv6, 0}, "icmp6": {ethIPv6, ipICMPv6}, "tcp6": {ethIPv6, ipTCP},
	"udp6": {ethIPv6, ipUDP}, "sctp6": {ethIPv6, ipSCTP},
	"mpls": {0x8847, 0}, "mplsm": {0x8848, 0},
}

// Reserved port numbers of OpenFlow 1.3 and their names.
const (
	PortMax        uint32 = 0xffffff00
	PortInPort     uint32 = 0xfffffff8
	PortTable      uint32 = 0xfffffff9
	PortNormal     uint32 = 0xfffffffa
	PortFlood      uint32 = 0xfffffffb
	PortAll        uint32 = 0xfffffffc
	PortController uint32 = 0xfffffffd
	PortLocal      uint32 = 0xfffffffe
	PortAny        uint32 = 0xffffffff
)

var portNames = map[uint32]string{
	PortInPort: "IN_PORT", PortTable: "TABLE", PortNormal: "NORMAL", PortFlood: "FLOOD",
	PortAll: "ALL", PortController: "CONTROLLER", PortLocal: "LOCAL", PortAny: "ANY",
}

// parsePort reads a port number or a reserved port's name.
func parsePort(s string) (uint32, bool) {
	for n, name := range portNames {
		if strings.EqualFold(s, name) {
			return n, true
		}
	}
	if strings.EqualFold(s, "NONE") {
		return PortAny, true
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, false
	}
	// Ports are 16-bit (OpenFlow 1.0's) or in OpenFlow 1.1's reserved
	// range, as ovs-ofctl takes them.
	if n > 0xffff && n < 0xffffff00 {
		return 0, false
	}
	// OpenFlow 1.0's reserved range (0xff00 up) maps to 1.3's.
	if n >= 0xfff8 && n <= 0xffff {
		n = n - 0xffff + uint64(PortAny)
	}
	return uint32(n), true
}

func formatPort(p uint32) string { return PortNames(nil).format(p) }

// parseUintMasked reads "N" or "N/MASK" (decimal or 0x hex) into a field
// of size bytes.
func parseUintMasked(s string, size int, maskable bool) (v, mask uint64, err error) {
	max := ^uint64(0)
	if size < 8 {
		max = 1<<(8*size) - 1
	}
	vs, ms, hasMask := strings.Cut(s, "/")
	if hasMask && !maskable {
		return 0, 0, fmt.Errorf("does not take a mask")
	}
	v, err = strconv.ParseUint(vs, 0, 64)
	if err != nil || v > max {
		return 0, 0, fmt.Errorf("%s: value out of range or not a number", vs)
	}
	mask = max
	if hasMask {
		if mask, err = strconv.ParseUint(ms, 0, 64); err != nil || mask > max {
			return 0, 0, fmt.Errorf("%s: mask out of range or not a number", ms)
		}
	}
	return v, mask, nil
}

func parseMACMasked(s string) (v, mask []byte, err error) {
	vs, ms, hasMask := strings.Cut(s, "/")
	hw, err := net.ParseMAC(vs)
	if err != nil || len(hw) != 6 {
		return nil, nil, fmt.Errorf("%s: invalid Ethernet address", vs)
	}
	mask = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if hasMask {
		mhw, err := net.ParseMAC(ms)
		if err != nil || len(mhw) != 6 {
			return nil, nil, fmt.Errorf("%s: invalid Ethernet mask", ms)
		}
		mask = mhw
	}
	return hw, mask, nil
}

// parseIPv4 reads a dotted quad as OVS does (scanf's %hhu: each number
// taken modulo 256, so 10.0.0.300 is 10.0.0.44).
func parseIPv4(s string) ([4]byte, bool) {
	var b [4]byte
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return b, false
	}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return b, false
		}
		b[i] = byte(n)
	}
	return b, true
}

func parseIPv4Masked(s string) (v, mask []byte, err error) {
	vs, ms, hasMask := strings.Cut(s, "/")
	b, ok := parseIPv4(vs)
	if !ok {
		return nil, nil, fmt.Errorf("%s: invalid IP address", vs)
	}
	mask = []byte{0xff, 0xff, 0xff, 0xff}
	if hasMask {
		if n, err := strconv.Atoi(ms); err == nil {
			if n < 0 || n > 32 {
				return nil, nil, fmt.Errorf("%s: invalid prefix length", ms)
			}
			putBeUint(mask, ^uint64(0)<<(32-n))
		} else if m4, ok := parseIPv4(ms); ok {
			mask = m4[:]
		} else {
			return nil, nil, fmt.Errorf("%s: invalid IP mask", ms)
		}
	}
	return b[:], mask, nil
}

func parseIPv6Masked(s string) (v, mask []byte, err error) {
	vs, ms, hasMask := strings.Cut(s, "/")
	a, err := netip.ParseAddr(vs)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return nil, nil, fmt.Errorf("%s: invalid IPv6 address", vs)
	}
	b := a.As16()
	mask = make([]byte, 16)
	for i := range mask {
		mask[i] = 0xff
	}
	if hasMask {
		if n, err := strconv.Atoi(ms); err == nil {
			if n < 0 || n > 128 {
				return nil, nil, fmt.Errorf("%s: invalid prefix length", ms)
			}
			for i := range 16 {
				bits := min(max(n-8*i, 0), 8)
				mask[i] = byte(0xff << (8 - bits))
			}
		} else if ma, err := netip.ParseAddr(ms); err == nil && ma.Is6() {
			m16 := ma.As16()
			mask = m16[:]
		} else {
			return nil, nil, fmt.Errorf("%s: invalid IPv6 mask", ms)
		}
	}
	return b[:], mask, nil
}

// ctStateBits and tcpFlagBits name the flag bits, lowest first.
var ctStateBits = []string{"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"}
var tunFlagBits = []string{"oam"}

// narrowFields are the fields narrower than their bytes, by their width
// in bits: for a match's FIELD[BITS]=VALUE and for set_field's values.
var narrowFields = map[string]int{"tun_flags": 1, "tcp_flags": 12, "ipv6_label": 20, "mpls_label": 20, "mpls_tc": 3,
	"mpls_bos": 1, "ip_dscp": 6, "nw_ecn": 2, "ip_ecn": 2, "ip_frag": 2, "nw_frag": 2, "vlan_pcp": 3, "dl_vlan_pcp": 3}
var tcpFlagBits = []string{"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns"}

// parseFlags reads "+trk-new" (those bits tested), "trk|est" (all bits
// tested: exactly these set), or a number with a mask; full is the mask
// of every bit.
func parseFlags(s string, names []string, full uint64) (v, mask uint64, err error) {
	if s == "" {
		return 0, 0, fmt.Errorf("empty flags")
	}
	if s[0] != '+' && s[0] != '-' {
		if s[0] >= '0' && s[0] <= '9' {
			return parseUintMasked(s, 4, true)
		}
		for _, name := range strings.Split(s, "|") {
			i := slices.Index(names, name)
			if i < 0 {
				return 0, 0, fmt.Errorf("%s: unknown flag", name)
			}
			v |= 1 << i
		}
		return v, full, nil
	}
	for s != "" {
		on := s[0] == '+'
		if s[0] != '+' && s[0] != '-' {
			return 0, 0, fmt.Errorf("%s: flags must start with + or -", s)
		}
		s = s[1:]
		end := strings.IndexAny(s, "+-")
		if end < 0 {
			end = len(s)
		}
		name := s[:end]
		s = s[end:]
		bit := -1
		for i, n := range names {
			if n == name {
				bit = i
			}
		}
		if bit < 0 {
			return 0, 0, fmt.Errorf("%s: unknown flag", name)
		}
		if mask&(1<<bit) != 0 {
			// ovs-ofctl's words, quoting the rest from this flag on.
			return 0, 0, twiceError{rest: name + s}
		}
		mask |= 1 << bit
		if on {
			v |= 1 << bit
		}
	}
	return v, mask, nil
}

// twiceError is a flag given twice in a flags value; rest is the value
// from that flag on.
type twiceError struct{ rest string }

func (e twiceError) Error() string { return e.rest + ": flag given twice" }

// unmaskedValue is the value of a field given with a mask that takes
// none: a mask of all ones (of the field's bytes) is taken and dropped,
// as ovs-ofctl does; any other is an invalid mask. tun_tos, tun_ttl and
// skb_priority, which a flow cannot match, are refused in ovs-ofctl's
// words for them.
func unmaskedValue(name, value string) (string, error) {
	f, ok := fieldNames[name]
	size, noMask := unmaskableNames[name]
	if ok && !noMask && unmaskable[f] {
		size, noMask = fieldSize[f], true
	}
	if vs, ms, hasMask := strings.Cut(value, "/"); hasMask && noMask {
		mask, err := strconv.ParseUint(ms, 0, 64)
		if err != nil || mask != 1<<(8*size)-1 {
			return "", syntaxf(value, "invalid mask for field %s", name)
		}
		value = vs
	}
	if unmatchable[name] {
		return "", syntaxf("", "actions are invalid with specified match (OFPBAC_MATCH_INCONSISTENT)")
	}
	return value, nil
}

// unmaskableNames are the names of fields that take no mask beyond those
// of unmaskable (by their field): the size of their values in bytes.
var unmaskableNames = map[string]int{"dl_vlan": 2, "dl_vlan_pcp": 1, "vlan_pcp": 1, "nw_tos": 1, "ip_dscp": 1,
	"tun_tos": 1, "tun_ttl": 1, "skb_priority": 4}

// unmatchable are fields a packet has that a flow cannot match.
var unmatchable = map[string]bool{"tun_tos": true, "tun_ttl": true, "skb_priority": true}

// parseField sets the match's field name from its text value.
func (m *Match) parseField(name, value string, names PortNames) error {
	if base, bits, ok := strings.Cut(name, "["); ok {
		if !strings.HasSuffix(bits, "]") {
			return syntaxf(name, "%s: syntax error expecting [] or [<bit>] or [<start>..<end>]", name)
		}
		return m.parseSubfieldMatch(base, strings.TrimSuffix(bits, "]"), value, name)
	}
	value, err := unmaskedValue(name, value)
	if err != nil {
		return err
	}
	switch name {
	case "vlan_vid":
		// OpenFlow 1.2's VLAN_VID: the VID with the CFI bit (0x1000) that
		// says a header is present, under a mask (0x1fff by default).
		v, mask, err := parseUintMasked(value, 2, true)
		if err != nil || v > 0x1fff {
			return syntaxf(value, "invalid vlan_vid")
		}
		mask &= 0x1fff
		tci, tmask := uint64(0), uint64(0)
		if m.has[fVLANTCI] {
			tci, tmask = m.uint(fVLANTCI), m.maskUint(fVLANTCI)
		}
		m.setUintMasked(fVLANTCI, tci&^0x1fff|v&mask, tmask&^0x1fff|mask)
		return nil
	case "ip_frag", "nw_frag":
		vm, ok := fragValues[value]
		if !ok {
			return syntaxf(value, "%s: unknown fragment type", value)
		}
		m.setUintMasked(fNwFrag, vm[0], vm[1])
		return nil
	case "dl_vlan", "dl_vlan_pcp", "vlan_pcp":
		if name == "vlan_pcp" {
			name = "dl_vlan_pcp"
		}
		n, err := strconv.ParseUint(value, 0, 16)
		if err != nil || (name == "dl_vlan_pcp" && n > 7) {
			return syntaxf(value, "invalid %s", name)
		}
		tci, mask := uint64(0), uint64(0)
		if m.has[fVLANTCI] {
			tci, mask = m.uint(fVLANTCI), m.maskUint(fVLANTCI)
		}
		if name == "dl_vlan" {
			if n == 0xffff { // no VLAN header (OXM sends it as vlan_vid=0)
				m.setUintMasked(fVLANTCI, 0, 0xffff)
				return nil
			}
			tci, mask = tci&^0x0fff|n&0x0fff|0x1000, mask|0x1fff
		} else {
			tci, mask = tci&^0xe000|n<<13|0x1000, mask|0xf000
		}
		m.setUintMasked(fVLANTCI, tci, mask)
		return nil
	case "nw_tos", "ip_dscp":
		n, err := strconv.ParseUint(value, 0, 8)
		if err != nil || (name == "ip_dscp" && n > 63) {
			return syntaxf(value, "invalid %s", name)
		}
		if name == "ip_dscp" {
			n <<= 2
		}
		if n&3 != 0 {
			return syntaxf(value, "%s: the low two bits (ECN) must be 0", name)
		}
		m.setUintMasked(fNwTOS, n, 0xfc)
		return nil
	}
	if regs, idx, ok := wideRegister(name); ok {
		// xregN is reg2N (high) and reg2N+1; xxregN is reg4N (high) to
		// reg4N+3.
		v, mask, err := parseWideMasked(value, 4*regs)
		if err != nil {
			return syntaxf(value, "%s: %v", name, err)
		}
		for i := range regs {
			m.set(fReg0+fid(idx*regs+i), v[4*i:4*i+4], mask[4*i:4*i+4])
		}
		return nil
	}
	f, ok := fieldNames[name]
	if idx, isTM := tunMetadataIndex(name); isTM {
		return m.parseTunMetadata(idx, name, value)
	}
	if !ok {
		return syntaxf(name, "unknown keyword %s", name)
	}
	bad := func(err error) error { return syntaxf(value, "%s: %v", name, err) }
	switch f {
	case fInPort:
		p, ok := names.parse(value)
		if !ok {
			return syntaxf(value, "invalid or unknown port for %s", name)
		}
		m.setUint(f, uint64(p))
	case fDlSrc, fDlDst, fArpSHA, fArpTHA, fNDSLL, fNDTLL:
		v, mask, err := parseMACMasked(value)
		if err != nil {
			return bad(err)
		}
		m.set(f, v, mask)
	case fNwSrc, fNwDst, fTunSrc, fTunDst, fCTNwSrc, fCTNwDst:
		v, mask, err := parseIPv4Masked(value)
		if err != nil {
			return bad(err)
		}
		m.set(f, v, mask)
	case fIPv6Src, fIPv6Dst, fNDTarget, fCTIPv6Src, fCTIPv6Dst, fTunIPv6Src, fTunIPv6Dst:
		v, mask, err := parseIPv6Masked(value)
		if err != nil {
			return bad(err)
		}
		m.set(f, v, mask)
	case fCTLabel:
		v, mask, err := parseWideMasked(value, 16)
		if err != nil {
			return bad(err)
		}
		m.set(f, v, mask)
	case fCTState, fTCPFlags, fTunFlags:
		names, full := ctStateBits, uint64(0xff)
		switch f {
		case fTCPFlags:
			names, full = tcpFlagBits, 0xfff
		case fTunFlags:
			names, full = tunFlagBits, 1
		}
		v, mask, err := parseFlags(value, names, full)
		var twice twiceError
		if errors.As(err, &twice) {
			what := map[fid]string{fCTState: "ct_state", fTCPFlags: "TCP", fTunFlags: "tunnel"}[f]
			return syntaxf(twice.rest, "Each %s flag can be specified only once", what)
		}
		if err != nil {
			return bad(err)
		}
		// A number, or a mask given, may name bits the field lacks.
		explicit := strings.Contains(value, "/")
		if f != fTCPFlags && (v&^full != 0 || explicit && mask&^full != 0) {
			what := map[fid]string{fCTState: "ct_state", fTunFlags: "tunnel"}[f]
			return syntaxf(value, "%s: unknown %s flag(s)", value, what)
		}
		if f != fTCPFlags {
			mask &= full // a number's mask: only the bits the field has
		}
		m.setUintMasked(f, v, mask)
	default:
		if icmpFields[name] {
			// One byte, no mask (Open vSwitch keeps them in tp_src and
			// tp_dst, which are wider): checked as ovs-ofctl checks them.
			return m.parseICMPField(f, name, value)
		}
		v, mask, err := parseUintMasked(value, fieldSize[f], !unmaskable[f])
		if err != nil {
			return bad(err)
		}
		if lim := fieldLimit[f]; lim != 0 && v > lim {
			return syntaxf(value, "invalid %s", name)
		}
		if f == fNwECN && v > 3 {
			return syntaxf(value, "invalid nw_ecn")
		}
		if f == fIPv6Label {
			if v > 0xfffff {
				return syntaxf(value, "invalid ipv6_label")
			}
			mask &= 0xfffff
		}
		m.setUintMasked(f, v, mask)
	}
	return nil
}

// icmpFields are the ICMP type and code: one byte each on the wire.
var icmpFields = map[string]bool{"icmp_type": true, "icmp_code": true, "icmpv6_type": true, "icmpv6_code": true}

// parseICMPField sets an ICMP type or code: a value of one byte, with no
// mask but the exact one.
func (m *Match) parseICMPField(f fid, name, value string) error {
	vs, ms, hasMask := strings.Cut(value, "/")
	v, err := strconv.ParseUint(vs, 0, 64)
	if err != nil {
		return syntaxf(value, "%s: value out of range or not a number", name)
	}
	if v > 0xff {
		return syntaxf(value, "value too large for 1-byte field %s", name)
	}
	if hasMask {
		mask, err := strconv.ParseUint(ms, 0, 64)
		switch {
		case err != nil:
			return syntaxf(value, "%s: mask out of range or not a number", name)
		case mask > 0xff:
			return syntaxf(value, "mask too large for 1-byte field %s", name)
		case mask != 0xff:
			return syntaxf(value, "invalid mask for field %s", name)
		}
	}
	m.setUint(f, v)
	return nil
}

// fragValues are nw_frag's words as a value and a mask (bit 0: a
// fragment, bit 1: not the first).
var fragValues = map[string][2]uint64{"no": {0, 1}, "yes": {1, 1}, "first": {1, 3}, "later": {3, 3}, "not_later": {0, 2}}

// wideRegister recognizes xregN (2 registers) and xxregN (4).
func wideRegister(name string) (regs, idx int, ok bool) {
	for _, w := range []struct {
		prefix string
		regs   int
	}{{"xxreg", 4}, {"xreg", 2}} {
		if rest, found := strings.CutPrefix(name, w.prefix); found {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 || n >= 16/w.regs {
				return 0, 0, false
			}
			return w.regs, n, true
		}
	}
	return 0, 0, false
}

// parseSubfieldMatch reads FIELD[BITS]=VALUE: the bits BITS (N, or
// START..END) of an integer field must equal VALUE; other bits already
// matched stay as they are.
func (m *Match) parseSubfieldMatch(name, bits, value, item string) error {
	if regs, idx, ok := wideRegister(name); ok {
		return m.parseWideSubfieldMatch(regs, idx, bits, value, item)
	}
	f, ok := fieldNames[name]
	if !ok || fieldSize[f] > 8 {
		return syntaxf(item, "%s: unknown field", name)
	}
	width := 8 * fieldSize[f]
	if w, ok := narrowFields[name]; ok {
		width = w
	}
	if bits == "" { // FIELD[]: the whole field
		bits = fmt.Sprintf("0..%d", width-1)
	}
	if a, _, _ := strings.Cut(bits, ".."); a != "" {
		if s, err := strconv.Atoi(a); err == nil && s >= width {
			return syntaxf(item, "%s: starting bit %d is not valid because field is only %d bits wide", item, s, width)
		}
	}
	start, n, ok := parseBitRange(bits, width)
	if !ok {
		return syntaxf(item, "%s: bad bit range", item)
	}
	v, err := strconv.ParseUint(value, 0, 64)
	if err != nil || (n < 64 && v>>n != 0) {
		return syntaxf(item, "%s: value does not fit in %d bits", value, n)
	}
	ones := ^uint64(0)
	if n < 64 {
		ones = 1<<n - 1
	}
	cur, mask := uint64(0), uint64(0)
	if m.has[f] {
		cur, mask = m.uint(f), m.maskUint(f)
	}
	m.setUintMasked(f, cur&^(ones<<start)|v<<start, mask|ones<<start)
	return nil
}

// parseWideSubfieldMatch is parseSubfieldMatch for xregN (regs 2) and
// xxregN (regs 4): the registers it spans, high first, each keeping
// the bits the match already tests outside BITS.
func (m *Match) parseWideSubfieldMatch(regs, idx int, bits, value, item string) error {
	width := 32 * regs
	if bits == "" {
		bits = fmt.Sprintf("0..%d", width-1)
	}
	start, n, ok := parseBitRange(bits, width)
	if !ok {
		return syntaxf(item, "%s: bad bit range", item)
	}
	v, ok := new(big.Int).SetString(value, 0)
	if !ok || v.Sign() < 0 || v.BitLen() > n {
		return syntaxf(item, "%s: value does not fit in %d bits", value, n)
	}
	ones := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(n)), big.NewInt(1))
	vb := v.Lsh(v, uint(start)).FillBytes(make([]byte, 4*regs))
	mb := ones.Lsh(ones, uint(start)).FillBytes(make([]byte, 4*regs))
	for i := range regs {
		f := fReg0 + fid(idx*regs+i)
		mask := binary.BigEndian.Uint32(mb[4*i:])
		if mask == 0 {
			continue
		}
		cur, curMask := uint64(0), uint64(0)
		if m.has[f] {
			cur, curMask = m.uint(f), m.maskUint(f)
		}
		m.setUintMasked(f, cur&^uint64(mask)|uint64(binary.BigEndian.Uint32(vb[4*i:])), curMask|uint64(mask))
	}
	return nil
}

// ---- formatting ----

func formatHexMasked(b *strings.Builder, name string, v, mask, full uint64) {
	b.WriteString(name + "=" + cHex(v))
	if mask != full {
		b.WriteString("/" + cHex(mask))
	}
	b.WriteByte(',')
}

// wideHex is a field of any width in hex without leading zeros, as OVS
// prints 128-bit fields (ct_label).
func wideHex(v []byte) string {
	h := strings.TrimLeft(hex.EncodeToString(v), "0")
	if h == "" {
		return "0"
	}
	return "0x" + h
}

func allOnes(b []byte) bool {
	for _, c := range b {
		if c != 0xff {
			return false
		}
	}
	return true
}

// parseWideMasked reads a number of size bytes (decimal or 0x hex, up to
// 128 bits) with an optional /mask.
func parseWideMasked(s string, size int) (v, mask []byte, err error) {
	vs, ms, hasMask := strings.Cut(s, "/")
	if v, err = parseWide(vs, size); err != nil {
		return nil, nil, err
	}
	mask = make([]byte, size)
	for i := range mask {
		mask[i] = 0xff
	}
	if hasMask {
		if mask, err = parseWide(ms, size); err != nil {
			return nil, nil, err
		}
	}
	return v, mask, nil
}

func parseWide(s string, size int) ([]byte, error) {
	n, ok := new(big.Int).SetString(s, 0)
	if !ok || n.Sign() < 0 || n.BitLen() > 8*size {
		return nil, fmt.Errorf("%s: value out of range or not a number", s)
	}
	return n.FillBytes(make([]byte, size)), nil
}

// cHex is C's %#x: 0 is "0", others 0x....
func cHex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

func formatDecMasked(b *strings.Builder, name string, v, mask, full uint64) {
	if mask == full {
		fmt.Fprintf(b, "%s=%d,", name, v)
	} else {
		fmt.Fprintf(b, "%s=0x%x/0x%x,", name, v, mask)
	}
}

func formatMAC(v, mask []byte) string {
	s := net.HardwareAddr(v).String()
	for _, c := range mask {
		if c != 0xff {
			return s + "/" + net.HardwareAddr(mask).String()
		}
	}
	return s
}

func formatIPv4(v, mask []byte) string {
	a := netip.AddrFrom4([4]byte(v)).String()
	m := uint32(beUint(mask))
	if m == 0xffffffff {
		return a
	}
	if ones := prefixLen32(m); ones >= 0 {
		return a + "/" + strconv.Itoa(ones)
	}
	return a + "/" + netip.AddrFrom4([4]byte(mask)).String()
}

func prefixLen32(m uint32) int {
	n := 0
	for n < 32 && m&(1<<(31-n)) != 0 {
		n++
	}
	if m<<n != 0 {
		return -1
	}
	return n
}

func formatIPv6(v, mask []byte) string {
	a := netip.AddrFrom16([16]byte(v)).String()
	n, cidr := 0, true
	for i, c := range mask {
		for bit := 7; bit >= 0; bit-- {
			if c&(1<<bit) != 0 {
				if n != 8*i+7-bit {
					cidr = false
				}
				n++
			}
		}
	}
	switch {
	case n == 128:
		return a
	case cidr:
		return a + "/" + strconv.Itoa(n)
	}
	return a + "/" + netip.AddrFrom16([16]byte(mask)).String()
}

func formatFlags(names []string, v, mask uint64) string {
	var b strings.Builder
	for i, n := range names {
		if mask&(1<<i) == 0 {
			continue
		}
		if v&(1<<i) != 0 {
			b.WriteString("+" + n)
		} else {
			b.WriteString("-" + n)
		}
	}
	return b.String()
}

// format writes the match as Open vSwitch's match_format does, priority
// first unless it is the default.
func (m *Match) format(b *strings.Builder, priority int, names PortNames) {
	m.formatAs(b, priority, names, false)
}

// formatAs is format, as dump-flows prints a match or (diff) as
// diff-flows does: they differ in a tunnel metadata field's mask
// (formatTunMetadata).
func (m *Match) formatAs(b *strings.Builder, priority int, names PortNames, diff bool) {
	start := b.Len()
	if priority != DefaultPriority {
		fmt.Fprintf(b, "priority=%d,", priority)
	}
	if m.has[fPktMark] {
		formatHexMasked(b, "pkt_mark", m.uint(fPktMark), m.maskUint(fPktMark), 0xffffffff)
	}
	if m.has[fRecircID] {
		formatHexMasked(b, "recirc_id", m.uint(fRecircID), m.maskUint(fRecircID), 0xffffffff)
	}
	if m.has[fDpHash] {
		formatHexMasked(b, "dp_hash", m.uint(fDpHash), m.maskUint(fDpHash), 0xffffffff)
	}
	if m.has[fConjID] {
		fmt.Fprintf(b, "conj_id=%d,", m.uint(fConjID))
	}
	if m.has[fCTState] {
		v, mask := m.uint(fCTState), m.maskUint(fCTState)
		switch {
		case mask == 0xff && v == 0:
			b.WriteString("ct_state=0,")
		case mask == 0xff:
			var parts []string
			for i, n := range ctStateBits {
				if v&(1<<i) != 0 {
					parts = append(parts, n)
				}
			}
			b.WriteString("ct_state=" + strings.Join(parts, "|") + ",")
		default:
			b.WriteString("ct_state=" + formatFlags(ctStateBits, v, mask) + ",")
		}
	}
	if m.has[fCTZone] {
		formatDecMasked(b, "ct_zone", m.uint(fCTZone), m.maskUint(fCTZone), 0xffff)
	}
	if m.has[fCTMark] {
		formatHexMasked(b, "ct_mark", m.uint(fCTMark), m.maskUint(fCTMark), 0xffffffff)
	}
	if m.has[fCTLabel] {
		b.WriteString("ct_label=" + wideHex(m.value(fCTLabel)))
		if !allOnes(m.maskOf(fCTLabel)) {
			b.WriteString("/" + wideHex(m.maskOf(fCTLabel)))
		}
		b.WriteByte(',')
	}
	// The connection tracker's original tuple.
	for _, ff := range []struct {
		f    fid
		name string
	}{{fCTNwSrc, "ct_nw_src"}, {fCTIPv6Src, "ct_ipv6_src"}, {fCTNwDst, "ct_nw_dst"}, {fCTIPv6Dst, "ct_ipv6_dst"}} {
		if m.has[ff.f] {
			if fieldSize[ff.f] == 4 {
				b.WriteString(ff.name + "=" + formatIPv4(m.value(ff.f), m.maskOf(ff.f)) + ",")
			} else {
				b.WriteString(ff.name + "=" + formatIPv6(m.value(ff.f), m.maskOf(ff.f)) + ",")
			}
		}
	}
	if m.has[fCTNwProto] {
		fmt.Fprintf(b, "ct_nw_proto=%d,", m.uint(fCTNwProto))
		if m.has[fCTTpSrc] {
			formatDecMasked(b, "ct_tp_src", m.uint(fCTTpSrc), m.maskUint(fCTTpSrc), 0xffff)
		}
		if m.has[fCTTpDst] {
			formatDecMasked(b, "ct_tp_dst", m.uint(fCTTpDst), m.maskUint(fCTTpDst), 0xffff)
		}
	}
	t, p := m.dlType(), m.nwProto()
	skipType, skipProto := false, false
	if m.has[fDlType] {
		skipType = true
		name := ""
		switch t {
		case ethIP, ethIPv6:
			six := ""
			if t == ethIPv6 {
				six = "6"
			}
			switch {
			case m.has[fNwProto] && t == ethIP && p == ipICMP, m.has[fNwProto] && t == ethIPv6 && p == ipICMPv6:
				name, skipProto = "icmp"+six, true
			case m.has[fNwProto] && p == ipTCP:
				name, skipProto = "tcp"+six, true
			case m.has[fNwProto] && p == ipUDP:
				name, skipProto = "udp"+six, true
			case m.has[fNwProto] && p == ipSCTP:
				name, skipProto = "sctp"+six, true
			case t == ethIPv6:
				name = "ipv6"
			default:
				name = "ip"
			}
		case ethARP:
			name = "arp"
		case ethRARP:
			name = "rarp"
		case 0x8847:
			name = "mpls"
		case 0x8848:
			name = "mplsm"
		default:
			skipType = false
		}
		if name != "" {
			b.WriteString(name + ",")
		}
	}
	for i := range 16 {
		f := fReg0 + fid(i)
		if m.has[f] {
			formatHexMasked(b, "reg"+strconv.Itoa(i), m.uint(f), m.maskUint(f), 0xffffffff)
		}
	}
	if m.has[fTunID] {
		formatHexMasked(b, "tun_id", m.uint(fTunID), m.maskUint(fTunID), ^uint64(0))
	}
	if m.has[fTunSrc] {
		b.WriteString("tun_src=" + formatIPv4(m.value(fTunSrc), m.maskOf(fTunSrc)) + ",")
	}
	if m.has[fTunDst] {
		b.WriteString("tun_dst=" + formatIPv4(m.value(fTunDst), m.maskOf(fTunDst)) + ",")
	}
	if m.has[fTunIPv6Src] {
		b.WriteString("tun_ipv6_src=" + formatIPv6(m.value(fTunIPv6Src), m.maskOf(fTunIPv6Src)) + ",")
	}
	if m.has[fTunIPv6Dst] {
		b.WriteString("tun_ipv6_dst=" + formatIPv6(m.value(fTunIPv6Dst), m.maskOf(fTunIPv6Dst)) + ",")
	}
	if m.has[fTunGBPID] {
		formatDecMasked(b, "tun_gbp_id", m.uint(fTunGBPID), m.maskUint(fTunGBPID), 0xffff)
	}
	if m.has[fTunGBPFlags] {
		b.WriteString("tun_gbp_flags=" + cHex(m.uint(fTunGBPFlags)) + ",")
	}
	if m.has[fTunFlags] {
		b.WriteString("tun_flags=" + formatFlags(tunFlagBits, m.uint(fTunFlags), m.maskUint(fTunFlags)) + ",")
	}
	// ERSPAN's as Open vSwitch prints them: the version, then the index
	// of version 1, the direction and hardware id of version 2.
	ver := m.uint(fTunErspanVer)
	if m.has[fTunErspanVer] {
		b.WriteString("tun_erspan_ver=" + strconv.FormatUint(ver, 10) + ",")
	}
	if m.has[fTunErspanIdx] && ver == 1 {
		b.WriteString("tun_erspan_idx=" + cHex(m.uint(fTunErspanIdx)) + ",")
	}
	if m.has[fTunErspanDir] && ver == 2 {
		b.WriteString("tun_erspan_dir=" + strconv.FormatUint(m.uint(fTunErspanDir), 10) + ",")
	}
	if m.has[fTunErspanHwid] && ver == 2 {
		b.WriteString("tun_erspan_hwid=" + cHex(m.uint(fTunErspanHwid)) + ",")
	}
	m.formatTunMetadata(b, diff)
	if m.has[fMetadata] {
		formatHexMasked(b, "metadata", m.uint(fMetadata), m.maskUint(fMetadata), ^uint64(0))
	}
	if m.has[fInPort] {
		b.WriteString("in_port=" + names.format(uint32(m.uint(fInPort))) + ",")
	}
	if m.has[fActsetOutput] {
		b.WriteString("actset_output=" + names.format(uint32(m.uint(fActsetOutput))) + ",")
	}
	if m.has[fVLANTCI] {
		tci, mask := uint16(m.uint(fVLANTCI)), uint16(m.maskUint(fVLANTCI))
		vid, pcp := mask&0x0fff, mask&0xe000
		if mask&0x1000 != 0 && tci&0x1000 != 0 && (vid == 0 || vid == 0x0fff) && (pcp == 0 || pcp == 0xe000) && (vid != 0 || pcp != 0) {
			if vid != 0 {
				fmt.Fprintf(b, "dl_vlan=%d,", tci&0x0fff)
			}
			if pcp != 0 {
				fmt.Fprintf(b, "dl_vlan_pcp=%d,", tci>>13)
			}
		} else if mask == 0xffff {
			fmt.Fprintf(b, "vlan_tci=0x%04x,", tci)
		} else {
			fmt.Fprintf(b, "vlan_tci=0x%04x/0x%04x,", tci, mask)
		}
	}
	if m.has[fDlSrc] {
		b.WriteString("dl_src=" + formatMAC(m.value(fDlSrc), m.maskOf(fDlSrc)) + ",")
	}
	if m.has[fDlDst] {
		b.WriteString("dl_dst=" + formatMAC(m.value(fDlDst), m.maskOf(fDlDst)) + ",")
	}
	if !skipType && m.has[fDlType] {
		fmt.Fprintf(b, "dl_type=0x%04x,", t)
	}
	arp := t == ethARP || t == ethRARP
	switch {
	case t == ethIPv6:
		if m.has[fIPv6Src] {
			b.WriteString("ipv6_src=" + formatIPv6(m.value(fIPv6Src), m.maskOf(fIPv6Src)) + ",")
		}
		if m.has[fIPv6Dst] {
			b.WriteString("ipv6_dst=" + formatIPv6(m.value(fIPv6Dst), m.maskOf(fIPv6Dst)) + ",")
		}
		if m.has[fIPv6Label] {
			if m.maskUint(fIPv6Label)&0xfffff == 0xfffff {
				fmt.Fprintf(b, "ipv6_label=0x%05x,", m.uint(fIPv6Label))
			} else {
				fmt.Fprintf(b, "ipv6_label=0x%05x/0x%05x,", m.uint(fIPv6Label), m.maskUint(fIPv6Label))
			}
		}
	case arp:
		if m.has[fNwSrc] {
			b.WriteString("arp_spa=" + formatIPv4(m.value(fNwSrc), m.maskOf(fNwSrc)) + ",")
		}
		if m.has[fNwDst] {
			b.WriteString("arp_tpa=" + formatIPv4(m.value(fNwDst), m.maskOf(fNwDst)) + ",")
		}
	default:
		if m.has[fNwSrc] {
			b.WriteString("nw_src=" + formatIPv4(m.value(fNwSrc), m.maskOf(fNwSrc)) + ",")
		}
		if m.has[fNwDst] {
			b.WriteString("nw_dst=" + formatIPv4(m.value(fNwDst), m.maskOf(fNwDst)) + ",")
		}
	}
	if !skipProto && m.has[fNwProto] {
		if arp {
			fmt.Fprintf(b, "arp_op=%d,", p)
		} else {
			fmt.Fprintf(b, "nw_proto=%d,", p)
		}
	}
	if arp {
		if m.has[fArpSHA] {
			b.WriteString("arp_sha=" + formatMAC(m.value(fArpSHA), m.maskOf(fArpSHA)) + ",")
		}
		if m.has[fArpTHA] {
			b.WriteString("arp_tha=" + formatMAC(m.value(fArpTHA), m.maskOf(fArpTHA)) + ",")
		}
	}
	if m.has[fNwTOS] {
		fmt.Fprintf(b, "nw_tos=%d,", m.uint(fNwTOS)&0xfc)
	}
	if m.has[fNwECN] {
		fmt.Fprintf(b, "nw_ecn=%d,", m.uint(fNwECN)&3)
	}
	if m.has[fNwTTL] {
		fmt.Fprintf(b, "nw_ttl=%d,", m.uint(fNwTTL))
	}
	for _, f := range []struct {
		f    fid
		name string
	}{{fMPLSLabel, "mpls_label"}, {fMPLSTC, "mpls_tc"}, {fMPLSTTL, "mpls_ttl"}, {fMPLSBOS, "mpls_bos"}} {
		if m.has[f.f] {
			fmt.Fprintf(b, "%s=%d,", f.name, m.uint(f.f))
		}
	}
	if m.has[fNwFrag] {
		v := m.uint(fNwFrag)
		var name string
		switch m.maskUint(fNwFrag) & 3 {
		case 3:
			name = [4]string{"no", "first", "<error>", "later"}[v&3]
		case 1:
			name = [2]string{"no", "yes"}[v&1]
		case 2:
			name = [2]string{"not_later", "later"}[v>>1&1]
		}
		b.WriteString("nw_frag=" + name + ",")
	}
	if (t == ethIP && p == ipICMP) || (t == ethIPv6 && p == ipICMPv6) {
		if m.has[fTpSrc] {
			formatDecMasked(b, "icmp_type", m.uint(fTpSrc), m.maskUint(fTpSrc), 0xffff)
		}
		if m.has[fTpDst] {
			formatDecMasked(b, "icmp_code", m.uint(fTpDst), m.maskUint(fTpDst), 0xffff)
		}
		if t == ethIPv6 {
			if m.has[fNDTarget] {
				b.WriteString("nd_target=" + formatIPv6(m.value(fNDTarget), m.maskOf(fNDTarget)) + ",")
			}
			if m.has[fNDSLL] {
				b.WriteString("nd_sll=" + formatMAC(m.value(fNDSLL), m.maskOf(fNDSLL)) + ",")
			}
			if m.has[fNDTLL] {
				b.WriteString("nd_tll=" + formatMAC(m.value(fNDTLL), m.maskOf(fNDTLL)) + ",")
			}
		}
	} else {
		if m.has[fTpSrc] {
			formatDecMasked(b, "tp_src", m.uint(fTpSrc), m.maskUint(fTpSrc), 0xffff)
		}
		if m.has[fTpDst] {
			formatDecMasked(b, "tp_dst", m.uint(fTpDst), m.maskUint(fTpDst), 0xffff)
		}
	}
	if m.has[fTCPFlags] && p == ipTCP {
		v, mask := m.uint(fTCPFlags), m.maskUint(fTCPFlags)
		if mask == 0xfff {
			fmt.Fprintf(b, "tcp_flags=0x%03x,", v)
		} else {
			b.WriteString("tcp_flags=" + formatFlags(tcpFlagBits, v, mask) + ",")
		}
	}
	if len(m.raw) > 0 {
		b.WriteString("unknown_field(" + hex.EncodeToString([]byte(m.raw)) + "),")
	}
	if b.Len() > start {
		s := b.String()
		if strings.HasSuffix(s, ",") {
			b.Reset()
			b.WriteString(s[:len(s)-1])
		}
	}
}

// InPort is the port the match requires (PortAny when none).
func (m *Match) InPort() uint32 {
	if !m.has[fInPort] {
		return PortAny
	}
	return uint32(m.uint(fInPort))
}

// String is the match as ovs-ofctl prints it (without a priority).
func (m Match) String() string {
	var b strings.Builder
	m.format(&b, DefaultPriority, nil)
	return b.String()
}
