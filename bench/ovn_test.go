package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	libclient "github.com/ovn-kubernetes/libovsdb/client"
	libmodel "github.com/ovn-kubernetes/libovsdb/model"
	libovsdb "github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
)

// nbServer starts a fresh Northbound database with switch ls0.
func nbServer(b *testing.B) (*ovstest.Server, context.Context) {
	b.Helper()
	ovstest.RequireTools(b, "ovn-nbctl")
	s := ovstest.NewServer(b, ovstest.WithSchema(ovsproc.DefaultNBSchema), ovstest.WithoutInit(), ovstest.WithoutClient(), ovstest.WithBackend(ovstest.ProcessBackend))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	b.Cleanup(cancel)
	if out, err := exec.CommandContext(ctx, "ovn-nbctl", "--db="+s.Endpoint, "ls-add", "ls0").CombinedOutput(); err != nil {
		b.Fatalf("ls-add: %v: %s", err, out)
	}
	return s, ctx
}

// libovsdb's models of the two tables lsp-add touches.
type libLS struct {
	UUID  string   `ovsdb:"_uuid"`
	Name  string   `ovsdb:"name"`
	Ports []string `ovsdb:"ports"`
}

type libLSP struct {
	UUID      string   `ovsdb:"_uuid"`
	Name      string   `ovsdb:"name"`
	Addresses []string `ovsdb:"addresses"`
}

// libovsdbClient is libovsdb v0.8.1's client with its cache of both
// tables (MonitorAll).
func libovsdbClient(b *testing.B, ctx context.Context, endpoint string) (libclient.Client, string) {
	b.Helper()
	dbModel, err := libmodel.NewClientDBModel("OVN_Northbound", map[string]libmodel.Model{
		"Logical_Switch": &libLS{}, "Logical_Switch_Port": &libLSP{},
	})
	if err != nil {
		b.Fatal(err)
	}
	c, err := libclient.NewOVSDBClient(dbModel, libclient.WithEndpoint(endpoint))
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	if _, err := c.MonitorAll(ctx); err != nil {
		b.Fatal(err)
	}
	var switches []libLS
	if err := c.List(ctx, &switches); err != nil || len(switches) != 1 {
		b.Fatalf("ls0: %v %v", switches, err)
	}
	return c, switches[0].UUID
}

// libovsdbAddPort is lsp-add through libovsdb: the port's insert and the
// switch's ports mutation in one transaction.
func libovsdbAddPort(ctx context.Context, c libclient.Client, lsUUID, name string) error {
	lsp := &libLSP{UUID: "newport", Name: name}
	ops, err := c.Create(lsp)
	if err != nil {
		return err
	}
	ls := &libLS{UUID: lsUUID}
	mut, err := c.Where(ls).Mutate(ls, libmodel.Mutation{Field: &ls.Ports, Mutator: libovsdb.MutateOperationInsert, Value: []string{"newport"}})
	if err != nil {
		return err
	}
	res, err := c.Transact(ctx, append(ops, mut...)...)
	if err != nil {
		return err
	}
	_, err = libovsdb.CheckOperationResults(res, append(ops, mut...))
	return err
}

// rawNB is the raw JSON-RPC client on the Northbound database: lsp-add's
// two operations, no cache, no checks (the floor).
func rawNB(b *testing.B, ctx context.Context, endpoint string) *RawClient {
	b.Helper()
	rc, err := DialRaw(ctx, endpoint)
	if err != nil {
		b.Fatal(err)
	}
	rc.Database = "OVN_Northbound"
	b.Cleanup(func() { rc.Close() })
	return rc
}

// nbctlDaemon starts ovn-nbctl in daemon mode and returns its control
// socket (OVN_NB_DAEMON).
func nbctlDaemon(b *testing.B, endpoint string) string {
	b.Helper()
	dir := b.TempDir()
	pidfile := filepath.Join(dir, "nbctl.pid")
	cmd := exec.Command("ovn-nbctl", "--db="+endpoint, "--detach", "--pidfile="+pidfile, "--log-file="+filepath.Join(dir, "nbctl.log"), "--unixctl="+filepath.Join(dir, "nbctl.ctl"))
	cmd.Env = append(os.Environ(), "OVN_RUNDIR="+dir)
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("ovn-nbctl --detach: %v", err)
	}
	b.Cleanup(func() {
		if pid, err := os.ReadFile(pidfile); err == nil {
			var p int
			fmt.Sscan(strings.TrimSpace(string(pid)), &p)
			if proc, err := os.FindProcess(p); err == nil && p > 0 {
				_ = proc.Kill()
			}
		}
	})
	return strings.TrimSpace(string(out))
}

