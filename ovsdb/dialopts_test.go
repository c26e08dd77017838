package ovsdb_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestWithoutShuffle: given several endpoints, a client that must not
// shuffle them connects to the first every time; one that may, spreads.
func TestWithoutShuffle(t *testing.T) {
	t.Parallel()
	a, b := ovstest.NewServer(t, ovstest.WithoutClient()), ovstest.NewServer(t, ovstest.WithoutClient())
	ctx := testCtx(t, 30*time.Second)
	both := a.Endpoint + "," + b.Endpoint
	firsts := map[string]int{}
	for range 12 {
		for _, shuffle := range []bool{false, true} {
			var opts []ovsdb.Option
			if !shuffle {
				opts = append(opts, ovsdb.WithoutShuffle())
			}
			c, err := ovsdb.Dial(ctx, both, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if !shuffle && c.Endpoint() != a.Endpoint {
				t.Errorf("WithoutShuffle: connected to %s, not the first endpoint %s", c.Endpoint(), a.Endpoint)
			}
			if shuffle {
				firsts[c.Endpoint()]++
			}
			c.Close()
		}
	}
	if len(firsts) != 2 {
		t.Errorf("12 shuffled dials all went to one endpoint: %v", firsts)
	}
}

// TestMonitorColumns: a monitor's columns must exist and may not be
// _uuid, which every row has anyway.
func TestMonitorColumns(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithoutClient())
	ctx := testCtx(t, 10*time.Second)
	for _, tt := range []struct {
		cols []string
		ok   bool
	}{
		{[]string{"name", "ports"}, true},
		{[]string{"_uuid"}, false},
		{[]string{"name", "nosuch"}, false},
	} {
		c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithMonitor(ovsdb.Monitor{Table: "Bridge", Columns: tt.cols}))
		if tt.ok && err != nil {
			t.Errorf("columns %v: %v", tt.cols, err)
		}
		if !tt.ok && !errors.Is(err, ovsdb.ErrUnknownColumn) {
			t.Errorf("columns %v: %v, want ErrUnknownColumn", tt.cols, err)
		}
		if c != nil {
			c.Close()
		}
	}
}

// TestMonitorKeepsOpenVSwitch: a client that monitors only bridges still
// waits for ovs-vswitchd: it monitors Open_vSwitch's configuration
// counters whether asked or not.
func TestMonitorKeepsOpenVSwitch(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithVSwitchd())
	ctx := testCtx(t, 30*time.Second)
	if _, err := s.Client.Transact(ctx, bridge.Add("br-mon", bridge.DatapathType("netdev"))); err != nil {
		t.Fatal(err)
	}
	c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithMonitor(ovsdb.Monitor{Table: "Bridge"}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := c.Transact(ctx, ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		br, err := ovsdb.Lookup[ovsdb.Bridge](tx, "name", "br-mon")
		if err != nil {
			return err
		}
		br.ExternalIDs = map[string]string{"k": "v"}
		return tx.Update(br, "external_ids")
	}))
	if err != nil {
		t.Fatalf("a transaction waiting for ovs-vswitchd: %v", err)
	}
	if res.NextCfg == 0 {
		t.Error("the transaction did not wait for ovs-vswitchd (no next_cfg)")
	}
}
