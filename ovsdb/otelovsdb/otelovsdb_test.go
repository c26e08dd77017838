package otelovsdb_test

import (
	"context"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/otelovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestMetrics: a client's transactions and cache, collected through the
// OpenTelemetry SDK: the histograms count each transaction under its
// outcome, the bytes sent add up, the cache's rows are per table.
func TestMetrics(t *testing.T) {
	srv := ovstest.NewServer(t, ovstest.WithSchema("../../testdata/schemas/ovn-sb-23.03.0.ovsschema"), ovstest.WithoutInit(),
		ovstest.WithoutClient(), ovstest.WithBackend(ovstest.ProcessBackend))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	ins, err := otelovsdb.New(mp)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()), ovsdb.WithObserver(ins.Observe))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reg, err := ins.ObserveCache(c)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Unregister()
	for i := range 3 {
		if _, err := c.Do(ctx, func(tx *ovsdb.Tx) error {
			_, err := tx.Insert(&sbdb.DatapathBinding{TunnelKey: i + 1})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.View(ctx, func(tx *ovsdb.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	var sent int64
	rows := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelovsdb.ScopeName {
			t.Errorf("scope %q", sm.Scope.Name)
		}
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					o, _ := p.Attributes.Value("ovsdb.outcome")
					counts[m.Name+"/"+o.AsString()] += p.Count
				}
			case metricdata.Histogram[int64]:
				for _, p := range d.DataPoints {
					o, _ := p.Attributes.Value("ovsdb.outcome")
					counts[m.Name+"/"+o.AsString()] += p.Count
				}
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					sent += p.Value
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					tb, _ := p.Attributes.Value("ovsdb.table")
					rows[m.Name+"/"+tb.AsString()] = p.Value
				}
			}
		}
	}
	for k, want := range map[string]uint64{
		"ovsdb.client.transaction.duration/committed": 3, "ovsdb.client.transaction.duration/read": 1,
		"ovsdb.client.transaction.runs/committed": 3,
	} {
		if counts[k] != want {
			t.Errorf("%s: %d, want %d (all: %v)", k, counts[k], want, counts)
		}
	}
	if sent <= 0 {
		t.Errorf("bytes sent: %d", sent)
	}
	if rows["ovsdb.client.cache.rows/Datapath_Binding"] != 3 || rows["ovsdb.client.cache.version/"] < 3 {
		t.Errorf("cache gauges: %v", rows)
	}
}
