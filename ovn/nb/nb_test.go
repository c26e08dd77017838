package nb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovn/sbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

func dial(t *testing.T, ctx context.Context, endpoint string, d *ovsdb.DatabaseModel) *ovsdb.Client {
	t.Helper()
	c, err := ovsdb.Dial(ctx, endpoint, ovsdb.WithDatabase(d))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestWaitSB: a switch and its port committed with Bump are in the
// Southbound database once Wait(WaitSB) returns: northd has applied them.
func TestWaitSB(t *testing.T) {
	central := ovstest.NewCentral(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := dial(t, ctx, central.NBEndpoint, nbdb.Database())
	sb := dial(t, ctx, central.SBEndpoint, sbdb.Database())
	if _, err := c.Transact(ctx, nb.AddSwitch("ls0"), nb.AddSwitchPort("ls0", "vm1"), nb.SetAddresses("vm1", "52:54:00:00:00:01 10.0.0.11"), nb.Bump()); err != nil {
		t.Fatal(err)
	}
	if err := nb.Wait(ctx, c, nb.WaitSB); err != nil {
		t.Fatal(err)
	}
	if err := sb.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	err := sb.View(ctx, func(tx *ovsdb.Tx) error {
		pb, err := ovsdb.Lookup[sbdb.PortBinding](tx, "logical_port", "vm1")
		if err != nil {
			return err
		}
		if len(pb.MAC) != 1 || pb.MAC[0] != "52:54:00:00:00:01 10.0.0.11" {
			t.Errorf("vm1's binding has mac %v", pb.MAC)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("after --wait=sb: %v", err)
	}
}

// TestErrorsAndReadYourWrites: errors carry ovn-nbctl's words and match
// the core's sentinels; a command sees what earlier commands of the same
// transaction did.
func TestErrorsAndReadYourWrites(t *testing.T) {
	central := ovstest.NewCentral(t, ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := dial(t, ctx, central.NBEndpoint, nbdb.Database())
	var listed []nb.Item
	_, err := c.Transact(ctx, nb.AddSwitch("ls0"), nb.AddSwitchPort("ls0", "a"), nb.AddSwitchPort("ls0", "b"),
		ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			var err error
			listed, err = nb.ListSwitchPorts(tx, "ls0")
			return err
		}))
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 2 || listed[0].Name != "a" || listed[1].Name != "b" {
		t.Errorf("ports listed in the transaction that added them: %v", listed)
	}
	for _, tt := range []struct {
		cmd  ovsdb.Command
		want error
		msg  string
	}{
		{nb.AddSwitch("ls0"), ovsdb.ErrExists, "ls0: a switch with this name already exists"},
		{nb.DeleteSwitch("nope"), ovsdb.ErrNotFound, "nope: switch name not found"},
		{nb.AddSwitchPort("ls0", "x", nb.WithParent("a", 5000)), ovsdb.ErrInvalid, "5000: invalid tag (must be in range 0 to 4095)"},
		{nb.SetAddresses("a", "10.0.0.1"), ovsdb.ErrInvalid, "10.0.0.1: Invalid address format. See ovn-nb(5). Hint: An Ethernet address must be listed before an IP address, together as a single argument."},
		{nb.SetPortType("a", "bogus"), ovsdb.ErrInvalid, "Logical switch port type 'bogus' is unrecognized. Not setting type."},
	} {
		_, err := c.Transact(ctx, tt.cmd)
		var ne *nb.Error
		if !errors.Is(err, tt.want) || !errors.As(err, &ne) || ne.Msg != tt.msg {
			t.Errorf("err = %v, want %q matching %v", err, tt.msg, tt.want)
		}
	}
}
