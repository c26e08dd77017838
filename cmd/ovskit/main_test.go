package main

import (
	"strings"
	"testing"
)

// TestHelpVersion: --help and --version answer without a database, as
// ovs-vsctl's do, and bad global options are refused.
func TestHelpVersion(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  []string
		err  string
	}{
		{"help", []string{"--help"}, 0, []string{"usage: ovskit", "--format=FORMAT", "emer-reset", "add-zone-tp"}, ""},
		{"short help", []string{"-h"}, 0, []string{"usage: ovskit"}, ""},
		{"version", []string{"--version"}, 0, []string{"ovskit ", "DB Schema 8.8.0", "Open_vSwitch schema 8.2.0 to 8.8.0", "OVN_Northbound schema 6.1.0 to 7.18.0"}, ""},
		{"short version", []string{"-V"}, 0, []string{"DB Schema"}, ""},
		{"no command", []string{"--no-wait"}, 1, nil, "missing command name (use --help for help)"},
		{"timeout overflow", []string{"--timeout=99999999999", "list-br"}, 1, nil, "value 99999999999 on -t or --timeout is invalid"},
		{"bad format", []string{"-f", "xml", "list", "Bridge"}, 1, nil, `unknown output format "xml"`},
		{"dot for list", []string{"-f", "dot", "list", "Bridge"}, 1, nil, "--format=dot is for show"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			if code := run(tt.args, &out, &errOut); code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut.String())
			}
			for _, want := range tt.out {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, out.String())
				}
			}
			if tt.err != "" && !strings.Contains(errOut.String(), "ovskit: "+tt.err) {
				t.Errorf("stderr %q lacks %q", errOut.String(), tt.err)
			}
		})
	}
}
