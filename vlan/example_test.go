package vlan_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vlan"
)

// The tutorial's lab 2 VLAN steps: tag two guests' ports, then clear one.
func Example() {
	ctx := context.Background()
	c, err := ovsdb.Dial(ctx, ovsdb.DefaultEndpoint)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Transact(ctx, vlan.SetTag("vif0.0", 10), vlan.SetTag("vif1.0", 11)); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Transact(ctx, vlan.RemoveTag("vif0.0", 10)); err != nil {
		log.Fatal(err)
	}
}

func ExampleCheck() {
	fmt.Println(vlan.Check(4095))
	fmt.Println(vlan.Check(4096))
	// Output:
	// <nil>
	// vlan 4096: must be between 0 and 4095: invalid argument
}
