package tunnel_test

import (
	"context"
	"fmt"
	"log"
	"maps"
	"net/netip"
	"slices"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/tunnel"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Lab 4's tunnel: gre1 on ovs-br1 towards the other host.
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
	if _, err := c.Transact(ctx, bridge.Add("ovs-br1")); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Transact(ctx, tunnel.Add("ovs-br1", "gre1", tunnel.GRE, tunnel.Options{RemoteIP: tunnel.IP(netip.MustParseAddr("192.168.100.11"))})); err != nil {
		log.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		i, err := ovsdb.Lookup[vswitchdb.Interface](tx, "name", "gre1")
		if err == nil {
			fmt.Println(i.Type, i.Options)
		}
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output: gre map[remote_ip:192.168.100.11]
}

func ExampleOptions_Map() {
	m, err := tunnel.Options{RemoteIP: tunnel.IP(netip.MustParseAddr("192.0.2.10")), Key: tunnel.FlowKey(), DstPort: 4790}.Map(tunnel.VXLAN)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Printf("%s=%s\n", k, m[k])
	}
	fmt.Println(err)
	_, err = tunnel.ParseEndpoint("192.0.2.300")
	fmt.Println(err)
	_, err = tunnel.Options{RemoteIP: tunnel.FlowIP(), Key: tunnel.KeyOf(1 << 24)}.Map(tunnel.VXLAN)
	fmt.Println(err)
	// Output:
	// dst_port=4790
	// key=flow
	// remote_ip=192.0.2.10
	// <nil>
	// tunnel endpoint "192.0.2.300": want an IP address or "flow": invalid argument
	// key 16777216: want a 24-bit number or FlowKey: invalid argument
}