// BenchmarkLSPAdd: N sequential lsp-add on one switch, through ovskit
// (package ovn/nb: the lookups, checks and verified commit of ovn-nbctl's
// semantics), libovsdb with its cache, ovn-nbctl one process per command,
// and ovn-nbctl in daemon mode (a client process per command, talking to
// a resident ovn-nbctl that keeps its IDL).
func BenchmarkLSPAdd(b *testing.B) {
	b.Run("impl=ovskit", func(b *testing.B) {
		s, ctx := nbServer(b)
		c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(nbdb.Database()))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := c.Transact(ctx, nb.AddSwitchPort("ls0", fmt.Sprintf("p%d", i))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=raw", func(b *testing.B) {
		s, ctx := nbServer(b)
		rc := rawNB(b, ctx, s.Endpoint)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := rc.Transact(AddSwitchPortOps("ls0", fmt.Sprintf("p%d", i))...); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=libovsdb", func(b *testing.B) {
		s, ctx := nbServer(b)
		c, ls := libovsdbClient(b, ctx, s.Endpoint)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := libovsdbAddPort(ctx, c, ls, fmt.Sprintf("p%d", i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=ovn-nbctl-daemon", func(b *testing.B) {
		s, ctx := nbServer(b)
		ctl := nbctlDaemon(b, s.Endpoint)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			cmd := exec.CommandContext(ctx, "ovn-nbctl", "lsp-add", "ls0", fmt.Sprintf("p%d", i))
			cmd.Env = append(os.Environ(), "OVN_NB_DAEMON="+ctl)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
	b.Run("impl=ovn-nbctl", func(b *testing.B) {
		s, ctx := nbServer(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if out, err := exec.CommandContext(ctx, "ovn-nbctl", "--db="+s.Endpoint, "lsp-add", "ls0", fmt.Sprintf("p%d", i)).CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
}

// BenchmarkLSPAddGrowth: 10,000 sequential lsp-add on one switch (a new
// switch each iteration); reports the time of the last 1,000 over the
// first 1,000 (flat: 1), the cost of an add at the end, and the client's
// heap per port.
func BenchmarkLSPAddGrowth(b *testing.B) {
	const n = 10000
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	run := func(b *testing.B, newSwitch func(iter int) error, add func(iter, i int) error) {
		var first, last time.Duration
		for iter := range b.N {
			b.StopTimer()
			if err := newSwitch(iter); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := time.Now()
			var lastStart time.Duration
			for i := range n {
				if i == 1000 {
					first += time.Since(start)
				}
				if i == n-1000 {
					lastStart = time.Since(start)
				}
				if err := add(iter, i); err != nil {
					b.Fatal(err)
				}
			}
			last += time.Since(start) - lastStart
		}
		b.ReportMetric(float64(last)/float64(first), "last/first")
		b.ReportMetric(float64(last.Microseconds())/1000/float64(b.N), "µs/add-at-10k")
	}
	b.Run("impl=ovskit", func(b *testing.B) {
		s, ctx := nbServer(b)
		before := heap()
		c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(nbdb.Database()))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		run(b, func(iter int) error {
			_, err := c.Transact(ctx, nb.AddSwitch(fmt.Sprintf("grow%d", iter)))
			return err
		}, func(iter, i int) error {
			_, err := c.Transact(ctx, nb.AddSwitchPort(fmt.Sprintf("grow%d", iter), fmt.Sprintf("g%d-%d", iter, i)))
			return err
		})
		b.ReportMetric(float64(heap()-before)/float64(n*b.N), "heapB/port")
	})
	b.Run("impl=raw", func(b *testing.B) {
		s, ctx := nbServer(b)
		rc := rawNB(b, ctx, s.Endpoint)
		run(b, func(iter int) error {
			_, err := rc.Transact(map[string]any{"op": "insert", "table": "Logical_Switch", "row": map[string]any{"name": fmt.Sprintf("grow%d", iter)}})
			return err
		}, func(iter, i int) error {
			_, err := rc.Transact(AddSwitchPortOps(fmt.Sprintf("grow%d", iter), fmt.Sprintf("g%d-%d", iter, i))...)
			return err
		})
	})
	b.Run("impl=libovsdb", func(b *testing.B) {
		s, ctx := nbServer(b)
		before := heap()
		c, _ := libovsdbClient(b, ctx, s.Endpoint)
		var ls string
		run(b, func(iter int) error {
			ops, err := c.Create(&libLS{UUID: "newls", Name: fmt.Sprintf("grow%d", iter)})
			if err != nil {
				return err
			}
			res, err := c.Transact(ctx, ops...)
			if err != nil {
				return err
			}
			if _, err := libovsdb.CheckOperationResults(res, ops); err != nil {
				return err
			}
			ls = res[0].UUID.GoUUID
			return nil
		}, func(iter, i int) error { return libovsdbAddPort(ctx, c, ls, fmt.Sprintf("g%d-%d", iter, i)) })
		b.ReportMetric(float64(heap()-before)/float64(n*b.N), "heapB/port")
	})
}
