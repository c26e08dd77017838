package dbcmd_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/dbcmd"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vlan"
)

// ovs-vsctl's generic commands, in its syntax: create a QoS row and point
// a port at it in one transaction, then list ports by a condition.
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
	if _, err := c.Transact(ctx, bridge.Add("br-in"), port.Add("br-in", "vif0.0", vlan.Tag(10)), port.Add("br-in", "vif1.0")); err != nil {
		log.Fatal(err)
	}
	res, err := c.Transact(ctx,
		dbcmd.Create("QoS", []string{"type=linux-htb", "other_config:max-rate=1000000"}, dbcmd.ID("@q")),
		dbcmd.Set("Port", "vif0.0", []string{"qos=@q"}),
		dbcmd.CheckIDs())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("QoS row created:", ovsdb.IsUUID(res.UUID("q")))
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		t, err := dbcmd.Find(tx, "Port", []string{"tag=10"}, []string{"name"})
		if err != nil {
			return err
		}
		fmt.Print(t)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// QoS row created: true
	// name                : vif0.0
}
