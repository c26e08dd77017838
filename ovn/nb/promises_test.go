package nb_test

// The core's promises through the ovn-nbctl commands: no empty argument
// deletes everything, a transaction that creates and deletes a row returns,
// another client's fresh commit is never taken for an absence, and a
// client that monitors some rows does not take an absence in its cache for
// one in the database.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// dump is every row of the tables the deletes below could touch, as
// text: equal dumps, unchanged database.
func dump(t *testing.T, ctx context.Context, c *ovsdb.Client) string {
	t.Helper()
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var out string
	err := c.View(ctx, func(tx *ovsdb.Tx) error {
		for _, table := range []string{nbdb.TableLogicalSwitch, nbdb.TableLogicalRouter, nbdb.TableLoadBalancer, nbdb.TableACL,
			nbdb.TableNAT, nbdb.TableLogicalRouterStaticRoute, nbdb.TableLogicalSwitchPort, nbdb.TablePortGroup} {
			rows, err := tx.Rows(table)
			if err != nil {
				return err
			}
			for _, r := range rows {
				b, err := json.Marshal(r)
				if err != nil {
					return err
				}
				out += table + " " + string(b) + "\n"
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEmptyNameDeletesNothing: an empty name where the commands take one
// is ErrInvalid and changes nothing; "all" is its own command.
func TestEmptyNameDeletesNothing(t *testing.T) {
	central := ovstest.NewCentral(t, ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := dial(t, ctx, central.NBEndpoint, nbdb.Database())
	prio := 100
	setup := []ovsdb.Command{
		nb.AddSwitch("ls0"), nb.AddRouter("lr0"), nb.AddSwitchPort("ls0", "p"),
		nb.AddLoadBalancer(nb.LoadBalancer{Name: "lb0", VIP: "10.0.0.10:80", Backends: []string{"10.0.0.2:80"}}),
		nb.AddSwitchLoadBalancer("ls0", "lb0"), nb.AddRouterLoadBalancer("lr0", "lb0"),
		nb.AddRoute("lr0", nb.Route{Prefix: "10.1.0.0/16", NextHop: "192.168.0.1"}),
		nb.AddNAT("lr0", nb.NAT{Type: nb.SNAT, ExternalIP: "203.0.113.1", LogicalIP: "10.0.0.0/24"}),
		nb.AddACL("ls0", "", nb.ACL{Direction: "to-lport", Priority: prio, Match: "ip", Action: "drop"}),
		nb.AddPortGroup("pg0"),
		nb.AddACL("pg0", "", nb.ACL{Direction: "to-lport", Priority: prio, Match: "ip", Action: "drop"}),
	}
	if _, err := c.Transact(ctx, setup...); err != nil {
		t.Fatal(err)
	}
	before := dump(t, ctx, c)
	for _, tt := range []struct {
		name string
		cmd  ovsdb.Command
	}{
		{"lb-del lb0 ''", nb.DeleteLoadBalancerVIP("lb0", "")},
		{"ls-lb-del ls0 ''", nb.DeleteSwitchLoadBalancer("ls0", "")},
		{"lr-lb-del lr0 ''", nb.DeleteRouterLoadBalancer("lr0", "")},
		{"lr-route-del lr0 (empty filter)", nb.DeleteRoutes("lr0", nb.RouteFilter{})},
		{"lr-nat-del lr0 ''", nb.DeleteNATs("lr0", "")},
		{"lr-nat-del lr0 snat ''", nb.DeleteNAT("lr0", nb.SNAT, "")},
		{"lr-nat-del lr0 '' ''", nb.DeleteNAT("lr0", "", "")},
		{"acl-del ls0 ''", nb.DeleteACLs("ls0", "", "", nil, "")},
		{"acl-del pg0 ''", nb.DeleteACLs("pg0", "", "", nil, "")},
		{"lsp-set-dhcpv4-options p ''", nb.SetPortDHCPv4Options("p", "")},
		{"lr-route-add lr0 10.2.0.0/16 ''", nb.AddRoute("lr0", nb.Route{Prefix: "10.2.0.0/16"})},
		{"lr-route-add lr0 '' 192.168.0.1", nb.AddRoute("lr0", nb.Route{NextHop: "192.168.0.1"})},
	} {
		_, err := c.Transact(ctx, tt.cmd)
		if !errors.Is(err, ovsdb.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tt.name, err)
		}
	}
	if after := dump(t, ctx, c); after != before {
		t.Errorf("the database changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// "All" said explicitly.
	if _, err := c.Transact(ctx, nb.ClearSwitchLoadBalancers("ls0"), nb.ClearRouterLoadBalancers("lr0"),
		nb.DeleteAllRoutes("lr0"), nb.DeleteAllNATs("lr0"), nb.DeleteAllACLs("ls0", ""), nb.DeleteAllACLs("pg0", ""),
		nb.DeleteLoadBalancer("lb0")); err != nil {
		t.Fatal(err)
	}
	err := c.View(ctx, func(tx *ovsdb.Tx) error {
		for _, table := range []string{nbdb.TableLoadBalancer, nbdb.TableACL, nbdb.TableNAT, nbdb.TableLogicalRouterStaticRoute} {
			rows, err := tx.Rows(table)
			if err != nil {
				return err
			}
			if len(rows) != 0 {
				t.Errorf("%d rows of %s left after deleting all", len(rows), table)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCreateAndDeleteInOneTransaction: a row created and deleted by one
// transaction never exists; the commit returns at once.
func TestCreateAndDeleteInOneTransaction(t *testing.T) {
	central := ovstest.NewCentral(t, ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := dial(t, ctx, central.NBEndpoint, nbdb.Database())
	for _, cmds := range [][]ovsdb.Command{
		{nb.AddSwitch("q1"), nb.DeleteSwitch("q1")},
		{nb.AddRouter("r9"), nb.DeleteRouter("r9")},
		{nb.AddSwitch("q2"), nb.AddSwitchPort("q2", "q2p"), nb.DeleteSwitch("q2")},
	} {
		opCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
		_, err := c.Transact(opCtx, cmds...)
		cancel()
		if err != nil {
			t.Errorf("%v", err)
		}
	}
}

// TestAbsenceConfirmedAcrossClientsNB: client A adds, client B at once
// deletes by name: B never reports the row absent.
func TestAbsenceConfirmedAcrossClientsNB(t *testing.T) {
	central := ovstest.NewCentral(t, ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a := dial(t, ctx, central.NBEndpoint, nbdb.Database())
	b := dial(t, ctx, central.NBEndpoint, nbdb.Database())
	if _, err := a.Transact(ctx, nb.AddSwitch("base"), nb.AddRouter("base-r"),
		nb.AddLoadBalancer(nb.LoadBalancer{Name: "lb", VIP: "10.0.0.10:80", Backends: []string{"10.0.0.2:80"}})); err != nil {
		t.Fatal(err)
	}
	pairs := 500
	if testing.Short() {
		pairs = 50
	}
	prefix := func(i int) string { return fmt.Sprintf("10.%d.%d.0/24", i/256, i%256) }
	prio := func(i int) *int { p := i % 32768; return &p }
	none := func(table string, keep func(ovsdb.Model) bool) func(tx *ovsdb.Tx, i int) (bool, error) {
		return func(tx *ovsdb.Tx, i int) (bool, error) {
			rows, err := tx.Rows(table)
			for _, r := range rows {
				if keep(r) {
					return false, err
				}
			}
			return true, err
		}
	}
	for _, tt := range []struct {
		name     string
		pairs    int
		add, del func(i int) ovsdb.Command
		// gone says whether B's command removed what A added (nil: its
		// error says).
		gone func(tx *ovsdb.Tx, i int) (bool, error)
	}{
		{"ls-del", pairs, func(i int) ovsdb.Command { return nb.AddSwitch(fmt.Sprint("s", i)) },
			func(i int) ovsdb.Command { return nb.DeleteSwitch(fmt.Sprint("s", i)) }, nil},
		{"lsp-del", pairs / 5, func(i int) ovsdb.Command { return nb.AddSwitchPort("base", fmt.Sprint("p", i)) },
			func(i int) ovsdb.Command { return nb.DeleteSwitchPort(fmt.Sprint("p", i)) }, nil},
		{"lr-del", pairs / 5, func(i int) ovsdb.Command { return nb.AddRouter(fmt.Sprint("r", i)) },
			func(i int) ovsdb.Command { return nb.DeleteRouter(fmt.Sprint("r", i)) }, nil},
		{"lrp-del", pairs / 5, func(i int) ovsdb.Command {
			return nb.AddRouterPort("base-r", fmt.Sprint("rp", i), "00:00:00:00:01:01", []string{"192.0.2.1/24"})
		}, func(i int) ovsdb.Command { return nb.DeleteRouterPort(fmt.Sprint("rp", i)) }, nil},
		{"pg-del", pairs / 5, func(i int) ovsdb.Command { return nb.AddPortGroup(fmt.Sprint("pg", i)) },
			func(i int) ovsdb.Command { return nb.DeletePortGroup(fmt.Sprint("pg", i)) }, nil},
		{"lb-del", pairs / 5, func(i int) ovsdb.Command {
			return nb.AddLoadBalancer(nb.LoadBalancer{Name: fmt.Sprint("lb", i), VIP: "10.0.0.10:80", Backends: []string{"10.0.0.2:80"}})
		}, func(i int) ovsdb.Command { return nb.DeleteLoadBalancer(fmt.Sprint("lb", i)) },
			none(nbdb.TableLoadBalancer, func(r ovsdb.Model) bool { return r.(*nbdb.LoadBalancer).Name != "lb" })},
		{"ls-lb-del", pairs / 5, func(int) ovsdb.Command { return nb.AddSwitchLoadBalancer("base", "lb") },
			func(int) ovsdb.Command { return nb.DeleteSwitchLoadBalancer("base", "lb") }, nil},
		{"lr-route-del", pairs / 5, func(i int) ovsdb.Command {
			return nb.AddRoute("base-r", nb.Route{Prefix: prefix(i), NextHop: "192.0.2.254"})
		},
			func(i int) ovsdb.Command { return nb.DeleteRoutes("base-r", nb.RouteFilter{Prefix: prefix(i)}) }, nil},
		{"lr-nat-del", pairs / 5, func(i int) ovsdb.Command {
			return nb.AddNAT("base-r", nb.NAT{Type: nb.SNAT, ExternalIP: "203.0.113.1", LogicalIP: prefix(i)})
		}, func(i int) ovsdb.Command { return nb.DeleteNAT("base-r", nb.SNAT, prefix(i)) },
			none(nbdb.TableNAT, func(ovsdb.Model) bool { return true })},
		{"acl-del", pairs / 5, func(i int) ovsdb.Command {
			return nb.AddACL("base", "", nb.ACL{Direction: "to-lport", Priority: *prio(i), Match: "ip", Action: "drop"})
		}, func(i int) ovsdb.Command { return nb.DeleteACLs("base", "", "to-lport", prio(i), "ip") },
			none(nbdb.TableACL, func(ovsdb.Model) bool { return true })},
		{"lsp-set-addresses", pairs / 5, func(i int) ovsdb.Command { return nb.AddSwitchPort("base", fmt.Sprint("q", i)) },
			func(i int) ovsdb.Command { return nb.SetAddresses(fmt.Sprint("q", i), "unknown") }, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := 0
			var first error
			for i := range tt.pairs {
				if _, err := a.Transact(ctx, tt.add(i)); err != nil {
					t.Fatal(err)
				}
				_, err := b.Transact(ctx, tt.del(i))
				if err != nil {
					if !errors.Is(err, ovsdb.ErrNotFound) {
						t.Fatal(err)
					}
					if first == nil {
						first = err
					}
					bad++
					continue
				}
				if tt.gone == nil {
					continue
				}
				if err := b.View(ctx, func(tx *ovsdb.Tx) error {
					ok, err := tt.gone(tx, i)
					if err == nil && !ok {
						bad++
					}
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("%s: %d false not-found in %d pairs", tt.name, bad, tt.pairs)
			if bad > 0 {
				t.Errorf("%d of %d: a row just added by another client taken for absent (first: %v)", bad, tt.pairs, first)
			}
		})
	}
	if _, err := b.Transact(ctx, nb.DeleteSwitch("nosuch")); !errors.Is(err, ovsdb.ErrNotFound) {
		t.Errorf("deleting a switch that does not exist: %v, want ErrNotFound", err)
	}
}

// TestFilteredClientAbsence: a client whose monitor keeps only some rows
// does not take a row outside them for absent: adding a switch or a port
// of a name that exists outside its view fails as it would for a client
// that sees everything.
func TestFilteredClientAbsence(t *testing.T) {
	central := ovstest.NewCentral(t, ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	full := dial(t, ctx, central.NBEndpoint, nbdb.Database())
	if _, err := full.Transact(ctx, nb.AddSwitch("a"), nb.AddSwitch("b"), nb.AddSwitchPort("b", "x")); err != nil {
		t.Fatal(err)
	}
	only := func(column string, value any) []ovsdb.Condition {
		return []ovsdb.Condition{{Column: column, Function: "==", Value: value}}
	}
	filtered, err := ovsdb.Dial(ctx, central.NBEndpoint, ovsdb.WithDatabase(nbdb.Database()),
		ovsdb.WithMonitor(
			ovsdb.Monitor{Table: nbdb.TableLogicalSwitch, Where: only("name", "a")},
			ovsdb.Monitor{Table: nbdb.TableLogicalSwitchPort, Where: only("name", "none")}))
	if err != nil {
		t.Fatal(err)
	}
	defer filtered.Close()
	for _, tt := range []struct {
		name string
		cmd  ovsdb.Command
	}{
		{"ls-add b", nb.AddSwitch("b")},
		{"lsp-add a x", nb.AddSwitchPort("a", "x")},
	} {
		opCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := filtered.Transact(opCtx, tt.cmd)
		cancel()
		if !errors.Is(err, ovsdb.ErrExists) {
			t.Errorf("%s through a filtered client: %v, want ErrExists", tt.name, err)
		}
	}
	if err := full.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var switches, ports int
	err = full.View(ctx, func(tx *ovsdb.Tx) error {
		ls, err := tx.Rows(nbdb.TableLogicalSwitch)
		switches = len(ls)
		if err != nil {
			return err
		}
		ps, err := tx.Rows(nbdb.TableLogicalSwitchPort)
		ports = len(ps)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if switches != 2 || ports != 1 {
		t.Errorf("%d switches and %d ports, want 2 and 1: a duplicate was made", switches, ports)
	}
	// A name free in the whole database is still added.
	if _, err := filtered.Transact(ctx, nb.AddSwitch("c")); err != nil {
		t.Errorf("ls-add c through a filtered client: %v", err)
	}
}

// TestConcurrentAddsMakeOne: clients add the same ACL, route and NAT rule
// at once (may-exist): the "no such rule yet" each decided on is verified,
// so exactly one of each is made.
func TestConcurrentAddsMakeOne(t *testing.T) {
	central := ovstest.NewCentral(t, ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := dial(t, ctx, central.NBEndpoint, nbdb.Database())
	if _, err := c.Transact(ctx, nb.AddSwitch("ls0"), nb.AddRouter("lr0")); err != nil {
		t.Fatal(err)
	}
	const clients, rounds = 8, 10
	clientsOf := make([]*ovsdb.Client, clients)
	for i := range clientsOf {
		clientsOf[i] = dial(t, ctx, central.NBEndpoint, nbdb.Database())
	}
	for r := range rounds {
		cmds := []ovsdb.Command{
			nb.AddACL("ls0", "", nb.ACL{Direction: "to-lport", Priority: 100 + r, Match: "ip", Action: "drop"}, nb.MayExist()),
			nb.AddRoute("lr0", nb.Route{Prefix: fmt.Sprintf("10.%d.0.0/16", r), NextHop: "192.168.0.1"}, nb.MayExist()),
			nb.AddNAT("lr0", nb.NAT{Type: nb.SNAT, ExternalIP: "203.0.113.1", LogicalIP: fmt.Sprintf("10.%d.0.0/16", r)}, nb.MayExist()),
		}
		errs := make(chan error, clients)
		for _, cl := range clientsOf {
			go func() {
				_, err := cl.Transact(ctx, cmds...)
				errs <- err
			}()
		}
		for range clients {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	err := c.View(ctx, func(tx *ovsdb.Tx) error {
		for _, table := range []string{nbdb.TableACL, nbdb.TableLogicalRouterStaticRoute, nbdb.TableNAT} {
			rows, err := tx.Rows(table)
			if err != nil {
				return err
			}
			if len(rows) != rounds {
				t.Errorf("%d rows of %s after %d rounds of %d concurrent adds of one, want %d", len(rows), table, rounds, clients, rounds)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentEnsureGlobal: clients (and ovn-northd, in a real central)
// create the NB_Global row when there is none, at once: its "none yet" is
// verified, so one is made and no transaction fails on the table's limit
// of one row.
func TestConcurrentEnsureGlobal(t *testing.T) {
	central := ovstest.NewCentral(t, ovstest.WithoutNorthd())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := dial(t, ctx, central.NBEndpoint, nbdb.Database())
	const clients, rounds = 8, 10
	clientsOf := make([]*ovsdb.Client, clients)
	for i := range clientsOf {
		clientsOf[i] = dial(t, ctx, central.NBEndpoint, nbdb.Database())
	}
	for r := range rounds {
		if _, err := c.Do(ctx, func(tx *ovsdb.Tx) error {
			all, err := ovsdb.List[nbdb.NBGlobal](tx)
			for _, g := range all {
				if err := tx.Delete(g); err != nil {
					return err
				}
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, clients)
		for i, cl := range clientsOf {
			go func() {
				_, err := cl.Transact(ctx, nb.EnsureGlobal(), nb.AddSwitch(fmt.Sprintf("g%d-%d", r, i)))
				errs <- err
			}()
		}
		for range clients {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", r, err)
			}
		}
	}
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.View(ctx, func(tx *ovsdb.Tx) error {
		all, err := tx.Rows(nbdb.TableNBGlobal)
		if err == nil && len(all) != 1 {
			t.Errorf("%d NB_Global rows", len(all))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
