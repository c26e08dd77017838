package openflow

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Flow is a flow table entry: where it is, what it matches and what it
// does. The zero Flow (Priority aside) matches everything in table 0 and
// drops.
type Flow struct {
	Table       uint8
	Priority    int
	Cookie      uint64
	IdleTimeout uint16
	HardTimeout uint16
	// Flags: send_flow_rem, check_overlap, reset_counts, no_packet_counts,
	// no_byte_counts.
	SendFlowRem, CheckOverlap, ResetCounts, NoPacketCounts, NoByteCounts bool
	// Importance is OpenFlow 1.4's eviction precedence; a connection of
	// OpenFlow 1.3 neither sends nor receives it.
	Importance uint16
	Match      Match
	Actions    []Action

	// Filled by DumpFlows.
	DurationSec, DurationNsec uint32
	Packets, Bytes            uint64
	// IdleAge is the seconds since the flow last matched, as an OpenFlow
	// 1.5 switch (and Open vSwitch's Nicira dump at 1.0) reports it.
	IdleAge    uint32
	hasIdleAge bool
	// HardAge is the seconds since the flow was added or last changed, as
	// Open vSwitch's Nicira dump at OpenFlow 1.0 reports it.
	HardAge    uint32
	hasHardAge bool
	// hasTable: the flow's text named its table.
	hasTable bool
	// asWritten: the match as its text wrote it, when normalizing it
	// dropped fields.
	asWritten string
}

// Normalization says what parsing dropped from the flow's match, as
// ovs-ofctl reports it ("normalization changed ofp_match"): fields whose
// prerequisites the match lacks (nw_src without ip or arp, tp_src without
// a transport protocol, ...), which a switch drops too, so that the flow
// matches more than its text says. asWritten is the match as written;
// changed is false when nothing was dropped.
func (f *Flow) Normalization() (asWritten string, changed bool) {
	return f.asWritten, f.asWritten != ""
}

// HasTable says whether the flow names its table: a nonzero Table, or a
// table=0 in the text it was parsed from. An added flow that names none
// goes to table 0; ovs-ofctl then needs no protocol that carries the
// table.
func (f *Flow) HasTable() bool { return f.hasTable || f.Table != 0 }

// FlowSpec is a flow as a command reads it: with a cookie mask and the
// out_port and out_group filters of mod-flows and del-flows.
type FlowSpec struct {
	Flow
	CookieMask         uint64
	OutPort, OutGroup  uint32
	hasCookie, hasPrio bool
	hasActions         bool
}

// Flow flag bits of OpenFlow 1.3.
const (
	flagSendFlowRem  = 1 << 0
	flagCheckOverlap = 1 << 1
	flagResetCounts  = 1 << 2
	flagNoPktCounts  = 1 << 3
	flagNoByteCounts = 1 << 4
)

func (f *Flow) flags() uint16 {
	var x uint16
	for _, fl := range []struct {
		on  bool
		bit uint16
	}{{f.SendFlowRem, flagSendFlowRem}, {f.CheckOverlap, flagCheckOverlap}, {f.ResetCounts, flagResetCounts},
		{f.NoPacketCounts, flagNoPktCounts}, {f.NoByteCounts, flagNoByteCounts}} {
		if fl.on {
			x |= fl.bit
		}
	}
	return x
}

func (f *Flow) setFlags(x uint16) {
	f.SendFlowRem, f.CheckOverlap, f.ResetCounts = x&flagSendFlowRem != 0, x&flagCheckOverlap != 0, x&flagResetCounts != 0
	f.NoPacketCounts, f.NoByteCounts = x&flagNoPktCounts != 0, x&flagNoByteCounts != 0
}

// ParseFlow reads a flow in ovs-ofctl's syntax, as add-flow takes it:
// "table=0,priority=100,in_port=1,dl_vlan=10,actions=strip_vlan,output:2".
// Ports are numbers or reserved names (LOCAL, ...); PortNames.ParseFlow
// takes port names too.
func ParseFlow(s string) (*Flow, error) { return PortNames(nil).ParseFlow(s) }

// ParseFlowSpec reads a flow as mod-flows and del-flows take it: actions
// optional (needed by mod-flows), cookie=VALUE/MASK and out_port allowed.
func ParseFlowSpec(s string) (*FlowSpec, error) { return PortNames(nil).ParseFlowSpec(s) }

