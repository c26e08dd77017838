package iface_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
)

// Join two bridges with a patch port pair, created on both in one
// transaction, and read one end's state.
func Example() {
	ctx := context.Background()
	c, err := ovsdb.Dial(ctx, ovsdb.DefaultEndpoint)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
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
}

// Options apply to a row before it is written; bad input is refused.
func ExampleMTURequest() {
	var row ovsdb.Interface
	err := iface.Apply(&row, iface.Type(iface.Internal), iface.MTURequest(1400))
	fmt.Println(row.Type, *row.MTURequest, err)
	err = iface.Apply(&row, iface.MTURequest(0))
	fmt.Println(err)
	// Output:
	// internal 1400 <nil>
	// mtu 0: want 1 to 65535: invalid argument
}
