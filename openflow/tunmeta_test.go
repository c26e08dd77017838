package openflow_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/openflow"
)

// TestTunnelMetadata: a TLV map added through the library is the switch's
// (as ovs-ofctl dumps it); flows that match tunnel metadata install in
// every version as ovs-ofctl installs them, print as it prints them, sort
// by a tun_metadata field, and compare equal to the same flows read from
// text (tests/ovs-ofctl.at's "diff-flows - tunnel metadata"), though the
// switch sends each field as long as its map says.
func TestTunnelMetadata(t *testing.T) {
	if _, err := openflow.ParseTLVMaps("{class=0xffff,type=0,len=5}->tun_metadata0"); !errors.Is(err, openflow.ErrSyntax) {
		t.Errorf("len=5: %v; want ErrSyntax", err)
	}
	if _, err := openflow.ParseFlow("tun_metadata1=0x1/0x1,tun_metadata1=0x12,actions=drop"); !errors.Is(err, openflow.ErrSyntax) {
		t.Errorf("tun_metadata1 twice: %v; want ErrSyntax", err)
	}
	_, sw := newOFSwitch(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	maps, err := openflow.ParseTLVMaps("{class=0xffff,type=0,len=4}->tun_metadata0,{class=0xffff,type=1,len=8}->tun_metadata1")
	if err != nil {
		t.Fatal(err)
	}
	flows := []string{
		"priority=0,tun_metadata0=0,actions=drop",
		"priority=1,tun_metadata1=0xef/0xff,tun_metadata0=0xabcd,actions=drop",
		"priority=2,tun_metadata0=0xffffffff,actions=drop",
		"priority=3,tun_metadata1=0x1/0x1,actions=drop",
	}
	for i, br := range []string{sw.a, sw.b} {
		c, err := openflow.Dial(ctx, br, openflow.WithVersions(openflow.OpenFlow13))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if out, err := ofctl(ctx, openflow.OpenFlow13, "add-tlv-map", br, "{class=0xffff,type=0,len=4}->tun_metadata0,{class=0xffff,type=1,len=8}->tun_metadata1"); err != nil {
				t.Fatalf("add-tlv-map: %v: %s", err, out)
			}
		} else if err := c.AddTLVMaps(ctx, maps...); err != nil {
			t.Fatal(err)
		}
		got, err := c.DumpTLVMaps(ctx)
		c.Close()
		if err != nil || !slices.Equal(got.Maps, maps) {
			t.Fatalf("%s: the TLV map is %+v (%v); want %v", br, got, err, maps)
		}
	}
	for _, ver := range []openflow.Version{openflow.OpenFlow10, openflow.OpenFlow13, openflow.OpenFlow15} {
		c, own := dialBoth(ctx, t, sw, ver)
		for _, br := range []string{sw.a, sw.b} {
			if out, err := ofctl(ctx, ver, "del-flows", br); err != nil {
				t.Fatalf("%v", out)
			}
		}
		var parsed []*openflow.Flow
		for _, s := range flows {
			if out, err := ofctl(ctx, ver, "add-flow", sw.a, s); err != nil {
				t.Fatalf("ovs-ofctl add-flow %s: %v: %s", s, err, out)
			}
			f, err := openflow.ParseFlow(s)
			if err != nil {
				t.Fatal(err)
			}
			parsed = append(parsed, f)
		}
		if err := c.AddFlows(ctx, parsed...); err != nil {
			t.Fatalf("%v: %v", ver, err)
		}
		da, db := dumpSorted(ctx, t, ver, sw.a), dumpSorted(ctx, t, ver, sw.b)
		if da != db {
			t.Errorf("%v: tables differ:\n--- ovs-ofctl\n%s\n--- ovskit\n%s", ver, da, db)
		}
		dumped, err := own.DumpFlows(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, f := range dumped {
			lines = append(lines, f.String())
		}
		slices.Sort(lines)
		if got := strings.Join(lines, "\n"); got != da {
			t.Errorf("%v: ovskit prints\n%s\nwant\n%s", ver, got, da)
		}
		if d := openflow.DiffFlows(dumped, parsed); len(d) > 0 {
			t.Errorf("%v: the dump and the text differ: %q", ver, d)
		}
		if d := openflow.DiffFlows(dumped, parsed[1:]); len(d) != 1 || !strings.HasPrefix(d[0], "-priority=0,tun_metadata0=0 ") {
			t.Errorf("%v: without a flow: %q", ver, d)
		}
		if err := openflow.SortFlows(dumped, openflow.SortKey{Field: "tun_metadata0"}); err != nil || !strings.HasPrefix(dumped[0].String(), "priority=0,") || !strings.HasPrefix(dumped[1].String(), "priority=1,") {
			t.Errorf("%v: sorted by tun_metadata0: %v (%v)", ver, dumped, err)
		}
	}
}
