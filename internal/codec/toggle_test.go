package codec

import (
	"slices"
	"testing"
)

// TestToggleSetAppends: elements added to a set (the common update) go
// into the room past the slice's length without allocating, up to eight
// at a time; a set with no room grows with room to spare, so that adding
// N elements one by one does not copy it N times.
func TestToggleSetAppends(t *testing.T) {
	for _, tt := range []struct {
		name      string
		cur, vals []string
		room      int
	}{
		{"one", []string{"a", "b", "c"}, []string{"d"}, 13},
		{"eight", []string{"a", "b", "c"}, []string{"d", "e", "f", "g", "h", "i", "j", "k"}, 13},
		{"room for exactly them", []string{"a"}, []string{"b", "c"}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cur := make([]string, len(tt.cur), len(tt.cur)+tt.room)
			copy(cur, tt.cur)
			var got []string
			if allocs := testing.AllocsPerRun(10, func() { got = ToggleSet(cur, tt.vals) }); allocs != 0 {
				t.Errorf("%v allocations, want 0", allocs)
			}
			if want := append(slices.Clone(tt.cur), tt.vals...); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	full := []string{"a", "b", "c", "d"}
	full = full[:4:4]
	got := ToggleSet(full, []string{"e"})
	if want := 2*len(full) + 1; cap(got) < want || !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) {
		t.Errorf("grown to %v (cap %d), want cap >= %d", got, cap(got), want)
	}
	// Removing and adding in one diff, by the linear path and the hashed
	// one, keeps the order: what stays, then what was added.
	for _, n := range []int{2, 9} {
		var vals []string
		cur := []string{"x0", "x1", "x2"}
		vals = append(vals, "x1")
		for i := range n - 1 {
			vals = append(vals, "n"+string(rune('a'+i)))
		}
		got := ToggleSet(cur, vals)
		want := append([]string{"x0", "x2"}, vals[1:]...)
		if !slices.Equal(got, want) {
			t.Errorf("toggle %d: got %v, want %v", n, got, want)
		}
	}
}
