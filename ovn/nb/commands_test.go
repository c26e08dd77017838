package nb_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// TestCreateDHCPOptionsHandle: options created in a transaction are wired
// to a port by the same transaction, and their UUID is known after it
// (on main, CreateDHCPOptions gave no handle: it took a second
// transaction).
func TestCreateDHCPOptionsHandle(t *testing.T) {
	ctx, c := nbClient(t)
	d := nb.CreateDHCPOptions("10.0.0.0/24", map[string]string{"owner": "test"})
	res, err := c.Transact(ctx, nb.AddSwitch("ls0"), nb.AddSwitchPort("ls0", "lp0"), d,
		nb.SetDHCPOptions(d.Ref(), map[string]string{"lease_time": "3600"}),
		nb.SetPortDHCPv4Options("lp0", d.Ref()))
	if err != nil {
		t.Fatal(err)
	}
	u := d.UUID(res)
	if !ovsdb.IsUUID(u) {
		t.Fatalf("UUID after commit: %q", u)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		it, ok, err := nb.PortDHCPv4Options(tx, "lp0")
		if err != nil || !ok || it.UUID != u || it.Name != "10.0.0.0/24" {
			t.Errorf("lp0's DHCPv4 options: %v %v %v, want %s", it, ok, err, u)
		}
		opts, err := nb.DHCPOptionsOf(tx, u)
		if err != nil || opts["lease_time"] != "3600" {
			t.Errorf("options %v, %v", opts, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestQoSAndMeters: QoS rules and meters as ovn-nbctl keeps them, in its
// order, with its errors.
// Equivalent to: ovn-nbctl qos-add/qos-del/qos-list, meter-add/meter-del/meter-list
func TestQoSAndMeters(t *testing.T) {
	ctx, c := nbClient(t)
	dscp := 48
	fair := true
	_, err := c.Transact(ctx, nb.AddSwitch("ls0"),
		nb.AddQoS("ls0", nb.QoS{Direction: "to-lport", Priority: 300, Match: "tcp", DSCP: &dscp}),
		nb.AddQoS("ls0", nb.QoS{Direction: "from", Priority: 500, Match: "udp", Rate: 100, Burst: 1000}),
		nb.AddMeter(nb.Meter{Name: "m2", Unit: "pktps", Fair: &fair, Bands: []nb.MeterBand{{Action: "drop", Rate: 10, Burst: 30}}}),
		nb.AddMeter(nb.Meter{Name: "m1", Unit: "kbps", Bands: []nb.MeterBand{{Action: "drop", Rate: 10}}}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		rules, err := nb.QoSRules(tx, "ls0")
		if err != nil || len(rules) != 2 || rules[0].Direction != "from-lport" || rules[0].Bandwidth["burst"] != 1000 || rules[1].Action["dscp"] != 48 {
			t.Errorf("QoS rules: %+v, %v", rules, err)
		}
		meters, err := nb.Meters(tx)
		if err != nil || len(meters) != 2 || meters[0].Name != "m1" || meters[1].Fair == nil || !*meters[1].Fair || meters[1].Bands[0].Burst != 30 {
			t.Errorf("meters: %+v, %v", meters, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	bad := 64
	for _, tt := range []struct {
		cmd  ovsdb.Command
		want error
		msg  string
	}{
		{nb.AddQoS("ls0", nb.QoS{Direction: "to-lport", Priority: 300, Match: "tcp", DSCP: &dscp}), ovsdb.ErrExists, "Same qos already existed on the ls ls0."},
		{nb.AddQoS("ls0", nb.QoS{Direction: "to-lport", Priority: 1, Match: "ip", DSCP: &bad}), ovsdb.ErrInvalid, "64: dscp must be in the range 0...63"},
		{nb.AddQoS("ls0", nb.QoS{Direction: "to-lport", Priority: 1, Match: "ip", Burst: 5}), ovsdb.ErrInvalid, `Either "rate" and/or "dscp" must be specified`},
		{nb.AddQoS("ls0", nb.QoS{Direction: "sideways", Priority: 1, Match: "ip", Rate: 5}), ovsdb.ErrInvalid, `sideways: direction must be "to-lport" or "from-lport"`},
		{nb.DeleteQoS("ls0", nb.QoSFilter{UUID: "0d1c9cb2-4a0e-4d0b-8e2e-6a1f2b3c4d5e"}), ovsdb.ErrNotFound, "uuid is not found"},
		{nb.AddMeter(nb.Meter{Name: "m1", Unit: "kbps", Bands: []nb.MeterBand{{Action: "drop", Rate: 10}}}), ovsdb.ErrExists, `meter with name "m1" already exists`},
		{nb.AddMeter(nb.Meter{Name: "__m", Unit: "kbps", Bands: []nb.MeterBand{{Action: "drop", Rate: 10}}}), ovsdb.ErrInvalid, `meter names that begin with "__" are reserved`},
		{nb.AddMeter(nb.Meter{Name: "m3", Unit: "kbps", Bands: []nb.MeterBand{{Action: "drop", Rate: 0}}}), ovsdb.ErrInvalid, "rate must be in the range 1...4294967295"},
		{nb.AddMeter(nb.Meter{Name: "m3", Unit: "bps", Bands: []nb.MeterBand{{Action: "drop", Rate: 1}}}), ovsdb.ErrInvalid, `unit must be "kbps" or "pktps"`},
	} {
		_, err := c.Transact(ctx, tt.cmd)
		var ne *nb.Error
		if !errors.Is(err, tt.want) || !errors.As(err, &ne) || ne.Msg != tt.msg {
			t.Errorf("err = %v, want %q matching %v", err, tt.msg, tt.want)
		}
	}
	// MayExist updates the meter; deleting by direction and all.
	if _, err := c.Transact(ctx, nb.AddMeter(nb.Meter{Name: "m1", Unit: "kbps", Bands: []nb.MeterBand{{Action: "drop", Rate: 11}}}, nb.MayExist()),
		nb.DeleteQoS("ls0", nb.QoSFilter{Direction: "to-lport"}), nb.DeleteMeter("m2")); err != nil {
		t.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		rules, _ := nb.QoSRules(tx, "ls0")
		meters, _ := nb.Meters(tx)
		if len(rules) != 1 || len(meters) != 1 || meters[0].Bands[0].Rate != 11 {
			t.Errorf("after updates: %d rules, meters %+v", len(rules), meters)
		}
		bands, err := tx.Rows(nbdb.TableMeterBand)
		if len(bands) != 1 {
			t.Errorf("%d meter bands left, want 1", len(bands))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPoliciesGroupsBindingsMirrors: routing policies, forwarding groups,
// static MAC bindings and mirrors, each added, listed and deleted.
// Equivalent to: ovn-nbctl lr-policy-*, fwd-group-*, static-mac-binding-*, mirror-*, lsp-attach-mirror
func TestPoliciesGroupsBindingsMirrors(t *testing.T) {
	ctx, c := nbClient(t)
	_, err := c.Transact(ctx, nb.AddRouter("lr0"), nb.AddRouterPort("lr0", "lrp0", "00:00:00:01:02:03", []string{"192.168.1.1/24"}),
		nb.AddSwitch("ls0"), nb.AddSwitchPort("ls0", "p1"), nb.AddSwitchPort("ls0", "p2"),
		nb.AddPolicy("lr0", nb.Policy{Priority: 100, Match: "ip4.src == 1.1.1.0/24", Action: "drop"}),
		nb.AddPolicy("lr0", nb.Policy{Priority: 200, Match: "ip4", Action: "reroute", NextHops: []string{"10.0.0.1", "10.0.0.2"}, Options: map[string]string{"pkt_mark": "7"}}),
		nb.AddForwardingGroup(nb.ForwardingGroup{Name: "fg", Switch: "ls0", VIP: "10.1.1.11", VMAC: "00:11:22:33:44:55", Ports: []string{"p1", "p2"}, Liveness: true}),
		nb.AddStaticMACBinding(nb.StaticMACBinding{Port: "lrp0", IP: "192.168.1.10", MAC: "00:00:11:22:33:44"}),
		nb.AddMirror(nb.Mirror{Name: "m", Type: "erspan", Index: 3, Filter: "from-lport", Sink: "10.10.10.1"}),
		nb.AttachMirror("p1", "m"))
	if err != nil {
		t.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		pols, err := nb.Policies(tx, "lr0")
		if err != nil || len(pols) != 2 || pols[0].Priority != 200 || !slices.Equal(pols[0].Nexthops, []string{"10.0.0.1", "10.0.0.2"}) {
			t.Errorf("policies: %+v, %v", pols, err)
		}
		groups, err := nb.ForwardingGroups(tx, "ls0")
		if err != nil || len(groups) != 1 || groups[0].Switch != "ls0" || !groups[0].Liveness {
			t.Errorf("forwarding groups: %+v, %v", groups, err)
		}
		bindings, err := nb.StaticMACBindings(tx)
		if err != nil || len(bindings) != 1 || bindings[0].MAC != "00:00:11:22:33:44" {
			t.Errorf("static MAC bindings: %+v, %v", bindings, err)
		}
		mirrors, err := nb.Mirrors(tx)
		if err != nil || len(mirrors) != 1 || mirrors[0].Type != "erspan" || mirrors[0].Index != 3 {
			t.Errorf("mirrors: %+v, %v", mirrors, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		cmd  ovsdb.Command
		want error
		msg  string
	}{
		{nb.AddPolicy("lr0", nb.Policy{Priority: 100, Match: "ip4.src == 1.1.1.0/24", Action: "drop"}), ovsdb.ErrExists, "Same routing policy already existed on the logical router lr0."},
		{nb.AddPolicy("lr0", nb.Policy{Priority: 1, Match: "ip", Action: "reroute", NextHops: []string{"10.0.0.1", "fd00::1"}}), ovsdb.ErrInvalid, "bad next hops argument, not in the same addr family : 10.0.0.1,fd00::1"},
		{nb.AddPolicy("lr0", nb.Policy{Priority: 1, Match: "ip", Action: "allow", Options: map[string]string{"foo": ""}}), ovsdb.ErrInvalid, "No value specified for the option : foo"},
		{nb.AddForwardingGroup(nb.ForwardingGroup{Name: "fg", Switch: "ls0", VIP: "10.1.1.11", VMAC: "00:11:22:33:44:55", Ports: []string{"p1"}}), ovsdb.ErrExists, "fg: a forwarding group by this name already exists"},
		{nb.AddStaticMACBinding(nb.StaticMACBinding{Port: "lrp0", IP: "192.168.1.10", MAC: "00:00:11:22:33:45"}), ovsdb.ErrExists, "lrp0, 192.168.1.10: a Static_MAC_Binding with this logical_port and ip already exists"},
		{nb.DeleteStaticMACBinding("lrp0", "192.168.1.99"), ovsdb.ErrNotFound, "no matching Static_MAC_Binding with port lrp0 and ip 192.168.1.99"},
		{nb.AttachMirror("p1", "m"), ovsdb.ErrExists, "mirror m is already attached to the logical port p1."},
		{nb.AttachMirror("p1", "nosuch"), ovsdb.ErrNotFound, "nosuch: mirror name not found"},
	} {
		_, err := c.Transact(ctx, tt.cmd)
		var ne *nb.Error
		if !errors.Is(err, tt.want) || !errors.As(err, &ne) || ne.Msg != tt.msg {
			t.Errorf("err = %v, want %q matching %v", err, tt.msg, tt.want)
		}
	}
	prio := 100
	if _, err := c.Transact(ctx, nb.DeletePolicies("lr0", nb.PolicyFilter{Priority: &prio}), nb.DeleteForwardingGroup("fg"),
		nb.DeleteStaticMACBinding("lrp0", "192.168.1.10"), nb.DeleteMirror("m")); err != nil {
		t.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		pols, _ := nb.Policies(tx, "lr0")
		p1, _ := nb.SwitchPort(tx, "p1")
		for _, table := range []string{nbdb.TableForwardingGroup, nbdb.TableStaticMACBinding, nbdb.TableMirror} {
			if rows, _ := tx.Rows(table); len(rows) != 0 {
				t.Errorf("%d rows left in %s", len(rows), table)
			}
		}
		if len(pols) != 1 || p1 == nil || len(p1.MirrorRules) != 0 {
			t.Errorf("after deletes: %d policies, p1 %+v", len(pols), p1)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConnectionsAndSSL: the server's remotes and SSL configuration.
// Equivalent to: ovn-nbctl set-connection/get-connection/del-connection, set-ssl/get-ssl/del-ssl
func TestConnectionsAndSSL(t *testing.T) {
	ctx, c := nbClient(t)
	probe := 30 * time.Second
	if _, err := c.Transact(ctx, nb.SetConnections(nb.Connection{Target: "ptcp:6641:127.0.0.1", InactivityProbe: &probe}, nb.Connection{Target: "punix:/tmp/x"}),
		nb.SetSSL(nb.SSL{PrivateKey: "/k", Certificate: "/c", CACert: "/ca", Bootstrap: true})); err != nil {
		t.Fatal(err)
	}
	err := c.View(ctx, func(tx *ovsdb.Tx) error {
		targets, err := nb.Connections(tx)
		if err != nil || !slices.Equal(targets, []string{"ptcp:6641:127.0.0.1", "punix:/tmp/x"}) {
			t.Errorf("connections: %v, %v", targets, err)
		}
		rows, _ := ovsdb.List[nbdb.Connection](tx)
		for _, r := range rows {
			if r.Target == "ptcp:6641:127.0.0.1" && (r.InactivityProbe == nil || *r.InactivityProbe != 30000) {
				t.Errorf("inactivity probe %v, want 30000", r.InactivityProbe)
			}
		}
		s, ok, err := nb.GetSSL(tx)
		if err != nil || !ok || s.CACert != "/ca" || !s.Bootstrap {
			t.Errorf("SSL: %+v %v %v", s, ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Transact(ctx, nb.DeleteConnections(), nb.DeleteSSL()); err != nil {
		t.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		for _, table := range []string{nbdb.TableConnection, nbdb.TableSSL} {
			if rows, _ := tx.Rows(table); len(rows) != 0 {
				t.Errorf("%d rows left in %s", len(rows), table)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
