// Package otelovsdb exports what an ovsdb.Client does as OpenTelemetry
// metrics: each transaction (through ovsdb.WithObserver) and the client's
// cache (ovsdb.Client.CacheStats). It is a package of its own so that a
// program that does not import it does not depend on OpenTelemetry.
//
// The metrics, on the meter named by ScopeName:
//
//	ovsdb.client.transaction.duration  histogram, s   attributes ovsdb.read_only, ovsdb.outcome
//	ovsdb.client.transaction.runs      histogram      runs of the function (1: no re-run)
//	ovsdb.client.sent                  counter, By    bytes of the requests sent
//	ovsdb.client.cache.rows            gauge          attribute ovsdb.table
//	ovsdb.client.cache.version         gauge          updates the cache applied
//
// An outcome is one of committed, read, conflict, not_connected, invalid,
// canceled, error.
package otelovsdb

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/ovskit/ovskit/ovsdb"
)

// ScopeName names the meter the instruments are made on.
const ScopeName = "github.com/ovskit/ovskit/ovsdb"

// Instruments record an ovsdb.Client's transactions and observe its
// cache.
type Instruments struct {
	meter    metric.Meter
	duration metric.Float64Histogram
	runs     metric.Int64Histogram
	sent     metric.Int64Counter
}

// New makes the instruments on mp's meter ScopeName.
func New(mp metric.MeterProvider) (*Instruments, error) {
	m := mp.Meter(ScopeName)
	i := &Instruments{meter: m}
	var err error
	if i.duration, err = m.Float64Histogram("ovsdb.client.transaction.duration", metric.WithUnit("s"),
		metric.WithDescription("How long a transaction (Do, View, Transact) took, re-runs and waits included.")); err != nil {
		return nil, fmt.Errorf("otelovsdb: %w", err)
	}
	if i.runs, err = m.Int64Histogram("ovsdb.client.transaction.runs",
		metric.WithDescription("Runs of a transaction's function: 1, and one more per re-run (a conflict, a reconnect).")); err != nil {
		return nil, fmt.Errorf("otelovsdb: %w", err)
	}
	if i.sent, err = m.Int64Counter("ovsdb.client.sent", metric.WithUnit("By"),
		metric.WithDescription("Bytes of the transaction requests sent to the server.")); err != nil {
		return nil, fmt.Errorf("otelovsdb: %w", err)
	}
	return i, nil
}

// Observe records one transaction: give it to ovsdb.WithObserver.
func (i *Instruments) Observe(info ovsdb.TxInfo) {
	ctx := context.Background()
	attrs := metric.WithAttributes(attribute.Bool("ovsdb.read_only", info.ReadOnly), attribute.String("ovsdb.outcome", Outcome(info)))
	i.duration.Record(ctx, info.Duration.Seconds(), attrs)
	i.runs.Record(ctx, int64(info.Runs), attrs)
	if info.Sent > 0 {
		i.sent.Add(ctx, int64(info.Sent))
	}
}

// Outcome is a transaction's outcome as the metrics name it.
func Outcome(info ovsdb.TxInfo) string {
	switch err := info.Err; {
	case err == nil && info.ReadOnly:
		return "read"
	case err == nil:
		return "committed"
	case errors.Is(err, ovsdb.ErrConflict):
		return "conflict"
	case errors.Is(err, ovsdb.ErrNotConnected):
		return "not_connected"
	case errors.Is(err, ovsdb.ErrInvalid):
		return "invalid"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	}
	return "error"
}

// ObserveCache reports c's cache (its rows per table and its version)
// whenever the metrics are collected, until the registration is
// unregistered.
func (i *Instruments) ObserveCache(c *ovsdb.Client) (metric.Registration, error) {
	rows, err := i.meter.Int64ObservableGauge("ovsdb.client.cache.rows", metric.WithDescription("Rows the client's cache holds, per table."))
	if err != nil {
		return nil, fmt.Errorf("otelovsdb: %w", err)
	}
	version, err := i.meter.Int64ObservableGauge("ovsdb.client.cache.version", metric.WithDescription("Updates the client's cache has applied."))
	if err != nil {
		return nil, fmt.Errorf("otelovsdb: %w", err)
	}
	reg, err := i.meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		st := c.CacheStats()
		for table, n := range st.Rows {
			o.ObserveInt64(rows, int64(n), metric.WithAttributes(attribute.String("ovsdb.table", table)))
		}
		o.ObserveInt64(version, int64(st.Version))
		return nil
	}, rows, version)
	if err != nil {
		return nil, fmt.Errorf("otelovsdb: %w", err)
	}
	return reg, nil
}
