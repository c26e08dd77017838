package ovsdb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/vswitchdb"
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
			c, err := ovsdb.Dial(ctx, both, append([]ovsdb.Option{ovsdb.WithDatabase(vswitchdb.Database())}, opts...)...)
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
		c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithMonitor(ovsdb.Monitor{Table: "Bridge", Columns: tt.cols}))
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
	c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithMonitor(ovsdb.Monitor{Table: "Bridge"}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := c.Transact(ctx, ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		br, err := ovsdb.Lookup[vswitchdb.Bridge](tx, "name", "br-mon")
		if err != nil {
			return err
		}
		br.ExternalIDs = map[string]string{"k": "v"}
		return tx.Update(br, "external_ids")
	}))
	if err != nil {
		t.Fatalf("a transaction waiting for ovs-vswitchd: %v", err)
	}
	if vswitchdb.ReportOf(res).NextCfg == 0 {
		t.Error("the transaction did not wait for ovs-vswitchd (no next_cfg)")
	}
}

// TestInsertOptionalZeroes: an optional column given a value, even its
// type's zero, is inserted (tag 0, an empty datapath id, false); only an
// absent (nil) one is left to the server's default.
func TestInsertOptionalZeroes(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t)
	ctx := testCtx(t, 10*time.Second)
	zero, empty, no := 0, "", false
	_, err := s.Client.Transact(ctx, ovsdb.NoWait(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		roots, err := ovsdb.List[vswitchdb.OpenVSwitch](tx)
		if err != nil {
			return err
		}
		ifc := &vswitchdb.Interface{Name: "z0"}
		if _, err := tx.Insert(ifc); err != nil {
			return err
		}
		p := &vswitchdb.Port{Name: "z0", Interfaces: []string{ifc.UUID}, Tag: &zero}
		if _, err := tx.Insert(p); err != nil {
			return err
		}
		ctl := &vswitchdb.Controller{Target: "tcp:198.51.100.7:6653", EnableAsyncMessages: &no}
		if _, err := tx.Insert(ctl); err != nil {
			return err
		}
		br := &vswitchdb.Bridge{Name: "z0", Ports: []string{p.UUID}, DatapathID: &empty, Controller: []string{ctl.UUID}, McastSnoopingEnable: true}
		if _, err := tx.Insert(br); err != nil {
			return err
		}
		if _, err := tx.Insert(&vswitchdb.FlowSampleCollectorSet{Bridge: br.UUID, ID: 5}); err != nil {
			return err
		}
		return tx.Mutate(roots[0], ovsdb.Insert("bridges", []string{br.UUID}))
	}))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	err = fresh.View(ctx, func(tx *ovsdb.Tx) error {
		p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "z0")
		if err != nil {
			return err
		}
		if p.Tag == nil || *p.Tag != 0 {
			t.Errorf("tag %v, want 0", p.Tag)
		}
		br, err := ovsdb.Lookup[vswitchdb.Bridge](tx, "name", "z0")
		if err != nil {
			return err
		}
		if br.DatapathID == nil || *br.DatapathID != "" {
			t.Errorf("datapath_id %v, want \"\"", br.DatapathID)
		}
		if !br.McastSnoopingEnable {
			t.Error("mcast_snooping_enable false, want the true inserted")
		}
		sets, err := ovsdb.List[vswitchdb.FlowSampleCollectorSet](tx)
		if err != nil {
			return err
		}
		if len(sets) != 1 || sets[0].ID != 5 {
			t.Errorf("collector sets %v, want one with id 5", sets)
		}
		ctls, err := ovsdb.List[vswitchdb.Controller](tx)
		if err != nil {
			return err
		}
		if len(ctls) != 1 || ctls[0].EnableAsyncMessages == nil || *ctls[0].EnableAsyncMessages {
			t.Errorf("controllers %v: want enable_async_messages false", ctls)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReadOnlyLeavesNextCfg: a transaction that only reads writes
// nothing, not even Open_vSwitch's next_cfg.
func TestReadOnlyLeavesNextCfg(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t)
	ctx := testCtx(t, 10*time.Second)
	cfg := func() int {
		var n int
		if err := s.Client.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		err := s.Client.View(ctx, func(tx *ovsdb.Tx) error {
			roots, err := ovsdb.List[vswitchdb.OpenVSwitch](tx)
			if err == nil && len(roots) == 1 {
				n = roots[0].NextCfg
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := cfg()
	// A client that waits for ovs-vswitchd (there is none here): a
	// transaction that bumped next_cfg would wait forever.
	c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	short := testCtx(t, 3*time.Second)
	res, err := c.Do(short, func(tx *ovsdb.Tx) error {
		_, err := ovsdb.List[vswitchdb.Bridge](tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := cfg(); after != before || vswitchdb.ReportOf(res).NextCfg != 0 {
		t.Errorf("next_cfg %d -> %d (result %d) after a read-only transaction", before, after, vswitchdb.ReportOf(res).NextCfg)
	}
}

// TestResendWhenNeverSent: a transaction made while the server is down is
// not failed: it was never sent, so the client sends it once it has
// reconnected, and it commits once.
func TestResendWhenNeverSent(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 30*time.Second)
	c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithBackoff(20*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s.KillDB()
	go func() {
		time.Sleep(500 * time.Millisecond)
		if err := s.StartDB(context.Background()); err != nil {
			t.Errorf("restart: %v", err)
		}
	}()
	time.Sleep(100 * time.Millisecond) // the client has seen the connection go
	if _, err := c.Transact(ctx, ovsdb.NoWait(), setCounter("p1", 7)); err != nil {
		t.Fatalf("a transaction made while the server was down: %v", err)
	}
	if n := serverCounter(t, s, "p1"); n != 7 {
		t.Errorf("counter %d, want 7", n)
	}
}

// TestInsertWithUUID: a row inserted under a UUID gets that UUID, other
// rows of the transaction refer to it by it, the Result maps it to
// itself, and inserting it again is refused by the server, the database
// unchanged.
func TestInsertWithUUID(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t)
	ctx := testCtx(t, 10*time.Second)
	const u = "c5cc12f8-eaa1-43a7-8a73-bccd18df1111"
	add := func(name string) (*ovsdb.Result, error) {
		return s.Client.Transact(ctx, ovsdb.NoWait(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			roots, err := ovsdb.List[vswitchdb.OpenVSwitch](tx)
			if err != nil {
				return err
			}
			br := &vswitchdb.Bridge{UUID: u, Name: name}
			if got, err := tx.Insert(br); err != nil || got != u {
				return fmt.Errorf("insert: %q, %v", got, err)
			}
			return tx.Mutate(roots[0], ovsdb.Insert("bridges", []string{u}))
		}))
	}
	res, err := add("tst0")
	if err != nil {
		t.Fatal(err)
	}
	if res.UUID(u) != u {
		t.Errorf("Result maps %s to %q", u, res.UUID(u))
	}
	if _, err := add("tst1"); err == nil {
		t.Fatal("the same UUID inserted twice")
	}
	err = s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		brs, err := ovsdb.List[vswitchdb.Bridge](tx)
		if err != nil {
			return err
		}
		if len(brs) != 1 || brs[0].UUID != u || brs[0].Name != "tst0" {
			return fmt.Errorf("bridges: %+v", brs)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// TestDialPassive: Dial on a punix: endpoint listens and waits for the
// server to connect (ovsdb-server/add-remote), then works as any client;
// Close removes the socket. Without a server it gives up with ctx. The
// server runs as a local process whatever OVSKIT_HARNESS says: it must
// reach a socket on this host.
func TestDialPassive(t *testing.T) {
	t.Parallel()
	ovstest.RequireTools(t, "ovs-appctl")
	s := ovstest.NewServer(t, ovstest.WithBackend(ovstest.ProcessBackend))
	sock := filepath.Join(t.TempDir(), "passive.sock")
	ctx := testCtx(t, 20*time.Second)
	done := make(chan error, 1)
	var c *ovsdb.Client
	go func() {
		var err error
		c, err = ovsdb.Dial(ctx, "punix:"+sock, ovsdb.WithDatabase(vswitchdb.Database()))
		done <- err
	}()
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if i == 100 {
			t.Fatal("the client does not listen")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out, err := exec.CommandContext(ctx, "ovs-appctl", "-t", s.DBCtl(), "ovsdb-server/add-remote", "unix:"+sock).CombinedOutput(); err != nil {
		t.Fatalf("add-remote: %v: %s", err, out)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	err := c.View(ctx, func(tx *ovsdb.Tx) error {
		roots, err := ovsdb.List[vswitchdb.OpenVSwitch](tx)
		if err == nil && len(roots) != 1 {
			err = fmt.Errorf("%d Open_vSwitch rows", len(roots))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket after Close: %v", err)
	}
	short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	lonely := filepath.Join(t.TempDir(), "lonely.sock")
	if _, err := ovsdb.Dial(short, "punix:"+lonely, ovsdb.WithDatabase(vswitchdb.Database())); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("no server: %v", err)
	}
	if _, err := os.Stat(lonely); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket after a failed Dial: %v", err)
	}
}
