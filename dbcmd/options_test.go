package dbcmd_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ovskit/ovskit/dbcmd"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestIDChecked: an --id that is not @NAME is refused before anything is
// written.
func TestIDChecked(t *testing.T) {
	s := ovstest.NewServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, id := range []string{"q", "@", "@1q", "@a-b", "@a\x00"} {
		_, err := s.Client.Transact(ctx, dbcmd.Create("QoS", []string{"type=linux-htb"}, dbcmd.ID(id)))
		if !errors.Is(err, ovsdb.ErrInvalid) {
			t.Errorf("ID(%q): %v, want ErrInvalid", id, err)
		}
	}
	res, err := s.Client.Transact(ctx, dbcmd.Create("QoS", []string{"type=linux-htb"}, dbcmd.ID("@q")))
	if err != nil || !ovsdb.IsUUID(res.UUID("q")) {
		t.Fatalf("ID(@q): %v, %v", res, err)
	}
}
