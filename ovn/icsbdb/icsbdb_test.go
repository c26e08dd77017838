package icsbdb_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/icsbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestTypedICSouthbound: the generated models serve a real
// OVN_IC_Southbound database (this package's schema, on the installed
// ovsdb-server). An availability zone and its gateway inserted through
// them are what ovsdb-client dumps; an availability zone that another
// client (ovsdb-client transact) inserts arrives as a watch event, and its
// deletion too.
func TestTypedICSouthbound(t *testing.T) {
	ovstest.Require(t, ovstest.NeedOVSDB)
	srv := ovstest.NewServer(t, ovstest.WithSchema("ovn-ic-sb.ovsschema"), ovstest.WithoutInit(), ovstest.WithoutClient())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(icsbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	events, err := ovsdb.Watch[icsbdb.AvailabilityZone](ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(ctx, func(tx *ovsdb.Tx) error {
		az, err := tx.Insert(&icsbdb.AvailabilityZone{Name: "az1"})
		if err != nil {
			return err
		}
		encap, err := tx.Insert(&icsbdb.Encap{Type: icsbdb.EncapTypeGeneve, IP: "192.0.2.11", GatewayName: "gw1"})
		if err != nil {
			return err
		}
		_, err = tx.Insert(&icsbdb.Gateway{Name: "gw1", AvailabilityZone: az, Hostname: "gw1.example", Encaps: []string{encap}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, "ovsdb-client", "dump", srv.Endpoint, "OVN_IC_Southbound", "Gateway", "name", "hostname").CombinedOutput()
	if err != nil {
		t.Fatalf("ovsdb-client dump: %v: %s", err, out)
	}
	if !strings.Contains(string(out), "gw1.example") {
		t.Errorf("the dump lacks the gateway:\n%s", out)
	}
	insert := `["OVN_IC_Southbound",{"op":"insert","table":"Availability_Zone","row":{"name":"az2"}}]`
	if out, err := exec.CommandContext(ctx, "ovsdb-client", "transact", srv.Endpoint, insert).CombinedOutput(); err != nil {
		t.Fatalf("ovsdb-client transact: %v: %s", err, out)
	}
	del := `["OVN_IC_Southbound",{"op":"delete","table":"Availability_Zone","where":[["name","==","az2"]]}]`
	if out, err := exec.CommandContext(ctx, "ovsdb-client", "transact", srv.Endpoint, del).CombinedOutput(); err != nil {
		t.Fatalf("ovsdb-client transact: %v: %s", err, out)
	}
	var got []string
	for len(got) < 3 {
		select {
		case e := <-events:
			switch e.Kind {
			case ovsdb.EventInsert:
				got = append(got, "+"+e.New.Name)
			case ovsdb.EventDelete:
				got = append(got, "-"+e.Old.Name)
			}
		case <-ctx.Done():
			t.Fatalf("events %v, want +az1 +az2 -az2", got)
		}
	}
	if strings.Join(got, " ") != "+az1 +az2 -az2" {
		t.Errorf("events %v, want +az1 +az2 -az2", got)
	}
}
