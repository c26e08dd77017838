package labs

import (
	"context"
	"fmt"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/sim"
	"github.com/ovskit/ovskit/vlan"
)

// Trunk: two bridges joined by a veth whose ends are trunk ports carrying
// VLANs 10 and 11 only (beyond the tutorial). Guests in VLAN 10 and 11
// reach their VLAN across the trunk; VLAN 12 is not carried.
var Trunk = sim.Lab{Name: "trunk", Title: "a trunk port carrying VLANs 10 and 11 between two bridges", Run: runTrunk}

func runTrunk(ctx context.Context, w *sim.World, r *sim.Report) error {
	h, err := w.AddHost(ctx, "instance_001")
	if err != nil {
		return err
	}
	// Two bridges joined by the veth t0/t1, trunks=[10,11] on both ends.
	if _, err := h.Transact(ctx, bridge.Add("br-a", netdev), bridge.Add("br-b", netdev)); err != nil {
		return err
	}
	if err := h.NS.AddVeth(netns.Veth{Name: "t0", Peer: "t1", ForOVS: true}); err != nil {
		return err
	}
	if _, err := h.Transact(ctx,
		port.Add("br-a", "t0", vlan.Trunks(10, 11)),
		port.Add("br-b", "t1", vlan.Trunks(10, 11))); err != nil {
		return err
	}
	// Guests: aN on br-a and bN on br-b in VLAN N, for N in 10, 11, 12.
	guests := map[string]*sim.Guest{}
	for i, v := range []int{10, 11, 12} {
		for j, br := range []string{"br-a", "br-b"} {
			name := fmt.Sprintf("%c%d", "ab"[j], v)
			g, err := h.AddGuest(ctx, sim.GuestConfig{
				Name: name, Bridge: br, Vif: "vif-" + name, MAC: fmt.Sprintf("52:54:00:00:%02x:%02x", v, j+1),
				Addr: fmt.Sprintf("10.0.%d.%d/24", 10, 10*(i+1)+j+1), Port: []port.Option{vlan.Tag(v)},
			})
			if err != nil {
				return err
			}
			guests[name] = g
		}
	}
	// All six share one subnet, so that only the VLANs separate them.
	addr := func(name string) string {
		a, _ := guests[name].Node.Addr("eth0")
		return a.String()
	}
	if err := checkColumns(ctx, r, h, "Port", "t0", column{"trunks", "[10, 11]"}, column{"tag", "[]"}); err != nil {
		return err
	}
	r.Reach(ctx, guests["a10"], "b10", addr("b10"), true)
	r.Reach(ctx, guests["a11"], "b11", addr("b11"), true)
	r.Reach(ctx, guests["a10"], "b11", addr("b11"), false)
	r.Reach(ctx, guests["a11"], "b10", addr("b10"), false)
	// VLAN 12 is not in the trunks: a12 and b12 stay apart.
	r.Reach(ctx, guests["a12"], "b12", addr("b12"), false)
	return nil
}
