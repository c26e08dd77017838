package openflow

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// MatchField is one test of a match, built by the functions of this file
// (InPort, Protocol, IPv4Dst, TCPDst, Reg, ...) or, for any field in
// ovs-ofctl's syntax, by Field. NewMatch applies them with ParseFlow's
// own validation: a match built in Go is the match ParseFlow reads from
// the same fields, and what ParseFlow refuses, NewMatch refuses.
type MatchField struct {
	name, value string
	err         error // a value the typed function refuses
}

// NewMatch builds a match from fields, in any order (a protocol's fields
// need the protocol: Protocol(ProtoTCP) with TCPDst). Bad values are a
// *SyntaxError, as ParseFlow's.
func NewMatch(fields ...MatchField) (Match, error) {
	var m Match
	var proto [2]uint16
	hasProto := false
	for _, f := range fields {
		if f.err != nil {
			return Match{}, f.err
		}
		if f.name == "" {
			p, ok := protocols[f.value]
			if !ok {
				return Match{}, syntaxf(f.value, "%s: unknown protocol", f.value)
			}
			proto, hasProto = p, true
			continue
		}
		if err := m.parseField(f.name, f.value, nil); err != nil {
			return Match{}, err
		}
	}
	if hasProto {
		if m.has[fDlType] && m.dlType() != proto[0] {
			return Match{}, syntaxf(cHex(uint64(m.dlType())), "dl_type conflicts with the protocol")
		}
		m.setUint(fDlType, uint64(proto[0]))
		if proto[1] != 0 {
			m.setUint(fNwProto, uint64(proto[1]))
		}
	}
	m.normalize()
	return m, nil
}

// Field is any field in ovs-ofctl's syntax: Field("tun_id", "0x5/0xff").
func Field(name, value string) MatchField { return MatchField{name: name, value: value} }

// Proto is a protocol shorthand of ovs-ofctl's: it sets the Ethernet type
// and, for some, the IP protocol.
type Proto string

// The protocols.
const (
	ProtoIP    Proto = "ip"
	ProtoICMP  Proto = "icmp"
	ProtoTCP   Proto = "tcp"
	ProtoUDP   Proto = "udp"
	ProtoSCTP  Proto = "sctp"
	ProtoARP   Proto = "arp"
	ProtoRARP  Proto = "rarp"
	ProtoIPv6  Proto = "ipv6"
	ProtoICMP6 Proto = "icmp6"
	ProtoTCP6  Proto = "tcp6"
	ProtoUDP6  Proto = "udp6"
	ProtoSCTP6 Proto = "sctp6"
	ProtoMPLS  Proto = "mpls"
)

// Protocol matches a protocol (ip, tcp, arp, ...).
func Protocol(p Proto) MatchField { return MatchField{name: "", value: string(p)} }

// InPort matches the port the packet came in on (a number or PortLocal).
func InPort(port uint32) MatchField {
	return MatchField{name: "in_port", value: strconv.FormatUint(uint64(port), 10)}
}

// EthSrc and EthDst match an Ethernet address; the Masked forms, the bits
// of mask.
func EthSrc(a net.HardwareAddr) MatchField { return MatchField{name: "dl_src", value: a.String()} }

// EthDst matches the Ethernet destination.
func EthDst(a net.HardwareAddr) MatchField { return MatchField{name: "dl_dst", value: a.String()} }

// EthDstMasked matches the bits of mask of the Ethernet destination.
func EthDstMasked(a, mask net.HardwareAddr) MatchField {
	return MatchField{name: "dl_dst", value: a.String() + "/" + mask.String()}
}

// EthType matches the Ethernet type.
func EthType(t uint16) MatchField { return MatchField{name: "dl_type", value: cHex(uint64(t))} }

// VLAN matches the VLAN id (0 to 4095; 0xffff: no VLAN header). Other
// values are refused (ovs-ofctl's dl_vlan=4096 matches VLAN 0).
func VLAN(vid uint16) MatchField {
	f := MatchField{name: "dl_vlan", value: strconv.Itoa(int(vid))}
	if vid > 4095 && vid != 0xffff {
		f.err = syntaxf(f.value, "invalid dl_vlan")
	}
	return f
}

// VLANPCP matches the VLAN priority (0 to 7).
func VLANPCP(pcp uint8) MatchField {
	return MatchField{name: "dl_vlan_pcp", value: strconv.Itoa(int(pcp))}
}

// IPv4Src matches an IPv4 source prefix (a /32 for one address).
func IPv4Src(p netip.Prefix) MatchField { return ipv4Field("nw_src", p) }

// IPv4Dst matches an IPv4 destination prefix.
func IPv4Dst(p netip.Prefix) MatchField { return ipv4Field("nw_dst", p) }

// ARPSpa matches ARP's sender protocol address.
func ARPSpa(p netip.Prefix) MatchField { return ipv4Field("arp_spa", p) }

// ARPTpa matches ARP's target protocol address.
func ARPTpa(p netip.Prefix) MatchField { return ipv4Field("arp_tpa", p) }

// ipv4Field is an IPv4 prefix field; another family is refused by
// NewMatch.
func ipv4Field(name string, p netip.Prefix) MatchField {
	f := MatchField{name: name, value: p.String()}
	if !p.Addr().Is4() {
		f.err = syntaxf(f.value, "%s: not an IPv4 prefix", name)
	}
	return f
}

