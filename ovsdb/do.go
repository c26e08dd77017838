package ovsdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

var (
	bumpNextCfg          = Operation{Op: "mutate", Table: TableOpenVSwitch, Mutations: []Mutation{{"next_cfg", MutateAdd, 1}}}
	selectNextCfg        = Operation{Op: "select", Table: TableOpenVSwitch, Columns: []string{"next_cfg"}}
	bumpNextCfgJSON, _   = bumpNextCfg.MarshalJSON()
	selectNextCfgJSON, _ = selectNextCfg.MarshalJSON()
)

// encodeParams writes ["db", op, op, ...] from encoded operations.
func encodeParams(db string, ops [][]byte) []byte {
	n := len(db) + 4
	for _, o := range ops {
		n += len(o) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	b = strconv.AppendQuote(b, db)
	for _, o := range ops {
		b = append(b, ',')
		b = append(b, o...)
	}
	return append(b, ']')
}

// Transact runs the commands in order in one transaction and commits them
// atomically: all of them or none (ovs-vsctl's "--" chaining). See Do.
func (c *Client) Transact(ctx context.Context, cmds ...Command) (*Result, error) {
	return c.Do(ctx, func(tx *Tx) error {
		for i, cmd := range cmds {
			if err := cmd.Run(tx); err != nil {
				if len(cmds) == 1 {
					return err
				}
				return fmt.Errorf("command %d: %w", i+1, err)
			}
		}
		return nil
	})
}

// Do builds a transaction with fn and commits it.
//
// fn runs against a consistent view of the database and must be re-runnable:
// when a concurrent writer changed something fn read (the commit's
// verifications fail), Do waits for the cache to catch up and runs fn again,
// up to WithMaxRetries times and within ctx, then fails with ErrConflict.
// An error from fn aborts the transaction; nothing is written.
//
// Every transaction that writes increments Open_vSwitch.next_cfg. Do returns
// once the client's cache shows the commit (later reads see it) and, unless
// the transaction asked for NoWait, once ovs-vswitchd has applied it
// (cur_cfg reached next_cfg); then it reports every interface the
// transaction created, and returns an *InterfaceError (with the Result) for
// each that ovs-vswitchd could not set up. A wait that ctx cuts short
// returns the Result and an error wrapping ctx's error: the transaction
// committed.
func (c *Client) Do(ctx context.Context, fn func(tx *Tx) error) (*Result, error) {
	return c.run(ctx, fn, false)
}

// View runs fn against a consistent, read-only view of the database; fn
// fails with ErrInvalid if it tries to write. Nothing is sent to the server.
func (c *Client) View(ctx context.Context, fn func(tx *Tx) error) error {
	_, err := c.run(ctx, fn, true)
	return err
}

func (c *Client) run(ctx context.Context, fn func(tx *Tx) error, readOnly bool) (*Result, error) {
	for attempt := 0; ; attempt++ {
		rc, ch, err := c.current(ctx)
		if err != nil {
			return nil, err
		}
		seq, changed := ch.state()
		tx := newTx(c.models, ch)
		tx.readOnly = readOnly
		err = fn(tx)
		tx.closed = true
		if errors.Is(err, ErrTryAgain) {
			// Not a conflict: retries are bounded by ctx only.
			select {
			case <-changed:
			case <-rc.done:
			case <-ctx.Done():
				return nil, fmt.Errorf("%w (%w)", err, ctx.Err())
			}
			attempt--
			continue
		}
		if err != nil {
			return nil, err
		}
		if readOnly {
			return &Result{}, nil
		}
		res, conflict, err := c.commit(ctx, rc, tx)
		if !conflict {
			return res, err
		}
		if attempt >= c.opts.maxRetries {
			return nil, fmt.Errorf("after %d attempts: %w", attempt+1, ErrConflict)
		}
		c.stats.retries.Add(1)
		// Re-run once the cache has moved past the view that conflicted.
		if cur, _ := ch.state(); cur == seq {
			select {
			case <-changed:
			case <-rc.done:
			case <-ctx.Done():
				return nil, fmt.Errorf("%w (%w)", ErrConflict, ctx.Err())
			}
		}
	}
}

// commit sends the transaction. conflict reports a failed verification.
func (c *Client) commit(ctx context.Context, rc *rpcConn, tx *Tx) (res *Result, conflict bool, err error) {
	if err := tx.finishInserts(); err != nil {
		return nil, false, err
	}
	if err := tx.finishAbsences(); err != nil {
		return nil, false, err
	}
	ops := make([]Operation, 0, len(tx.waits)+len(tx.ops)+3)
	ops = append(ops, tx.waits...)
	ops = append(ops, tx.ops...)
	encoded := make([][]byte, 0, cap(ops))
	encoded = append(encoded, tx.waitJSON...)
	encoded = append(encoded, tx.opJSON...)
	cfgAt := -1
	if len(tx.ops) > 0 {
		// Bump next_cfg so that ovs-vswitchd reconfigures (it ignores some
		// columns otherwise) and read back the value to wait for.
		ops = append(ops, bumpNextCfg, selectNextCfg)
		encoded = append(encoded, bumpNextCfgJSON, selectNextCfgJSON)
		cfgAt = len(ops) - 1
	}
	for _, text := range tx.comments {
		op := Operation{Op: "comment", Comment: text}
		b, err := op.MarshalJSON()
		if err != nil {
			return nil, false, err
		}
		ops = append(ops, op)
		encoded = append(encoded, b)
	}
	res = &Result{Operations: ops, UUIDs: map[string]string{}}
	if tx.dryRun {
		res.DryRun = true
		return res, false, nil
	}
	if len(tx.ops) == 0 && len(tx.comments) == 0 {
		return res, false, nil // read-only: nothing to commit
	}
	raw, err := rc.call(ctx, "transact", json.RawMessage(encodeParams(SchemaName, encoded)), nil)
	if err != nil {
		return nil, false, fmt.Errorf("transact (outcome unknown): %w", err)
	}
	var results []opResult
	if err := json.Unmarshal(raw, &results); err != nil {
		return nil, false, fmt.Errorf("transact: bad reply %s: %w", raw, err)
	}
	for i, r := range results {
		if r.Error == nil {
			continue
		}
		if i < len(tx.waits) && *r.Error == "timed out" {
			return nil, true, nil
		}
		oe := &OpError{Index: i, Err: *r.Error, Details: r.Details}
		if i < len(ops) {
			op := ops[i]
			oe.Op = &op
		}
		return nil, false, oe
	}
	if len(results) < len(ops) {
		return nil, false, fmt.Errorf("transact: %d results for %d operations", len(results), len(ops))
	}
	c.stats.txns.Add(1)
	for i, op := range ops {
		if op.Op == "insert" && results[i].UUID != nil {
			res.UUIDs[op.UUIDName] = results[i].UUID[1]
		}
	}
	if cfgAt >= 0 {
		if res.NextCfg, err = decodeNextCfg(results[cfgAt].Rows); err != nil {
			return res, false, fmt.Errorf("transact: next_cfg: %w", err)
		}
	}
	// Read-your-writes: wait until the monitor has delivered the commit.
	if err := c.awaitCache(ctx, tx, res); err != nil {
		return res, false, err
	}
	if tx.noWait || res.NextCfg == 0 {
		return res, false, nil
	}
	return res, false, c.awaitVswitchd(ctx, tx, res)
}

func (c *Client) awaitCache(ctx context.Context, tx *Tx, res *Result) error {
	seen := func(ch *cache) bool {
		if res.NextCfg > 0 {
			root := ch.root()
			return root != nil && root.NextCfg >= res.NextCfg
		}
		// No Open_vSwitch row to count with: wait for the inserted rows
		// that outlive the commit (with no root row, rows of non-root
		// tables are unreferenced and garbage-collected at once).
		for _, p := range tx.inserts {
			if tx.schema.isRoot(p.table) && ch.get(p.table, res.UUIDs[p.uuid]) == nil {
				return false
			}
		}
		return true
	}
	return c.waitCache(ctx, seen, "the client's cache to show the commit")
}

// waitCache waits until cond holds on the client's current cache, or ctx
// ends. After a reconnect it follows the new cache.
func (c *Client) waitCache(ctx context.Context, cond func(*cache) bool, what string) error {
	for {
		rc, ch, err := c.current(ctx)
		if err != nil {
			return fmt.Errorf("committed, but gave up waiting for %s: %w", what, err)
		}
		_, changed := ch.state()
		if cond(ch) {
			return nil
		}
		select {
		case <-changed:
		case <-rc.done:
		case <-ctx.Done():
			return fmt.Errorf("committed, but gave up waiting for %s: %w", what, ctx.Err())
		case <-c.life.Done():
			return ErrClosed
		}
	}
}

func (c *Client) awaitVswitchd(ctx context.Context, tx *Tx, res *Result) error {
	err := c.waitCache(ctx, func(ch *cache) bool {
		root := ch.root()
		return root != nil && root.CurCfg >= res.NextCfg
	}, fmt.Sprintf("ovs-vswitchd to apply next_cfg %d (is ovs-vswitchd running? use NoWait otherwise)", res.NextCfg))
	if err != nil {
		return err
	}
	_, ch, err := c.current(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range tx.inserts {
		if p.table != TableInterface {
			continue
		}
		u := res.UUIDs[p.uuid]
		r, _ := ch.get(TableInterface, u).(*Interface)
		if r == nil {
			continue // deleted since
		}
		st := InterfaceStatus{Name: r.Name, UUID: u, Ofport: -1}
		if r.Ofport != nil {
			st.Ofport = *r.Ofport
		}
		if r.Error != nil {
			st.Error = *r.Error
		}
		res.Interfaces = append(res.Interfaces, st)
		if r.Ofport == nil || *r.Ofport == -1 {
			errs = append(errs, &InterfaceError{Name: r.Name, UUID: u, Cause: st.Error})
		}
	}
	return errors.Join(errs...)
}

// Init creates the Open_vSwitch root row if the database has none, as a
// fresh database needs before ovs-vswitchd can use it.
// Equivalent to: ovs-vsctl init
func Init() Command {
	return CommandFunc(func(tx *Tx) error {
		rows, err := List[OpenVSwitch](tx)
		if err != nil {
			return err
		}
		if len(rows) > 0 {
			return nil
		}
		// Verify there is still none at commit.
		tx.addWait(Operation{Op: "wait", Table: TableOpenVSwitch, Timeout: zero(), Where: []Condition{},
			Columns: []string{"_uuid"}, Until: "==", Rows: []map[string]any{}})
		_, err = tx.Insert(&OpenVSwitch{})
		return err
	})
}
