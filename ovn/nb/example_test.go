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
