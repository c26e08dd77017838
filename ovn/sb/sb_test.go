package sb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovn/sb"
	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/ovsproc"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

// TestChassisAndPortUp: a chassis (ovs-vswitchd in a namespace, with
// ovn-controller) registers; a VM's port, an OVS interface whose iface-id
// names a logical switch port, is claimed by it and set up, which the
// Southbound and, through northd, the Northbound database show.
func TestChassisAndPortUp(t *testing.T) {
	ovstest.RequireTools(t, "ovn-controller")
	central := ovstest.NewCentral(t)
	hv := ovstest.NewServer(t, ovstest.WithVSwitchd(), ovstest.WithBackend(ovstest.ProcessBackend))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctrl, err := ovsproc.StartController(ctx, ovsproc.ControllerConfig{
		Dir: hv.Dir, Endpoint: hv.Endpoint, SystemID: "hv1",
		SBRemote: strings.Split(central.SBEndpoint, ",")[0], EncapIP: "127.0.0.1",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("ovn-controller:\n%s", ctrl.Logs(30))
		}
		ctrl.Stop()
	})
	sbc, err := ovsdb.Dial(ctx, central.SBEndpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer sbc.Close()
	nbc, err := ovsdb.Dial(ctx, central.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer nbc.Close()
	ch, err := sb.WaitChassis(ctx, sbc, "hv1")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Hostname != "hv1" || len(ch.Encaps) == 0 {
		t.Errorf("chassis %+v: want hostname hv1 and an encap", ch)
	}
	if _, err := nbc.Transact(ctx, nb.AddSwitch("ls0"), nb.AddSwitchPort("ls0", "vm1"), nb.SetAddresses("vm1", "52:54:00:00:00:01 10.0.0.11")); err != nil {
		t.Fatal(err)
	}
	// The hypervisor plugs the VM: an interface on br-int with the port's
	// iface-id (ovn-controller made br-int).
	if _, err := ovsdb.WaitUntil(ctx, hv.Client, func(b *vswitchdb.Bridge) bool { return b.Name == "br-int" }); err != nil {
		t.Fatal(err)
	}
	if _, err := hv.Client.Transact(ctx, port.Add("br-int", "vif1", port.WithIface(iface.Type(iface.Internal), iface.ExternalID("iface-id", "vm1")))); err != nil {
		t.Fatal(err)
	}
	b, err := sb.WaitPortUp(ctx, sbc, "vm1")
	if err != nil {
		t.Fatal(err)
	}
	if b.Chassis != "hv1" || !b.Up {
		t.Errorf("binding %+v, want up on hv1", b)
	}
	// northd copies it to the Northbound port.
	if _, err := ovsdb.WaitUntil(ctx, nbc, func(p *nbdb.LogicalSwitchPort) bool { return p.Name == "vm1" && p.Up != nil && *p.Up }); err != nil {
		t.Fatal(err)
	}
	err = sbc.View(ctx, func(tx *ovsdb.Tx) error {
		pb, err := sb.PortBinding(tx, "vm1")
		if err == nil && (len(pb.MAC) != 1 || pb.MAC[0] != "52:54:00:00:00:01 10.0.0.11") {
			t.Errorf("binding mac %v", pb.MAC)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
