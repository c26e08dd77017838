package port_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vlan"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Attach a guest's host-side interface to a bridge as an access port of
// VLAN 10 (the tutorial's if-up script plus "set port vif0.0 tag=10"), in
// one transaction that waits for ovs-vswitchd and reports the ofport.
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
	if _, err := c.Transact(ctx, bridge.Add("br-in", bridge.DatapathType("netdev"))); err != nil {
		log.Fatal(err)
	}
	// (qemu makes vif0.0 a tap device; here it is an internal port.)
	res, err := c.Transact(ctx, port.Add("br-in", "vif0.0", port.MayExist(), vlan.Tag(10),
		port.WithIface(iface.Type(iface.Internal), iface.ExternalID("attached-mac", "52:54:00:00:00:01"))))
	if err != nil {
		log.Fatal(err) // an *vswitchdb.InterfaceError if vswitchd could not add it
	}
	for _, st := range vswitchdb.ReportOf(res).Interfaces {
		fmt.Printf("%s: ofport %d\n", st.Name, st.Ofport)
	}
	// Output: vif0.0: ofport 1
}

// A bond of two interfaces with LACP.
func ExampleAddBond() {
	ctx := context.Background()
	// A private ovsdb-server for the example; a program dials the
	// switch's own: ovsdb.Dial(ctx, ovsdb.DefaultEndpoint, ovsdb.WithDatabase(vswitchdb.Database())).
	srv, err := ovstest.Start(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c := srv.Client
	if _, err := c.Transact(ctx, bridge.Add("br0")); err != nil {
		log.Fatal(err)
	}
	_, err = c.Transact(ctx, port.AddBond("br0", "bond0", []string{"eth1", "eth2"},
		port.BondMode(vswitchdb.PortBondModeBalanceTCP), port.LACP(vswitchdb.PortLACPActive)))
	if err != nil {
		log.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		p, err := port.Get(tx, "bond0")
		if err == nil {
			fmt.Println(p.Name, len(p.Interfaces), "interfaces,", *p.BondMode, *p.LACP)
		}
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output: bond0 2 interfaces, balance-tcp active
}
