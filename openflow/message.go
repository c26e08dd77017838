package openflow

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/ovskit/ovskit/internal/hexdump"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Message is one OpenFlow message as it came: from a connection (Snoop)
// or a file of them (ReadMessage), in any version.
type Message struct {
	Version Version
	// Type is the message's type as its version numbers it.
	Type uint8
	XID  uint32
	// Body follows the 8-byte header.
	Body []byte
}

// ReadMessage reads one message; io.EOF when r ends before one begins.
func ReadMessage(r io.Reader) (Message, error) {
	m, ver, err := readMessage(r)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return Message{}, fmt.Errorf("openflow: a message cut short: %w", ErrBadMessage)
	}
	if err != nil {
		return Message{}, err
	}
	return Message{Version: Version(ver), Type: m.typ, XID: m.xid, Body: m.body}, nil
}

// Message types' names, as ovs-ofctl prints them, of OpenFlow 1.0 and of
// 1.1 and later (the same numbers from 1.3 on).
var (
	typeNames10 = []string{"HELLO", "ERROR", "ECHO_REQUEST", "ECHO_REPLY", "VENDOR", "FEATURES_REQUEST", "FEATURES_REPLY",
		"GET_CONFIG_REQUEST", "GET_CONFIG_REPLY", "SET_CONFIG", "PACKET_IN", "FLOW_REMOVED", "PORT_STATUS", "PACKET_OUT",
		"FLOW_MOD", "PORT_MOD", "STATS_REQUEST", "STATS_REPLY", "BARRIER_REQUEST", "BARRIER_REPLY",
		"QUEUE_GET_CONFIG_REQUEST", "QUEUE_GET_CONFIG_REPLY"}
	typeNames13 = []string{"HELLO", "ERROR", "ECHO_REQUEST", "ECHO_REPLY", "EXPERIMENTER", "FEATURES_REQUEST", "FEATURES_REPLY",
		"GET_CONFIG_REQUEST", "GET_CONFIG_REPLY", "SET_CONFIG", "PACKET_IN", "FLOW_REMOVED", "PORT_STATUS", "PACKET_OUT",
		"FLOW_MOD", "GROUP_MOD", "PORT_MOD", "TABLE_MOD", "MULTIPART_REQUEST", "MULTIPART_REPLY", "BARRIER_REQUEST",
		"BARRIER_REPLY", "QUEUE_GET_CONFIG_REQUEST", "QUEUE_GET_CONFIG_REPLY", "ROLE_REQUEST", "ROLE_REPLY",
		"GET_ASYNC_REQUEST", "GET_ASYNC_REPLY", "SET_ASYNC", "METER_MOD", "ROLE_STATUS", "TABLE_STATUS",
		"REQUESTFORWARD", "BUNDLE_CONTROL", "BUNDLE_ADD_MESSAGE"}
	statsNames = []string{"DESC", "FLOW", "AGGREGATE", "TABLE", "PORT", "QUEUE", "GROUP", "GROUP_DESC", "GROUP_FEATURES",
		"METER", "METER_CONFIG", "METER_FEATURES", "TABLE_FEATURES", "PORT_DESC"}
	nxtNames = map[uint32]string{10: "ROLE_REQUEST", 11: "ROLE_REPLY", 12: "SET_FLOW_FORMAT", 13: "FLOW_MOD", 14: "FLOW_REMOVED",
		15: "FLOW_MOD_TABLE_ID", 16: "SET_PACKET_IN_FORMAT", 17: "PACKET_IN", 18: "FLOW_AGE", 19: "SET_ASYNC_CONFIG",
		20: "SET_CONTROLLER_ID", 24: "TLV_TABLE_MOD", 25: "TLV_TABLE_REQUEST", 26: "TLV_TABLE_REPLY", 27: "GET_ASYNC_REQUEST",
		28: "RESUME", 29: "CT_FLUSH_ZONE", 30: "PACKET_IN2", 31: "GROUP_MOD", 32: "CT_FLUSH"}
	nxstNames = map[uint32]string{0: "FLOW", 1: "AGGREGATE", 2: "FLOW_MONITOR"}
)

// Name is the message's name as ovs-ofctl prints it: OFPT_HELLO,
// OFPST_FLOW request, NXT_FLOW_MOD, NXST_FLOW reply, ...
func (m Message) Name() string {
	names := typeNames13
	stats, reply := uint8(18), uint8(19)
	if m.Version == OpenFlow10 {
		names, stats, reply = typeNames10, 16, 17
	}
	if m.Type == stats || m.Type == reply {
		dir := " request"
		if m.Type == reply {
			dir = " reply"
		}
		if len(m.Body) < 2 {
			return "OFPST_UNKNOWN" + dir
		}
		st := binary.BigEndian.Uint16(m.Body)
		if st == 0xffff { // a vendor's (experimenter's) statistics
			at := 4
			if m.Version != OpenFlow10 {
				at = 8
			}
			if len(m.Body) >= at+8 && binary.BigEndian.Uint32(m.Body[at:]) == nxVendor {
				if n, ok := nxstNames[binary.BigEndian.Uint32(m.Body[at+4:])]; ok {
					return "NXST_" + n + dir
				}
			}
			return "OFPST_EXPERIMENTER" + dir
		}
		if int(st) < len(statsNames) {
			return "OFPST_" + statsNames[st] + dir
		}
		return fmt.Sprintf("OFPST_%d%s", st, dir)
	}
	if m.Type == typeExperimenter && len(m.Body) >= 8 && binary.BigEndian.Uint32(m.Body) == nxVendor {
		if n, ok := nxtNames[binary.BigEndian.Uint32(m.Body[4:])]; ok {
			return "NXT_" + n
		}
	}
	if int(m.Type) < len(names) {
		return "OFPT_" + names[m.Type]
	}
	return fmt.Sprintf("OFPT_%d", m.Type)
}

