package ovsdb_test

import (
	"context"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestRelay: a client of Southbound relays (in front of a 3-member
// cluster) reads and monitors through a relay and writes through it (the
// relay passes transactions on to the cluster's leader): its own writes
// are in its cache when Do returns, another client's (on the cluster)
// arrive, a conditional view changes, and when its relay dies it goes on
// through the other.
func TestRelay(t *testing.T) {
	ovstest.RequireTools(t, "ovn-sbctl")
	central := ovstest.NewCentral(t, ovstest.Members(3), ovstest.WithoutNorthd(), ovstest.WithSBRelays(2))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	direct, err := ovsdb.Dial(ctx, central.SBEndpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	c, err := ovsdb.Dial(ctx, strings.Join(central.SBRelayEndpoints, ","), ovsdb.WithDatabase(sbdb.Database()),
		ovsdb.WithoutShuffle(), ovsdb.WithBackoff(20*time.Millisecond, 200*time.Millisecond),
		ovsdb.WithMonitor(ovsdb.Monitor{Table: "Datapath_Binding", Where: []ovsdb.Condition{{Column: "tunnel_key", Function: "<", Value: 100}}}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	keys := func() []int { return tunnelKeys(t, ctx, c) }
	waitKeys := func(want ...int) { t.Helper(); waitTunnelKeys(t, ctx, c, want...) }
	insert := func(cl *ovsdb.Client, key int) {
		t.Helper()
		if _, err := cl.Do(ctx, func(tx *ovsdb.Tx) error {
			_, err := tx.Insert(&sbdb.DatapathBinding{TunnelKey: key})
			return err
		}); err != nil {
			t.Fatalf("insert %d: %v", key, err)
		}
	}
	// A write through the relay is in the cache when Do returns.
	insert(c, 1)
	if got := keys(); !slices.Equal(got, []int{1}) {
		t.Fatalf("after its own write: %v", got)
	}
	// Another client's write, on the cluster, arrives; one outside the
	// view does not come.
	insert(direct, 2)
	insert(direct, 200)
	waitKeys(1, 2)
	if err := c.SetWhere(ctx, "Datapath_Binding", []ovsdb.Condition{{Column: "tunnel_key", Function: ">", Value: 100}}); err != nil {
		t.Fatal(err)
	}
	waitKeys(200)
	// The relay it uses dies: it goes on through the other.
	if err := syscall.Kill(central.RelayPID(0), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// (A write sent on the dead connection would be ErrOutcomeUnknown:
	// the client cannot know the relay was gone. Once it has reconnected,
	// writes go through the other relay.)
	deadline := time.Now().Add(15 * time.Second)
	for c.Stats().Reconnects == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	insert(c, 300)
	waitKeys(200, 300)
	insert(direct, 400)
	waitKeys(200, 300, 400)
}
