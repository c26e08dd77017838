package ovsdb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// TestSelect: a client that keeps no copy of Logical_Flow (it monitors
// nothing, or another table) reads the flows of a datapath from the
// server: conditions in Go values or in OVSDB's notation, some columns
// or all, a set column's includes; bad input refused before anything is
// sent.
func TestSelect(t *testing.T) {
	srv := sbServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var a, b string
	res, err := w.Do(ctx, func(tx *ovsdb.Tx) error {
		var err error
		if a, err = tx.Insert(&sbdb.DatapathBinding{TunnelKey: 1}); err != nil {
			return err
		}
		if b, err = tx.Insert(&sbdb.DatapathBinding{TunnelKey: 2}); err != nil {
			return err
		}
		g, err := tx.Insert(&sbdb.LogicalDPGroup{Datapaths: []string{a, b}})
		if err != nil {
			return err
		}
		// (A group lives while a flow refers to it.)
		if _, err := tx.Insert(&sbdb.LogicalFlow{LogicalDpGroup: &g, Pipeline: "egress", Match: "1", Actions: "next;"}); err != nil {
			return err
		}
		for i := range 30 {
			dp := a
			if i >= 20 {
				dp = b
			}
			if _, err := tx.Insert(&sbdb.LogicalFlow{LogicalDatapath: &dp, Pipeline: "ingress", TableID: i % 5,
				Match: fmt.Sprintf("reg%d == 1", i), Actions: "next;"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a, b = res.UUID(a), res.UUID(b)
	for name, opt := range map[string]ovsdb.Option{"monitors nothing": ovsdb.WithMonitor(),
		"monitors another table": ovsdb.WithMonitor(ovsdb.Monitor{Table: "SB_Global"})} {
		t.Run(name, func(t *testing.T) {
			c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(sbdb.Database()), opt)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.View(ctx, func(tx *ovsdb.Tx) error {
				_, err := ovsdb.List[sbdb.LogicalFlow](tx)
				return err
			}); !errors.Is(err, ovsdb.ErrNotMonitored) {
				t.Fatalf("the cache has Logical_Flow: %v", err)
			}
			for _, tc := range []struct {
				name    string
				where   []ovsdb.Condition
				columns []string
				n       int
			}{
				{"a Go value", []ovsdb.Condition{{Column: "logical_datapath", Function: "==", Value: &a}}, nil, 20},
				{"OVSDB notation", []ovsdb.Condition{{Column: "logical_datapath", Function: "==", Value: []any{"uuid", b}}}, nil, 10},
				{"two conditions", []ovsdb.Condition{{Column: "logical_datapath", Function: "==", Value: &a}, {Column: "table_id", Function: "==", Value: 2}}, nil, 4},
				{"everything", nil, nil, 31},
				{"one column", []ovsdb.Condition{{Column: "logical_datapath", Function: "==", Value: &b}}, []string{"match"}, 10},
			} {
				got, err := ovsdb.Select[sbdb.LogicalFlow](ctx, c, tc.where, tc.columns...)
				if err != nil || len(got) != tc.n {
					t.Fatalf("%s: %d rows, %v; want %d", tc.name, len(got), err, tc.n)
				}
				for _, f := range got {
					if f.UUID == "" || f.Match == "" || (tc.columns == nil) != (f.Actions == "next;") {
						t.Fatalf("%s: row %+v", tc.name, f)
					}
				}
			}
			groups, err := ovsdb.Select[sbdb.LogicalDPGroup](ctx, c, []ovsdb.Condition{{Column: "datapaths", Function: "includes", Value: []string{b}}})
			if err != nil || len(groups) != 1 || len(groups[0].Datapaths) != 2 {
				t.Fatalf("groups including b: %+v, %v", groups, err)
			}
			for _, bad := range [][]ovsdb.Condition{
				{{Column: "nosuch", Function: "==", Value: 1}},
				{{Column: "table_id", Function: "frobs", Value: 1}},
			} {
				if _, err := ovsdb.Select[sbdb.LogicalFlow](ctx, c, bad); !errors.Is(err, ovsdb.ErrInvalid) {
					t.Errorf("%+v: %v, want ErrInvalid", bad, err)
				}
			}
			if _, err := ovsdb.Select[sbdb.LogicalFlow](ctx, c, nil, "nosuch"); !errors.Is(err, ovsdb.ErrUnknownColumn) {
				t.Errorf("unknown column: %v", err)
			}
		})
	}
}
