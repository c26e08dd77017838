package ovsdb

import "testing"

// TestWatcherLimit: up to the limit every event is queued as it came;
// past it, an event of a row already queued is merged into that row's.
func TestWatcherLimit(t *testing.T) {
	port := func(u, name string) *Port { return &Port{UUID: u, Name: name} }
	for _, tt := range []struct {
		name   string
		limit  int
		events []rowEvent
		want   int // events queued
	}{
		{"under the limit", 3, []rowEvent{
			{kind: EventInsert, new: port("a", "1")},
			{kind: EventUpdate, old: port("a", "1"), new: port("a", "2")},
		}, 2},
		{"at the limit", 2, []rowEvent{
			{kind: EventInsert, new: port("a", "1")},
			{kind: EventUpdate, old: port("a", "1"), new: port("a", "2")},
		}, 2},
		{"one past the limit, same row", 2, []rowEvent{
			{kind: EventInsert, new: port("a", "1")},
			{kind: EventInsert, new: port("b", "1")},
			{kind: EventUpdate, old: port("a", "1"), new: port("a", "2")},
		}, 2},
		{"one past the limit, a new row", 2, []rowEvent{
			{kind: EventInsert, new: port("a", "1")},
			{kind: EventInsert, new: port("b", "1")},
			{kind: EventInsert, new: port("c", "1")},
		}, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := &watcher{table: TablePort, limit: tt.limit, signal: make(chan struct{}, 1)}
			for _, ev := range tt.events {
				ev.table = TablePort
				w.add(ev)
			}
			if len(w.queue) != tt.want {
				t.Fatalf("%d events queued, want %d: %+v", len(w.queue), tt.want, w.queue)
			}
		})
	}
}
