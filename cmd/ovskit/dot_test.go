package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// renderDOT checks that graphviz accepts the graph and draws an SVG.
func renderDOT(t *testing.T, dot string) {
	t.Helper()
	ovstest.RequireTools(t, "dot")
	cmd := exec.Command("dot", "-Tsvg")
	cmd.Stdin = strings.NewReader(dot)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "<svg") {
		t.Fatalf("dot -Tsvg: %v\n%s\ngraph:\n%s", err, out, dot)
	}
}

// TestShowDOT: --format=dot show draws the tutorial's switch: bridges,
// ports with their tags and trunks, a patch pair, tunnels with their
// remote IPs; graphviz renders it.
func TestShowDOT(t *testing.T) {
	s := ovstest.NewServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, line := range []string{
		"add-br br-in -- add-br br1-in -- add-port br-in vif0.0 tag=10 -- add-port br-in trunk0 trunks=10,11",
		`add-port br-in patch0 -- set Interface patch0 type=patch options:peer=patch1 -- add-port br1-in patch1 -- set Interface patch1 type=patch options:peer=patch0`,
		"add-port br-in gre1 -- set Interface gre1 type=gre options:remote_ip=192.168.100.11",
		"add-port br1-in tap-1 -- set-fail-mode br1-in secure",
	} {
		if code, _, errOut := runOvskit(ctx, s.Client, step{line: line}, false); code != 0 {
			t.Fatalf("%s: %s", line, errOut)
		}
	}
	code, out, errOut := runOvskit(ctx, s.Client, step{line: "--format=dot show"}, false)
	if code != 0 {
		t.Fatal(errOut)
	}
	for _, want := range []string{"bridge br-in", "bridge br1-in", "fail_mode secure", `vif0.0\ntag 10`, "trunks 10,11",
		"remote_ip 192.168.100.11", `"/br-in/patch0" -- "/br1-in/patch1" [style=dashed, label=patch]`, "tap-1", `label="gre"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the graph lacks %q:\n%s", want, out)
		}
	}
	renderDOT(t, out)
	if code, _, _ := runOvskit(ctx, s.Client, step{line: "--format=dot list-br"}, false); code == 0 {
		t.Error("--format=dot accepted for list-br")
	}
}
