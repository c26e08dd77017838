package ovsdb_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strconv"
	"sync"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Add a port with a VLAN tag to an existing bridge, atomically, and wait for
// ovs-vswitchd to set it up.
func ExampleClient_Do() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A private ovsdb-server and ovs-vswitchd for the example (root); a
	// program dials the switch's own: ovsdb.Dial(ctx, ovsdb.DefaultEndpoint, ovsdb.WithDatabase(vswitchdb.Database())).
	srv, err := ovstest.Start(ctx, ovstest.WithVSwitchd())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c := srv.Client
	if _, err := c.Transact(ctx, bridge.Add("br-in", bridge.DatapathType("netdev"))); err != nil {
		log.Fatal(err)
	}
	res, err := c.Do(ctx, func(tx *ovsdb.Tx) error {
		br, err := ovsdb.Lookup[vswitchdb.Bridge](tx, "name", "br-in")
		if err != nil {
			return err
		}
		iface := &vswitchdb.Interface{Name: "vif0.0", Type: "internal"}
		if _, err := tx.Insert(iface); err != nil {
			return err
		}
		tag := 10
		port := &vswitchdb.Port{Name: "vif0.0", Interfaces: []string{iface.UUID}, Tag: &tag}
		if _, err := tx.Insert(port); err != nil {
			return err
		}
		return tx.Mutate(br, ovsdb.Insert("ports", []string{port.UUID}))
	})
	var ie *vswitchdb.InterfaceError
	if errors.As(err, &ie) {
		log.Fatalf("committed, but %s failed: %s", ie.Name, ie.Cause)
	}
	if err != nil {
		log.Fatal(err)
	}
	for _, i := range vswitchdb.ReportOf(res).Interfaces {
		fmt.Println(i.Name, "ofport", i.Ofport)
	}
	// Output: vif0.0 ofport 1
}

// Wait until an interface has an ofport (ovs-vsctl wait-until).
func ExampleWaitUntil() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := ovstest.Start(ctx, ovstest.WithVSwitchd())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c := srv.Client
	// Added without waiting for ovs-vswitchd: then wait for the ofport.
	_, err = c.Transact(ctx, ovsdb.NoWait(), bridge.Add("br-in", bridge.DatapathType("netdev")),
		port.Add("br-in", "vif0.0", port.WithIface(iface.Type(iface.Internal))))
	if err != nil {
		log.Fatal(err)
	}
	i, err := ovsdb.WaitUntil(ctx, c, func(i *vswitchdb.Interface) bool {
		return i.Name == "vif0.0" && i.Ofport != nil && *i.Ofport > 0
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*i.Ofport)
	// Output: 1
}

// The wire form of an operation (what a dry run returns).
func ExampleOperation() {
	op := ovsdb.Operation{Op: "mutate", Table: vswitchdb.TableOpenVSwitch,
		Mutations: []ovsdb.Mutation{ovsdb.Add("next_cfg", 1)}}
	fmt.Println(op)
	// Output: {"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",1]]}
}

// Count, from several clients at once, in a port's external_ids: a
// read-modify-write with Update, whose commit verifies the value it
// overwrites, so that no increment is lost (a concurrent one makes Do run
// fn again on the new value).
func ExampleTx_Update() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := ovstest.Start(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.Client.Transact(ctx, ovsdb.NoWait(), bridge.Add("br0"), port.Add("br0", "p0")); err != nil {
		log.Fatal(err)
	}
	increment := func(c *ovsdb.Client) error {
		_, err := c.Do(ctx, func(tx *ovsdb.Tx) error {
			tx.NoWait()
			p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p0")
			if err != nil {
				return err
			}
			n, _ := strconv.Atoi(p.ExternalIDs["n"])
			p.ExternalIDs = map[string]string{"n": strconv.Itoa(n + 1)}
			return tx.Update(p, "external_ids") // tx.Overwrite would let one increment undo another
		})
		return err
	}
	var wg sync.WaitGroup
	for range 4 {
		c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
		if err != nil {
			log.Fatal(err)
		}
		defer c.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if err := increment(c); err != nil {
					log.Print(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := srv.Client.Sync(ctx); err != nil {
		log.Fatal(err)
	}
	_ = srv.Client.View(ctx, func(tx *ovsdb.Tx) error {
		p, err := port.Get(tx, "p0")
		if err == nil {
			fmt.Println("n =", p.ExternalIDs["n"])
		}
		return err
	})
	// Output: n = 40
}
