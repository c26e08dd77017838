package openflow

import "strconv"

// This file names every field Open vSwitch 3.1 can load, move, push, pop,
// set or learn into, once: its name, its wire headers (NXM or OXM, with
// the name ovs-ofctl prints a subfield of it by first) and how its values
// print. The numbers are Open vSwitch's and OpenFlow's published code
// points (ovs-fields(7)); the maps the rest of the package reads are
// built from this table.

// OXM class of OpenFlow 1.3's packet registers (xreg0 to xreg7).
const classPktReg = 0x8001

// classNXExp stands, inside this package, for the experimenter OXM class
// (0xffff) with Nicira's experimenter id: on the wire its entries have
// class 0xffff and the id before their value.
const classNXExp = 0xfffe

// nxExpFields are the match fields Nicira's experimenter OXM carries, by
// name, with their field numbers (NXOXM_ET_...): only in matches (no
// action of this package writes them).
var nxExpFields = []struct {
	name  string
	f     fid
	field uint8
}{
	{"NXOXM_ET_DP_HASH", fDpHash, 0}, {"NXOXM_ET_ERSPAN_IDX", fTunErspanIdx, 11}, {"NXOXM_ET_ERSPAN_VER", fTunErspanVer, 12},
	{"NXOXM_ET_ERSPAN_DIR", fTunErspanDir, 13}, {"NXOXM_ET_ERSPAN_HWID", fTunErspanHwid, 14},
}

// nxExpByField and nxExpByName index nxExpFields.
var (
	nxExpByField = map[uint8]fid{}
	nxExpByName  = map[string]uint8{}
	nxExpOf      = map[fid]uint8{}
)

func init() {
	for _, x := range nxExpFields {
		nxExpByField[x.field] = x.f
		nxExpByName[x.name] = x.field
		nxExpOf[x.f] = x.field
		headerNames[oxmKey{classNXExp, x.field}] = x.name
	}
}

// fieldHeader is one wire identity of a field: the name a subfield of it
// prints with, its OXM class and its field number.
type fieldHeader struct {
	name  string
	class uint16
	field uint8
}

// fieldInfo is one field: its name as set_field prints it, another name
// ovs-ofctl takes for it, its size in bytes (a tunnel metadata field's is
// its largest), its value format ('m' Ethernet, '4' IPv4, '6' IPv6, 'd'
// decimal, 'x' hexadecimal, 'X' hexadecimal of more than 64 bits, 'p'
// port, and 'f', 't', 'c', 'T', 'P' for the fields ovs-ofctl prints with
// words: fragments, tunnel flags, connection state, TCP flags, packet
// type), whether it takes a mask and whether it is read-only, and its
// headers, the one ovs-ofctl names a subfield with first.
type fieldInfo struct {
	name, alias string
	size        int
	kind        byte
	maskable    bool
	readOnly    bool
	headers     []fieldHeader
}

// variableLength reports whether a header's field is a tunnel metadata
// field, whose length on the wire is the one its mapping gives (up to
// 124 bytes).
func variableLength(class uint16, field uint8) bool {
	return class == classNXM1 && field >= tunMetadataField && field < tunMetadataField+64
}

// tunMetadataField is the first tunnel metadata field's number (class
// NXM_1); the 64 fields are variable-length, up to 124 bytes.
const tunMetadataField = 40

