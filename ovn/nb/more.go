package nb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"strings"
	"time"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// dhcpOptions finds DHCP options by UUID (the only way ovn-nbctl names
// them).
func dhcpOptions(tx *ovsdb.Tx, id string, mustExist bool) (*nbdb.DHCPOptions, error) {
	if uuidRE.MatchString(id) || strings.HasPrefix(id, newDHCPPrefix) {
		// A UUID, or the name of options this transaction creates.
		if !strings.HasPrefix(id, newDHCPPrefix) {
			id = strings.ToLower(id)
		}
		d, err := ovsdb.Get[nbdb.DHCPOptions](tx, id)
		if err == nil {
			return d, nil
		}
		if !errors.Is(err, ovsdb.ErrNotFound) {
			return nil, err
		}
	}
	if mustExist {
		return nil, errorf(ovsdb.ErrNotFound, "%s: dhcp options UUID not found", id)
	}
	return nil, nil
}

// validCIDR reports whether s is an IPv4 or IPv6 network ovn-nbctl takes.
func validCIDR(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		if a, err := netip.ParseAddr(s); err == nil {
			return netip.PrefixFrom(a, a.BitLen()), true
		}
		return netip.Prefix{}, false
	}
	return p, true
}

// NewDHCPOptions is DHCP options a transaction creates: the command that
// creates them, and how to name them before and after the commit.
type NewDHCPOptions struct {
	name, cidr string
	ext        map[string]string
}

// newDHCPPrefix begins the names of DHCP options a transaction creates.
const newDHCPPrefix = "new_dhcp_options_"

// CreateDHCPOptions returns the command that creates DHCP options for a
// network, with external IDs. Later commands of the same transaction
// name them by Ref (SetPortDHCPv4Options(port, d.Ref()),
// SetDHCPOptions(d.Ref(), ...)); UUID gives their UUID once committed.
// Equivalent to: ovn-nbctl dhcp-options-create CIDR [KEY=VALUE...]
func CreateDHCPOptions(cidr string, externalIDs map[string]string) *NewDHCPOptions {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return &NewDHCPOptions{name: newDHCPPrefix + hex.EncodeToString(b[:]), cidr: cidr, ext: maps.Clone(externalIDs)}
}

// Run creates the options.
func (d *NewDHCPOptions) Run(tx *ovsdb.Tx) error {
	if _, ok := validCIDR(d.cidr); !ok {
		return errorf(ovsdb.ErrInvalid, "Invalid cidr format '%s'", d.cidr)
	}
	ext := maps.Clone(d.ext)
	if ext == nil {
		ext = map[string]string{}
	}
	_, err := tx.Insert(&nbdb.DHCPOptions{UUID: d.name, CIDR: d.cidr, ExternalIDs: ext})
	return err
}

// Ref names the options in the commands that follow Run in the same
// transaction.
func (d *NewDHCPOptions) Ref() string { return d.name }

// UUID is the options' UUID, from the result of the transaction that
// created them ("" when it did not).
func (d *NewDHCPOptions) UUID(res *ovsdb.Result) string {
	if res == nil {
		return ""
	}
	return res.UUIDs[d.name]
}

// SetDHCPOptions replaces the options (lease_time=3600, router=...) of DHCP
// options.
// Equivalent to: ovn-nbctl dhcp-options-set-options UUID KEY=VALUE...
func SetDHCPOptions(id string, options map[string]string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		d, err := dhcpOptions(tx, id, true)
		if err != nil {
			return err
		}
		d.Options = map[string]string{}
		for k, v := range options {
			d.Options[k] = v
		}
		return tx.Update(d, "options")
	})
}

// DHCPOptionsOf returns the options of DHCP options.
// Equivalent to: ovn-nbctl dhcp-options-get-options UUID
func DHCPOptionsOf(tx *ovsdb.Tx, id string) (map[string]string, error) {
	d, err := dhcpOptions(tx, id, true)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range d.Options {
		out[k] = v
	}
	return out, nil
}

// DeleteDHCPOptions deletes DHCP options. Option: IfExists.
// Equivalent to: ovn-nbctl [--if-exists] dhcp-options-del UUID
func DeleteDHCPOptions(id string, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		d, err := dhcpOptions(tx, id, !o.ifExists)
		if err != nil || d == nil {
			return err
		}
		return tx.Delete(d)
	})
}

