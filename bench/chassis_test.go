package bench

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
)

// chassisCount is BenchmarkChassis's number of chassis:
// OVSKIT_BENCH_CHASSIS, else 100.
func chassisCount(b *testing.B) int {
	if s := os.Getenv("OVSKIT_BENCH_CHASSIS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 10 {
			b.Fatalf("OVSKIT_BENCH_CHASSIS: %q (10 or more)", s)
		}
		return n
	}
	return 100
}

// agent is a simulated chassis: an ovskit client whose cache holds the
// Port_Binding rows of its datapath (a conditional monitor, as
// ovn-controller's without ovn-monitor-all), and when it saw each change.
type agent struct {
	c  *ovsdb.Client
	dp int
	mu sync.Mutex
	// seen: change number → when the agent's cache had it.
	seen map[string]time.Time
}

// BenchmarkChassis: N simulated chassis (OVSKIT_BENCH_CHASSIS, default
// 100; make bench: 1,000) on one machine against a 3-member Southbound
// cluster, directly and through 2 and 4 relays. Ten chassis share each
// datapath, which has 5 port bindings. It reports the time for every
// chassis to connect and load its view, the time for a Port_Binding
// change to reach each interested chassis (p50, p99 over 30 changes), the
// CPU the cluster's leader spent on those changes, the bytes each chassis
// received, and, after the leader is killed, the time until every chassis
// has a change made after the kill (the storm of reconnects and resumes).
func BenchmarkChassis(b *testing.B) {
	n := chassisCount(b)
	for _, relays := range []int{0, 2, 4} {
		b.Run(fmt.Sprintf("chassis=%d/relays=%d", n, relays), func(b *testing.B) {
			chassisRun(b, n, relays)
		})
	}
}

