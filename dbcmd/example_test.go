package dbcmd_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/dbcmd"
	"github.com/ovskit/ovskit/ovsdb"
)

// ovs-vsctl's generic commands, in its syntax: create a QoS row and point
// a port at it in one transaction, then list ports by a condition.
func Example() {
	ctx := context.Background()
	c, err := ovsdb.Dial(ctx, ovsdb.DefaultEndpoint)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	res, err := c.Transact(ctx,
		dbcmd.Create("QoS", []string{"type=linux-htb", "other_config:max-rate=1000000"}, dbcmd.ID("@q")),
		dbcmd.Set("Port", "vif0.0", []string{"qos=@q"}),
		dbcmd.CheckIDs())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("QoS row:", res.UUID("q"))
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
}
