package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/openflow"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

const nFlows = 10000

// ofBridge starts ovs-vswitchd with bridge br0 and returns its OpenFlow
// target, a connection, and the text of nFlows distinct flows (variant
// changes the actions of one in a hundred).
func ofBridge(b *testing.B) (string, *openflow.Conn, context.Context) {
	b.Helper()
	ovstest.RequireTools(b, "ovs-ofctl")
	s := ovstest.NewServer(b, ovstest.WithVSwitchd(), ovstest.WithBackend(ovstest.ProcessBackend))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	b.Cleanup(cancel)
	if _, err := s.Client.Transact(ctx, bridge.Add("br0", bridge.DatapathType("netdev"))); err != nil {
		b.Fatal(err)
	}
	target := "unix:" + filepath.Join(s.Dir, "br0.mgmt")
	// The version ovs-ofctl speaks here (-O OpenFlow13), for a like
	// comparison.
	c, err := openflow.Dial(ctx, target, openflow.WithVersions(openflow.OpenFlow13))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return target, c, ctx
}

func flowTexts(variant int) []string {
	out := make([]string, nFlows)
	for i := range out {
		port := 1
		if variant == 1 && i%100 == 0 {
			port = 2
		}
		out[i] = fmt.Sprintf("priority=100,ip,nw_dst=10.%d.%d.%d,actions=output:%d", i>>16&0xff, i>>8&0xff, i&0xff, port)
	}
	return out
}

func flowFile(b *testing.B, texts []string) string {
	file := filepath.Join(b.TempDir(), "flows.txt")
	if err := os.WriteFile(file, []byte(strings.Join(texts, "\n")+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	return file
}

func parsed(b *testing.B, texts []string) []*openflow.Flow {
	out := make([]*openflow.Flow, len(texts))
	for i, s := range texts {
		f, err := openflow.ParseFlow(s)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = f
	}
	return out
}

func ofctl(b *testing.B, ctx context.Context, args ...string) {
	b.Helper()
	if out, err := exec.CommandContext(ctx, "ovs-ofctl", append([]string{"-O", "OpenFlow13"}, args...)...).CombinedOutput(); err != nil {
		b.Fatalf("ovs-ofctl %v: %v: %s", args, err, out)
	}
}

// BenchmarkFlowInstall: 10,000 flows onto an empty bridge, through ovskit
// (parsing included) in one bundle and back to back, through ovs-ofctl
// add-flows FILE (its best case), and through one ovs-ofctl add-flow
// process per flow (200 timed, reported per 10,000).
func BenchmarkFlowInstall(b *testing.B) {
	texts := flowTexts(0)
	b.Run("impl=ovskit-bundle", func(b *testing.B) {
		_, c, ctx := ofBridge(b)
		for range b.N {
			b.StopTimer()
			if err := c.DelFlows(ctx, nil, false); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := c.AddFlowsAtomic(ctx, parsed(b, texts)...); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=ovskit", func(b *testing.B) {
		_, c, ctx := ofBridge(b)
		for range b.N {
			b.StopTimer()
			if err := c.DelFlows(ctx, nil, false); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := c.AddFlows(ctx, parsed(b, texts)...); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=ovs-ofctl-add-flows", func(b *testing.B) {
		target, _, ctx := ofBridge(b)
		file := flowFile(b, texts)
		for range b.N {
			b.StopTimer()
			ofctl(b, ctx, "del-flows", target)
			b.StartTimer()
			ofctl(b, ctx, "add-flows", target, file)
		}
	})
	b.Run("impl=ovs-ofctl-per-flow", func(b *testing.B) {
		target, _, ctx := ofBridge(b)
		const sample = 200
		var total time.Duration
		for range b.N {
			b.StopTimer()
			ofctl(b, ctx, "del-flows", target)
			b.StartTimer()
			start := time.Now()
			for _, f := range texts[:sample] {
				ofctl(b, ctx, "add-flow", target, f)
			}
			total += time.Since(start)
		}
		b.ReportMetric(total.Seconds()/float64(b.N)*nFlows/sample, "s/10k-flows")
	})
}

// BenchmarkFlowDump: dump-flows of 10,000 flows, ovskit decoding and
// printing every flow against the ovs-ofctl process.
func BenchmarkFlowDump(b *testing.B) {
	texts := flowTexts(0)
	b.Run("impl=ovskit", func(b *testing.B) {
		_, c, ctx := ofBridge(b)
		if err := c.AddFlowsAtomic(ctx, parsed(b, texts)...); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for range b.N {
			flows, err := c.DumpFlows(ctx, nil)
			if err != nil || len(flows) < nFlows {
				b.Fatalf("%d flows: %v", len(flows), err)
			}
			var sb strings.Builder
			for _, f := range flows {
				sb.WriteString(f.StatsString())
				sb.WriteByte('\n')
			}
		}
	})
	b.Run("impl=ovs-ofctl", func(b *testing.B) {
		target, c, ctx := ofBridge(b)
		if err := c.AddFlowsAtomic(ctx, parsed(b, texts)...); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for range b.N {
			ofctl(b, ctx, "dump-flows", target)
		}
	})
}

// BenchmarkReplaceFlows: replace-flows of 10,000 flows of which 1 %
// changed (alternating between two versions), atomically, through ovskit
// and through ovs-ofctl --bundle replace-flows FILE.
func BenchmarkReplaceFlows(b *testing.B) {
	versions := [2][]string{flowTexts(0), flowTexts(1)}
	b.Run("impl=ovskit", func(b *testing.B) {
		_, c, ctx := ofBridge(b)
		if err := c.AddFlowsAtomic(ctx, parsed(b, versions[0])...); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := range b.N {
			if err := c.ReplaceFlows(ctx, parsed(b, versions[(i+1)%2])); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=ovs-ofctl", func(b *testing.B) {
		target, c, ctx := ofBridge(b)
		if err := c.AddFlowsAtomic(ctx, parsed(b, versions[0])...); err != nil {
			b.Fatal(err)
		}
		files := [2]string{flowFile(b, versions[0]), flowFile(b, versions[1])}
		b.ResetTimer()
		for i := range b.N {
			ofctl(b, ctx, "--bundle", "replace-flows", target, files[(i+1)%2])
		}
	})
}
