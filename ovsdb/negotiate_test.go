package ovsdb_test

// A server older than the models: the client intersects the models with
// the server's schema instead of refusing it. What the server lacks reads
// as empty; writing a non-default value to it fails before anything is
// sent, with an error matching errors.ErrUnsupported.

import (
	"errors"
	"net/netip"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/dbcmd"
	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/tunnel"
	"github.com/ovskit/ovskit/vlan"
	"github.com/ovskit/ovskit/vswitchdb"
)

func olderSchema(t *testing.T, file string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "testdata", "schemas", file))
	require.NoError(t, err)
	return p
}

// TestOlderOpenVSwitch: Open vSwitch 2.13.8's schema (8.2.0, the
// tutorial's), which lacks Interface.ingress_policing_kpkts_rate and
// _burst.
func TestOlderOpenVSwitch(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithSchema(olderSchema(t, "vswitch-2.13.8.ovsschema")))
	ctx := testCtx(t, time.Minute)
	c := s.Client
	assert.False(t, c.ServerHas(vswitchdb.TableInterface, "ingress_policing_kpkts_rate"))
	assert.True(t, c.ServerHas(vswitchdb.TableInterface, "ingress_policing_rate"))
	assert.True(t, c.ServerHas(vswitchdb.TableBridge, ""))
	assert.False(t, c.ServerHas("NoSuchTable", ""))

	// The everyday commands work.
	_, err := c.Transact(ctx, ovsdb.NoWait(), addBridge("br0"), port.Add("br0", "p1"), vlan.SetTag("p1", 10),
		tunnel.Add("br0", "gre0", tunnel.GRE, tunnel.Options{RemoteIP: tunnel.IP(netip.MustParseAddr("192.0.2.2"))}))
	require.NoError(t, err)
	require.NoError(t, c.View(ctx, func(tx *ovsdb.Tx) error {
		ports, err := port.List(tx, "br0")
		assert.Equal(t, []string{"gre0", "p1"}, ports)
		return err
	}))

	// A write of a non-default value to a missing column is refused
	// before anything is sent; the database is as it was.
	before, err := s.Dump()
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		cmd  ovsdb.Command
	}{
		{"set", dbcmd.Set("Interface", "p1", []string{"ingress_policing_kpkts_rate=100"})},
		{"set with another column", dbcmd.Set("Interface", "p1", []string{"ingress_policing_rate=5", "ingress_policing_kpkts_burst=7"})},
		{"insert", ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			_, err := tx.Insert(&vswitchdb.Interface{Name: "x", IngressPolicingKpktsRate: 5})
			return err
		})},
	} {
		_, err := c.Transact(ctx, ovsdb.NoWait(), tt.cmd)
		require.ErrorIs(t, err, errors.ErrUnsupported, tt.name)
		var ue *ovsdb.UnsupportedError
		require.ErrorAs(t, err, &ue, tt.name)
		assert.Equal(t, vswitchdb.TableInterface, ue.Table, tt.name)
		assert.Equal(t, "Open_vSwitch 8.2.0", ue.Server, tt.name)
	}
	after, err := s.Dump()
	require.NoError(t, err)
	assert.Equal(t, before, after, "a refused write changed the database")
	// The installed ovs-vsctl sends that write and the server refuses it.
	_, err = s.Vsctl("--no-wait", "set", "Interface", "p1", "ingress_policing_kpkts_rate=100")
	assert.Error(t, err, "ovs-vsctl wrote a column the server lacks")

	// Its default value is no change; the column reads as that.
	_, err = c.Transact(ctx, ovsdb.NoWait(), dbcmd.Set("Interface", "p1", []string{"ingress_policing_kpkts_rate=0", "ingress_policing_rate=3"}))
	require.NoError(t, err)
	require.NoError(t, c.View(ctx, func(tx *ovsdb.Tx) error {
		i, err := ovsdb.Lookup[vswitchdb.Interface](tx, "name", "p1")
		if err == nil {
			assert.Zero(t, i.IngressPolicingKpktsRate)
			assert.Equal(t, 3, i.IngressPolicingRate)
		}
		return err
	}))
	// Reads, verifications and a read-modify-write of the row work.
	_, err = c.Transact(ctx, ovsdb.NoWait(), port.Update("p1", func(p *vswitchdb.Port) error {
		p.ExternalIDs = map[string]string{"k": "v"}
		return nil
	}, "external_ids"))
	require.NoError(t, err)
}

