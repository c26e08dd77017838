package openflow

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// AddMessage is the flow mod that adds f, as a switch of version ver
// reads it (OpenFlow10 to OpenFlow15) in flow format format: at
// OpenFlow 1.0, OpenFlow 1.0's own flow mod (FormatOpenFlow10) or
// Nicira's (FormatNXM), with tableID saying whether the command carries
// the table (Nicira's flow_mod_table_id: without it the switch picks the
// table); at 1.1 its standard match (FormatOpenFlow11); OXM after. A flow the format cannot carry is a *FormatError; an action the
// version cannot carry, an ErrUnsupported. This is ovs-ofctl's
// parse-flows; a Conn sends its own.
func (f *Flow) AddMessage(ver Version, format FlowFormat, tableID bool) (Message, error) {
	s := &FlowSpec{Flow: *f, OutPort: PortAny, OutGroup: PortAny}
	if u := f.Formats(); u&format == 0 {
		return Message{}, &FormatError{Usable: u, Allowed: format}
	}
	var want FlowFormat
	switch {
	case ver == OpenFlow10:
		want = FormatOpenFlow10 | FormatNXM
	case ver == OpenFlow11:
		want = FormatOpenFlow11
	case ver >= OpenFlow12 && ver <= OpenFlow15:
		want = FormatOXM
	default:
		return Message{}, fmt.Errorf("openflow: flow mod of %v: %w", ver, ErrVersion)
	}
	if format&(format-1) != 0 || format&want == 0 {
		return Message{}, fmt.Errorf("openflow: flow format %v at %v: %w", format, ver, ErrUnsupported)
	}
	m := Message{Version: ver, Type: typeFlowMod}
	var err error
	switch format {
	case FormatOpenFlow10:
		m.Body, err = appendStd10FlowMod(nil, s, addCommand10(s, tableID))
	case FormatNXM:
		m.Type = typeExperimenter
		m.Body, err = appendNXFlowMod(nil, s, addCommand10(s, tableID))
	case FormatOpenFlow11:
		m.Body, err = appendStd11FlowMod(nil, s)
	default:
		m.Body = appendFlowMod(nil, s, fmAdd, ver)
	}
	if err != nil {
		return Message{}, err
	}
	return m, nil
}

// addCommand10 is the table an OpenFlow 1.0 add carries in its command's
// high byte: none without flow_mod_table_id; else the flow's table, or
// 0xff (any) when the flow names none.
func addCommand10(s *FlowSpec, tableID bool) uint8 {
	switch {
	case !tableID:
		s.Table = 0
	case !s.HasTable():
		s.Table = 0xff
	}
	s.hasTable = true
	return fmAdd
}

// flowMod is a flow mod as read from a message.
type flowMod struct {
	spec     FlowSpec
	command  uint8
	bufferID uint32
	// nxm is a Nicira flow mod's match as it came, for verbose printing.
	nxm []byte
}

// decodeFlowMod reads a flow mod message: OpenFlow 1.0's, Nicira's, or
// that of OpenFlow 1.1 and later.
func decodeFlowMod(m Message) (*flowMod, error) {
	fm := &flowMod{spec: FlowSpec{OutPort: PortAny, OutGroup: PortAny}}
	s := &fm.spec
	b := m.Body
	bad := func(what string) error { return fmt.Errorf("openflow: %s flow mod: %w", what, ErrBadMessage) }
	switch {
	case m.Version == OpenFlow10 && m.Type == typeExperimenter:
		if len(b) < 40 {
			return nil, bad("Nicira")
		}
		b = b[8:]
		ml := int(binary.BigEndian.Uint16(b[24:]))
		if 32+(ml+7)/8*8 > len(b) {
			return nil, bad("Nicira")
		}
		fm.common10(b)
		fm.nxm = b[32 : 32+ml]
		if err := s.Match.decodeOXM(fm.nxm); err != nil {
			return nil, err
		}
		if err := s.decodeActions10(b[32+(ml+7)/8*8:]); err != nil {
			return nil, err
		}
	case m.Version == OpenFlow10:
		if len(b) < 64 {
			return nil, bad("OpenFlow 1.0")
		}
		s.Match.decodeStd10(b[:40])
		fm.common10(b[40:])
		if err := s.decodeActions10(b[64:]); err != nil {
			return nil, err
		}
	default:
		if len(b) < 40 {
			return nil, bad("OpenFlow")
		}
		s.Cookie = binary.BigEndian.Uint64(b)
		s.CookieMask = binary.BigEndian.Uint64(b[8:])
		s.Table, s.hasTable = b[16], true
		fm.command = b[17]
		s.IdleTimeout = binary.BigEndian.Uint16(b[18:])
		s.HardTimeout = binary.BigEndian.Uint16(b[20:])
		s.Priority = int(binary.BigEndian.Uint16(b[22:]))
		fm.bufferID = binary.BigEndian.Uint32(b[24:])
		s.OutPort = binary.BigEndian.Uint32(b[28:])
		s.OutGroup = binary.BigEndian.Uint32(b[32:])
		s.setFlags(binary.BigEndian.Uint16(b[36:]))
		if m.Version >= OpenFlow14 {
			s.Importance = binary.BigEndian.Uint16(b[38:])
		}
		if m.Version == OpenFlow11 {
			if len(b) < 40+std11Len {
				return nil, bad("OpenFlow 1.1")
			}
			if err := s.Match.decodeStd11(b[40 : 40+std11Len]); err != nil {
				return nil, err
			}
			acts, err := decodeInstructions(b[40+std11Len:], OpenFlow11)
			if err != nil {
				return nil, err
			}
			s.Actions = transportActions(acts, &s.Match)
			return fm, nil
		}
		if err := s.decodeMatchInstructions(b[40:], nil, m.Version); err != nil {
			return nil, err
		}
	}
	return fm, nil
}

