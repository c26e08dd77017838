package labs

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsproc"
	"github.com/ovskit/ovskit/sim"
)

// Lab5OVN is lab 5 on OVN: VLANs 10 and 11 become two logical switches,
// each spread over both chassis; then the same isolation again with ACLs
// on one switch. Every "reaches" and "cannot reach" of lab 5.
var Lab5OVN = sim.Lab{Name: "lab5-ovn", Title: "lab 5 on OVN: the VLANs as two logical switches, then as ACLs on one", Run: runLab5OVN}

// Lab6OVN is lab 6 on OVN: a logical router joins the guests' switch to
// the outside through a gateway chassis, with SNAT, and a floating IP
// (dnat_and_snat) maps one guest.
var Lab6OVN = sim.Lab{Name: "lab6-ovn", Title: "lab 6 on OVN: a logical router, SNAT through a gateway chassis, a floating IP", Run: runLab6OVN}

// OVN are the tutorial's multi-host networks built on OVN.
func OVN() []sim.Lab { return []sim.Lab{Lab4OVN, Lab5OVN, Lab6OVN} }

// Lab4OVN is lab 4's network on OVN: guests on three chassis share one
// logical switch, and get their addresses from OVN's native DHCP (lab 3's
// pool, lease and router); every pair reaches, over Geneve.
var Lab4OVN = sim.Lab{Name: "lab4-ovn", Title: "lab 4 on OVN: one logical switch across three chassis, native DHCP", Run: runLab4OVN}

// ovnWorld is an OVN deployment: a central (3-member Northbound cluster,
// Southbound, northd) and chassis on one underlay.
type ovnWorld struct {
	central  *sim.Central
	underlay *sim.Underlay
	chassis  []*sim.Chassis
}

// chassisAddr is chassis i's tunnel endpoint on the underlay.
func chassisAddr(i int) string { return fmt.Sprintf("192.168.100.%d", 10+i) }

// buildOVN starts the central and n chassis, waits until they are
// registered and tells each the others' underlay MACs.
func buildOVN(ctx context.Context, w *sim.World, r *sim.Report, n int) (*ovnWorld, error) {
	o := &ovnWorld{}
	var err error
	if o.central, err = w.AddCentral(ctx, sim.CentralConfig{}); err != nil {
		return nil, err
	}
	if o.underlay, err = w.AddUnderlay(ctx, "underlay"); err != nil {
		return nil, err
	}
	start := time.Now()
	for i := 1; i <= n; i++ {
		ch, err := o.central.AddChassis(ctx, sim.ChassisName(i), sim.ChassisConfig{Underlay: o.underlay, Addr: chassisAddr(i) + "/24", MAC: sim.UnderlayMAC(i)})
		if err != nil {
			return nil, err
		}
		o.chassis = append(o.chassis, ch)
	}
	err = o.central.WaitChassis(ctx)
	observed := fmt.Sprintf("%d registered in %v", n, time.Since(start).Round(10*time.Millisecond))
	if err != nil {
		observed = "error: " + err.Error()
	}
	r.Add(sim.Check{From: "central", To: "Southbound", What: "chassis", Expected: fmt.Sprintf("%d registered", n), Observed: observed, Pass: err == nil})
	if err != nil {
		return nil, err
	}
	return o, o.central.LinkChassis(ctx)
}

