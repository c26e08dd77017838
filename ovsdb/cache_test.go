package ovsdb

import (
	"slices"
	"testing"
)

const (
	u1 = "11111111-0000-4000-8000-000000000001"
	u2 = "11111111-0000-4000-8000-000000000002"
	u3 = "11111111-0000-4000-8000-000000000003"
)

// TestCacheApply drives the cache through inserts, set and map diffs,
// renames and deletes, checking after each update the rows, the name
// index, the key index, the events, and that earlier snapshots are
// unchanged. It runs without a server, first, so that a broken cache
// fails fast.
func TestCacheApply(t *testing.T) {
	schema, err := testSchema()
	if err != nil {
		t.Fatal(err)
	}
	c := newCache(schema, defaultKeyIndexes)
	apply := func(upd string) []rowEvent {
		t.Helper()
		evs, err := c.apply([]byte(upd))
		if err != nil {
			t.Fatalf("apply %s: %v", upd, err)
		}
		return evs
	}
	name := func(s *snapshot, u string) string {
		if r := s.get(TableInterface, u); r != nil {
			return r.(*Interface).Name
		}
		return ""
	}
	byName := func(s *snapshot, n string) string {
		r, indexed := s.lookup(TableInterface, "name", n)
		if !indexed {
			t.Fatal("Interface.name is not indexed")
		}
		if r == nil {
			return ""
		}
		return r.OVSDBUUID()
	}
	byID := func(s *snapshot, id string) []string {
		rows, indexed := s.findByKey(KeyIndex{TableInterface, "external_ids", "iface-id"}, id)
		if !indexed {
			t.Fatal("iface-id is not indexed")
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.OVSDBUUID())
		}
		return out
	}

	s0 := c.snapshot()
	evs := apply(`{"Interface":{
		"` + u1 + `":{"initial":{"name":"a","external_ids":["map",[["iface-id","x"]]],"options":["map",[["k","1"]]]}},
		"` + u2 + `":{"initial":{"name":"b","external_ids":["map",[["iface-id","x"]]]}}}}`)
	s1 := c.snapshot()
	if len(evs) != 2 || evs[0].kind != EventInsert || evs[0].new == nil || evs[0].old != nil {
		t.Fatalf("insert events: %+v", evs)
	}
	if s1.seq != s0.seq+1 || s0.table(TableInterface).len() != 0 || s1.table(TableInterface).len() != 2 {
		t.Fatalf("seq %d→%d, rows %d→%d", s0.seq, s1.seq, s0.table(TableInterface).len(), s1.table(TableInterface).len())
	}
	if byName(s1, "a") != u1 || byName(s1, "b") != u2 || byName(s1, "c") != "" {
		t.Fatalf("name index: a=%s b=%s", byName(s1, "a"), byName(s1, "b"))
	}
	if got := byID(s1, "x"); !slices.Equal(got, []string{u1, u2}) {
		t.Fatalf("iface-id x: %v", got)
	}

	// A rename, a key moved to another value, a map diff, a set diff.
	evs = apply(`{"Interface":{
		"` + u1 + `":{"modify":{"name":"c","external_ids":["map",[["iface-id","y"]]],"options":["map",[["k","1"],["j","2"]]]}},
		"` + u2 + `":{"modify":{"cfm_remote_mpids":["set",[7,8]]}}}}`)
	s2 := c.snapshot()
	if len(evs) != 2 || evs[0].kind != EventUpdate || evs[0].old == nil || evs[0].new == nil {
		t.Fatalf("modify events: %+v", evs)
	}
	if byName(s2, "a") != "" || byName(s2, "c") != u1 || byName(s1, "a") != u1 {
		t.Fatalf("rename: a=%s c=%s, before a=%s", byName(s2, "a"), byName(s2, "c"), byName(s1, "a"))
	}
	if got := byID(s2, "x"); !slices.Equal(got, []string{u2}) {
		t.Fatalf("iface-id x after the move: %v", got)
	}
	if got := byID(s2, "y"); !slices.Equal(got, []string{u1}) {
		t.Fatalf("iface-id y after the move: %v", got)
	}
	if got := byID(s1, "x"); !slices.Equal(got, []string{u1, u2}) {
		t.Fatalf("the earlier snapshot's index changed: %v", got)
	}
	r1 := s2.get(TableInterface, u1).(*Interface)
	if r1.Name != "c" || len(r1.Options) != 1 || r1.Options["j"] != "2" {
		t.Fatalf("map diff: %+v (k=1 toggles off, j=2 is added)", r1.Options)
	}
	if old := s1.get(TableInterface, u1).(*Interface); old.Name != "a" || old.Options["k"] != "1" {
		t.Fatalf("the earlier snapshot's row changed: %+v", old)
	}
	r2 := s2.get(TableInterface, u2).(*Interface)
	if !slices.Equal(r2.CFMRemoteMPIDs, []int{7, 8}) {
		t.Fatalf("set diff: %v", r2.CFMRemoteMPIDs)
	}
	apply(`{"Interface":{"` + u2 + `":{"modify":{"cfm_remote_mpids":["set",[7,9]]}}}}`)
	if got := c.snapshot().get(TableInterface, u2).(*Interface).CFMRemoteMPIDs; !slices.Equal(got, []int{8, 9}) {
		t.Fatalf("set diff toggling: %v", got)
	}
	if got := s2.get(TableInterface, u2).(*Interface).CFMRemoteMPIDs; !slices.Equal(got, []int{7, 8}) {
		t.Fatalf("the earlier snapshot's set changed: %v", got)
	}

	// A delete, and an insert in the same update.
	evs = apply(`{"Interface":{"` + u1 + `":{"delete":null},"` + u3 + `":{"insert":{"name":"c"}}}}`)
	s3 := c.snapshot()
	kinds := []EventKind{evs[0].kind, evs[1].kind}
	slices.Sort(kinds)
	if !slices.Equal(kinds, []EventKind{EventInsert, EventDelete}) {
		t.Fatalf("delete and insert events: %v", kinds)
	}
	if name(s3, u1) != "" || name(s2, u1) != "c" || byName(s3, "c") != u3 {
		t.Fatalf("after the delete: u1=%q (was %q), c=%s", name(s3, u1), name(s2, u1), byName(s3, "c"))
	}
	if got := byID(s3, "y"); len(got) != 0 {
		t.Fatalf("iface-id y after the delete: %v", got)
	}
	if rows := s3.rows(TableInterface); len(rows) != 2 || rows[0].OVSDBUUID() != u2 || rows[1].OVSDBUUID() != u3 {
		t.Fatalf("rows: %v", rows)
	}
	if d := s3.diff(s1); len(d) != 3 {
		t.Fatalf("diff of s1 and s3: %d events, want 3 (u1 deleted, u2 changed, u3 inserted)", len(d))
	}
	if d := s3.diff(s3); len(d) != 0 {
		t.Fatalf("diff of s3 and itself: %d events, want none", len(d))
	}

	// Bad updates leave the cache as it was.
	for _, bad := range []string{
		`{"Interface":{"` + u1 + `":{"modify":{"name":"z"}}}}`,
		`{"Interface":{"` + u2 + `":{"rename":{}}}}`,
		`{"Interface":{"` + u2 + `":{"modify":{"ofport":"x"}}}}`,
		`[1]`,
	} {
		before := c.snapshot()
		if _, err := c.apply([]byte(bad)); err == nil {
			t.Errorf("apply %s: no error", bad)
		}
		if c.snapshot() != before {
			t.Errorf("apply %s changed the cache", bad)
		}
	}
	// A table the models do not know is skipped.
	apply(`{"Nosuch":{"` + u1 + `":{"insert":{}}}}`)
	if root := c.snapshot().root(); root != nil {
		t.Fatalf("root %v without an Open_vSwitch row", root)
	}
	apply(`{"Open_vSwitch":{"` + u1 + `":{"initial":{"next_cfg":3}}}}`)
	if root := c.snapshot().root(); root == nil || root.NextCfg != 3 {
		t.Fatalf("root %+v", root)
	}
}
