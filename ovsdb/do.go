package ovsdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// transactParams are transact's params, ["db", op, op, ...], from
// encoded operations: written straight into the request.
type transactParams struct {
	db  string
	ops [][]byte
}

func (p transactParams) size() int {
	n := len(p.db) + 4
	for _, o := range p.ops {
		n += len(o) + 1
	}
	return n
}

func (p transactParams) appendJSON(b []byte) []byte {
	b = append(b, '[')
	b = strconv.AppendQuote(b, p.db)
	for _, o := range p.ops {
		b = append(b, ',')
		b = append(b, o...)
	}
	return append(b, ']')
}

// Transact runs the commands in order in one transaction and commits them
// atomically: all of them or none (ovs-vsctl's "--" chaining). See Do. An
// error of one of several commands names it by its position, counting
// only commands that read or write (not NoWait, DryRun or Comment).
func (c *Client) Transact(ctx context.Context, cmds ...Command) (*Result, error) {
	real := 0
	for _, cmd := range cmds {
		if _, ok := cmd.(setting); !ok {
			real++
		}
	}
	return c.Do(ctx, func(tx *Tx) error {
		n := 0
		for _, cmd := range cmds {
			if _, ok := cmd.(setting); !ok {
				n++
			}
			if err := cmd.Run(tx); err != nil {
				if real <= 1 {
					return err
				}
				return fmt.Errorf("command %d: %w", n, err)
			}
		}
		return nil
	})
}

// Do builds a transaction with fn and commits it.
//
// fn reads one snapshot of the database, taken when it starts, whatever
// the cache receives meanwhile, and must be re-runnable: every read is
// verified at commit, and when a concurrent writer changed something fn
// read, the commit fails atomically and Do runs fn again on a newer
// snapshot, with a jittered backoff, until ctx ends (then it fails with
// ErrConflict and the context's error) or, with WithMaxRetries, that many
// times. A Do that writes nothing returns only from a snapshot known to
// hold every commit made before the call (a barrier: see Sync), so what
// it read was current while it ran (a linearizable read).
//
// An error from fn aborts the transaction; nothing is written. An error
// that rests on what fn read (a row not found, say) is returned only from
// such a snapshot too; if fn's was older, fn runs again on a newer one.
//
// Do returns once the client's cache shows the commit, so later reads see
// it: ovsdb-server sends a session the monitor updates of every commit
// before any reply, so the cache has the commit when its reply is read.
// Unless the transaction asked for NoWait, a transaction that writes also
// sends the operations of its database's Policy and Do waits for what the
// policy waits for (for Open_vSwitch: next_cfg's increment, ovs-vswitchd
// applying it, and a *vswitchdb.InterfaceError, with the Result, for each
// interface ovs-vswitchd could not set up).
//
// # Outcomes
//
// An error matching ErrCommitted (with the Result) means the transaction
// committed, but a wait after it was cut short (ctx) or an interface
// failed. An *OutcomeUnknownError (ErrOutcomeUnknown) means it was sent
// and its answer lost: it may have committed. Any other error means
// nothing was written: a context done before the transaction was sent
// returns the context's error, and a connection lost before it was sent
// makes Do wait for the reconnect and run fn again.
func (c *Client) Do(ctx context.Context, fn func(tx *Tx) error) (*Result, error) {
	return c.run(ctx, fn, false)
}

// View runs fn against a snapshot of the client's cache, read-only: fn fails
// with ErrInvalid if it tries to write. A View that succeeds sends nothing
// to the server, so it may not yet show another client's latest commit
// (use Do for a read that must be current). An error from fn that rests on
// what it read is confirmed with the server first, as in Do.
func (c *Client) View(ctx context.Context, fn func(tx *Tx) error) error {
	_, err := c.run(ctx, fn, true)
	return err
}

// commitStatus says what run does after a commit attempt.
type commitStatus uint8

const (
	statusDone     commitStatus = iota // return the result and error
	statusConflict                     // a verification failed: re-run on a newer snapshot
	statusResend                       // the connection dropped before sending: re-run after the reconnect
	// statusViolation: a unique index refused an insert whose absence
	// the transaction left to it: perhaps a concurrent insert of the
	// value, which a re-run sees.
	statusViolation
)