// ovnDHCP makes OVN serve lab 3's DHCP on switch sw: dynamic addresses
// from 10.0.0.200 to 10.0.0.230 (the rest of the subnet excluded), lease
// time 86400, router 10.0.0.1.
func ovnDHCP(ctx context.Context, c *sim.Central, sw string, ports ...string) error {
	_, err := c.NB.Transact(ctx, ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		ls, err := nb.Switch(tx, sw)
		if err != nil {
			return err
		}
		ls.OtherConfig = map[string]string{"subnet": "10.0.0.0/24", "exclude_ips": "10.0.0.1..10.0.0.199 10.0.0.231..10.0.0.254"}
		if err := tx.Update(ls, "other_config"); err != nil {
			return err
		}
		_, err = tx.Insert(&nbdb.DHCPOptions{CIDR: "10.0.0.0/24", ExternalIDs: map[string]string{"lab": "3"}, Options: map[string]string{
			"lease_time": "86400", "router": "10.0.0.1", "server_id": "10.0.0.1", "server_mac": "02:00:00:00:00:01",
		}})
		return err
	}))
	if err != nil {
		return err
	}
	var id string
	err = c.NB.View(ctx, func(tx *ovsdb.Tx) error {
		all, err := nb.ListDHCPOptions(tx)
		if err == nil && len(all) > 0 {
			id = all[0].UUID
		}
		return err
	})
	if err != nil {
		return err
	}
	cmds := make([]ovsdb.Command, len(ports))
	for i, p := range ports {
		cmds[i] = nb.SetPortDHCPv4Options(p, id)
	}
	_, err = c.NB.Transact(ctx, cmds...)
	return err
}

func runLab4OVN(ctx context.Context, w *sim.World, r *sim.Report) error {
	o, err := buildOVN(ctx, w, r, 3)
	if err != nil {
		return err
	}
	// ovn-nbctl ls-add sw0; lsp-add sw0 vmN; lsp-set-addresses vmN "MAC
	// dynamic" (northd picks the address from the pool).
	names := []string{"vm1", "vm2", "vm3"}
	cmds := []ovsdb.Command{nb.AddSwitch("sw0")}
	for i, name := range names {
		cmds = append(cmds, nb.AddSwitchPort("sw0", name), nb.SetAddresses(name, mac(i+1)+" dynamic"))
	}
	if _, err := o.central.NB.Transact(ctx, cmds...); err != nil {
		return err
	}
	if err := ovnDHCP(ctx, o.central, "sw0", names...); err != nil {
		return err
	}
	guests := make([]*sim.Guest, len(names))
	for i, name := range names {
		if guests[i], err = o.chassis[i].Plug(ctx, sim.GuestConfig{Name: name, Vif: fmt.Sprintf("vif%d.0", i+1), MAC: mac(i + 1)}, name); err != nil {
			return err
		}
	}
	start := time.Now()
	err = o.central.WaitPortsUp(ctx, names...)
	observed := fmt.Sprintf("%d up in %v", len(names), time.Since(start).Round(10*time.Millisecond))
	if err != nil {
		observed = "error: " + err.Error()
	}
	r.Add(sim.Check{From: "central", To: "chassis", What: "ports", Expected: fmt.Sprintf("%d up", len(names)), Observed: observed, Pass: err == nil})
	if err != nil {
		return err
	}
	addrs, err := ovnLeases(ctx, r, guests)
	if err != nil {
		return err
	}
	// Capture on hv1's underlay link while every pair pings.
	capture, err := o.underlay.NS.Sniff(o.chassis[0].Name)
	if err != nil {
		return err
	}
	for i, g := range guests {
		for j := range guests {
			if i != j {
				r.Reach(ctx, g, names[j], addrs[j].String(), true)
			}
		}
	}
	checkGeneve(r, capture, o.chassis[0], o.chassis[1:])
	return ovnFailover(ctx, r, o, guests[0], guests[1], addrs[0], addrs[1])
}

