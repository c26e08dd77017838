package nb

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// dhcpOptions finds DHCP options by UUID (the only way ovn-nbctl names
// them).
func dhcpOptions(tx *ovsdb.Tx, id string, mustExist bool) (*nbdb.DHCPOptions, error) {
	if uuidRE.MatchString(id) {
		d, err := ovsdb.Get[nbdb.DHCPOptions](tx, strings.ToLower(id))
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

// CreateDHCPOptions creates DHCP options for a network, with external
// IDs; ListDHCPOptions finds them afterwards.
// Equivalent to: ovn-nbctl dhcp-options-create CIDR [KEY=VALUE...]
func CreateDHCPOptions(cidr string, externalIDs map[string]string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if _, ok := validCIDR(cidr); !ok {
			return errorf(ovsdb.ErrInvalid, "Invalid cidr format '%s'", cidr)
		}
		ext := map[string]string{}
		for k, v := range externalIDs {
			ext[k] = v
		}
		_, err := tx.Insert(&nbdb.DHCPOptions{CIDR: cidr, ExternalIDs: ext})
		return err
	})
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

// Bump increments NB_Global's nb_cfg, which ovn-northd copies to sb_cfg
// once it has applied the transaction and the chassis to hv_cfg: Wait
// waits for them. (It creates NB_Global if the database has none.)
// Equivalent to: the --wait of ovn-nbctl --wait=sb|hv
func Bump() ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if err := EnsureGlobal().Run(tx); err != nil {
			return err
		}
		all, err := ovsdb.List[nbdb.NBGlobal](tx)
		if err != nil {
			return err
		}
		return tx.Mutate(all[0], ovsdb.Mutation{Column: "nb_cfg", Mutator: ovsdb.MutateAdd, Value: 1})
	})
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

// Wait waits until the Northbound configuration the client sees (its
// nb_cfg, after a transaction with Bump) has been applied at level.
// Equivalent to: ovn-nbctl --wait=sb|hv (after the commit)
func Wait(ctx context.Context, c *ovsdb.Client, level WaitLevel) error {
	var want int
	err := c.View(ctx, func(tx *ovsdb.Tx) error {
		all, err := ovsdb.List[nbdb.NBGlobal](tx)
		if err == nil && len(all) > 0 {
			want = all[0].NBCfg
		}
		return err
	})
	if err != nil {
		return err
	}
	_, err = ovsdb.WaitUntil(ctx, c, func(g *nbdb.NBGlobal) bool {
		if level == WaitHV {
			return g.HVCfg >= want
		}
		return g.SBCfg >= want
	})
	if err != nil {
		return fmt.Errorf("waiting for nb_cfg %d to be applied: %w", want, err)
	}
	return nil
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