// ParseFlow is the package's ParseFlow with ports also given by name (in
// double quotes when the name needs them), as ovs-ofctl takes them.
func (n PortNames) ParseFlow(s string) (*Flow, error) {
	spec, err := parseSpec(s, true, n)
	if err != nil {
		return nil, err
	}
	return &spec.Flow, nil
}

// ParseFlowSpec is the package's ParseFlowSpec with ports also given by
// name.
func (n PortNames) ParseFlowSpec(s string) (*FlowSpec, error) {
	return parseSpec(s, false, n)
}

// parseSpec reads the syntax; needActions: add-flow's form.
func parseSpec(s string, needActions bool, names PortNames) (*FlowSpec, error) {
	spec := &FlowSpec{Flow: Flow{Priority: DefaultPriority}, OutPort: PortAny, OutGroup: PortAny}
	matchPart, actPart, hasActions := cutActions(s)
	if needActions && !hasActions {
		return nil, syntaxf(s, "must specify an action")
	}
	var protoDl, protoNw uint16
	hasProto := false
	for _, tok := range strings.FieldsFunc(matchPart, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		name, value, hasValue := strings.Cut(tok, "=")
		if !hasValue {
			name, value, hasValue = strings.Cut(tok, ":")
		}
		name = strings.TrimSpace(name)
		if p, ok := protocols[name]; ok && !hasValue {
			protoDl, protoNw, hasProto = p[0], p[1], true
			continue
		}
		if rest, ok := strings.CutPrefix(tok, "unknown_field("); ok && strings.HasSuffix(rest, ")") {
			if err := spec.Match.parseRaw(strings.TrimSuffix(rest, ")"), tok); err != nil {
				return nil, err
			}
			continue
		}
		if !hasValue {
			switch name {
			case "send_flow_rem":
				spec.SendFlowRem = true
			case "check_overlap":
				spec.CheckOverlap = true
			case "reset_counts":
				spec.ResetCounts = true
			case "no_packet_counts":
				spec.NoPacketCounts = true
			case "no_byte_counts":
				spec.NoByteCounts = true
			default:
				// A field alone is FIELD=0/0, as in ovs-ofctl: a no-op,
				// but for tunnel metadata, which then must be present.
				if spec.Match.parseField(name, "0/0", names) != nil {
					return nil, syntaxf(tok, "field %s missing value", name)
				}
			}
			continue
		}
		var err error
		switch name {
		case "table":
			n, perr := strconv.ParseUint(value, 0, 8)
			if perr != nil || n > 254 {
				return nil, syntaxf(tok, "invalid table %q", value)
			}
			spec.Table, spec.hasTable = uint8(n), true
		case "priority":
			n, perr := strconv.ParseUint(value, 0, 16)
			if perr != nil {
				return nil, syntaxf(tok, "invalid priority %q", value)
			}
			spec.Priority, spec.hasPrio = int(n), true
		case "cookie":
			vs, ms, hasMask := strings.Cut(value, "/")
			v, perr := strconv.ParseUint(vs, 0, 64)
			if perr != nil {
				return nil, syntaxf(tok, "invalid cookie %q", value)
			}
			spec.Cookie, spec.hasCookie = v, true
			if hasMask {
				if needActions {
					return nil, syntaxf(tok, "cannot set cookie")
				}
				if spec.CookieMask, perr = strconv.ParseUint(ms, 0, 64); perr != nil {
					return nil, syntaxf(tok, "invalid cookie mask %q", ms)
				}
			}
		case "idle_timeout", "hard_timeout", "importance":
			n, perr := strconv.ParseUint(value, 0, 16)
			if perr != nil {
				return nil, syntaxf(tok, "invalid %s %q", name, value)
			}
			switch name {
			case "idle_timeout":
				spec.IdleTimeout = uint16(n)
			case "hard_timeout":
				spec.HardTimeout = uint16(n)
			default:
				spec.Importance = uint16(n)
			}
		case "out_port":
			p, ok := names.parse(value)
			if !ok {
				return nil, syntaxf(tok, "%s is not a valid OpenFlow port", value)
			}
			spec.OutPort = p
		case "out_group":
			n, perr := strconv.ParseUint(value, 0, 32)
			if perr != nil {
				return nil, syntaxf(tok, "invalid out_group %q", value)
			}
			spec.OutGroup = uint32(n)
		default:
			err = spec.Match.parseField(name, value, names)
		}
		if err != nil {
			return nil, err
		}
	}
	if hasProto {
		if spec.Match.has[fDlType] && spec.Match.dlType() != protoDl {
			return nil, syntaxf(s, "dl_type conflicts with the protocol")
		}
		spec.Match.setUint(fDlType, uint64(protoDl))
		if protoNw != 0 {
			spec.Match.setUint(fNwProto, uint64(protoNw))
		}
	}
	asWritten := spec.Match
	if spec.Match.normalize() {
		spec.asWritten = asWritten.String()
	}
	if hasActions {
		acts, err := parseActions(actPart, &spec.Match, names)
		if err == nil {
			err = checkCTWrites(acts)
		}
		if err != nil {
			return nil, err
		}
		spec.Actions, spec.hasActions = acts, true
		if err := spec.checkActions(); err != nil {
			return nil, err
		}
	}
	return spec, nil
}

