package openflow

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Action is one of a flow's actions as ovs-ofctl lists them (instructions
// such as goto_table included). Its String is ovs-ofctl's text.
type Action interface {
	String() string
	// appendWire appends the action as version ver encodes it (in an
	// apply-actions list).
	appendWire(b []byte, ver Version) []byte
}

// Output sends the packet to a port: a number, or PortNormal, PortFlood,
// PortAll, PortInPort, PortLocal, PortController (with MaxLen bytes).
type Output struct {
	Port   uint32
	MaxLen uint16
}

func (a Output) String() string { return a.formatNamed(nil) }

func (a Output) formatNamed(n PortNames) string {
	switch {
	case a.Port == PortController:
		return "CONTROLLER:" + strconv.Itoa(int(a.MaxLen))
	case a.Port < PortMax:
		return "output:" + n.format(a.Port)
	}
	return formatPort(a.Port)
}

func (a Output) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 {
		b = append(b, 0, ofpat10Output, 0, 8)
		b = binary.BigEndian.AppendUint16(b, port16(a.Port))
		return binary.BigEndian.AppendUint16(b, a.MaxLen)
	}
	b = append(b, 0, ofpatOutput, 0, 16)
	b = binary.BigEndian.AppendUint32(b, a.Port)
	b = binary.BigEndian.AppendUint16(b, a.MaxLen)
	return append(b, 0, 0, 0, 0, 0, 0)
}

// PopVLAN removes the outer VLAN header (strip_vlan).
type PopVLAN struct {
	strip bool // read as OpenFlow 1.0's strip_vlan, and printed so
}

func (a PopVLAN) String() string {
	if a.strip {
		return "strip_vlan"
	}
	return "pop_vlan"
}

func (PopVLAN) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 {
		return append(b, 0, ofpat10StripVLAN, 0, 8, 0, 0, 0, 0)
	}
	return append(b, 0, ofpatPopVLAN, 0, 8, 0, 0, 0, 0)
}

// PushVLAN adds a VLAN header of EtherType (0x8100 or 0x88a8).
type PushVLAN struct{ EtherType uint16 }

func (a PushVLAN) String() string { return fmt.Sprintf("push_vlan:0x%x", a.EtherType) }
func (a PushVLAN) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 {
		// OpenFlow 1.0 has no push: setting the VLAN id adds the header.
		return b
	}
	return appendEtherTypeAction(b, ofpatPushVLAN, a.EtherType)
}

// appendEtherTypeAction appends an OpenFlow action of type typ that
// carries an EtherType (push_vlan, push_mpls, pop_mpls).
func appendEtherTypeAction(b []byte, typ uint8, etherType uint16) []byte {
	b = append(b, 0, typ, 0, 8)
	b = binary.BigEndian.AppendUint16(b, etherType)
	return append(b, 0, 0)
}

// DecTTL decrements the IP TTL (dec_ttl).
type DecTTL struct{}

func (DecTTL) String() string { return "dec_ttl" }
func (DecTTL) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 {
		return append(nxHeader(b, 16, nxastDecTTL), 0, 0, 0, 0, 0, 0)
	}
	return append(b, 0, ofpatDecNwTTL, 0, 8, 0, 0, 0, 0)
}

// Group sends the packet to a group.
type Group struct{ ID uint32 }

func (a Group) String() string { return "group:" + strconv.FormatUint(uint64(a.ID), 10) }
func (a Group) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 {
		return binary.BigEndian.AppendUint32(append(nxHeader(b, 16, nxastGroup), 0, 0), a.ID)
	}
	b = append(b, 0, ofpatGroup, 0, 8)
	return binary.BigEndian.AppendUint32(b, a.ID)
}

// SetField sets a field (set_field:VALUE->FIELD), as OXM.
type SetField struct {
	// Field is the field's name as set_field prints it (eth_src,
	// vlan_vid, ip_src, tcp_dst, reg0, tun_id, ...).
	Field string
	// Value is the value, of the field's size.
	Value []byte
	// Mask, if not nil, limits the bits set to its ones
	// (set_field:VALUE/MASK->FIELD); of the field's size.
	Mask []byte
	// load: written as a load wider than 64 bits, which prints as loads.
	load bool
	// ofp10: one of OpenFlow 1.0's set actions, read from the wire or
	// the text (mod_vlan_vid:5), and printed so.
	ofp10 bool
	// push: mod_vlan_vid or mod_vlan_pcp on a match without a VLAN,
	// which versions after 1.0 write with a push_vlan first.
	push bool
}

func (a SetField) String() string {
	if a.ofp10 {
		return a.legacyString()
	}
	d := setFieldDefs[a.Field]
	if a.load {
		var parts []string
		for _, l := range a.loads() {
			parts = append(parts, l.String())
		}
		return strings.Join(parts, ",")
	}
	if a.Mask != nil && !allOnes(a.Mask) {
		return "set_field:" + d.formatMasked(a.Value, a.Mask) + "->" + a.Field
	}
	return "set_field:" + d.format(a.Value) + "->" + a.Field
}

func (a SetField) appendWire(b []byte, ver Version) []byte {
	switch ver {
	case OpenFlow10:
		return a.appendLegacy10(b)
	case OpenFlow11:
		return a.appendLegacy11(b)
	}
	if a.push {
		b = PushVLAN{ethVLAN}.appendWire(b, ver)
	}
	d := setFieldDefs[a.Field]
	masked := a.Mask != nil && !allOnes(a.Mask)
	if (masked || a.load) && ver < OpenFlow15 {
		// OpenFlow 1.3 and 1.4 set whole fields: a load per run of ones
		// in the mask, as Open vSwitch encodes it.
		for _, l := range a.loads() {
			b = l.appendWire(b, ver)
		}
		return b
	}
	start := len(b)
	b = append(b, 0, ofpatSetField, 0, 0)
	if masked {
		b = binary.BigEndian.AppendUint32(b, oxmHeader(d.class, d.field, true, 2*len(a.Value)))
		b = append(b, a.Value...)
		b = append(b, a.Mask...)
	} else {
		b = binary.BigEndian.AppendUint32(b, oxmHeader(d.class, d.field, false, len(a.Value)))
		b = append(b, a.Value...)
	}
	for (len(b)-start)%8 != 0 {
		b = append(b, 0)
	}
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

// Resubmit searches table Table (255: the current one) again as if the
// packet came in on InPort (PortInPort: its own).
type Resubmit struct {
	InPort uint32
	Table  uint8
	// CT: the packet's fields are the connection tracker's original
	// direction's (resubmit(,T,ct)).
	CT bool
}

func (a Resubmit) String() string { return a.formatNamed(nil) }

func (a Resubmit) formatNamed(n PortNames) string {
	port := ""
	if a.InPort != PortInPort {
		port = n.format(a.InPort)
	}
	if a.InPort != PortInPort && a.Table == 255 && !a.CT {
		return "resubmit:" + port
	}
	table := ""
	if a.Table != 255 {
		table = strconv.Itoa(int(a.Table))
	}
	if a.CT {
		table += ",ct"
	}
	return "resubmit(" + port + "," + table + ")"
}

func (a Resubmit) appendWire(b []byte, ver Version) []byte {
	sub, table := uint16(nxastResubmitTable), a.Table
	switch {
	case a.CT:
		sub = nxastResubmitTableCT
	case a.Table == 255:
		sub, table = nxastResubmit, 0 // padding in resubmit's form
	}
	b = nxHeader(b, 16, sub)
	b = binary.BigEndian.AppendUint16(b, port16(a.InPort))
	b = append(b, table)
	return append(b, 0, 0, 0)
}

// SetTunnel sets the tunnel id in Nicira's own form (set_tunnel:ID, or
// set_tunnel64:ID when Wide or wider than 32 bits), as an OpenFlow 1.0
// controller writes it; it is written back in that form. ParseFlow reads
// set_tunnel as OpenFlow 1.2 and later carry it, a set_field of tun_id.
type SetTunnel struct {
	ID   uint64
	Wide bool
	// nx: read from the wire in Nicira's form, and written back so in
	// every version (ParseFlow's is a set_field after 1.0, as ovs-ofctl
	// writes it).
	nx bool
}

func (a SetTunnel) String() string {
	if a.Wide || a.ID > 0xffffffff {
		return "set_tunnel64:" + cHex(a.ID)
	}
	return "set_tunnel:" + cHex(a.ID)
}

func (a SetTunnel) appendWire(b []byte, ver Version) []byte {
	if ver != OpenFlow10 && !a.nx {
		return SetField{Field: "tun_id", Value: binary.BigEndian.AppendUint64(nil, a.ID)}.appendWire(b, ver)
	}
	if a.Wide || a.ID > 0xffffffff {
		b = append(nxHeader(b, 24, nxastSetTunnel64), 0, 0, 0, 0, 0, 0)
		return binary.BigEndian.AppendUint64(b, a.ID)
	}
	b = append(nxHeader(b, 16, nxastSetTunnel), 0, 0)
	return binary.BigEndian.AppendUint32(b, uint32(a.ID))
}

// DeleteField removes a tunnel metadata field from the packet
// (delete_field:tun_metadata10).
type DeleteField struct{ Field string }

func (a DeleteField) String() string { return "delete_field:" + a.Field }

func (a DeleteField) appendWire(b []byte, ver Version) []byte {
	b = nxHeader(b, 24, nxastDeleteField)
	b = binary.BigEndian.AppendUint32(b, nxmFields[nxmAliases[a.Field]].header())
	return append(b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}

// port16 is an OpenFlow 1.0 port number, as Nicira actions carry them.
func port16(p uint32) uint16 {
	if p >= 0xfffffff8 {
		return uint16(p - 0xffffffff + 0xffff)
	}
	return uint16(p)
}

func port32(p uint16) uint32 {
	if p >= 0xfff8 {
		return uint32(p) - 0xffff + 0xffffffff
	}
	return uint32(p)
}

// nxHeader starts a Nicira experimenter action of length n.
func nxHeader(b []byte, n, subtype uint16) []byte {
	b = append(b, 0xff, 0xff)
	b = binary.BigEndian.AppendUint16(b, n)
	b = binary.BigEndian.AppendUint32(b, nxVendor)
	return binary.BigEndian.AppendUint16(b, subtype)
}

const nxVendor = 0x00002320

// OutputReg outputs to the port held in a subfield (output:NXM_NX_REG0[]).
type OutputReg struct {
	Src       string
	Ofs, Bits int
}

func (a OutputReg) String() string { return "output:" + formatSubfield(a.Src, a.Ofs, a.Bits) }
func (a OutputReg) appendWire(b []byte, ver Version) []byte {
	b = nxHeader(b, 24, nxastOutputReg)
	b = binary.BigEndian.AppendUint16(b, ofsNbits(a.Ofs, a.Bits))
	b = binary.BigEndian.AppendUint32(b, nxmFields[a.Src].header())
	b = binary.BigEndian.AppendUint16(b, 0xffff) // max_len: the whole packet, as Open vSwitch writes it
	return append(b, 0, 0, 0, 0, 0, 0)
}

// SetQueue sets the queue the packet is output to (set_queue:N).
type SetQueue struct{ ID uint32 }

func (a SetQueue) String() string { return "set_queue:" + strconv.FormatUint(uint64(a.ID), 10) }
func (a SetQueue) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 {
		return binary.BigEndian.AppendUint32(append(nxHeader(b, 16, nxastSetQueue), 0, 0), a.ID)
	}
	b = append(b, 0, ofpatSetQueue, 0, 8)
	return binary.BigEndian.AppendUint32(b, a.ID)
}

// PopQueue restores the queue the packet came with (pop_queue).
type PopQueue struct{}

func (PopQueue) String() string { return "pop_queue" }
func (PopQueue) appendWire(b []byte, ver Version) []byte {
	b = nxHeader(b, 16, nxastPopQueue)
	return append(b, 0, 0, 0, 0, 0, 0)
}

// Exit stops processing the actions (exit).
type Exit struct{}

func (Exit) String() string { return "exit" }
func (Exit) appendWire(b []byte, ver Version) []byte {
	b = nxHeader(b, 16, nxastExit)
	return append(b, 0, 0, 0, 0, 0, 0)
}

// SetNwTTL sets the IP TTL (mod_nw_ttl:N).
type SetNwTTL struct{ TTL uint8 }

func (a SetNwTTL) String() string { return "mod_nw_ttl:" + strconv.Itoa(int(a.TTL)) }
func (a SetNwTTL) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 {
		return Load{Dst: "NXM_NX_IP_TTL", Bits: 8, Value: uint64(a.TTL)}.appendWire(b, ver)
	}
	return append(b, 0, ofpatSetNwTTL, 0, 8, a.TTL, 0, 0, 0)
}

