package labs_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/openflow"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/sim"
)

// TestOVNChassisOpenFlow runs lab 6 on OVN (a logical router, SNAT, a
// floating IP, DHCP) and then reads the flows ovn-controller wrote on each
// chassis's br-int, in OpenFlow 1.3, 1.4 and 1.5: openflow.DumpFlows must
// print every flow as ovs-ofctl dump-flows does; ReplaceFlows of that dump
// onto a fresh bridge of the chassis (with br-int's tunnel metadata map and
// groups) must make its table br-int's, which DiffFlows and ovs-ofctl
// diff-flows both confirm.
func TestOVNChassisOpenFlow(t *testing.T) {
	ovstest.Require(t, ovstest.NeedVSwitchd, ovstest.NeedNetns, ovstest.NeedOVN)
	ovstest.RequireTools(t, "ovs-ofctl")
	before := rootLinks(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	checked := 0
	lab := sim.Lab{Name: labs.Lab6OVN.Name, Title: labs.Lab6OVN.Title, Run: func(ctx context.Context, w *sim.World, r *sim.Report) error {
		if err := labs.Lab6OVN.Run(ctx, w, r); err != nil {
			return err
		}
		for _, h := range w.Hosts() {
			if _, err := os.Stat(filepath.Join(h.Dir, "br-int.mgmt")); err != nil {
				continue
			}
			checked++
			for _, ver := range []openflow.Version{openflow.OpenFlow13, openflow.OpenFlow14, openflow.OpenFlow15} {
				chassisOpenFlow(ctx, t, h, ver)
			}
		}
		return nil
	}}
	cfg := sim.Config{Prefix: prefix, Logger: testLogger(t), Guests: sim.NamespaceGuests}
	if _, err := sim.Run(ctx, lab, sim.RunConfig{Config: cfg, Out: io.Discard}); err != nil {
		t.Fatalf("lab: %v", err)
	}
	if checked < 2 {
		t.Errorf("%d chassis with a br-int; want lab 6's 3", checked)
	}
	noLeftovers(t, prefix, before)
}

// chassisOpenFlow checks one chassis's br-int in one version.
func chassisOpenFlow(ctx context.Context, t *testing.T, h *sim.Host, ver openflow.Version) {
	t.Helper()
	brInt := "unix:" + filepath.Join(h.Dir, "br-int.mgmt")
	c, err := openflow.Dial(ctx, brInt, openflow.WithVersions(ver))
	if err != nil {
		t.Fatalf("%s: %v", h.Name, err)
	}
	defer c.Close()
	// ovn-controller may still be writing: compare a dump of ovskit taken
	// between two equal ones of ovs-ofctl.
	var want, got []string
	var dumped []*openflow.Flow
	for try := 0; ; try++ {
		want = ofctlDump(ctx, t, ver, brInt)
		if dumped, err = c.DumpFlows(ctx, nil); err != nil {
			t.Fatalf("%s: DumpFlows: %v", h.Name, err)
		}
		if slices.Equal(want, ofctlDump(ctx, t, ver, brInt)) || try == 5 {
			break
		}
		time.Sleep(time.Second)
	}
	got = got[:0]
	for _, f := range dumped {
		got = append(got, f.String())
	}
	slices.Sort(got)
	same := 0
	for _, l := range got {
		if _, ok := slices.BinarySearch(want, l); ok {
			same++
		}
	}
	fmt.Printf("openflow real flows (%s %s, %v): %d flows ovn-controller wrote, %d printed as ovs-ofctl prints them\n",
		labs.Lab6OVN.Name, h.Name, ver, len(want), same)
	if same != len(want) || len(got) != len(want) {
		for _, w := range want {
			if _, ok := slices.BinarySearch(got, w); !ok {
				t.Errorf("%s %v: ovs-ofctl: %s", h.Name, ver, w)
			}
		}
		for _, g := range got {
			if _, ok := slices.BinarySearch(want, g); !ok {
				t.Errorf("%s %v: ovskit:    %s", h.Name, ver, g)
			}
		}
		return
	}

	// A fresh bridge with br-int's tunnel metadata map and groups, then
	// br-int's flows through ReplaceFlows.
	name := "brx" + strings.TrimPrefix(ver.String(), "OpenFlow")
	if _, err := h.Client.Transact(ctx, bridge.Add(name, bridge.DatapathType("netdev"))); err != nil {
		t.Fatalf("%s: %v", h.Name, err)
	}
	defer func() {
		if _, err := h.Client.Transact(ctx, bridge.Delete(name)); err != nil {
			t.Errorf("%s: %v", h.Name, err)
		}
	}()
	brx := "unix:" + filepath.Join(h.Dir, name+".mgmt")
	copyTLVMap(ctx, t, brInt, brx)
	x, err := openflow.Dial(ctx, brx, openflow.WithVersions(ver))
	if err != nil {
		t.Fatalf("%s: %v", h.Name, err)
	}
	defer x.Close()
	groups, err := c.DumpGroups(ctx)
	if err != nil {
		t.Fatalf("%s: DumpGroups: %v", h.Name, err)
	}
	for _, g := range groups {
		if err := x.AddGroup(ctx, g); err != nil {
			t.Fatalf("%s: AddGroup %s: %v", h.Name, g, err)
		}
	}
	if err := x.ReplaceFlows(ctx, dumped); err != nil {
		t.Fatalf("%s %v: ReplaceFlows: %v", h.Name, ver, err)
	}
	if copied := ofctlDump(ctx, t, ver, brx); !slices.Equal(copied, want) {
		t.Errorf("%s %v: the copy differs from br-int:\n%s", h.Name, ver, strings.Join(copied, "\n"))
	}
	again, err := x.DumpFlows(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := openflow.DiffFlows(dumped, again); len(d) > 0 {
		t.Errorf("%s %v: DiffFlows of br-int and its copy: %q", h.Name, ver, d)
	}
	if out, err := exec.CommandContext(ctx, "ovs-ofctl", "-O", ver.String(), "diff-flows", brInt, brx).CombinedOutput(); err != nil {
		t.Errorf("%s %v: ovs-ofctl diff-flows br-int copy: %v: %s", h.Name, ver, err, out)
	}
}

// ofctlDump is ovs-ofctl's dump of a bridge without statistics, one flow
// per line, sorted.
func ofctlDump(ctx context.Context, t *testing.T, ver openflow.Version, target string) []string {
	t.Helper()
	out, err := exec.CommandContext(ctx, "ovs-ofctl", "-O", ver.String(), "--no-stats", "dump-flows", target).CombinedOutput()
	if err != nil {
		t.Fatalf("dump-flows %s: %v: %s", target, err, out)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, " ") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	slices.Sort(lines)
	return lines
}

// copyTLVMap gives bridge to the tunnel metadata mappings of bridge from,
// as ovs-ofctl dump-tlv-map lists them.
func copyTLVMap(ctx context.Context, t *testing.T, from, to string) {
	t.Helper()
	out, err := exec.CommandContext(ctx, "ovs-ofctl", "-O", "OpenFlow15", "dump-tlv-map", from).CombinedOutput()
	if err != nil {
		t.Fatalf("dump-tlv-map: %v: %s", err, out)
	}
	var maps []string
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) == 4 && strings.HasPrefix(f[0], "0x") && strings.HasPrefix(f[3], "tun_metadata") {
			maps = append(maps, fmt.Sprintf("{class=%s,type=%s,len=%s}->%s", f[0], f[1], f[2], f[3]))
		}
	}
	if len(maps) == 0 {
		return
	}
	if out, err := exec.CommandContext(ctx, "ovs-ofctl", "-O", "OpenFlow15", "add-tlv-map", to, strings.Join(maps, ",")).CombinedOutput(); err != nil {
		t.Fatalf("add-tlv-map: %v: %s", err, out)
	}
}
