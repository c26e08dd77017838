package nb

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// NAT types.
const (
	SNAT        = "snat"
	DNAT        = "dnat"
	DNATAndSNAT = "dnat_and_snat"
)

// NAT is a NAT rule of a router, as lr-nat-add takes it.
type NAT struct {
	// Type is SNAT, DNAT or DNATAndSNAT.
	Type string
	// ExternalIP is the router's outside address.
	ExternalIP string
	// LogicalIP is the inside address (a network for SNAT).
	LogicalIP string
	// LogicalPort and ExternalMAC make a DNATAndSNAT rule distributed: it
	// is applied on the chassis of the port, with that MAC (a floating IP).
	LogicalPort, ExternalMAC string
	// PortRange limits the external ports ("1000-2000").
	PortRange string
	// Stateless makes a DNATAndSNAT rule stateless.
	Stateless bool
	// AddRoute has ovn-northd add a route for the external IP (not SNAT).
	AddRoute bool
}

// normalizePrefix prints a network as OVN does: the masked address, with
// its length unless the network is one address.
func normalizePrefix(p netip.Prefix) string {
	p = p.Masked()
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.String()
}

// parsePrefix reads an address or a network, IPv4 or IPv6.
func parsePrefix(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// normalizedPrefix is normalize_prefix_str: "" for a string that is not
// an address or network.
func normalizedPrefix(s string) string {
	p, ok := parsePrefix(s)
	if !ok {
		return ""
	}
	return normalizePrefix(p)
}

// validPortRange is ovn-nbctl's check of "LO" or "LO-HI" (1 to 65535).
func validPortRange(r string) bool {
	lo, hi, isRange := strings.Cut(r, "-")
	l, err := strconv.Atoi(lo)
	if err != nil || l <= 0 || l > 65535 {
		return false
	}
	if !isRange {
		return true
	}
	h, err := strconv.Atoi(hi)
	return err == nil && h > 0 && h <= 65535 && l <= h
}

// AddNAT adds a NAT rule to a router, with ovn-nbctl's validation and
// duplicate rules. Option: MayExist.
// Equivalent to: ovn-nbctl [--may-exist] [--stateless] [--portrange] [--add-route]
// lr-nat-add ROUTER TYPE EXTERNAL_IP LOGICAL_IP [LOGICAL_PORT EXTERNAL_MAC] [EXTERNAL_PORT_RANGE]
func AddNAT(router string, n NAT, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		lr, err := Router(tx, router)
		if err != nil {
			return err
		}
		if n.Type != SNAT && n.Type != DNAT && n.Type != DNATAndSNAT {
			return errorf(ovsdb.ErrInvalid, "%s: type must be one of \"dnat\", \"snat\" and \"dnat_and_snat\".", n.Type)
		}
		ext, err := netip.ParseAddr(n.ExternalIP)
		if err != nil || ext.Zone() != "" {
			return errorf(ovsdb.ErrInvalid, "%s: Not a valid IPv4 or IPv6 address.", n.ExternalIP)
		}
		family := "IPv4"
		if ext.Is6() {
			family = "IPv6"
		}
		newExt := ext.String()
		var newLogical string
		if n.Type != SNAT {
			a, err := netip.ParseAddr(n.LogicalIP)
			if err != nil || a.Is4() != ext.Is4() {
				return errorf(ovsdb.ErrInvalid, "%s: Not a valid %s address.", n.LogicalIP, family)
			}
			newLogical = a.String()
		} else {
			p, ok := parsePrefix(n.LogicalIP)
			if !ok || p.Addr().Is4() != ext.Is4() {
				return errorf(ovsdb.ErrInvalid, "%s: should be an %s address or network.", n.LogicalIP, family)
			}
			newLogical = normalizePrefix(p)
		}
		distributed := n.LogicalPort != "" || n.ExternalMAC != ""
		if distributed {
			if n.Type != DNATAndSNAT {
				return errorf(ovsdb.ErrInvalid, "logical_port and external_mac are only valid when type is \"dnat_and_snat\".")
			}
			if _, err := SwitchPort(tx, n.LogicalPort); err != nil {
				return err
			}
			if hw, err := net.ParseMAC(n.ExternalMAC); err != nil || len(hw) != 6 {
				return errorf(ovsdb.ErrInvalid, "invalid mac address %s.", n.ExternalMAC)
			}
		}
		if n.PortRange != "" && !validPortRange(n.PortRange) {
			return errorf(ovsdb.ErrInvalid, "invalid port range %s.", n.PortRange)
		}
		if n.Stateless && n.Type != DNATAndSNAT {
			return errorf(ovsdb.ErrInvalid, "stateless is not applicable to dnat or snat types")
		}
		if n.Type == SNAT && n.AddRoute {
			return errorf(ovsdb.ErrInvalid, "routes cannot be added for snat types.")
		}
		ports, err := lr.PortsRows(tx)
		if err != nil {
			return err
		}
		gateways := 0
		for _, p := range ports {
			if p.HAChassisGroup != nil || len(p.GatewayChassis) > 0 {
				gateways++
			}
		}
		nats, err := lr.NATRows(tx)
		if err != nil {
			return err
		}
		snat := n.Type == SNAT
		for _, old := range nats {
			oldExt, oldLog := normalizedPrefix(old.ExternalIP), normalizedPrefix(old.LogicalIP)
			if oldExt == "" || oldLog == "" {
				continue
			}
			if n.Type == string(old.Type) && gateways <= 1 {
				key, oldKey, other, oldOther := newExt, oldExt, newLogical, oldLog
				if snat {
					key, oldKey, other, oldOther = newLogical, oldLog, newExt, oldExt
				}
				if key == oldKey {
					if other != oldOther {
						what := "external_ip"
						if snat {
							what = "logical_ip"
						}
						return errorf(ovsdb.ErrExists, "a NAT with this type (%s), %s (%s) already exists", n.Type, what, key)
					}
					if !o.mayExist {
						return errorf(ovsdb.ErrExists, "%s, %s: a NAT with this external_ip and logical_ip already exists", newExt, newLogical)
					}
					old.LogicalPort, old.ExternalMAC = nil, nil
					if distributed {
						lp, mac := n.LogicalPort, n.ExternalMAC
						old.LogicalPort, old.ExternalMAC = &lp, &mac
					}
					if err := tx.Verify(old, "logical_port", "external_mac"); err != nil {
						return err
					}
					return tx.Update(old, "logical_port", "external_mac")
				}
			}
			if (n.Type == DNATAndSNAT || old.Type == nbdb.NATTypeDNATAndSNAT) && oldExt == newExt &&
				(old.Options["stateless"] == "true" || n.Stateless) {
				if !o.mayExist {
					return errorf(ovsdb.ErrExists, "%s, %s: External ip cannot be shared across stateless and stateful NATs", newExt, newLogical)
				}
				return nil
			}
		}
		row := &nbdb.NAT{Type: nbdb.NATType(n.Type), ExternalIP: n.ExternalIP, LogicalIP: newLogical, ExternalPortRange: n.PortRange,
			Options: map[string]string{"stateless": strconv.FormatBool(n.Stateless)}}
		if distributed {
			lp, mac := n.LogicalPort, n.ExternalMAC
			row.LogicalPort, row.ExternalMAC = &lp, &mac
		}
		if n.AddRoute {
			row.Options["add_route"] = "true"
		}
		// No rule of the same key: the commit verifies the set that
		// rests on.
		if err := tx.Verify(lr, "nat"); err != nil {
			return err
		}
		u, err := tx.Insert(row)
		if err != nil {
			return err
		}
		return tx.Mutate(lr, ovsdb.Mutation{Column: "nat", Mutator: ovsdb.MutateInsert, Value: []string{u}})
	})
}

