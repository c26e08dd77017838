package ovsdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

func testCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// The core's tests drive the public commands, the paths users call: a
// netdev bridge, a port with one interface of a type.
func addBridge(name string) ovsdb.Command {
	return bridge.Add(name, bridge.DatapathType(bridge.Netdev))
}

func addPort(br, name, ifType string) ovsdb.Command {
	var opts []port.Option
	if ifType != "" {
		opts = append(opts, port.WithIface(iface.Type(iface.Kind(ifType))))
	}
	return port.Add(br, name, opts...)
}

// delPort deletes a port by name, failing with ErrNotFound when it is
// absent.
func delPort(name string) ovsdb.Command { return port.Delete(name) }

func portNames(t *testing.T, c *ovsdb.Client, bridge string) []string {
	t.Helper()
	var names []string
	err := c.View(testCtx(t, 10*time.Second), func(tx *ovsdb.Tx) error {
		br, err := ovsdb.Lookup[vswitchdb.Bridge](tx, "name", bridge)
		if err != nil {
			return err
		}
		for _, u := range br.Ports {
			p, err := ovsdb.Get[vswitchdb.Port](tx, u)
			if err != nil {
				return err
			}
			names = append(names, p.Name)
		}
		return nil
	})
	require.NoError(t, err)
	return names
}

func TestConnect(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithTCP())
	ctx := testCtx(t, 20*time.Second)
	tests := []struct {
		name     string
		endpoint string
	}{
		{"unix", s.Endpoint},
		{"tcp", s.TCPEndpoint},
		{"fail-over from a dead endpoint", "unix:" + filepath.Join(s.Dir, "nothing.sock") + "," + s.TCPEndpoint},
	}
	_, err := s.Client.Transact(ctx, ovsdb.NoWait(), addBridge("br0"))
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ovsdb.Dial(ctx, tt.endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
			require.NoError(t, err)
			defer c.Close()
			assert.Equal(t, []string{"br0"}, portNames(t, c, "br0"))
			require.NoError(t, c.Echo(ctx))
		})
	}
	t.Run("bad endpoint", func(t *testing.T) {
		_, err := ovsdb.Dial(ctx, "udp:1.2.3.4", ovsdb.WithDatabase(vswitchdb.Database()))
		assert.ErrorIs(t, err, ovsdb.ErrInvalid)
	})
}

// schemaWithout writes the vswitch schema minus a table (and the columns that
// refer to it) and minus a column.
func schemaWithout(t *testing.T, table, column string) string {
	t.Helper()
	return editedSchema(t, func(tables map[string]any) {
		delete(tables, table)
		for _, td := range tables {
			cols := td.(map[string]any)["columns"].(map[string]any)
			for cn, cd := range cols {
				if strings.Contains(fmt.Sprint(cd), "refTable:"+table) {
					delete(cols, cn)
				}
			}
		}
		tc := strings.SplitN(column, ".", 2)
		delete(tables[tc[0]].(map[string]any)["columns"].(map[string]any), tc[1])
	})
}

// editedSchema writes the installed Open_vSwitch schema with its tables
// edited by edit, and returns the file's path.
func editedSchema(t *testing.T, edit func(tables map[string]any)) string {
	t.Helper()
	data, err := os.ReadFile("/usr/share/openvswitch/vswitch.ovsschema")
	require.NoError(t, err)
	var s map[string]any
	require.NoError(t, json.Unmarshal(data, &s))
	edit(s["tables"].(map[string]any))
	out, err := json.Marshal(s)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "partial.ovsschema")
	require.NoError(t, os.WriteFile(path, out, 0o644))
	return path
}

// addBridgeSecure adds a bridge whose fail mode is secure.
func addBridgeSecure(name string) ovsdb.Command {
	return bridge.Add(name, bridge.DatapathType(bridge.Netdev), bridge.FailMode(vswitchdb.BridgeFailModeSecure))
}

