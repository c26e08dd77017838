package ovsdb_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/dbcmd"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/vswitchdb"
)

// TestLinearizableUpgrade: a rolling upgrade under load. Eight clients
// write (the linearizability suite's operations) while their server's
// database, made with Open vSwitch 2.13.8's schema, is converted to 3.7.1's:
// online (ovsdb-client convert), and by restarting ovsdb-server on a file
// that ovsdb-tool converted. The history must be linearizable with nothing
// lost or duplicated, and a client connected before the upgrade must write
// a column the old schema lacked, without a restart.
func TestLinearizableUpgrade(t *testing.T) {
	t.Parallel()
	ovstest.RequireTools(t, "ovsdb-client", "ovsdb-tool")
	for _, f := range upgradeFaults(t) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			lzCheck(t, f)
		})
	}
}

// upgradeFaults convert 8.2.0 (Open vSwitch 2.13.8) to 8.8.0 (3.7.1). (The
// names are short and have no comma: the test's temporary directory holds
// a unix socket, whose path has a length limit, and a comma separates the
// endpoints of a cluster.)
func upgradeFaults(t *testing.T) []lzFault {
	old := olderSchema(t, "vswitch-2.13.8.ovsschema")
	newer := olderSchema(t, "vswitch-3.7.1.ovsschema")
	reconnected := func(reconnects uint64, _, _ int, _ time.Duration) bool { return reconnects > 0 }
	return []lzFault{
		{
			name:   "convert online",
			server: []ovstest.Option{ovstest.WithSchema(old)},
			inject: func(t *testing.T, s *ovstest.Server, _ *faultProxy) {
				time.Sleep(300 * time.Millisecond)
				expectSchemaVersion(t, s.Endpoint, "Open_vSwitch", "8.2.0")
				out, err := exec.Command("ovsdb-client", "convert", s.Endpoint, newer).CombinedOutput()
				if err != nil {
					t.Errorf("ovsdb-client convert: %v: %s", err, out)
				}
				expectSchemaVersion(t, s.Endpoint, "Open_vSwitch", "8.8.0")
				time.Sleep(300 * time.Millisecond)
			},
			felt:  reconnected,
			after: newColumnUsable,
		},
		{
			name:   "convert and restart",
			server: []ovstest.Option{ovstest.WithSchema(old)},
			inject: func(t *testing.T, s *ovstest.Server, _ *faultProxy) {
				time.Sleep(300 * time.Millisecond)
				expectSchemaVersion(t, s.Endpoint, "Open_vSwitch", "8.2.0")
				s.StopDB()
				out, err := exec.Command("ovsdb-tool", "convert", s.DB, newer).CombinedOutput()
				if err != nil {
					t.Errorf("ovsdb-tool convert: %v: %s", err, out)
				}
				if err := s.StartDB(context.Background()); err != nil {
					t.Errorf("restart ovsdb-server: %v", err)
				}
				expectSchemaVersion(t, s.Endpoint, "Open_vSwitch", "8.8.0")
				time.Sleep(300 * time.Millisecond)
			},
			felt:  reconnected,
			after: newColumnUsable,
		},
	}
}

