package dbcmd_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ovskit/ovskit/dbcmd"
	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestNorthboundRecordNames: the database commands work on any schema,
// and name records as that database's tool does: on OVN_Northbound, a
// switch, port, router or port group by its name, a switch by its
// Neutron network name (external_ids:neutron:network_name), DHCP options
// by the name of a port that uses them, a connection by its target.
// Equivalent to: ovn-nbctl get Logical_Switch sw0 name, ...
func TestNorthboundRecordNames(t *testing.T) {
	srv := ovstest.NewServer(t, ovstest.WithSchema("../ovn/nbdb/ovn-nb.ovsschema"), ovstest.WithoutInit(), ovstest.WithoutClient())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(nbdb.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := c.Transact(ctx, nb.EnsureGlobal(), nb.AddSwitch("sw0"), nb.AddSwitchPort("sw0", "lp0"),
		dbcmd.Set("Logical_Switch", "sw0", []string{`external_ids:"neutron:network_name"=net0`}),
		dbcmd.Create("Port_Group", []string{"name=pg0"}),
		dbcmd.Create("DHCP_Options", []string{`cidr="10.0.0.0/24"`}, dbcmd.ID("@d")),
		dbcmd.Set("Logical_Switch_Port", "lp0", []string{"dhcpv4_options=@d"}),
		dbcmd.Create("Connection", []string{`target="ptcp:6641"`}, dbcmd.ID("@c")),
		dbcmd.Set("NB_Global", ".", []string{"connections=@c"}))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ table, record, column, want string }{
		{"Logical_Switch", "sw0", "name", "sw0"},
		{"logical_switch", "net0", "name", "sw0"}, // by the Neutron name
		{"Logical_Switch_Port", "lp0", "name", "lp0"},
		{"Port_Group", "pg0", "name", "pg0"},
		{"DHCP_Options", "lp0", "cidr", `"10.0.0.0/24"`}, // through the port
		{"Connection", "ptcp:6641", "target", `"ptcp:6641"`},
		{"DHCP_Options", res.UUID("d"), "cidr", `"10.0.0.0/24"`},
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		for _, tc := range cases {
			got, err := dbcmd.Get(tx, tc.table, tc.record, []string{tc.column})
			if err != nil {
				t.Errorf("get %s %s %s: %v", tc.table, tc.record, tc.column, err)
				continue
			}
			if !slices.Equal(got, []string{tc.want}) {
				t.Errorf("get %s %s %s = %q, want %q", tc.table, tc.record, tc.column, got, tc.want)
			}
		}
		// A name no record has is not found, in the tool's words.
		_, err := dbcmd.Get(tx, "Logical_Switch", "nosuch", []string{"name"})
		if !errors.Is(err, ovsdb.ErrNotFound) || err.Error() != `no row "nosuch" in table Logical_Switch: not found` {
			t.Errorf("get a missing switch: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