// TestSchemaLacks: a server whose schema lacks a table and columns of the
// models is served what it has; one that types a column otherwise is
// refused.
func TestSchemaLacks(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithSchema(schemaWithout(t, "AutoAttach", "Port.trunks")), ovstest.WithoutInit())
	ctx := testCtx(t, 10*time.Second)
	c := s.Client
	for _, tc := range [][2]string{{"AutoAttach", ""}, {"Port", "trunks"}, {"Bridge", "auto_attach"}} {
		assert.False(t, c.ServerHas(tc[0], tc[1]), "%s.%s", tc[0], tc[1])
	}
	_, err := c.Transact(ctx, ovsdb.NoWait(), vswitchdb.Init(), addBridge("br0"), addPort("br0", "p1", ""))
	require.NoError(t, err)
	_, err = c.Transact(ctx, ovsdb.NoWait(), port.Update("p1", func(p *vswitchdb.Port) error { p.Trunks = []int{10}; return nil }, "trunks"))
	require.ErrorIs(t, err, errors.ErrUnsupported)
	assert.Contains(t, err.Error(), "no column Port.trunks")

	// An enumerated column whose server allows fewer values than the
	// models: those are refused before anything is sent, the others pass.
	narrow := editedSchema(t, func(tables map[string]any) {
		cols := tables["Bridge"].(map[string]any)["columns"].(map[string]any)
		cols["fail_mode"] = map[string]any{"type": map[string]any{
			"key": map[string]any{"type": "string", "enum": []any{"set", []any{"standalone"}}}, "min": 0, "max": 1}}
	})
	s3 := ovstest.NewServer(t, ovstest.WithSchema(narrow))
	_, err = s3.Client.Transact(ctx, ovsdb.NoWait(), addBridge("br0"), bridge.SetFailMode("br0", vswitchdb.BridgeFailModeStandalone))
	require.NoError(t, err)
	before, err := s3.Dump()
	require.NoError(t, err)
	for _, cmd := range []ovsdb.Command{
		bridge.SetFailMode("br0", vswitchdb.BridgeFailModeSecure),
		addBridgeSecure("br1"),
	} {
		_, err = s3.Client.Transact(ctx, ovsdb.NoWait(), cmd)
		require.ErrorIs(t, err, errors.ErrUnsupported)
		var ue *ovsdb.UnsupportedError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, "secure", ue.Value)
		assert.Equal(t, "fail_mode", ue.Column)
	}
	after, err := s3.Dump()
	require.NoError(t, err)
	assert.Equal(t, before, after, "a refused write changed the database")

	bad := editedSchema(t, func(tables map[string]any) {
		cols := tables["Port"].(map[string]any)["columns"].(map[string]any)
		cols["tag"] = map[string]any{"type": map[string]any{"key": "string", "min": 0, "max": 1}}
	})
	s2 := ovstest.NewServer(t, ovstest.WithSchema(bad), ovstest.WithoutClient(), ovstest.WithoutInit())
	_, err = ovsdb.Dial(ctx, s2.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.ErrorIs(t, err, ovsdb.ErrSchema)
	assert.Contains(t, err.Error(), "column Port.tag is")
}

func TestAtomicity(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t)
	ctx := testCtx(t, 20*time.Second)
	_, err := s.Client.Transact(ctx, ovsdb.NoWait(), addBridge("br0"), addPort("br0", "p1", ""))
	require.NoError(t, err)
	tests := []struct {
		name    string
		last    ovsdb.Command
		wantErr error
	}{
		{
			name:    "last command fails in the client",
			last:    addPort("no-such-bridge", "p3", ""),
			wantErr: ovsdb.ErrNotFound,
		},
		{
			name: "last operation fails in the server (duplicate index)",
			// Bypass the name check: the server's index must refuse a second
			// interface "p1" (a referenced one: unreferenced rows are
			// garbage-collected before indexes are checked).
			last: onBridge("br0", func(tx *ovsdb.Tx, br *vswitchdb.Bridge) error {
				iface := &vswitchdb.Interface{Name: "p1"}
				if _, err := tx.Insert(iface); err != nil {
					return err
				}
				port := &vswitchdb.Port{Name: "p9", Interfaces: []string{iface.UUID}}
				if _, err := tx.Insert(port); err != nil {
					return err
				}
				return tx.Mutate(br, ovsdb.Insert("ports", []string{port.UUID}))
			}),
			wantErr: ovsdb.ErrExists,
		},
		{
			name: "last operation fails in the server (dangling reference)",
			last: onBridge("br0", func(tx *ovsdb.Tx, br *vswitchdb.Bridge) error {
				return tx.Mutate(br, ovsdb.Insert("ports", []string{"00000000-0000-0000-0000-000000000001"}))
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := s.Dump()
			require.NoError(t, err)
			_, err = s.Client.Transact(ctx, ovsdb.NoWait(),
				addPort("br0", "p2", "internal"),
				onBridge("br0", func(tx *ovsdb.Tx, br *vswitchdb.Bridge) error {
					br.ExternalIDs = map[string]string{"k": "v"}
					return tx.Update(br, "external_ids")
				}),
				tt.last)
			require.Error(t, err)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			after, err := s.Dump()
			require.NoError(t, err)
			assert.Equal(t, before, after, "database changed by a failed transaction")
			assert.Equal(t, []string{"br0", "p1"}, sorted(portNames(t, s.Client, "br0")))
		})
	}
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// onBridge is a command that looks bridge name up and hands it to fn.
func onBridge(name string, fn func(tx *ovsdb.Tx, br *vswitchdb.Bridge) error) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		br, err := ovsdb.Lookup[vswitchdb.Bridge](tx, "name", name)
		if err != nil {
			return err
		}
		return fn(tx, br)
	})
}