// ListDHCPOptions lists the DHCP options, by CIDR: Item.Name is the CIDR.
// Equivalent to: ovn-nbctl dhcp-options-list
func ListDHCPOptions(tx *ovsdb.Tx) ([]Item, error) {
	all, err := ovsdb.List[nbdb.DHCPOptions](tx)
	return sortedItems(all, func(d *nbdb.DHCPOptions) string { return d.CIDR }), err
}

// SetPortDHCPv4Options points a port at IPv4 DHCP options (an empty id is
// ErrInvalid: ClearPortDHCPv4Options clears them).
// Equivalent to: ovn-nbctl lsp-set-dhcpv4-options PORT UUID
func SetPortDHCPv4Options(port, id string) ovsdb.Command { return setPortDHCP(port, id, false, true) }

// ClearPortDHCPv4Options clears a port's IPv4 DHCP options.
// Equivalent to: ovn-nbctl lsp-set-dhcpv4-options PORT
func ClearPortDHCPv4Options(port string) ovsdb.Command { return setPortDHCP(port, "", false, false) }

// SetPortDHCPv6Options points a port at IPv6 DHCP options (an empty id is
// ErrInvalid: ClearPortDHCPv6Options clears them).
// Equivalent to: ovn-nbctl lsp-set-dhcpv6-options PORT UUID
func SetPortDHCPv6Options(port, id string) ovsdb.Command { return setPortDHCP(port, id, true, true) }

// ClearPortDHCPv6Options clears a port's IPv6 DHCP options.
// Equivalent to: ovn-nbctl lsp-set-dhcpv6-options PORT
func ClearPortDHCPv6Options(port string) ovsdb.Command { return setPortDHCP(port, "", true, false) }

// setPortDHCP sets (set) or clears a port's DHCP options of one family.
func setPortDHCP(port, id string, v6, set bool) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lsp, err := SwitchPort(tx, port)
		if err != nil {
			return err
		}
		if set && id == "" {
			return errorf(ovsdb.ErrInvalid, ": dhcp options UUID not found")
		}
		col, field := "dhcpv4_options", &lsp.DHCPv4Options
		if v6 {
			col, field = "dhcpv6_options", &lsp.DHCPv6Options
		}
		if !set {
			*field = nil
			return tx.Update(lsp, col)
		}
		d, err := dhcpOptions(tx, id, true)
		if err != nil {
			return err
		}
		if p, ok := validCIDR(d.CIDR); !ok || p.Addr().Is4() == v6 {
			family := "IPv4"
			if v6 {
				family = "IPv6"
			}
			return errorf(ovsdb.ErrInvalid, "DHCP options cidr '%s' is not %s", d.CIDR, family)
		}
		u := d.UUID
		*field = &u
		return tx.Update(lsp, col)
	})
}

// PortDHCPv4Options returns the IPv4 DHCP options of a port (Item.Name is
// their CIDR); ok is false when it has none.
// Equivalent to: ovn-nbctl lsp-get-dhcpv4-options PORT
func PortDHCPv4Options(tx *ovsdb.Tx, port string) (it Item, ok bool, err error) {
	return portDHCP(tx, port, false)
}

// PortDHCPv6Options returns the IPv6 DHCP options of a port (Item.Name is
// their CIDR); ok is false when it has none.
// Equivalent to: ovn-nbctl lsp-get-dhcpv6-options PORT
func PortDHCPv6Options(tx *ovsdb.Tx, port string) (it Item, ok bool, err error) {
	return portDHCP(tx, port, true)
}

func portDHCP(tx *ovsdb.Tx, port string, v6 bool) (it Item, ok bool, err error) {
	lsp, err := SwitchPort(tx, port)
	if err != nil {
		return Item{}, false, err
	}
	ref := lsp.DHCPv4Options
	if v6 {
		ref = lsp.DHCPv6Options
	}
	if ref == nil {
		return Item{}, false, nil
	}
	d, err := ovsdb.Get[nbdb.DHCPOptions](tx, *ref)
	if err != nil {
		return Item{}, false, err
	}
	return Item{d.UUID, d.CIDR}, true, nil
}