// String is the message as ovs-ofctl's ofp-parse, parse-flows and snoop
// print it: Format(0).
func (m Message) String() string { return m.Format(0) }

// Format is the message as ovs-ofctl prints it with verbosity -m given
// verbosity times: its name, version (after 1.0) and xid, then what the
// body says, for a hello, an echo (its payload dumped, as ofp-parse's
// verbosity dumps it) and a flow mod (at verbosity 3 and more, a Nicira
// flow mod's match as its NXM entries). Other bodies are not printed
// yet.
func (m Message) Format(verbosity int) string {
	var b strings.Builder
	b.WriteString(m.Name())
	if m.Version != OpenFlow10 {
		fmt.Fprintf(&b, " (OF1.%d)", m.Version-1)
	}
	fmt.Fprintf(&b, " (xid=%#x):", m.XID)
	if m.isFlowMod() {
		fm, err := decodeFlowMod(m)
		if err != nil {
			fmt.Fprintf(&b, " ***decode error: %v***", err)
			return b.String()
		}
		fm.format(&b, verbosity)
		return b.String()
	}
	switch m.Type {
	case typeEchoRequest, typeEchoReply:
		fmt.Fprintf(&b, " %d bytes of payload", len(m.Body))
		if len(m.Body) > 0 {
			b.WriteString("\n" + strings.TrimSuffix(hexDump(m.Body), "\n"))
		}
	case typeHello:
		bitmap, ok := helloVersions(m.Version, m.Body)
		b.WriteString("\n version bitmap: ")
		var vs []string
		for v := 0; v < 32; v++ {
			if bitmap&(1<<v) != 0 {
				vs = append(vs, fmt.Sprintf("0x%02x", v))
			}
		}
		b.WriteString(strings.Join(vs, ", "))
		if !ok {
			b.WriteString("\n unknown data in hello:\n")
			hdr := []byte{byte(m.Version), m.Type, 0, 0, 0, 0, 0, 0}
			binary.BigEndian.PutUint16(hdr[2:], uint16(8+len(m.Body)))
			binary.BigEndian.PutUint32(hdr[4:], m.XID)
			b.WriteString(strings.TrimSuffix(hexDump(append(hdr, m.Body...)), "\n"))
		}
	}
	return b.String()
}

// isFlowMod says whether m is a flow mod: OpenFlow's or Nicira's.
func (m Message) isFlowMod() bool {
	if m.Version == OpenFlow10 && m.Type == typeExperimenter {
		return len(m.Body) >= 8 && binary.BigEndian.Uint32(m.Body) == nxVendor && binary.BigEndian.Uint32(m.Body[4:]) == nxtFlowMod
	}
	return m.Type == typeFlowMod
}

// helloVersions are the versions a hello offers: its bitmap's, or those
// up to its header's; ok is false when its body is not hello elements.
func helloVersions(v Version, body []byte) (bitmap uint32, ok bool) {
	bitmap = (1<<(uint32(v)+1) - 1) &^ 1
	ok = true
	for b := body; len(b) > 0; {
		if len(b) < 4 {
			return bitmap, false
		}
		t, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if n < 4 || n > len(b) {
			return bitmap, false
		}
		if t == 1 && n >= 8 {
			bitmap = binary.BigEndian.Uint32(b[4:])
		}
		b = b[min(len(b), (n+7)/8*8):]
	}
	return bitmap, ok
}

// hexDump is Open vSwitch's hex dump with ASCII: 16 bytes a line.
func hexDump(p []byte) string { return hexdump.Dump(p, true) }

// Snooper is a connection to a bridge's snoop socket: it receives a copy
// of every message the bridge exchanges with its controllers.
type Snooper struct {
	nc net.Conn
	r  *bufio.Reader
}

// DialSnoop connects to a bridge's snoop socket ($OVS_RUNDIR/BRIDGE.snoop,
// or unix:PATH); Next reads what the bridge and its controllers say.
// Equivalent to: ovs-ofctl snoop BRIDGE
func DialSnoop(ctx context.Context, target string) (*Snooper, error) {
	path, ok := strings.CutPrefix(target, "unix:")
	if !ok {
		if strings.ContainsAny(target, ":/") {
			return nil, fmt.Errorf("openflow: %s: snoop takes a bridge or unix:PATH: %w", target, ErrSyntax)
		}
		dir := os.Getenv("OVS_RUNDIR")
		if dir == "" {
			dir = "/var/run/openvswitch"
		}
		path = filepath.Join(dir, target+".snoop")
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("openflow: %s: %w", target, err)
	}
	// The hello offers the versions of 1.3 and later this package speaks;
	// the messages snooped are of any version.
	c := &Conn{conn: nc}
	if err := c.handshake(ctx, versionsDefault); err != nil {
		nc.Close()
		return nil, fmt.Errorf("openflow: %s: %w", target, err)
	}
	return &Snooper{nc: nc, r: bufio.NewReader(nc)}, nil
}

// Next returns the next message snooped, waiting for it until ctx ends.
func (s *Snooper) Next(ctx context.Context) (Message, error) {
	_ = s.nc.SetReadDeadline(time.Time{})
	stop := context.AfterFunc(ctx, func() { _ = s.nc.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	m, err := ReadMessage(s.r)
	if err != nil {
		return Message{}, ctxErr(ctx, err)
	}
	return m, nil
}

// Close ends the snooping.
func (s *Snooper) Close() error { return s.nc.Close() }
