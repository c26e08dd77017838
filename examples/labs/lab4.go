package labs

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/sim"
	"github.com/ovskit/ovskit/tunnel"
)

// Lab4: vm5 on instance_002 reaches lab 3's network on instance_001
// through a GRE tunnel, and gets its address from r0 across it.
var Lab4 = sim.Lab{Name: "lab4", Title: "guests on two hosts, over GRE", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
	return runLab4(ctx, w, r, tunnel.GRE)
}}

// Lab4VXLAN is lab 4 over VXLAN (beyond the tutorial).
var Lab4VXLAN = sim.Lab{Name: "lab4-vxlan", Title: "lab 4 over VXLAN", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
	return runLab4(ctx, w, r, tunnel.VXLAN)
}}

// Lab4Geneve is lab 4 over Geneve (beyond the tutorial).
var Lab4Geneve = sim.Lab{Name: "lab4-geneve", Title: "lab 4 over Geneve", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
	return runLab4(ctx, w, r, tunnel.Geneve)
}}

// lab4 is the topology of lab 4, which labs 5 and 6 go on from.
type lab4 struct {
	*lab3
	host2    *sim.Host
	underlay *sim.Underlay
	vm5      *sim.Guest
	vm4Addr  netip.Addr
	vm5Addr  netip.Addr
}

// underlayAddr is host N's address on the "host-only" network.
func underlayAddr(n int) string { return fmt.Sprintf("192.168.100.%d", 9+n) }

// joinUnderlay puts a host on the underlay. Its ens37 is a port of br-phy,
// which carries the host's address: the userspace datapath sends and
// receives tunnel packets through it.
func joinUnderlay(ctx context.Context, h *sim.Host, u *sim.Underlay, n int) error {
	return h.Join(ctx, u, sim.Uplink{NIC: "ens37", Addr: underlayAddr(n) + "/24", Bridge: "br-phy"})
}

func buildLab4(ctx context.Context, w *sim.World, r *sim.Report, kind tunnel.Kind) (*lab4, error) {
	l3, err := buildLab3(ctx, w, embedded)
	if err != nil {
		return nil, err
	}
	l := &lab4{lab3: l3}
	if l.vm4Addr, err = dhcpGuest(ctx, r, l.vm4); err != nil {
		return nil, err
	}
	if l.host2, err = w.AddHost(ctx, "instance_002"); err != nil {
		return nil, err
	}
	if l.underlay, err = w.AddUnderlay(ctx, "underlay"); err != nil {
		return nil, err
	}
	for i, h := range []*sim.Host{l.host1, l.host2} {
		if err := joinUnderlay(ctx, h, l.underlay, i+1); err != nil {
			return nil, err
		}
	}
	// instance_001: ovs-vsctl add-port ovs-br1 gre1 -- set interface gre1
	//   type=gre options:remote_ip=192.168.100.11
	if _, err := l.host1.Transact(ctx,
		tunnel.Add("ovs-br1", tunName(kind, 1), kind, tunnel.Options{RemoteIP: tunnel.IP(netip.MustParseAddr(underlayAddr(2)))})); err != nil {
		return nil, err
	}
	// instance_002: ovs-vsctl add-br ovs-br2; ovs-vsctl add-port ovs-br2 gre2
	//   -- set interface gre2 type=gre options:remote_ip=192.168.100.10
	if _, err := l.host2.Transact(ctx,
		bridge.Add("ovs-br2", netdev),
		tunnel.Add("ovs-br2", tunName(kind, 2), kind, tunnel.Options{RemoteIP: tunnel.IP(netip.MustParseAddr(underlayAddr(1)))})); err != nil {
		return nil, err
	}
	// vm5 on instance_002, with vif5.0: its DHCP request crosses the tunnel.
	if l.vm5, err = l.host2.AddGuest(ctx, sim.GuestConfig{Name: "vm5", Bridge: "ovs-br2", Vif: "vif5.0", MAC: mac(5)}); err != nil {
		return nil, err
	}
	if l.vm5Addr, err = dhcpGuest(ctx, r, l.vm5); err != nil {
		return nil, err
	}
	return l, nil
}

func runLab4(ctx context.Context, w *sim.World, r *sim.Report, kind tunnel.Kind) error {
	l, err := buildLab4(ctx, w, r, kind)
	if err != nil {
		return err
	}
	// ovs-vsctl list Interface gre1: the tunnel's type and options.
	if err := checkColumns(ctx, r, l.host1, "Interface", tunName(kind, 1),
		column{"type", string(kind)}, column{"options", fmt.Sprintf(`{remote_ip="%s"}`, underlayAddr(2))}); err != nil {
		return err
	}
	if err := checkColumns(ctx, r, l.host2, "Interface", tunName(kind, 2),
		column{"type", string(kind)}, column{"options", fmt.Sprintf(`{remote_ip="%s"}`, underlayAddr(1))}); err != nil {
		return err
	}
	// Capture on the underlay while vm5 and vm4 ping each other.
	capture, err := l.underlay.NS.Sniff("instance_001")
	if err != nil {
		return err
	}
	r.Reach(ctx, l.vm5, "vm4", l.vm4Addr.String(), true)
	r.Reach(ctx, l.vm4, "vm5", l.vm5Addr.String(), true)
	what, match := encapsulation(kind)
	seen := flows(capture, match)
	a, b := underlayAddr(1), underlayAddr(2)
	want := fmt.Sprintf("%s > %s and %s > %s", a, b, b, a)
	var got []string
	for _, dir := range []string{a + " > " + b, b + " > " + a} {
		if seen[dir] > 0 {
			got = append(got, dir)
		}
	}
	slices.Sort(got)
	r.Equal("underlay", "instance_001 link", "capture "+what, want, strings.Join(got, " and "))
	return nil
}

// tunName names the tunnel ports of lab 4 after their kind: gre1, vxlan1.
func tunName(k tunnel.Kind, n int) string { return fmt.Sprintf("%s%d", k, n) }

// encapsulation says how a tunnel's packets look on the underlay.
func encapsulation(k tunnel.Kind) (string, func(netns.Packet) bool) {
	switch k {
	case tunnel.VXLAN:
		return "UDP 4789 (VXLAN)", func(p netns.Packet) bool { return p.Proto == netns.ProtoUDP && p.DstPort == 4789 }
	case tunnel.Geneve:
		return "UDP 6081 (Geneve)", func(p netns.Packet) bool { return p.Proto == netns.ProtoUDP && p.DstPort == 6081 }
	default:
		return "IP proto 47 (GRE)", func(p netns.Packet) bool { return p.Proto == netns.ProtoGRE }
	}
}
