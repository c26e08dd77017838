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
	bump := nb.Bump()
	if _, err := c.Transact(ctx, nb.AddSwitch("ls0"), nb.AddSwitchPort("ls0", "vm1"), nb.SetAddresses("vm1", "52:54:00:00:00:01 10.0.0.11"), bump); err != nil {
		t.Fatal(err)
	}
	applied, err := bump.Wait(ctx, c, nb.WaitSB)
	if err != nil {
		t.Fatal(err)
	}
	if applied.Cfg < 1 || applied.SB.Before(applied.NB) || applied.SB.IsZero() {
		t.Errorf("applied: %+v", applied)
	}
	if err := sb.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	err = sb.View(ctx, func(tx *ovsdb.Tx) error {
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

// TestWaitNeedsItsBump: a wait is for the configuration a Bump committed;
// one whose Bump never ran, or ran in a transaction that failed, fails at
// once instead of returning as if applied (on main, nb.Wait without a
// Bump returned nil at once and waited for nothing).
func TestWaitNeedsItsBump(t *testing.T) {
	central := ovstest.NewCentral(t, ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := dial(t, ctx, central.NBEndpoint, nbdb.Database())
	never := nb.Bump()
	if _, err := never.Wait(ctx, c, nb.WaitSB); !errors.Is(err, nb.ErrNotBumped) {
		t.Errorf("wait for a Bump never run: %v, want ErrNotBumped", err)
	}
	failed := nb.Bump()
	if _, err := c.Transact(ctx, failed, nb.DeleteSwitch("nosuch")); err == nil {
		t.Fatal("deleting a missing switch committed")
	}
	if _, err := failed.Wait(ctx, c, nb.WaitSB); !errors.Is(err, nb.ErrNotBumped) {
		t.Errorf("wait for a Bump whose transaction failed: %v, want ErrNotBumped", err)
	}
	// Without ovn-northd nothing applies it: the wait lasts until ctx ends.
	ok := nb.Bump()
	if _, err := c.Transact(ctx, ok); err != nil {
		t.Fatal(err)
	}
	short, stop := context.WithTimeout(ctx, 300*time.Millisecond)
	defer stop()
	if _, err := ok.Wait(short, c, nb.WaitSB); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait without ovn-northd: %v, want the deadline", err)
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

// TestLoadBalancerGroups: a switch's and a router's load balancers
// include those of their groups, listed as ovn-nbctl lists them; lb-add's
// errors are typed.
func TestLoadBalancerGroups(t *testing.T) {
	central := ovstest.NewCentral(t, ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := dial(t, ctx, central.NBEndpoint, nbdb.Database())
	_, err := c.Transact(ctx, nb.AddSwitch("ls0"), nb.AddRouter("lr0"),
		nb.AddLoadBalancer(nb.LoadBalancer{Name: "own", VIP: "10.0.0.10:80", Backends: []string{"10.0.0.11:80"}, Protocol: "udp"}),
		nb.AddLoadBalancer(nb.LoadBalancer{Name: "grouped", VIP: "10.0.0.20", Backends: []string{"10.0.0.21,10.0.0.22"}}),
		nb.AddSwitchLoadBalancer("ls0", "own"),
		ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			lb, err := nb.LB(tx, "grouped")
			if err != nil {
				return err
			}
			g, err := tx.Insert(&nbdb.LoadBalancerGroup{Name: "lbg", LoadBalancer: []string{lb.UUID}})
			if err != nil {
				return err
			}
			ls, err := nb.Switch(tx, "ls0")
			if err != nil {
				return err
			}
			if err := tx.Mutate(ls, ovsdb.Insert("load_balancer_group", []string{g})); err != nil {
				return err
			}
			lr, err := nb.Router(tx, "lr0")
			if err != nil {
				return err
			}
			return tx.Mutate(lr, ovsdb.Insert("load_balancer_group", []string{g}))
		}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		lbs, err := nb.SwitchLoadBalancers(tx, "ls0")
		if err != nil {
			return err
		}
		if len(lbs) != 2 || lbs[0].Name != "own" || lbs[1].Name != "grouped" {
			t.Errorf("ls0's load balancers: %v", lbs)
		}
		want := "UUID                                    LB                  PROTO      VIP             IPs\n" +
			lbs[1].UUID + "    grouped                        10.0.0.20       10.0.0.21,10.0.0.22\n" +
			lbs[0].UUID + "    own                 udp        10.0.0.10:80    10.0.0.11:80\n"
		if got := nb.FormatLoadBalancers(lbs); got != want {
			t.Errorf("ls-lb-list:\n%s\nwant:\n%s", got, want)
		}
		lbs, err = nb.RouterLoadBalancers(tx, "lr0")
		if len(lbs) != 1 || lbs[0].Name != "grouped" {
			t.Errorf("lr0's load balancers: %v", lbs)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		cmd  ovsdb.Command
		want error
		msg  string
	}{
		{nb.AddLoadBalancer(nb.LoadBalancer{Name: "own", VIP: "10.0.0.10:80", Backends: []string{"10.0.0.12:80"}}), ovsdb.ErrExists, "own: a load balancer with this vip (10.0.0.10:80) already exists"},
		{nb.AddLoadBalancer(nb.LoadBalancer{Name: "x", VIP: "10.0.0.300"}), ovsdb.ErrInvalid, "10.0.0.300: should be an IP address (or an IP address and a port number with : as a separator)."},
		{nb.AddLoadBalancer(nb.LoadBalancer{Name: "x", VIP: "10.0.0.1", Protocol: "udp"}), ovsdb.ErrInvalid, "Protocol is unnecessary when no port of vip is given."},
		{nb.AddSwitchLoadBalancer("ls0", "own"), ovsdb.ErrExists, ""},
		{nb.AddSwitchLoadBalancer("ls0", "nope"), ovsdb.ErrNotFound, "nope: load balancer name not found"},
		{nb.DeleteRouterLoadBalancer("lr0", "own"), ovsdb.ErrNotFound, "load balancer own is not part of any logical router."},
		{nb.DeleteLoadBalancerVIP("own", "10.9.9.9"), ovsdb.ErrNotFound, "vip 10.9.9.9 is not part of the load balancer."},
	} {
		_, err := c.Transact(ctx, tt.cmd)
		var ne *nb.Error
		if !errors.Is(err, tt.want) || !errors.As(err, &ne) || (tt.msg != "" && ne.Msg != tt.msg) {
			t.Errorf("err = %v, want %q matching %v", err, tt.msg, tt.want)
		}
	}
	// Deleting a load balancer removes it from the switch (a weak
	// reference).
	if _, err := c.Transact(ctx, nb.DeleteLoadBalancer("own")); err != nil {
		t.Fatal(err)
	}
	err = c.View(ctx, func(tx *ovsdb.Tx) error {
		ls, err := nb.Switch(tx, "ls0")
		if err == nil && len(ls.LoadBalancer) != 0 {
			t.Errorf("ls0 still refers to deleted load balancers: %v", ls.LoadBalancer)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
