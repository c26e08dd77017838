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
	parts, err := c.multipart(ctx, 13, nil)
	if err != nil {
		return nil, err
	}
	var out []*PortDesc
	for _, p := range parts {
		for len(p) >= 64 {
			e := p[:64]
			name := string(e[16:32])
			if i := strings.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			out = append(out, &PortDesc{
				Port: binary.BigEndian.Uint32(e), MAC: net.HardwareAddr(append([]byte(nil), e[8:14]...)), Name: name,
				Config: binary.BigEndian.Uint32(e[32:]), State: binary.BigEndian.Uint32(e[36:]),
				Current: binary.BigEndian.Uint32(e[40:]), Advertised: binary.BigEndian.Uint32(e[44:]),
				Supported: binary.BigEndian.Uint32(e[48:]), Peer: binary.BigEndian.Uint32(e[52:]),
				CurrentSpeedKbps: binary.BigEndian.Uint32(e[56:]), MaxSpeedKbps: binary.BigEndian.Uint32(e[60:]),
			})
			p = p[64:]
		}
		if len(p) != 0 {
			return nil, fmt.Errorf("openflow: port description of %d bytes: %w", len(p), ErrBadMessage)
		}
	}
	slices.SortFunc(out, func(a, b *PortDesc) int { return int(int64(a.Port) - int64(b.Port)) })
	return out, nil
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
	var out []*PortStats
	for _, p := range parts {
		for len(p) >= 112 {
			e := p[:112]
			u := func(off int) uint64 { return binary.BigEndian.Uint64(e[off:]) }
			out = append(out, &PortStats{
				Port: binary.BigEndian.Uint32(e), RxPackets: u(8), TxPackets: u(16), RxBytes: u(24), TxBytes: u(32),
				RxDropped: u(40), TxDropped: u(48), RxErrors: u(56), TxErrors: u(64), RxFrameErr: u(72), RxOverErr: u(80),
				RxCRCErr: u(88), Collisions: u(96), DurationSec: binary.BigEndian.Uint32(e[104:]), DurationNsec: binary.BigEndian.Uint32(e[108:]),
			})
			p = p[112:]
		}
		if len(p) != 0 {
			return nil, fmt.Errorf("openflow: port statistics of %d bytes: %w", len(p), ErrBadMessage)
		}
	}
	return out, nil
}
