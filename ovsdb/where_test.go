package ovsdb_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// TestSetWhere: an agent's view of a table changes while it runs: the
// cache then holds the rows of the new conditions, without the table
// sent again (a few hundred bytes, not the table; the conditions ORed, as
// the server reads a monitor's); rows that come into the view arrive; a
// reconnect keeps the view; bad input and a table not monitored are
// refused.
func TestSetWhere(t *testing.T) {
	srv := sbServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
		for i := 1; i <= 200; i++ {
			if _, err := tx.Insert(&sbdb.DatapathBinding{TunnelKey: i, ExternalIDs: map[string]string{"pad": fmt.Sprintf("%0200d", i)}}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()), ovsdb.WithBackoff(20*time.Millisecond, 200*time.Millisecond),
		ovsdb.WithMonitor(ovsdb.Monitor{Table: "Datapath_Binding", Where: []ovsdb.Condition{{Column: "tunnel_key", Function: "<=", Value: 10}}}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	keys := func() []int { return tunnelKeys(t, ctx, c) }
	span := func(lo, hi int) []int {
		var out []int
		for i := lo; i <= hi; i++ {
			out = append(out, i)
		}
		return out
	}
	if got := keys(); !slices.Equal(got, span(1, 10)) {
		t.Fatalf("first view: %v", got)
	}
	before := c.Stats().Received
	if err := c.SetWhere(ctx, "Datapath_Binding", []ovsdb.Condition{{Column: "tunnel_key", Function: ">", Value: 195}, {Column: "tunnel_key", Function: "==", Value: 42}}); err != nil {
		t.Fatal(err)
	}
	// (A monitor's conditions are ORed.)
	if got := keys(); !slices.Equal(got, append([]int{42}, span(196, 200)...)) {
		t.Fatalf("after SetWhere: %v", got)
	}
	if got := c.Stats().Received - before; got > 6*300+1024 {
		t.Errorf("SetWhere received %d bytes: more than the 6 rows that came", got)
	}
	// Rows that come into the view arrive.
	if _, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
		if _, err := tx.Insert(&sbdb.DatapathBinding{TunnelKey: 300}); err != nil {
			return err
		}
		_, err := tx.Insert(&sbdb.DatapathBinding{TunnelKey: 1150})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	waitKeys := func(want []int) { t.Helper(); waitTunnelKeys(t, ctx, c, want...) }
	waitKeys(append(append([]int{42}, span(196, 200)...), 300, 1150))
	// A reconnect keeps the view.
	if err := srv.RestartDB(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for c.Stats().Reconnects == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	waitKeys(append(append([]int{42}, span(196, 200)...), 300, 1150))
	// Every row.
	if err := c.SetWhere(ctx, "Datapath_Binding", nil); err != nil {
		t.Fatal(err)
	}
	if got := keys(); len(got) != 202 {
		t.Fatalf("every row: %d rows, want 202", len(got))
	}
	// Bad input.
	if err := c.SetWhere(ctx, "Datapath_Binding", []ovsdb.Condition{{Column: "nosuch", Function: "==", Value: 1}}); !errors.Is(err, ovsdb.ErrInvalid) {
		t.Errorf("unknown column: %v", err)
	}
	if err := c.SetWhere(ctx, "Datapath_Binding", []ovsdb.Condition{{Column: "tunnel_key", Function: "~", Value: 1}}); !errors.Is(err, ovsdb.ErrInvalid) {
		t.Errorf("bad function: %v", err)
	}
	if err := c.SetWhere(ctx, "Port_Binding", nil); !errors.Is(err, ovsdb.ErrNotMonitored) {
		t.Errorf("a table not monitored: %v", err)
	}
}

// tunnelKeys are the tunnel keys of the datapaths in c's cache, sorted.
func tunnelKeys(t *testing.T, ctx context.Context, c *ovsdb.Client) []int {
	t.Helper()
	var out []int
	if err := c.View(ctx, func(tx *ovsdb.Tx) error {
		dps, err := ovsdb.List[sbdb.DatapathBinding](tx)
		for _, d := range dps {
			out = append(out, d.TunnelKey)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// waitTunnelKeys waits, 15 s at most, until c's cache has the datapaths
// of these tunnel keys and no others.
func waitTunnelKeys(t *testing.T, ctx context.Context, c *ovsdb.Client, want ...int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for got := tunnelKeys(t, ctx, c); !slices.Equal(got, want); got = tunnelKeys(t, ctx, c) {
		if time.Now().After(deadline) {
			t.Fatalf("tunnel keys %v, want %v", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