// ovnFailover kills the Northbound leader while vm1 pings vm2: the client
// writes a new port through the new leader, ovn-northd is restarted (it
// would take 3 to 15 s to find the leader by itself), the port comes up
// on hv3 and is reachable; the data plane never stops. The report shows
// the time each step took after the kill.
func ovnFailover(ctx context.Context, r *sim.Report, o *ovnWorld, from, to *sim.Guest, fromAddr, toAddr netip.Addr) error {
	procs := o.central.Procs
	leader, err := procs.Leader(ctx, ovsproc.NB)
	if err != nil {
		return err
	}
	// Traffic through the failover.
	pingCtx, stopPings := context.WithCancel(ctx)
	var sent, answered atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for pingCtx.Err() == nil {
			ok, err := from.Ping(pingCtx, toAddr.String())
			if pingCtx.Err() != nil {
				return
			}
			sent.Add(1)
			if ok && err == nil {
				answered.Add(1)
			}
		}
	}()
	defer func() { stopPings(); <-done }()

	killed := time.Now()
	since := func() string { return time.Since(killed).Round(10 * time.Millisecond).String() }
	procs.KillMember(ovsproc.NB, leader)
	// The client follows the new leader: lsp-add vm4, a static address.
	_, err = o.central.NB.Transact(ctx, nb.AddSwitchPort("sw0", "vm4"), nb.SetAddresses("vm4", mac(4)+" 10.0.0.100"))
	observed := "written through the new leader after " + since()
	if err != nil {
		observed = "error: " + err.Error()
	}
	r.Add(sim.Check{From: "ovskit", To: "Northbound", What: "leader killed (-9): lsp-add vm4", Expected: "written through the new leader", Observed: observed, Pass: err == nil})
	if err != nil {
		return err
	}
	err = procs.RestartNorthd(ctx)
	observed = "active after " + since()
	if err != nil {
		observed = "error: " + err.Error()
	}
	r.Add(sim.Check{From: "central", To: "Northbound", What: "ovn-northd restarted", Expected: "active", Observed: observed, Pass: err == nil})
	if err != nil {
		return err
	}
	if err := procs.StartMember(ctx, ovsproc.NB, leader); err != nil {
		return err
	}
	vm4, err := o.chassis[2].Plug(ctx, sim.GuestConfig{Name: "vm4", Vif: "vif4.0", MAC: mac(4), Addr: "10.0.0.100/24"}, "vm4")
	if err != nil {
		return err
	}
	err = o.central.WaitPortsUp(ctx, "vm4")
	observed = "up on hv3 after " + since()
	if err != nil {
		observed = "error: " + err.Error()
	}
	r.Add(sim.Check{From: "central", To: "hv3", What: "port vm4", Expected: "up on hv3", Observed: observed, Pass: err == nil})
	if err != nil {
		return err
	}
	r.Reach(ctx, from, "vm4", "10.0.0.100", true)
	r.Reach(ctx, vm4, from.Name, fromAddr.String(), true)
	stopPings()
	<-done
	n, ok := sent.Load(), answered.Load()
	r.Add(sim.Check{From: from.Name, To: to.Name, What: "pings during the failover", Expected: "all answered",
		Observed: fmt.Sprintf("%d of %d answered", ok, n), Pass: n > 0 && ok == n})
	return nil
}

// ovnLeases has each guest obtain its address from OVN's DHCP and
// records the leases.
func ovnLeases(ctx context.Context, r *sim.Report, guests []*sim.Guest) ([]netip.Addr, error) {
	addrs := make([]netip.Addr, len(guests))
	for i, g := range guests {
		l, err := g.DHCP(ctx)
		checkLeaseFrom(ctx, r, g, "OVN 10.0.0.1", l, err)
		if err != nil {
			return nil, err
		}
		addrs[i] = l.Addr.Addr()
	}
	return addrs, nil
}

// checkGeneve records that a chassis exchanged Geneve packets carrying
// OVN's option (class 0x0102) with each peer, both ways.
func checkGeneve(r *sim.Report, capture *netns.Sniffer, ch *sim.Chassis, peers []*sim.Chassis) {
	seen := flows(capture, func(p netns.Packet) bool {
		return p.Proto == netns.ProtoUDP && p.DstPort == 6081 && slices.Contains(p.GeneveClasses, 0x0102)
	})
	for _, peer := range peers {
		a, b := ch.EncapIP.String(), peer.EncapIP.String()
		var got []string
		for _, dir := range []string{a + " > " + b, b + " > " + a} {
			if seen[dir] > 0 {
				got = append(got, dir)
			}
		}
		want := a + " > " + b + " and " + b + " > " + a
		r.Add(sim.Check{From: ch.Name, To: peer.Name, What: "UDP 6081 (Geneve, OVN option class 0x0102) on the underlay",
			Expected: want, Observed: strings.Join(got, " and "), Pass: len(got) == 2})
	}
}

