package vlan_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vlan"
	"github.com/ovskit/ovskit/vswitchdb"
)

// The tutorial's lab 2 VLAN steps: tag two guests' ports, then clear one.
func Example() {
	ctx := context.Background()
	// A private ovsdb-server for the example; a program dials the
	// switch's own: ovsdb.Dial(ctx, ovsdb.DefaultEndpoint, ovsdb.WithDatabase(vswitchdb.Database())).
	srv, err := ovstest.Start(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c := srv.Client
	if _, err := c.Transact(ctx, bridge.Add("br-in"), port.Add("br-in", "vif0.0"), port.Add("br-in", "vif1.0")); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Transact(ctx, vlan.SetTag("vif0.0", 10), vlan.SetTag("vif1.0", 11)); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Transact(ctx, vlan.RemoveTag("vif0.0", 10)); err != nil {
		log.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		for _, name := range []string{"vif0.0", "vif1.0"} {
			p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", name)
			if err != nil {
				return err
			}
			if p.Tag == nil {
				fmt.Println(name, "untagged")
			} else {
				fmt.Println(name, "tag", *p.Tag)
			}
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// vif0.0 untagged
	// vif1.0 tag 11
}

func ExampleCheck() {
	fmt.Println(vlan.Check(4095))
	fmt.Println(vlan.Check(4096))
	// Output:
	// <nil>
	// vlan 4096: must be between 0 and 4095: invalid argument
}