// confirmable reports whether fn's error may rest on what fn read, so that
// the server must confirm the reads before it is reported. Bad input and
// the caller's own context are reported as they are.
func confirmable(err error) bool {
	for _, e := range []error{ErrInvalid, ErrUnknownTable, ErrUnknownColumn, ErrSchema, ErrClosed, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, e) {
			return false
		}
	}
	return true
}

// TxInfo is what a client reports of each of its transactions (Do, View,
// Transact) to its observer (WithObserver): for metrics.
type TxInfo struct {
	// Start is when the call began; Duration, how long it took, retries
	// and waits (for ovs-vswitchd, say) included.
	Start    time.Time
	Duration time.Duration
	// ReadOnly: a View.
	ReadOnly bool
	// Runs counts the runs of the transaction's function: 1, and one
	// more for each re-run (after a conflict, a reconnect, a fetch).
	Runs int
	// Ops counts the operations of the last request sent to the server
	// (0: none was sent: a read, nothing to write, or a failure before);
	// Sent, the bytes of every request the call sent.
	Ops  int
	Sent int
	// Err is the call's error (nil: committed, or read).
	Err error
}

// run runs a transaction, reporting it to the client's observer.
func (c *Client) run(ctx context.Context, fn func(tx *Tx) error, readOnly bool) (*Result, error) {
	obs := c.opts.observer
	if obs == nil {
		return c.runTx(ctx, fn, readOnly, nil)
	}
	info := TxInfo{Start: time.Now(), ReadOnly: readOnly}
	res, err := c.runTx(ctx, fn, readOnly, &info)
	info.Duration, info.Err = time.Since(info.Start), err
	obs(info)
	return res, err
}

