package ovsdb_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/dbcmd"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

func ifaceNames(rows []*vswitchdb.Interface) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Name)
	}
	return sorted(out)
}

// TestFindByKey: indexed and scanned keys give the same rows, the
// transaction's own edits count, and the commit verifies the rows found.
func TestFindByKey(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 30*time.Second)
	indexed, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithNoWait(), ovsdb.WithKeyIndex(vswitchdb.TableInterface, "external_ids", "owner"))
	require.NoError(t, err)
	defer indexed.Close()
	var cmds []ovsdb.Command
	for i := range 30 {
		cmds = append(cmds, port.Add("br0", fmt.Sprint("v", i), port.WithIface(
			iface.ExternalID("iface-id", fmt.Sprint("lsp", i%10)),
			iface.ExternalID("owner", fmt.Sprint("vm", i%3)),
			iface.ExternalID("attached-mac", fmt.Sprintf("52:54:00:00:00:%02x", i)))))
	}
	_, err = s.Client.Transact(ctx, cmds...)
	require.NoError(t, err)
	require.NoError(t, indexed.Sync(ctx))
	for _, c := range []*ovsdb.Client{s.Client, indexed} {
		require.NoError(t, c.View(ctx, func(tx *ovsdb.Tx) error {
			got, err := iface.ByIfaceID(tx, "lsp3")
			require.NoError(t, err)
			assert.Equal(t, []string{"v13", "v23", "v3"}, ifaceNames(got))
			got, err = ovsdb.FindByKey[vswitchdb.Interface](tx, "external_ids", "owner", "vm1")
			require.NoError(t, err)
			assert.Len(t, got, 10)
			got, err = iface.ByAttachedMAC(tx, "52:54:00:00:00:1D")
			require.NoError(t, err)
			assert.Equal(t, []string{"v29"}, ifaceNames(got))
			got, err = iface.ByVMUUID(tx, "nosuch")
			require.NoError(t, err)
			assert.Empty(t, got)
			_, err = ovsdb.FindByKey[vswitchdb.Interface](tx, "name", "x", "y")
			assert.ErrorIs(t, err, ovsdb.ErrInvalid)
			_, err = ovsdb.FindByKey[vswitchdb.Interface](tx, "external_ids", "iface-id", "a\x00")
			assert.ErrorIs(t, err, ovsdb.ErrInvalid)
			return nil
		}))
	}
	// The transaction's own edits: a value given and one taken away.
	_, err = s.Client.Transact(ctx, port.Add("br0", "w1", port.WithIface(iface.ExternalID("iface-id", "lsp3"))),
		iface.Set("v3", iface.ExternalID("iface-id", "lsp9")),
		ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			got, err := iface.ByIfaceID(tx, "lsp3")
			if err == nil {
				assert.Equal(t, []string{"v13", "v23", "w1"}, ifaceNames(got))
			}
			return err
		}))
	require.NoError(t, err)
	// A row that gets the value between the read and the commit makes
	// the transaction run again.
	other, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithNoWait())
	require.NoError(t, err)
	defer other.Close()
	runs := 0
	_, err = s.Client.Do(ctx, func(tx *ovsdb.Tx) error {
		runs++
		got, err := iface.ByIfaceID(tx, "lsp5")
		if err != nil {
			return err
		}
		if runs == 1 {
			if _, err := other.Transact(ctx, port.Add("br0", "late", port.WithIface(iface.ExternalID("iface-id", "lsp5")))); err != nil {
				return err
			}
		}
		row, err := iface.Get(tx, "v5")
		if err != nil {
			return err
		}
		row.ExternalIDs["seen"] = fmt.Sprint(len(got))
		return tx.Update(row, "external_ids")
	})
	require.NoError(t, err)
	assert.Equal(t, 2, runs, "a new row with the value must fail the verification")
}

// TestWithKeyIndexChecked: an index on what is not a string map, or on an
// unknown column, is refused at Dial.
func TestWithKeyIndexChecked(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t, ovstest.WithoutClient())
	ctx := testCtx(t, 10*time.Second)
	_, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithKeyIndex(vswitchdb.TableInterface, "name", "x"))
	assert.ErrorIs(t, err, ovsdb.ErrInvalid)
	_, err = ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithKeyIndex(vswitchdb.TableInterface, "nosuch", "x"))
	assert.ErrorIs(t, err, ovsdb.ErrUnknownColumn)
	_, err = ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithKeyIndex("Nosuch", "external_ids", "x"))
	assert.ErrorIs(t, err, ovsdb.ErrUnknownTable)
}

