package main

import (
	"slices"
	"testing"
)

// TestSmapOrder: map keys in the order the C tools walk them, each case
// as ovn-nbctl 23.03 printed a routing policy's options here (the
// differential compares such a policy against it too).
func TestSmapOrder(t *testing.T) {
	for _, tc := range []struct{ keys, want []string }{
		{nil, nil},
		{[]string{"a"}, []string{"a"}},
		{[]string{"pkt_mark", "foo"}, []string{"foo", "pkt_mark"}},
		{[]string{"zz", "pkt_mark", "c", "b", "a"}, []string{"a", "b", "zz", "pkt_mark", "c"}},
		{[]string{"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"}, []string{"k5", "k7", "k8", "k9", "k6", "k1", "k2", "k4", "k3"}},
	} {
		if got := smapOrder(tc.keys); !slices.Equal(got, tc.want) {
			t.Errorf("smapOrder(%q) = %q, want %q", tc.keys, got, tc.want)
		}
	}
}
