package ovsdb

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestServerStateUsable(t *testing.T) {
	for _, tt := range []struct {
		name       string
		st         serverState
		leaderOnly bool
		seen       int64
		ok         bool
	}{
		{"standalone", serverState{Model: "standalone"}, true, 100, true},
		{"leader", serverState{Model: "clustered", Connected: true, Leader: true, Index: 10}, true, 5, true},
		{"follower, leader only", serverState{Model: "clustered", Connected: true, Index: 10}, true, 0, false},
		{"follower, follower reads", serverState{Model: "clustered", Connected: true, Index: 10}, false, 0, true},
		{"cut from its cluster", serverState{Model: "clustered", Leader: true, Index: 10}, true, 0, false},
		{"behind what was seen", serverState{Model: "clustered", Connected: true, Leader: true, Index: 4}, true, 5, false},
		{"level with what was seen", serverState{Model: "clustered", Connected: true, Leader: true, Index: 5}, true, 5, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.st.usable(tt.leaderOnly, tt.seen)
			if (err == nil) != tt.ok {
				t.Errorf("usable = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrNotLeader) {
				t.Errorf("usable = %v, want ErrNotLeader", err)
			}
		})
	}
}

func TestServerStateApply(t *testing.T) {
	var st serverState
	for _, row := range []string{
		`{"model":"clustered","connected":true,"leader":false,"index":["set",[]]}`,
		`{"leader":true,"index":7}`,
		`{"index":["set",[9]]}`,
	} {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(row), &m); err != nil {
			t.Fatal(err)
		}
		if err := st.apply(m); err != nil {
			t.Fatal(err)
		}
	}
	if want := (serverState{Model: "clustered", Connected: true, Leader: true, Index: 9}); st != want {
		t.Errorf("state %+v, want %+v", st, want)
	}
	if err := st.apply(map[string]json.RawMessage{"leader": json.RawMessage(`"yes"`)}); err == nil {
		t.Error("a leader that is not a boolean was accepted")
	}
}

// TestServerWatchNotify: on a live connection, a _Server update that says
// the member no longer leads (or went back in time) drops the connection;
// one that keeps it usable does not, and raises the index seen.
func TestServerWatchNotify(t *testing.T) {
	c := &Client{}
	w := &serverWatch{c: c, state: serverState{Model: "clustered", Connected: true, Leader: true, Index: 5}}
	upd := func(row string) json.RawMessage {
		return json.RawMessage(`{"Database":{"6a1f2b3c-0000-4000-8000-000000000001":{"modify":` + row + `}}}`)
	}
	for _, tt := range []struct {
		name, row string
		drop      bool
		seen      int64
	}{
		{"still the leader", `{"index":9}`, false, 9},
		{"stepped down", `{"leader":false}`, true, 9},
		{"leader again", `{"leader":true,"index":10}`, false, 10},
		{"bad update", `{"leader":"yes"}`, true, 10},
		{"back in time", `{"index":7}`, true, 10},
	} {
		dropped := false
		w.notify(upd(tt.row), func(error) { dropped = true })
		if dropped != tt.drop {
			t.Errorf("%s: dropped = %v, want %v", tt.name, dropped, tt.drop)
		}
		if c.raftIndex != tt.seen {
			t.Errorf("%s: raft index seen %d, want %d", tt.name, c.raftIndex, tt.seen)
		}
	}
}
