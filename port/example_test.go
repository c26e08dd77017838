package port_test

import (
	"context"
	"log"

	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vlan"
)

// Attach a guest's host-side interface to a bridge as an access port of
// VLAN 10 (the tutorial's if-up script plus "set port vif0.0 tag=10"), in
// one transaction that waits for ovs-vswitchd and reports the ofport.
func Example() {
	ctx := context.Background()
	c, err := ovsdb.Dial(ctx, ovsdb.DefaultEndpoint)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	res, err := c.Transact(ctx, port.Add("br-in", "vif0.0", port.MayExist(), vlan.Tag(10),
		port.WithIface(iface.ExternalID("attached-mac", "52:54:00:00:00:01"))))
	if err != nil {
		log.Fatal(err) // an *ovsdb.InterfaceError if vswitchd could not add it
	}
	for _, st := range res.Interfaces {
		log.Printf("%s: ofport %d", st.Name, st.Ofport)
	}
}

// A bond of two interfaces with LACP.
func ExampleAddBond() {
	ctx := context.Background()
	c, err := ovsdb.Dial(ctx, ovsdb.DefaultEndpoint)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	_, err = c.Transact(ctx, port.AddBond("br0", "bond0", []string{"eth1", "eth2"},
		port.BondMode(ovsdb.PortBondModeBalanceTCP), port.LACP(ovsdb.PortLACPActive)))
	if err != nil {
		log.Fatal(err)
	}
}