// DeleteNAT removes a router's NAT rules of a type whose key address
// (the logical IP of SNAT, the external IP of the others) is ip. An empty
// type or ip is ErrInvalid: DeleteNATs removes all of a type,
// DeleteAllNATs all.
// Equivalent to: ovn-nbctl lr-nat-del ROUTER TYPE IP
func DeleteNAT(router, typ, ip string) ovsdb.Command {
	if ip == "" {
		return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			if _, err := Router(tx, router); err != nil {
				return err
			}
			if err := checkNATType(typ); err != nil {
				return err
			}
			return errorf(ovsdb.ErrInvalid, ": port name not found")
		})
	}
	return deleteNAT(router, typ, ip, false)
}

// DeleteNATs removes all of a router's NAT rules of a type.
// Equivalent to: ovn-nbctl lr-nat-del ROUTER TYPE
func DeleteNATs(router, typ string) ovsdb.Command { return deleteNAT(router, typ, "", false) }

// DeleteAllNATs removes all of a router's NAT rules.
// Equivalent to: ovn-nbctl lr-nat-del ROUTER
func DeleteAllNATs(router string) ovsdb.Command { return deleteNAT(router, "", "", true) }

func checkNATType(typ string) error {
	if typ != SNAT && typ != DNAT && typ != DNATAndSNAT {
		return errorf(ovsdb.ErrInvalid, "%s: type must be one of \"dnat\", \"snat\" and \"dnat_and_snat\".", typ)
	}
	return nil
}

