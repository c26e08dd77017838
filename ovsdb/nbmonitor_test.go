package ovsdb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestConditionalMonitor: a client that monitors one table, two of its
// columns and the rows of one switch holds only those: others are not
// sent (fewer bytes), unmonitored tables and columns are refused, and the
// rows it keeps follow the database.
func TestConditionalMonitor(t *testing.T) {
	t.Parallel()
	c := ovstest.NewCentral(t, ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	full, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	// Ports live in a switch (an unreferenced port is garbage-collected).
	_, err = full.Do(ctx, func(tx *ovsdb.Tx) error {
		var ports []string
		for i := range 1000 {
			u, err := tx.Insert(&nbdb.LogicalSwitchPort{Name: fmt.Sprintf("p%d", i), Addresses: []string{"unknown"},
				ExternalIDs: map[string]string{"owner": fmt.Sprint(i % 10)}})
			if err != nil {
				return err
			}
			ports = append(ports, u)
		}
		_, err := tx.Insert(&nbdb.LogicalSwitch{Name: "ls0", Ports: ports})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()), ovsdb.WithMonitor(ovsdb.Monitor{
		Table:   nbdb.TableLogicalSwitchPort,
		Columns: []string{"name", "addresses"},
		Where:   []ovsdb.Condition{{Column: "external_ids", Function: "includes", Value: []any{"map", []any{[]any{"owner", "3"}}}}},
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Close()
	if err := full.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("initial download: %d bytes for everything, %d for the agent's part", full.Stats().Received, agent.Stats().Received)
	if agent.Stats().Received*3 > full.Stats().Received {
		t.Errorf("the agent received %d bytes, the full client %d: want far less", agent.Stats().Received, full.Stats().Received)
	}
	err = agent.View(ctx, func(tx *ovsdb.Tx) error {
		ports, err := ovsdb.List[nbdb.LogicalSwitchPort](tx)
		if err != nil {
			return err
		}
		if len(ports) != 100 {
			t.Errorf("%d ports cached, want the 100 of owner 3", len(ports))
		}
		for _, p := range ports {
			if p.ExternalIDs != nil {
				t.Errorf("%s: external_ids %v cached, though not monitored", p.Name, p.ExternalIDs)
			}
		}
		if _, err := ovsdb.List[nbdb.LogicalSwitch](tx); !errors.Is(err, ovsdb.ErrNotMonitored) {
			t.Errorf("List of an unmonitored table: %v, want ErrNotMonitored", err)
		}
		if err := tx.Verify(ports[0], "type"); !errors.Is(err, ovsdb.ErrNotMonitored) {
			t.Errorf("Verify of an unmonitored column: %v, want ErrNotMonitored", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A write through the agent to a row it holds: read, verified, seen.
	_, err = agent.Do(ctx, func(tx *ovsdb.Tx) error {
		p, err := ovsdb.Lookup[nbdb.LogicalSwitchPort](tx, "name", "p3")
		if err != nil {
			return err
		}
		if err := tx.Verify(p, "addresses"); err != nil {
			return err
		}
		p.Addresses = []string{"52:54:00:00:00:03 10.0.0.3"}
		return tx.Update(p, "addresses")
	})
	if err != nil {
		t.Fatal(err)
	}
	// A new row of owner 3, written by another client, reaches the agent.
	if _, err := full.Do(ctx, func(tx *ovsdb.Tx) error {
		ls, err := ovsdb.Lookup[nbdb.LogicalSwitch](tx, "name", "ls0")
		if err != nil {
			return err
		}
		u, err := tx.Insert(&nbdb.LogicalSwitchPort{Name: "new", ExternalIDs: map[string]string{"owner": "3"}})
		if err != nil {
			return err
		}
		return tx.Mutate(ls, ovsdb.Mutation{Column: "ports", Mutator: ovsdb.MutateInsert, Value: []string{u}})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ovsdb.WaitUntil(ctx, agent, func(p *nbdb.LogicalSwitchPort) bool { return p.Name == "new" }); err != nil {
		t.Fatal(err)
	}
}
