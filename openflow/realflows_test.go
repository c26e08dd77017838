package openflow_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/openflow"
)

// ovnTLVMap is the tunnel metadata mapping ovn-controller installs (its
// flows move the logical ports through tun_metadata0).
const ovnTLVMap = "{class=0x102,type=0x80,len=4}->tun_metadata0"

// TestOVNChassisFlows loads the flows ovn-controller wrote on a chassis's
// br-int (testdata/ovn-br-int.flows) into bridge a with ovs-ofctl, then,
// in each version: DumpFlows prints every flow as ovs-ofctl does, and
// each printed flow parses back to itself; ReplaceFlows of that dump onto
// the empty bridge b makes b's table a's, and a second ReplaceFlows
// changes nothing; DiffFlows of a's dump against edited flows (a
// connection tracking zone from a register made a constant, an
// a drop made write_actions(output:1)) says what ovs-ofctl diff-flows says.
func TestOVNChassisFlows(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("testdata", "ovn-br-int.flows"))
	if err != nil {
		t.Fatal(err)
	}
	_, sw := newOFSwitch(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	file := filepath.Join(t.TempDir(), "flows")
	if err := os.WriteFile(file, text, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, br := range []string{sw.a, sw.b} {
		if out, err := ofctl(ctx, openflow.OpenFlow15, "add-tlv-map", br, ovnTLVMap); err != nil {
			t.Fatalf("add-tlv-map: %v: %s", err, out)
		}
	}
	if out, err := ofctl(ctx, openflow.OpenFlow15, "add-flows", sw.a, file); err != nil {
		t.Fatalf("add-flows: %v: %s", err, out)
	}
	n := strings.Count(dumpSorted(ctx, t, openflow.OpenFlow15, sw.a), "\n") + 1
	if n < 400 {
		t.Fatalf("bridge a holds %d flows; want the file's 459", n)
	}
	for _, ver := range []openflow.Version{openflow.OpenFlow13, openflow.OpenFlow14, openflow.OpenFlow15} {
		t.Run(ver.String(), func(t *testing.T) { chassisFlows(ctx, t, sw, ver) })
	}
}

func chassisFlows(ctx context.Context, t *testing.T, sw ofSwitch, ver openflow.Version) {
	c, own := dialBoth(ctx, t, sw, ver)
	want := strings.Split(dumpSorted(ctx, t, ver, sw.a), "\n")
	dumped, err := own.DumpFlows(ctx, nil)
	if err != nil {
		t.Fatalf("DumpFlows: %v", err)
	}
	var got []string
	for _, f := range dumped {
		got = append(got, f.String())
		back, err := openflow.ParseFlow(f.String())
		if err != nil {
			t.Errorf("%s\n\tdoes not parse back: %v", f, err)
		} else if back.String() != f.String() {
			t.Errorf("%s\n\tparses back as %s", f, back)
		}
	}
	slices.Sort(got)
	identical := 0
	for _, l := range got {
		if _, ok := slices.BinarySearch(want, l); ok {
			identical++
		}
	}
	fmt.Printf("openflow real flows (%v): %d flows of an OVN chassis's br-int, %d printed as ovs-ofctl prints them\n", ver, len(want), identical)
	if identical != len(want) || len(got) != len(want) {
		for _, d := range lineDiff(want, got) {
			t.Error(d)
		}
		return
	}

	// ReplaceFlows onto the empty bridge b, then again: nothing to do.
	if err := c.ReplaceFlows(ctx, dumped); err != nil {
		t.Fatalf("ReplaceFlows: %v", err)
	}
	if a, b := dumpSorted(ctx, t, ver, sw.a), dumpSorted(ctx, t, ver, sw.b); a != b {
		t.Errorf("after ReplaceFlows, b differs from a:\n%s", strings.Join(lineDiff(strings.Split(a, "\n"), strings.Split(b, "\n")), "\n"))
	}
	again, err := c.DumpFlows(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := openflow.DiffFlows(dumped, again); len(d) > 0 {
		t.Errorf("DiffFlows of a and b after ReplaceFlows: %q", d)
	}
	if out, err := ofctl(ctx, ver, "diff-flows", sw.a, sw.b); err != nil {
		t.Errorf("ovs-ofctl diff-flows a b: %v: %s", err, out)
	}

	// Edits ovs-ofctl's diff-flows sees, and so must DiffFlows.
	edited := strings.Join(want, "\n")
	for _, e := range [][2]string{
		{"zone=NXM_NX_REG13[0..15]", "zone=15"},
		{"actions=drop", "actions=write_actions(output:1)"},
	} {
		if !strings.Contains(edited, e[0]) {
			t.Fatalf("no flow has %q to edit", e[0])
		}
		edited = strings.Replace(edited, e[0], e[1], 1)
	}
	chassisDiff(ctx, t, ver, own, sw.a, edited)
	if out, err := ofctl(ctx, ver, "del-flows", sw.b); err != nil {
		t.Fatalf("del-flows: %v: %s", err, out)
	}
}

// chassisDiff compares ovs-ofctl diff-flows of bridge a against edited
// (one flow per line) with DiffFlows of a's dump against the same flows.
// ovs-ofctl reports a flow matching nw_frag=not_later or nw_frag=yes read
// from a file as differing from the same flow read from the switch (a "-"
// and a "+" line of the same text: its file parser and its decoder build
// different masks for the same match); those pairs are not differences,
// and DiffFlows does not report them.
func chassisDiff(ctx context.Context, t *testing.T, ver openflow.Version, own *openflow.Conn, a, edited string) {
	file := filepath.Join(t.TempDir(), "edited")
	if err := os.WriteFile(file, []byte(edited+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := ofctl(ctx, ver, "diff-flows", a, file)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("diff-flows: %v (want exit status 2, the flows differ): %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var want []string
	quirks := 0
	for _, l := range lines {
		other := "+" + l[1:]
		if l[0] == '+' {
			other = "-" + l[1:]
		}
		if slices.Contains(lines, other) {
			quirks++
			continue
		}
		want = append(want, l)
	}
	current, err := own.DumpFlows(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var flows []*openflow.Flow
	for _, l := range strings.Split(edited, "\n") {
		f, err := openflow.ParseFlow(l)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		flows = append(flows, f)
	}
	got := openflow.DiffFlows(current, flows)
	slices.Sort(want)
	slices.Sort(got)
	t.Logf("diff-flows: %d lines, %d of them pairs of the same flow (not differences)", len(lines), quirks)
	if len(want) != 4 || !slices.Equal(got, want) {
		t.Errorf("diff-flows of the edited flows (want the two edits, a - and a + line each):\n--- ovs-ofctl\n%s\n--- ovskit\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
}

// lineDiff lists the lines of want missing from got and those of got
// missing from want (both sorted).
func lineDiff(want, got []string) []string {
	var out []string
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok {
			out = append(out, "ovs-ofctl: "+w)
		}
	}
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok {
			out = append(out, "ovskit:    "+g)
		}
	}
	return out
}