// TestOlderNorthbound: OVN 22.03's Northbound schema (6.1.0), which lacks
// the Mirror, Static_MAC_Binding and Chassis_Template_Var tables and
// NAT.gateway_port among others.
func TestOlderNorthbound(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithSchema(olderSchema(t, "ovn-nb-22.03.0.ovsschema")), ovstest.WithoutInit(),
		ovstest.WithClientOptions(ovsdb.WithDatabase(nbdb.Database())))
	ctx := testCtx(t, time.Minute)
	c := s.Client
	assert.False(t, c.ServerHas(nbdb.TableStaticMACBinding, ""))
	assert.False(t, c.ServerHas(nbdb.TableNAT, "gateway_port"))
	assert.True(t, c.ServerHas(nbdb.TableNAT, "external_ip"))
	_, err := c.Transact(ctx, nb.AddSwitch("ls0"), nb.AddSwitchPort("ls0", "p1"), nb.SetAddresses("p1", "52:54:00:00:00:01 10.0.0.11"),
		nb.AddRouter("lr0"), nb.AddNAT("lr0", nb.NAT{Type: nb.SNAT, ExternalIP: "203.0.113.1", LogicalIP: "10.0.0.0/24"}))
	require.NoError(t, err)
	require.NoError(t, c.View(ctx, func(tx *ovsdb.Tx) error {
		out, err := nb.Show(tx, "")
		assert.Contains(t, out, "port p1")
		return err
	}))
	_, err = c.Do(ctx, func(tx *ovsdb.Tx) error {
		_, err := tx.Insert(&nbdb.StaticMACBinding{IP: "10.0.0.1", LogicalPort: "lrp0", MAC: "52:54:00:00:00:02"})
		return err
	})
	var ue *ovsdb.UnsupportedError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, nbdb.TableStaticMACBinding, ue.Table)
	assert.Empty(t, ue.Column)
	assert.ErrorIs(t, err, errors.ErrUnsupported)
}

// TestUpgradedUnderClient: the database is converted online to the
// installed (newer) schema while a client runs. The client negotiates
// again on the reconnect the conversion causes: what the old schema
// lacked becomes readable and writable without a restart of the client.
func TestUpgradedUnderClient(t *testing.T) {
	t.Parallel()
	ovstest.RequireTools(t, "ovsdb-client")
	s := ovstest.NewServer(t, ovstest.WithSchema(olderSchema(t, "vswitch-2.13.8.ovsschema")))
	ctx := testCtx(t, time.Minute)
	c := s.Client
	_, err := c.Transact(ctx, ovsdb.NoWait(), addBridge("br0"), port.Add("br0", "p1"))
	require.NoError(t, err)
	set := dbcmd.Set("Interface", "p1", []string{"ingress_policing_kpkts_rate=100"})
	_, err = c.Transact(ctx, ovsdb.NoWait(), set)
	require.ErrorIs(t, err, errors.ErrUnsupported)

	out, err := exec.CommandContext(ctx, "ovsdb-client", "convert", s.Endpoint, "/usr/share/openvswitch/vswitch.ovsschema").CombinedOutput()
	require.NoError(t, err, "ovsdb-client convert: %s", out)
	// The conversion drops the server's connections; the client's
	// reconnect negotiates with the new schema.
	for !c.ServerHas(vswitchdb.TableInterface, "ingress_policing_kpkts_rate") {
		require.NoError(t, ctx.Err(), "the client never saw the converted schema")
		time.Sleep(20 * time.Millisecond)
	}
	_, err = c.Transact(ctx, ovsdb.NoWait(), set)
	require.NoError(t, err)
	require.NoError(t, c.View(ctx, func(tx *ovsdb.Tx) error {
		i, err := ovsdb.Lookup[vswitchdb.Interface](tx, "name", "p1")
		if err == nil {
			assert.Equal(t, 100, i.IngressPolicingKpktsRate)
		}
		return err
	}))
	// What was written before the conversion is still there.
	require.NoError(t, c.View(ctx, func(tx *ovsdb.Tx) error {
		ports, err := port.List(tx, "br0")
		assert.Equal(t, []string{"p1"}, ports)
		return err
	}))
}
