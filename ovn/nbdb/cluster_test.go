package nbdb_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
)

// leaderEndpoint is the endpoint of the Northbound leader.
func leaderEndpoint(t *testing.T, ctx context.Context, c *ovstest.Central) (int, string) {
	t.Helper()
	i, err := c.Leader(ctx, ovsproc.NB)
	if err != nil {
		t.Fatal(err)
	}
	return i, c.MemberEndpoint(ovsproc.NB, i)
}

// TestClusterFollowsLeader: on a 3-member Northbound cluster the client
// writes through the leader; when the leader is killed it finds the new
// one and writes again; with WithFollowerReads it may stay on a follower.
func TestClusterFollowsLeader(t *testing.T) {
	c := ovstest.NewCentral(t, ovstest.Members(3), ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	nb, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()), ovsdb.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nb.Close()
	for round := range 3 {
		leader, ep := leaderEndpoint(t, ctx, c)
		if got := nb.Endpoint(); got != ep {
			t.Errorf("round %d: the client is on %s, the leader is %s", round, got, ep)
		}
		killed := time.Now()
		c.KillMember(ovsproc.NB, leader)
		name := "ls" + strconv.Itoa(round)
		if _, err := nb.Do(ctx, func(tx *ovsdb.Tx) error {
			_, err := tx.Insert(&nbdb.LogicalSwitch{Name: name})
			return err
		}); err != nil {
			t.Fatalf("round %d: write after the leader died: %v", round, err)
		}
		_, ep = leaderEndpoint(t, ctx, c)
		t.Logf("round %d: leader %d killed; written through the new leader %s after %v", round, leader, ep, time.Since(killed).Round(time.Millisecond))
		if got := nb.Endpoint(); got != ep {
			t.Errorf("round %d: the client wrote through %s, not the leader %s", round, got, ep)
		}
		if err := c.StartMember(ctx, ovsproc.NB, leader); err != nil {
			t.Fatal(err)
		}
	}
	// Every switch is there, once.
	err = nb.View(ctx, func(tx *ovsdb.Tx) error {
		all, err := ovsdb.List[nbdb.LogicalSwitch](tx)
		if len(all) != 3 {
			t.Errorf("%d switches, want ls0, ls1, ls2", len(all))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// A client that allows followers stays on the first member it is
	// given, leader or not.
	leader, _ := leaderEndpoint(t, ctx, c)
	follower := (leader + 1) % c.Members()
	fep := c.MemberEndpoint(ovsproc.NB, follower)
	fr, err := ovsdb.Dial(ctx, fep, ovsdb.WithDatabase(nbdb.Database()), ovsdb.WithFollowerReads())
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	if _, err := fr.Do(ctx, func(tx *ovsdb.Tx) error {
		_, err := tx.Insert(&nbdb.LogicalSwitch{Name: "via-follower"})
		return err
	}); err != nil {
		t.Fatalf("write through a follower: %v", err)
	}
	// Without it, a follower alone is refused.
	short, cancelShort := context.WithTimeout(ctx, time.Second)
	defer cancelShort()
	if _, err := ovsdb.Dial(short, fep, ovsdb.WithDatabase(nbdb.Database())); !errors.Is(err, ovsdb.ErrNotLeader) {
		t.Errorf("dial a follower, leader only: %v, want ErrNotLeader", err)
	}
}

// TestClusterIncrementsAcrossLeaderKills: three writers increment one
// counter with verified read-modify-write transactions while the leader is
// killed again and again. Every increment that committed is counted once:
// the counter ends between the committed ones and those plus the ones
// whose outcome is unknown (none lost, none duplicated).
func TestClusterIncrementsAcrossLeaderKills(t *testing.T) {
	c := ovstest.NewCentral(t, ovstest.Members(3), ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dial := func() *ovsdb.Client {
		cl, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()), ovsdb.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cl.Close() })
		return cl
	}
	first := dial()
	if _, err := first.Do(ctx, func(tx *ovsdb.Tx) error {
		_, err := tx.Insert(&nbdb.LogicalSwitch{Name: "counter", OtherConfig: map[string]string{"n": "0"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var committed, unknown, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		cl := dial()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				octx, ocancel := context.WithTimeout(ctx, 10*time.Second)
				_, err := cl.Do(octx, func(tx *ovsdb.Tx) error {
					ls, err := ovsdb.Lookup[nbdb.LogicalSwitch](tx, "name", "counter")
					if err != nil {
						return err
					}
					n, _ := strconv.Atoi(ls.OtherConfig["n"])
					if err := tx.Verify(ls, "other_config"); err != nil {
						return err
					}
					ls.OtherConfig["n"] = strconv.Itoa(n + 1)
					return tx.Update(ls, "other_config")
				})
				ocancel()
				switch {
				case err == nil:
					committed.Add(1)
				case errors.Is(err, ovsdb.ErrOutcomeUnknown):
					unknown.Add(1)
				default:
					failed.Add(1)
				}
			}
		}()
	}
	for range 3 {
		time.Sleep(700 * time.Millisecond)
		leader, err := c.Leader(ctx, ovsproc.NB)
		if err != nil {
			t.Fatal(err)
		}
		c.KillMember(ovsproc.NB, leader)
		time.Sleep(300 * time.Millisecond)
		if err := c.StartMember(ctx, ovsproc.NB, leader); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(700 * time.Millisecond)
	close(stop)
	wg.Wait()
	var n int
	if err := first.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	err := first.View(ctx, func(tx *ovsdb.Tx) error {
		ls, err := ovsdb.Lookup[nbdb.LogicalSwitch](tx, "name", "counter")
		if err == nil {
			n, err = strconv.Atoi(ls.OtherConfig["n"])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cluster increments: %d committed, %d outcome unknown, %d failed; counter %d", committed.Load(), unknown.Load(), failed.Load(), n)
	if int64(n) < committed.Load() || int64(n) > committed.Load()+unknown.Load() {
		t.Errorf("counter %d: want between %d committed and %d (committed + outcome unknown)", n, committed.Load(), committed.Load()+unknown.Load())
	}
	if committed.Load() < 10 {
		t.Errorf("only %d increments committed across the faults", committed.Load())
	}
}
