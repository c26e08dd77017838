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

// watcher queues events for one Watch call without ever blocking the
// connection's reader.
type watcher struct {
	table  string
	mu     sync.Mutex
	queue  []rowEvent
	signal chan struct{} // capacity 1
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
				w.queue = append(w.queue, ev)
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

// Watch streams the changes to the rows of table T, in the order the server
// made them, until ctx ends or the client is closed; then the channel is
// closed. Events queue without bound while the receiver is slow. After a
// reconnect, the difference between the old and the new contents arrives as
// events, so nothing is missed.
func Watch[T any, PT ModelPtr[T]](ctx context.Context, c *Client) (<-chan Event[PT], error) {
	var zero T
	table := PT(&zero).Table()
	w := &watcher{table: table, signal: make(chan struct{}, 1)}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	c.watchers[w] = struct{}{}
	c.mu.Unlock()
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
			w.queue = nil
			w.mu.Unlock()
			for _, ev := range q {
				e := Event[PT]{Kind: ev.kind}
				if ev.old != nil {
					e.Old = ev.old.clone().(PT)
				}
				if ev.new != nil {
					e.New = ev.new.clone().(PT)
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
	return out, nil
}

// WaitUntil blocks until a row of table T satisfies cond and returns a copy
// of it, or fails when ctx ends. It is ovs-vsctl's wait-until, with a Go
// predicate: for example, until an interface has an ofport:
//
//	iface, err := ovsdb.WaitUntil(ctx, c, func(i *ovsdb.Interface) bool {
//		return i.Name == "vif0.0" && i.Ofport != nil && *i.Ofport > 0
//	})
func WaitUntil[T any, PT ModelPtr[T]](ctx context.Context, c *Client, cond func(PT) bool) (PT, error) {
	var zero T
	table := PT(&zero).Table()
	for {
		_, ch, err := c.current(ctx)
		if err != nil {
			return nil, err
		}
		snap, changed := ch.state()
		for _, r := range snap.rows(table) {
			if p := r.(PT); cond(p) {
				return p.clone().(PT), nil
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
