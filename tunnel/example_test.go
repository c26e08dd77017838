package tunnel_test

import (
	"context"
	"fmt"
	"log"
	"maps"
	"slices"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/tunnel"
)

// Lab 4's tunnel: gre1 on ovs-br1 towards the other host.
func Example() {
	ctx := context.Background()
	c, err := ovsdb.Dial(ctx, ovsdb.DefaultEndpoint)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Transact(ctx, tunnel.Add("ovs-br1", "gre1", tunnel.GRE, tunnel.Options{RemoteIP: "192.168.100.11"})); err != nil {
		log.Fatal(err)
	}
}

func ExampleOptions_Map() {
	m, err := tunnel.Options{RemoteIP: "192.0.2.10", Key: tunnel.Flow, DstPort: 4790}.Map(tunnel.VXLAN)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Printf("%s=%s\n", k, m[k])
	}
	fmt.Println(err)
	_, err = tunnel.Options{RemoteIP: "192.0.2.300"}.Map(tunnel.GRE)
	fmt.Println(err)
	// Output:
	// dst_port=4790
	// key=flow
	// remote_ip=192.0.2.10
	// <nil>
	// remote_ip "192.0.2.300": want an IP address or "flow": invalid argument
}
