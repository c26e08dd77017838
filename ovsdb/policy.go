package ovsdb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
)

// Policy is what a database's package adds to the generic client with its
// models (DatabaseModel.WithPolicy): operations that every transaction
// that writes also sends, what a commit then waits for, and the keys every
// client indexes. The client itself knows no schema. Package vswitchdb's
// policy is Open vSwitch's: every write increments Open_vSwitch.next_cfg,
// and the commit waits until ovs-vswitchd has applied it and reports the
// interfaces it set up. Most databases need none.
type Policy struct {
	// KeyIndexes are indexed by every client of the database whose
	// monitor covers their table (WithKeyIndex adds others).
	KeyIndexes []KeyIndex
	// Monitor lists tables that Committed reads: a client whose monitor
	// is narrowed (WithMonitor) still monitors them, whole.
	Monitor []string
	// OnWrite are operations appended to every transaction that writes,
	// unless it has NoWait (or its client WithNoWait).
	OnWrite []Operation
	// Committed, if set, runs after a transaction with OnWrite's
	// operations committed and the client's cache shows the rows it
	// inserted. It may wait (Commit.Wait) and report (Commit.Result's
	// Report). Its errors must match ErrCommitted: the commit happened.
	Committed func(ctx context.Context, cm *Commit) error
}

// Commit is a committed transaction, as a Policy's Committed sees it.
type Commit struct {
	// Result is the transaction's result; Committed may set its Report.
	Result *Result
	rows   [][]json.RawMessage // the rows each OnWrite operation selected
	c      *Client
	tx     *Tx
}

// Rows returns the rows that the i-th operation of the policy's OnWrite
// selected (nil for an operation that is not a select).
func (cm *Commit) Rows(i int) []json.RawMessage {
	if i < 0 || i >= len(cm.rows) {
		return nil
	}
	return cm.rows[i]
}

// Inserted returns the real UUIDs of the rows of table that the
// transaction inserted (and did not delete again).
func (cm *Commit) Inserted(table string) []string {
	var out []string
	for _, p := range cm.tx.inserts {
		if p.table == table && !p.deleted {
			if u := cm.Result.UUIDs[p.uuid]; u != "" {
				out = append(out, u)
			}
		}
	}
	return out
}

// Wait waits until cond holds on the client's cache (it runs on every
// change, with a read-only view of the cache), or ctx ends; what says
// what is awaited, for the error. After a reconnect it follows the new
// cache. Its errors match ErrCommitted.
func (cm *Commit) Wait(ctx context.Context, what string, cond func(view *Tx) bool) error {
	return cm.c.waitCache(ctx, func(s *snapshot) bool { return cond(cm.c.view(s)) }, what)
}

// View returns a read-only view of the client's current cache.
func (cm *Commit) View(ctx context.Context) (*Tx, error) {
	_, ch, err := cm.c.current(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w, but gave up reading the cache: %w", ErrCommitted, err)
	}
	return cm.c.view(ch.snapshot()), nil
}

// view is a read-only transaction on a snapshot.
func (c *Client) view(s *snapshot) *Tx {
	tx := newTx(c.models, s)
	tx.readOnly = true
	tx.client = c
	return tx
}

// WithPolicy returns a copy of the models with the database's policy:
// for generated code (cmd/modelgen's -policy).
func (d *DatabaseModel) WithPolicy(p Policy) *DatabaseModel {
	c := *d
	p.KeyIndexes = slices.Clone(p.KeyIndexes)
	p.Monitor = slices.Clone(p.Monitor)
	p.OnWrite = slices.Clone(p.OnWrite)
	c.policy = &p
	c.onWriteJSON = nil
	c.policyErr = nil
	for _, op := range p.OnWrite {
		b, err := op.MarshalJSON()
		if err != nil {
			c.policyErr = fmt.Errorf("policy of %s: %w", d.name, err)
			break
		}
		c.onWriteJSON = append(c.onWriteJSON, b)
	}
	return &c
}
