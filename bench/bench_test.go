package bench

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
)

// Each benchmark starts a private ovsdb-server (no ovs-vswitchd: every
// figure is --no-wait) and measures ovskit's full command path (snapshot,
// verification, commit, read-your-writes) beside its references: the raw
// JSON-RPC client (the floor) and the real ovs-vsctl.

func setup(b *testing.B) (*ovstest.Server, context.Context) {
	b.Helper()
	s := ovstest.NewServer(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	b.Cleanup(cancel)
	if _, err := s.Client.Transact(ctx, ovsdb.NoWait(), bridge.Add("br0", bridge.DatapathType("netdev"))); err != nil {
		b.Fatal(err)
	}
	return s, ctx
}

func rawClient(b *testing.B, s *ovstest.Server, ctx context.Context) *RawClient {
	b.Helper()
	rc, err := DialRaw(ctx, s.Endpoint)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rc.Close() })
	return rc
}

// (a) N sequential single-port transactions.
func BenchmarkSequentialAddPort(b *testing.B) {
	b.Run("impl=ovskit", func(b *testing.B) {
		s, ctx := setup(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := s.Client.Transact(ctx, ovsdb.NoWait(), port.Add("br0", fmt.Sprintf("p%d", i), port.WithIface(iface.Type(iface.Internal)))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=raw", func(b *testing.B) {
		s, ctx := setup(b)
		rc := rawClient(b, s, ctx)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := rc.Transact(AddPortOps("br0", fmt.Sprintf("p%d", i), i)...); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=ovs-vsctl", func(b *testing.B) {
		s, _ := setup(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := s.Vsctl("--no-wait", "add-port", "br0", fmt.Sprintf("p%d", i), "--", "set", "Interface", fmt.Sprintf("p%d", i), "type=internal"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// (a), paired: this VM's speed drifts by ±20 % within minutes, more than
// the gap (a) measures, so each iteration is a pair: 1000 sequential adds
// through ovskit and 1000 through the raw client, each on a fresh server,
// which of them goes first alternating. Reports the medians over the
// pairs: each one's time per add and ovskit's rate relative to raw's
// (raw's time over ovskit's, the (a) target's ratio). Run it with
// -benchtime Nx for N pairs.
func BenchmarkSequentialAddPortPaired(b *testing.B) {
	const adds = 1000
	run := func(raw bool) time.Duration {
		s, ctx := setup(b)
		defer s.Close()
		add := func(i int) error {
			_, err := s.Client.Transact(ctx, ovsdb.NoWait(), port.Add("br0", fmt.Sprintf("p%d", i), port.WithIface(iface.Type(iface.Internal))))
			return err
		}
		if raw {
			rc := rawClient(b, s, ctx)
			defer rc.Close()
			add = func(i int) error {
				_, err := rc.Transact(AddPortOps("br0", fmt.Sprintf("p%d", i), i)...)
				return err
			}
		}
		start := time.Now()
		for i := 0; i < adds; i++ {
			if err := add(i); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start) / adds
	}
	var ovskit, raw, ratio []float64
	for i := 0; i < b.N; i++ {
		var o, r time.Duration
		if i%2 == 0 {
			o, r = run(false), run(true)
		} else {
			r, o = run(true), run(false)
		}
		ovskit = append(ovskit, float64(o.Microseconds()))
		raw = append(raw, float64(r.Microseconds()))
		ratio = append(ratio, float64(r)/float64(o))
	}
	b.ReportMetric(median(ovskit), "ovskit-µs/add")
	b.ReportMetric(median(raw), "raw-µs/add")
	b.ReportMetric(median(ratio), "rate-vs-raw")
}

// median returns the median of xs (which it sorts).
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// (b) One transaction adding N ports to a new bridge.
func BenchmarkOneTransaction(b *testing.B) {
	const n = 200
	b.Run(fmt.Sprintf("impl=ovskit/ports=%d", n), func(b *testing.B) {
		s, ctx := setup(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			br := fmt.Sprintf("b%d", i)
			cmds := []ovsdb.Command{ovsdb.NoWait(), bridge.Add(br, bridge.DatapathType("netdev"))}
			for j := 0; j < n; j++ {
				cmds = append(cmds, port.Add(br, fmt.Sprintf("%s-p%d", br, j), port.WithIface(iface.Type(iface.Internal))))
			}
			if _, err := s.Client.Transact(ctx, cmds...); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("impl=raw/ports=%d", n), func(b *testing.B) {
		s, ctx := setup(b)
		rc := rawClient(b, s, ctx)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			br := fmt.Sprintf("b%d", i)
			ops := AddBridgeOps(br)
			for j := 0; j < n; j++ {
				ops = append(ops, AddPortOps(br, fmt.Sprintf("%s-p%d", br, j), j)...)
			}
			if _, err := rc.Transact(ops...); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("impl=ovs-vsctl/ports=%d", n), func(b *testing.B) {
		s, _ := setup(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			br := fmt.Sprintf("b%d", i)
			args := []string{"--no-wait", "add-br", br, "--", "set", "Bridge", br, "datapath_type=netdev"}
			for j := 0; j < n; j++ {
				p := fmt.Sprintf("%s-p%d", br, j)
				args = append(args, "--", "add-port", br, p, "--", "set", "Interface", p, "type=internal")
			}
			if _, err := s.Vsctl(args...); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// (c) 4,000 sequential adds onto one bridge: does a transaction's cost grow
// with the size of the bridge's port set? Reports the time of the last 500
// adds over the first 500 (growth) and the whole run.
func BenchmarkGrowth(b *testing.B) {
	const total, window = 4000, 500
	run := func(b *testing.B, add func(i int) error) {
		for it := 0; it < b.N; it++ {
			var first, last time.Duration
			start := time.Now()
			for i := 0; i < total; i++ {
				t0 := time.Now()
				if err := add(it*total + i); err != nil {
					b.Fatal(err)
				}
				d := time.Since(t0)
				if i < window {
					first += d
				}
				if i >= total-window {
					last += d
				}
			}
			b.ReportMetric(float64(last)/float64(first), "last/first")
			b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/4000adds")
		}
	}
	b.Run("impl=ovskit", func(b *testing.B) {
		s, ctx := setup(b)
		b.ResetTimer()
		run(b, func(i int) error {
			_, err := s.Client.Transact(ctx, ovsdb.NoWait(), port.Add("br0", fmt.Sprintf("p%d", i), port.WithIface(iface.Type(iface.Internal))))
			return err
		})
	})
	b.Run("impl=raw", func(b *testing.B) {
		s, ctx := setup(b)
		rc := rawClient(b, s, ctx)
		b.ResetTimer()
		run(b, func(i int) error {
			_, err := rc.Transact(AddPortOps("br0", fmt.Sprintf("p%d", i), i)...)
			return err
		})
	})
}

// (d) Concurrent adds through one client: 32 goroutines share one ovskit
// client (snapshots, verification, read-your-writes), against the raw
// client with 32 requests in flight on one connection. Reports adds/s.
func BenchmarkConcurrentAddPort(b *testing.B) {
	const goroutines = 32
	run := func(b *testing.B, add func(i int) error) {
		took := concurrently(b, goroutines, add)
		b.ReportMetric(float64(b.N)/took.Seconds(), "adds/s")
	}
	b.Run(fmt.Sprintf("impl=ovskit/goroutines=%d", goroutines), func(b *testing.B) {
		s, ctx := setup(b)
		b.ResetTimer()
		run(b, func(i int) error {
			_, err := s.Client.Transact(ctx, ovsdb.NoWait(), port.Add("br0", fmt.Sprintf("p%d", i), port.WithIface(iface.Type(iface.Internal))))
			return err
		})
	})
	b.Run(fmt.Sprintf("impl=raw/inflight=%d", goroutines), func(b *testing.B) {
		s, ctx := setup(b)
		p, err := DialPipeline(ctx, s.Endpoint)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { p.Close() })
		b.ResetTimer()
		run(b, func(i int) error {
			_, err := p.Transact(AddPortOps("br0", fmt.Sprintf("p%d", i), i)...)
			return err
		})
	})
}

// concurrently runs op(0) ... op(b.N-1) on goroutines goroutines and
// returns how long they took; an error fails the benchmark.
func concurrently(b *testing.B, goroutines int, op func(i int) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if err := op(i); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// TestBenchmarkReferencesAgree checks, once, that the three implementations
// the benchmarks compare build the same rows.
func TestBenchmarkReferencesAgree(t *testing.T) {
	dumps := map[string]string{}
	for _, impl := range []string{"ovskit", "raw", "ovs-vsctl"} {
		s := ovstest.NewServer(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := s.Client.Transact(ctx, ovsdb.NoWait(), bridge.Add("br0", bridge.DatapathType("netdev"))); err != nil {
			t.Fatal(err)
		}
		var err error
		switch impl {
		case "ovskit":
			_, err = s.Client.Transact(ctx, ovsdb.NoWait(), port.Add("br0", "p0", port.WithIface(iface.Type(iface.Internal))))
		case "raw":
			var rc *RawClient
			if rc, err = DialRaw(ctx, s.Endpoint); err == nil {
				_, err = rc.Transact(AddPortOps("br0", "p0", 0)...)
				rc.Close()
			}
		case "ovs-vsctl":
			_, err = s.Vsctl("--no-wait", "add-port", "br0", "p0", "--", "set", "Interface", "p0", "type=internal")
		}
		if err != nil {
			t.Fatalf("%s: %v", impl, err)
		}
		out, err := exec.Command("ovs-vsctl", "--db="+s.Endpoint, "--columns=name,type", "list", "Interface").Output()
		if err != nil {
			t.Fatal(err)
		}
		dumps[impl] = sortedLines(string(out))
	}
	if dumps["ovskit"] != dumps["raw"] || dumps["raw"] != dumps["ovs-vsctl"] {
		t.Fatalf("implementations differ:\n%v", dumps)
	}
}

func sortedLines(s string) string {
	var recs []string
	for _, r := range strings.Split(strings.TrimSpace(s), "\n\n") {
		recs = append(recs, strings.Join(strings.Fields(r), " "))
	}
	slices.Sort(recs)
	return strings.Join(recs, "\n")
}
