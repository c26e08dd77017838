package dbcmd_test

import (
	"context"
	"testing"
	"time"

	"github.com/ovskit/ovskit/dbcmd"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/vswitchdb"
)

// TestCreateAndDestroyInOneTransaction: a row created and destroyed by
// one transaction never exists; the commit returns at once instead of
// waiting for the cache to show it.
// Equivalent to: ovs-vsctl --no-wait -- --id=@q create QoS type=linux-htb -- destroy QoS @q
func TestCreateAndDestroyInOneTransaction(t *testing.T) {
	srv := ovstest.NewServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := srv.Client.Transact(ctx, ovsdb.NoWait(),
		dbcmd.Create("QoS", []string{"type=linux-htb"}, dbcmd.ID("@q")),
		dbcmd.Destroy("QoS", []string{"@q"})); err != nil {
		t.Fatal(err)
	}
	err := srv.Client.View(ctx, func(tx *ovsdb.Tx) error {
		rows, err := tx.Rows(vswitchdb.TableQoS)
		if err == nil && len(rows) != 0 {
			t.Errorf("%d QoS rows after create and destroy", len(rows))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
