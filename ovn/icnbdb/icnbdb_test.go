package icnbdb_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/icnbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestTypedICNorthbound: the generated models serve a real OVN_IC_Northbound
// database (this package's schema, on the installed ovsdb-server). A
// transit switch inserted through them is what the installed
// ovn-ic-nbctl lists; one that ovn-ic-nbctl adds arrives as a watch event,
// typed.
func TestTypedICNorthbound(t *testing.T) {
	ovstest.Require(t, ovstest.NeedOVSDB)
	ovstest.RequireTools(t, "ovn-ic-nbctl")
	srv := ovstest.NewServer(t, ovstest.WithSchema("ovn-ic-nb.ovsschema"), ovstest.WithoutInit(), ovstest.WithoutClient())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(icnbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	events, err := ovsdb.Watch[icnbdb.TransitSwitch](ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(ctx, func(tx *ovsdb.Tx) error {
		if _, err := tx.Insert(&icnbdb.ICNBGlobal{}); err != nil {
			return err
		}
		_, err := tx.Insert(&icnbdb.TransitSwitch{Name: "ts0", ExternalIDs: map[string]string{"owner": "ovskit"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, "ovn-ic-nbctl", "--db="+srv.Endpoint, "ts-list").CombinedOutput()
	if err != nil {
		t.Fatalf("ovn-ic-nbctl ts-list: %v: %s", err, out)
	}
	if !strings.Contains(string(out), "(ts0)") {
		t.Errorf("ovn-ic-nbctl ts-list lacks ts0:\n%s", out)
	}
	if out, err := exec.CommandContext(ctx, "ovn-ic-nbctl", "--db="+srv.Endpoint, "ts-add", "ts1").CombinedOutput(); err != nil {
		t.Fatalf("ovn-ic-nbctl ts-add: %v: %s", err, out)
	}
	seen := map[string]bool{}
	for !seen["ts1"] {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("watch ended before ts1 arrived")
			}
			if e.Kind == ovsdb.EventInsert {
				seen[e.New.Name] = true
			}
		case <-ctx.Done():
			t.Fatalf("no insert event for ts1 (saw %v)", seen)
		}
	}
	if !seen["ts0"] {
		t.Errorf("no insert event for ts0, the client's own insert (saw %v)", seen)
	}
	// The column constants name columns for lookups and updates.
	_, err = c.Do(ctx, func(tx *ovsdb.Tx) error {
		ts1, err := ovsdb.Lookup[icnbdb.TransitSwitch](tx, icnbdb.ColumnTransitSwitchName, "ts1")
		if err != nil {
			return err
		}
		ts1.OtherConfig = map[string]string{"requested-tnl-key": "42"}
		return tx.Update(ts1, icnbdb.ColumnTransitSwitchOtherConfig)
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err = exec.CommandContext(ctx, "ovn-ic-nbctl", "--db="+srv.Endpoint, "get", "Transit_Switch", "ts1", "other_config:requested-tnl-key").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != `"42"` {
		t.Errorf("ovn-ic-nbctl get: %v: %s", err, out)
	}
}