// Conjunction makes the flow one clause of a conjunctive match
// (conjunction(ID,CLAUSE/N), CLAUSE counted from 1).
type Conjunction struct {
	ID               uint32
	Clause, NClauses uint8
}

func (a Conjunction) String() string {
	return fmt.Sprintf("conjunction(%d,%d/%d)", a.ID, a.Clause, a.NClauses)
}

func (a Conjunction) appendWire(b []byte, ver Version) []byte {
	b = nxHeader(b, 16, nxastConjunction)
	b = append(b, a.Clause-1, a.NClauses)
	return binary.BigEndian.AppendUint32(b, a.ID)
}

// Clone runs actions on a copy of the packet (clone(...)).
type Clone struct{ Actions []Action }

func (a Clone) String() string { return a.formatNamed(nil) }

func (a Clone) formatNamed(n PortNames) string { return "clone(" + actionsNamed(a.Actions, n) + ")" }

func (a Clone) appendWire(b []byte, ver Version) []byte {
	var nested []byte
	for _, x := range a.Actions {
		nested = x.appendWire(nested, ver)
	}
	b = nxHeader(b, uint16(16+len(nested)), nxastClone)
	b = append(b, 0, 0, 0, 0, 0, 0)
	return append(b, nested...)
}

// MeterAction sends the packet through a meter (an instruction, first).
type MeterAction struct{ ID uint32 }

func (a MeterAction) String() string                          { return "meter:" + strconv.FormatUint(uint64(a.ID), 10) }
func (a MeterAction) appendWire(b []byte, ver Version) []byte { return b }

// GotoTable continues in a later table (an instruction).
type GotoTable struct{ Table uint8 }

func (a GotoTable) String() string { return "goto_table:" + strconv.Itoa(int(a.Table)) }
func (a GotoTable) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 { // an instruction elsewhere; at 1.0, Nicira's resubmit
		return Resubmit{InPort: PortInPort, Table: a.Table}.appendWire(b, ver)
	}
	return b
}

// WriteMetadata writes metadata under a mask (an instruction).
type WriteMetadata struct{ Value, Mask uint64 }

func (a WriteMetadata) String() string {
	if a.Mask == ^uint64(0) {
		return "write_metadata:" + cHex(a.Value)
	}
	return "write_metadata:" + cHex(a.Value) + "/" + cHex(a.Mask)
}
func (a WriteMetadata) appendWire(b []byte, ver Version) []byte {
	if ver == OpenFlow10 { // an instruction elsewhere; at 1.0, Nicira's action
		b = append(nxHeader(b, 32, nxastWriteMetadata), 0, 0, 0, 0, 0, 0)
		b = binary.BigEndian.AppendUint64(b, a.Value)
		return binary.BigEndian.AppendUint64(b, a.Mask)
	}
	return b
}

// Load writes Value into bits Ofs..Ofs+Bits-1 of a field (load:V->F[a..b]).
type Load struct {
	Dst       string // NXM name: NXM_NX_REG0, NXM_OF_ETH_SRC, ...
	Ofs, Bits int
	Value     uint64
}

func (a Load) String() string {
	return "load:" + cHex(a.Value) + "->" + formatSubfield(a.Dst, a.Ofs, a.Bits)
}

func (a Load) appendWire(b []byte, ver Version) []byte {
	if ver >= OpenFlow15 { // OpenFlow 1.5 has no load: a masked set_field
		return a.setField().appendWire(b, ver)
	}
	b = nxHeader(b, 24, nxastRegLoad)
	b = binary.BigEndian.AppendUint16(b, ofsNbits(a.Ofs, a.Bits))
	b = binary.BigEndian.AppendUint32(b, nxmFields[a.Dst].header())
	return binary.BigEndian.AppendUint64(b, a.Value)
}

// loads are the loads that set what a masked set_field sets: one per run
// of ones in the mask (at most 64 bits long), low bits first.
func (a SetField) loads() []Load {
	bit := func(b []byte, i int) bool { return b[len(b)-1-i/8]&(1<<(i%8)) != 0 }
	var out []Load
	for ofs, n := 0, 8*len(a.Mask); ofs < n; {
		if !bit(a.Mask, ofs) {
			ofs++
			continue
		}
		end := ofs
		var v uint64
		for end < n && end-ofs < 64 && bit(a.Mask, end) {
			if bit(a.Value, end) {
				v |= 1 << (end - ofs)
			}
			end++
		}
		out = append(out, Load{Dst: nxmAliases[a.Field], Ofs: ofs, Bits: end - ofs, Value: v})
		ofs = end
	}
	return out
}

// setField is the load as a set_field with a mask.
func (a Load) setField() SetField {
	f := nxmFields[a.Dst]
	v, m := make([]byte, f.size), make([]byte, f.size)
	ones := new(big.Int).Lsh(big.NewInt(1), uint(a.Bits))
	ones.Sub(ones, big.NewInt(1))
	new(big.Int).Lsh(new(big.Int).And(new(big.Int).SetUint64(a.Value), ones), uint(a.Ofs)).FillBytes(v)
	new(big.Int).Lsh(ones, uint(a.Ofs)).FillBytes(m)
	return SetField{Field: nxmSetField[a.Dst], Value: v, Mask: m}
}

// Move copies Bits bits from one field to another (move:SRC[]->DST[]).
type Move struct {
	Src, Dst       string
	SrcOfs, DstOfs int
	Bits           int
}

