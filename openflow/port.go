package openflow

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"slices"
	"strings"
)

// PortDesc describes a port of the switch.
type PortDesc struct {
	Port uint32
	Name string
	MAC  net.HardwareAddr
	// Config, State and the feature sets are OpenFlow 1.3's bit sets.
	Config, State                        uint32
	Current, Advertised, Supported, Peer uint32
	CurrentSpeedKbps, MaxSpeedKbps       uint32
}

var (
	portConfigNames  = map[int]string{0: "PORT_DOWN", 2: "NO_RECV", 5: "NO_FWD", 6: "NO_PACKET_IN"}
	portStateNames   = map[int]string{0: "LINK_DOWN", 1: "BLOCKED", 2: "LIVE"}
	portFeatureNames = []string{"10MB-HD", "10MB-FD", "100MB-HD", "100MB-FD", "1GB-HD", "1GB-FD", "10GB-FD", "40GB-FD",
		"100GB-FD", "1TB-FD", "OTHER", "COPPER", "FIBER", "AUTO_NEG", "AUTO_PAUSE", "AUTO_PAUSE_ASYM"}
)

func bitNames(v uint32, names map[int]string) string {
	if v == 0 {
		return "0"
	}
	var out []string
	for bit := range 32 {
		if v&(1<<bit) == 0 {
			continue
		}
		if n, ok := names[bit]; ok {
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprintf("0x%x", 1<<bit))
		}
	}
	return strings.Join(out, " ")
}

func featureNames(v uint32) string {
	m := map[int]string{}
	for i, n := range portFeatureNames {
		m[i] = n
	}
	return bitNames(v, m)
}

// String is the port as ovs-ofctl dump-ports-desc prints it (several
// lines).
func (p *PortDesc) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, " %s(%s): addr:%s\n", formatPort(p.Port), p.Name, p.MAC)
	fmt.Fprintf(&b, "     config:     %s\n", bitNames(p.Config, portConfigNames))
	fmt.Fprintf(&b, "     state:      %s\n", bitNames(p.State, portStateNames))
	for _, f := range []struct {
		name string
		v    uint32
	}{{"current:    ", p.Current}, {"advertised: ", p.Advertised}, {"supported:  ", p.Supported}, {"peer:       ", p.Peer}} {
		if f.v != 0 {
			fmt.Fprintf(&b, "     %s%s\n", f.name, featureNames(f.v))
		}
	}
	if p.CurrentSpeedKbps != 0 || p.MaxSpeedKbps != 0 {
		fmt.Fprintf(&b, "     speed: %d Mbps now, %d Mbps max\n", p.CurrentSpeedKbps/1000, p.MaxSpeedKbps/1000)
	}
	return b.String()
}

// DumpPortsDesc returns the switch's ports, by number.
// Equivalent to: ovs-ofctl dump-ports-desc SWITCH
func (c *Conn) DumpPortsDesc(ctx context.Context) ([]*PortDesc, error) {
	if c.version == OpenFlow10 {
		return c.portsDesc10(ctx)
	}
	var req []byte
	if c.version >= OpenFlow15 { // which ports: all
		req = []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}
	}
	parts, err := c.multipart(ctx, 13, req)
	if err != nil {
		return nil, err
	}
	out, err := records(parts, c.version, decodePortDesc)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *PortDesc) int { return int(int64(a.Port) - int64(b.Port)) })
	return out, nil
}

// decodePortDesc reads one port description of version ver (OpenFlow
// 1.4's has its Ethernet features as a property) and returns its length.
func decodePortDesc(p []byte, ver Version) (*PortDesc, int, error) {
	head, n := 64, 64
	if ver >= OpenFlow14 {
		head = 40
		if len(p) >= 8 {
			n = int(binary.BigEndian.Uint16(p[4:]))
		}
	}
	if len(p) < head || n < head || n > len(p) {
		return nil, 0, fmt.Errorf("openflow: port description of %d bytes: %w", len(p), ErrBadMessage)
	}
	e := p[:n]
	name := string(e[16:32])
	if i := strings.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	d := &PortDesc{Port: binary.BigEndian.Uint32(e), MAC: net.HardwareAddr(append([]byte(nil), e[8:14]...)), Name: name,
		Config: binary.BigEndian.Uint32(e[32:]), State: binary.BigEndian.Uint32(e[36:])}
	eth := e[40:]
	if ver >= OpenFlow14 {
		eth = nil
		err := eachProperty(e[40:], func(t uint16, v []byte) {
			if t == 0 && len(v) >= 28 { // OFPPDPT14_ETHERNET
				eth = v[4:]
			}
		})
		if err != nil {
			return nil, 0, err
		}
	}
	if len(eth) >= 24 {
		d.Current, d.Advertised = binary.BigEndian.Uint32(eth), binary.BigEndian.Uint32(eth[4:])
		d.Supported, d.Peer = binary.BigEndian.Uint32(eth[8:]), binary.BigEndian.Uint32(eth[12:])
		d.CurrentSpeedKbps, d.MaxSpeedKbps = binary.BigEndian.Uint32(eth[16:]), binary.BigEndian.Uint32(eth[20:])
	}
	return d, n, nil
}