func (c *Client) runTx(ctx context.Context, fn func(tx *Tx) error, readOnly bool, info *TxInfo) (*Result, error) {
	conflicts := 0
	// Rows of partly cached tables that the server had and the cache
	// did not, by what fetched them: each run of fn sees them.
	fetched := map[string][]Model{}
	// A barrier passed during this call: a snapshot of that cache at
	// barrierSeq or later holds every commit made before the call, so
	// what fn decided on it holds at a point within the call.
	var barrierCache *cache
	var barrierSeq uint64
	// current says whether fn's snapshot is known to hold every commit
	// made before the call (with fresh, before now), passing a barrier if
	// need be; false means fn must run again on a newer snapshot (the
	// barrier brought news, or the connection dropped).
	current := func(rc *rpcConn, ch *cache, snap *snapshot, fresh bool) (bool, error) {
		if !fresh && barrierCache == ch && snap.seq >= barrierSeq {
			return true, nil
		}
		seq, err := c.barrier(ctx, rc, ch)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, ErrClosed) {
				return false, err
			}
			return false, nil
		}
		barrierCache, barrierSeq = ch, seq
		return snap.seq >= seq, nil
	}
	for {
		rc, ch, err := c.current(ctx)
		if err != nil {
			return nil, err
		}
		snap, changed := ch.state()
		tx := newTx(c.models, snap)
		tx.readOnly = readOnly
		for _, k := range slices.Sorted(maps.Keys(fetched)) {
			tx.fetched = append(tx.fetched, fetched[k]...)
		}
		tx.client = c
		// Only a database with a policy has something to add and wait for.
		tx.noWait = c.opts.noWait || c.models.model.policy == nil
		tx.info = info
		err = fn(tx)
		tx.closed = true
		if info != nil {
			info.Runs++
		}
		if errors.Is(err, ErrTryAgain) {
			// Not a conflict: retries are bounded by ctx only.
			select {
			case <-changed:
			case <-rc.done:
			case <-ctx.Done():
				return nil, fmt.Errorf("%w (%w)", err, ctx.Err())
			}
			continue
		}
		var res *Result
		status := statusDone
		switch {
		case err != nil:
			if !confirmable(err) {
				return nil, err
			}
			// fn's error may rest on a snapshot older than a commit that
			// finished before the call (another client's): it is
			// reported only from a snapshot past a barrier, whatever fn
			// read it through.
			ok, berr := current(rc, ch, snap, false)
			if berr != nil {
				return nil, fmt.Errorf("%v; not confirmed by the server: %w", err, berr)
			}
			if !ok {
				continue
			}
			if !tx.readsPartial() {
				return nil, err
			}
			// Reads the cache cannot see (rows outside a monitor's
			// conditions) are confirmed by the server itself.
			var cerr error
			if status, cerr = c.confirm(ctx, rc, tx); status == statusDone {
				if cerr != nil {
					return nil, fmt.Errorf("%v; not confirmed by the server: %w", err, cerr)
				}
				return nil, err
			}
		case readOnly:
			return &Result{}, nil
		case !tx.Writes() && !tx.dryRun && len(tx.comments) == 0 && !tx.readsPartial():
			// Nothing to write: that outcome rests on all of fn's
			// snapshot (a scan of Rows included, which no wait records),
			// so it holds once the snapshot is confirmed current.
			ok, berr := current(rc, ch, snap, false)
			if berr != nil {
				return nil, berr
			}
			if ok {
				return &Result{UUIDs: map[string]string{}}, nil
			}
			continue
		default:
			if res, status, err = c.commit(ctx, rc, tx); status == statusDone {
				return res, err
			}
			if status == statusViolation {
				// A unique index refused a value fn found free: if
				// another client took it since, a snapshot past a
				// barrier shows its row and fn runs again; if the
				// snapshot was current, the refusal is the answer.
				ok, berr := current(rc, ch, snap, true)
				if berr != nil {
					return nil, fmt.Errorf("%v; not confirmed by the server: %w", err, berr)
				}
				if ok {
					return nil, err
				}
				conflicts++
				c.stats.retries.Add(1)
				continue
			}
		}
		if status == statusResend {
			continue
		}
		if tx.failedFetch != nil {
			// Rows outside the monitor's conditions decided it: fetch
			// them and run fn again with them in view.
			rows, ferr := c.fetch(ctx, rc, ch.lacks, *tx.failedFetch)
			if ferr != nil {
				var oe *OpError
				if ctx.Err() != nil || errors.Is(ferr, ErrClosed) || errors.As(ferr, &oe) {
					return nil, ferr
				}
				continue
			}
			fetched[tx.failedFetch.key()] = rows
			conflicts++
			c.stats.retries.Add(1)
			continue
		}
		if c.opts.maxRetries >= 0 && conflicts >= c.opts.maxRetries {
			return nil, fmt.Errorf("after %d attempts: %w", conflicts+1, ErrConflict)
		}
		conflicts++
		c.stats.retries.Add(1)
		// Re-run once the cache has moved past the snapshot that
		// conflicted, after a jittered backoff that grows with the
		// conflicts, so that contenders spread out instead of colliding
		// again in step.
		if cur, _ := ch.state(); cur.seq == snap.seq {
			select {
			case <-changed:
			case <-rc.done:
			case <-ctx.Done():
				return nil, fmt.Errorf("%w (%w)", ErrConflict, ctx.Err())
			}
		}
		if d := conflictBackoff(conflicts); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("%w (%w)", ErrConflict, ctx.Err())
			}
		}
	}
}

// conflictBackoff is how long to wait before the re-run after the n-th
// conflict of one transaction: none after the first, then a random time
// up to a bound that doubles from 1 ms to 64 ms.
func conflictBackoff(n int) time.Duration {
	if n < 2 {
		return 0
	}
	bound := time.Millisecond << min(n-2, 6)
	return time.Duration(mrand.Int64N(int64(bound))) + 1
}

// fetch selects from the server the rows of spec, which the client's
// monitor conditions keep out of its cache, with the columns the cache
// holds (those of them the server has: l is what it lacks).
func (c *Client) fetch(ctx context.Context, rc *rpcConn, l *lacks, spec fetchSpec) ([]Model, error) {
	all := c.models.model.newRow(spec.table).OVSDBColumns()
	if m := c.opts.monitors[spec.table]; m != nil && m.Columns != nil {
		all = m.Columns
	}
	cols := []string{"_uuid"}
	for _, col := range all {
		if col != "_uuid" && !l.column(spec.table, col) {
			cols = append(cols, col)
		}
	}
	op := Operation{Op: "select", Table: spec.table, Where: []Condition{{spec.column, "==", spec.enc}}, Columns: cols}
	b, err := op.MarshalJSON()
	if err != nil {
		return nil, err
	}
	raw, _, err := rc.call(ctx, "transact", transactParams{c.models.model.name, [][]byte{b}}, nil)
	if err != nil {
		return nil, err
	}
	return selected(c.models.model, &op, raw)
}