// TestOptionsChecked: options given bad values fail the call that takes
// them, with ErrInvalid.
func TestOptionsChecked(t *testing.T) {
	t.Parallel()
	s := ovstest.NewServer(t)
	ctx := testCtx(t, 10*time.Second)
	for _, opt := range []ovsdb.Option{ovsdb.WithBackoff(0, time.Second), ovsdb.WithBackoff(time.Second, time.Millisecond),
		ovsdb.WithMaxRetries(-1), ovsdb.WithMaxMessageSize(0), ovsdb.WithInactivityProbe(-time.Second), ovsdb.WithConnectTimeout(-time.Second)} {
		_, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), opt)
		assert.ErrorIs(t, err, ovsdb.ErrInvalid)
	}
	// The limits themselves are valid.
	for _, opt := range []ovsdb.Option{ovsdb.WithBackoff(time.Second, time.Second), ovsdb.WithMaxRetries(0), ovsdb.WithMaxMessageSize(1 << 20),
		ovsdb.WithInactivityProbe(0), ovsdb.WithConnectTimeout(0)} {
		c, err := ovsdb.Dial(ctx, s.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), opt)
		if assert.NoError(t, err) {
			c.Close()
		}
	}
	w, err := ovsdb.Watch[vswitchdb.Port](ctx, s.Client, ovsdb.WithQueueLimit(1))
	assert.NoError(t, err)
	assert.NotNil(t, w)
	_, err = ovsdb.Watch[vswitchdb.Port](ctx, s.Client, ovsdb.WithQueueLimit(0))
	assert.ErrorIs(t, err, ovsdb.ErrInvalid)
	_, err = ovstest.Start(ctx, ovstest.WithNamespacePrefix("../x"))
	assert.ErrorIs(t, err, ovsdb.ErrInvalid)
}

// TestRefRows: reference columns resolve to typed rows (sets, optional
// values, maps of references).
func TestRefRows(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	ctx := testCtx(t, 10*time.Second)
	_, err := s.Client.Transact(ctx, dbcmd.Create("QoS", []string{"type=linux-htb"}, dbcmd.ID("@q")),
		dbcmd.Set("Port", "p1", []string{"qos=@q"}),
		dbcmd.Create("CT_Zone", nil, dbcmd.ID("@z")), dbcmd.Create("Datapath", []string{"datapath_version=0", "ct_zones={5=@z}"}, dbcmd.ID("@d")),
		dbcmd.Set("Open_vSwitch", ".", []string{"datapaths:netdev=@d"}))
	require.NoError(t, err)
	require.NoError(t, s.Client.View(ctx, func(tx *ovsdb.Tx) error {
		br, err := ovsdb.Lookup[vswitchdb.Bridge](tx, "name", "br0")
		require.NoError(t, err)
		ports, err := br.PortsRows(tx)
		require.NoError(t, err)
		var names []string
		for _, p := range ports {
			names = append(names, p.Name)
		}
		assert.ElementsMatch(t, []string{"br0", "p1"}, names)
		p1, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
		require.NoError(t, err)
		q, err := p1.QoSRow(tx)
		require.NoError(t, err)
		require.NotNil(t, q)
		assert.Equal(t, "linux-htb", q.Type)
		none, err := br.MirrorsRows(tx)
		assert.NoError(t, err)
		assert.Empty(t, none)
		br0, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "br0")
		require.NoError(t, err)
		noQoS, err := br0.QoSRow(tx)
		assert.NoError(t, err)
		assert.Nil(t, noQoS)
		roots, err := ovsdb.List[vswitchdb.OpenVSwitch](tx)
		require.NoError(t, err)
		dps, err := roots[0].DatapathsRows(tx)
		require.NoError(t, err)
		zones, err := dps["netdev"].CTZonesRows(tx)
		require.NoError(t, err)
		assert.Len(t, zones, 1)
		assert.NotNil(t, zones[5])
		return nil
	}))
}
