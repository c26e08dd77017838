package sim_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/sim"
	"github.com/ovskit/ovskit/vlan"
)

// A host with two guests on one bridge, in different VLANs.
func Example() {
	ctx := context.Background()
	w, err := sim.New(ctx, sim.Config{Prefix: "demo-"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	h, err := w.AddHost(ctx, "hv1")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := h.Transact(ctx, bridge.Add("br-in", bridge.DatapathType("netdev"))); err != nil {
		log.Fatal(err)
	}
	vm1, err := h.AddGuest(ctx, sim.GuestConfig{Name: "vm1", Bridge: "br-in", Vif: "vif0.0", Addr: "10.0.3.1/24", Port: []port.Option{vlan.Tag(10)}})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := h.AddGuest(ctx, sim.GuestConfig{Name: "vm2", Bridge: "br-in", Vif: "vif1.0", Addr: "10.0.3.2/24", Port: []port.Option{vlan.Tag(11)}}); err != nil {
		log.Fatal(err)
	}
	ok, err := vm1.Ping(ctx, "10.0.3.2")
	fmt.Println("vm1 reaches vm2:", ok, err)
	// Output: vm1 reaches vm2: false <nil>
}

// A lab program: its checks, a report, -keep and cleanup, and teardown on
// Ctrl-C. (Main exits the process, so this Example is compiled, not run;
// TestMainExitCodes runs the same code.)
func ExampleMain() {
	sim.Main(sim.Lab{Name: "demo", Title: "two guests", Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
		h, err := w.AddHost(ctx, "hv1")
		if err != nil {
			return err
		}
		if _, err := h.Transact(ctx, bridge.Add("br-in", bridge.DatapathType("netdev"))); err != nil {
			return err
		}
		vm1, err := h.AddGuest(ctx, sim.GuestConfig{Name: "vm1", Bridge: "br-in", Vif: "vif0.0", Addr: "10.0.3.1/24"})
		if err != nil {
			return err
		}
		if _, err := h.AddGuest(ctx, sim.GuestConfig{Name: "vm2", Bridge: "br-in", Vif: "vif1.0", Addr: "10.0.3.2/24"}); err != nil {
			return err
		}
		r.Reach(ctx, vm1.Node, "vm2", "10.0.3.2", true)
		return nil
	}})
}

// A report prints one row per check.
func ExampleReport() {
	r := sim.NewReport("lab2", "VLAN isolation")
	r.Equal("instance_001", "Port vif0.0", "tag", "10", "10")
	r.Add(sim.Check{From: "vm1", To: "vm2 10.0.3.2", What: "ping", Expected: sim.NoReply, Observed: sim.NoReply, Pass: true})
	_, _ = r.WriteTo(os.Stdout)
	// Output:
	// == lab2: VLAN isolation
	//       FROM          TO            CHECK  EXPECTED  OBSERVED
	//   ok  instance_001  Port vif0.0   tag    10        10
	//   ok  vm1           vm2 10.0.3.2  ping   no reply  no reply
	//    2 checks, 0 failed, 0.0s
}