// barrier makes sure the cache ch (of connection rc) holds every commit
// made before the call, and returns the cache's sequence number then.
func (c *Client) barrier(ctx context.Context, rc *rpcConn, ch *cache) (uint64, error) {
	if err := c.syncOn(ctx, rc); err != nil {
		return 0, err
	}
	snap, _ := ch.state()
	return snap.seq, nil
}

// send sends a transaction. A request that never left sends nothing:
// statusResend after a lost connection, the context's error when ctx ended.
func (c *Client) send(ctx context.Context, rc *rpcConn, encoded [][]byte) (json.RawMessage, bool, commitStatus, error) {
	raw, sent, err := rc.call(ctx, "transact", transactParams{c.models.model.name, encoded}, nil)
	if err != nil && !sent {
		if ctx.Err() != nil || c.life.Err() != nil {
			return nil, false, statusDone, err
		}
		return nil, false, statusResend, nil
	}
	return raw, sent, statusDone, err
}

// confirm asks the server whether the reads of a transaction whose fn
// failed still hold: statusDone with a nil error when they do, or an error
// when the server could not be asked; statusConflict when they were stale.
func (c *Client) confirm(ctx context.Context, rc *rpcConn, tx *Tx) (commitStatus, error) {
	waits, err := tx.readWaits()
	if err != nil {
		return statusDone, err
	}
	if tx.info != nil {
		for _, b := range waits {
			tx.info.Sent += len(b)
		}
	}
	raw, _, status, err := c.send(ctx, rc, waits)
	if status != statusDone || err != nil {
		return status, err
	}
	results, err := parseResults(raw, len(waits))
	if err != nil {
		return statusDone, err
	}
	for i, r := range results {
		if r.Error != nil {
			if *r.Error == "timed out" {
				if spec, ok := tx.fetchOnFail.get(i); ok {
					tx.failedFetch = &spec
				}
				return statusConflict, nil
			}
			return statusDone, fmt.Errorf("transact: %s %s", *r.Error, r.Details)
		}
	}
	return statusDone, nil
}