func (a Move) String() string {
	return "move:" + formatSubfield(a.Src, a.SrcOfs, a.Bits) + "->" + formatSubfield(a.Dst, a.DstOfs, a.Bits)
}

func (a Move) appendWire(b []byte, ver Version) []byte {
	if ver >= OpenFlow15 { // OpenFlow 1.5's copy_field
		b = append(b, 0, ofpatCopyField, 0, 24)
		b = binary.BigEndian.AppendUint16(b, uint16(a.Bits))
		b = binary.BigEndian.AppendUint16(b, uint16(a.SrcOfs))
		b = binary.BigEndian.AppendUint16(b, uint16(a.DstOfs))
		b = append(b, 0, 0)
		b = binary.BigEndian.AppendUint32(b, nxmFields[a.Src].header())
		b = binary.BigEndian.AppendUint32(b, nxmFields[a.Dst].header())
		return append(b, 0, 0, 0, 0)
	}
	b = nxHeader(b, 24, nxastRegMove)
	b = binary.BigEndian.AppendUint16(b, uint16(a.Bits))
	b = binary.BigEndian.AppendUint16(b, uint16(a.SrcOfs))
	b = binary.BigEndian.AppendUint16(b, uint16(a.DstOfs))
	b = binary.BigEndian.AppendUint32(b, nxmFields[a.Src].header())
	return binary.BigEndian.AppendUint32(b, nxmFields[a.Dst].header())
}

func formatSubfield(name string, ofs, bits int) string {
	if ofs == 0 && bits == fieldBits(name) {
		return name + "[]"
	}
	if bits == 1 {
		return fmt.Sprintf("%s[%d]", name, ofs)
	}
	return fmt.Sprintf("%s[%d..%d]", name, ofs, ofs+bits-1)
}

// Note carries bytes that do nothing (note:01.02.03).
type Note struct{ Data []byte }

