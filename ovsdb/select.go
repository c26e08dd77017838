package ovsdb

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ovskit/ovskit/internal/codec"
)

// Select reads from the server, not the cache, the rows of table T that
// match every condition: one RFC 7047 select, for tools and agents that
// keep no copy of a table (a client whose WithMonitor leaves it out, or
// monitors nothing) and need a few of its rows now. columns are those to
// read (none: every column of the models that the server has); the others
// read as zero values. A condition's Value is the column's Go type (a
// string for a reference, []string for a set of them: encoded as the
// column wants) or, as in Monitor.Where, already in OVSDB's JSON notation.
// Rows come in the server's order. A transaction (Do) reads the cache
// instead and verifies what it read; Select verifies nothing.
func Select[T any, PT ModelPtr[T]](ctx context.Context, c *Client, where []Condition, columns ...string) ([]PT, error) {
	table := tableOf[T, PT]()
	rc, ch, err := c.current(ctx)
	if err != nil {
		return nil, err
	}
	zero := c.models.model.zero(table)
	if columns == nil {
		columns = zero.OVSDBColumns()
	}
	cols := []string{"_uuid"}
	for _, col := range columns {
		if _, ok := zero.OVSDBColumn(col); !ok && col != "_uuid" {
			return nil, fmt.Errorf("select %s: %w", table, unknownColumnError(table, col))
		}
		if col != "_uuid" && !ch.lacks.column(table, col) {
			cols = append(cols, col)
		}
	}
	for _, w := range where {
		if ch.lacks.column(table, w.Column) {
			col := w.Column
			if ch.lacks.table(table) {
				col = ""
			}
			return nil, fmt.Errorf("select %s: %w", table, &UnsupportedError{Table: table, Column: col, Server: ch.lacks.server})
		}
	}
	conds, err := c.encodeConds(table, zero, where)
	if err != nil {
		return nil, fmt.Errorf("select %s: %w", table, err)
	}
	op := Operation{Op: "select", Table: table, Where: conds, Columns: cols}
	b, err := op.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("select %s: %w", table, err)
	}
	raw, _, err := rc.call(ctx, "transact", transactParams{c.models.model.name, [][]byte{b}}, nil)
	if err != nil {
		return nil, fmt.Errorf("select %s: %w", table, err)
	}
	rows, err := selected(c.models.model, &op, raw)
	if err != nil {
		return nil, err
	}
	return typed[T, PT](rows), nil
}

// selected decodes the rows of the reply raw to a transaction of one
// select, op, into models.
func selected(m *DatabaseModel, op *Operation, raw json.RawMessage) ([]Model, error) {
	results, err := parseResults(raw, 1)
	if err != nil {
		return nil, err
	}
	if len(results) != 1 {
		return nil, fmt.Errorf("select %s: %d results for 1 operation", op.Table, len(results))
	}
	if r := results[0]; r.Error != nil {
		return nil, fmt.Errorf("select %s: %w", op.Table, &OpError{Index: 0, Op: op, Err: *r.Error, Details: r.Details, Syntax: r.Syntax})
	}
	out := make([]Model, 0, len(results[0].Rows))
	for _, raw := range results[0].Rows {
		row := m.newRow(op.Table)
		err := eachMember(raw, func(col string, v []byte) error {
			if col == "_uuid" {
				u, err := codec.DecUUID[string](v)
				if err != nil {
					return fmt.Errorf("_uuid: %w", err)
				}
				row.OVSDBSetUUID(u)
				return nil
			}
			if err := row.OVSDBDecodeColumn(col, v, false); err != nil {
				return fmt.Errorf("%s: %w", col, err)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("select %s: %w", op.Table, err)
		}
		out = append(out, row)
	}
	return out, nil
}