// common10 reads the fields an OpenFlow 1.0 flow mod and Nicira's share
// (from the cookie on), the table in the command's high byte.
func (fm *flowMod) common10(b []byte) {
	s := &fm.spec
	s.Cookie = binary.BigEndian.Uint64(b)
	cmd := binary.BigEndian.Uint16(b[8:])
	fm.command, s.Table, s.hasTable = uint8(cmd), uint8(cmd>>8), true
	s.IdleTimeout = binary.BigEndian.Uint16(b[10:])
	s.HardTimeout = binary.BigEndian.Uint16(b[12:])
	s.Priority = int(binary.BigEndian.Uint16(b[14:]))
	fm.bufferID = binary.BigEndian.Uint32(b[16:])
	s.OutPort = port32(binary.BigEndian.Uint16(b[20:]))
	s.setFlags(binary.BigEndian.Uint16(b[22:]))
}

// flowModCommands are the commands' names as ovs-ofctl prints them.
var flowModCommands = []string{"ADD", "MOD", "MOD_STRICT", "DEL", "DEL_STRICT"}

// format prints the flow mod as ovs-ofctl does, after the message's
// name: at verbosity 3 and more, a Nicira match as it came.
func (fm *flowMod) format(b *strings.Builder, verbosity int) {
	s := &fm.spec
	b.WriteByte(' ')
	if int(fm.command) < len(flowModCommands) {
		b.WriteString(flowModCommands[fm.command])
	} else {
		fmt.Fprintf(b, "cmd:%d", fm.command)
	}
	if s.Table != 0 {
		fmt.Fprintf(b, " table:%d", s.Table)
	}
	b.WriteByte(' ')
	needPriority := false
	if verbosity >= 3 && fm.nxm != nil {
		b.WriteString(nxText(fm.nxm))
		needPriority = true
	} else {
		s.Match.format(b, s.Priority, nil)
	}
	if !strings.HasSuffix(b.String(), " ") {
		b.WriteByte(' ')
	}
	if s.Cookie != 0 && s.Cookie != ^uint64(0) && s.CookieMask == 0 {
		fmt.Fprintf(b, "cookie:%#x ", s.Cookie)
	}
	if s.CookieMask != 0 {
		fmt.Fprintf(b, "cookie:%#x/%#x ", s.Cookie, s.CookieMask)
	}
	if s.IdleTimeout != 0 {
		fmt.Fprintf(b, "idle:%d ", s.IdleTimeout)
	}
	if s.HardTimeout != 0 {
		fmt.Fprintf(b, "hard:%d ", s.HardTimeout)
	}
	if s.Importance != 0 {
		fmt.Fprintf(b, "importance:%d ", s.Importance)
	}
	if needPriority && s.Priority != DefaultPriority {
		fmt.Fprintf(b, "pri:%d ", s.Priority)
	}
	if fm.bufferID != 0xffffffff {
		fmt.Fprintf(b, "buf:%#x ", fm.bufferID)
	}
	if s.OutPort != PortAny {
		fmt.Fprintf(b, "out_port:%s ", formatPort(s.OutPort))
	}
	for _, fl := range []struct {
		on   bool
		name string
	}{{s.SendFlowRem, "send_flow_rem"}, {s.CheckOverlap, "check_overlap"}, {s.ResetCounts, "reset_counts"},
		{s.NoPacketCounts, "no_packet_counts"}, {s.NoByteCounts, "no_byte_counts"}} {
		if fl.on {
			b.WriteString(fl.name + " ")
		}
	}
	writeActions(b, s.Actions, nil)
}
