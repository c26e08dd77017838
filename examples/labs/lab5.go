package labs

import (
	"context"

	"github.com/ovskit/ovskit/sim"
	"github.com/ovskit/ovskit/tunnel"
	"github.com/ovskit/ovskit/vlan"
)

// Lab5: VLANs 10 and 11 span both hosts through the GRE tunnel.
var Lab5 = sim.Lab{Name: "lab5", Title: "VLANs across hosts", Run: runLab5}

func runLab5(ctx context.Context, w *sim.World, r *sim.Report) error {
	l, err := buildLab4(ctx, w, r, tunnel.GRE)
	if err != nil {
		return err
	}
	// vm6 on instance_001 (vif6.0) and vm7 on instance_002 (vif7.0), by DHCP.
	vm6, err := l.host1.AddGuest(ctx, sim.GuestConfig{Name: "vm6", Bridge: "ovs-br1", Vif: "vif6.0", MAC: mac(6)})
	if err != nil {
		return err
	}
	vm7, err := l.host2.AddGuest(ctx, sim.GuestConfig{Name: "vm7", Bridge: "ovs-br2", Vif: "vif7.0", MAC: mac(7)})
	if err != nil {
		return err
	}
	vm6Addr, err := dhcpGuest(ctx, r, vm6)
	if err != nil {
		return err
	}
	vm7Addr, err := dhcpGuest(ctx, r, vm7)
	if err != nil {
		return err
	}
	// instance_001: ovs-vsctl set port vif4.0 tag=10; set port vif6.0 tag=11
	if _, err := l.host1.Transact(ctx, vlan.SetTag("vif4.0", 10), vlan.SetTag("vif6.0", 11)); err != nil {
		return err
	}
	// instance_002: ovs-vsctl set port vif5.0 tag=10; set port vif7.0 tag=11
	if _, err := l.host2.Transact(ctx, vlan.SetTag("vif5.0", 10), vlan.SetTag("vif7.0", 11)); err != nil {
		return err
	}
	for _, c := range []struct {
		h    *sim.Host
		port string
		tag  string
	}{{l.host1, "vif4.0", "10"}, {l.host1, "vif6.0", "11"}, {l.host2, "vif5.0", "10"}, {l.host2, "vif7.0", "11"}} {
		if err := checkColumns(ctx, r, c.h, "Port", c.port, column{"tag", c.tag}); err != nil {
			return err
		}
	}
	// VLAN 11 spans the hosts; VLAN 10 is apart from it.
	r.Reach(ctx, vm7, "vm6", vm6Addr.String(), true)
	r.Reach(ctx, vm7, "vm4", l.vm4Addr.String(), false)
	r.Reach(ctx, l.vm5, "vm4", l.vm4Addr.String(), true)
	r.Reach(ctx, vm6, "vm5", l.vm5Addr.String(), false)
	r.Reach(ctx, vm6, "vm7", vm7Addr.String(), true)
	return nil
}