func (a Note) String() string {
	parts := make([]string, len(a.Data))
	for i, c := range a.Data {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return "note:" + strings.Join(parts, ".")
}

func (a Note) appendWire(b []byte, ver Version) []byte {
	n := 10 + len(a.Data)
	n = max(16, (n+7)/8*8)
	b = nxHeader(b, uint16(n), nxastNote)
	b = append(b, a.Data...)
	for i := 10 + len(a.Data); i < n; i++ {
		b = append(b, 0)
	}
	return b
}

// CT sends the packet through the connection tracker:
// ct(commit,table=T,zone=Z,nat(...),exec(...)).
type CT struct {
	Commit bool
	// Force commits the connection in this direction, ending one that
	// was committed in the other.
	Force bool
	// Zone is the connection tracking zone, unless ZoneField names the
	// 16-bit subfield (from bit ZoneOfs) the zone is read from
	// (zone=NXM_NX_REG13[0..15]).
	Zone      uint16
	ZoneField string
	ZoneOfs   int
	// Table is where the packet continues after tracking (255: none).
	Table uint8
	// NAT, if set, translates the connection's addresses.
	NAT *NAT
	// Exec are actions applied to the connection when committing
	// (set_field of ct_mark, load into NXM_NX_CT_MARK).
	Exec []Action
	// Alg is the application layer gateway's port: 21 (alg=ftp), 69
	// (alg=tftp), 0 for none.
	Alg uint16
}

func (a CT) String() string {
	var parts []string
	if a.Commit {
		parts = append(parts, "commit")
	}
	if a.Force {
		parts = append(parts, "force")
	}
	if a.Table != 255 {
		parts = append(parts, "table="+strconv.Itoa(int(a.Table)))
	}
	if a.ZoneField != "" {
		parts = append(parts, "zone="+formatSubfield(a.ZoneField, a.ZoneOfs, 16))
	} else if a.Zone != 0 {
		parts = append(parts, "zone="+strconv.Itoa(int(a.Zone)))
	}
	if a.NAT != nil {
		parts = append(parts, a.NAT.String())
	}
	if len(a.Exec) > 0 {
		parts = append(parts, "exec("+actionsString(a.Exec)+")")
	}
	switch a.Alg {
	case 0:
	case 21:
		parts = append(parts, "alg=ftp")
	case 69:
		parts = append(parts, "alg=tftp")
	default:
		parts = append(parts, "alg="+strconv.Itoa(int(a.Alg)))
	}
	return "ct(" + strings.Join(parts, ",") + ")"
}

func (a CT) appendWire(b []byte, ver Version) []byte {
	var nested []byte
	if a.NAT != nil {
		nested = a.NAT.appendWire(nested, ver)
	}
	for _, x := range a.Exec {
		nested = x.appendWire(nested, ver)
	}
	b = nxHeader(b, uint16(24+len(nested)), nxastCT)
	flags := uint16(0)
	if a.Commit {
		flags |= 1
	}
	if a.Force {
		flags |= 2
	}
	b = binary.BigEndian.AppendUint16(b, flags)
	if a.ZoneField != "" {
		b = binary.BigEndian.AppendUint32(b, nxmFields[a.ZoneField].header())
		b = binary.BigEndian.AppendUint16(b, ofsNbits(a.ZoneOfs, 16))
	} else {
		b = binary.BigEndian.AppendUint32(b, 0) // zone_src: an immediate zone
		b = binary.BigEndian.AppendUint16(b, a.Zone)
	}
	b = append(b, a.Table, 0, 0, 0)
	b = binary.BigEndian.AppendUint16(b, a.Alg)
	return append(b, nested...)
}

// NAT is ct()'s address translation: nat, nat(src=ADDR[-ADDR][:PORT[-PORT]]),
// nat(dst=...), with persistent and hash or random. Addresses are IPv4 or
// IPv6 (in brackets when ports follow: [ADDR]-[ADDR]:PORT-PORT).
type NAT struct {
	Src, Dst         bool
	Min, Max         netip.Addr // the range (Max invalid: Min alone; Min invalid: no range)
	PortMin, PortMax uint16
	Persistent       bool
	Hash, Random     bool
}

func (n *NAT) String() string {
	if !n.Src && !n.Dst {
		return "nat"
	}
	var b strings.Builder
	b.WriteString("nat(")
	if n.Src {
		b.WriteString("src")
	} else {
		b.WriteString("dst")
	}
	if n.Min.IsValid() {
		addr := func(a netip.Addr) string {
			if a.Is6() && n.PortMin != 0 {
				return "[" + a.String() + "]"
			}
			return a.String()
		}
		b.WriteString("=" + addr(n.Min))
		if n.Max.IsValid() && n.Max != n.Min {
			b.WriteString("-" + addr(n.Max))
		}
		if n.PortMin != 0 {
			fmt.Fprintf(&b, ":%d", n.PortMin)
			if n.PortMax != 0 && n.PortMax != n.PortMin {
				fmt.Fprintf(&b, "-%d", n.PortMax)
			}
		}
		// The flags print only with a range, as ovs-ofctl prints them.
		if n.Persistent {
			b.WriteString(",persistent")
		}
		if n.Hash {
			b.WriteString(",hash")
		}
		if n.Random {
			b.WriteString(",random")
		}
	}
	b.WriteString(")")
	return b.String()
}

func (n *NAT) appendWire(b []byte, ver Version) []byte {
	var flags, present uint16
	var opt []byte
	for i, on := range []bool{n.Src, n.Dst, n.Persistent, n.Hash, n.Random} {
		if on {
			flags |= 1 << i
		}
	}
	if n.Min.IsValid() {
		minBit, maxBit := uint16(1), uint16(2)
		if n.Min.Is6() {
			minBit, maxBit = 4, 8
		}
		present |= minBit
		opt = append(opt, n.Min.AsSlice()...)
		if n.Max.IsValid() {
			present |= maxBit
			opt = append(opt, n.Max.AsSlice()...)
		}
		if n.PortMin != 0 {
			present |= 16
			opt = binary.BigEndian.AppendUint16(opt, n.PortMin)
		}
		if n.PortMax != 0 {
			present |= 32
			opt = binary.BigEndian.AppendUint16(opt, n.PortMax)
		}
	}
	l := (16 + len(opt) + 7) / 8 * 8
	b = nxHeader(b, uint16(l), nxastNAT)
	b = append(b, 0, 0)
	b = binary.BigEndian.AppendUint16(b, flags)
	b = binary.BigEndian.AppendUint16(b, present)
	b = append(b, opt...)
	for i := 16 + len(opt); i < l; i++ {
		b = append(b, 0)
	}
	return b
}

// parseNATAddrs reads ADDR[-ADDR][:PORT[-PORT]], IPv6 addresses in
// brackets when ports follow.
func parseNATAddrs(n *NAT, v, item string) error {
	var lo, hi, ports string
	if strings.HasPrefix(v, "[") {
		end := strings.Index(v, "]")
		if end < 0 {
			return syntaxf(item, "%s: missing ] in nat", v)
		}
		lo, v = v[1:end], v[end+1:]
		if rest, ok := strings.CutPrefix(v, "-["); ok {
			end := strings.Index(rest, "]")
			if end < 0 {
				return syntaxf(item, "%s: missing ] in nat", rest)
			}
			hi, v = rest[:end], rest[end+1:]
		}
		if rest, ok := strings.CutPrefix(v, ":"); ok {
			ports = rest
		} else if v != "" {
			return syntaxf(item, "%s: unexpected in nat", v)
		}
	} else if strings.Count(v, ":") > 1 {
		lo, hi, _ = strings.Cut(v, "-") // IPv6 without ports
	} else {
		var addrs string
		addrs, ports, _ = strings.Cut(v, ":")
		lo, hi, _ = strings.Cut(addrs, "-")
	}
	a, err := netip.ParseAddr(lo)
	if err != nil || a.Zone() != "" {
		return syntaxf(item, "%s: invalid IP address in nat", lo)
	}
	n.Min = a
	if hi != "" {
		h, err := netip.ParseAddr(hi)
		if err != nil || h.Is4() != a.Is4() || h.Zone() != "" {
			return syntaxf(item, "%s: invalid IP address in nat", hi)
		}
		n.Max = h
	}
	if ports != "" {
		plo, phi, hasPHi := strings.Cut(ports, "-")
		p, err := strconv.ParseUint(plo, 10, 16)
		if err != nil {
			return syntaxf(item, "%s: invalid port in nat", plo)
		}
		n.PortMin = uint16(p)
		if hasPHi {
			p, err := strconv.ParseUint(phi, 10, 16)
			if err != nil || uint16(p) < n.PortMin {
				return syntaxf(item, "%s: invalid port range in nat", ports)
			}
			n.PortMax = uint16(p)
		}
	}
	return nil
}

// parseNAT reads nat's argument (without the parentheses).
func parseNAT(arg, item string) (*NAT, error) {
	n := &NAT{}
	if arg == "" {
		return n, nil
	}
	for i, tok := range strings.Split(arg, ",") {
		k, v, hasV := strings.Cut(tok, "=")
		switch {
		case i == 0 && (k == "src" || k == "dst"):
			n.Src, n.Dst = k == "src", k == "dst"
			if hasV {
				if err := parseNATAddrs(n, v, item); err != nil {
					return nil, err
				}
			}
		case i > 0 && tok == "persistent":
			n.Persistent = true
		case i > 0 && tok == "hash":
			n.Hash = true
		case i > 0 && tok == "random":
			n.Random = true
		default:
			return nil, syntaxf(item, "nat: %s is not supported", tok)
		}
	}
	if n.Hash && n.Random {
		return nil, syntaxf(item, "nat: hash and random are exclusive")
	}
	return n, nil
}

// ---- fields for set_field, load and move ----

// setFieldDef is a field set_field can set.
type setFieldDef struct {
	class uint16
	field uint8
	size  int
	kind  byte // 'm' MAC, '4' IPv4, '6' IPv6, 'd' decimal, 'x' hex
}

func (d setFieldDef) format(v []byte) string {
	switch d.kind {
	case 'm':
		return formatMAC(v, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	case '4':
		return formatIPv4(v, []byte{0xff, 0xff, 0xff, 0xff})
	case '6':
		full := make([]byte, 16)
		for i := range full {
			full[i] = 0xff
		}
		return formatIPv6(v, full)
	case 'd':
		return strconv.FormatUint(beUint(v), 10)
	case 'p':
		if len(v) == 2 {
			return PortNames(nil).format(port32(uint16(beUint(v))))
		}
		return PortNames(nil).format(uint32(beUint(v)))
	case 'X':
		return wideHex(v)
	}
	return cHex(beUint(v))
}

// formatMasked is a value with a mask that is not all ones, as
// Open vSwitch's mf_format prints it.
func (d setFieldDef) formatMasked(v, mask []byte) string {
	switch d.kind {
	case 'm':
		return formatMAC(v, mask)
	case '4':
		return formatIPv4(v, mask)
	case '6':
		return formatIPv6(v, mask)
	case 'd':
		return strconv.FormatUint(beUint(v), 10) + "/" + wideHex(mask)
	}
	return wideHex(v) + "/" + wideHex(mask)
}

// setFieldByWire finds a set_field field by its wire identity.
func setFieldByWire(class uint16, field uint8) (string, setFieldDef, bool) {
	name, ok := setFieldByKey[oxmKey{class, field}]
	return name, setFieldDefs[name], ok
}

// nxmField is a field load and move name (NXM_NX_REG0, ...).
type nxmField struct {
	class uint16
	field uint8
	size  int // bytes
}

func (f nxmField) header() uint32 { return oxmHeader(f.class, f.field, false, f.size) }
func (f nxmField) bits() int      { return 8 * f.size }

// parseSubfield reads "NXM_NX_REG0[]", "NXM_NX_REG0[3]" or
// "NXM_NX_REG0[0..7]".
func parseSubfield(s string) (name string, ofs, bits int, err error) {
	name, rest, ok := strings.Cut(s, "[")
	if !ok {
		rest = "]" // a field's name alone is the whole field
	}
	if !strings.HasSuffix(rest, "]") {
		return "", 0, 0, syntaxf(s, "%s: missing ] in field", s)
	}
	if alias, ok := nxmAliases[name]; ok {
		name = alias
	}
	f, ok := nxmFields[name]
	if !ok {
		return "", 0, 0, syntaxf(s, "%s: unknown field", name)
	}
	rest = strings.TrimSuffix(rest, "]")
	if rest == "" {
		return name, 0, fieldBits(name), nil
	}
	ofs, bits, ok = parseBitRange(rest, f.bits())
	if !ok {
		return "", 0, 0, syntaxf(s, "%s: bad bit range", s)
	}
	return name, ofs, bits, nil
}

// fieldBits is the width of a field named by a header name: its bytes'
// bits, or fewer for the narrow fields (mpls_label's 20 of 4 bytes,
// ip_ecn's 2), as "NAME[]" means it.
func fieldBits(name string) int {
	first := name
	if a, ok := nxmAliases[name]; ok {
		first = a
	}
	if n, ok := narrowFields[nxmSetField[first]]; ok {
		return n
	}
	return nxmFields[name].bits()
}

// parseBitRange reads a subfield's bits, "N" or "START..END", within a
// field of width bits.
func parseBitRange(s string, width int) (ofs, bits int, ok bool) {
	a, b, hasRange := strings.Cut(s, "..")
	start, err1 := strconv.Atoi(a)
	end := start
	var err2 error
	if hasRange {
		end, err2 = strconv.Atoi(b)
	}
	if err1 != nil || err2 != nil || start < 0 || end < start || end >= width {
		return 0, 0, false
	}
	return start, end - start + 1, true
}

// ofsNbits packs a subfield's offset and width as Nicira actions carry
// them: offset << 6 | (bits - 1).
func ofsNbits(ofs, bits int) uint16 { return uint16(ofs<<6 | (bits - 1)) }

// splitOfsNbits unpacks ofsNbits.
func splitOfsNbits(on uint16) (ofs, bits int) { return int(on >> 6), int(on&0x3f) + 1 }

// ---- parsing ----

// splitTop splits s at commas outside parentheses.
func splitTop(s string) []string { return splitOutside(s, ",") }

// splitOutside splits s at any of seps outside parentheses, dropping
// empty pieces when seps has more than one (white space).
func splitOutside(s, seps string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && strings.IndexByte(seps, c) >= 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	out = append(out, s[start:])
	if len(seps) > 1 {
		out = slices.DeleteFunc(out, func(x string) bool { return strings.TrimSpace(x) == "" })
	}
	return out
}

// parseActions reads ovs-ofctl's action list; m is the flow's match
// (mod_vlan_vid pushes a header only when the match has none).
func parseActions(s string, m *Match, names PortNames) ([]Action, error) {
	s = strings.TrimSpace(s)
	var out []Action
	if s == "" { // "actions=": no action, as "drop"
		return nil, nil
	}
	// Actions are separated by commas or white space; "drop" stands
	// alone.
	items := splitOutside(s, ", \t")
	for _, item := range items {
		item = strings.TrimSpace(item)
		if strings.EqualFold(item, "drop") && len(items) > 1 {
			return nil, syntaxf(s, "\"drop\" must not be accompanied by any other action or instruction")
		}
		name, arg := item, ""
		hasArg := false
		if rest, ok := strings.CutPrefix(item, "check_pkt_larger("); ok {
			acts, err := parseCheckPktLarger(rest, item)
			if err != nil {
				return nil, err
			}
			out = append(out, acts...)
			continue
		}
		if i := strings.IndexAny(item, ":("); i >= 0 {
			name, arg, hasArg = item[:i], item[i+1:], true
			if item[i] == '(' {
				if !strings.HasSuffix(arg, ")") {
					return nil, syntaxf(item, "missing ) in %s", item)
				}
				arg = strings.TrimSuffix(arg, ")")
			}
		}
		name = strings.ToLower(name)
		acts, err := parseAction(name, arg, hasArg, item, m, names)
		if err != nil {
			return nil, err
		}
		out = append(out, acts...)
	}
	// Instructions come in OpenFlow 1.1's order: actions, then
	// write_metadata, then goto_table.
	stageName := []string{"meter", "apply_actions", "clear_actions", "write_actions", "write_metadata", "goto_table"}
	stage := -1
	for _, a := range out {
		st := 1
		switch a.(type) {
		case MeterAction:
			st = 0
		case ClearActions:
			st = 2
		case WriteActions:
			st = 3
		case WriteMetadata:
			st = 4
		case GotoTable:
			st = 5
		}
		if stage >= 0 && st < stage {
			return nil, syntaxf(s, "invalid instruction ordering: %s must appear before %s, for OpenFlow 1.1+ compatibility", stageName[st], stageName[stage])
		}
		if st == stage && st != 1 {
			return nil, syntaxf(s, "duplicate %s instruction", stageName[st])
		}
		stage = st
	}
	return out, nil
}

func parseAction(name, arg string, hasArg bool, item string, m *Match, names PortNames) ([]Action, error) {
	num := func(max uint64) (uint64, error) {
		n, err := strconv.ParseUint(arg, 0, 64)
		if err != nil || n > max {
			return 0, syntaxf(item, "%s: invalid argument %q", name, arg)
		}
		return n, nil
	}
	if p, ok := names.parse(name); ok && !hasArg {
		if p == PortController {
			return []Action{Output{Port: p, MaxLen: 0xffff}}, nil
		}
		return []Action{Output{Port: p}}, nil
	}
	if acts, ok, err := parseNXAction(name, arg, item, names); ok {
		return acts, err
	}
	switch name {
	case "drop":
		return nil, nil
	case "output":
		if strings.Contains(arg, "[") || nxmFields[arg].size > 0 {
			if !strings.Contains(arg, "[") {
				arg += "[]"
			}
			f, ofs, bits, err := parseSubfield(arg)
			if err != nil {
				return nil, err
			}
			return []Action{OutputReg{f, ofs, bits}}, nil
		}
		p, ok := names.parse(arg)
		if !ok {
			return nil, syntaxf(item, "%s: output to unknown port", arg)
		}
		return []Action{Output{Port: p}}, nil
	case "controller":
		maxLen := uint64(0xffff)
		if hasArg && strings.Contains(arg, "=") {
			return parseController(arg, item)
		}
		if hasArg && arg != "" {
			n, err := num(0xffff)
			if err != nil {
				return nil, err
			}
			maxLen = n
		}
		return []Action{Output{Port: PortController, MaxLen: uint16(maxLen)}}, nil
	case "strip_vlan", "pop_vlan":
		return []Action{PopVLAN{strip: name == "strip_vlan"}}, nil
	case "push_vlan":
		n, err := num(0xffff)
		if err != nil {
			return nil, err
		}
		if n != 0x8100 && n != 0x88a8 {
			return nil, syntaxf(item, "%s: not a valid VLAN ethertype", arg)
		}
		return []Action{PushVLAN{uint16(n)}}, nil
	case "mod_vlan_vid", "mod_vlan_pcp":
		max := uint64(4095)
		if name == "mod_vlan_pcp" {
			max = 7
		}
		n, err := num(max)
		if err != nil {
			return nil, err
		}
		// OpenFlow 1.0's set action, which adds a VLAN header when the
		// packet has none; later versions push one first when the match
		// does not say there is one.
		push := !m.has[fVLANTCI] || m.uint(fVLANTCI)&0x1000 == 0
		if name == "mod_vlan_vid" {
			return []Action{SetField{Field: "vlan_vid", Value: []byte{byte((n | 0x1000) >> 8), byte(n)}, ofp10: true, push: push}}, nil
		}
		return []Action{SetField{Field: "vlan_pcp", Value: []byte{byte(n)}, ofp10: true, push: push}}, nil
	case "mod_dl_src", "mod_dl_dst":
		return legacy(parseSetField(strings.Replace(name, "mod_dl", "eth", 1), arg, item))
	case "mod_nw_src", "mod_nw_dst":
		return legacy(parseSetField(strings.Replace(name, "mod_nw", "ip", 1), arg, item))
	case "mod_tp_src", "mod_tp_dst":
		proto := "tcp"
		switch m.nwProto() {
		case ipUDP:
			proto = "udp"
		case ipSCTP:
			proto = "sctp"
		}
		return legacy(parseSetField(strings.Replace(name, "mod_tp", proto, 1), arg, item))
	case "set_field":
		v, f, ok := strings.Cut(arg, "->")
		if !ok {
			return nil, syntaxf(item, "%s: missing `->'", arg)
		}
		return parseSetField(f, v, item)
	case "load":
		v, dst, ok := strings.Cut(arg, "->")
		if !ok {
			return nil, syntaxf(item, "%s: missing `->'", arg)
		}
		field, ofs, bits, err := parseSubfield(dst)
		if err != nil {
			return nil, err
		}
		n, ok := new(big.Int).SetString(v, 0)
		if !ok || n.Sign() < 0 || n.BitLen() > bits {
			return nil, syntaxf(item, "%s: value does not fit in %d bits", v, bits)
		}
		if bits <= 64 {
			return []Action{Load{Dst: field, Ofs: ofs, Bits: bits, Value: n.Uint64()}}, nil
		}
		// A load carries at most 64 bits: a wider one (fields are at most
		// 128 bits) is one masked set_field, which prints, and travels
		// before OpenFlow 1.5, as loads of 64 bits, low bits first.
		f := nxmFields[field]
		val, m := make([]byte, f.size), make([]byte, f.size)
		ones := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(bits)), big.NewInt(1))
		new(big.Int).Lsh(n, uint(ofs)).FillBytes(val)
		new(big.Int).Lsh(ones, uint(ofs)).FillBytes(m)
		return []Action{SetField{Field: nxmSetField[field], Value: val, Mask: m, load: true}}, nil
	case "move":
		src, dst, ok := strings.Cut(arg, "->")
		if !ok {
			return nil, syntaxf(item, "%s: missing `->'", arg)
		}
		sf, so, sb, err := parseSubfield(src)
		if err != nil {
			return nil, err
		}
		df, do, db, err := parseSubfield(dst)
		if err != nil {
			return nil, err
		}
		if sb != db {
			return nil, syntaxf(item, "source field %s is %d bits wide but destination %s is %d bits wide", src, sb, dst, db)
		}
		return []Action{Move{Src: sf, Dst: df, SrcOfs: so, DstOfs: do, Bits: sb}}, nil
	case "resubmit":
		r := Resubmit{InPort: PortInPort, Table: 255}
		if strings.Contains(item, "(") {
			ps, ts, _ := strings.Cut(arg, ",")
			if t, ct, ok := strings.Cut(ts, ","); ok {
				if ct != "ct" {
					return nil, syntaxf(item, "%s: unknown resubmit option", ct)
				}
				ts, r.CT = t, true
			}
			if ps != "" {
				p, ok := names.parse(ps)
				if !ok {
					return nil, syntaxf(item, "%s: resubmit to unknown port", ps)
				}
				r.InPort = p
			}
			if ts != "" {
				t, err := strconv.ParseUint(ts, 0, 8)
				if err != nil || t == 255 {
					return nil, syntaxf(item, "%s: resubmit to unknown table", ts)
				}
				r.Table = uint8(t)
			}
		} else {
			p, ok := names.parse(arg)
			if !ok {
				return nil, syntaxf(item, "%s: resubmit to unknown port", arg)
			}
			r.InPort = p
		}
		return []Action{r}, nil
	case "conjunction":
		var id, clause, n uint64
		idS, rest, ok1 := strings.Cut(arg, ",")
		cS, nS, ok2 := strings.Cut(rest, "/")
		var err1, err2, err3 error
		id, err1 = strconv.ParseUint(strings.TrimSpace(idS), 0, 32)
		clause, err2 = strconv.ParseUint(strings.TrimSpace(cS), 0, 8)
		n, err3 = strconv.ParseUint(strings.TrimSpace(nS), 0, 8)
		if !ok1 || !ok2 || err1 != nil || err2 != nil || err3 != nil {
			return nil, syntaxf(item, "\"conjunction\" syntax is \"conjunction(id,i/n)\"")
		}
		if n < 2 || n > 64 {
			return nil, syntaxf(item, "number of clauses %d is not in valid range 2 to 64", n)
		}
		if clause < 1 || clause > n {
			return nil, syntaxf(item, "clause index %d is not in valid range 1 to %d", clause, n)
		}
		return []Action{Conjunction{uint32(id), uint8(clause), uint8(n)}}, nil
	case "clone":
		var mm Match
		acts, err := parseActions(arg, &mm, names)
		if err != nil {
			return nil, err
		}
		return []Action{Clone{acts}}, nil
	case "enqueue":
		ps, qs, ok := strings.Cut(arg, ":")
		if !ok {
			ps, qs, ok = strings.Cut(arg, ",")
		}
		p, okp := names.parse(ps)
		q, err := strconv.ParseUint(qs, 0, 32)
		if !ok || !okp || err != nil {
			return nil, syntaxf(item, "\"enqueue\" syntax is \"enqueue:PORT:QUEUE\" or \"enqueue(PORT,QUEUE)\"")
		}
		return []Action{Enqueue{Port: p, Queue: uint32(q)}}, nil
	case "learn":
		l, err := parseLearn(arg, item, names)
		if err != nil {
			return nil, err
		}
		return []Action{l}, nil
	case "set_queue":
		n, err := num(0xffffffff)
		if err != nil {
			return nil, err
		}
		return []Action{SetQueue{uint32(n)}}, nil
	case "pop_queue":
		return []Action{PopQueue{}}, nil
	case "exit":
		return []Action{Exit{}}, nil
	case "mod_nw_tos":
		n, err := num(255)
		if err != nil {
			return nil, err
		}
		if n&3 != 0 {
			return nil, syntaxf(item, "%s: not a valid TOS", arg)
		}
		return []Action{SetField{Field: "ip_dscp", Value: []byte{byte(n >> 2)}, ofp10: true}}, nil
	case "mod_nw_ttl":
		n, err := num(255)
		if err != nil {
			return nil, err
		}
		return []Action{SetNwTTL{uint8(n)}}, nil
	case "mod_nw_ecn":
		return parseSetField("nw_ecn", arg, item)
	case "set_tunnel", "set_tunnel64":
		n, err := num(^uint64(0))
		if err != nil {
			return nil, err
		}
		return []Action{SetTunnel{ID: n, Wide: name == "set_tunnel64"}}, nil
	case "meter":
		n, err := num(0xffff0000)
		if err != nil || n == 0 {
			return nil, syntaxf(item, "%s: invalid meter", arg)
		}
		return []Action{MeterAction{uint32(n)}}, nil
	case "goto_table":
		n, err := num(254)
		if err != nil {
			return nil, err
		}
		return []Action{GotoTable{uint8(n)}}, nil
	case "write_metadata":
		vs, ms, hasMask := strings.Cut(arg, "/")
		v, err := strconv.ParseUint(vs, 0, 64)
		mask := ^uint64(0)
		if err == nil && hasMask {
			mask, err = strconv.ParseUint(ms, 0, 64)
		}
		if err != nil {
			return nil, syntaxf(item, "%s: invalid metadata", arg)
		}
		return []Action{WriteMetadata{v, mask}}, nil
	case "group":
		n, err := num(0xffffff00)
		if err != nil {
			return nil, err
		}
		return []Action{Group{uint32(n)}}, nil
	case "dec_ttl":
		return parseDecTTL(arg, item)
	case "ct_clear":
		return []Action{CTClear{}}, nil
	case "dec_mpls_ttl":
		return []Action{DecMPLSTTL{}}, nil
	case "delete_field":
		if !strings.HasPrefix(arg, "tun_metadata") {
			return nil, syntaxf(item, "%s is not a tunnel metadata field", arg)
		}
		if _, ok := nxmAliases[arg]; !ok {
			return nil, syntaxf(item, "%s: unknown field", arg)
		}
		return []Action{DeleteField{arg}}, nil
	case "push_mpls", "pop_mpls":
		n, err := num(0xffff)
		if err != nil {
			return nil, err
		}
		if name == "push_mpls" {
			if n != 0x8847 && n != 0x8848 {
				return nil, syntaxf(item, "%s: not a valid MPLS ethertype", arg)
			}
			return []Action{PushMPLS{uint16(n)}}, nil
		}
		return []Action{PopMPLS{uint16(n)}}, nil
	case "clear_actions":
		return []Action{ClearActions{}}, nil
	case "write_actions":
		var wm Match
		acts, err := parseActions(arg, &wm, names)
		if err != nil {
			return nil, err
		}
		if len(acts) == 0 { // nothing to write: ovs-ofctl leaves it out
			return nil, nil
		}
		return []Action{WriteActions{acts}}, nil
	case "unknown_action":
		return parseRawAction(arg, item)
	case "encap":
		return parseEncap(arg, item)
	case "decap":
		return parseDecap(arg, item)
	case "dec_nsh_ttl":
		return []Action{DecNSHTTL{}}, nil
	case "note":
		hexs := strings.NewReplacer(".", "", " ", "").Replace(arg)
		data, err := hex.DecodeString(hexs)
		if err != nil {
			return nil, syntaxf(item, "bad hex digit in `note' argument")
		}
		// The action is padded to 8 bytes with zeros, which the switch
		// keeps and prints: so does the flow.
		for n := 10 + len(data); n < 16 || n%8 != 0; n++ {
			data = append(data, 0)
		}
		return []Action{Note{data}}, nil
	case "ct":
		c := CT{Table: 255}
		if arg != "" {
			for _, kv := range splitTop(arg) {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "commit":
					c.Commit = true
				case "force":
					c.Force = true
				case "alg":
					switch v {
					case "ftp":
						c.Alg = 21
					case "tftp":
						c.Alg = 69
					default:
						n, err := strconv.ParseUint(v, 10, 16)
						if err != nil {
							return nil, syntaxf(item, "ct: unknown alg %q", v)
						}
						c.Alg = uint16(n)
					}
				case "zone":
					if err := parseCTZone(&c, v, item); err != nil {
						return nil, err
					}
				case "table":
					n, err := strconv.ParseUint(v, 0, 8)
					if err != nil || n == 255 {
						return nil, syntaxf(item, "ct: bad table %q", v)
					}
					c.Table = uint8(n)
				case "nat":
					c.NAT = &NAT{}
				default:
					if rest, ok := strings.CutPrefix(kv, "nat("); ok && strings.HasSuffix(rest, ")") {
						nat, err := parseNAT(strings.TrimSuffix(rest, ")"), item)
						if err != nil {
							return nil, err
						}
						c.NAT = nat
						continue
					}
					if rest, ok := strings.CutPrefix(kv, "exec("); ok && strings.HasSuffix(rest, ")") {
						var m Match
						acts, err := parseActions(strings.TrimSuffix(rest, ")"), &m, names)
						if err != nil {
							return nil, err
						}
						for _, x := range acts {
							if f, ok := writes(x); !ok || !isCTField(f) {
								what := x.String()
								if ok {
									what = nxmSetFieldName(f)
								}
								return nil, syntaxf(item, "ct action doesn't support nested modification of %s", what)
							}
						}
						c.Exec = acts
						continue
					}
					return nil, syntaxf(item, "ct: %s is not supported", k)
				}
			}
		}
		if c.Force && !c.Commit {
			return nil, syntaxf(item, "\"force\" flag requires \"commit\" flag.")
		}
		return []Action{c}, nil
	}
	return nil, syntaxf(item, "unknown action %s", name)
}

