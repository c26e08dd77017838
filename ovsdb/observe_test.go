package ovsdb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// TestObserver: the observer hears each transaction, as it went: a
// commit (operations and bytes sent), a read, a re-run after another
// client's commit, bad input; CacheStats counts the rows of each
// monitored table as the cache moves.
func TestObserver(t *testing.T) {
	srv := sbServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var mu sync.Mutex
	var seen []ovsdb.TxInfo
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()),
		ovsdb.WithMonitor(ovsdb.Monitor{Table: "Datapath_Binding"}, ovsdb.Monitor{Table: "SB_Global"}),
		ovsdb.WithObserver(func(i ovsdb.TxInfo) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, i)
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	other, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if st := c.CacheStats(); len(st.Rows) != 2 || st.Rows["Datapath_Binding"] != 0 {
		t.Fatalf("CacheStats before: %+v", st)
	}
	// A commit.
	if _, err := c.Do(ctx, func(tx *ovsdb.Tx) error {
		for i := range 3 {
			if _, err := tx.Insert(&sbdb.DatapathBinding{TunnelKey: i + 1}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A read.
	if err := c.View(ctx, func(tx *ovsdb.Tx) error { _, err := ovsdb.List[sbdb.DatapathBinding](tx); return err }); err != nil {
		t.Fatal(err)
	}
	// A re-run: another client changes the row between the read and the
	// commit.
	runs := 0
	if _, err := c.Do(ctx, func(tx *ovsdb.Tx) error {
		runs++
		dps, err := ovsdb.List[sbdb.DatapathBinding](tx)
		if err != nil {
			return err
		}
		if runs == 1 {
			if _, err := other.Do(ctx, func(tx *ovsdb.Tx) error {
				dp, err := ovsdb.Get[sbdb.DatapathBinding](tx, dps[0].UUID)
				if err != nil {
					return err
				}
				dp.ExternalIDs = map[string]string{"theirs": "1"}
				return tx.Update(dp, "external_ids")
			}); err != nil {
				return err
			}
		}
		dps[0].ExternalIDs = map[string]string{"n": fmt.Sprint(len(dps))}
		return tx.Update(dps[0], "external_ids")
	}); err != nil {
		t.Fatal(err)
	}
	// Bad input.
	if _, err := c.Do(ctx, func(tx *ovsdb.Tx) error {
		_, err := tx.Insert(&sbdb.DatapathBinding{TunnelKey: 5, ExternalIDs: map[string]string{"a": "b\x00"}})
		return err
	}); !errors.Is(err, ovsdb.ErrInvalid) {
		t.Fatalf("bad input: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 4 {
		t.Fatalf("observed %d transactions, want 4: %+v", len(seen), seen)
	}
	for i, want := range []struct {
		readOnly bool
		runs     int
		sent     bool
		err      error
	}{{false, 1, true, nil}, {true, 1, false, nil}, {false, 2, true, nil}, {false, 1, false, ovsdb.ErrInvalid}} {
		got := seen[i]
		if got.ReadOnly != want.readOnly || got.Runs != want.runs || (got.Sent > 0) != want.sent || (got.Ops > 0) != want.sent ||
			!errors.Is(got.Err, want.err) || (want.err == nil) != (got.Err == nil) || got.Duration <= 0 || got.Start.IsZero() {
			t.Errorf("transaction %d: %+v, want %+v", i, got, want)
		}
	}
	if st := c.CacheStats(); st.Rows["Datapath_Binding"] != 3 || st.Version < 3 {
		t.Errorf("CacheStats after: %+v, want 3 datapaths", st)
	}
}