// checkActions refuses, as ovs-ofctl does before sending anything,
// actions the match or the table make invalid.
func (s *FlowSpec) checkActions() error {
	bad := func(code string) error {
		return syntaxf("", "actions are invalid with specified match (%s)", code)
	}
	for _, a := range s.Actions {
		switch a := a.(type) {
		case GotoTable:
			if a.Table <= s.Table {
				return bad("OFPBIC_BAD_TABLE_ID")
			}
		case CT:
			if t := s.Match.dlType(); t != ethIP && t != ethIPv6 {
				return bad("OFPBAC_MATCH_INCONSISTENT")
			}
		case DecTTL:
			if t := s.Match.dlType(); t != ethIP && t != ethIPv6 {
				return bad("OFPBAC_MATCH_INCONSISTENT")
			}
		case Output:
			if a.Port == PortAny { // ANY (NONE) is no port to send to
				return bad("OFPBAC_BAD_OUT_PORT")
			}
		}
	}
	return nil
}

// cutActions splits "MATCH,actions=ACTIONS".
func cutActions(s string) (match, actions string, ok bool) {
	// As ovs-ofctl reads it: from the first "action" ("actions",
	// "action"), the actions follow its "=".
	i := strings.Index(s, "action")
	if i < 0 {
		return s, "", false
	}
	j := strings.IndexByte(s[i:], '=')
	if j < 0 {
		return s[:i], "", false
	}
	return s[:i], s[i+j+1:], true
}

// String is the flow as `ovs-ofctl -O OpenFlow13 --no-stats dump-flows`
// prints it.
func (f *Flow) String() string { return f.Format(nil, false) }

// StatsString is the flow as dump-flows prints it with its statistics.
func (f *Flow) StatsString() string { return f.Format(nil, true) }

// Format is the flow as ovs-ofctl dump-flows prints it: with names
// (ovs-ofctl --names), ports by name; with stats, with its statistics.
// String is Format(nil, false).
func (f *Flow) Format(names PortNames, stats bool) string {
	var b strings.Builder
	f.format(&b, stats, names)
	return b.String()
}

func (f *Flow) format(b *strings.Builder, stats bool, names PortNames) {
	if stats || f.Cookie != 0 {
		fmt.Fprintf(b, "cookie=0x%x, ", f.Cookie)
	}
	if stats {
		fmt.Fprintf(b, "duration=%s, ", formatDuration(f.DurationSec, f.DurationNsec))
	}
	if stats || f.Table != 0 {
		fmt.Fprintf(b, "table=%d, ", f.Table)
	}
	if stats {
		fmt.Fprintf(b, "n_packets=%d, n_bytes=%d, ", f.Packets, f.Bytes)
	}
	if f.IdleTimeout != 0 {
		fmt.Fprintf(b, "idle_timeout=%d, ", f.IdleTimeout)
	}
	if f.HardTimeout != 0 {
		fmt.Fprintf(b, "hard_timeout=%d, ", f.HardTimeout)
	}
	for _, fl := range []struct {
		on   bool
		name string
	}{{f.SendFlowRem, "send_flow_rem"}, {f.CheckOverlap, "check_overlap"}, {f.ResetCounts, "reset_counts"},
		{f.NoPacketCounts, "no_packet_counts"}, {f.NoByteCounts, "no_byte_counts"}} {
		if fl.on {
			b.WriteString(fl.name + " ")
		}
	}
	if f.Importance != 0 {
		fmt.Fprintf(b, "importance=%d, ", f.Importance)
	}
	if stats && f.hasIdleAge {
		fmt.Fprintf(b, "idle_age=%d, ", f.IdleAge)
	}
	if stats && f.hasHardAge && f.HardAge != f.DurationSec {
		fmt.Fprintf(b, "hard_age=%d, ", f.HardAge)
	}
	n := b.Len()
	f.Match.format(b, f.Priority, names)
	if b.Len() != n {
		b.WriteByte(' ')
	}
	writeActions(b, f.Actions, names)
}