// writes names the field an action writes (its NXM name), if it writes
// one.
func writes(a Action) (string, bool) {
	switch a := a.(type) {
	case Load:
		return a.Dst, true
	case Move:
		return a.Dst, true
	case SetField:
		return nxmAliases[a.Field], true
	}
	return "", false
}

// isCTField reports whether an NXM name is the connection's mark or
// label, which only ct's exec may set.
func isCTField(f string) bool { return f == "NXM_NX_CT_MARK" || f == "NXM_NX_CT_LABEL" }

// nxmSetFieldName is a field's set_field name, given its NXM name.
func nxmSetFieldName(f string) string {
	if n, ok := nxmSetField[f]; ok {
		return n
	}
	return f
}

// checkCTWrites refuses, as ovs-ofctl does, a write of the connection's
// mark or label outside ct's exec (in the actions, or nested in clone or
// write_actions).
func checkCTWrites(acts []Action) error {
	for _, a := range acts {
		if f, ok := writes(a); ok && isCTField(f) {
			return syntaxf(a.String(), "cannot set CT fields outside of ct action")
		}
		switch a := a.(type) {
		case Clone:
			if err := checkCTWrites(a.Actions); err != nil {
				return err
			}
		case WriteActions:
			if err := checkCTWrites(a.Actions); err != nil {
				return err
			}
		}
	}
	return nil
}

