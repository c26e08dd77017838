package labs

import (
	"context"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/sim"
	"github.com/ovskit/ovskit/vlan"
)

// Lab2: VLAN tags isolate vm1 from vm2; a second bridge joined by a veth
// pair puts vm3 in vm1's VLAN.
var Lab2 = sim.Lab{Name: "lab2", Title: "VLAN isolation, and a second bridge joined by a veth", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
	return runLab2(ctx, w, r, joinVeth)
}}

// Lab2Patch is lab 2 with the two bridges joined by an OVS patch port
// pair instead of a veth (beyond the tutorial).
var Lab2Patch = sim.Lab{Name: "lab2-patch", Title: "lab 2 with the bridges joined by patch ports", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
	return runLab2(ctx, w, r, joinPatch)
}}

// join connects br-in and br1-in on the host.
type join func(ctx context.Context, h *sim.Host) error

// joinVeth: ip link add s0 type veth peer name s1;
// ovs-vsctl add-port br-in s0; ovs-vsctl add-port br1-in s1.
// Untagged ports carry every VLAN.
func joinVeth(ctx context.Context, h *sim.Host) error {
	if err := h.NS.AddVeth(netns.Veth{Name: "s0", Peer: "s1", ForOVS: true}); err != nil {
		return err
	}
	_, err := h.Transact(ctx, port.Add("br-in", "s0"), port.Add("br1-in", "s1"))
	return err
}

// joinPatch: patch-in on br-in peers with patch-out on br1-in, inside
// ovs-vswitchd, with no kernel device at all.
func joinPatch(ctx context.Context, h *sim.Host) error {
	_, err := h.Transact(ctx, iface.PatchPair("br-in", "patch-in", "br1-in", "patch-out"))
	return err
}

func runLab2(ctx context.Context, w *sim.World, r *sim.Report, joinBridges join) error {
	l, err := buildLab1(ctx, w)
	if err != nil {
		return err
	}
	h := l.host
	// Before the tags, vm1 and vm2 share VLAN 0.
	r.Reach(ctx, l.vm1, "vm2", "10.0.3.2", true)

	// ovs-vsctl set port vif0.0 tag=10
	// ovs-vsctl set port vif1.0 tag=11
	if _, err := h.Transact(ctx, vlan.SetTag("vif0.0", 10), vlan.SetTag("vif1.0", 11)); err != nil {
		return err
	}
	r.Reach(ctx, l.vm1, "vm2", "10.0.3.2", false)
	// ovs-vsctl list Port vif0.0 shows tag: 10, trunks: [], vlan_mode: [].
	if err := checkColumns(ctx, r, h, "Port", "vif0.0",
		column{"tag", "10"}, column{"trunks", "[]"}, column{"vlan_mode", "[]"}); err != nil {
		return err
	}

	// ovs-vsctl add-br br1-in; vm3 on it, with vif2.0; the two bridges joined.
	if _, err := h.Transact(ctx, bridge.Add("br1-in", netdev)); err != nil {
		return err
	}
	vm3, err := h.AddGuest(ctx, sim.GuestConfig{Name: "vm3", Bridge: "br1-in", Vif: "vif2.0", MAC: mac(3), Addr: "10.0.3.3/24"})
	if err != nil {
		return err
	}
	if err := joinBridges(ctx, h); err != nil {
		return err
	}
	// ovs-vsctl set port vif2.0 tag=10
	if _, err := h.Transact(ctx, vlan.SetTag("vif2.0", 10)); err != nil {
		return err
	}
	r.Reach(ctx, vm3, "vm1", "10.0.3.1", true)
	r.Reach(ctx, vm3, "vm2", "10.0.3.2", false)

	// The tutorial's cleanup: ovs-vsctl remove Port vif0.0 tag 10.
	// vm1's frames are VLAN 0 again: it leaves vm3's VLAN 10.
	if _, err := h.Transact(ctx, vlan.RemoveTag("vif0.0", 10)); err != nil {
		return err
	}
	if err := checkColumns(ctx, r, h, "Port", "vif0.0", column{"tag", "[]"}); err != nil {
		return err
	}
	r.Reach(ctx, l.vm1, "vm3", "10.0.3.3", false)
	return nil
}
