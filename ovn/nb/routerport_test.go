package nb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// nbClient is a client of a fresh Northbound database (no ovn-northd).
func nbClient(t *testing.T) (context.Context, *ovsdb.Client) {
	t.Helper()
	central := ovstest.NewCentral(t, ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx, dial(t, ctx, central.NBEndpoint, nbdb.Database())
}

// TestPortDeletedThenAddedInOneTransaction: a later command of a
// transaction does not see a port an earlier one deleted, so a port can be
// replaced by one of the same name at once.
// Equivalent to: ovn-nbctl lrp-del lrp0 -- lrp-add lr0 lrp0 MAC NETWORK
func TestPortDeletedThenAddedInOneTransaction(t *testing.T) {
	ctx, c := nbClient(t)
	if _, err := c.Transact(ctx, nb.AddRouter("lr0"), nb.AddRouterPort("lr0", "lrp0", "00:00:00:01:02:03", []string{"192.168.1.1/24"}),
		nb.AddSwitch("ls0"), nb.AddSwitchPort("ls0", "lp0")); err != nil {
		t.Fatal(err)
	}
	_, err := c.Transact(ctx,
		nb.DeleteRouterPort("lrp0"), nb.AddRouterPort("lr0", "lrp0", "00:00:00:01:02:04", []string{"192.168.2.1/24"}),
		nb.DeleteSwitchPort("lp0"), nb.AddSwitchPort("ls0", "lp0"))
	if err != nil {
		t.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		lrp, err := nb.RouterPort(tx, "lrp0")
		if err != nil {
			return err
		}
		if lrp.MAC != "00:00:00:01:02:04" {
			t.Errorf("lrp0 has MAC %s, want the new port's", lrp.MAC)
		}
		ports, err := ovsdb.List[nbdb.LogicalRouterPort](tx)
		if len(ports) != 1 {
			t.Errorf("%d router ports, want 1", len(ports))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRouterPortState: a router port's enabled state and redirect type,
// with ovn-nbctl's defaults (enabled; overlay) and its errors.
// Equivalent to: ovn-nbctl lrp-set-enabled, lrp-get-enabled,
// lrp-set-redirect-type, lrp-get-redirect-type
func TestRouterPortState(t *testing.T) {
	ctx, c := nbClient(t)
	if _, err := c.Transact(ctx, nb.AddRouter("lr0"), nb.AddRouterPort("lr0", "lrp0", "00:00:00:01:02:03", []string{"192.168.1.1/24"})); err != nil {
		t.Fatal(err)
	}
	state := func() (bool, string) {
		var on bool
		var typ string
		err := c.View(ctx, func(tx *ovsdb.Tx) error {
			var err error
			if on, err = nb.RouterPortEnabled(tx, "lrp0"); err != nil {
				return err
			}
			typ, err = nb.RedirectType(tx, "lrp0")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return on, typ
	}
	if on, typ := state(); !on || typ != nb.RedirectOverlay {
		t.Errorf("new port: enabled %v, redirect type %q; want true, overlay", on, typ)
	}
	if _, err := c.Transact(ctx, nb.SetRouterPortEnabled("lrp0", false), nb.SetRedirectType("lrp0", nb.RedirectBridged)); err != nil {
		t.Fatal(err)
	}
	if on, typ := state(); on || typ != nb.RedirectBridged {
		t.Errorf("after set: enabled %v, redirect type %q; want false, bridged", on, typ)
	}
	for _, tt := range []struct {
		cmd  ovsdb.Command
		want error
		msg  string
	}{
		{nb.SetRedirectType("lrp0", "tunnel"), ovsdb.ErrInvalid, "Invalid redirect type: tunnel"},
		{nb.SetRedirectType("nope", nb.RedirectBridged), ovsdb.ErrNotFound, "nope: port name not found"},
		{nb.SetRouterPortEnabled("nope", true), ovsdb.ErrNotFound, "nope: port name not found"},
	} {
		_, err := c.Transact(ctx, tt.cmd)
		var ne *nb.Error
		if !errors.Is(err, tt.want) || !errors.As(err, &ne) || ne.Msg != tt.msg {
			t.Errorf("err = %v, want %q matching %v", err, tt.msg, tt.want)
		}
	}
}
