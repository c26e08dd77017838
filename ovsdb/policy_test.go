package ovsdb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/vswitchdb"
)

// TestPolicyOfAnotherDatabase: the policy hook is not Open vSwitch's
// alone. A Northbound policy in the style of ovn-nbctl --wait increments
// NB_Global.nb_cfg with every write, reads it back, waits for the cache
// to show it and reports it; its key index serves FindByKey; NoWait
// leaves it out.
func TestPolicyOfAnotherDatabase(t *testing.T) {
	t.Parallel()
	srv := ovstest.NewServer(t, ovstest.WithSchema("/usr/share/ovn/ovn-nb.ovsschema"), ovstest.WithoutInit(), ovstest.WithoutClient())
	ctx := testCtx(t, time.Minute)
	type report struct{ nbCfg int }
	db := nbdb.Database().WithPolicy(ovsdb.Policy{
		KeyIndexes: []ovsdb.KeyIndex{{Table: nbdb.TableLogicalSwitchPort, Column: nbdb.ColumnLogicalSwitchPortExternalIDs, Key: "neutron:port_name"}},
		Monitor:    []string{nbdb.TableNBGlobal},
		OnWrite: []ovsdb.Operation{
			{Op: "mutate", Table: nbdb.TableNBGlobal, Mutations: []ovsdb.Mutation{{Column: nbdb.ColumnNBGlobalNBCfg, Mutator: ovsdb.MutateAdd, Value: 1}}},
			{Op: "select", Table: nbdb.TableNBGlobal, Columns: []string{nbdb.ColumnNBGlobalNBCfg}},
		},
		Committed: func(ctx context.Context, cm *ovsdb.Commit) error {
			rows := cm.Rows(1)
			if len(rows) == 0 {
				return nil
			}
			var row struct {
				NbCfg int `json:"nb_cfg"`
			}
			if err := json.Unmarshal(rows[0], &row); err != nil {
				return fmt.Errorf("%w: %w", ovsdb.ErrCommitted, err)
			}
			cm.Result.Report = report{row.NbCfg}
			return cm.Wait(ctx, "nb_cfg in the cache", func(view *ovsdb.Tx) bool {
				gs, err := ovsdb.List[nbdb.NBGlobal](view)
				return err == nil && len(gs) == 1 && gs[0].NBCfg >= row.NbCfg
			})
		},
	})
	c, err := ovsdb.Dial(ctx, srv.Endpoint, ovsdb.WithDatabase(db))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Do(ctx, func(tx *ovsdb.Tx) error {
		if _, err := tx.Insert(&nbdb.LogicalSwitch{Name: "ls0"}); err != nil {
			return err
		}
		_, err := tx.Insert(&nbdb.NBGlobal{})
		return err
	})
	require.NoError(t, err)
	addPort := func(tx *ovsdb.Tx, lsp *nbdb.LogicalSwitchPort) error {
		u, err := tx.Insert(lsp)
		if err != nil {
			return err
		}
		ls, err := ovsdb.Lookup[nbdb.LogicalSwitch](tx, nbdb.ColumnLogicalSwitchName, "ls0")
		if err != nil {
			return err
		}
		return tx.Mutate(ls, ovsdb.Insert(nbdb.ColumnLogicalSwitchPorts, []string{u}))
	}
	for i := 1; i <= 3; i++ {
		res, err := c.Do(ctx, func(tx *ovsdb.Tx) error {
			return addPort(tx, &nbdb.LogicalSwitchPort{Name: fmt.Sprint("p", i), ExternalIDs: map[string]string{"neutron:port_name": fmt.Sprint("n", i)}})
		})
		require.NoError(t, err)
		assert.Equal(t, report{i + 1}, res.Report, "the policy's report of write %d", i)
	}
	res, err := c.Transact(ctx, ovsdb.NoWait(), ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		return addPort(tx, &nbdb.LogicalSwitchPort{Name: "quiet"})
	}))
	require.NoError(t, err)
	assert.Nil(t, res.Report, "NoWait leaves the policy out")
	require.NoError(t, c.View(ctx, func(tx *ovsdb.Tx) error {
		ps, err := ovsdb.FindByKey[nbdb.LogicalSwitchPort](tx, nbdb.ColumnLogicalSwitchPortExternalIDs, "neutron:port_name", "n2")
		if err == nil && assert.Len(t, ps, 1) {
			assert.Equal(t, "p2", ps[0].Name)
		}
		gs, err2 := ovsdb.List[nbdb.NBGlobal](tx)
		if err2 == nil && assert.Len(t, gs, 1) {
			assert.Equal(t, 4, gs[0].NBCfg, "three writes with the policy after the first, none with NoWait")
		}
		return err
	}))
}

// TestDialNeedsDatabase: a client is given its database's models; without
// them Dial says what to give, before connecting.
func TestDialNeedsDatabase(t *testing.T) {
	_, err := ovsdb.Dial(context.Background(), "unix:/nonexistent/db.sock")
	require.ErrorIs(t, err, ovsdb.ErrInvalid)
	assert.Contains(t, err.Error(), "WithDatabase")
	_, err = ovsdb.Dial(context.Background(), "unix:/nonexistent/db.sock", ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithConnectTimeout(100*time.Millisecond))
	assert.NotErrorIs(t, err, ovsdb.ErrInvalid)
}