// writeActions writes "actions=" and the actions as ovs-ofctl prints them
// ("drop" for none).
func writeActions(b *strings.Builder, acts []Action, names PortNames) {
	b.WriteString("actions=")
	if len(acts) == 0 {
		b.WriteString("drop")
		return
	}
	for i, a := range acts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(actionString(a, names))
	}
}

// formatDuration is OVS's ofp_print_duration: seconds with three decimals.
func formatDuration(sec, nsec uint32) string {
	msec := uint64(nsec) / 1000000
	return fmt.Sprintf("%d.%03ds", sec, msec)
}

// ---- wire ----

// Flow-mod commands of OpenFlow 1.3.
const (
	fmAdd          = 0
	fmModify       = 1
	fmModifyStrict = 2
	fmDelete       = 3
	fmDeleteStrict = 4
)

// appendFlowMod appends a flow_mod of version ver (body after the
// header).
func appendFlowMod(b []byte, s *FlowSpec, command uint8, ver Version) []byte {
	b = binary.BigEndian.AppendUint64(b, s.Cookie)
	b = binary.BigEndian.AppendUint64(b, s.CookieMask)
	table := s.Table
	if (command == fmDelete || command == fmDeleteStrict) && !s.hasTable {
		table = 0xff // OFPTT_ALL
	}
	b = append(b, table, command)
	b = binary.BigEndian.AppendUint16(b, s.IdleTimeout)
	b = binary.BigEndian.AppendUint16(b, s.HardTimeout)
	b = binary.BigEndian.AppendUint16(b, uint16(s.Priority))
	b = binary.BigEndian.AppendUint32(b, 0xffffffff) // buffer_id: none
	b = binary.BigEndian.AppendUint32(b, s.OutPort)
	b = binary.BigEndian.AppendUint32(b, s.OutGroup)
	b = binary.BigEndian.AppendUint16(b, s.flags())
	if ver >= OpenFlow14 {
		b = binary.BigEndian.AppendUint16(b, s.Importance)
	} else {
		b = append(b, 0, 0)
	}
	b = s.Match.appendMatch(b)
	if command != fmDelete && command != fmDeleteStrict {
		b = appendInstructions(b, s.Actions, ver)
	}
	return b
}

