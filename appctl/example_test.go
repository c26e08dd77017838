package appctl_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// ovs-appctl -t ovs-vswitchd version, natively.
func ExampleCall() {
	ctx := context.Background()
	// A private ovs-vswitchd for the example (root); a program names the
	// switch's own: /var/run/openvswitch/ovs-vswitchd.PID.ctl.
	srv, err := ovstest.Start(ctx, ovstest.WithVSwitchd())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	out, err := appctl.Call(ctx, srv.VSwitchdCtl(), "version")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(out, "ovs-vswitchd (Open vSwitch) "))
	// Output: true
}