func TestNoLostUpdates(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t)
	ctx := testCtx(t, 120*time.Second)
	_, err := s.Client.Transact(ctx, ovsdb.NoWait(), addBridge("br0"))
	require.NoError(t, err)
	const writers, each = 8, 100
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for i := 0; i < each; i++ {
				if _, err := c.Transact(ctx, ovsdb.NoWait(), addPort("br0", fmt.Sprintf("w%d-p%d", w, i), "internal")); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// A fresh client's initial snapshot is the server's current state.
	fresh, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	defer fresh.Close()
	assert.Len(t, portNames(t, fresh, "br0"), writers*each+1) // plus the bridge's own port
	out, err := s.Vsctl("list-ports", "br0")
	require.NoError(t, err)
	assert.Len(t, strings.Fields(out), writers*each)
}

// TestVerifyReruns changes a verified column between a command's read and
// its commit: the commit must fail its verification and the command re-run
// on the new value, so no update is lost.
func TestVerifyReruns(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t)
	ctx := testCtx(t, 20*time.Second)
	_, err := s.Client.Transact(ctx, ovsdb.NoWait(), addBridge("br0"))
	require.NoError(t, err)
	other, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	defer other.Close()
	setCounter := func(tx *ovsdb.Tx, n int) error {
		br, err := ovsdb.Lookup[vswitchdb.Bridge](tx, "name", "br0")
		if err != nil {
			return err
		}
		br.ExternalIDs = map[string]string{"counter": fmt.Sprint(n)}
		return tx.Update(br, "external_ids")
	}
	var runs atomic.Int32
	before := s.Client.Stats().Retries
	_, err = s.Client.Do(ctx, func(tx *ovsdb.Tx) error {
		tx.NoWait()
		run := runs.Add(1)
		br, err := ovsdb.Lookup[vswitchdb.Bridge](tx, "name", "br0")
		if err != nil {
			return err
		}
		if err := tx.Verify(br, "external_ids"); err != nil {
			return err
		}
		var n int
		fmt.Sscan(br.ExternalIDs["counter"], &n)
		if run == 1 {
			// A concurrent writer commits between our read and our commit.
			if _, err := other.Do(ctx, func(tx *ovsdb.Tx) error { tx.NoWait(); return setCounter(tx, 41) }); err != nil {
				return err
			}
		}
		return setCounter(tx, n+1)
	})
	require.NoError(t, err)
	assert.Zero(t, s.Client.Stats().Reconnects)
	assert.EqualValues(t, 2, runs.Load(), "the command list must re-run once")
	assert.EqualValues(t, 1, s.Client.Stats().Retries-before)
	out, err := s.Vsctl("get", "Bridge", "br0", "external_ids:counter")
	require.NoError(t, err)
	assert.Equal(t, `"42"`, strings.TrimSpace(out), "the concurrent update was lost")
}

