package iface_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Join two bridges with a patch port pair, created on both in one
// transaction, and read one end's state.
func Example() {
	ctx := context.Background()
	// A private ovsdb-server and ovs-vswitchd for the example (root: the
	// switch runs in a namespace of its own); a program dials the
	// switch's own: ovsdb.Dial(ctx, ovsdb.DefaultEndpoint, ovsdb.WithDatabase(vswitchdb.Database())).
	srv, err := ovstest.Start(ctx, ovstest.WithVSwitchd())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c := srv.Client
	if _, err := c.Transact(ctx, bridge.Add("br-in", bridge.DatapathType("netdev")), bridge.Add("br1-in", bridge.DatapathType("netdev"))); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Transact(ctx, iface.PatchPair("br-in", "patch-br1", "br1-in", "patch-br0")); err != nil {
		log.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		st, err := iface.StatusOf(tx, "patch-br1")
		if err != nil {
			return err
		}
		fmt.Println(st.Type, st.Ofport)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output: patch 1
}

// Options apply to a row before it is written; bad input is refused.
func ExampleMTURequest() {
	var row vswitchdb.Interface
	err := iface.Apply(&row, iface.Type(iface.Internal), iface.MTURequest(1400))
	fmt.Println(row.Type, *row.MTURequest, err)
	err = iface.Apply(&row, iface.MTURequest(0))
	fmt.Println(err)
	// Output:
	// internal 1400 <nil>
	// mtu 0: want 1 to 65535: invalid argument
}