func parseSetField(field, value, item string) ([]Action, error) {
	d, ok := setFieldDefs[field]
	if !ok {
		return nil, syntaxf(item, "%s is not a valid OXM field name", field)
	}
	v := make([]byte, d.size)
	var mask []byte
	switch d.kind {
	case 'm':
		hw, m, err := parseMACMasked(value)
		if err != nil {
			return nil, syntaxf(item, "%v", err)
		}
		copy(v, hw)
		mask = m
	case '4':
		a, m, err := parseIPv4Masked(value)
		if err != nil {
			return nil, syntaxf(item, "%v", err)
		}
		copy(v, a)
		mask = m
	case '6':
		a, m, err := parseIPv6Masked(value)
		if err != nil {
			return nil, syntaxf(item, "%v", err)
		}
		copy(v, a)
		mask = m
	case 'p':
		p, ok := PortNames(nil).parse(value)
		if !ok {
			return nil, syntaxf(item, "%s: %s is not a port", field, value)
		}
		if d.size == 2 {
			p32 := p
			p = uint32(port16(p))
			if port32(uint16(p)) != p32 {
				return nil, syntaxf(item, "%s: port %s does not fit in 16 bits", field, value)
			}
		}
		putBeUint(v, uint64(p))
		return []Action{SetField{Field: field, Value: v}}, nil
	case 'X':
		w, m, err := parseWideMasked(value, d.size)
		if err != nil {
			return nil, syntaxf(item, "%s: %v", field, err)
		}
		copy(v, w)
		mask = m
	default:
		n, m, err := parseUintMasked(value, d.size, true)
		if err != nil {
			return nil, syntaxf(item, "%s: %v", field, err)
		}
		if w, ok := narrowFields[field]; ok && n>>w != 0 {
			return nil, syntaxf(item, "%s: %s out of range", field, value)
		}
		if field == "vlan_vid" {
			n |= 0x1000
		}
		putBeUint(v, n)
		mask = make([]byte, d.size)
		putBeUint(mask, m)
	}
	if allOnes(mask) {
		return []Action{SetField{Field: field, Value: v}}, nil
	}
	// A mask: OpenFlow 1.3 and 1.4 carry it as loads, of NXM fields up to
	// 64 bits wide.
	if _, ok := nxmAliases[field]; !ok || field == "vlan_vid" {
		return nil, syntaxf(item, "%s: set_field with a mask is supported for NXM fields", field)
	}
	for i := range v {
		v[i] &= mask[i]
	}
	return []Action{SetField{Field: field, Value: v, Mask: mask}}, nil
}