// newColumnUsable: a client connected since before the upgrade sees the
// new schema (it negotiated again on its reconnect) and writes and reads
// Interface.ingress_policing_kpkts_rate, which 8.2.0 lacks.
func newColumnUsable(t *testing.T, ctx context.Context, c *ovsdb.Client) {
	for !c.ServerHas(vswitchdb.TableInterface, vswitchdb.ColumnInterfaceIngressPolicingKpktsRate) {
		if ctx.Err() != nil {
			t.Fatal("the client connected before the upgrade never saw the new schema")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, err := c.Transact(ctx, ovsdb.NoWait(), dbcmd.Set("Interface", register(0), []string{"ingress_policing_kpkts_rate=100"}))
	require.NoError(t, err)
	require.NoError(t, c.View(ctx, func(tx *ovsdb.Tx) error {
		i, err := ovsdb.Lookup[vswitchdb.Interface](tx, vswitchdb.ColumnInterfaceName, register(0))
		if err == nil {
			assert.Equal(t, 100, i.IngressPolicingKpktsRate)
		}
		return err
	}))
}

// expectSchemaVersion checks the schema version the server at endpoint
// serves for db: the upgrade tests start where they say and end where
// they say.
func expectSchemaVersion(t *testing.T, endpoint, db, want string) {
	t.Helper()
	out, err := exec.Command("ovsdb-client", "get-schema-version", endpoint, db).CombinedOutput()
	if got := strings.TrimSpace(string(out)); err != nil || got != want {
		t.Errorf("schema version of %s: %q (%v), want %s", db, got, err, want)
	}
}

// TestClusterUpgradeLinearizable: a 3-member Northbound cluster made with
// OVN 22.03's schema (6.1.0) is converted online to 26.03's (7.18.0) while
// clients do verified increments and reads through the leader. The
// history is linearizable, nothing lost or applied twice, and a client
// connected throughout then writes Logical_Switch_Port.peer and a
// Static_MAC_Binding row, which 6.1.0 lacks.
func TestClusterUpgradeLinearizable(t *testing.T) {
	t.Parallel()
	ovstest.RequireTools(t, "ovsdb-client")
	newer := olderSchema(t, "ovn-nb-26.03.0.ovsschema")
	clusterCheck(t, clusterFault{
		name: "online convert 6.1.0 to 7.18.0",
		opts: []ovstest.CentralOption{ovstest.WithNBSchema(olderSchema(t, "ovn-nb-22.03.0.ovsschema"))},
		disturb: func(t *testing.T, ctx context.Context, c *ovstest.Central, _ func() int64) []leaderChange {
			time.Sleep(800 * time.Millisecond)
			_, leader := leaderEndpoint(t, ctx, c)
			expectSchemaVersion(t, leader, "OVN_Northbound", "6.1.0")
			out, err := exec.CommandContext(ctx, "ovsdb-client", "convert", leader, newer).CombinedOutput()
			if err != nil {
				t.Errorf("ovsdb-client convert: %v: %s", err, out)
			}
			expectSchemaVersion(t, leader, "OVN_Northbound", "7.18.0")
			time.Sleep(800 * time.Millisecond)
			return nil
		},
		after: func(t *testing.T, ctx context.Context, c *ovsdb.Client) {
			for !c.ServerHas(nbdb.TableStaticMACBinding, "") || !c.ServerHas(nbdb.TableLogicalSwitchPort, nbdb.ColumnLogicalSwitchPortPeer) {
				if ctx.Err() != nil {
					t.Fatal("the client connected before the conversion never saw the new schema")
				}
				time.Sleep(20 * time.Millisecond)
			}
			peer := "p1"
			_, err := c.Do(ctx, func(tx *ovsdb.Tx) error {
				if _, err := tx.Insert(&nbdb.StaticMACBinding{LogicalPort: "lrp0", IP: "192.0.2.5", MAC: "00:00:00:00:00:05"}); err != nil {
					return err
				}
				lsp, err := tx.Insert(&nbdb.LogicalSwitchPort{Name: "p0", Peer: &peer})
				if err != nil {
					return err
				}
				ls, err := ovsdb.Lookup[nbdb.LogicalSwitch](tx, nbdb.ColumnLogicalSwitchName, "r0")
				if err != nil {
					return err
				}
				return tx.Mutate(ls, ovsdb.Insert(nbdb.ColumnLogicalSwitchPorts, []string{lsp}))
			})
			require.NoError(t, err)
			require.NoError(t, c.View(ctx, func(tx *ovsdb.Tx) error {
				p, err := ovsdb.Lookup[nbdb.LogicalSwitchPort](tx, nbdb.ColumnLogicalSwitchPortName, "p0")
				if err == nil && (p.Peer == nil || *p.Peer != "p1") {
					t.Errorf("p0's peer %v, want p1", p.Peer)
				}
				return err
			}))
		},
	})
}
