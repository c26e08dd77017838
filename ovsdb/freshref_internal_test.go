package ovsdb

import (
	"slices"
	"testing"
)

// TestCacheFreshRefs: a set diff whose elements are rows the previous
// snapshot does not have (an insert and the set that takes it: add-port,
// lsp-add) appends them without searching the set; any other diff
// toggles, as update2 says. Earlier snapshots keep their sets.
func TestCacheFreshRefs(t *testing.T) {
	const (
		br = "22222222-0000-4000-8000-000000000001"
		p1 = "33333333-0000-4000-8000-000000000001"
		p2 = "33333333-0000-4000-8000-000000000002"
		p3 = "33333333-0000-4000-8000-000000000003"
		p4 = "33333333-0000-4000-8000-000000000004"
		p5 = "33333333-0000-4000-8000-000000000005"
		px = "33333333-0000-4000-8000-0000000000ff"
	)
	schema, err := testSchema()
	if err != nil {
		t.Fatal(err)
	}
	port := func(u, kind string) string { return `"` + u + `":{"` + kind + `":{"name":"` + u[len(u)-2:] + `"}}` }
	ports := func(s *snapshot) []string { return s.get(TableBridge, br).(*Bridge).Ports }
	steps := []struct {
		name, upd string
		want      []string
	}{
		{"initial", `{"Port":{` + port(p1, "initial") + `,` + port(p2, "initial") + `,` + port(p4, "initial") + `},
			"Bridge":{"` + br + `":{"initial":{"name":"br0","ports":["set",[["uuid","` + p1 + `"],["uuid","` + p2 + `"]]]}}}}`,
			[]string{p1, p2}},
		{"a new port", `{"Port":{` + port(p3, "insert") + `},"Bridge":{"` + br + `":{"modify":{"ports":["uuid","` + p3 + `"]}}}}`,
			[]string{p1, p2, p3}},
		{"a port removed", `{"Port":{"` + p2 + `":{"delete":null}},"Bridge":{"` + br + `":{"modify":{"ports":["uuid","` + p2 + `"]}}}}`,
			[]string{p1, p3}},
		{"an existing port added", `{"Bridge":{"` + br + `":{"modify":{"ports":["uuid","` + p4 + `"]}}}}`,
			[]string{p1, p3, p4}},
		{"one new, one removed", `{"Port":{` + port(p5, "insert") + `},"Bridge":{"` + br + `":{"modify":{"ports":["set",[["uuid","` + p5 + `"],["uuid","` + p1 + `"]]]}}}}`,
			[]string{p3, p4, p5}},
	}
	c := newCache(schema, defaultKeyIndexes)
	var snaps []*snapshot
	for _, st := range steps {
		if _, err := c.apply([]byte(st.upd)); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		snaps = append(snaps, c.snapshot())
		if got := ports(c.snapshot()); !slices.Equal(got, st.want) {
			t.Fatalf("%s: ports %v, want %v", st.name, got, st.want)
		}
	}
	for i, st := range steps {
		if got := ports(snaps[i]); !slices.Equal(got, st.want) {
			t.Errorf("snapshot after %q changed: %v, want %v", st.name, got, st.want)
		}
	}

	// The set is not searched: given a state a server never sends (a set
	// holding the UUID of no row), a diff of that UUID with its insert
	// appends it where a search would have removed it. With the Port
	// table filtered (monitor conditions: rows the cache does not see),
	// the cache cannot tell and searches.
	for _, tc := range []struct {
		name     string
		monitors map[string]*Monitor
		want     []string
	}{
		{"all ports monitored", nil, []string{px, px}},
		{"ports filtered", map[string]*Monitor{TableBridge: {Table: TableBridge}, TablePort: {Table: TablePort, Where: []Condition{{"name", "!=", "x"}}}}, nil},
	} {
		c := newCache(schema, defaultKeyIndexes)
		c.monitors = tc.monitors
		for _, upd := range []string{
			`{"Bridge":{"` + br + `":{"initial":{"name":"br0","ports":["uuid","` + px + `"]}}}}`,
			`{"Port":{` + port(px, "insert") + `},"Bridge":{"` + br + `":{"modify":{"ports":["uuid","` + px + `"]}}}}`,
		} {
			if _, err := c.apply([]byte(upd)); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		if got := ports(c.snapshot()); !slices.Equal(got, tc.want) {
			t.Errorf("%s: ports %v, want %v", tc.name, got, tc.want)
		}
	}
}