// ---- wire ----

// appendInstructions appends a flow's actions as instructions of version
// ver: meter (before 1.5), apply-actions, write-metadata, goto-table.
func appendInstructions(b []byte, acts []Action, ver Version) []byte {
	var apply, write []byte
	var meta *WriteMetadata
	var gotoT *GotoTable
	clear := false
	for _, a := range acts {
		switch a := a.(type) {
		case MeterAction:
			if ver >= OpenFlow15 { // an action in OpenFlow 1.5
				apply = append(apply, 0, ofpatMeter, 0, 8)
				apply = binary.BigEndian.AppendUint32(apply, a.ID)
				continue
			}
			b = append(b, 0, ofpitMeter, 0, 8)
			b = binary.BigEndian.AppendUint32(b, a.ID)
		case WriteMetadata:
			meta = &a
		case GotoTable:
			gotoT = &a
		case ClearActions:
			clear = true
		case WriteActions:
			for _, w := range a.Actions {
				write = w.appendWire(write, ver)
			}
		default:
			apply = a.appendWire(apply, ver)
		}
	}
	if len(apply) > 0 {
		b = append(b, 0, ofpitApplyActions)
		b = binary.BigEndian.AppendUint16(b, uint16(8+len(apply)))
		b = append(b, 0, 0, 0, 0)
		b = append(b, apply...)
	}
	if clear {
		b = append(b, 0, ofpitClearActions, 0, 8, 0, 0, 0, 0)
	}
	if write != nil {
		b = append(b, 0, ofpitWriteActions)
		b = binary.BigEndian.AppendUint16(b, uint16(8+len(write)))
		b = append(b, 0, 0, 0, 0)
		b = append(b, write...)
	}
	if meta != nil {
		b = append(b, 0, ofpitWriteMetadata, 0, 24, 0, 0, 0, 0)
		b = binary.BigEndian.AppendUint64(b, meta.Value)
		b = binary.BigEndian.AppendUint64(b, meta.Mask)
	}
	if gotoT != nil {
		b = append(b, 0, ofpitGotoTable, 0, 8, gotoT.Table, 0, 0, 0)
	}
	return b
}

// decodeInstructions reads OpenFlow 1.3 instructions into actions, in the
// order ovs-ofctl prints them.
func decodeInstructions(b []byte, ver Version) ([]Action, error) {
	var head, apply, clear, write, tail []Action
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("openflow: truncated instruction: %w", ErrBadMessage)
		}
		t, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if n < 8 || n > len(b) {
			return nil, fmt.Errorf("openflow: instruction length %d: %w", n, ErrBadMessage)
		}
		body := b[:n]
		b = b[n:]
		switch t {
		case ofpitGotoTable:
			tail = append(tail, GotoTable{body[4]})
		case ofpitWriteMetadata:
			if n < 24 {
				return nil, fmt.Errorf("openflow: write_metadata length %d: %w", n, ErrBadMessage)
			}
			tail = append([]Action{WriteMetadata{binary.BigEndian.Uint64(body[8:]), binary.BigEndian.Uint64(body[16:])}}, tail...)
		case ofpitMeter:
			head = append(head, MeterAction{binary.BigEndian.Uint32(body[4:])})
		case ofpitApplyActions:
			acts, err := decodeActions(body[8:], ver)
			if err != nil {
				return nil, err
			}
			apply = append(apply, acts...)
		case ofpitWriteActions:
			acts, err := decodeActions(body[8:], ver)
			if err != nil {
				return nil, err
			}
			write = append(write, WriteActions{acts})
		case ofpitClearActions:
			clear = append(clear, ClearActions{})
		default:
			return nil, fmt.Errorf("openflow: instruction type %d: %w", t, ErrUnsupported)
		}
	}
	// Open vSwitch's order: meter, apply_actions, clear_actions,
	// write_actions, write_metadata, goto_table.
	return slices.Concat(head, apply, clear, write, tail), nil
}

// decodeActions reads an OpenFlow 1.3 action list.
func decodeActions(b []byte, ver Version) ([]Action, error) {
	var out []Action
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, fmt.Errorf("openflow: truncated action: %w", ErrBadMessage)
		}
		t, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if n < 8 || n%8 != 0 || n > len(b) {
			return nil, fmt.Errorf("openflow: action length %d: %w", n, ErrBadMessage)
		}
		a, err := decodeAction(t, b[:n], ver)
		if errors.Is(err, ErrUnsupported) {
			// Kept as it came: the rest of the flow, and of the dump,
			// still decodes.
			a, err = RawAction{append([]byte(nil), b[:n]...)}, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		b = b[n:]
	}
	return out, nil
}

func decodeAction(t uint16, a []byte, ver Version) (Action, error) {
	if ver == OpenFlow10 && t != ofpatExperimenter {
		return decodeAction10(t, a)
	}
	if ver == OpenFlow11 && (t >= ofpat11SetVLANVID && t <= ofpat11SetTpDst || t == ofpat11SetMPLSLabel || t == ofpat11SetMPLSTC) {
		return decodeAction11(t, a)
	}
	n := len(a)
	short := fmt.Errorf("openflow: action type %d of %d bytes: %w", t, n, ErrBadMessage)
	switch t {
	case ofpatOutput:
		if n < 16 {
			return nil, short
		}
		return Output{binary.BigEndian.Uint32(a[4:]), binary.BigEndian.Uint16(a[8:])}, nil
	case ofpatSetMPLSTTL:
		return SetMPLSTTL{a[4]}, nil
	case ofpatPushVLAN:
		return PushVLAN{binary.BigEndian.Uint16(a[4:])}, nil
	case ofpatPushMPLS:
		return PushMPLS{binary.BigEndian.Uint16(a[4:])}, nil
	case ofpatPopMPLS:
		return PopMPLS{binary.BigEndian.Uint16(a[4:])}, nil
	case ofpatDecMPLSTTL:
		return DecMPLSTTL{}, nil
	case ofpatPopVLAN:
		return PopVLAN{}, nil
	case ofpatSetQueue:
		return SetQueue{binary.BigEndian.Uint32(a[4:])}, nil
	case ofpatGroup:
		return Group{binary.BigEndian.Uint32(a[4:])}, nil
	case ofpatSetNwTTL:
		return SetNwTTL{a[4]}, nil
	case ofpatDecNwTTL:
		return DecTTL{}, nil
	case ofpatSetField:
		h := binary.BigEndian.Uint32(a[4:])
		class, field, size, masked := uint16(h>>16), uint8(h>>9&0x7f), int(h&0xff), h&0x100 != 0
		if 8+size > n {
			return nil, short
		}
		if masked { // OpenFlow 1.5: value and mask
			size /= 2
		}
		name, d, ok := setFieldByWire(class, field)
		if !ok || d.size != size && !(variableLength(class, field) && size <= d.size) {
			return nil, fmt.Errorf("openflow: set_field of class %#x field %d: %w", class, field, ErrUnsupported)
		}
		sf := SetField{Field: name, Value: append([]byte(nil), a[8:8+size]...)}
		if masked {
			sf.Mask = append([]byte(nil), a[8+size:8+2*size]...)
		}
		return sf, nil
	case ofpatCopyField: // OpenFlow 1.5's
		if n < 20 {
			return nil, short
		}
		src, ok1 := nxmByHeader(binary.BigEndian.Uint32(a[12:]))
		dst, ok2 := nxmByHeader(binary.BigEndian.Uint32(a[16:]))
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("openflow: copy_field of unknown fields: %w", ErrUnsupported)
		}
		return Move{Src: src, Dst: dst, Bits: int(binary.BigEndian.Uint16(a[4:])), SrcOfs: int(binary.BigEndian.Uint16(a[6:])), DstOfs: int(binary.BigEndian.Uint16(a[8:]))}, nil
	case ofpatMeter: // OpenFlow 1.5's
		return MeterAction{binary.BigEndian.Uint32(a[4:])}, nil
	case ofpatExperimenter:
		if n >= 16 && binary.BigEndian.Uint32(a[4:]) == onfExperimenter && binary.BigEndian.Uint16(a[8:]) == onfetCopyField {
			return decodeONFCopyField(a)
		}
		if n < 16 || binary.BigEndian.Uint32(a[4:]) != nxVendor {
			return nil, fmt.Errorf("openflow: experimenter %#x action: %w", binary.BigEndian.Uint32(a[4:]), ErrUnsupported)
		}
		return decodeNX(binary.BigEndian.Uint16(a[8:]), a, ver)
	}
	return nil, fmt.Errorf("openflow: action type %d: %w", t, ErrUnsupported)
}

