package labs

import (
	"context"
	"strings"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/sim"
)

// Lab1: on instance_001, vm1 and vm2 talk through the bridge br-in.
var Lab1 = sim.Lab{Name: "lab1", Title: "guests on one host talk through a bridge", Run: runLab1}

// lab1 is the topology of lab 1, which lab 2 goes on from.
type lab1 struct {
	host     *sim.Host
	vm1, vm2 *sim.Guest
}

func buildLab1(ctx context.Context, w *sim.World) (*lab1, error) {
	// instance_001, on the "host-only" network with 192.168.100.10.
	host, err := w.AddHost(ctx, "instance_001")
	if err != nil {
		return nil, err
	}
	underlay, err := w.AddUnderlay(ctx, "underlay")
	if err != nil {
		return nil, err
	}
	if err := host.Join(ctx, underlay, sim.Uplink{NIC: "ens37", Addr: "192.168.100.10/24"}); err != nil {
		return nil, err
	}
	// ovs-vsctl add-br br-in
	// ovs-vsctl add-port br-in ens37
	if _, err := host.Transact(ctx,
		bridge.Add("br-in", netdev),
		port.Add("br-in", "ens37")); err != nil {
		return nil, err
	}
	// Two guests; qemu's if-up script adds vif0.0 and vif1.0 to br-in.
	vm1, err := host.AddGuest(ctx, sim.GuestConfig{Name: "vm1", Bridge: "br-in", Vif: "vif0.0", MAC: mac(1), Addr: "10.0.3.1/24"})
	if err != nil {
		return nil, err
	}
	vm2, err := host.AddGuest(ctx, sim.GuestConfig{Name: "vm2", Bridge: "br-in", Vif: "vif1.0", MAC: mac(2), Addr: "10.0.3.2/24"})
	if err != nil {
		return nil, err
	}
	return &lab1{host: host, vm1: vm1, vm2: vm2}, nil
}

func runLab1(ctx context.Context, w *sim.World, r *sim.Report) error {
	l, err := buildLab1(ctx, w)
	if err != nil {
		return err
	}
	// The basic commands: list-br, list-ports, port-to-br.
	err = l.host.Client.View(ctx, func(tx *ovsdb.Tx) error {
		brs, err := bridge.List(tx, bridge.All)
		if err != nil {
			return err
		}
		r.Equal("instance_001", "", "list-br", "br-in", strings.Join(brs, " "))
		br, err := port.ToBridge(tx, "vif0.0")
		if err != nil {
			return err
		}
		r.Equal("instance_001", "vif0.0", "port-to-br", "br-in", br)
		return nil
	})
	if err != nil {
		return err
	}
	if err := checkPorts(ctx, r, l.host, "br-in", "ens37", "vif0.0", "vif1.0"); err != nil {
		return err
	}
	// vm1 pings vm2, and back.
	r.Reach(ctx, l.vm1, "vm2", "10.0.3.2", true)
	r.Reach(ctx, l.vm2, "vm1", "10.0.3.1", true)
	return nil
}