func TestWaitForVSwitchd(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithVSwitchd())
	ctx := testCtx(t, 60*time.Second)

	res, err := s.Client.Transact(ctx, addBridge("br0"), addPort("br0", "p-int", "internal"))
	require.NoError(t, err)
	require.Len(t, vswitchdb.ReportOf(res).Interfaces, 2)
	for _, st := range vswitchdb.ReportOf(res).Interfaces {
		assert.Positive(t, st.Ofport, "interface %s", st.Name)
		assert.Empty(t, st.Error)
	}

	res, err = s.Client.Transact(ctx, addPort("br0", "nosuchdev0", ""))
	require.Error(t, err)
	var ie *vswitchdb.InterfaceError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "nosuchdev0", ie.Name)
	assert.Contains(t, ie.Cause, "nosuchdev0")
	assert.Contains(t, err.Error(), `committed, but interface "nosuchdev0" failed`)
	require.NotNil(t, res)
	require.Len(t, vswitchdb.ReportOf(res).Interfaces, 1)
	assert.Contains(t, portNames(t, s.Client, "br0"), "nosuchdev0", "the row stays committed")
	// vswitchd's status writes (mac_in_use, ofport, statistics...) must all
	// decode: a bad update would show as a silent resynchronisation.
	assert.Zero(t, s.Client.Stats().Reconnects, "the client had to resynchronise")
}

// waitingClient dials a client that waits for ovs-vswitchd (the harness's
// own client does not when the server has none).
func waitingClient(t *testing.T, s *ovstest.Server) *ovsdb.Client {
	t.Helper()
	c, err := ovsdb.Dial(testCtx(t, 10*time.Second), s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestWaitWithoutVSwitchd(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t)
	c := waitingClient(t, s)
	ctx := testCtx(t, 20*time.Second)
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	res, err := c.Transact(short, addBridge("br0"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "ovs-vswitchd")
	require.NotNil(t, res, "the transaction committed")
	assert.Positive(t, vswitchdb.ReportOf(res).NextCfg)
	assert.Equal(t, []string{"br0"}, portNames(t, c, "br0"))

	// NoWait returns as soon as the cache shows the commit, well within a
	// deadline the default wait could never meet.
	short2, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	res, err = c.Transact(short2, ovsdb.NoWait(), addPort("br0", "p1", ""))
	require.NoError(t, err)
	assert.Empty(t, vswitchdb.ReportOf(res).Interfaces)

	// So does every transaction of a client made WithNoWait (the
	// harness client, here, since the server has no ovs-vswitchd).
	short3, cancel3 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel3()
	res, err = s.Client.Transact(short3, addPort("br0", "p2", ""))
	require.NoError(t, err)
	assert.Zero(t, vswitchdb.ReportOf(res).NextCfg, "no next_cfg bump without waiting")
}

// TestSync: after Sync, a client's reads show what another client has
// just committed.
func TestSync(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 60*time.Second)
	writer, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	defer writer.Close()
	for i := range 200 {
		_, err := writer.Transact(ctx, ovsdb.NoWait(), setCounter("p1", i))
		require.NoError(t, err)
		require.NoError(t, s.Client.Sync(ctx))
		require.NoError(t, s.Client.View(ctx, func(tx *ovsdb.Tx) error {
			_, n, err := portCounter(tx, "p1")
			if err == nil && n != i {
				err = fmt.Errorf("after Sync the view shows %d, the other client committed %d", n, i)
			}
			return err
		}))
	}
}

// TestCommandNumbers: an error names the failing command by its position
// among the commands that read or write.
func TestCommandNumbers(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 10*time.Second)
	_, err := s.Client.Transact(ctx, ovsdb.NoWait(), ovsdb.Comment("x"), addPort("br0", "p2", ""), ovsdb.DryRun(), addPort("nosuch", "p3", ""))
	require.ErrorIs(t, err, ovsdb.ErrNotFound)
	assert.Contains(t, err.Error(), "command 2: ")
	_, err = s.Client.Transact(ctx, ovsdb.NoWait(), addPort("nosuch", "p3", ""))
	require.ErrorIs(t, err, ovsdb.ErrNotFound)
	assert.NotContains(t, err.Error(), "command")
}