func decodeNX(sub uint16, a []byte, ver Version) (Action, error) {
	n := len(a)
	short := fmt.Errorf("openflow: Nicira action %d of %d bytes: %w", sub, n, ErrBadMessage)
	switch sub {
	case nxastResubmit:
		return Resubmit{InPort: port32(binary.BigEndian.Uint16(a[10:])), Table: 255}, nil
	case nxastResubmitTable, nxastResubmitTableCT:
		return Resubmit{port32(binary.BigEndian.Uint16(a[10:])), a[12], sub == nxastResubmitTableCT}, nil
	case nxastSetTunnel:
		return SetTunnel{ID: uint64(binary.BigEndian.Uint32(a[12:])), nx: true}, nil
	case nxastSetQueue: // Nicira's forms of OpenFlow 1.1's actions
		return SetQueue{binary.BigEndian.Uint32(a[12:])}, nil
	case nxastDecTTL:
		return DecTTL{}, nil
	case nxastGroup:
		return Group{binary.BigEndian.Uint32(a[12:])}, nil
	case nxastDeleteField:
		f, ok := nxmByHeader(binary.BigEndian.Uint32(a[10:]))
		if !ok {
			return nil, fmt.Errorf("openflow: delete_field of field %#x: %w", binary.BigEndian.Uint32(a[10:]), ErrUnsupported)
		}
		return DeleteField{Field: nxmSetField[f]}, nil
	case nxastSetTunnel64:
		if n < 24 {
			return nil, short
		}
		return SetTunnel{ID: binary.BigEndian.Uint64(a[16:]), Wide: true, nx: true}, nil
	case nxastRegLoad:
		if n < 24 {
			return nil, short
		}
		on := binary.BigEndian.Uint16(a[10:])
		name, ok := nxmByHeader(binary.BigEndian.Uint32(a[12:]) &^ 0x100)
		if !ok {
			return nil, fmt.Errorf("openflow: load into field %#x: %w", binary.BigEndian.Uint32(a[12:]), ErrUnsupported)
		}
		ofs, bits := splitOfsNbits(on)
		return Load{Dst: name, Ofs: ofs, Bits: bits, Value: binary.BigEndian.Uint64(a[16:])}, nil
	case nxastRegMove:
		if n < 24 {
			return nil, short
		}
		src, ok1 := nxmByHeader(binary.BigEndian.Uint32(a[16:]))
		dst, ok2 := nxmByHeader(binary.BigEndian.Uint32(a[20:]))
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("openflow: move of unknown fields: %w", ErrUnsupported)
		}
		return Move{Src: src, Dst: dst, Bits: int(binary.BigEndian.Uint16(a[10:])), SrcOfs: int(binary.BigEndian.Uint16(a[12:])), DstOfs: int(binary.BigEndian.Uint16(a[14:]))}, nil
	case nxastNote:
		return Note{append([]byte(nil), a[10:]...)}, nil
	case nxastWriteMetadata:
		if n < 32 {
			return nil, short
		}
		return WriteMetadata{binary.BigEndian.Uint64(a[16:]), binary.BigEndian.Uint64(a[24:])}, nil
	case nxastPushMPLS:
		return PushMPLS{binary.BigEndian.Uint16(a[10:])}, nil
	case nxastPopMPLS:
		return PopMPLS{binary.BigEndian.Uint16(a[10:])}, nil
	case nxastSetMPLSTTL:
		return SetMPLSTTL{a[10]}, nil
	case nxastSetMPLSLabel:
		return SetField{Field: "mpls_label", Value: append([]byte(nil), a[12:16]...), ofp10: true}, nil
	case nxastSetMPLSTC:
		return SetField{Field: "mpls_tc", Value: []byte{a[10]}, ofp10: true}, nil
	case nxastDecMPLSTTL:
		return DecMPLSTTL{}, nil
	case nxastPopQueue:
		return PopQueue{}, nil
	case nxastLearn, nxastLearn2:
		return decodeLearn(a, sub == nxastLearn2)
	case nxastOutputReg:
		on := binary.BigEndian.Uint16(a[10:])
		name, ok := nxmByHeader(binary.BigEndian.Uint32(a[12:]))
		if !ok {
			return nil, fmt.Errorf("openflow: output from field %#x: %w", binary.BigEndian.Uint32(a[12:]), ErrUnsupported)
		}
		ofs, bits := splitOfsNbits(on)
		return OutputReg{Src: name, Ofs: ofs, Bits: bits}, nil
	case nxastConjunction:
		return Conjunction{ID: binary.BigEndian.Uint32(a[12:]), Clause: a[10] + 1, NClauses: a[11]}, nil
	case nxastClone:
		nested, err := decodeActions(a[16:], ver)
		if err != nil {
			return nil, err
		}
		return Clone{nested}, nil
	case nxastExit:
		return Exit{}, nil
	case nxastCT:
		if n < 24 {
			return nil, short
		}
		fl := binary.BigEndian.Uint16(a[10:])
		ct := CT{Commit: fl&1 != 0, Force: fl&2 != 0, Zone: binary.BigEndian.Uint16(a[16:]), Table: a[18], Alg: binary.BigEndian.Uint16(a[22:])}
		if src := binary.BigEndian.Uint32(a[12:]); src != 0 {
			f, ok := nxmByHeader(src)
			if !ok {
				return nil, fmt.Errorf("openflow: ct zone from field %#x: %w", src, ErrUnsupported)
			}
			ofs, bits := splitOfsNbits(ct.Zone)
			if bits != 16 {
				return nil, fmt.Errorf("openflow: ct zone of %d bits: %w", bits, ErrBadMessage)
			}
			ct.Zone, ct.ZoneField, ct.ZoneOfs = 0, f, ofs
		}
		nested, err := decodeActions(a[24:], ver)
		if err != nil {
			return nil, err
		}
		if len(nested) > 0 {
			if nat, ok := nested[0].(*NAT); ok {
				ct.NAT, nested = nat, nested[1:]
			}
		}
		ct.Exec = nested
		return ct, nil
	case nxastNAT:
		if n < 16 {
			return nil, short
		}
		flags, present := binary.BigEndian.Uint16(a[12:]), binary.BigEndian.Uint16(a[14:])
		nat := &NAT{Src: flags&1 != 0, Dst: flags&2 != 0, Persistent: flags&4 != 0, Hash: flags&8 != 0, Random: flags&16 != 0}
		opt := a[16:]
		take := func(k int) []byte {
			if len(opt) < k {
				return nil
			}
			v := opt[:k]
			opt = opt[k:]
			return v
		}
		for _, r := range []struct {
			bit  uint16
			size int
			dst  *netip.Addr
		}{{1, 4, &nat.Min}, {2, 4, &nat.Max}, {4, 16, &nat.Min}, {8, 16, &nat.Max}} {
			if present&r.bit != 0 {
				if v := take(r.size); v != nil {
					*r.dst, _ = netip.AddrFromSlice(v)
				}
			}
		}
		if present&16 != 0 {
			if v := take(2); v != nil {
				nat.PortMin = binary.BigEndian.Uint16(v)
			}
		}
		if present&32 != 0 {
			if v := take(2); v != nil {
				nat.PortMax = binary.BigEndian.Uint16(v)
			}
		}
		return nat, nil
	}
	if act, ok, err := decodeNXMore(sub, a); ok {
		return act, err
	}
	if act, ok, err := decodeOVNNX(sub, a); ok {
		return act, err
	}
	if act, ok, err := decodeEncapNX(sub, a); ok {
		return act, err
	}
	return nil, fmt.Errorf("openflow: Nicira action %d: %w", sub, ErrUnsupported)
}

// legacy marks a set_field parsed from one of OpenFlow 1.0's set actions
// (mod_dl_src, ...) or OpenFlow 1.1's MPLS ones (set_mpls_label(N),
// set_mpls_tc(N)): printed as such, and written as such at 1.0.
func legacy(acts []Action, err error) ([]Action, error) {
	if err != nil {
		return nil, err
	}
	for i, a := range acts {
		if sf, ok := a.(SetField); ok {
			sf.ofp10 = true
			acts[i] = sf
		}
	}
	return acts, nil
}
