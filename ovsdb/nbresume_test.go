package ovsdb_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
)

// TestResumeAfterReconnect: a client of a clustered Northbound database of
// 10,000 logical ports that loses its server reconnects with
// monitor_cond_since and receives only what changed, a small fraction of
// the full download, and its cache is the database.
func TestResumeAfterReconnect(t *testing.T) {
	t.Parallel()
	c := ovstest.NewCentral(t, ovstest.Members(3), ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const ports = 10000
	writer, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	for batch := 0; batch < ports; batch += 1000 {
		_, err := writer.Do(ctx, func(tx *ovsdb.Tx) error {
			var names []string
			for i := batch; i < batch+1000; i++ {
				u, err := tx.Insert(&nbdb.LogicalSwitchPort{Name: fmt.Sprintf("p%05d", i), Addresses: []string{fmt.Sprintf("52:54:00:%02x:%02x:%02x 10.%d.%d.%d", i>>16&255, i>>8&255, i&255, i>>16&255, i>>8&255, i&255)}})
				if err != nil {
					return err
				}
				names = append(names, u)
			}
			_, err := tx.Insert(&nbdb.LogicalSwitch{Name: fmt.Sprintf("ls%d", batch/1000), Ports: names})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	cl, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()), ovsdb.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var full uint64
	// More transactions than the server keeps in its history: the client
	// must resume from the last one it saw, not from its first download.
	for i := range 150 {
		_, err := writer.Do(ctx, func(tx *ovsdb.Tx) error {
			p, err := ovsdb.Lookup[nbdb.LogicalSwitchPort](tx, "name", "p00007")
			if err != nil {
				return err
			}
			p.ExternalIDs = map[string]string{"n": strconv.Itoa(i)}
			return tx.Update(p, "external_ids")
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ovsdb.WaitUntil(ctx, cl, func(p *nbdb.LogicalSwitchPort) bool {
		return p.Name == "p00007" && p.ExternalIDs["n"] == "149"
	}); err != nil {
		t.Fatal(err)
	}
	full = cl.Stats().Received
	if full < 1<<20 {
		t.Fatalf("the client counted %d bytes received, less than the download of 10,000 ports", full)
	}
	// A watcher, from before the reconnect, must hear of the one change
	// made while the client was away, and of nothing else.
	events, err := ovsdb.Watch[nbdb.LogicalSwitchPort](ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	// The server the client is on dies; meanwhile one port changes.
	leader, err := c.Leader(ctx, ovsproc.NB)
	if err != nil {
		t.Fatal(err)
	}
	c.KillMember(ovsproc.NB, leader)
	_, err = writer.Do(ctx, func(tx *ovsdb.Tx) error {
		p, err := ovsdb.Lookup[nbdb.LogicalSwitchPort](tx, "name", "p00042")
		if err != nil {
			return err
		}
		p.Addresses = []string{"dynamic"}
		return tx.Update(p, "addresses")
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ovsdb.WaitUntil(ctx, cl, func(p *nbdb.LogicalSwitchPort) bool {
		return p.Name == "p00042" && len(p.Addresses) == 1 && p.Addresses[0] == "dynamic"
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = got
	select {
	case ev := <-events:
		if ev.Kind != ovsdb.EventUpdate || ev.New.Name != "p00042" || ev.Old.Addresses[0] == "dynamic" {
			t.Errorf("the watcher heard %v of %s (%v → %v), want the update of p00042", ev.Kind, ev.New.Name, ev.Old.Addresses, ev.New.Addresses)
		}
	case <-time.After(5 * time.Second):
		t.Error("the watcher heard nothing of the change made while away")
	}
	select {
	case ev := <-events:
		t.Errorf("the watcher heard more: %v of %+v", ev.Kind, ev.New)
	case <-time.After(200 * time.Millisecond):
	}
	st := cl.Stats()
	again := st.Received - full
	t.Logf("full download %d bytes; after the reconnect %d bytes (%.2f%%); resumed %d, reconnects %d", full, again, 100*float64(again)/float64(full), st.Resumed, st.Reconnects)
	if st.Resumed != 1 {
		t.Errorf("resumed %d times, want 1", st.Resumed)
	}
	if again*20 > full {
		t.Errorf("the reconnect received %d bytes, more than 5%% of the full %d", again, full)
	}
	err = cl.View(ctx, func(tx *ovsdb.Tx) error {
		all, err := ovsdb.List[nbdb.LogicalSwitchPort](tx)
		if len(all) != ports {
			t.Errorf("%d ports in the resumed cache, want %d", len(all), ports)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.StartMember(ctx, ovsproc.NB, leader); err != nil {
		t.Fatal(err)
	}
}

// TestResumeFromDownload: a client whose connection drops before any
// update has come since its download resumes from the download's own
// position (the last transaction id of monitor_cond_since's reply), and
// its cache is unchanged. (Three members: a one-member cluster's
// ovsdb-server 3.1 did not resume here.)
func TestResumeFromDownload(t *testing.T) {
	t.Parallel()
	c := ovstest.NewCentral(t, ovstest.Members(3), ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	writer, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	for i := range 3 {
		if _, err := writer.Do(ctx, func(tx *ovsdb.Tx) error {
			_, err := tx.Insert(&nbdb.LogicalSwitch{Name: fmt.Sprintf("ls%d", i)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	cl, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()), ovsdb.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	// ovsdb-server drops every connection; nothing changes meanwhile.
	for m := range 3 {
		if _, err := appctl.Call(ctx, c.MemberCtl(ovsproc.NB, m), "ovsdb-server/reconnect"); err != nil {
			t.Fatal(err)
		}
	}
	// Reconnects counts a connection once its monitor is in place (and
	// Resumed counted).
	for cl.Stats().Reconnects == 0 {
		select {
		case <-ctx.Done():
			t.Fatalf("the client did not reconnect: %+v", cl.Stats())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if st := cl.Stats(); st.Resumed != 1 {
		t.Errorf("resumed %d times after %d reconnects, want 1", st.Resumed, st.Reconnects)
	}
	err = cl.View(ctx, func(tx *ovsdb.Tx) error {
		all, err := ovsdb.List[nbdb.LogicalSwitch](tx)
		if len(all) != 3 {
			t.Errorf("%d switches in the resumed cache, want 3", len(all))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
