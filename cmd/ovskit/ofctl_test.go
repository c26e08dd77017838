package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
)

// TestOfctl runs ovs-ofctl command lines through `ovskit ofctl` on one
// bridge and through ovs-ofctl on another and compares the tables and
// the dumps: add-flows from a file, --strict deletes and modifications,
// sorted dumps, and bad syntax refused before anything is sent.
// Each OpenFlow version is run: -O passes it to both.
func TestOfctl(t *testing.T) {
	ovstest.RequireTools(t, "ovs-ofctl")
	for _, ver := range []string{"OpenFlow13", "OpenFlow14", "OpenFlow15"} {
		t.Run(ver, func(t *testing.T) { testOfctl(t, ver) })
	}
	var out, errb strings.Builder
	// OpenFlow 1.1 (and 1.2) are ovs-ofctl's but not package openflow's.
	if code := run([]string{"ofctl", "-O", "OpenFlow11", "dump-flows", "unix:/nonexistent"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "OpenFlow11") {
		t.Errorf("-O OpenFlow11: exit %d, %q; want 1, refused by name", code, errb.String())
	}
}

func testOfctl(t *testing.T, ver string) {
	tag := "OF1." + ver[len(ver)-1:]
	s := ovstest.NewServer(t, ovstest.WithVSwitchd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.Client.Transact(ctx, bridge.Add("a", bridge.DatapathType("netdev")), bridge.Add("b", bridge.DatapathType("netdev"))); err != nil {
		t.Fatal(err)
	}
	a, b := "unix:"+filepath.Join(s.Dir, "a.mgmt"), "unix:"+filepath.Join(s.Dir, "b.mgmt")
	file := filepath.Join(t.TempDir(), "flows.txt")
	if err := os.WriteFile(file, []byte("# the flows\n\npriority=10,in_port=1,actions=output:2 # to port 2\npriority=20,ip,nw_dst=10.0.0.0/8,action=dec_ttl,normal\ntable=1,priority=5,actions=drop\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Two good flows and one the switch refuses (no group 99).
	badFile := filepath.Join(t.TempDir(), "bad.txt")
	if err := os.WriteFile(badFile, []byte("priority=70,arp,actions=drop\npriority=71,ip,actions=group:99\npriority=72,udp,actions=drop\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tool := func(args ...string) (string, int) {
		out, err := exec.CommandContext(ctx, "ovs-ofctl", append([]string{"-O", ver}, args...)...).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	mine := func(args ...string) (string, int) {
		var out, errb strings.Builder
		code := run(append([]string{"ofctl", "-O", ver}, args...), &out, &errb)
		return out.String() + errb.String(), code
	}
	sorted := func(out string) string {
		lines := strings.Split(strings.TrimSpace(out), "\n")
		slices.Sort(lines)
		return strings.Join(lines, "\n")
	}
	for _, step := range [][]string{
		{"add-flows", "BR", file},
		{"add-flow", "BR", "priority=30,tcp,tp_dst=22,actions=drop"},
		{"--strict", "del-flows", "BR", "priority=10,in_port=1"},
		{"--strict", "mod-flows", "BR", "priority=20,ip,nw_dst=10.0.0.0/8,actions=output:4"},
		{"mod-flows", "BR", "table=1,actions=normal"},
		{"add-flow", "BR", "priority=40,nosuchfield=1,actions=drop"},
		{"del-flows", "BR", "table=1"},
		{"--bundle", "replace-flows", "BR", file},
		{"diff-flows", "BR", file},
		{"--bundle", "add-flows", "BR", badFile},
		{"add-flows", "BR", badFile},
		{"add-flow", "BR", "priority=50,udp,actions=drop"},
		{"add-flow", "BR", "priority=30,tcp,tp_dst=80,actions=drop"},
		{"add-flow", "BR", "priority=35,ip,nw_dst=192.168.0.0/16,actions=drop"},
		{"diff-flows", "BR", file},
		{"add-group", "BR", "group_id=1,type=select,bucket=weight:5,actions=output:1,bucket=output:2"},
		{"mod-group", "BR", "group_id=1,type=all,bucket=output:3"},
		{"add-meter", "BR", "meter=1,kbps,burst,band=type=drop,rate=1000,burst_size=100"},
		{"add-flow", "BR", "priority=60,ip,actions=meter:1,group:1"},
		{"del-meters", "BR"},
		{"del-groups", "BR", "group_id=1"},
		{"packet-out", "BR", "in_port=controller packet=ffffffffffff525400000001080600010800060400015254000000010a0000010000000000000a000002 actions=table"},
	} {
		with := func(br string) []string {
			out := slices.Clone(step)
			for i := range out {
				if out[i] == "BR" {
					out[i] = br
				}
			}
			return out
		}
		outA, codeA := tool(with(a)...)
		outB, codeB := mine(with(b)...)
		if (codeA == 0) != (codeB == 0) || (codeA == 2) != (codeB == 2) {
			t.Errorf("%v: ovs-ofctl exit %d (%s), ovskit %d (%s)", step, codeA, outA, codeB, outB)
		}
		if step[0] == "diff-flows" && sorted(outA) != sorted(outB) {
			t.Errorf("%v: ovs-ofctl prints\n%s\novskit\n%s", step, outA, outB)
		}
		dumpA, _ := tool("--no-stats", "dump-flows", a)
		dumpB, _ := tool("--no-stats", "dump-flows", b)
		if sorted(dumpA) != sorted(dumpB) {
			t.Errorf("%v: tables differ:\n%s\n---\n%s", step, dumpA, dumpB)
		}
		for _, dump := range []string{"dump-groups", "dump-meters"} {
			want, _ := tool(dump, a)
			got, code := mine(dump, a)
			_, want, _ = strings.Cut(want, "\n") // ovs-ofctl's header has an xid
			_, got, _ = strings.Cut(got, "\n")
			if code != 0 || sorted(got) != sorted(want) {
				t.Errorf("%v: ovskit ofctl %s prints\n%s\nwant\n%s", step, dump, got, want)
			}
		}
		for _, order := range [][]string{{"--rsort"}, {"--sort"}, {"--sort=tp_dst"}, {"--rsort=tp_dst", "--sort=priority"}, {"--sort=nw_dst", "--rsort"}} {
			args := append(append([]string{"--no-stats"}, order...), "dump-flows", a)
			ownA, code := mine(args...)
			wantA, _ := tool(args...)
			if code != 0 || ownA != wantA {
				t.Errorf("%v: ovskit ofctl %v prints\n%s\nwant\n%s", step, args, ownA, wantA)
			}
		}
	}
	// mod-flows and del-flows read their flows from stdin with "-"; both
	// tools must succeed and leave the same tables.
	for _, in := range []struct{ cmd, flows string }{
		{"mod-flows", "tcp,actions=output:9 # to 9\n"},
		{"del-flows", "ip # the IP flows\n\ntcp,tp_dst=22\n"},
	} {
		file := filepath.Join(t.TempDir(), in.cmd)
		if err := os.WriteFile(file, []byte(in.flows), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		cmdA := exec.CommandContext(ctx, "ovs-ofctl", "-O", ver, in.cmd, a, "-")
		cmdA.Stdin = f
		outA, errA := cmdA.CombinedOutput()
		if _, err := f.Seek(0, 0); err != nil {
			t.Fatal(err)
		}
		saved := os.Stdin
		os.Stdin = f
		outB, codeB := mine(in.cmd, b, "-")
		os.Stdin = saved
		f.Close()
		if errA != nil || codeB != 0 {
			t.Errorf("%s - from stdin: ovs-ofctl %v (%s), ovskit exit %d (%s); want both to succeed", in.cmd, errA, outA, codeB, outB)
		}
		dumpA, _ := tool("--no-stats", "dump-flows", a)
		dumpB, _ := tool("--no-stats", "dump-flows", b)
		if sorted(dumpA) != sorted(dumpB) {
			t.Errorf("%s - from stdin: tables differ:\n%s\n---\n%s", in.cmd, dumpA, dumpB)
		}
	}
	// A priority in a change that is not strict: both refuse it.
	if out, code := mine("del-flows", b, "priority=5,ip"); code != 1 || !strings.Contains(out, "priority") {
		t.Errorf("non-strict del-flows with a priority: exit %d, %q; want 1", code, out)
	}
	if out, code := tool("del-flows", a, "priority=5,ip"); code == 0 {
		t.Errorf("ovs-ofctl took a non-strict del-flows with a priority: %s", out)
	}
	if out, code := mine("--sort=nosuchfield", "dump-flows", "unix:/nonexistent"); code != 1 || !strings.Contains(out, "nosuchfield") {
		t.Errorf("unknown sort field: exit %d, %q; want 1 before connecting", code, out)
	}
	if out, code := mine("dump-flows", "ssl:127.0.0.1:6654"); code != 1 || !strings.Contains(out, "--private-key") {
		t.Errorf("ssl: without keys: exit %d, %q", code, out)
	}
	if out, code := mine("add-flow", "unix:/nonexistent", "nosuchfield=1,actions=drop"); code != 1 || !strings.Contains(out, "nosuchfield") {
		t.Errorf("bad syntax: exit %d, %q; want 1 before connecting", code, out)
	}
	aggA, _ := tool("dump-aggregate", a)
	aggB, code := mine("dump-aggregate", b)
	_, aggA, _ = strings.Cut(aggA, ": ")
	_, aggB, _ = strings.Cut(aggB, ": ")
	if code != 0 || aggA != aggB {
		t.Errorf("dump-aggregate: ovs-ofctl %q, ovskit %q", aggA, aggB)
	}
	if out, code := mine("dump-ports-desc", a); code != 0 || !strings.Contains(out, "LOCAL(a): addr:") {
		t.Errorf("dump-ports-desc: %d %q", code, out)
	}
	if out, code := mine("dump-ports", a, "LOCAL"); code != 0 || !strings.HasPrefix(out, "OFPST_PORT reply ("+tag+"): 1 ports\n  port LOCAL: rx pkts=") {
		t.Errorf("dump-ports: %d %q", code, out)
	}
	// ovs-ofctl 3.1 has no barrier command; ovskit's waits for the switch.
	if out, code := mine("barrier", b); code != 0 {
		t.Errorf("barrier: %d %s", code, out)
	}
	if out, code := mine("dump-flows", a); code != 0 || !strings.HasPrefix(out, "OFPST_FLOW reply ("+tag+"):\n cookie=0x0, duration=") {
		t.Errorf("dump-flows with statistics: %d %q", code, out)
	}
}

// TestOfctlNames: dump-flows --names prints ports by name as ovs-ofctl
// does: plain names bare, others (a number, a dash) in quotes, reserved
// ports by their own names, ports without a name as numbers.
func TestOfctlNames(t *testing.T) {
	ovstest.RequireTools(t, "ovs-ofctl")
	s := ovstest.NewServer(t, ovstest.WithVSwitchd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	internal := port.WithIface(iface.Type("internal"))
	if _, err := s.Client.Transact(ctx, bridge.Add("a", bridge.DatapathType("netdev")),
		port.Add("a", "p1", internal), port.Add("a", "7", internal), port.Add("a", "x-1", internal)); err != nil {
		t.Fatal(err)
	}
	a := "unix:" + filepath.Join(s.Dir, "a.mgmt")
	for _, f := range []string{
		"in_port=1,actions=output:2,output:3,local,resubmit(2,4),enqueue(3,1),output:9",
		"in_port=LOCAL,actions=output(port=1,max_len=100),sample(probability=1,collector_set_id=1,obs_domain_id=1,obs_point_id=1,sampling_port=2),clone(output:3)",
		"priority=5,actions=bundle(eth_src,0,hrw,ofport,members:1,2,3,9)",
	} {
		if out, err := exec.CommandContext(ctx, "ovs-ofctl", "-O", "OpenFlow13", "add-flow", a, f).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", f, err, out)
		}
	}
	// Flows that name their ports install as ovs-ofctl installs them.
	named := "in_port=p1,actions=output:\"7\",output:x-1,resubmit(p1,3),bundle(eth_src,0,hrw,ofport,members:p1,\"x-1\")"
	var tables []string
	for _, install := range []func() error{
		func() error {
			out, err := exec.CommandContext(ctx, "ovs-ofctl", "-O", "OpenFlow13", "add-flow", a, named).CombinedOutput()
			if err != nil {
				return fmt.Errorf("%v: %s", err, out)
			}
			return nil
		},
		func() error {
			var out, errb strings.Builder
			if code := run([]string{"ofctl", "-O", "OpenFlow13", "add-flow", a, named}, &out, &errb); code != 0 {
				return fmt.Errorf("exit %d: %s", code, errb.String())
			}
			return nil
		},
	} {
		if out, err := exec.CommandContext(ctx, "ovs-ofctl", "-O", "OpenFlow13", "del-flows", a, "in_port=1").CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if err := install(); err != nil {
			t.Fatalf("add-flow %s: %v", named, err)
		}
		out, err := exec.CommandContext(ctx, "ovs-ofctl", "-O", "OpenFlow13", "--no-stats", "dump-flows", a, "in_port=1").CombinedOutput()
		if err != nil {
			t.Fatal(err)
		}
		tables = append(tables, string(out))
	}
	if tables[0] != tables[1] {
		t.Errorf("by ovs-ofctl:\n%s\nby ovskit:\n%s", tables[0], tables[1])
	}
	for _, args := range [][]string{{"--names", "--no-stats", "dump-flows", a}, {"--names", "--no-stats", "--sort", "dump-flows", a}, {"--no-stats", "dump-flows", a}} {
		want, err := exec.CommandContext(ctx, "ovs-ofctl", append([]string{"-O", "OpenFlow13"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatal(err)
		}
		var out, errb strings.Builder
		if code := run(append([]string{"ofctl", "-O", "OpenFlow13"}, args...), &out, &errb); code != 0 || out.String() != string(want) {
			t.Errorf("%v: ovskit prints (exit %d, %s)\n%s\nwant\n%s", args, code, errb.String(), out.String(), want)
		}
	}
	// Groups (watch_port, bucket actions) and learn() (an immediate
	// in_port) take port names, and print them with --names.
	for _, step := range [][]string{
		{"add-group", "GROUP"},
		{"add-flow", "priority=6,actions=learn(table=1,in_port=p1,output:NXM_OF_IN_PORT[]),group:1"},
	} {
		arg := step[1]
		if arg == "GROUP" {
			arg = "group_id=1,type=ff,bucket=watch_port:p1,actions=output:x-1,bucket=watch_port:\"7\",actions=output:p1"
		}
		want, err := exec.CommandContext(ctx, "ovs-ofctl", "-O", "OpenFlow13", step[0], a, arg).CombinedOutput()
		if err != nil {
			t.Fatalf("ovs-ofctl %s %s: %v: %s", step[0], arg, err, want)
		}
		dump := "dump-flows"
		if step[0] == "add-group" {
			dump = "dump-groups"
		}
		before, _ := exec.CommandContext(ctx, "ovs-ofctl", "-O", "OpenFlow13", "--no-stats", dump, a).CombinedOutput()
		del := []string{"del-flows", a, "priority=6"}
		if step[0] == "add-group" {
			del = []string{"del-groups", a}
		}
		if out, err := exec.CommandContext(ctx, "ovs-ofctl", append([]string{"-O", "OpenFlow13", "--strict"}, del...)...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v: %s", del, err, out)
		}
		var out, errb strings.Builder
		if code := run([]string{"ofctl", "-O", "OpenFlow13", step[0], a, arg}, &out, &errb); code != 0 {
			t.Fatalf("ovskit ofctl %s %s: exit %d: %s", step[0], arg, code, errb.String())
		}
		after, _ := exec.CommandContext(ctx, "ovs-ofctl", "-O", "OpenFlow13", "--no-stats", dump, a).CombinedOutput()
		if string(after) != string(before) {
			t.Errorf("%s by ovs-ofctl:\n%s\nby ovskit:\n%s", arg, before, after)
		}
		for _, args := range [][]string{{"--names", "--no-stats", dump, a}, {"--no-stats", dump, a}} {
			want, err := exec.CommandContext(ctx, "ovs-ofctl", append([]string{"-O", "OpenFlow13"}, args...)...).CombinedOutput()
			if err != nil {
				t.Fatal(err)
			}
			var out, errb strings.Builder
			code := run(append([]string{"ofctl", "-O", "OpenFlow13"}, args...), &out, &errb)
			// ovs-ofctl's dump-groups header has an xid.
			w, g := string(want), out.String()
			if dump == "dump-groups" {
				_, w, _ = strings.Cut(w, "\n")
				_, g, _ = strings.Cut(g, "\n")
			}
			if code != 0 || g != w {
				t.Errorf("%v: ovskit prints (exit %d, %s)\n%s\nwant\n%s", args, code, errb.String(), g, w)
			}
		}
	}
}