// IPv6Src matches an IPv6 source prefix.
func IPv6Src(p netip.Prefix) MatchField { return ipv6Field("ipv6_src", p) }

// IPv6Dst matches an IPv6 destination prefix.
func IPv6Dst(p netip.Prefix) MatchField { return ipv6Field("ipv6_dst", p) }

func ipv6Field(name string, p netip.Prefix) MatchField {
	f := MatchField{name: name, value: p.String()}
	if !p.Addr().Is6() || p.Addr().Is4In6() {
		f.err = syntaxf(f.value, "%s: not an IPv6 prefix", name)
	}
	return f
}

// NwProto matches the IP protocol number (or the ARP opcode's low byte,
// as ovs-ofctl's nw_proto does).
func NwProto(p uint8) MatchField { return MatchField{name: "nw_proto", value: strconv.Itoa(int(p))} }

// NwTTL matches the IP TTL.
func NwTTL(ttl uint8) MatchField { return MatchField{name: "nw_ttl", value: strconv.Itoa(int(ttl))} }

// TCPSrc, TCPDst, UDPSrc, UDPDst, SCTPSrc and SCTPDst match a transport
// port.
func TCPSrc(p uint16) MatchField { return MatchField{name: "tcp_src", value: strconv.Itoa(int(p))} }

// TCPDst matches the TCP destination port.
func TCPDst(p uint16) MatchField { return MatchField{name: "tcp_dst", value: strconv.Itoa(int(p))} }

// UDPSrc matches the UDP source port.
func UDPSrc(p uint16) MatchField { return MatchField{name: "udp_src", value: strconv.Itoa(int(p))} }

// UDPDst matches the UDP destination port.
func UDPDst(p uint16) MatchField { return MatchField{name: "udp_dst", value: strconv.Itoa(int(p))} }

// SCTPSrc matches the SCTP source port.
func SCTPSrc(p uint16) MatchField { return MatchField{name: "sctp_src", value: strconv.Itoa(int(p))} }

// SCTPDst matches the SCTP destination port.
func SCTPDst(p uint16) MatchField { return MatchField{name: "sctp_dst", value: strconv.Itoa(int(p))} }

// ICMPType matches the ICMP (or, with ProtoICMP6, ICMPv6) type.
func ICMPType(t uint8) MatchField { return MatchField{name: "icmp_type", value: strconv.Itoa(int(t))} }

// ICMPCode matches the ICMP (or ICMPv6) code.
func ICMPCode(c uint8) MatchField { return MatchField{name: "icmp_code", value: strconv.Itoa(int(c))} }

// ARPOp matches ARP's opcode (1 request, 2 reply).
func ARPOp(op uint16) MatchField { return MatchField{name: "arp_op", value: strconv.Itoa(int(op))} }

// Reg matches the bits of mask of register n (0 to 15).
func Reg(n int, value, mask uint32) MatchField {
	return MatchField{name: "reg" + strconv.Itoa(n), value: cHex(uint64(value)) + "/" + cHex(uint64(mask))}
}

// Metadata matches the bits of mask of the pipeline's metadata.
func Metadata(value, mask uint64) MatchField {
	return MatchField{name: "metadata", value: cHex(value) + "/" + cHex(mask)}
}

// TunID matches the bits of mask of the tunnel id (VNI).
func TunID(value, mask uint64) MatchField {
	return MatchField{name: "tun_id", value: cHex(value) + "/" + cHex(mask)}
}

// PktMark matches the bits of mask of the packet mark.
func PktMark(value, mask uint32) MatchField {
	return MatchField{name: "pkt_mark", value: cHex(uint64(value)) + "/" + cHex(uint64(mask))}
}

// CTFlags are connection tracking states, for CTState.
type CTFlags uint8

// The connection tracking states (ct_state's flags).
const (
	CTNew CTFlags = 1 << iota
	CTEstablished
	CTRelated
	CTReply
	CTInvalid
	CTTracked
	CTSrcNAT
	CTDstNAT
)

// CTState matches the connection tracking state: the flags of set are
// set, those of unset clear, others not tested (ct_state=+trk+est-new).
func CTState(set, unset CTFlags) MatchField {
	var b strings.Builder
	for i, name := range ctStateBits {
		switch {
		case set&(1<<i) != 0:
			b.WriteString("+" + name)
		case unset&(1<<i) != 0:
			b.WriteString("-" + name)
		}
	}
	f := MatchField{name: "ct_state", value: b.String()}
	if set&unset != 0 {
		f.err = syntaxf(f.value, "ct_state: a flag both set and unset")
	}
	return f
}

// CTZone matches the connection tracking zone.
func CTZone(z uint16) MatchField { return MatchField{name: "ct_zone", value: strconv.Itoa(int(z))} }

// CTMark matches the bits of mask of the connection's mark.
func CTMark(value, mask uint32) MatchField {
	return MatchField{name: "ct_mark", value: cHex(uint64(value)) + "/" + cHex(uint64(mask))}
}

// ConjID matches a conjunctive match's id.
func ConjID(id uint32) MatchField {
	return MatchField{name: "conj_id", value: strconv.FormatUint(uint64(id), 10)}
}
