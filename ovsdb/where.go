package ovsdb

import (
	"context"
	"fmt"
	"maps"
	"reflect"
)

// SetWhere changes, while the client runs, which rows of a table its
// cache holds (the table's Monitor.Where: the rows that match any of the
// conditions; nil: every row), as an agent's
// view changes (ovn-controller's datapaths of the ports a chassis has):
// the server sends the rows that now match and drops from the cache those
// that no longer do (monitor_cond_change), without sending the table
// again. It returns once the cache holds the new rows; watchers see the
// rows that leave as deletions and those that come as insertions. The
// table must be monitored (WithMonitor). A condition's Value is the
// column's Go type or OVSDB's JSON notation, as for Select. A reconnect
// monitors the new conditions; a change the server did not confirm (the
// connection lost meanwhile) makes the next connection load the monitored
// tables again instead of resuming.
func (c *Client) SetWhere(ctx context.Context, table string, where []Condition) error {
	c.whereMu.Lock()
	defer c.whereMu.Unlock()
	c.mu.Lock()
	monitors := c.monitors
	c.mu.Unlock()
	old := monitors[table]
	if old == nil {
		return fmt.Errorf("set where %s: table %s: %w (monitor it with WithMonitor)", table, table, ErrNotMonitored)
	}
	zero := c.models.model.zero(table)
	conds, err := c.encodeConds(table, zero, where)
	if err != nil {
		return fmt.Errorf("set where %s: %w", table, err)
	}
	m := *old
	m.Where = conds
	next := maps.Clone(monitors)
	next[table] = &m
	c.mu.Lock()
	c.monitors = next
	c.condGen++
	gen := c.condGen
	rc, ch, monID := c.conn, c.cache, c.monID
	down := c.down || rc == nil
	c.mu.Unlock()
	if down {
		return nil // the next connection monitors them
	}
	if len(conds) > 0 {
		// From now on the table is partly cached: lookups in it ask the
		// server (see Monitor.Where), while rows come and go.
		ch.setMonitors(next, 0)
	}
	req := map[string]any{"where": []any{true}} // every row
	if conds != nil {
		req["where"] = conds
	}
	if _, _, err := rc.call(ctx, "monitor_cond_change", []any{monID, monID, map[string]any{table: []any{req}}}, nil); err != nil {
		return fmt.Errorf("set where %s: %w", table, err)
	}
	// The server sends the rows that come and go before its answer: the
	// cache holds the new conditions' rows.
	ch.setMonitors(next, gen)
	return nil
}

// encodeConds checks conditions on a table (columns of the models,
// RFC 7047's functions) and encodes the values given in the column's Go
// type; others are taken as OVSDB's JSON notation.
func (c *Client) encodeConds(table string, zero Model, where []Condition) ([]Condition, error) {
	if where == nil {
		return nil, nil
	}
	conds := make([]Condition, len(where))
	for i, w := range where {
		switch w.Function {
		case "==", "!=", "<", "<=", ">", ">=", "includes", "excludes":
		default:
			return nil, fmt.Errorf("where %s: function %q: %w", w.Column, w.Function, ErrInvalid)
		}
		cur, ok := zero.OVSDBColumn(w.Column)
		if !ok && w.Column != "_uuid" {
			return nil, unknownColumnError(table, w.Column)
		}
		conds[i] = w
		if ok && reflect.TypeOf(w.Value) == reflect.TypeOf(cur) {
			v, err := c.models.encode(table, w.Column, w.Value)
			if err != nil {
				return nil, fmt.Errorf("where %s: %w", w.Column, err)
			}
			conds[i].Value = v
		}
	}
	return conds, nil
}
