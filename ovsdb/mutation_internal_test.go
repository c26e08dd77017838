package ovsdb

import (
	"errors"
	"testing"
)

// TestCheckMutation: which mutators and value types each kind of column
// takes.
func TestCheckMutation(t *testing.T) {
	set, m, n, opt := []string{"a"}, map[string]string{"k": "v"}, 5, (*int)(nil)
	for _, tt := range []struct {
		name string
		cur  any
		mut  Mutation
		ok   bool
	}{
		{"set insert one", set, Mutation{"c", MutateInsert, "b"}, true},
		{"set insert several", set, Mutation{"c", MutateInsert, []string{"b", "c"}}, true},
		{"set delete", set, Mutation{"c", MutateDelete, "a"}, true},
		{"set insert of another type", set, Mutation{"c", MutateInsert, 3}, false},
		{"set add", set, Mutation{"c", MutateAdd, "b"}, false},
		{"optional insert", opt, Mutation{"c", MutateInsert, 3}, true},
		{"map insert", m, Mutation{"c", MutateInsert, map[string]string{"x": "y"}}, true},
		{"map delete pairs", m, Mutation{"c", MutateDelete, map[string]string{"k": "v"}}, true},
		{"map delete a key", m, Mutation{"c", MutateDelete, "k"}, true},
		{"map delete keys", m, Mutation{"c", MutateDelete, []string{"k", "j"}}, true},
		{"map insert a key", m, Mutation{"c", MutateInsert, "k"}, false},
		{"map insert keys", m, Mutation{"c", MutateInsert, []string{"k"}}, false},
		{"map delete keys of another type", m, Mutation{"c", MutateDelete, []int{1}}, false},
		{"map add", m, Mutation{"c", MutateAdd, m}, false},
		{"int add", n, Mutation{"c", MutateAdd, 1}, true},
		{"int div", n, Mutation{"c", MutateDiv, 2}, true},
		{"int div by zero", n, Mutation{"c", MutateDiv, 0}, false},
		{"int mod by zero", n, Mutation{"c", MutateMod, 0}, false},
		{"int insert", n, Mutation{"c", MutateInsert, 1}, false},
		{"int add a string", n, Mutation{"c", MutateAdd, "1"}, false},
		{"nil value", set, Mutation{"c", MutateInsert, nil}, false},
	} {
		err := checkMutation(tt.cur, tt.mut)
		if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s: %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
