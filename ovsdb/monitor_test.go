package ovsdb_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// TestWithMonitorRefuses: a monitor of an unknown table or column, or with
// a condition the protocol lacks, is refused by Dial before it connects.
func TestWithMonitorRefuses(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  ovsdb.Option
		want error
	}{
		{"unknown table", ovsdb.WithMonitor(ovsdb.Monitor{Table: "Nope"}), ovsdb.ErrUnknownTable},
		{"unknown column", ovsdb.WithMonitor(ovsdb.Monitor{Table: vswitchdb.TablePort, Columns: []string{"nope"}}), ovsdb.ErrUnknownColumn},
		{"unknown condition column", ovsdb.WithMonitor(ovsdb.Monitor{Table: vswitchdb.TablePort, Where: []ovsdb.Condition{{Column: "nope", Function: "==", Value: "x"}}}), ovsdb.ErrUnknownColumn},
		{"unknown function", ovsdb.WithMonitor(ovsdb.Monitor{Table: vswitchdb.TablePort, Where: []ovsdb.Condition{{Column: "name", Function: "~=", Value: "x"}}}), ovsdb.ErrInvalid},
		{"no table", ovsdb.WithMonitor(ovsdb.Monitor{}), ovsdb.ErrInvalid},
		{"a table twice", ovsdb.WithMonitor(ovsdb.Monitor{Table: vswitchdb.TablePort}, ovsdb.Monitor{Table: vswitchdb.TablePort}), ovsdb.ErrInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ovsdb.Dial(context.Background(), "unix:/nonexistent/db.sock", ovsdb.WithDatabase(vswitchdb.Database()), tt.opt)
			if !errors.Is(err, tt.want) {
				t.Errorf("Dial = %v, want %v", err, tt.want)
			}
		})
	}
}