// Bumped is an increment of NB_Global's nb_cfg: a command that joins a
// transaction (Bump), then the wait for the configuration that
// transaction made to be applied (Wait). ovn-northd copies nb_cfg to
// sb_cfg once it has applied it to the Southbound database, and the
// chassis to hv_cfg once they have. A Bumped is for one transaction.
type Bumped struct {
	ran bool
	cfg int
}

// Bump returns the command that increments nb_cfg (creating NB_Global if
// the database has none); after the transaction commits, its Wait waits
// for that configuration.
// Equivalent to: the --wait of ovn-nbctl --wait=sb|hv
func Bump() *Bumped { return &Bumped{} }

// Run increments nb_cfg in the transaction. The value it reads is
// verified at commit, so that the one Wait waits for is the one this
// transaction wrote.
func (b *Bumped) Run(tx *ovsdb.Tx) error {
	g, err := global(tx)
	if err != nil {
		return err
	}
	if err := tx.Verify(g, "nb_cfg"); err != nil {
		return err
	}
	b.ran, b.cfg = true, g.NBCfg+1
	return tx.Mutate(g, ovsdb.Mutation{Column: "nb_cfg", Mutator: ovsdb.MutateAdd, Value: 1})
}

// WaitLevel is what Wait waits for.
type WaitLevel int

const (
	// WaitSB waits until ovn-northd has applied the configuration to the
	// Southbound database (sb_cfg).
	WaitSB WaitLevel = iota + 1
	// WaitHV waits until every chassis has applied it (hv_cfg).
	WaitHV
)

// ErrNotBumped is Wait's error when its Bump did not commit: nothing
// would tell when to stop waiting.
var ErrNotBumped = errors.New("nb: the transaction with this Bump did not commit")

// Applied is when the parts of OVN applied a configuration (NB_Global's
// timestamps, from the clocks of ovn-northd and the chassis).
type Applied struct {
	// Cfg is the configuration's number (nb_cfg).
	Cfg int
	// NB is when ovn-northd started on it; SB, when it had applied it
	// to the Southbound database; HV, when the chassis had all applied
	// it (zero unless Wait waited for WaitHV).
	NB, SB, HV time.Time
}

// Wait waits until the configuration b's transaction made has been
// applied at level (WaitHV: by ovn-northd and by every chassis). It fails
// at once with ErrNotBumped when the Bump was not in a transaction that
// committed through c.
// Equivalent to: ovn-nbctl --wait=sb|hv (after the commit)
func (b *Bumped) Wait(ctx context.Context, c *ovsdb.Client, level WaitLevel) (Applied, error) {
	if level != WaitSB && level != WaitHV {
		return Applied{}, fmt.Errorf("wait level %d: want WaitSB or WaitHV: %w", level, ovsdb.ErrInvalid)
	}
	var seen int
	err := c.View(ctx, func(tx *ovsdb.Tx) error {
		all, err := ovsdb.List[nbdb.NBGlobal](tx)
		if err == nil && len(all) > 0 {
			seen = all[0].NBCfg
		}
		return err
	})
	if err != nil {
		return Applied{}, err
	}
	// The client sees its own commits: a committed Bump shows.
	if !b.ran || seen < b.cfg {
		return Applied{}, ErrNotBumped
	}
	g, err := ovsdb.WaitUntil(ctx, c, func(g *nbdb.NBGlobal) bool {
		if level == WaitHV {
			return min(g.SBCfg, g.HVCfg) >= b.cfg
		}
		return g.SBCfg >= b.cfg
	})
	if err != nil {
		return Applied{}, fmt.Errorf("waiting for nb_cfg %d to be applied: %w", b.cfg, err)
	}
	a := Applied{Cfg: b.cfg, NB: time.UnixMilli(int64(g.NBCfgTimestamp)), SB: time.UnixMilli(int64(g.SBCfgTimestamp))}
	if level == WaitHV {
		a.HV = time.UnixMilli(int64(g.HVCfgTimestamp))
	}
	return a, nil
}

