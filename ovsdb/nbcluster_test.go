package ovsdb_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/ovskit/ovskit/internal/lincheck"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
)

// newNBCluster starts a 3-member Northbound cluster and a client of it
// that follows the leader.
func newNBCluster(t *testing.T, timeout time.Duration) (*ovstest.Central, context.Context, *ovsdb.Client) {
	t.Helper()
	c := ovstest.NewCentral(t, ovstest.Members(3), ovstest.WithoutNorthd())
	ctx := testCtx(t, timeout)
	nb, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()), ovsdb.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nb.Close() })
	return c, ctx, nb
}

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
	t.Parallel()
	c, ctx, nb := newNBCluster(t, 2*time.Minute)
	for round := range 3 {
		leader, ep := leaderEndpoint(t, ctx, c)
		if got := nb.Endpoint(); got != ep {
			t.Errorf("round %d: the client is on %s, the leader is %s", round, got, ep)
		}
		killed := time.Now()
		c.KillMember(ovsproc.NB, leader)
		name := "ls" + strconv.Itoa(round)
		// The insert is made idempotent by a check of the name: a write
		// sent to the dying leader before the client saw it go is
		// reported as of unknown outcome, and then made again if it did
		// not commit.
		for attempt := 0; ; attempt++ {
			_, err := nb.Do(ctx, func(tx *ovsdb.Tx) error {
				if _, err := ovsdb.Lookup[nbdb.LogicalSwitch](tx, "name", name); err == nil {
					return nil
				}
				_, err := tx.Insert(&nbdb.LogicalSwitch{Name: name})
				return err
			})
			if err == nil {
				break
			}
			if !errors.Is(err, ovsdb.ErrOutcomeUnknown) || attempt == 3 {
				t.Fatalf("round %d: write after the leader died: %v", round, err)
			}
			t.Logf("round %d: %v; again", round, err)
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
	err := nb.View(ctx, func(tx *ovsdb.Tx) error {
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

// TestClusterStalledLeaderStepsDown: a leader that stalls (SIGSTOP) long
// enough for the others to elect a new one keeps its connections; when
// it runs again it is a follower, its _Server database says so, and the
// client moves to the new leader without waiting for the connection to
// fail.
func TestClusterStalledLeaderStepsDown(t *testing.T) {
	t.Parallel()
	c, ctx, nb := newNBCluster(t, 2*time.Minute)
	old, oldEP := leaderEndpoint(t, ctx, c)
	if got := nb.Endpoint(); got != oldEP {
		t.Fatalf("the client is on %s, the leader is %s", got, oldEP)
	}
	// Another member becomes leader meanwhile.
	_, newLeader, resume := stopLeader(t, ctx, c)
	reconnects := nb.Stats().Reconnects
	resume()
	want := c.MemberEndpoint(ovsproc.NB, newLeader)
	for deadline := time.Now().Add(15 * time.Second); nb.Endpoint() != want; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the client stayed on %s; the leader is %s", nb.Endpoint(), want)
		}
	}
	t.Logf("moved from member %d to the new leader %d (%d reconnects)", old, newLeader, nb.Stats().Reconnects-reconnects)
	if _, err := nb.Do(ctx, func(tx *ovsdb.Tx) error {
		_, err := tx.Insert(&nbdb.LogicalSwitch{Name: "after-stall"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestClusterLinearizable: clients increment counters (switches r0..r3)
// by verified read-modify-write and read them, on a 3-member Northbound
// cluster whose leader is killed (-9) again and again. The history is
// checked by the core's linearizability model; every increment reported
// committed is in the database, none reported failed is; each counter
// equals the increments that left their marker (none lost, none applied
// twice); and after each kill the clients commit again soon after a new
// leader is elected.
func TestClusterLinearizable(t *testing.T) {
	t.Parallel()
	clusterCheck(t, clusterFault{name: "leader kills", disturb: killLeaders})
}

// clusterFault is what TestClusterLinearizable's clients go through.
type clusterFault struct {
	name string
	// opts configure the cluster (its schema, say).
	opts []ovstest.CentralOption
	// disturb runs while the clients write; it returns the times at
	// which the cluster lost its leader and elected a new one, if it
	// did.
	disturb func(t *testing.T, ctx context.Context, c *ovstest.Central, now func() int64) []leaderChange
	// after, if set, runs with a client that was connected throughout.
	after func(t *testing.T, ctx context.Context, c *ovsdb.Client)
}

// leaderChange is a leader lost (at) and a new one elected.
type leaderChange struct{ at, elected int64 }

// killLeaders kills the Northbound leader (-9) three times, each time
// waiting for a new one and restarting the killed member.
func killLeaders(t *testing.T, ctx context.Context, c *ovstest.Central, now func() int64) []leaderChange {
	var killed []leaderChange
	for range 3 {
		time.Sleep(800 * time.Millisecond)
		leader, err := c.Leader(ctx, ovsproc.NB)
		if err != nil {
			t.Fatal(err)
		}
		k := leaderChange{at: now()}
		c.KillMember(ovsproc.NB, leader)
		if _, err := c.Leader(ctx, ovsproc.NB); err != nil {
			t.Fatal(err)
		}
		k.elected = now()
		killed = append(killed, k)
		if err := c.StartMember(ctx, ovsproc.NB, leader); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(800 * time.Millisecond)
	return killed
}

func clusterCheck(t *testing.T, f clusterFault) {
	c := ovstest.NewCentral(t, append([]ovstest.CentralOption{ovstest.Members(3), ovstest.WithoutNorthd()}, f.opts...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const registers, clients = 4, 4
	dial := func() *ovsdb.Client {
		cl, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()), ovsdb.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cl.Close() })
		return cl
	}
	first := dial()
	var early *ovsdb.Client
	if f.after != nil {
		early = dial()
	}
	if _, err := first.Do(ctx, func(tx *ovsdb.Tx) error {
		for k := range registers {
			if _, err := tx.Insert(&nbdb.LogicalSwitch{Name: fmt.Sprint("r", k), OtherConfig: map[string]string{"n": "0"}}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	now := func() int64 { return int64(time.Since(start)) }
	type record struct {
		op                 porcupine.Operation
		committed, unknown bool
	}
	var mu sync.Mutex
	var records []record
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for cl := range clients {
		client := dial()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				in := lincheck.Input{Kind: lincheck.IncVerify, Key: (cl + i) % registers, Marker: fmt.Sprintf("o%d-%d", cl, i)}
				if i%2 == 1 {
					in = lincheck.Input{Kind: lincheck.Read, Key: in.Key}
				}
				octx, ocancel := context.WithTimeout(ctx, 5*time.Second)
				call := now()
				out, err := clusterOp(octx, client, in)
				ret := now()
				ocancel()
				rec := record{committed: err == nil || errors.Is(err, ovsdb.ErrCommitted)}
				if errors.Is(err, ovsdb.ErrOutcomeUnknown) {
					rec.unknown, out.Unknown, ret = true, true, math.MaxInt64
				}
				rec.op = porcupine.Operation{ClientId: cl, Input: in, Output: out, Call: call, Return: ret}
				mu.Lock()
				records = append(records, rec)
				mu.Unlock()
			}
		}()
	}
	killed := f.disturb(t, ctx, c, now)
	close(stop)
	wg.Wait()
	if f.after != nil {
		f.after(t, ctx, early)
	}

	// The end state, through a client that connects after everything.
	final := make([]*nbdb.LogicalSwitch, registers)
	fresh := dial()
	err := fresh.View(ctx, func(tx *ovsdb.Tx) error {
		for k := range registers {
			ls, err := ovsdb.Lookup[nbdb.LogicalSwitch](tx, "name", fmt.Sprint("r", k))
			if err != nil {
				return err
			}
			final[k] = ls
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]lincheck.Record, len(records))
	for i, r := range records {
		recs[i] = lincheck.Record{Op: r.op, Committed: r.committed, Unknown: r.unknown}
	}
	tally := lincheck.Account(recs, func(in lincheck.Input) bool {
		_, ok := final[in.Key].ExternalIDs[in.Marker]
		return ok
	})
	for _, in := range tally.Lost {
		t.Errorf("%+v was reported committed but is not in the database", in)
	}
	for _, in := range tally.Phantom {
		t.Errorf("%+v was reported failed but is in the database", in)
	}
	incs := make([]int, registers)
	for _, in := range tally.Applied {
		incs[in.Key]++
	}
	history, committed, unknown, failed, lost, phantom := tally.History, tally.Committed, tally.Unknown, tally.Failed, len(tally.Lost), len(tally.Phantom)
	duplicated := 0
	for k := range registers {
		n, _ := strconv.Atoi(final[k].OtherConfig["n"])
		if n != incs[k] {
			duplicated += n - incs[k]
			t.Errorf("counter r%d is %d, but %d increments left their marker", k, n, incs[k])
		}
	}
	// After each kill: the first commit of an operation invoked after it,
	// against the election of the new leader.
	var gaps []string
	for _, k := range killed {
		first := int64(math.MaxInt64)
		for _, r := range records {
			if r.committed && r.op.Call >= k.at && r.op.Return < first {
				first = r.op.Return
			}
		}
		elected, written := time.Duration(k.elected-k.at), time.Duration(first-k.at)
		gaps = append(gaps, fmt.Sprintf("elected %v, written %v", elected.Round(time.Millisecond), written.Round(time.Millisecond)))
		if first == math.MaxInt64 || written > elected+1500*time.Millisecond {
			t.Errorf("after a kill: new leader in %v, but the clients wrote again only after %v", elected, written)
		}
	}
	path := filepath.Join(t.TempDir(), "history.html")
	violations := 0
	if res := lincheck.Check(registers, history, time.Minute, path); res != porcupine.Ok {
		violations = 1
		t.Errorf("history is not linearizable (%v); visualization in %s", res, path)
	}
	if committed < 30 {
		t.Errorf("only %d operations committed across the faults", committed)
	}
	what := f.name
	if len(killed) > 0 {
		what = fmt.Sprintf("%d %s (%s)", len(killed), f.name, strings.Join(gaps, "; "))
	}
	fmt.Printf("cluster linearizability: %s: %d operations: %d committed, %d outcome unknown, %d failed; %d lost, %d duplicated, %d phantom, %d violations\n",
		what, len(records), committed, unknown, failed, lost, duplicated, phantom, violations)
}

// clusterOp runs one operation of TestClusterLinearizable.
func clusterOp(ctx context.Context, c *ovsdb.Client, in lincheck.Input) (lincheck.Output, error) {
	var out lincheck.Output
	name := fmt.Sprint("r", in.Key)
	_, err := c.Do(ctx, func(tx *ovsdb.Tx) error {
		ls, err := ovsdb.Lookup[nbdb.LogicalSwitch](tx, "name", name)
		if err != nil {
			return err
		}
		n, _ := strconv.Atoi(ls.OtherConfig["n"])
		if err := tx.Verify(ls, "other_config"); err != nil {
			return err
		}
		if in.Kind == lincheck.Read {
			out.N = n
			return nil
		}
		out.N = n + 1
		ls.OtherConfig["n"] = strconv.Itoa(out.N)
		if err := tx.Update(ls, "other_config"); err != nil {
			return err
		}
		return tx.Mutate(ls, ovsdb.Insert("external_ids", map[string]string{in.Marker: "1"}))
	})
	return out, err
}
