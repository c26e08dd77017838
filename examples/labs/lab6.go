package labs

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/sim"
	"github.com/ovskit/ovskit/tunnel"
	"github.com/ovskit/ovskit/vlan"
)

// Lab6: a router namespace on instance_003 joins the guests' network to an
// upstream one, with SNAT, and a floating IP maps one guest 1:1.
var Lab6 = sim.Lab{Name: "lab6", Title: "guests reach the outside through a router namespace", Run: runLab6}

// Addresses of the outside. 198.51.100.1 is a documentation address that
// stands for the tutorial's 114.114.114.114.
const (
	routerInside  = "10.0.0.2"
	routerOutside = "192.168.0.200"
	floatingIP    = "192.168.0.201"
	upstreamGW    = "192.168.0.1"
	internetHost  = "198.51.100.1"
)

func runLab6(ctx context.Context, w *sim.World, r *sim.Report) error {
	l, err := buildLab4(ctx, w, r, tunnel.GRE)
	if err != nil {
		return err
	}
	// Remove the tags (lab 5's) and gre1.
	if _, err := l.host1.Transact(ctx, vlan.ClearTag("vif4.0"), port.Delete("gre1")); err != nil {
		return err
	}
	if _, err := l.host2.Transact(ctx, vlan.ClearTag("vif5.0")); err != nil {
		return err
	}
	// instance_003 with ovs-br3, on the underlay as 192.168.100.12.
	host3, err := w.AddHost(ctx, "instance_003")
	if err != nil {
		return err
	}
	if _, err := host3.Transact(ctx, bridge.Add("ovs-br3", netdev)); err != nil {
		return err
	}
	if err := joinUnderlay(ctx, host3, l.underlay, 3); err != nil {
		return err
	}
	// The GRE mesh: gre3 and gre4 to instance_003; gre5 and gre6 back.
	for _, t := range []struct {
		h            *sim.Host
		bridge, name string
		remote       int
	}{
		{l.host1, "ovs-br1", "gre3", 3},
		{l.host2, "ovs-br2", "gre4", 3},
		{host3, "ovs-br3", "gre5", 1},
		{host3, "ovs-br3", "gre6", 2},
	} {
		// ovs-vsctl add-port BRIDGE NAME -- set interface NAME type=gre options:remote_ip=...
		if _, err := t.h.Transact(ctx, tunnel.Add(t.bridge, t.name, tunnel.GRE, tunnel.Options{RemoteIP: tunnel.IP(netip.MustParseAddr(underlayAddr(t.remote)))})); err != nil {
			return err
		}
	}
	if err := checkPorts(ctx, r, l.host1, "ovs-br1", "gre3", "sif0", "vif4.0"); err != nil {
		return err
	}
	if err := checkColumns(ctx, r, host3, "Interface", "gre6", column{"options", fmt.Sprintf(`{remote_ip="%s"}`, underlayAddr(2))}); err != nil {
		return err
	}

	// The router: rin0 (10.0.0.2) on ovs-br3 through sin0; rex0 outside.
	router, err := w.Namespace(ctx, "router")
	if err != nil {
		return err
	}
	if err := host3.NS.AddVeth(netns.Veth{Name: "sin0", Peer: "rin0", PeerNS: router.NS, ForOVS: true}); err != nil {
		return err
	}
	if _, err := host3.Transact(ctx, port.Add("ovs-br3", "sin0")); err != nil {
		return err
	}
	if err := router.NS.AddAddr("rin0", routerInside+"/24"); err != nil {
		return err
	}
	// The router reaches the guests on both hosts through the mesh, and
	// vm5 still reaches vm4, now by way of instance_003.
	r.Reach(ctx, router, "vm4", l.vm4Addr.String(), true)
	r.Reach(ctx, router, "vm5", l.vm5Addr.String(), true)
	r.Reach(ctx, l.vm5, "vm4", l.vm4Addr.String(), true)

	upstream, internet, err := buildOutside(ctx, w, host3, router)
	if err != nil {
		return err
	}
	// Guests: ip route add default via 10.0.0.2
	for _, g := range []*sim.Guest{l.vm4, l.vm5} {
		if err := g.SetDefaultRoute(ctx, netip.MustParseAddr(routerInside)); err != nil {
			return err
		}
	}
	// SNAT: the internet host sees the router's outside address only.
	capture, err := internet.NS.Sniff("eth0")
	if err != nil {
		return err
	}
	r.Reach(ctx, l.vm4, "internet", internetHost, true)
	r.Reach(ctx, l.vm5, "internet", internetHost, true)
	seen := flows(capture, echoRequest)
	r.Equal("internet", "", "echo sources", routerOutside+" > "+internetHost, strings.Join(slices.Sorted(maps.Keys(seen)), ", "))
	// Upstream has no route to 10.0.0.0/24.
	r.Reach(ctx, upstream, "vm4", l.vm4Addr.String(), false)

	// Floating IP 192.168.0.201 <-> vm4, reachable from upstream.
	if err := router.NS.AddAddr("rex0", floatingIP+"/32"); err != nil {
		return err
	}
	if err := router.NS.FloatingIP(floatingIP, l.vm4Addr.String()); err != nil {
		return err
	}
	capture, err = l.vm4.Sniff()
	if err != nil {
		return err
	}
	r.Reach(ctx, upstream, "floating IP", floatingIP, true)
	seen = flows(capture, echoRequest)
	r.Equal("vm4", "", "echo requests seen", upstreamGW+" > "+l.vm4Addr.String(), strings.Join(slices.Sorted(maps.Keys(seen)), ", "))
	return nil
}