func chassisRun(b *testing.B, n, relays int) {
	central := ovstest.NewCentral(b, ovstest.Members(3), ovstest.WithoutNorthd(), ovstest.WithSBRelays(relays))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	writer, err := ovsdb.Dial(ctx, central.SBEndpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		b.Fatal(err)
	}
	defer writer.Close()
	dps := (n + 9) / 10
	names := make([]string, dps)
	res, err := writer.Do(ctx, func(tx *ovsdb.Tx) error {
		for d := range dps {
			u, err := tx.Insert(&sbdb.DatapathBinding{TunnelKey: d + 1})
			if err != nil {
				return err
			}
			names[d] = u
			for p := range 5 {
				if _, err := tx.Insert(&sbdb.PortBinding{Datapath: u, LogicalPort: fmt.Sprintf("dp%d-p%d", d, p), TunnelKey: p + 1,
					MAC: []string{fmt.Sprintf("0a:00:00:00:%02x:%02x unknown", d&255, p)}}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	dpUUID := make([]string, dps)
	for d := range dps {
		dpUUID[d] = res.UUID(names[d])
	}
	endpoints := central.SBEndpoint
	if relays > 0 {
		endpoints = strings.Join(central.SBRelayEndpoints, ",")
	}

	// Every chassis connects and loads its view.
	agents := make([]*agent, n)
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	var failed atomic.Value
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			a := &agent{dp: i / 10, seen: map[string]time.Time{}}
			c, err := ovsdb.Dial(ctx, endpoints, ovsdb.WithDatabase(sbdb.Database()),
				ovsdb.WithMonitor(ovsdb.Monitor{Table: "Port_Binding",
					Where: []ovsdb.Condition{{Column: "datapath", Function: "==", Value: []any{"uuid", dpUUID[a.dp]}}}}))
			if err != nil {
				failed.Store(err)
				return
			}
			a.c = c
			events, err := ovsdb.Watch[sbdb.PortBinding](ctx, c)
			if err != nil {
				failed.Store(err)
				return
			}
			go func() {
				for ev := range events {
					if ev.New == nil {
						continue
					}
					if s, ok := ev.New.ExternalIDs["change"]; ok {
						a.mu.Lock()
						if _, dup := a.seen[s]; !dup {
							a.seen[s] = time.Now()
						}
						a.mu.Unlock()
					}
				}
			}()
			agents[i] = a
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatalf("a chassis: %v", err)
	}
	connectAll := time.Since(start)
	defer func() {
		for _, a := range agents {
			a.c.Close()
		}
	}()
	var received uint64
	for _, a := range agents {
		received += a.c.Stats().Received
	}

	// change sets external_ids:change=label on one port binding of each
	// of the datapaths.
	change := func(label string, datapaths []int) error {
		_, err := writer.Do(ctx, func(tx *ovsdb.Tx) error {
			for _, d := range datapaths {
				pb, err := ovsdb.Lookup[sbdb.PortBinding](tx, "logical_port", fmt.Sprintf("dp%d-p%d", d, len(label)%5))
				if err != nil {
					return err
				}
				pb.ExternalIDs = map[string]string{"change": label}
				if err := tx.Update(pb, "external_ids"); err != nil {
					return err
				}
			}
			return nil
		})
		return err
	}
	// waitSeen waits until every chassis of the datapaths has the change
	// and returns when each did.
	waitSeen := func(label string, datapaths []int) ([]time.Time, error) {
		deadline := time.Now().Add(2 * time.Minute)
		for {
			var at []time.Time
			missing := 0
			for _, a := range agents {
				if !slices.Contains(datapaths, a.dp) {
					continue
				}
				a.mu.Lock()
				t, ok := a.seen[label]
				a.mu.Unlock()
				if ok {
					at = append(at, t)
				} else {
					missing++
				}
			}
			if missing == 0 {
				return at, nil
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("change %s: %d chassis never had it", label, missing)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}

	leader, err := central.Leader(ctx, ovsproc.SB)
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := procCPU(central.MemberPID(ovsproc.SB, leader))
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		for k := range 30 {
			label := fmt.Sprintf("r%d-%d", i, k)
			dp := (k * 7) % dps
			t0 := time.Now()
			if err := change(label, []int{dp}); err != nil {
				b.Fatal(err)
			}
			at, err := waitSeen(label, []int{dp})
			if err != nil {
				b.Fatal(err)
			}
			for _, t := range at {
				lat = append(lat, t.Sub(t0))
			}
		}
	}
	b.StopTimer()
	leaderCPU := procCPU(central.MemberPID(ovsproc.SB, leader)) - cpu0
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}

	// The leader dies: every chassis must have a change made after it.
	all := make([]int, dps)
	for d := range all {
		all[d] = d
	}
	killed := time.Now()
	central.KillMember(ovsproc.SB, leader)
	if err := change("after-failover", all); err != nil {
		b.Fatal(err)
	}
	written := time.Since(killed)
	if _, err := waitSeen("after-failover", all); err != nil {
		b.Fatal(err)
	}
	storm := time.Since(killed)
	var resumed, reconnects uint64
	for _, a := range agents {
		st := a.c.Stats()
		resumed += st.Resumed
		reconnects += st.Reconnects
	}
	b.ReportMetric(connectAll.Seconds(), "s-connect-all")
	b.ReportMetric(pct(0.5), "ms-p50")
	b.ReportMetric(pct(0.99), "ms-p99")
	b.ReportMetric(leaderCPU.Seconds(), "s-leader-CPU")
	b.ReportMetric(float64(received)/float64(n)/1024, "KiB-initial/chassis")
	b.ReportMetric(storm.Seconds(), "s-failover-all-current")
	b.ReportMetric(written.Seconds(), "s-failover-write")
	b.ReportMetric(float64(reconnects), "reconnects")
	b.ReportMetric(float64(resumed), "resumed")
}

// procCPU is the CPU time (user and system) process pid has used.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	// The fields after the command's name (in parentheses): utime and
	// stime are the 12th and 13th, in clock ticks (100 a second).
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * 10 * time.Millisecond
}
