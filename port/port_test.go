package port_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/tunnel"
	"github.com/ovskit/ovskit/vlan"
	"github.com/ovskit/ovskit/vswitchdb"
)

// TestBadInputWritesNothing: each bad input fails with a typed error and
// leaves the database exactly as it was.
func TestBadInputWritesNothing(t *testing.T) {
	srv := ovstest.NewServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := srv.Client.Transact(ctx, ovsdb.NoWait(), bridge.Add("br0"), port.Add("br0", "p1")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cmds []ovsdb.Command
		want error
	}{
		{"16-character system interface", []ovsdb.Command{port.Add("br0", "abcdefghijklmnop")}, ovsdb.ErrInvalid},
		{"reserved name", []ovsdb.Command{bridge.Add("ovs-netdev")}, ovsdb.ErrInvalid},
		{"reserved port name", []ovsdb.Command{port.Add("br0", "ovs-system")}, ovsdb.ErrInvalid},
		{"colon in a system interface", []ovsdb.Command{port.Add("br0", "eth0:1")}, ovsdb.ErrInvalid},
		{"colon in an internal interface", []ovsdb.Command{port.Add("br0", "p:2", port.WithIface(iface.Type("internal")))}, ovsdb.ErrInvalid},
		{"NUL in a name", []ovsdb.Command{port.Add("br0", "p\x002")}, ovsdb.ErrInvalid},
		{"invalid UTF-8 in a name", []ovsdb.Command{port.Add("br0", "bad\xffname")}, ovsdb.ErrInvalid},
		{"16-character bridge", []ovsdb.Command{bridge.Add("abcdefghijklmnop")}, ovsdb.ErrInvalid},
		{"vlan 4096", []ovsdb.Command{port.Add("br0", "p2", vlan.Tag(4096))}, ovsdb.ErrInvalid},
		{"negative vlan", []ovsdb.Command{vlan.SetTag("p1", -1)}, ovsdb.ErrInvalid},
		{"duplicate trunks", []ovsdb.Command{port.Add("br0", "p2", vlan.Trunks(10, 11, 10))}, ovsdb.ErrInvalid},
		{"bad vlan mode", []ovsdb.Command{vlan.SetMode("p1", "sometimes")}, ovsdb.ErrInvalid},
		{"fake bridge vlan 4096", []ovsdb.Command{bridge.AddFake("v", "br0", 4096)}, ovsdb.ErrInvalid},
		{"ttl 256", []ovsdb.Command{tunnel.Add("br0", "gre1", tunnel.GRE, tunnel.Options{RemoteIP: tunnel.FlowIP(), TTL: tunnel.Value(256)})}, ovsdb.ErrInvalid},
		{"missing remote ip", []ovsdb.Command{tunnel.Add("br0", "gre1", tunnel.GRE, tunnel.Options{})}, ovsdb.ErrInvalid},
		{"vxlan key too wide", []ovsdb.Command{tunnel.Add("br0", "vx1", tunnel.VXLAN, tunnel.Options{RemoteIP: tunnel.IP(netip.MustParseAddr("192.0.2.1")), Key: tunnel.KeyOf(16777216)})}, ovsdb.ErrInvalid},
		{"dst_port on gre", []ovsdb.Command{tunnel.Add("br0", "gre1", tunnel.GRE, tunnel.Options{RemoteIP: tunnel.IP(netip.MustParseAddr("192.0.2.1")), DstPort: 4789})}, ovsdb.ErrInvalid},
		{"unknown column", []ovsdb.Command{port.Add("br0", "p2", port.Settings("nosuch=1"))}, ovsdb.ErrUnknownColumn},
		{"key on a non-map column", []ovsdb.Command{port.Add("br0", "p2", port.Settings("tag:x=1"))}, ovsdb.ErrInvalid},
		{"unknown interface type", []ovsdb.Command{port.Add("br0", "p2", port.WithIface(iface.Type("warp")))}, ovsdb.ErrInvalid},
		{"bad mac", []ovsdb.Command{iface.Set("p1", iface.MAC("52:54:00"))}, ovsdb.ErrInvalid},
		{"port exists", []ovsdb.Command{port.Add("br0", "p1")}, ovsdb.ErrExists},
		{"no such bridge", []ovsdb.Command{port.Add("nosuch", "p2")}, ovsdb.ErrNotFound},
		{"valid command then a bad one", []ovsdb.Command{port.Add("br0", "p2"), port.Add("br0", "p3", vlan.Tag(5000))}, ovsdb.ErrInvalid},
		{"bond of one", []ovsdb.Command{port.AddBond("br0", "b0", []string{"e1"})}, ovsdb.ErrInvalid},
		{"bad bond mode", []ovsdb.Command{port.AddBond("br0", "b0", []string{"e1", "e2"}, port.BondMode("round-robin"))}, ovsdb.ErrInvalid},
		{"bad controller target", []ovsdb.Command{bridge.SetController("br0", []string{"192.0.2.1"})}, ovsdb.ErrInvalid},
		{"bad datapath id", []ovsdb.Command{bridge.Add("br1", bridge.DatapathID("xyz"))}, ovsdb.ErrInvalid},
		{"negative I-SID", []ovsdb.Command{bridge.AddAAMapping("br0", -1, 10)}, ovsdb.ErrInvalid},
		{"negative inactivity probe", []ovsdb.Command{bridge.SetController("br0", []string{"tcp:192.0.2.1:6653"}, bridge.InactivityProbe(-time.Second))}, ovsdb.ErrInvalid},
		{"empty FromBridge", []ovsdb.Command{port.Delete("p1", port.FromBridge(""))}, ovsdb.ErrInvalid},
		{"aa-mapping on no bridge", []ovsdb.Command{bridge.AddAAMapping("nosuch", 1, 10)}, ovsdb.ErrNotFound},
		{"zone policy on no datapath", []ovsdb.Command{bridge.AddZoneTimeoutPolicy("system", 1, map[vswitchdb.CTTimeoutPolicyTimeouts]int{"udp_first": 5}, false)}, ovsdb.ErrNotFound},
	}
	before, err := srv.Dump()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := srv.Client.Transact(ctx, append([]ovsdb.Command{ovsdb.NoWait()}, tt.cmds...)...)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			after, derr := srv.Dump()
			if derr != nil {
				t.Fatal(derr)
			}
			if after != before {
				t.Fatalf("database changed by a failed transaction (%v)", err)
			}
		})
	}
}

