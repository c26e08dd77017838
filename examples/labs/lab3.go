package labs

import (
	"context"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/dhcp"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/sim"
)

// Lab3: vm4 gets its address from a DHCP server in the namespace r0
// (ovskit's embedded server).
var Lab3 = sim.Lab{Name: "lab3", Title: "addresses by DHCP", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
	return runLab3(ctx, w, r, embedded)
}}

// Lab3Dnsmasq is lab 3 with the tutorial's own server: dnsmasq, run by
// dhcp.StartDnsmasq in r0 (beyond the tutorial's text, exactly its
// command).
var Lab3Dnsmasq = sim.Lab{Name: "lab3-dnsmasq", Title: "lab 3 with dnsmasq as the DHCP server", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
	return runLab3(ctx, w, r, dnsmasq)
}}

// dhcpServer chooses the DHCP server of r0.
type dhcpServer int

const (
	embedded dhcpServer = iota // dhcp.Server, in this program
	dnsmasq                    // a dnsmasq process in r0
)

// lab3 is the topology of lab 3, which labs 4 to 6 go on from.
type lab3 struct {
	host1 *sim.Host
	r0    *sim.Node
	vm4   *sim.Guest
}

func buildLab3(ctx context.Context, w *sim.World, server dhcpServer) (*lab3, error) {
	host1, err := w.AddHost(ctx, "instance_001")
	if err != nil {
		return nil, err
	}
	// ovs-vsctl add-br ovs-br1
	if _, err := host1.Transact(ctx, bridge.Add("ovs-br1", netdev)); err != nil {
		return nil, err
	}
	// ip netns add r0
	// ip link add sif0 type veth peer name rif0; ip link set rif0 netns r0
	// ip netns exec r0 ip addr add 10.0.0.1/24 dev rif0
	// ovs-vsctl add-port ovs-br1 sif0
	r0, err := w.Namespace(ctx, "r0")
	if err != nil {
		return nil, err
	}
	if err := host1.NS.AddVeth(netns.Veth{Name: "sif0", Peer: "rif0", PeerNS: r0.NS, ForOVS: true}); err != nil {
		return nil, err
	}
	if err := r0.NS.AddAddr("rif0", "10.0.0.1/24"); err != nil {
		return nil, err
	}
	if _, err := host1.Transact(ctx, port.Add("ovs-br1", "sif0")); err != nil {
		return nil, err
	}
	// ip netns exec r0 dnsmasq -F 10.0.0.200,10.0.0.230,86400 -i rif0
	router := netip.MustParseAddr("10.0.0.1")
	if server == dnsmasq {
		// The world's teardown stops it with every process of r0; with
		// -keep it goes on serving.
		_, err = dhcp.StartDnsmasq(r0.NS, dhcp.DnsmasqConfig{
			Interface: "rif0", RangeStart: poolStart, RangeEnd: poolEnd,
			LeaseTime: 86400 * time.Second, Router: router, Dir: filepath.Join(w.Dir, "r0-dnsmasq"),
		})
	} else {
		_, err = w.ServeDHCP(r0, "rif0", dhcp.Config{
			Server:     netip.MustParsePrefix("10.0.0.1/24"),
			RangeStart: poolStart, RangeEnd: poolEnd,
			LeaseTime: 86400 * time.Second, Router: router,
			LeaseFile: filepath.Join(w.Dir, "r0.leases"),
		})
	}
	if err != nil {
		return nil, err
	}
	// vm4 on ovs-br1, with vif4.0; its address comes by DHCP.
	vm4, err := host1.AddGuest(ctx, sim.GuestConfig{Name: "vm4", Bridge: "ovs-br1", Vif: "vif4.0", MAC: mac(4)})
	if err != nil {
		return nil, err
	}
	return &lab3{host1: host1, r0: r0, vm4: vm4}, nil
}

func runLab3(ctx context.Context, w *sim.World, r *sim.Report, server dhcpServer) error {
	l, err := buildLab3(ctx, w, server)
	if err != nil {
		return err
	}
	if _, err := dhcpGuest(ctx, r, l.vm4); err != nil {
		return err
	}
	r.Reach(ctx, l.vm4, "r0", "10.0.0.1", true)
	return nil
}