// lab5Guest is a guest of lab 5: its number, chassis (index) and VLAN.
type lab5Guest struct {
	name     string
	n, on    int
	vlan     string
	g        *sim.Guest
	addrText string
}

// ovnPort is the commands of lsp-add SWITCH NAME and lsp-set-addresses
// NAME "MAC IP".
func ovnPort(sw, name, mac, ip string) []ovsdb.Command {
	return []ovsdb.Command{nb.AddSwitchPort(sw, name), nb.SetAddresses(name, mac+" "+ip)}
}

func runLab5OVN(ctx context.Context, w *sim.World, r *sim.Report) error {
	o, err := buildOVN(ctx, w, r, 2)
	if err != nil {
		return err
	}
	guests := []*lab5Guest{{name: "vm4", n: 4, on: 0, vlan: "vlan10"}, {name: "vm5", n: 5, on: 1, vlan: "vlan10"},
		{name: "vm6", n: 6, on: 0, vlan: "vlan11"}, {name: "vm7", n: 7, on: 1, vlan: "vlan11"}}
	names := make([]string, len(guests))
	// ovn-nbctl ls-add vlan10; ls-add vlan11; lsp-add vlanN vmN;
	// lsp-set-addresses vmN "MAC IP"
	cmds := []ovsdb.Command{nb.AddSwitch("vlan10"), nb.AddSwitch("vlan11")}
	for i, g := range guests {
		names[i], g.addrText = g.name, fmt.Sprintf("10.0.0.%d", 10+g.n)
		cmds = append(cmds, ovnPort(g.vlan, g.name, mac(g.n), g.addrText)...)
	}
	if _, err := o.central.NB.Transact(ctx, cmds...); err != nil {
		return err
	}
	for _, g := range guests {
		if g.g, err = o.chassis[g.on].Plug(ctx, sim.GuestConfig{Name: g.name, Vif: fmt.Sprintf("vif%d.0", g.n), MAC: mac(g.n), Addr: g.addrText + "/24"}, g.name); err != nil {
			return err
		}
	}
	if err := o.central.WaitPortsUp(ctx, names...); err != nil {
		return err
	}
	vm4, vm5, vm6, vm7 := guests[0], guests[1], guests[2], guests[3]
	checks := func() {
		// VLAN 11 spans the chassis; VLAN 10 is apart from it.
		r.Reach(ctx, vm7.g, "vm6", vm6.addrText, true)
		r.Reach(ctx, vm7.g, "vm4", vm4.addrText, false)
		r.Reach(ctx, vm5.g, "vm4", vm4.addrText, true)
		r.Reach(ctx, vm6.g, "vm5", vm5.addrText, false)
		r.Reach(ctx, vm6.g, "vm7", vm7.addrText, true)
	}
	checks()

	// The same with one switch: port groups per VLAN, and ACLs that drop
	// what goes from one group to the other. The sender is matched by
	// address (the group's address set): ovn-controller expands @group to
	// its local ports only, so "inport == @group" never matches a packet
	// from another chassis. The ports keep their names, so the guests'
	// interfaces bind to them again.
	if _, err := o.central.NB.Transact(ctx, nb.DeleteSwitch("vlan10"), nb.DeleteSwitch("vlan11")); err != nil {
		return err
	}
	cmds = []ovsdb.Command{nb.AddSwitch("lan")}
	for _, g := range guests {
		cmds = append(cmds, ovnPort("lan", g.name, mac(g.n), g.addrText)...)
	}
	cmds = append(cmds, nb.AddPortGroup("vlan10", "vm4", "vm5"), nb.AddPortGroup("vlan11", "vm6", "vm7"))
	for _, pair := range [][2]string{{"vlan10", "vlan11"}, {"vlan11", "vlan10"}} {
		// acl-add vlan10 to-lport 1000 'outport == @vlan10 && ip4.src == $vlan11_ip4' drop
		cmds = append(cmds, nb.AddACL(pair[0], nb.PortGroupTarget, nb.ACL{Direction: "to-lport", Priority: 1000,
			Match: fmt.Sprintf("outport == @%s && ip4.src == $%s_ip4", pair[0], pair[1]), Action: "drop"}))
	}
	if _, err := o.central.NB.Transact(ctx, cmds...); err != nil {
		return err
	}
	if err := o.central.WaitPortsUp(ctx, names...); err != nil {
		return err
	}
	var acls []string
	err = o.central.NB.View(ctx, func(tx *ovsdb.Tx) error {
		for _, pg := range []string{"vlan10", "vlan11"} {
			all, err := nb.ACLs(tx, pg, nb.PortGroupTarget)
			if err != nil {
				return err
			}
			for _, a := range all {
				acls = append(acls, a.Match+" "+string(a.Action))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.Equal("central", "lan", "ACLs", "outport == @vlan10 && ip4.src == $vlan11_ip4 drop; outport == @vlan11 && ip4.src == $vlan10_ip4 drop", strings.Join(acls, "; "))
	checks()
	return nil
}

// Lab 6 on OVN: the router's addresses.
const (
	lrInsideMAC  = "02:00:00:00:00:01" // lr0-sw0, 10.0.0.1: the guests' gateway
	lrOutsideMAC = "02:00:00:00:00:02" // lr0-public, 192.168.0.200
)

func runLab6OVN(ctx context.Context, w *sim.World, r *sim.Report) error {
	o, err := buildOVN(ctx, w, r, 3)
	if err != nil {
		return err
	}
	gw := o.chassis[2] // hv3: the gateway chassis
	names := []string{"vm4", "vm5"}
	cmds := []ovsdb.Command{nb.AddSwitch("sw0")}
	for i, name := range names {
		cmds = append(cmds, nb.AddSwitchPort("sw0", name), nb.SetAddresses(name, mac(4+i)+" dynamic"))
	}
	// The router: lr0-sw0 (10.0.0.1) on sw0; lr0-public (192.168.0.200)
	// on switch public, whose localnet port leaves through hv3's br-ex;
	// a default route to upstream; SNAT of the guests' network.
	routerPort := func(sw, lsp, lrp string) []ovsdb.Command {
		return []ovsdb.Command{nb.AddSwitchPort(sw, lsp), nb.SetPortType(lsp, "router"), nb.SetAddresses(lsp, "router"),
			nb.SetPortOptions(lsp, map[string]string{"router-port": lrp})}
	}
	cmds = append(cmds, nb.AddRouter("lr0"),
		nb.AddRouterPort("lr0", "lr0-sw0", lrInsideMAC, []string{"10.0.0.1/24"}),
		nb.AddRouterPort("lr0", "lr0-public", lrOutsideMAC, []string{routerOutside + "/24"}),
		nb.SetGatewayChassis("lr0-public", gw.Name, 20),
		nb.AddSwitch("public"),
		nb.AddSwitchPort("public", "public-ln"), nb.SetPortType("public-ln", "localnet"), nb.SetAddresses("public-ln", "unknown"),
		nb.SetPortOptions("public-ln", map[string]string{"network_name": "physnet"}),
		nb.AddRoute("lr0", nb.Route{Prefix: "0.0.0.0/0", NextHop: upstreamGW}),
		nb.AddNAT("lr0", nb.NAT{Type: nb.SNAT, ExternalIP: routerOutside, LogicalIP: "10.0.0.0/24"}))
	cmds = append(cmds, routerPort("sw0", "sw0-lr0", "lr0-sw0")...)
	cmds = append(cmds, routerPort("public", "public-lr0", "lr0-public")...)
	if _, err := o.central.NB.Transact(ctx, cmds...); err != nil {
		return err
	}
	if err := ovnDHCP(ctx, o.central, "sw0", names...); err != nil {
		return err
	}
	// The outside: hv3's eth2 (in br-ex, mapped to physnet) to upstream
	// (192.168.0.1), which routes to the internet host; no route to
	// 10.0.0.0/24.
	upstream, err := w.Namespace(ctx, "upstream")
	if err != nil {
		return err
	}
	internet, err := w.Namespace(ctx, "internet")
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error {
			return gw.NS.AddVeth(netns.Veth{Name: "eth2", Peer: "eth0", PeerNS: upstream.NS, ForOVS: true})
		},
		func() error { return gw.MapNetwork(ctx, "physnet", "br-ex", "eth2") },
		func() error { return upstream.NS.AddAddr("eth0", upstreamGW+"/24") },
		func() error { return upstream.NS.AddVeth(netns.Veth{Name: "inet0", Peer: "eth0", PeerNS: internet.NS}) },
		func() error { return upstream.NS.AddAddr("inet0", "198.51.100.254/24") },
		func() error { return upstream.NS.SetSysctl("net.ipv4.ip_forward", "1") },
		func() error { return internet.NS.AddAddr("eth0", internetHost+"/24") },
		func() error { return internet.NS.SetRoute(netns.Route{Dst: "default", Via: "198.51.100.254"}) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	guests := make([]*sim.Guest, len(names))
	for i, name := range names {
		if guests[i], err = o.chassis[i].Plug(ctx, sim.GuestConfig{Name: name, Vif: fmt.Sprintf("vif%d.0", 4+i), MAC: mac(4 + i)}, name); err != nil {
			return err
		}
	}
	if err := o.central.WaitPortsUp(ctx, names...); err != nil {
		return err
	}
	addrs, err := ovnLeases(ctx, r, guests)
	if err != nil {
		return err
	}
	vm4, vm5 := guests[0], guests[1]
	r.Reach(ctx, vm5, "vm4", addrs[0].String(), true)
	r.Reach(ctx, vm4, "router 10.0.0.1", "10.0.0.1", true)
	// SNAT: the internet host sees the router's outside address only.
	capture, err := internet.NS.Sniff("eth0")
	if err != nil {
		return err
	}
	r.Reach(ctx, vm4, "internet", internetHost, true)
	r.Reach(ctx, vm5, "internet", internetHost, true)
	seen := flows(capture, echoRequest)
	r.Equal("internet", "", "echo sources", routerOutside+" > "+internetHost, strings.Join(slices.Sorted(maps.Keys(seen)), ", "))
	// Upstream has no route to 10.0.0.0/24.
	r.Reach(ctx, upstream, "vm4", addrs[0].String(), false)
	// Floating IP 192.168.0.201 <-> vm4 (lr-nat-add lr0 dnat_and_snat
	// 192.168.0.201 VM4), reachable from upstream.
	if _, err := o.central.NB.Transact(ctx, nb.AddNAT("lr0", nb.NAT{Type: nb.DNATAndSNAT, ExternalIP: floatingIP, LogicalIP: addrs[0].String()})); err != nil {
		return err
	}
	if err := o.central.Sync(ctx); err != nil {
		return err
	}
	capture, err = vm4.Sniff()
	if err != nil {
		return err
	}
	r.Reach(ctx, upstream, "floating IP", floatingIP, true)
	seen = flows(capture, echoRequest)
	r.Equal("vm4", "", "echo requests seen", upstreamGW+" > "+addrs[0].String(), strings.Join(slices.Sorted(maps.Keys(seen)), ", "))
	return nil
}