// TestVswitchdReport: with ovs-vswitchd running, adding ports waits until
// it applied them and reports each new interface: an ofport for an
// internal port and a patch pair, a typed error for a missing device.
func TestVswitchdReport(t *testing.T) {
	srv := ovstest.NewServer(t, ovstest.WithVSwitchd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := srv.Client
	res, err := c.Transact(ctx,
		bridge.Add("br0", bridge.DatapathType("netdev")),
		bridge.Add("br1", bridge.DatapathType("netdev")),
		port.Add("br0", "in0", port.WithIface(iface.Type(iface.Internal))),
		iface.PatchPair("br0", "pa", "br1", "pb"),
		tunnel.Add("br0", "gre0", tunnel.GRE, tunnel.Options{RemoteIP: tunnel.IP(netip.MustParseAddr("192.0.2.1"))}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, st := range vswitchdb.ReportOf(res).Interfaces {
		got[st.Name] = st.Ofport
	}
	for _, name := range []string{"br0", "br1", "in0", "pa", "pb", "gre0"} {
		if got[name] <= 0 && name != "br0" && name != "br1" {
			t.Errorf("interface %s: ofport %d, want > 0 (%v)", name, got[name], vswitchdb.ReportOf(res).Interfaces)
		}
	}
	res, err = c.Transact(ctx, port.Add("br0", "nosuchdev0"))
	var ie *vswitchdb.InterfaceError
	if !errors.As(err, &ie) || ie.Name != "nosuchdev0" || res == nil {
		t.Fatalf("err = %v, want an InterfaceError for nosuchdev0", err)
	}
	var st *iface.Status
	if err := c.View(ctx, func(tx *ovsdb.Tx) error {
		var err error
		st, err = iface.StatusOf(tx, "in0")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if st.Ofport <= 0 || st.Type != "internal" {
		t.Errorf("status of in0 = %+v", st)
	}
	// The tutorial's VLAN steps through the typed API.
	if _, err := c.Transact(ctx, vlan.SetTag("in0", 10)); err != nil {
		t.Fatal(err)
	}
	var cfg *vlan.Config
	if err := c.View(ctx, func(tx *ovsdb.Tx) error {
		var err error
		cfg, err = vlan.Get(tx, "in0")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if cfg.Tag == nil || *cfg.Tag != 10 || len(cfg.Trunks) != 0 || cfg.Mode != "" {
		t.Errorf("vlan config = %+v, want tag 10, no trunks, no mode", cfg)
	}
	if _, err := c.Transact(ctx, vlan.RemoveTag("in0", 10), port.Delete("nosuchdev0"), bridge.Delete("br1")); err != nil {
		t.Fatal(err)
	}
	if err := c.View(ctx, func(tx *ovsdb.Tx) error {
		names, err := bridge.List(tx, bridge.All)
		if err != nil {
			return err
		}
		if len(names) != 1 || names[0] != "br0" {
			t.Errorf("bridges = %v", names)
		}
		ports, err := port.List(tx, "br0")
		if len(ports) != 3 {
			t.Errorf("ports of br0 = %v", ports)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestTypedReadsAndEdits: the typed reads return what the commands wrote,
// and the edit commands change exactly their columns.
func TestTypedReadsAndEdits(t *testing.T) {
	srv := ovstest.NewServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := srv.Client
	_, err := c.Transact(ctx, ovsdb.NoWait(),
		bridge.Add("br0", bridge.DatapathType("netdev"), bridge.ExternalID("owner", "me")),
		bridge.AddFake("vlan5", "br0", 5),
		bridge.SetController("br0", []string{"tcp:192.0.2.2:6653", "tcp:192.0.2.1:6653"}),
		port.Add("br0", "p1"), port.Add("vlan5", "f1"), port.Add("br0", "gre0"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Transact(ctx, ovsdb.NoWait(),
		iface.Set("p1", iface.MTURequest(1400), iface.ExternalID("iface-id", "vm1")),
		vlan.AddTrunks("p1", 10, 11), vlan.RemoveTrunks("p1", 10), vlan.SetMode("p1", vswitchdb.PortVLANModeNativeUntagged),
		tunnel.Set("gre0", tunnel.GRE, tunnel.Options{RemoteIP: tunnel.IP(netip.MustParseAddr("192.0.2.9")), Key: tunnel.KeyOf(7)}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		b, err := bridge.Get(tx, "br0")
		if err != nil {
			return err
		}
		if b.Fake || b.DatapathType != "netdev" || b.ExternalIDs["owner"] != "me" ||
			strings.Join(b.Ports, ",") != "gre0,p1" || // vlan5's port belongs to vlan5, as in ovs-vsctl
			strings.Join(b.Controllers, ",") != "tcp:192.0.2.1:6653,tcp:192.0.2.2:6653" {
			t.Errorf("bridge.Get(br0) = %+v", b)
		}
		f, err := bridge.Get(tx, "vlan5")
		if err != nil {
			return err
		}
		if !f.Fake || f.Parent != "br0" || f.VLAN != 5 || strings.Join(f.Ports, ",") != "f1" {
			t.Errorf("bridge.Get(vlan5) = %+v", f)
		}
		i, err := iface.Get(tx, "p1")
		if err != nil {
			return err
		}
		if i.MTURequest == nil || *i.MTURequest != 1400 || i.ExternalIDs["iface-id"] != "vm1" {
			t.Errorf("p1 interface = mtu %v, ids %v", i.MTURequest, i.ExternalIDs)
		}
		cfg, err := vlan.Get(tx, "p1")
		if err != nil {
			return err
		}
		if cfg.Tag != nil || len(cfg.Trunks) != 1 || cfg.Trunks[0] != 11 || cfg.Mode != vswitchdb.PortVLANModeNativeUntagged {
			t.Errorf("p1 vlan = %+v", cfg)
		}
		g, err := iface.Get(tx, "gre0")
		if err != nil {
			return err
		}
		if g.Type != "gre" || g.Options["remote_ip"] != "192.0.2.9" || g.Options["key"] != "7" || len(g.Options) != 2 {
			t.Errorf("gre0 = type %q options %v", g.Type, g.Options)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
