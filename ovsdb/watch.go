package ovsdb

import (
	"context"
	"fmt"
	"sync"
)

// Event is a change to a row of table T seen by the client's monitor. Old is
// nil for an insert, New is nil for a delete. The rows are the receiver's
// own copies.
type Event[PT Model] struct {
	Kind EventKind
	Old  PT
	New  PT
}

// watcher queues events for one Watch or Inform call without ever
// blocking the connection's reader.
type watcher struct {
	table  string
	limit  int
	mu     sync.Mutex
	queue  []rowEvent
	byRow  map[string]int // with queue over limit: row UUID → its event's index
	signal chan struct{}  // capacity 1
}

// add queues ev. Past the limit, an event for a row already queued is
// merged into that row's event, so the queue holds one event per row.
func (w *watcher) add(ev rowEvent) {
	if len(w.queue) < w.limit {
		w.queue = append(w.queue, ev)
		return
	}
	if w.byRow == nil {
		w.byRow = make(map[string]int, len(w.queue))
		for i, e := range w.queue {
			w.byRow[e.rowID()] = i
		}
	}
	u := ev.rowID()
	if i, ok := w.byRow[u]; ok {
		if merged, keep := merge(w.queue[i], ev); keep {
			w.queue[i] = merged
		} else {
			w.queue[i] = rowEvent{} // an insert then a delete: nothing
			delete(w.byRow, u)
		}
		return
	}
	w.byRow[u] = len(w.queue)
	w.queue = append(w.queue, ev)
}

func (e rowEvent) rowID() string {
	if e.new != nil {
		return e.new.OVSDBUUID()
	}
	if e.old != nil {
		return e.old.OVSDBUUID()
	}
	return ""
}

// merge folds b, a later event of the same row, into a: the result goes
// from a's old state to b's new one. keep is false when nothing is left.
func merge(a, b rowEvent) (rowEvent, bool) {
	out := rowEvent{table: a.table, old: a.old, new: b.new}
	switch {
	case a.kind == 0:
		return b, true
	case out.old == nil && out.new == nil:
		return rowEvent{}, false
	case out.old == nil:
		out.kind = EventInsert
	case out.new == nil:
		out.kind = EventDelete
	default:
		out.kind = EventUpdate
	}
	return out, true
}

func (c *Client) publish(evs []rowEvent) {
	if len(evs) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for w := range c.watchers {
		n := 0
		w.mu.Lock()
		for _, ev := range evs {
			if ev.table == w.table {
				w.add(ev)
				n++
			}
		}
		w.mu.Unlock()
		if n > 0 {
			select {
			case w.signal <- struct{}{}:
			default:
			}
		}
	}
}

// DefaultWatchLimit is the queue length of a watcher past which events
// of one row are merged.
const DefaultWatchLimit = 1024

// WatchOption configures Watch and Inform.
type WatchOption func(*watchOptions) error

type watchOptions struct{ limit int }

// WithQueueLimit sets how many events queue for a slow receiver before
// they are merged per row (default DefaultWatchLimit). Past it the queue
// holds one event per row, going from the row as the receiver last saw it
// to its latest state (an insert then a delete leave nothing): its size is
// bounded by the table's, and the receiver still sees every row's final
// state, not every step.
func WithQueueLimit(n int) WatchOption {
	return func(o *watchOptions) error {
		if n < 1 {
			return fmt.Errorf("queue limit %d: want at least 1: %w", n, ErrInvalid)
		}
		o.limit = n
		return nil
	}
}

// Watch streams the changes to the rows of table T, in the order the server
// made them, until ctx ends or the client is closed; then the channel is
// closed. A slow receiver's queue is bounded by merging events per row
// (WithQueueLimit). After a reconnect, the difference between the old and
// the new contents arrives as events, so nothing is missed. Each row in an
// event is the receiver's own copy.
func Watch[T any, PT ModelPtr[T]](ctx context.Context, c *Client, opts ...WatchOption) (<-chan Event[PT], error) {
	_, ch, err := watch[T, PT](ctx, c, false, opts)
	return ch, err
}

// Inform returns the rows of table T as of one snapshot of the client's
// cache and streams every change after that snapshot, with no gap and no
// duplicate: applying the events, in order, to the rows gives the table as
// the cache sees it. It is the list-then-watch that controllers build on.
// The stream ends, and its channel is closed, when ctx ends or the client
// is closed. The rows and events are the caller's own copies.
func Inform[T any, PT ModelPtr[T]](ctx context.Context, c *Client, opts ...WatchOption) ([]PT, <-chan Event[PT], error) {
	return watch[T, PT](ctx, c, true, opts)
}

func watch[T any, PT ModelPtr[T]](ctx context.Context, c *Client, list bool, opts []WatchOption) ([]PT, <-chan Event[PT], error) {
	table := tableOf[T, PT]()
	o := watchOptions{limit: DefaultWatchLimit}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, nil, fmt.Errorf("watch %s: %w", table, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	w := &watcher{table: table, limit: o.limit, signal: make(chan struct{}, 1)}
	var rows []PT
	// Registered and listed under pubMu: no update is applied between the
	// snapshot and the registration.
	c.pubMu.Lock()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		c.pubMu.Unlock()
		return nil, nil, ErrClosed
	}
	c.watchers[w] = struct{}{}
	ch := c.cache
	c.mu.Unlock()
	if list && ch != nil {
		for _, r := range ch.snapshot().rows(table) {
			rows = append(rows, r.OVSDBClone().(PT))
		}
	}
	c.pubMu.Unlock()
	out := make(chan Event[PT])
	go func() {
		defer close(out)
		defer func() {
			c.mu.Lock()
			delete(c.watchers, w)
			c.mu.Unlock()
		}()
		for {
			w.mu.Lock()
			q := w.queue
			w.queue, w.byRow = nil, nil
			w.mu.Unlock()
			for _, ev := range q {
				if ev.kind == 0 {
					continue // merged away
				}
				e := Event[PT]{Kind: ev.kind}
				if ev.old != nil {
					e.Old = ev.old.OVSDBClone().(PT)
				}
				if ev.new != nil {
					e.New = ev.new.OVSDBClone().(PT)
				}
				select {
				case out <- e:
				case <-ctx.Done():
					return
				case <-c.life.Done():
					return
				}
			}
			select {
			case <-w.signal:
			case <-ctx.Done():
				return
			case <-c.life.Done():
				return
			}
		}
	}()
	return rows, out, nil
}

// WaitUntil blocks until a row of table T satisfies cond and returns a copy
// of it, or fails when ctx ends. It is ovs-vsctl's wait-until, with a Go
// predicate: for example, until an interface has an ofport:
//
//	iface, err := ovsdb.WaitUntil(ctx, c, func(i *ovsdb.Interface) bool {
//		return i.Name == "vif0.0" && i.Ofport != nil && *i.Ofport > 0
//	})
func WaitUntil[T any, PT ModelPtr[T]](ctx context.Context, c *Client, cond func(PT) bool) (PT, error) {
	table := tableOf[T, PT]()
	for {
		_, ch, err := c.current(ctx)
		if err != nil {
			return nil, err
		}
		snap, changed := ch.state()
		for _, r := range snap.rows(table) {
			if p := r.(PT); cond(p) {
				return p.OVSDBClone().(PT), nil
			}
		}
		select {
		case <-changed:
		case <-c.life.Done():
			return nil, ErrClosed
		case <-ctx.Done():
			return nil, fmt.Errorf("wait until a %s row matches: %w", table, ctx.Err())
		}
	}
}
