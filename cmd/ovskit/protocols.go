package main

import (
	"math/bits"
	"strings"

	"github.com/ovskit/ovskit/openflow"
)

// protocols is a set of ovs-ofctl's protocols: the ways a flow mod can
// go, a flow format at a version, at OpenFlow 1.0 with or without the
// table in the command (Nicira's flow_mod_table_id). A bit each, in
// ovs-ofctl's order: its first usable and allowed one is chosen.
type protocols uint16

const (
	protoOF10       protocols = 1 << iota // OpenFlow10-table_id
	protoOF10TID                          // OpenFlow10+table_id
	protoNXM                              // NXM-table_id
	protoNXMTID                           // NXM+table_id
	protoOF11                             // OpenFlow11
	protoOXM12                            // OXM-OpenFlow12
	protoOXM13                            // OXM-OpenFlow13
	protoOXM14                            // OXM-OpenFlow14
	protoOXM15                            // OXM-OpenFlow15
	protoAny        = 1<<9 - 1
	protoOXM        = protoOXM12 | protoOXM13 | protoOXM14 | protoOXM15
	protoTID        = protoOF10TID | protoNXMTID | protoOF11 | protoOXM
	protoOXM13Up    = protoOXM13 | protoOXM14 | protoOXM15
	protoOF10Std    = protoOF10 | protoOF10TID
	protoOF10NXM    = protoNXM | protoNXMTID
	protoNamesCount = 9
)

// protoNames are the single protocols' names.
var protoNames = [protoNamesCount]string{"OpenFlow10-table_id", "OpenFlow10+table_id", "NXM-table_id", "NXM+table_id",
	"OpenFlow11", "OXM-OpenFlow12", "OXM-OpenFlow13", "OXM-OpenFlow14", "OXM-OpenFlow15"}

// protoAbbrevs are the names of groups, tried first when printing a set.
var protoAbbrevs = []struct {
	p    protocols
	name string
}{{protoAny, "any"}, {protoOF10Std, "OpenFlow10"}, {protoOF10NXM, "NXM"}, {protoOXM, "OXM"}}

// String lists the set as ovs-ofctl does: groups by their names first,
// then each protocol left.
func (p protocols) String() string {
	if p == 0 {
		return "none"
	}
	var names []string
	for _, a := range protoAbbrevs {
		if p&a.p == a.p {
			names = append(names, a.name)
			p &^= a.p
		}
	}
	for p != 0 {
		i := bits.TrailingZeros16(uint16(p))
		names = append(names, protoNames[i])
		p &^= 1 << i
	}
	return strings.Join(names, ",")
}

// protocolsOf are the protocols of flow formats allowed at versions.
func protocolsOf(f openflow.FlowFormat, vs versionSet) protocols {
	var p protocols
	if vs&(1<<openflow.OpenFlow10) != 0 {
		if f&openflow.FormatOpenFlow10 != 0 {
			p |= protoOF10Std
		}
		if f&openflow.FormatNXM != 0 {
			p |= protoOF10NXM
		}
	}
	if vs&(1<<2) != 0 && f&openflow.FormatOpenFlow11 != 0 {
		p |= protoOF11
	}
	if f&openflow.FormatOXM != 0 {
		for v := openflow.OpenFlow12; v <= openflow.OpenFlow15; v++ {
			if vs&(1<<v) != 0 {
				p |= protoOXM12 << (v - openflow.OpenFlow12)
			}
		}
	}
	return p
}

// usableProtocols are the protocols that can add the flow: its flow
// formats' (Flow.Formats), with the table when it names one, from
// OpenFlow 1.3 with the flags no_packet_counts and no_byte_counts.
func usableProtocols(f *openflow.Flow) protocols {
	p := protocolsOf(f.Formats(), versionSet(0xff))
	if f.HasTable() {
		p &= protoTID
	}
	if f.NoPacketCounts || f.NoByteCounts {
		p &= protoOXM13Up
	}
	return p
}

// chosen is the first protocol of the set, and how it sends a flow mod:
// its version, flow format and whether (at 1.0) the command carries the
// table.
func (p protocols) chosen() (one protocols, ver openflow.Version, format openflow.FlowFormat, tableID bool) {
	one = p & -p
	switch one {
	case protoOF10, protoOF10TID:
		return one, openflow.OpenFlow10, openflow.FormatOpenFlow10, one == protoOF10TID
	case protoNXM, protoNXMTID:
		return one, openflow.OpenFlow10, openflow.FormatNXM, one == protoNXMTID
	case protoOF11:
		return one, openflow.Version(2), openflow.FormatOpenFlow11, true
	}
	return one, openflow.OpenFlow12 + openflow.Version(bits.TrailingZeros16(uint16(one/protoOXM12))), openflow.FormatOXM, true
}
