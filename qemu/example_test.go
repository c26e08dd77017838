package qemu_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/qemu"
)

// A VM in a namespace, attached to a bridge by the tutorial's if-up
// script, pinging a neighbour from inside. (Root, qemu and an Open vSwitch
// in the namespace are needed, so this example is not run.)
func Example() {
	ctx := context.Background()
	img, err := qemu.BuildImage(ctx, qemu.ImageConfig{})
	if err != nil {
		log.Fatal(err)
	}
	host, err := netns.Open("ovskit-instance_001")
	if err != nil {
		log.Fatal(err)
	}
	defer host.Close()
	vm, err := qemu.Start(ctx, qemu.Config{
		Name: "vm1", Dir: "/run/my-hypervisor", NS: host, Image: img,
		MAC: "52:54:00:00:00:01", Tap: "vif0.0",
		IfUp: "/run/my-hypervisor/if-up", IfDown: "/run/my-hypervisor/if-down",
		Addr: "10.0.3.1/24",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer vm.Stop(ctx)
	ok, err := vm.Ping(ctx, "10.0.3.2")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("vm1 booted in %v; vm2 answers: %v\n", vm.BootTime(), ok)
}