func quoted(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = `"` + v + `"`
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// Show describes the switches and routers as ovn-nbctl show does; id
// (optional) limits it to one switch or router.
// Equivalent to: ovn-nbctl show [SWITCH|ROUTER]
func Show(tx *ovsdb.Tx, id string) (string, error) {
	var b strings.Builder
	var switches []*nbdb.LogicalSwitch
	var routers []*nbdb.LogicalRouter
	if id != "" {
		ls, err := findSwitch(tx, id, false)
		if err != nil {
			return "", err
		}
		if ls != nil {
			switches = append(switches, ls)
		}
		lr, err := findRouter(tx, id, false)
		if err != nil {
			return "", err
		}
		if lr != nil {
			routers = append(routers, lr)
		}
	} else {
		var err error
		if switches, err = ovsdb.List[nbdb.LogicalSwitch](tx); err != nil {
			return "", err
		}
		if routers, err = ovsdb.List[nbdb.LogicalRouter](tx); err != nil {
			return "", err
		}
	}
	alias := func(m map[string]string, key string) string {
		if a := m[key]; a != "" {
			return " (aka " + a + ")"
		}
		return ""
	}
	for _, ls := range switches {
		fmt.Fprintf(&b, "switch %s (%s)%s\n", ls.UUID, ls.Name, alias(ls.ExternalIDs, "neutron:network_name"))
		ports, err := ls.PortsRows(tx)
		if err != nil {
			return "", err
		}
		for _, p := range ports {
			fmt.Fprintf(&b, "    port %s%s\n", p.Name, alias(p.ExternalIDs, "neutron:port_name"))
			if p.Type != "" {
				fmt.Fprintf(&b, "        type: %s\n", p.Type)
			}
			if p.ParentName != nil {
				fmt.Fprintf(&b, "        parent: %s\n", *p.ParentName)
			}
			if p.Tag != nil {
				fmt.Fprintf(&b, "        tag: %d\n", *p.Tag)
			}
			if len(p.Addresses) > 0 && !(len(p.Addresses) == 1 && p.Addresses[0] == "router") {
				fmt.Fprintf(&b, "        addresses: %s\n", quoted(p.Addresses))
			}
			if rp, ok := p.Options["router-port"]; ok {
				fmt.Fprintf(&b, "        router-port: %s\n", rp)
			}
		}
	}
	for _, lr := range routers {
		fmt.Fprintf(&b, "router %s (%s)%s\n", lr.UUID, lr.Name, alias(lr.ExternalIDs, "neutron:router_name"))
		ports, err := lr.PortsRows(tx)
		if err != nil {
			return "", err
		}
		for _, p := range ports {
			fmt.Fprintf(&b, "    port %s\n", p.Name)
			fmt.Fprintf(&b, "        mac: \"%s\"\n", p.MAC)
			if len(p.Networks) > 0 {
				fmt.Fprintf(&b, "        networks: %s\n", quoted(p.Networks))
			}
			if rt, ok := p.Options["route_table"]; ok {
				fmt.Fprintf(&b, "        route-table: %s\n", rt)
			}
			gcs, err := p.GatewayChassisRows(tx)
			if err != nil {
				return "", err
			}
			if len(gcs) > 0 {
				gcs, err = GatewayChassis(tx, p.UUID)
				if err != nil {
					return "", err
				}
				names := make([]string, len(gcs))
				for i, g := range gcs {
					names[i] = g.ChassisName
				}
				fmt.Fprintf(&b, "        gateway chassis: [%s]\n", strings.Join(names, " "))
			}
		}
		nats, err := lr.NATRows(tx)
		if err != nil {
			return "", err
		}
		for _, n := range nats {
			fmt.Fprintf(&b, "    nat %s\n", n.UUID)
			fmt.Fprintf(&b, "        external ip: \"%s\"\n", n.ExternalIP)
			if n.ExternalPortRange != "" {
				fmt.Fprintf(&b, "        external port(s): \"%s\"\n", n.ExternalPortRange)
			}
			fmt.Fprintf(&b, "        logical ip: \"%s\"\n", n.LogicalIP)
			fmt.Fprintf(&b, "        type: \"%s\"\n", n.Type)
		}
	}
	return b.String(), nil
}