// buildOutside makes the outside of lab 6: on instance_003 the Linux
// bridge br-ext joins ens38 (the outward NIC, a veth to the upstream
// namespace) and sex0, whose peer rex0 is the router's outside interface.
// Upstream has the gateway 192.168.0.1 and routes to the "internet" host
// 198.51.100.1; it has no route to the guests' 10.0.0.0/24.
func buildOutside(ctx context.Context, w *sim.World, host3 *sim.Host, router *sim.Node) (upstream, internet *sim.Node, err error) {
	if upstream, err = w.Namespace(ctx, "upstream"); err != nil {
		return nil, nil, err
	}
	if internet, err = w.Namespace(ctx, "internet"); err != nil {
		return nil, nil, err
	}
	steps := []func() error{
		// ip link add sex0 type veth peer name rex0; ip link set rex0 netns router
		func() error { return host3.NS.AddVeth(netns.Veth{Name: "sex0", Peer: "rex0", PeerNS: router.NS}) },
		func() error { return host3.NS.AddVeth(netns.Veth{Name: "ens38", Peer: "eth0", PeerNS: upstream.NS}) },
		// brctl addbr br-ext; brctl addif br-ext ens38; brctl addif br-ext sex0
		func() error { return host3.NS.AddBridge("br-ext") },
		func() error { return host3.NS.Enslave("ens38", "br-ext") },
		func() error { return host3.NS.Enslave("sex0", "br-ext") },
		// Upstream: the gateway, and the link to the internet host.
		func() error { return upstream.NS.AddAddr("eth0", upstreamGW+"/24") },
		func() error { return upstream.NS.AddVeth(netns.Veth{Name: "inet0", Peer: "eth0", PeerNS: internet.NS}) },
		func() error { return upstream.NS.AddAddr("inet0", "198.51.100.254/24") },
		func() error { return upstream.NS.SetSysctl("net.ipv4.ip_forward", "1") },
		func() error { return internet.NS.AddAddr("eth0", internetHost+"/24") },
		func() error {
			return internet.NS.SetRoute(netns.Route{Dst: "default", Via: "198.51.100.254"})
		},
		// The router: ip addr add 192.168.0.200/24 dev rex0;
		// sysctl net.ipv4.ip_forward=1; ip route add default via 192.168.0.1;
		// iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -j SNAT --to 192.168.0.200
		func() error { return router.NS.AddAddr("rex0", routerOutside+"/24") },
		func() error { return router.NS.SetSysctl("net.ipv4.ip_forward", "1") },
		func() error { return router.NS.SetRoute(netns.Route{Dst: "default", Via: upstreamGW}) },
		func() error { return router.NS.SNAT("10.0.0.0/24", routerOutside) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, nil, err
		}
	}
	return upstream, internet, nil
}

// echoRequest keeps ICMP echo requests (ping's packets, not the replies).
func echoRequest(p netns.Packet) bool { return p.Proto == netns.ProtoICMP && p.ICMPType == 8 }
