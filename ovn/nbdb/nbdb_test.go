package nbdb_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestTypedNorthbound: the core's client serves OVN_Northbound with these
// models. A switch and its port inserted in one transaction are what
// ovn-nbctl shows; a switch ovn-nbctl adds reaches the client's cache; and
// ovn-northd's datapath for it is read, typed, from OVN_Southbound.
func TestTypedNorthbound(t *testing.T) {
	c := ovstest.NewCentral(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	nb, err := ovsdb.Dial(ctx, c.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer nb.Close()
	sb, err := ovsdb.Dial(ctx, c.SBEndpoint, ovsdb.WithDatabase(sbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()

	_, err = nb.Do(ctx, func(tx *ovsdb.Tx) error {
		lsp := &nbdb.LogicalSwitchPort{Name: "vm1", Addresses: []string{"52:54:00:00:00:01 10.0.0.11"}}
		pu, err := tx.Insert(lsp)
		if err != nil {
			return err
		}
		_, err = tx.Insert(&nbdb.LogicalSwitch{Name: "ls0", Ports: []string{pu}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, "ovn-nbctl", "--db="+c.NBEndpoint, "show").CombinedOutput()
	if err != nil {
		t.Fatalf("ovn-nbctl show: %v: %s", err, out)
	}
	for _, want := range []string{"switch", "(ls0)", "port vm1", `addresses: ["52:54:00:00:00:01 10.0.0.11"]`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ovn-nbctl show lacks %q:\n%s", want, out)
		}
	}
	if out, err := exec.CommandContext(ctx, "ovn-nbctl", "--db="+c.NBEndpoint, "ls-add", "ls1").CombinedOutput(); err != nil {
		t.Fatalf("ovn-nbctl ls-add: %v: %s", err, out)
	}
	ls1, err := ovsdb.WaitUntil(ctx, nb, func(ls *nbdb.LogicalSwitch) bool { return ls.Name == "ls1" })
	if err != nil {
		t.Fatal(err)
	}
	if len(ls1.Ports) != 0 {
		t.Errorf("ls1 ports %v", ls1.Ports)
	}
	dp, err := ovsdb.WaitUntil(ctx, sb, func(d *sbdb.DatapathBinding) bool { return d.ExternalIDs["name"] == "ls0" })
	if err != nil {
		t.Fatal(err)
	}
	if dp.TunnelKey <= 0 {
		t.Errorf("ls0's datapath tunnel key %d", dp.TunnelKey)
	}
	pb, err := ovsdb.WaitUntil(ctx, sb, func(p *sbdb.PortBinding) bool { return p.LogicalPort == "vm1" })
	if err != nil {
		t.Fatal(err)
	}
	if pb.Datapath != dp.UUID {
		t.Errorf("vm1 is bound to datapath %s, want %s", pb.Datapath, dp.UUID)
	}
}
