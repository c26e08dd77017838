package labs

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/dbcmd"
	"github.com/ovskit/ovskit/dhcp"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/sim"
)

// All are the six labs of the tutorial, in order.
func All() []sim.Lab { return []sim.Lab{Lab1, Lab2, Lab3, Lab4, Lab5, Lab6} }

// Variants are the labs beyond the tutorial.
func Variants() []sim.Lab {
	return []sim.Lab{Lab2Patch, Lab3Dnsmasq, Lab4VXLAN, Lab4Geneve, Trunk, Lab2Flows, FirewallFlows}
}

// mac is the tutorial's MAC address of guest vmN.
func mac(n int) string { return fmt.Sprintf("52:54:00:00:00:%02x", n) }

// netdev is the userspace datapath: there is no kernel module here.
var netdev = bridge.DatapathType("netdev")

// get reads columns of a record as ovs-vsctl get prints them.
func get(ctx context.Context, h *sim.Host, table, record string, columns ...string) ([]string, error) {
	var out []string
	err := h.Client.View(ctx, func(tx *ovsdb.Tx) error {
		var err error
		out, err = dbcmd.Get(tx, table, record, columns)
		return err
	})
	return out, err
}

// column is a column's name and the value the tutorial shows for it.
type column struct{ name, want string }

// checkColumns records one check per column of a record, against the
// values the tutorial shows (ovs-vsctl's syntax: `10`, `[]`, `{...}`).
func checkColumns(ctx context.Context, r *sim.Report, h *sim.Host, table, record string, cols ...column) error {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	got, err := get(ctx, h, table, record, names...)
	if err != nil {
		return err
	}
	for i, c := range cols {
		r.Equal(h.Name, table+" "+record, c.name, c.want, got[i])
	}
	return nil
}

// checkPorts records the ports of a bridge (ovs-vsctl list-ports).
func checkPorts(ctx context.Context, r *sim.Report, h *sim.Host, br string, want ...string) error {
	var got []string
	err := h.Client.View(ctx, func(tx *ovsdb.Tx) error {
		var err error
		got, err = port.List(tx, br)
		return err
	})
	if err != nil {
		return err
	}
	r.Equal(h.Name, br, "list-ports", strings.Join(want, " "), strings.Join(got, " "))
	return nil
}

// The lab 3 DHCP server's pool: dnsmasq -F 10.0.0.200,10.0.0.230,86400.
var (
	poolStart = netip.MustParseAddr("10.0.0.200")
	poolEnd   = netip.MustParseAddr("10.0.0.230")
)

// checkLease records what a guest's DHCP client obtained from r0.
func checkLease(ctx context.Context, r *sim.Report, g *sim.Guest, l *dhcp.ClientLease, err error) {
	checkLeaseFrom(ctx, r, g, "r0 10.0.0.1", l, err)
}

// checkLeaseFrom records what a guest's DHCP client obtained from server.
func checkLeaseFrom(ctx context.Context, r *sim.Report, g *sim.Guest, server string, l *dhcp.ClientLease, err error) {
	pool := fmt.Sprintf("address in %s-%s", poolStart, poolEnd)
	if err != nil {
		r.Add(sim.Check{From: g.Name, To: server, What: "dhcp", Expected: pool, Observed: "error: " + err.Error()})
		return
	}
	a := l.Addr.Addr()
	in := !a.Less(poolStart) && !poolEnd.Less(a)
	obs := "address " + l.Addr.String()
	if in {
		obs = pool + " (" + l.Addr.String() + ")"
	}
	r.Add(sim.Check{From: g.Name, To: server, What: "dhcp", Expected: pool, Observed: obs, Pass: in})
	r.Equal(g.Name, server, "lease time", "86400s", fmt.Sprintf("%.0fs", l.LeaseTime.Seconds()))
	gw, gerr := g.DefaultGateway(ctx)
	obsGW := "via " + gw.String()
	if gerr != nil {
		obsGW = "error: " + gerr.Error()
	}
	r.Equal(g.Name, "", "default route", "via 10.0.0.1", obsGW)
}

// dhcpGuest obtains a guest's address and records the checks; it fails
// when there is no address to go on with.
func dhcpGuest(ctx context.Context, r *sim.Report, g *sim.Guest) (netip.Addr, error) {
	l, err := g.DHCP(ctx)
	checkLease(ctx, r, g, l, err)
	if err != nil {
		return netip.Addr{}, err
	}
	return l.Addr.Addr(), nil
}

// flows stops a capture and counts the packets matching keep, per
// direction "SRC > DST".
func flows(sn *netns.Sniffer, keep func(netns.Packet) bool) map[string]int {
	_ = sn.Close()
	out := map[string]int{}
	for _, p := range sn.Packets() {
		if keep(p) {
			out[p.Src.String()+" > "+p.Dst.String()]++
		}
	}
	return out
}
