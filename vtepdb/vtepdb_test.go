package vtepdb_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/vtepdb"
)

// TestTypedHardwareVTEP: the generated models serve a real hardware_vtep
// database (this package's schema, on the installed ovsdb-server). A
// physical switch with a port, a logical switch and a remote MAC inserted
// through them are what ovsdb-client dumps; a logical switch that another
// client (ovsdb-client transact) inserts arrives through WaitUntil, typed,
// and the commit verifies a lookup by the generated column constant.
func TestTypedHardwareVTEP(t *testing.T) {
	ovstest.Require(t, ovstest.NeedOVSDB)
	srv := ovstest.NewServer(t, ovstest.WithSchema("vtep.ovsschema"), ovstest.WithoutInit(), ovstest.WithoutClient())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(vtepdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Do(ctx, func(tx *ovsdb.Tx) error {
		port, err := tx.Insert(&vtepdb.PhysicalPort{Name: "p1"})
		if err != nil {
			return err
		}
		ps, err := tx.Insert(&vtepdb.PhysicalSwitch{Name: "ps1", Ports: []string{port}, TunnelIPs: []string{"192.0.2.21"}})
		if err != nil {
			return err
		}
		if _, err := tx.Insert(&vtepdb.Global{Switches: []string{ps}}); err != nil {
			return err
		}
		ls, err := tx.Insert(&vtepdb.LogicalSwitch{Name: "ls0", TunnelKey: ptr(5000)})
		if err != nil {
			return err
		}
		loc, err := tx.Insert(&vtepdb.PhysicalLocator{EncapsulationType: vtepdb.PhysicalLocatorEncapsulationTypeVXLANOverIPv4, DstIP: "192.0.2.22"})
		if err != nil {
			return err
		}
		_, err = tx.Insert(&vtepdb.UcastMacsRemote{MAC: "00:00:00:00:00:0a", LogicalSwitch: ls, Locator: loc})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, "ovsdb-client", "dump", srv.Endpoint, "hardware_vtep").CombinedOutput()
	if err != nil {
		t.Fatalf("ovsdb-client dump: %v: %s", err, out)
	}
	for _, want := range []string{"ps1", `"00:00:00:00:00:0a"`, "vxlan_over_ipv4", "5000"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the dump lacks %s:\n%s", want, out)
		}
	}
	insert := `["hardware_vtep",{"op":"insert","table":"Logical_Switch","row":{"name":"ls1","tunnel_key":5001}}]`
	if out, err := exec.CommandContext(ctx, "ovsdb-client", "transact", srv.Endpoint, insert).CombinedOutput(); err != nil {
		t.Fatalf("ovsdb-client transact: %v: %s", err, out)
	}
	ls1, err := ovsdb.WaitUntil(ctx, c, func(ls *vtepdb.LogicalSwitch) bool { return ls.Name == "ls1" })
	if err != nil {
		t.Fatal(err)
	}
	if ls1.TunnelKey == nil || *ls1.TunnelKey != 5001 {
		t.Errorf("ls1's tunnel key %v", ls1.TunnelKey)
	}
	_, err = c.Do(ctx, func(tx *ovsdb.Tx) error {
		ls, err := ovsdb.Lookup[vtepdb.LogicalSwitch](tx, vtepdb.ColumnLogicalSwitchName, "ls1")
		if err != nil {
			return err
		}
		ls.Description = "from ovskit"
		return tx.Update(ls, vtepdb.ColumnLogicalSwitchDescription)
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err = exec.CommandContext(ctx, "ovsdb-client", "dump", srv.Endpoint, "hardware_vtep", "Logical_Switch", "name", "description").CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"from ovskit"`) {
		t.Errorf("ovsdb-client dump: %v:\n%s", err, out)
	}
}

func ptr[T any](v T) *T { return &v }