func TestReconnect(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithClientOptions(ovsdb.WithBackoff(10*time.Millisecond, 100*time.Millisecond)))
	ctx := testCtx(t, 60*time.Second)
	c := s.Client
	_, err := c.Transact(ctx, ovsdb.NoWait(), addBridge("br0"), addPort("br0", "p1", ""))
	require.NoError(t, err)
	watch, err := ovsdb.Watch[vswitchdb.Port](ctx, c)
	require.NoError(t, err)

	// Kill the server, change the database behind the client's back, and
	// restart the server on it.
	s.KillDB()
	out, err := exec.Command("ovsdb-tool", "transact", s.DB, `["Open_vSwitch",
		{"op":"update","table":"Port","where":[["name","==","p1"]],"row":{"tag":7}}]`).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.NoError(t, s.StartDB(context.Background()))

	// The client reconnects; its cache is the new database, never the old.
	p, err := ovsdb.WaitUntil(ctx, c, func(p *vswitchdb.Port) bool { return p.Name == "p1" && p.Tag != nil && *p.Tag == 7 })
	require.NoError(t, err)
	assert.Equal(t, 7, *p.Tag)
	assert.EqualValues(t, 1, c.Stats().Reconnects)
	// The watcher was told about the change made while it was away.
	select {
	case ev := <-watch:
		assert.Equal(t, ovsdb.EventUpdate, ev.Kind)
		assert.Equal(t, "p1", ev.New.Name)
		assert.Nil(t, ev.Old.Tag)
	case <-ctx.Done():
		t.Fatal("no event after reconnect")
	}
	// Cache equals what a fresh client loads.
	fresh, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	defer fresh.Close()
	list := func(c *ovsdb.Client) []*vswitchdb.Port {
		var ps []*vswitchdb.Port
		require.NoError(t, c.View(ctx, func(tx *ovsdb.Tx) (err error) { ps, err = ovsdb.List[vswitchdb.Port](tx); return err }))
		return ps
	}
	assert.Equal(t, list(fresh), list(c))
	// And the next transaction succeeds.
	_, err = c.Transact(ctx, ovsdb.NoWait(), addPort("br0", "p2", ""))
	require.NoError(t, err)
	assert.Len(t, portNames(t, c, "br0"), 3, "read-your-writes after a reconnect")
}

func TestWatchAndWaitUntil(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t)
	ctx := testCtx(t, 20*time.Second)
	watch, err := ovsdb.Watch[vswitchdb.Bridge](ctx, s.Client)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := ovsdb.WaitUntil(ctx, s.Client, func(b *vswitchdb.Bridge) bool { return b.Name == "br-late" })
		done <- err
	}()
	other, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	require.NoError(t, err)
	defer other.Close()
	_, err = other.Transact(ctx, ovsdb.NoWait(), addBridge("br-late"))
	require.NoError(t, err)
	require.NoError(t, <-done)
	ev := <-watch
	assert.Equal(t, ovsdb.EventInsert, ev.Kind)
	assert.Equal(t, "br-late", ev.New.Name)
	assert.Nil(t, ev.Old)
}

func TestDryRunAndComment(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t)
	ctx := testCtx(t, 20*time.Second)
	before, err := s.Dump()
	require.NoError(t, err)
	res, err := s.Client.Transact(ctx, ovsdb.DryRun(), addBridge("br0"))
	require.NoError(t, err)
	assert.True(t, res.DryRun)
	var ops []string
	for _, op := range res.Operations {
		ops = append(ops, op.Op+" "+op.Table)
	}
	assert.Contains(t, ops, "insert Bridge")
	after, err := s.Dump()
	require.NoError(t, err)
	assert.Equal(t, before, after, "a dry run wrote")

	_, err = s.Client.Transact(ctx, ovsdb.NoWait(), ovsdb.Comment("ovskit-test: add br0"), addBridge("br0"))
	require.NoError(t, err)
	out, err := exec.Command("ovsdb-tool", "show-log", s.DB).CombinedOutput()
	require.NoError(t, err)
	assert.Contains(t, string(out), "ovskit-test: add br0")
}

