package bridge_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// Add a userspace bridge with a controller, then read it back.
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
	_, err = c.Transact(ctx,
		bridge.Add("br-in", bridge.MayExist(), bridge.DatapathType("netdev")),
		bridge.SetController("br-in", []string{"tcp:192.0.2.1:6653"}))
	if err != nil {
		log.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		b, err := bridge.Get(tx, "br-in")
		if err != nil {
			return err
		}
		fmt.Println(b.Name, b.DatapathType, b.Controllers)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output: br-in netdev [tcp:192.0.2.1:6653]
}

// A Switch prints like ovs-vsctl show.
func ExampleSwitch_String() {
	tag := 10
	sw := &bridge.Switch{
		UUID: "5b4f6e1c-0000-4000-8000-000000000001",
		Bridges: []bridge.ShowBridge{{
			Name: "br-in",
			Ports: []bridge.ShowPort{
				{Name: "br-in", Interfaces: []bridge.ShowInterface{{Name: "br-in", Type: "internal"}}},
				{Name: "vif0.0", Tag: &tag, Interfaces: []bridge.ShowInterface{{Name: "vif0.0"}}},
			},
		}},
		OVSVersion: "3.1.0",
	}
	fmt.Print(sw)
	// Output:
	// 5b4f6e1c-0000-4000-8000-000000000001
	//     Bridge br-in
	//         Port br-in
	//             Interface br-in
	//                 type: internal
	//         Port vif0.0
	//             tag: 10
	//             Interface vif0.0
	//     ovs_version: "3.1.0"
}