func deleteNAT(router, typ, ip string, all bool) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lr, err := Router(tx, router)
		if err != nil {
			return err
		}
		if !all {
			if err := checkNATType(typ); err != nil {
				return err
			}
		}
		if all {
			lr.NAT = nil
			return tx.Update(lr, "nat")
		}
		nats, err := lr.NATRows(tx)
		if err != nil {
			return err
		}
		want := normalizedPrefix(ip)
		if ip != "" && want == "" {
			// ovn-nbctl 23.03 takes it for a gateway port's name.
			if _, err := RouterPort(tx, ip); err != nil {
				return err
			}
		}
		var gone []string
		for _, n := range nats {
			if string(n.Type) != typ {
				continue
			}
			if ip != "" {
				key := n.ExternalIP
				if typ == SNAT {
					key = n.LogicalIP
				}
				if want == "" || normalizedPrefix(key) != want {
					continue
				}
			}
			gone = append(gone, n.UUID)
		}
		if len(gone) == 0 {
			return nil
		}
		return tx.Mutate(lr, ovsdb.Mutation{Column: "nat", Mutator: ovsdb.MutateDelete, Value: gone})
	})
}

// NATRules returns a router's NAT rules.
func NATRules(tx *ovsdb.Tx, router string) ([]*nbdb.NAT, error) {
	lr, err := Router(tx, router)
	if err != nil {
		return nil, err
	}
	return lr.NATRows(tx)
}

// FormatNATs prints NAT rules as ovn-nbctl lr-nat-list's table.
// Equivalent to: ovn-nbctl lr-nat-list ROUTER
func FormatNATs(tx *ovsdb.Tx, nats []*nbdb.NAT) (string, error) {
	if len(nats) == 0 {
		return "", nil
	}
	type line struct{ key, value string }
	var lines []line
	for _, n := range nats {
		gw := ""
		if n.GatewayPort != nil {
			if p, err := ovsdb.Get[nbdb.LogicalRouterPort](tx, *n.GatewayPort); err == nil {
				gw = p.Name
			}
		}
		key := fmt.Sprintf("%-17.13s%-22.18s%s", n.Type, gw, n.ExternalIP)
		var value string
		if n.ExternalMAC != nil && n.LogicalPort != nil {
			value = fmt.Sprintf("%-17.13s%-20.16s%-21.17s%s", n.ExternalPortRange, n.LogicalIP, *n.ExternalMAC, *n.LogicalPort)
		} else {
			value = fmt.Sprintf("%-17.13s%s", n.ExternalPortRange, n.LogicalIP)
		}
		lines = append(lines, line{key, value})
	}
	slices.SortStableFunc(lines, func(a, b line) int { return strings.Compare(a.key, b.key) })
	var b strings.Builder
	fmt.Fprintf(&b, "%-17.13s%-22.18s%-19.15s%-17.13s%-20.16s%-21.17s%s\n",
		"TYPE", "GATEWAY_PORT", "EXTERNAL_IP", "EXTERNAL_PORT", "LOGICAL_IP", "EXTERNAL_MAC", "LOGICAL_PORT")
	for _, l := range lines {
		fmt.Fprintf(&b, "%-58.54s%s\n", l.key, l.value)
	}
	return b.String(), nil
}
