package ovsdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// ErrNotLeader: a member of a clustered database that is not its leader
// (or not connected to its cluster, or behind what the client has already
// seen) was refused; the client tries the next endpoint.
var ErrNotLeader = errors.New("not a usable member of the cluster")

// WithFollowerReads lets the client stay on a follower of a clustered
// database instead of requiring the leader. A follower forwards writes to
// the leader, but what it shows may lag: transactions still verify what
// they read, so they stay correct, only slower to see others' changes.
// (ovn-nbctl --no-leader-only.)
func WithFollowerReads() Option { return func(o *options) error { o.followerReads = true; return nil } }

// serverState is what _Server.Database says of the client's database on
// the server it is connected to.
type serverState struct {
	Model     string // "standalone", "clustered", "relay"
	Connected bool   // to the cluster
	Leader    bool
	Index     int64 // the raft log index the server has applied
}

// usable reports why a server may not serve the client, given the highest
// raft index the client has seen (0: none yet).
func (s serverState) usable(leaderOnly bool, seen int64) error {
	if s.Model != "clustered" {
		return nil
	}
	switch {
	case !s.Connected:
		return fmt.Errorf("%w: not connected to its cluster", ErrNotLeader)
	case leaderOnly && !s.Leader:
		return fmt.Errorf("%w: a follower, and the client writes through the leader only (WithFollowerReads allows followers)", ErrNotLeader)
	case s.Index < seen:
		// Going back in time: this member has not yet applied what the
		// client already saw elsewhere.
		return fmt.Errorf("%w: its raft index %d is behind the %d already seen", ErrNotLeader, s.Index, seen)
	}
	return nil
}

// apply merges an update2 row ("initial", "insert" or "modify" values) of
// _Server.Database into s.
func (s *serverState) apply(row map[string]json.RawMessage) error {
	for col, raw := range row {
		var err error
		switch col {
		case "model":
			err = json.Unmarshal(raw, &s.Model)
		case "connected":
			err = json.Unmarshal(raw, &s.Connected)
		case "leader":
			err = json.Unmarshal(raw, &s.Leader)
		case "index":
			// An optional integer: n, or ["set", []] / ["set", [n]].
			var n int64
			if json.Unmarshal(raw, &n) == nil {
				s.Index = n
				continue
			}
			var set []json.RawMessage
			if err = json.Unmarshal(raw, &set); err == nil && len(set) == 2 {
				var elems []int64
				if err = json.Unmarshal(set[1], &elems); err == nil && len(elems) == 1 {
					s.Index = elems[0]
				}
			}
		}
		if err != nil {
			return fmt.Errorf("_Server.Database.%s: %w", col, err)
		}
	}
	return nil
}

// serverWatch follows the client's database in the server's _Server
// database over one connection, and records the highest raft index seen.
type serverWatch struct {
	c     *Client
	monID string
	mu    sync.Mutex
	state serverState
}

// watchServer monitors _Server.Database's row for the client's database
// and checks that the server may serve the client. A server without
// _Server (or without a row for the database) is taken as standalone.
func (c *Client) watchServer(ctx context.Context, rc *rpcConn, w *serverWatch) error {
	req := map[string]any{"Database": []any{map[string]any{
		"columns": []string{"name", "model", "connected", "leader", "index"},
		"where":   []any{[]any{"name", "==", c.models.model.name}},
	}}}
	var updates map[string]map[string]map[string]map[string]json.RawMessage
	_, _, err := rc.call(ctx, "monitor_cond", []any{"_Server", w.monID, req}, func(res json.RawMessage) error {
		return json.Unmarshal(res, &updates)
	})
	var re *RPCError
	if errors.As(err, &re) {
		return nil // no _Server here: nothing to check
	}
	if err != nil {
		return err
	}
	if err := w.update(updates); err != nil {
		return err
	}
	return w.check()
}

// update applies a _Server update2 to the watched state.
func (w *serverWatch) update(updates map[string]map[string]map[string]map[string]json.RawMessage) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, rows := range updates {
		for _, kinds := range rows {
			for kind, row := range kinds {
				if kind == "delete" {
					continue
				}
				if err := w.state.apply(row); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// clustered reports whether the watched database is clustered.
func (w *serverWatch) clustered() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.state.Model == "clustered"
}

// check says whether the server may serve the client, and if so records
// its raft index as seen.
func (w *serverWatch) check() error {
	w.mu.Lock()
	st := w.state
	w.mu.Unlock()
	c := w.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := st.usable(!c.opts.followerReads, c.raftIndex); err != nil {
		return err
	}
	c.raftIndex = max(c.raftIndex, st.Index)
	return nil
}

// notify handles an update of the _Server monitor on a live connection:
// a leader that stepped down (or a member cut from its cluster) drops the
// connection, and the client reconnects to a usable member.
// raw is the notification's table-updates.
func (w *serverWatch) notify(raw json.RawMessage, drop func(error)) {
	var updates map[string]map[string]map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &updates); err != nil {
		drop(fmt.Errorf("_Server update: %w", err))
		return
	}
	if err := w.update(updates); err != nil {
		drop(err)
		return
	}
	if err := w.check(); err != nil {
		drop(err)
	}
}