// decodeFlowStats reads one flow stats entry of version ver; it returns
// the flow and the entry's length.
func decodeFlowStats(b []byte, ver Version) (*Flow, int, error) {
	if ver >= OpenFlow15 {
		return decodeFlowStats15(b)
	}
	if len(b) < 56 {
		return nil, 0, fmt.Errorf("openflow: truncated flow stats: %w", ErrBadMessage)
	}
	n := int(binary.BigEndian.Uint16(b))
	if n < 56 || n > len(b) {
		return nil, 0, fmt.Errorf("openflow: flow stats length %d: %w", n, ErrBadMessage)
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
	if ver >= OpenFlow14 {
		f.Importance = binary.BigEndian.Uint16(e[20:])
	}
	f.setFlags(binary.BigEndian.Uint16(e[18:]))
	if err := f.decodeMatchInstructions(e[48:], nil, ver); err != nil {
		return nil, 0, f.decodeError(err)
	}
	return f, n, nil
}

// decodeFlowStats15 reads an OpenFlow 1.5 flow stats entry: the flow's
// description, its match, its statistics (OXS), its instructions.
func decodeFlowStats15(b []byte) (*Flow, int, error) {
	if len(b) < 32 {
		return nil, 0, fmt.Errorf("openflow: truncated flow stats: %w", ErrBadMessage)
	}
	n := int(binary.BigEndian.Uint16(b))
	if n < 32 || n > len(b) {
		return nil, 0, fmt.Errorf("openflow: flow stats length %d: %w", n, ErrBadMessage)
	}
	e := b[:n]
	f := &Flow{
		Table:       e[4],
		Priority:    int(binary.BigEndian.Uint16(e[6:])),
		IdleTimeout: binary.BigEndian.Uint16(e[8:]),
		HardTimeout: binary.BigEndian.Uint16(e[10:]),
		Importance:  binary.BigEndian.Uint16(e[14:]),
		Cookie:      binary.BigEndian.Uint64(e[16:]),
	}
	f.setFlags(binary.BigEndian.Uint16(e[12:]))
	var st oxsStats
	if err := f.decodeMatchInstructions(e[24:], &st, OpenFlow15); err != nil {
		return nil, 0, f.decodeError(err)
	}
	f.DurationSec, f.DurationNsec, f.Packets, f.Bytes = st.durationSec, st.durationNsec, st.packets, st.bytes
	f.IdleAge, f.hasIdleAge = st.idleAge, st.hasIdleAge
	return f, n, nil
}

// decodeError names the flow whose match or instructions did not decode.
func (f *Flow) decodeError(err error) error {
	return fmt.Errorf("openflow: flow cookie=%#x, table=%d, priority=%d: %w", f.Cookie, f.Table, f.Priority, err)
}

// decodeMatchInstructions reads a flow's match, then (with st, OpenFlow
// 1.5) its statistics, then its instructions, which fill the rest of b.
func (f *Flow) decodeMatchInstructions(rest []byte, st *oxsStats, ver Version) error {
	if len(rest) < 4 {
		return fmt.Errorf("openflow: flow stats match: %w", ErrBadMessage)
	}
	ml := int(binary.BigEndian.Uint16(rest[2:]))
	if binary.BigEndian.Uint16(rest) != 1 || ml < 4 || ml > len(rest) {
		return fmt.Errorf("openflow: flow stats match: %w", ErrBadMessage)
	}
	if err := f.Match.decodeOXM(rest[4:ml]); err != nil {
		return err
	}
	padded := (ml + 7) / 8 * 8
	if padded > len(rest) {
		return fmt.Errorf("openflow: flow stats match padding: %w", ErrBadMessage)
	}
	rest = rest[padded:]
	if st != nil {
		n, err := st.decode(rest)
		if err != nil {
			return err
		}
		rest = rest[n:]
	}
	acts, err := decodeInstructions(rest, ver)
	if err != nil {
		return err
	}
	f.Actions = acts
	return nil
}

// oxsStats are OpenFlow 1.5's flow statistics (OXS).
type oxsStats struct {
	durationSec, durationNsec uint32
	idleAge                   uint32
	hasIdleAge                bool
	flows                     uint32
	packets, bytes            uint64
}

// decode reads an ofp_oxs_stat (its fields of the OpenFlow basic class)
// and returns its padded length.
func (st *oxsStats) decode(b []byte) (int, error) {
	if len(b) < 4 {
		return 0, fmt.Errorf("openflow: truncated OXS statistics: %w", ErrBadMessage)
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	padded := (n + 7) / 8 * 8
	if n < 4 || padded > len(b) {
		return 0, fmt.Errorf("openflow: OXS statistics length %d: %w", n, ErrBadMessage)
	}
	for f := b[4:n]; len(f) > 0; {
		if len(f) < 4 {
			return 0, fmt.Errorf("openflow: truncated OXS field: %w", ErrBadMessage)
		}
		h := binary.BigEndian.Uint32(f)
		class, field, size := uint16(h>>16), uint8(h>>9&0x7f), int(h&0xff)
		if 4+size > len(f) {
			return 0, fmt.Errorf("openflow: OXS field %#x of %d bytes: %w", h, size, ErrBadMessage)
		}
		v := f[4 : 4+size]
		f = f[4+size:]
		if class != 0x8002 { // OFPXSC_OPENFLOW_BASIC; others are skipped
			continue
		}
		switch {
		case field == 0 && size == 8: // duration
			st.durationSec, st.durationNsec = binary.BigEndian.Uint32(v), binary.BigEndian.Uint32(v[4:])
		case field == 1 && size == 8: // idle time
			st.idleAge = binary.BigEndian.Uint32(v)
			st.hasIdleAge = st.idleAge != 0xffffffff
		case field == 3 && size == 4: // flow count
			st.flows = binary.BigEndian.Uint32(v)
		case field == 4 && size == 8: // packet count
			st.packets = binary.BigEndian.Uint64(v)
		case field == 5 && size == 8: // byte count
			st.bytes = binary.BigEndian.Uint64(v)
		}
	}
	return padded, nil
}
