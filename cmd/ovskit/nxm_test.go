package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/openflow"
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
		{"parse-nx-match", atData(at, "ovs-ofctl parse-nx-match", "nx-match.txt"), []string{"parse-nxm"}, 275},
		{"parse-nx-match --strict", atData(at, "ovs-ofctl parse-nx-match", "nx-match.txt"), []string{"--strict", "parse-nxm"}, -1},
		{"parse-oxm (OpenFlow 1.2)", atData(at, "ovs-ofctl parse-oxm (OpenFlow 1.2)", "oxm.txt"), []string{"parse-oxm", "OpenFlow12"}, 218},
		{"parse-oxm (OpenFlow 1.2) --strict", atData(at, "ovs-ofctl parse-oxm (OpenFlow 1.2)", "oxm.txt"), []string{"--strict", "parse-oxm", "OpenFlow12"}, -1},
		{"parse-oxm (OpenFlow 1.2), at 1.5", atData(at, "ovs-ofctl parse-oxm (OpenFlow 1.2)", "oxm.txt"), []string{"parse-oxm", "OpenFlow15"}, 218},
		{"parse-oxm (OpenFlow 1.3) --strict", atData(at, "ovs-ofctl parse-oxm (OpenFlow 1.3)", "oxm.txt"), []string{"--strict", "parse-oxm", "OpenFlow13"}, -1},
		{"parse-oxm (OpenFlow 1.5) --strict", atData(at, "ovs-ofctl parse-oxm (OpenFlow 1.5)", "oxm.txt"), []string{"--strict", "parse-oxm", "OpenFlow15"}, -1},
		{"parse-nx-match loose", atData(at, "ovs-ofctl parse-nx-match loose", "nx-match.txt"), []string{"parse-nxm"}, -1},
		{"parse-oxm loose", atData(at, "ovs-ofctl parse-oxm loose", "oxm.txt"), []string{"parse-oxm", "OpenFlow12"}, -1},
		{"experimenter OXM encoding -m", atData(at, "experimenter OXM encoding", "oxm.txt"), []string{"-m", "--strict", "parse-oxm", "OpenFlow15"}, -1},
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
			args, verbosity := c.args, 0
			if args[0] == "-m" {
				args, verbosity = args[1:], 1
			}
			strict := args[0] == "--strict"
			if strict {
				args = args[1:]
			}
			if code := parseNXM("ovs-ofctl", args, strict, verbosity, newVlog("ovs-ofctl", &errb), strings.NewReader(c.in), &out, &errb); code != 0 {
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

// TestParseFlowsAt runs the flows files of ovs-ofctl.at's parse-flows
// groups through `ovskit ofctl parse-flows` with each group's options,
// beside ovs-ofctl on the same file: every line (usable and chosen
// protocol, each flow mod) must be ovs-ofctl's.
func TestParseFlowsAt(t *testing.T) {
	ovstest.RequireTools(t, "ovs-ofctl")
	at := ovstest.SourceFile(t, "tests/ovs-ofctl.at")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, c := range []struct {
		group string
		opts  []string
	}{
		{"ovs-ofctl parse-flows (OpenFlow 1.0)", nil},
		{"ovs-ofctl parse-flows (OpenFlow 1.1)", []string{"--protocols", "OpenFlow11"}},
		{"ovs-ofctl parse-flows (OpenFlow 1.2)", []string{"--protocols", "OpenFlow12"}},
		{"ovs-ofctl parse-flows (NXM)", nil},
		{"ovs-ofctl -F nxm parse-flows", []string{"-F", "nxm"}},
		{"ovs-ofctl -F nxm -mmm parse-flows", []string{"-F", "nxm", "-mmm"}},
	} {
		t.Run(c.group, func(t *testing.T) {
			// The file, in m4's quotes: [[...]] around it, or [...] with
			// [[]] for [].
			_, sec, _ := strings.Cut(at, "AT_SETUP(["+c.group+"])")
			_, data, _ := strings.Cut(sec, "AT_DATA([flows.txt], [")
			if rest, ok := strings.CutPrefix(data, "["); ok {
				data, _, _ = strings.Cut(rest, "\n]])")
			} else {
				data, _, _ = strings.Cut(data, "\n])")
				data = strings.ReplaceAll(data, "[[]]", "[]")
			}
			data += "\n"
			file := t.TempDir() + "/flows.txt"
			if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			args := append(append([]string(nil), c.opts...), "parse-flows", file)
			want, err := exec.CommandContext(ctx, "ovs-ofctl", args...).Output()
			if err != nil {
				t.Fatalf("ovs-ofctl %v: %v", args, err)
			}
			var out, errb strings.Builder
			if code := runOfctl("ovs-ofctl", args, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			w, g := strings.Split(string(want), "\n"), strings.Split(out.String(), "\n")
			if len(w) < 10 || len(w) != len(g) {
				t.Fatalf("%d lines, ovs-ofctl %d", len(g), len(w))
			}
			for i := range w {
				if w[i] != g[i] {
					t.Errorf("line %d: ovskit %q, ovs-ofctl %q", i+1, g[i], w[i])
				}
			}
		})
	}
}

// TestParseStdMatchAt runs the matches of ovs-ofctl.at's
// parse-ofp10-match and parse-ofp11-match groups through `ovskit ofctl`,
// beside ovs-ofctl: the same lines on stdout (each match or the error
// that refuses it, the bytes written back differently, at 1.0 those
// normalization changes) and the same log lines on stderr.
func TestParseStdMatchAt(t *testing.T) {
	ovstest.RequireTools(t, "ovs-ofctl")
	at := ovstest.SourceFile(t, "tests/ovs-ofctl.at")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, c := range []struct {
		cmd    string
		ver    openflow.Version
		stderr string // a line stderr must have
	}{
		{"parse-ofp10-match", openflow.OpenFlow10, "normalization changed"},
		{"parse-ofp11-match", openflow.OpenFlow11, "ofp_port|WARN|port 305419896 is outside"},
	} {
		t.Run(c.cmd, func(t *testing.T) {
			data := strings.ReplaceAll(atData(at, "ovs-ofctl "+c.cmd, "test-data"), " dnl\n", " ")
			var in strings.Builder
			for _, l := range strings.Split(data, "\n") {
				if l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "&") && !strings.HasPrefix(l, "dnl") {
					in.WriteString(l + "\n")
				}
			}
			if strings.Count(in.String(), "\n") < 30 {
				t.Fatalf("%d matches found", strings.Count(in.String(), "\n"))
			}
			args := []string{"-vPATTERN:console:%c|%p|%m", c.cmd}
			cmd := exec.CommandContext(ctx, "ovs-ofctl", args...)
			cmd.Stdin = strings.NewReader(in.String())
			var wantErr strings.Builder
			cmd.Stderr = &wantErr
			want, err := cmd.Output()
			if err != nil {
				t.Fatalf("ovs-ofctl: %v", err)
			}
			var out, errb strings.Builder
			lg := newVlog("ovs-ofctl", &errb)
			if err := lg.set(strings.TrimPrefix(args[0], "-v")); err != nil {
				t.Fatal(err)
			}
			if code := parseStdMatch("ovs-ofctl", c.ver, lg, strings.NewReader(in.String()), &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if out.String() != string(want) {
				t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), want)
			}
			if errb.String() != wantErr.String() || !strings.Contains(wantErr.String(), c.stderr) {
				t.Errorf("stderr:\n%s\nwant:\n%s", errb.String(), wantErr.String())
			}
		})
	}
}

