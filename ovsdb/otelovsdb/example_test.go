package otelovsdb_test

import (
	"context"
	"log"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/otelovsdb"
)

// A Southbound client whose transactions and cache are exported as
// OpenTelemetry metrics (here to an SDK meter provider; a program gives
// its own, with its exporter).
func Example() {
	mp := sdkmetric.NewMeterProvider()
	defer mp.Shutdown(context.Background())
	ins, err := otelovsdb.New(mp)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	c, err := ovsdb.Dial(ctx, "unix:/var/run/ovn/ovnsb_db.sock", ovsdb.WithDatabase(sbdb.Database()),
		ovsdb.WithObserver(ins.Observe))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	reg, err := ins.ObserveCache(c)
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Unregister()
}
