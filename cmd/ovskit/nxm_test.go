package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// atData is an AT_DATA file of a group of Open vSwitch's ovs-ofctl.at.
func atData(at, group, file string) string {
	_, sec, _ := strings.Cut(at, "AT_SETUP(["+group+"])")
	_, data, _ := strings.Cut(sec, "AT_DATA(["+file+"], [")
	data, _, _ = strings.Cut(data, "\n])")
	return strings.TrimPrefix(strings.TrimPrefix(data, "dnl"), "\n") + "\n"
}

// TestParseNXM runs the matches of Open vSwitch's parse-nx-match and
// parse-oxm groups (tests/ovs-ofctl.at) through `ovskit ofctl parse-nxm`
// and `parse-oxm VERSION`, beside ovs-ofctl's on the same lines: a
// summary line each. Not every line is ovs-ofctl's yet (field order,
// value checks): the counts may not fall below those reached; the TCP
// flags lines (the group "check TCP flags expression in OXM and NXM")
// must all be ovs-ofctl's.
func TestParseNXM(t *testing.T) {
	ovstest.RequireTools(t, "ovs-ofctl")
	at := ovstest.SourceFile(t, "tests/ovs-ofctl.at")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tcp := "OXM_OF_ETH_TYPE(0800), OXM_OF_IP_PROTO(06), OXM_OF_TCP_FLAGS(0fff)\n"
	for _, c := range []struct {
		name, in string
		args     []string
		floor    int // -1: every line
	}{
		{"parse-nx-match", atData(at, "ovs-ofctl parse-nx-match", "nx-match.txt"), []string{"parse-nxm"}, 263},
		{"parse-nx-match --strict", atData(at, "ovs-ofctl parse-nx-match", "nx-match.txt"), []string{"--strict", "parse-nxm"}, 291},
		{"parse-oxm (OpenFlow 1.2)", atData(at, "ovs-ofctl parse-oxm (OpenFlow 1.2)", "oxm.txt"), []string{"parse-oxm", "OpenFlow12"}, 211},
		{"parse-oxm (OpenFlow 1.2), at 1.5", atData(at, "ovs-ofctl parse-oxm (OpenFlow 1.2)", "oxm.txt"), []string{"parse-oxm", "OpenFlow15"}, 195},
		{"tcp flags nxm", tcp, []string{"parse-nxm"}, -1},
		{"tcp flags 1.2", tcp, []string{"parse-oxm", "OpenFlow12"}, -1},
		{"tcp flags 1.3", tcp, []string{"parse-oxm", "OpenFlow13"}, -1},
		{"tcp flags 1.4", tcp, []string{"parse-oxm", "OpenFlow14"}, -1},
		{"tcp flags 1.5", tcp, []string{"parse-oxm", "OpenFlow15"}, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines := strings.Split(strings.TrimSuffix(c.in, "\n"), "\n")
			if len(lines) < max(c.floor, 1) {
				t.Fatalf("%d lines found", len(lines))
			}
			cmd := exec.CommandContext(ctx, "ovs-ofctl", c.args...)
			cmd.Stdin = strings.NewReader(c.in)
			want, err := cmd.Output()
			if err != nil {
				t.Fatalf("ovs-ofctl %v: %v", c.args, err)
			}
			var out, errb strings.Builder
			args, strict := c.args, c.args[0] == "--strict"
			if strict {
				args = args[1:]
			}
			if code := parseNXM("ovs-ofctl", args, strict, strings.NewReader(c.in), &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			w, g := strings.Split(string(want), "\n"), strings.Split(out.String(), "\n")
			same := 0
			for i := range min(len(w), len(g)) {
				if w[i] == g[i] {
					same++
				} else if c.floor < 0 {
					t.Errorf("line %d: ovskit %q, ovs-ofctl %q", i+1, g[i], w[i])
				}
			}
			same = min(same, len(lines))
			if c.floor >= 0 && same < c.floor {
				t.Errorf("%d lines printed as ovs-ofctl prints them, fewer than %d", same, c.floor)
			}
			if c.floor >= 0 {
				fmt.Printf("openflow ovs-ofctl.at %s (%s): %d lines, %d printed as ovs-ofctl prints them\n", c.name, strings.Join(c.args, " "), len(lines), same)
			}
		})
	}
}
