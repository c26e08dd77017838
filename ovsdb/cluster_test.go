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
