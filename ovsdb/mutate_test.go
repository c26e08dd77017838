package ovsdb_test

import (
	"maps"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// TestMutateMap: the forms a map column's mutations take on the wire: pairs
// inserted, pairs deleted (only where the value matches), and keys deleted
// by a key or a list of keys.
func TestMutateMap(t *testing.T) {
	t.Parallel()
	s := newSwitch(t)
	start := map[string]string{"a": "1", "b": "2", "c": "3", "d": "4"}
	for _, tt := range []struct {
		name string
		mut  ovsdb.Mutation
		want map[string]string
	}{
		{"insert pairs", ovsdb.Insert("external_ids", map[string]string{"e": "5", "a": "9"}), map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}},
		{"delete pairs", ovsdb.Delete("external_ids", map[string]string{"a": "1", "b": "0"}), map[string]string{"b": "2", "c": "3", "d": "4"}},
		{"delete a key", ovsdb.Delete("external_ids", "c"), map[string]string{"a": "1", "b": "2", "d": "4"}},
		{"delete keys", ovsdb.Delete("external_ids", []string{"a", "d", "z"}), map[string]string{"b": "2", "c": "3"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testCtx(t, 10*time.Second)
			_, err := s.Client.Do(ctx, func(tx *ovsdb.Tx) error {
				tx.NoWait()
				p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
				if err != nil {
					return err
				}
				p.ExternalIDs = maps.Clone(start)
				return tx.Update(p, "external_ids")
			})
			require.NoError(t, err)
			_, err = s.Client.Do(ctx, func(tx *ovsdb.Tx) error {
				tx.NoWait()
				p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
				if err != nil {
					return err
				}
				return tx.Mutate(p, tt.mut)
			})
			require.NoError(t, err)
			err = s.Client.View(ctx, func(tx *ovsdb.Tx) error {
				p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", "p1")
				if err != nil {
					return err
				}
				require.Equal(t, tt.want, p.ExternalIDs)
				return nil
			})
			require.NoError(t, err)
		})
	}
}
