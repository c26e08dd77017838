package appctl_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/appctl"
)

// ovs-appctl -t ovs-vswitchd version, natively.
func ExampleCall() {
	ctx := context.Background()
	out, err := appctl.Call(ctx, "/var/run/openvswitch/ovs-vswitchd.ctl", "version")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(out)
}
