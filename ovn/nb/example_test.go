package nb_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
)

// A switch with a port and a load balancer on it, in one transaction, as
// `ovn-nbctl ls-add ls0 -- lsp-add ls0 vm1 -- lb-add web ... -- ls-lb-add
// ls0 web` would make them.
func Example() {
	ctx := context.Background()
	// A private Northbound database for the example; a program dials
	// the central's: ovsdb.Dial(ctx, "unix:/var/run/ovn/ovnnb_db.sock",
	// ovsdb.WithDatabase(nbdb.Database())).
	srv, err := ovstest.Start(ctx, ovstest.WithSchema(ovsproc.DefaultNBSchema), ovstest.WithoutInit(), ovstest.WithoutClient())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(nbdb.Database()))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	web := nb.LoadBalancer{Name: "web", VIP: "10.0.0.10:80", Backends: []string{"10.0.0.11:8080", "10.0.0.12:8080"}}
	_, err = c.Transact(ctx,
		nb.AddSwitch("ls0"),
		nb.AddSwitchPort("ls0", "vm1"),
		nb.SetAddresses("vm1", "52:54:00:00:00:01 10.0.0.11"),
		nb.AddLoadBalancer(web),
		nb.AddSwitchLoadBalancer("ls0", "web"))
	if err != nil {
		log.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		lbs, err := nb.SwitchLoadBalancers(tx, "ls0")
		for _, lb := range lbs {
			fmt.Println(lb.Name, *lb.Protocol, lb.Vips)
		}
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// web tcp map[10.0.0.10:80:10.0.0.11:8080,10.0.0.12:8080]
}

// DHCP options created and given to a port in one transaction, as
// `ovn-nbctl dhcp-options-create` and `lsp-set-dhcpv4-options` would in
// two.
func ExampleCreateDHCPOptions() {
	ctx := context.Background()
	srv, err := ovstest.Start(ctx, ovstest.WithSchema(ovsproc.DefaultNBSchema), ovstest.WithoutInit(), ovstest.WithoutClient())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(nbdb.Database()))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	dhcp := nb.CreateDHCPOptions("10.0.0.0/24", nil)
	res, err := c.Transact(ctx,
		nb.AddSwitch("ls0"),
		nb.AddSwitchPort("ls0", "vm1"),
		dhcp,
		nb.SetDHCPOptions(dhcp.Ref(), map[string]string{"lease_time": "3600", "router": "10.0.0.1",
			"server_id": "10.0.0.1", "server_mac": "c0:ff:ee:00:00:01"}),
		nb.SetPortDHCPv4Options("vm1", dhcp.Ref()))
	if err != nil {
		log.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		it, _, err := nb.PortDHCPv4Options(tx, "vm1")
		fmt.Println(it.Name, it.UUID == dhcp.UUID(res))
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// 10.0.0.0/24 true
}

// A QoS rule that marks a switch's TCP traffic and one that polices its
// UDP traffic, listed in ovn-nbctl's order.
func ExampleAddQoS() {
	ctx := context.Background()
	srv, err := ovstest.Start(ctx, ovstest.WithSchema(ovsproc.DefaultNBSchema), ovstest.WithoutInit(), ovstest.WithoutClient())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(nbdb.Database()))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	af41 := 34
	_, err = c.Transact(ctx,
		nb.AddSwitch("ls0"),
		nb.AddQoS("ls0", nb.QoS{Direction: "to-lport", Priority: 300, Match: "tcp", DSCP: &af41}),
		nb.AddQoS("ls0", nb.QoS{Direction: "from-lport", Priority: 500, Match: "udp", Rate: 1000, Burst: 100}))
	if err != nil {
		log.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		rules, err := nb.QoSRules(tx, "ls0")
		for _, r := range rules {
			fmt.Println(r.Direction, r.Priority, r.Match, r.Bandwidth, r.Action)
		}
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// from-lport 500 udp map[burst:100 rate:1000] map[]
	// to-lport 300 tcp map[] map[dscp:34]
}