// Without an Open_vSwitch row there is no next_cfg to wait on; the commit
// must still return (its rows are garbage-collected, not awaited).
func TestCommitWithoutRootRow(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithoutInit())
	ctx := testCtx(t, 10*time.Second)
	res, err := s.Client.Transact(ctx, ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		_, err := tx.Insert(&vswitchdb.Bridge{Name: "orphan"})
		return err
	}))
	require.NoError(t, err)
	assert.Zero(t, vswitchdb.ReportOf(res).NextCfg)
	res, err = s.Client.Transact(ctx, ovsdb.NoWait(), vswitchdb.Init())
	require.NoError(t, err, "init waits for its own root row")
	assert.Zero(t, vswitchdb.ReportOf(res).NextCfg, "NoWait leaves next_cfg alone, as ovs-vsctl --no-wait does")
}

func TestReadOnlyView(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t)
	err := s.Client.View(testCtx(t, 10*time.Second), func(tx *ovsdb.Tx) error {
		_, err := tx.Insert(&vswitchdb.Bridge{Name: "x"})
		return err
	})
	assert.ErrorIs(t, err, ovsdb.ErrInvalid)
}

// TestInsertedRowSentWhole: edits of a row the transaction inserted (a
// mutation of the new bridge's ports, an update of its fail_mode) send no
// operation of their own; the insert carries the final content, which the
// server then holds. A copy handed out before an edit does not change.
func TestInsertedRowSentWhole(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t)
	ctx := testCtx(t, 20*time.Second)
	var before *vswitchdb.Bridge
	cmds := []ovsdb.Command{ovsdb.NoWait(), addBridge("br0"),
		ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			var err error
			before, err = ovsdb.Lookup[vswitchdb.Bridge](tx, "name", "br0")
			return err
		}),
		addPort("br0", "p1", ""), addPort("br0", "p2", ""),
		ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			br, err := ovsdb.Lookup[vswitchdb.Bridge](tx, "name", "br0")
			if err != nil {
				return err
			}
			mode := vswitchdb.BridgeFailModeSecure
			br.FailMode = &mode
			return tx.Update(br, "fail_mode")
		})}
	dry, err := s.Client.Transact(ctx, append([]ovsdb.Command{ovsdb.DryRun()}, cmds...)...)
	require.NoError(t, err)
	var bridgeOps []ovsdb.Operation
	for _, op := range dry.Operations {
		if op.Table == vswitchdb.TableBridge {
			bridgeOps = append(bridgeOps, op)
		}
	}
	require.Len(t, bridgeOps, 1, "one insert for the bridge, no mutate or update")
	assert.Equal(t, "insert", bridgeOps[0].Op)
	assert.Contains(t, bridgeOps[0].Row, "fail_mode")
	ports, err := json.Marshal(bridgeOps[0].Row["ports"])
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(string(ports), "named-uuid"), "local port, p1 and p2 in the insert: %s", ports)
	assert.Len(t, before.Ports, 1, "a copy handed out earlier changed")

	_, err = s.Client.Transact(ctx, cmds...)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"br0", "p1", "p2"}, portNames(t, s.Client, "br0"))
	out, err := s.Vsctl("get", "Bridge", "br0", "fail_mode")
	require.NoError(t, err)
	assert.Equal(t, "secure\n", out)
}

// TestMaxRetries: a transaction that conflicts every time runs once and
// then WithMaxRetries more times, no more, and says how many.
func TestMaxRetries(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 20*time.Second)
	for _, retries := range []int{0, 2} {
		c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithMaxRetries(retries))
		require.NoError(t, err)
		attempts := 0
		_, err = c.Do(ctx, func(tx *ovsdb.Tx) error {
			tx.NoWait()
			attempts++
			p, n, err := portCounter(tx, "p1")
			if err != nil {
				return err
			}
			if err := tx.Verify(p, "external_ids"); err != nil {
				return err
			}
			// Another client moves the counter under this transaction.
			if _, err := s.Client.Transact(ctx, ovsdb.NoWait(), setCounter("p1", n+1000)); err != nil {
				return err
			}
			p.ExternalIDs = map[string]string{"n": strconv.Itoa(n + 1)}
			return tx.Update(p, "external_ids")
		})
		c.Close()
		require.ErrorIs(t, err, ovsdb.ErrConflict)
		assert.Equal(t, retries+1, attempts, "attempts with WithMaxRetries(%d)", retries)
		assert.Contains(t, err.Error(), fmt.Sprintf("after %d attempts", retries+1))
	}
}
