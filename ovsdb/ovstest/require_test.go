package ovstest_test

import (
	"testing"

	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// verdict records what a prerequisite check did to a test.
type verdict struct {
	testing.TB
	failed, skipped bool
}

func (v *verdict) Helper()      {}
func (v *verdict) Fatal(...any) { v.failed = true }
func (v *verdict) Skip(...any)  { v.skipped = !v.failed }

// TestRequireTools: a missing program skips a test outside CI and fails
// it under CI=true; a present one does neither.
func TestRequireTools(t *testing.T) {
	tests := []struct {
		name, ci, tool     string
		wantFail, wantSkip bool
	}{
		{"present", "true", "sh", false, false},
		{"missing outside CI", "", "ovskit-no-such-program", false, true},
		{"missing under CI", "true", "ovskit-no-such-program", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			v := &verdict{}
			ovstest.RequireTools(v, tt.tool)
			if v.failed != tt.wantFail || v.skipped != tt.wantSkip {
				t.Errorf("failed=%v skipped=%v, want failed=%v skipped=%v", v.failed, v.skipped, tt.wantFail, tt.wantSkip)
			}
		})
	}
}
