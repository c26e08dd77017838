package openflow_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/openflow"
)

// TestFlushConntrack: ct-flush's arguments parse as ovs-ofctl's do (bad
// ones are ErrSyntax), and ovs-vswitchd flushes what FlushConntrack and
// FlushConntrackZone ask, in every version: its debug log names the zone
// and the tuples, as Open vSwitch's own tests/ovs-ofctl.at checks.
func TestFlushConntrack(t *testing.T) {
	for _, bad := range [][]string{{"zone=x"}, {"ct_tp_src=1"}, {"ct_nw_src=10.0.0.1,ct_ipv6_dst=::1"}, {"ct_nw_src="}, {"nosuch=1"},
		{"ct_nw_proto=6,icmp_type=1"}, {"zone=1", "a=1", "b=2", "c=3"}} {
		if _, err := openflow.ParseCTFlush(bad...); !errors.Is(err, openflow.ErrSyntax) {
			t.Errorf("ParseCTFlush(%q) = %v; want ErrSyntax", bad, err)
		}
	}
	s, sw := newOFSwitch(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ac, err := appctl.Dial(ctx, s.VSwitchdCtl())
	if err != nil {
		t.Fatal(err)
	}
	defer ac.Close()
	if _, err := ac.Call(ctx, "vlog/set", "ct_dpif:dbg"); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(s.Dir, "ovs-vswitchd.log")
	for _, c := range []struct {
		args []string // nil: FlushConntrackZone(123)
		want string
	}{
		{nil, "ct_flush: zone 123"},
		{[]string{"zone=5", "ct_nw_src=10.1.1.1,ct_nw_dst=10.1.1.2,ct_nw_proto=17,ct_tp_src=1"},
			"ct_flush: zone=5 'ct_nw_src=10.1.1.1,ct_nw_dst=10.1.1.2,ct_tp_src=1,ct_tp_dst=0,ct_nw_proto=17' 'ct_nw_src=::,ct_nw_dst=::,ct_tp_src=0,ct_tp_dst=0'"},
		{[]string{"", "ct_nw_src=10.1.1.3,ct_nw_dst=10.1.1.4,ct_nw_proto=17,ct_tp_src=1"},
			"ct_flush: zone=0 'ct_nw_src=::,ct_nw_dst=::,ct_tp_src=0,ct_tp_dst=0,ct_nw_proto=17' 'ct_nw_src=10.1.1.3,ct_nw_dst=10.1.1.4,ct_tp_src=1,ct_tp_dst=0'"},
		{[]string{"ct_ipv6_src=fd00::1,ct_nw_proto=1,icmp_type=8,icmp_code=0,icmp_id=7"},
			"ct_flush: zone=0 'ct_ipv6_src=fd00::1,ct_ipv6_dst=::,icmp_id=7,icmp_type=8,icmp_code=0,ct_nw_proto=1'"},
	} {
		for _, ver := range []openflow.Version{openflow.OpenFlow10, openflow.OpenFlow13, openflow.OpenFlow15} {
			c2, err := openflow.Dial(ctx, sw.a, openflow.WithVersions(ver))
			if err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(log)
			if c.args == nil {
				err = c2.FlushConntrackZone(ctx, 123)
			} else {
				var f *openflow.CTFlush
				if f, err = openflow.ParseCTFlush(c.args...); err == nil {
					err = c2.FlushConntrack(ctx, f)
				}
			}
			c2.Close()
			if err != nil {
				t.Fatalf("%v %q: %v", ver, c.args, err)
			}
			// The barrier behind the message has come back; ovs-vswitchd
			// writes its log a moment later.
			var got string
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				after, _ := os.ReadFile(log)
				if got = string(after[len(before):]); strings.Contains(got, c.want) {
					break
				}
			}
			if !strings.Contains(got, c.want) {
				t.Errorf("%v %q: ovs-vswitchd logged\n%s\nwant %q", ver, c.args, got, c.want)
			}
		}
	}
}
