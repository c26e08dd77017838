package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	libclient "github.com/ovn-kubernetes/libovsdb/client"
	libmodel "github.com/ovn-kubernetes/libovsdb/model"

	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// sbSizes are the Logical_Flow counts of BenchmarkFirstSync:
// OVSKIT_BENCH_SB_SIZES (comma-separated), else 25,000.
func sbSizes(b *testing.B) []int {
	s := os.Getenv("OVSKIT_BENCH_SB_SIZES")
	if s == "" {
		return []int{25000}
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("OVSKIT_BENCH_SB_SIZES: %q", s)
		}
		out = append(out, n)
	}
	return out
}

// sbServer starts a Southbound database of n logical flows shaped like
// northd's (a datapath, a match of about 300 bytes, actions, priorities
// and tables spread, stage names in external_ids).
func sbServer(b *testing.B, n int) *ovstest.Server {
	b.Helper()
	srv := ovstest.NewServer(b, ovstest.WithSchema("../testdata/schemas/ovn-sb-23.03.0.ovsschema"), ovstest.WithoutInit(),
		ovstest.WithoutClient(), ovstest.WithBackend(ovstest.ProcessBackend))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	w, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	var dps []string
	res, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
		for i := range 50 {
			u, err := tx.Insert(&sbdb.DatapathBinding{TunnelKey: i + 1, ExternalIDs: map[string]string{"name": fmt.Sprintf("ls%d", i)}})
			if err != nil {
				return err
			}
			dps = append(dps, u)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for i := range dps {
		dps[i] = res.UUID(dps[i])
	}
	for batch := 0; batch < n; batch += 5000 {
		if _, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
			for i := batch; i < min(n, batch+5000); i++ {
				dp := dps[i%len(dps)]
				match := fmt.Sprintf(`inport == "lsp%d" && eth.src == {0a:58:0a:%02x:%02x:%02x} && ip4.src == {10.%d.%d.%d} && (ip4.dst == 10.128.0.0/14 || ip4.dst == 172.30.0.0/16) && tcp.dst == {80, 443, 8080}`,
					i, i>>16&255, i>>8&255, i&255, i>>16&255, i>>8&255, i&255)
				if _, err := tx.Insert(&sbdb.LogicalFlow{LogicalDatapath: &dp, Pipeline: "ingress", TableID: i % 30,
					Priority: i % 100 * 10, Match: match, Actions: fmt.Sprintf(`reg0[1] = 1; outport = "lsp%d"; next;`, i),
					ExternalIDs: map[string]string{"source": "northd.c:" + strconv.Itoa(5000+i%700), "stage-name": "ls_in_acl"}}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	return srv
}

// libLF is libovsdb's model of Logical_Flow.
type libLF struct {
	UUID            string            `ovsdb:"_uuid"`
	Actions         string            `ovsdb:"actions"`
	ControllerMeter *string           `ovsdb:"controller_meter"`
	ExternalIDs     map[string]string `ovsdb:"external_ids"`
	LogicalDatapath *string           `ovsdb:"logical_datapath"`
	LogicalDpGroup  *string           `ovsdb:"logical_dp_group"`
	Match           string            `ovsdb:"match"`
	Pipeline        string            `ovsdb:"pipeline"`
	Priority        int               `ovsdb:"priority"`
	TableID         int               `ovsdb:"table_id"`
	Tags            map[string]string `ovsdb:"tags"`
}

// BenchmarkFirstSync: a client's first complete copy of a Southbound
// database's Logical_Flow table, from the dial: ovskit (the default
// options, its whole cache), libovsdb v0.8.1 (its cache of the table,
// MonitorAll), the C IDL (ovn-sbctl list Logical_Flow, its output thrown
// away) and the floor (the monitor reply read as bytes, not decoded).
// ovskit also reports its heap per row after a GC, its cache alive.
func BenchmarkFirstSync(b *testing.B) {
	ovstest.RequireTools(b, "ovn-sbctl")
	for _, n := range sbSizes(b) {
		srv := sbServer(b, n)
		ctx := context.Background()
		b.Run(fmt.Sprintf("rows=%d/floor", n), func(b *testing.B) {
			for range b.N {
				c, err := DialRaw(ctx, srv.Endpoint)
				if err != nil {
					b.Fatal(err)
				}
				size, err := c.MonitorBytes("OVN_Southbound", "Logical_Flow")
				c.Close()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(size)/float64(n), "B-json/row")
			}
		})
		b.Run(fmt.Sprintf("rows=%d/ovskit", n), func(b *testing.B) {
			for range b.N {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()))
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n), "B-heap/row")
				var got int
				_ = c.View(ctx, func(tx *ovsdb.Tx) error {
					lf, err := ovsdb.List[sbdb.LogicalFlow](tx)
					got = len(lf)
					return err
				})
				c.Close()
				if got != n {
					b.Fatalf("%d rows, want %d", got, n)
				}
				b.StartTimer()
			}
		})
		b.Run(fmt.Sprintf("rows=%d/libovsdb", n), func(b *testing.B) {
			dbModel, err := libmodel.NewClientDBModel("OVN_Southbound", map[string]libmodel.Model{"Logical_Flow": &libLF{}})
			if err != nil {
				b.Fatal(err)
			}
			for range b.N {
				c, err := libclient.NewOVSDBClient(dbModel, libclient.WithEndpoint(srv.Endpoint))
				if err != nil {
					b.Fatal(err)
				}
				if err := c.Connect(ctx); err != nil {
					b.Fatal(err)
				}
				if _, err := c.MonitorAll(ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				var lfs []libLF
				if err := c.List(ctx, &lfs); err != nil || len(lfs) != n {
					b.Fatalf("%d rows, %v; want %d", len(lfs), err, n)
				}
				c.Close()
				b.StartTimer()
			}
		})
		b.Run(fmt.Sprintf("rows=%d/C-IDL", n), func(b *testing.B) {
			for range b.N {
				cmd := exec.Command("ovn-sbctl", "--db="+srv.Endpoint, "--no-leader-only", "list", "Logical_Flow")
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
