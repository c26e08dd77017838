package labs

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/sim"
)

// OVN are the tutorial's multi-host networks built on OVN.
func OVN() []sim.Lab { return []sim.Lab{Lab4OVN} }

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
	addrs := make([]netip.Addr, len(guests))
	for i, g := range guests {
		l, err := g.DHCP(ctx)
		checkLeaseFrom(ctx, r, g, "OVN 10.0.0.1", l, err)
		if err != nil {
			return err
		}
		addrs[i] = l.Addr.Addr()
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
	return nil
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
