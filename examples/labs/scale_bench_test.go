package labs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// BenchmarkOVNScale is the scale run at 8, 16, 32 and 64 chassis (2
// guests each, 16 pairs pinged), as `make bench` records it: each figure
// is a metric of its sub-benchmark.
func BenchmarkOVNScale(b *testing.B) {
	ovstest.Require(b, ovstest.NeedVSwitchd, ovstest.NeedNetns, ovstest.NeedOVN)
	for _, n := range []int{8, 16, 32, 64} {
		b.Run(fmt.Sprintf("chassis=%d", n), func(b *testing.B) {
			for range b.N {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
				res, err := labs.Scale(ctx, labs.ScaleConfig{Chassis: n, Guests: 2, Pairs: 16, Prefix: prefix})
				cancel()
				if err != nil {
					b.Fatal(err)
				}
				if res.Reached != res.Pairs {
					b.Fatalf("%d of %d pairs reached", res.Reached, res.Pairs)
				}
				b.ReportMetric(res.Registered.Seconds(), "s-registered")
				b.ReportMetric(res.PortsUp.Seconds(), "s-ports-up")
				b.ReportMetric(float64(res.RSS)/(1<<20), "MB-rss/chassis")
				b.ReportMetric(100*res.IdleCPU, "%cpu-idle/chassis")
				b.ReportMetric(res.Teardown.Seconds(), "s-teardown")
			}
		})
	}
}
