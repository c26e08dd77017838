package nb

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// ForwardingGroup is a group of a switch's ports that share a virtual IP
// and MAC: traffic to them is spread over the ports (those alive, with
// Liveness).
type ForwardingGroup struct {
	Name string
	// Switch is the switch of the ports (by name).
	Switch string
	// VIP is an IPv4 address; VMAC an Ethernet address.
	VIP, VMAC string
	// Ports are the switch's ports, by name.
	Ports    []string
	Liveness bool
}

// AddForwardingGroup adds a forwarding group to the switch of its ports.
// Equivalent to: ovn-nbctl [--liveness] fwd-group-add GROUP SWITCH VIP VMAC PORT...
func AddForwardingGroup(g ForwardingGroup) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if len(g.Ports) == 0 {
			return errorf(ovsdb.ErrInvalid, "Usage : ovn-nbctl fwd-group-add group switch vip vmac child_ports...")
		}
		if old, err := forwardingGroup(tx, g.Name); err != nil {
			return err
		} else if old != nil {
			return errorf(ovsdb.ErrExists, "%s: a forwarding group by this name already exists", g.Name)
		}
		ls, err := Switch(tx, g.Switch)
		if err != nil {
			return err
		}
		if a, err := netip.ParseAddr(g.VIP); err != nil || !a.Is4() {
			return errorf(ovsdb.ErrInvalid, "invalid ip address %s", g.VIP)
		}
		if !validMAC(g.VMAC) {
			return errorf(ovsdb.ErrInvalid, "invalid mac address %s", g.VMAC)
		}
		for _, p := range g.Ports {
			lsp, err := portByNameOrUUID[nbdb.LogicalSwitchPort](tx, p, false)
			if err != nil {
				return err
			}
			if lsp == nil {
				return errorf(ovsdb.ErrNotFound, "%s: logical switch port does not exist", p)
			}
			in, err := switchOf(tx, lsp)
			if err != nil {
				return err
			}
			if in.Name != g.Switch {
				return errorf(ovsdb.ErrInvalid, "%s: port already exists but in logical switch %s", p, in.Name)
			}
		}
		// No group of the name: the commit verifies there still is none.
		if err := tx.VerifyNone(nbdb.TableForwardingGroup, "name", g.Name); err != nil {
			return err
		}
		u, err := tx.Insert(&nbdb.ForwardingGroup{Name: g.Name, Vip: g.VIP, Vmac: g.VMAC, ChildPort: slices.Clone(g.Ports), Liveness: g.Liveness})
		if err != nil {
			return err
		}
		return tx.Mutate(ls, ovsdb.Mutation{Column: "forwarding_groups", Mutator: ovsdb.MutateInsert, Value: []string{u}})
	})
}

// validMAC is eth_addr_from_string's check: six hex bytes separated by
// colons.
func validMAC(s string) bool {
	parts := strings.Split(s, ":")
	if len(parts) != 6 {
		return false
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 2 {
			return false
		}
		if _, err := strconv.ParseUint(p, 16, 8); err != nil {
			return false
		}
	}
	return true
}

// forwardingGroup finds a forwarding group by UUID or name; nil when none.
func forwardingGroup(tx *ovsdb.Tx, id string) (*nbdb.ForwardingGroup, error) {
	g, _, err := firstNamed(tx, id, func(g *nbdb.ForwardingGroup) string { return g.Name })
	return g, err
}

// groupSwitch is the switch of a forwarding group: that of its first
// port (nil when there is none).
func groupSwitch(tx *ovsdb.Tx, g *nbdb.ForwardingGroup) (*nbdb.LogicalSwitch, error) {
	if len(g.ChildPort) == 0 {
		return nil, nil
	}
	lsp, err := portByNameOrUUID[nbdb.LogicalSwitchPort](tx, g.ChildPort[0], false)
	if err != nil || lsp == nil {
		return nil, err
	}
	return switchOf(tx, lsp)
}

// DeleteForwardingGroup deletes a forwarding group; none of the name is
// not an error.
// Equivalent to: ovn-nbctl fwd-group-del GROUP
func DeleteForwardingGroup(id string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		g, err := forwardingGroup(tx, id)
		if err != nil || g == nil {
			return err
		}
		ls, err := groupSwitch(tx, g)
		if err != nil || ls == nil {
			return err
		}
		if err := tx.Mutate(ls, ovsdb.Mutation{Column: "forwarding_groups", Mutator: ovsdb.MutateDelete, Value: []string{g.UUID}}); err != nil {
			return err
		}
		return tx.Delete(g)
	})
}

// ForwardingGroups returns the forwarding groups (of a switch, or all
// with sw ""), by name.
// Equivalent to: ovn-nbctl fwd-group-list [SWITCH]
func ForwardingGroups(tx *ovsdb.Tx, sw string) ([]ForwardingGroup, error) {
	if sw != "" {
		if _, err := Switch(tx, sw); err != nil {
			return nil, err
		}
	}
	all, err := ovsdb.List[nbdb.ForwardingGroup](tx)
	if err != nil {
		return nil, err
	}
	var out []ForwardingGroup
	for _, g := range all {
		ls, err := groupSwitch(tx, g)
		if err != nil {
			return nil, err
		}
		if ls == nil || sw != "" && ls.Name != sw {
			continue
		}
		out = append(out, ForwardingGroup{Name: g.Name, Switch: ls.Name, VIP: g.Vip, VMAC: g.Vmac, Ports: slices.Clone(g.ChildPort), Liveness: g.Liveness})
	}
	slices.SortStableFunc(out, func(a, b ForwardingGroup) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}