// TestCheckVLAN runs ovs-ofctl.at's check-vlan cases (and a few more)
// through `ovskit ofctl check-vlan`, beside ovs-ofctl: the same lines.
// (Not a TCI with bits its mask leaves out, "e123 e000": a Match holds
// only the bits it tests.)
func TestCheckVLAN(t *testing.T) {
	ovstest.RequireTools(t, "ovs-ofctl")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, c := range [][2]string{{"0000", "0000"}, {"0000", "ffff"}, {"1abc", "1fff"}, {"b000", "f000"},
		{"babc", "ffff"}, {"0000", "0fff"}, {"0000", "f000"}, {"0000", "efff"}, {"1001", "1001"}, {"3000", "3000"},
		{"2fff", "ffff"}, {"1000", "1000"}, {"0abc", "1fff"}, {"e000", "e000"}} {
		want, err := exec.CommandContext(ctx, "ovs-ofctl", "check-vlan", c[0], c[1]).Output()
		if err != nil {
			t.Fatalf("ovs-ofctl check-vlan %v: %v", c, err)
		}
		var out, errb strings.Builder
		if code := runOfctl("ovs-ofctl", []string{"check-vlan", c[0], c[1]}, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", c, code, errb.String())
		}
		if out.String() != string(want) {
			t.Errorf("check-vlan %s %s:\n%s\nwant:\n%s", c[0], c[1], out.String(), want)
		}
	}
}