var fieldTable = append([]fieldInfo{
	{"dp_hash", "", 4, 'x', true, true, []fieldHeader{{"NXM_NX_DP_HASH", classNXM1, 35}}},
	{"recirc_id", "", 4, 'd', false, true, []fieldHeader{{"NXM_NX_RECIRC_ID", classNXM1, 36}}},
	{"packet_type", "", 4, 'P', false, true, []fieldHeader{{"OXM_OF_PACKET_TYPE", classBasic, 44}}},
	{"conj_id", "", 4, 'd', false, true, []fieldHeader{{"NXM_NX_CONJ_ID", classNXM1, 37}}},
	{"tun_id", "tunnel_id", 8, 'x', true, false, []fieldHeader{{"NXM_NX_TUN_ID", classNXM1, 16}, {"OXM_OF_TUNNEL_ID", classBasic, 38}}},
	{"tun_src", "", 4, '4', true, false, []fieldHeader{{"NXM_NX_TUN_IPV4_SRC", classNXM1, 31}}},
	{"tun_dst", "", 4, '4', true, false, []fieldHeader{{"NXM_NX_TUN_IPV4_DST", classNXM1, 32}}},
	{"tun_ipv6_src", "", 16, '6', true, false, []fieldHeader{{"NXM_NX_TUN_IPV6_SRC", classNXM1, 109}}},
	{"tun_ipv6_dst", "", 16, '6', true, false, []fieldHeader{{"NXM_NX_TUN_IPV6_DST", classNXM1, 110}}},
	{"tun_flags", "", 2, 't', true, false, []fieldHeader{{"NXM_NX_TUN_FLAGS", classNXM1, 104}}},
	{"tun_gbp_id", "", 2, 'd', true, false, []fieldHeader{{"NXM_NX_TUN_GBP_ID", classNXM1, 38}}},
	{"tun_gbp_flags", "", 1, 'x', true, false, []fieldHeader{{"NXM_NX_TUN_GBP_FLAGS", classNXM1, 39}}},
	{"metadata", "", 8, 'x', true, false, []fieldHeader{{"OXM_OF_METADATA", classBasic, 2}}},
	{"in_port", "", 2, 'p', false, false, []fieldHeader{{"NXM_OF_IN_PORT", classNXM0, 0}}},
	{"in_port_oxm", "", 4, 'p', false, false, []fieldHeader{{"OXM_OF_IN_PORT", classBasic, 0}}},
	{"actset_output", "", 4, 'p', false, true, []fieldHeader{{"OXM_OF_ACTSET_OUTPUT", classBasic, 43}}},
	{"actset_output", "", 4, 'p', false, true, []fieldHeader{{"OXM_OF_ACTSET_OUTPUT", classBasic, 43}}},
	{"pkt_mark", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_PKT_MARK", classNXM1, 33}}},
	{"ct_state", "", 4, 'c', true, true, []fieldHeader{{"NXM_NX_CT_STATE", classNXM1, 105}}},
	{"ct_zone", "", 2, 'x', false, true, []fieldHeader{{"NXM_NX_CT_ZONE", classNXM1, 106}}},
	{"ct_mark", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_CT_MARK", classNXM1, 107}}},
	{"ct_label", "", 16, 'X', true, false, []fieldHeader{{"NXM_NX_CT_LABEL", classNXM1, 108}}},
	{"ct_nw_proto", "", 1, 'd', false, true, []fieldHeader{{"NXM_NX_CT_NW_PROTO", classNXM1, 119}}},
	{"ct_nw_src", "", 4, '4', true, true, []fieldHeader{{"NXM_NX_CT_NW_SRC", classNXM1, 120}}},
	{"ct_nw_dst", "", 4, '4', true, true, []fieldHeader{{"NXM_NX_CT_NW_DST", classNXM1, 121}}},
	{"ct_ipv6_src", "", 16, '6', true, true, []fieldHeader{{"NXM_NX_CT_IPV6_SRC", classNXM1, 122}}},
	{"ct_ipv6_dst", "", 16, '6', true, true, []fieldHeader{{"NXM_NX_CT_IPV6_DST", classNXM1, 123}}},
	{"ct_tp_src", "", 2, 'd', true, true, []fieldHeader{{"NXM_NX_CT_TP_SRC", classNXM1, 124}}},
	{"ct_tp_dst", "", 2, 'd', true, true, []fieldHeader{{"NXM_NX_CT_TP_DST", classNXM1, 125}}},
	{"reg0", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG0", classNXM1, 0}}},
	{"reg1", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG1", classNXM1, 1}}},
	{"reg2", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG2", classNXM1, 2}}},
	{"reg3", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG3", classNXM1, 3}}},
	{"reg4", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG4", classNXM1, 4}}},
	{"reg5", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG5", classNXM1, 5}}},
	{"reg6", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG6", classNXM1, 6}}},
	{"reg7", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG7", classNXM1, 7}}},
	{"reg8", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG8", classNXM1, 8}}},
	{"reg9", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG9", classNXM1, 9}}},
	{"reg10", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG10", classNXM1, 10}}},
	{"reg11", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG11", classNXM1, 11}}},
	{"reg12", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG12", classNXM1, 12}}},
	{"reg13", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG13", classNXM1, 13}}},
	{"reg14", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG14", classNXM1, 14}}},
	{"reg15", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_REG15", classNXM1, 15}}},
	{"xreg0", "", 8, 'x', true, false, []fieldHeader{{"OXM_OF_PKT_REG0", classPktReg, 0}}},
	{"xreg1", "", 8, 'x', true, false, []fieldHeader{{"OXM_OF_PKT_REG1", classPktReg, 1}}},
	{"xreg2", "", 8, 'x', true, false, []fieldHeader{{"OXM_OF_PKT_REG2", classPktReg, 2}}},
	{"xreg3", "", 8, 'x', true, false, []fieldHeader{{"OXM_OF_PKT_REG3", classPktReg, 3}}},
	{"xreg4", "", 8, 'x', true, false, []fieldHeader{{"OXM_OF_PKT_REG4", classPktReg, 4}}},
	{"xreg5", "", 8, 'x', true, false, []fieldHeader{{"OXM_OF_PKT_REG5", classPktReg, 5}}},
	{"xreg6", "", 8, 'x', true, false, []fieldHeader{{"OXM_OF_PKT_REG6", classPktReg, 6}}},
	{"xreg7", "", 8, 'x', true, false, []fieldHeader{{"OXM_OF_PKT_REG7", classPktReg, 7}}},
	{"xxreg0", "", 16, 'X', true, false, []fieldHeader{{"NXM_NX_XXREG0", classNXM1, 111}}},
	{"xxreg1", "", 16, 'X', true, false, []fieldHeader{{"NXM_NX_XXREG1", classNXM1, 112}}},
	{"xxreg2", "", 16, 'X', true, false, []fieldHeader{{"NXM_NX_XXREG2", classNXM1, 113}}},
	{"xxreg3", "", 16, 'X', true, false, []fieldHeader{{"NXM_NX_XXREG3", classNXM1, 114}}},
	{"eth_src", "dl_src", 6, 'm', true, false, []fieldHeader{{"NXM_OF_ETH_SRC", classNXM0, 2}, {"OXM_OF_ETH_SRC", classBasic, 4}}},
	{"eth_dst", "dl_dst", 6, 'm', true, false, []fieldHeader{{"NXM_OF_ETH_DST", classNXM0, 1}, {"OXM_OF_ETH_DST", classBasic, 3}}},
	{"eth_type", "dl_type", 2, 'x', false, true, []fieldHeader{{"NXM_OF_ETH_TYPE", classNXM0, 3}, {"OXM_OF_ETH_TYPE", classBasic, 5}}},
	{"vlan_tci", "", 2, 'x', true, false, []fieldHeader{{"NXM_OF_VLAN_TCI", classNXM0, 4}}},
	{"vlan_vid", "", 2, 'd', true, false, []fieldHeader{{"OXM_OF_VLAN_VID", classBasic, 6}}},
	{"vlan_pcp", "", 1, 'd', false, false, []fieldHeader{{"OXM_OF_VLAN_PCP", classBasic, 7}}},
	{"mpls_label", "", 4, 'd', false, false, []fieldHeader{{"OXM_OF_MPLS_LABEL", classBasic, 34}}},
	{"mpls_tc", "", 1, 'd', false, false, []fieldHeader{{"OXM_OF_MPLS_TC", classBasic, 35}}},
	{"mpls_bos", "", 1, 'd', false, true, []fieldHeader{{"OXM_OF_MPLS_BOS", classBasic, 36}}},
	{"mpls_ttl", "", 1, 'd', false, false, []fieldHeader{{"NXM_NX_MPLS_TTL", classNXM1, 30}}},
	{"ip_src", "nw_src", 4, '4', true, false, []fieldHeader{{"NXM_OF_IP_SRC", classNXM0, 7}, {"OXM_OF_IPV4_SRC", classBasic, 11}}},
	{"ip_dst", "nw_dst", 4, '4', true, false, []fieldHeader{{"NXM_OF_IP_DST", classNXM0, 8}, {"OXM_OF_IPV4_DST", classBasic, 12}}},
	{"ipv6_src", "", 16, '6', true, false, []fieldHeader{{"NXM_NX_IPV6_SRC", classNXM1, 19}, {"OXM_OF_IPV6_SRC", classBasic, 26}}},
	{"ipv6_dst", "", 16, '6', true, false, []fieldHeader{{"NXM_NX_IPV6_DST", classNXM1, 20}, {"OXM_OF_IPV6_DST", classBasic, 27}}},
	{"ipv6_label", "", 4, 'x', true, false, []fieldHeader{{"NXM_NX_IPV6_LABEL", classNXM1, 27}, {"OXM_OF_IPV6_FLABEL", classBasic, 28}}},
	{"nw_proto", "ip_proto", 1, 'd', false, true, []fieldHeader{{"NXM_OF_IP_PROTO", classNXM0, 6}, {"OXM_OF_IP_PROTO", classBasic, 10}}},
	{"nw_tos", "", 1, 'd', false, false, []fieldHeader{{"NXM_OF_IP_TOS", classNXM0, 5}}},
	{"ip_dscp", "", 1, 'd', false, false, []fieldHeader{{"OXM_OF_IP_DSCP", classBasic, 8}}},
	{"nw_ecn", "ip_ecn", 1, 'd', false, false, []fieldHeader{{"NXM_NX_IP_ECN", classNXM1, 28}, {"OXM_OF_IP_ECN", classBasic, 9}}},
	{"nw_ttl", "", 1, 'd', false, false, []fieldHeader{{"NXM_NX_IP_TTL", classNXM1, 29}}},
	{"ip_frag", "nw_frag", 1, 'f', true, true, []fieldHeader{{"NXM_NX_IP_FRAG", classNXM1, 26}}},
	{"arp_op", "", 2, 'd', false, false, []fieldHeader{{"NXM_OF_ARP_OP", classNXM0, 15}, {"OXM_OF_ARP_OP", classBasic, 21}}},
	{"arp_spa", "", 4, '4', true, false, []fieldHeader{{"NXM_OF_ARP_SPA", classNXM0, 16}, {"OXM_OF_ARP_SPA", classBasic, 22}}},
	{"arp_tpa", "", 4, '4', true, false, []fieldHeader{{"NXM_OF_ARP_TPA", classNXM0, 17}, {"OXM_OF_ARP_TPA", classBasic, 23}}},
	{"arp_sha", "", 6, 'm', true, false, []fieldHeader{{"NXM_NX_ARP_SHA", classNXM1, 17}, {"OXM_OF_ARP_SHA", classBasic, 24}}},
	{"arp_tha", "", 6, 'm', true, false, []fieldHeader{{"NXM_NX_ARP_THA", classNXM1, 18}, {"OXM_OF_ARP_THA", classBasic, 25}}},
	{"tcp_src", "tp_src", 2, 'd', true, false, []fieldHeader{{"NXM_OF_TCP_SRC", classNXM0, 9}, {"OXM_OF_TCP_SRC", classBasic, 13}}},
	{"tcp_dst", "tp_dst", 2, 'd', true, false, []fieldHeader{{"NXM_OF_TCP_DST", classNXM0, 10}, {"OXM_OF_TCP_DST", classBasic, 14}}},
	{"tcp_flags", "", 2, 'T', true, true, []fieldHeader{{"NXM_NX_TCP_FLAGS", classNXM1, 34}, {"OXM_OF_TCP_FLAGS", classBasic, 42}}},
	{"udp_src", "", 2, 'd', true, false, []fieldHeader{{"NXM_OF_UDP_SRC", classNXM0, 11}, {"OXM_OF_UDP_SRC", classBasic, 15}}},
	{"udp_dst", "", 2, 'd', true, false, []fieldHeader{{"NXM_OF_UDP_DST", classNXM0, 12}, {"OXM_OF_UDP_DST", classBasic, 16}}},
	{"sctp_src", "", 2, 'd', true, false, []fieldHeader{{"OXM_OF_SCTP_SRC", classBasic, 17}}},
	{"sctp_dst", "", 2, 'd', true, false, []fieldHeader{{"OXM_OF_SCTP_DST", classBasic, 18}}},
	{"icmp_type", "", 1, 'd', false, false, []fieldHeader{{"NXM_OF_ICMP_TYPE", classNXM0, 13}, {"OXM_OF_ICMPV4_TYPE", classBasic, 19}}},
	{"icmp_code", "", 1, 'd', false, false, []fieldHeader{{"NXM_OF_ICMP_CODE", classNXM0, 14}, {"OXM_OF_ICMPV4_CODE", classBasic, 20}}},
	{"icmpv6_type", "", 1, 'd', false, false, []fieldHeader{{"NXM_NX_ICMPV6_TYPE", classNXM1, 21}, {"OXM_OF_ICMPV6_TYPE", classBasic, 29}}},
	{"icmpv6_code", "", 1, 'd', false, false, []fieldHeader{{"NXM_NX_ICMPV6_CODE", classNXM1, 22}, {"OXM_OF_ICMPV6_CODE", classBasic, 30}}},
	{"nd_target", "", 16, '6', true, false, []fieldHeader{{"NXM_NX_ND_TARGET", classNXM1, 23}, {"OXM_OF_IPV6_ND_TARGET", classBasic, 31}}},
	{"nd_sll", "", 6, 'm', true, false, []fieldHeader{{"NXM_NX_ND_SLL", classNXM1, 24}, {"OXM_OF_IPV6_ND_SLL", classBasic, 32}}},
	{"nd_tll", "", 6, 'm', true, false, []fieldHeader{{"NXM_NX_ND_TLL", classNXM1, 25}, {"OXM_OF_IPV6_ND_TLL", classBasic, 33}}},
}, tunMetadataFields()...)

// tunMetadataFields are tun_metadata0 to tun_metadata63.
func tunMetadataFields() []fieldInfo {
	out := make([]fieldInfo, 64)
	for i := range out {
		n := strconv.Itoa(i)
		out[i] = fieldInfo{"tun_metadata" + n, "", 124, 'X', true, false,
			[]fieldHeader{{"NXM_NX_TUN_METADATA" + n, classNXM1, uint8(tunMetadataField + i)}}}
	}
	return out
}

// The views of fieldTable the package reads. setFieldDefs: a field by its
// set_field name (or alias), with the header set_field sends in OpenFlow
// 1.2 and later (the OXM one when there is one); nxmFields: a field by
// any of its header names; nxmAliases: the header name a subfield prints
// with, by any other name of the field; nxmSetField: the set_field name,
// by the header name a subfield prints with; byHeader: the header name a
// subfield prints with, by any header.
var (
	setFieldDefs = map[string]setFieldDef{}
	nxmFields    = map[string]nxmField{}
	nxmAliases   = map[string]string{}
	nxmSetField  = map[string]string{}
	byHeader     = map[uint32]string{}
	// setFieldByKey: the set_field name by any header's class and field.
	setFieldByKey = map[oxmKey]string{}
	// nxmHeaders: a field's NXM header (class NXM_0 or NXM_1), by its
	// set_field name, for the fields that have one.
	nxmHeaders = map[string]nxmField{}
)

func init() {
	for _, f := range fieldTable {
		first := f.headers[0]
		set := first
		for _, h := range f.headers {
			if h.class == classBasic || h.class == classPktReg {
				set = h
				break
			}
		}
		def := setFieldDef{set.class, set.field, f.size, f.kind}
		setFieldDefs[f.name] = def
		nxmSetField[first.name] = f.name
		nxmAliases[f.name] = first.name
		if f.alias != "" {
			setFieldDefs[f.alias] = def
			nxmAliases[f.alias] = first.name
		}
		if first.class == classNXM0 || first.class == classNXM1 {
			nxmHeaders[f.name] = nxmField{first.class, first.field, f.size}
		}
		for _, h := range f.headers {
			nxmFields[h.name] = nxmField{h.class, h.field, f.size}
			byHeader[oxmHeader(h.class, h.field, false, f.size)] = first.name
			setFieldByKey[oxmKey{h.class, h.field}] = f.name
			if h.name != first.name {
				nxmAliases[h.name] = first.name
			}
		}
	}
	// A flow's cookie, which Nicira's matches test (with a mask) in a
	// flow mod or a statistics request; no action writes it.
	nxmFields["NXM_NX_COOKIE"] = nxmField{classNXM1, 30, 8}
	buildWireNames()
}

// nxmByHeader names a field by any of its NXM or OXM headers (the mask
// bit clear): the name a subfield of it prints with. A tunnel metadata
// field's header may carry any length.
func nxmByHeader(h uint32) (string, bool) {
	if class, field := uint16(h>>16), uint8(h>>9&0x7f); variableLength(class, field) {
		return "NXM_NX_TUN_METADATA" + strconv.Itoa(int(field-tunMetadataField)), true
	}
	name, ok := byHeader[h]
	return name, ok
}