// PortStats are a port's counters.
type PortStats struct {
	Port                                        uint32
	RxPackets, TxPackets, RxBytes, TxBytes      uint64
	RxDropped, TxDropped, RxErrors, TxErrors    uint64
	RxFrameErr, RxOverErr, RxCRCErr, Collisions uint64
	DurationSec, DurationNsec                   uint32
}

func stat(v uint64) string {
	if v == ^uint64(0) {
		return "?"
	}
	return fmt.Sprint(v)
}

// String is the port's counters as ovs-ofctl dump-ports prints them.
func (s *PortStats) String() string {
	return fmt.Sprintf("  port %2s: rx pkts=%s, bytes=%s, drop=%s, errs=%s, frame=%s, over=%s, crc=%s\n           tx pkts=%s, bytes=%s, drop=%s, errs=%s, coll=%s\n           duration=%s\n",
		formatPort(s.Port), stat(s.RxPackets), stat(s.RxBytes), stat(s.RxDropped), stat(s.RxErrors), stat(s.RxFrameErr), stat(s.RxOverErr), stat(s.RxCRCErr),
		stat(s.TxPackets), stat(s.TxBytes), stat(s.TxDropped), stat(s.TxErrors), stat(s.Collisions), formatDuration(s.DurationSec, s.DurationNsec))
}

// DumpPorts returns the counters of one port, or of all (PortAny).
// Equivalent to: ovs-ofctl dump-ports SWITCH [PORT]
func (c *Conn) DumpPorts(ctx context.Context, port uint32) ([]*PortStats, error) {
	body := binary.BigEndian.AppendUint32(nil, port)
	body = append(body, 0, 0, 0, 0)
	parts, err := c.multipart(ctx, 4, body)
	if err != nil {
		return nil, err
	}
	return records(parts, c.version, decodePortStats)
}

// decodePortStats reads one port's counters of version ver (OpenFlow
// 1.4's have the Ethernet errors as a property) and returns their length.
func decodePortStats(p []byte, ver Version) (*PortStats, int, error) {
	if ver < OpenFlow14 {
		if len(p) < 112 {
			return nil, 0, fmt.Errorf("openflow: port statistics of %d bytes: %w", len(p), ErrBadMessage)
		}
		e := p[:112]
		u := func(off int) uint64 { return binary.BigEndian.Uint64(e[off:]) }
		return &PortStats{
			Port: binary.BigEndian.Uint32(e), RxPackets: u(8), TxPackets: u(16), RxBytes: u(24), TxBytes: u(32),
			RxDropped: u(40), TxDropped: u(48), RxErrors: u(56), TxErrors: u(64), RxFrameErr: u(72), RxOverErr: u(80),
			RxCRCErr: u(88), Collisions: u(96), DurationSec: binary.BigEndian.Uint32(e[104:]), DurationNsec: binary.BigEndian.Uint32(e[108:]),
		}, 112, nil
	}
	if len(p) < 80 {
		return nil, 0, fmt.Errorf("openflow: port statistics of %d bytes: %w", len(p), ErrBadMessage)
	}
	n := int(binary.BigEndian.Uint16(p))
	if n < 80 || n > len(p) {
		return nil, 0, fmt.Errorf("openflow: port statistics length %d: %w", n, ErrBadMessage)
	}
	e := p[:n]
	u := func(off int) uint64 { return binary.BigEndian.Uint64(e[off:]) }
	all := ^uint64(0) // a counter the switch does not have
	st := &PortStats{
		Port: binary.BigEndian.Uint32(e[4:]), DurationSec: binary.BigEndian.Uint32(e[8:]), DurationNsec: binary.BigEndian.Uint32(e[12:]),
		RxPackets: u(16), TxPackets: u(24), RxBytes: u(32), TxBytes: u(40),
		RxDropped: u(48), TxDropped: u(56), RxErrors: u(64), TxErrors: u(72),
		RxFrameErr: all, RxOverErr: all, RxCRCErr: all, Collisions: all,
	}
	err := eachProperty(e[80:], func(t uint16, v []byte) {
		if t == 0 && len(v) >= 36 { // OFPPSPT14_ETHERNET
			v = v[4:]
			st.RxFrameErr, st.RxOverErr = binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:])
			st.RxCRCErr, st.Collisions = binary.BigEndian.Uint64(v[16:]), binary.BigEndian.Uint64(v[24:])
		}
	})
	if err != nil {
		return nil, 0, err
	}
	return st, n, nil
}