// commit sends the transaction.
func (c *Client) commit(ctx context.Context, rc *rpcConn, tx *Tx) (*Result, commitStatus, error) {
	if err := tx.finishInserts(); err != nil {
		return nil, statusDone, err
	}
	if err := tx.finishAbsences(); err != nil {
		return nil, statusDone, err
	}
	pol := c.models.model.policy
	bump := len(tx.ops) > 0 && !tx.noWait && pol != nil
	n := len(tx.waits) + len(tx.ops) + len(tx.comments) + 1 // and the marker
	if bump {
		n += len(pol.OnWrite)
	}
	ops := make([]Operation, 0, n)
	ops = append(ops, tx.waits...)
	ops = append(ops, tx.ops...)
	encoded := make([][]byte, 0, n)
	encoded = append(encoded, tx.waitJSON...)
	encoded = append(encoded, tx.opJSON...)
	policyAt := -1
	if bump {
		// The database's policy's operations (Open_vSwitch: next_cfg's
		// increment and read-back). With NoWait they are left out.
		policyAt = len(ops)
		ops = append(ops, pol.OnWrite...)
		encoded = append(encoded, c.models.model.onWriteJSON...)
	}
	comments := tx.comments
	var marker string
	if len(tx.ops) > 0 && !tx.dryRun {
		marker = c.marker()
		comments = append(slices.Clip(comments), marker)
	}
	for _, text := range comments {
		if err := checkString(text); err != nil {
			return nil, statusDone, fmt.Errorf("comment: %w", err)
		}
		op := Operation{Op: "comment", Comment: text}
		b, err := op.MarshalJSON()
		if err != nil {
			return nil, statusDone, err
		}
		ops = append(ops, op)
		encoded = append(encoded, b)
	}
	res := &Result{Operations: ops, UUIDs: map[string]string{}}
	if tx.dryRun {
		res.DryRun = true
		return res, statusDone, nil
	}
	if len(encoded) == 0 {
		return res, statusDone, nil // nothing read or written
	}
	if tx.info != nil {
		tx.info.Ops = len(ops)
		for _, b := range encoded {
			tx.info.Sent += len(b)
		}
	}
	raw, sent, status, err := c.send(ctx, rc, encoded)
	if status != statusDone {
		return nil, status, nil
	}
	if err != nil {
		if sent && len(tx.ops) > 0 {
			return nil, statusDone, &OutcomeUnknownError{Marker: marker, Operations: ops, Err: err}
		}
		return nil, statusDone, err
	}
	results, err := parseResults(raw, len(ops))
	if err != nil {
		return nil, statusDone, err
	}
	for i, r := range results {
		if r.Error == nil {
			continue
		}
		if i < len(tx.waits) && *r.Error == "timed out" {
			if spec, ok := tx.fetchOnFail.get(i); ok {
				tx.failedFetch = &spec
			}
			return nil, statusConflict, nil
		}
		oe := &OpError{Index: i, Err: *r.Error, Details: r.Details, Syntax: r.Syntax}
		if i < len(ops) {
			op := ops[i]
			oe.Op = &op
		}
		if *r.Error == "constraint violation" && tx.coveredAbsence {
			return nil, statusViolation, oe
		}
		return nil, statusDone, oe
	}
	if len(results) < len(ops) {
		return nil, statusDone, fmt.Errorf("transact: %d results for %d operations", len(results), len(ops))
	}
	if len(tx.ops) == 0 {
		return res, statusDone, nil // a read-only transaction: its reads were current
	}
	c.stats.txns.Add(1)
	for i, op := range ops {
		if op.Op == "insert" && results[i].UUID != nil {
			name := op.UUIDName
			if op.UUID != "" {
				name = op.UUID
			}
			res.UUIDs[name] = results[i].UUID[1]
		}
	}
	// Read-your-writes: wait until the monitor has delivered the commit.
	if err := c.awaitCache(ctx, tx, res); err != nil {
		return res, statusDone, err
	}
	if policyAt < 0 || pol.Committed == nil {
		return res, statusDone, nil
	}
	cm := &Commit{Result: res, c: c, tx: tx}
	for _, r := range results[policyAt : policyAt+len(pol.OnWrite)] {
		cm.rows = append(cm.rows, r.Rows)
	}
	return res, statusDone, pol.Committed(ctx, cm)
}

// marker returns a comment unique to one transaction of this client.
func (c *Client) marker() string {
	return "ovskit txn " + c.id + "-" + strconv.FormatUint(c.markers.Add(1), 10)
}

func (c *Client) awaitCache(ctx context.Context, tx *Tx, res *Result) error {
	seen := func(ch *snapshot) bool {
		// Wait for the inserted rows of root tables that outlive the
		// commit (rows of other tables may be unreferenced and
		// garbage-collected at once). A policy may wait for more.
		for _, p := range tx.inserts {
			if p.deleted {
				continue // created and deleted by the same transaction: never in the database
			}
			if tx.schema.isRoot(p.table) && !ch.c.filtered(p.table) && ch.get(p.table, res.UUIDs[p.uuid]) == nil {
				return false
			}
		}
		return true
	}
	return c.waitCache(ctx, seen, "the client's cache to show the commit")
}

// waitCache waits until cond holds on the client's current cache, or ctx
// ends. After a reconnect it follows the new cache. It runs after a
// commit: its errors match ErrCommitted.
func (c *Client) waitCache(ctx context.Context, cond func(*snapshot) bool, what string) error {
	for {
		rc, ch, err := c.current(ctx)
		if err != nil {
			return fmt.Errorf("%w, but gave up waiting for %s: %w", ErrCommitted, what, err)
		}
		snap, changed := ch.state()
		if cond(snap) {
			return nil
		}
		select {
		case <-changed:
		case <-rc.done:
		case <-ctx.Done():
			return fmt.Errorf("%w, but gave up waiting for %s: %w", ErrCommitted, what, ctx.Err())
		case <-c.life.Done():
			return fmt.Errorf("%w, but gave up waiting for %s: %w", ErrCommitted, what, ErrClosed)
		}
	}
}
