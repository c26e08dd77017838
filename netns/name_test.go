package netns_test

import (
	"strings"
	"testing"

	"github.com/ovskit/ovskit/netns"
)

func TestSafeName(t *testing.T) {
	tests := []struct {
		name string
		safe bool
	}{
		{"a", true},
		{"ovstest-", true},
		{"Lab_4-x", true},
		{strings.Repeat("x", 15), true},
		{"", false},
		{strings.Repeat("x", 16), false},
		{"../etc", false},
		{"a/b", false},
		{"a b", false},
		{"é", false},
		{"a\x00", false},
	}
	for _, tt := range tests {
		if got := netns.SafeName(tt.name); got != tt.safe {
			t.Errorf("SafeName(%q) = %v, want %v", tt.name, got, tt.safe)
		}
	}
}
