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
	// GatewayPort is the distributed gateway port of the router the rule
	// applies on, by name: needed when the router has several and the
	// external IP is in none's networks.
	GatewayPort string
}

// isGatewayPort says whether a router port is a distributed gateway port
// (it has gateway chassis or an HA chassis group).
func isGatewayPort(p *nbdb.LogicalRouterPort) bool {
	return p.HAChassisGroup != nil || len(p.GatewayChassis) > 0
}

// inNetworks says whether ip (an address) is in one of the port's
// networks.
func inNetworks(p *nbdb.LogicalRouterPort, ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	for _, n := range p.Networks {
		if pfx, err := netip.ParsePrefix(n); err == nil && pfx.Contains(a) {
			return true
		}
	}
	return false
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

// validPortRange is ovn-nbctl's check of "LO" or "LO-HI": LO above 0,
// LO below HI, HI at most 65535, each read as strtol reads a number and
// the string split as strtok splits it on '-'.
func validPortRange(r string) bool {
	rest := r
	token := func() (string, bool) { // strtok_r(…, "-", …)
		rest = strings.TrimLeft(rest, "-")
		if rest == "" {
			return "", false
		}
		tok, after, found := strings.Cut(rest, "-")
		rest = after
		if !found {
			rest = ""
		}
		return tok, true
	}
	lo, ok := token()
	if !ok || strtol(lo) <= 0 {
		return false
	}
	if !strings.Contains(r, "-") {
		return true
	}
	hi, ok := token()
	if !ok || rest != "" {
		return false
	}
	h := strtol(hi)
	return strtol(lo) < h && h <= 65535
}

// strtol is C's strtol(s, NULL, 10): blanks, a sign, the digits that
// follow (0 when none; saturated on overflow).
func strtol(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > (1<<63-1)/10 {
			n = 1<<63 - 1
			break
		}
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// AddNAT adds a NAT rule to a router, with ovn-nbctl's validation and
// duplicate rules. Option: MayExist.
// Equivalent to: ovn-nbctl [--may-exist] [--stateless] [--portrange] [--add-route] [--gateway-port=PORT]
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
		var gw *nbdb.LogicalRouterPort // the rule's gateway port
		if n.GatewayPort != "" {
			if gw, err = RouterPort(tx, n.GatewayPort); err != nil {
				return err
			}
			mine := false
			for _, p := range ports {
				if isGatewayPort(p) {
					gateways++
				}
				mine = mine || p.UUID == gw.UUID
			}
			if !mine {
				return errorf(ovsdb.ErrInvalid, "%s is not a router port of logical router: %s.", n.GatewayPort, router)
			}
			if !isGatewayPort(gw) {
				return errorf(ovsdb.ErrInvalid, "%s is not a distributed gateway router port.", n.GatewayPort)
			}
		} else {
			for _, p := range ports {
				if isGatewayPort(p) {
					gateways++
					if inNetworks(p, newExt) {
						gw = p
					}
				}
			}
			if gateways > 1 && gw == nil {
				return errorf(ovsdb.ErrInvalid, "logical router: %s has multiple distributed gateway ports and gateway_port can not be determined from external IP of NAT rule.", router)
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
			sameGateway := gateways <= 1 || old.GatewayPort != nil && *old.GatewayPort == gw.UUID ||
				old.GatewayPort == nil && inNetworks(gw, oldExt)
			if n.Type == string(old.Type) && sameGateway {
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
		if n.GatewayPort != "" {
			u := gw.UUID
			row.GatewayPort = &u
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
	return deleteNATs(router, natFilter{typ: typ, ip: ip, byIP: true})
}

// DeleteNATs removes all of a router's NAT rules of a type.
// Equivalent to: ovn-nbctl lr-nat-del ROUTER TYPE
func DeleteNATs(router, typ string) ovsdb.Command { return deleteNATs(router, natFilter{typ: typ}) }

// DeleteAllNATs removes all of a router's NAT rules.
// Equivalent to: ovn-nbctl lr-nat-del ROUTER
func DeleteAllNATs(router string) ovsdb.Command { return deleteNATs(router, natFilter{all: true}) }

func checkNATType(typ string) error {
	if typ != SNAT && typ != DNAT && typ != DNATAndSNAT {
		return errorf(ovsdb.ErrInvalid, "%s: type must be one of \"dnat\", \"snat\" and \"dnat_and_snat\".", typ)
	}
	return nil
}

// DeleteGatewayNATs deletes a router's NAT rules of a type on a gateway
// port.
// Equivalent to: ovn-nbctl lr-nat-del ROUTER TYPE GATEWAY_PORT
func DeleteGatewayNATs(router, typ, gatewayPort string) ovsdb.Command {
	return deleteNATs(router, natFilter{typ: typ, port: &gatewayPort})
}

// DeleteGatewayNAT deletes the router's NAT rule of a type, IP (the
// logical IP of SNAT, else the external IP) and gateway port; none is
// ErrNotFound unless IfExists.
// Equivalent to: ovn-nbctl [--if-exists] lr-nat-del ROUTER TYPE IP GATEWAY_PORT
func DeleteGatewayNAT(router, typ, ip, gatewayPort string, options ...Option) ovsdb.Command {
	return deleteNATs(router, natFilter{typ: typ, ip: ip, byIP: true, port: &gatewayPort, one: true, options: options})
}

// natFilter selects NAT rules to delete.
type natFilter struct {
	typ, ip   string
	all, byIP bool
	port      *string // gateway port, by name
	one       bool    // the first that matches, which must exist
	options   []Option
}

func deleteNATs(router string, f natFilter) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(f.options)
		if err != nil {
			return err
		}
		lr, err := Router(tx, router)
		if err != nil {
			return err
		}
		if f.all {
			if err := tx.Verify(lr, "nat"); err != nil {
				return err
			}
			lr.NAT = nil
			return tx.Update(lr, "nat")
		}
		if err := checkNATType(f.typ); err != nil {
			return err
		}
		want := normalizedPrefix(f.ip)
		if f.byIP && want == "" {
			return errorf(ovsdb.ErrInvalid, "%s: Invalid IP address or CIDR", f.ip)
		}
		var gw string
		if f.port != nil {
			p, err := RouterPort(tx, *f.port)
			if err != nil {
				return err
			}
			gw = p.UUID
		}
		nats, err := lr.NATRows(tx)
		if err != nil {
			return err
		}
		var gone []string
		for _, n := range nats {
			if string(n.Type) != f.typ {
				continue
			}
			if f.byIP {
				key := n.ExternalIP
				if f.typ == SNAT {
					key = n.LogicalIP
				}
				if p := normalizedPrefix(key); p == "" || p != want {
					continue
				}
			}
			if f.port != nil && (n.GatewayPort == nil || *n.GatewayPort != gw) {
				continue
			}
			gone = append(gone, n.UUID)
			if f.one {
				break
			}
		}
		if len(gone) == 0 {
			if f.one && !o.ifExists {
				what := "external_ip"
				if f.typ == SNAT {
					what = "logical_ip"
				}
				return errorf(ovsdb.ErrNotFound, "no matching NAT with the type (%s), %s (%s) and gateway_port (%s)", f.typ, what, want, *f.port)
			}
			return nil
		}
		return tx.Mutate(lr, ovsdb.Mutation{Column: "nat", Mutator: ovsdb.MutateDelete, Value: gone})
	})
}

// SetNATExternalIPs restricts the rule of a router's NAT of a type and IP
// (the logical IP of SNAT, else the external IP) to the external
// addresses of an address set (exempted: all but those).
// Equivalent to: ovn-nbctl [--is-exempted] lr-nat-update-ext-ip ROUTER TYPE IP ADDRESS_SET
func SetNATExternalIPs(router, typ, ip, addressSet string, exempted bool) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lr, err := Router(tx, router)
		if err != nil {
			return err
		}
		if err := checkNATType(typ); err != nil {
			return err
		}
		as, err := byNameOrUUID[nbdb.AddressSet](tx, addressSet, true, "Address Set", "address sets")
		if err != nil {
			return err
		}
		want := normalizedPrefix(ip)
		if want == "" {
			return errorf(ovsdb.ErrInvalid, "%s: Invalid IP address or CIDR", ip)
		}
		nats, err := lr.NATRows(tx)
		if err != nil {
			return err
		}
		for _, n := range nats {
			key := n.ExternalIP
			if typ == SNAT {
				key = n.LogicalIP
			}
			if string(n.Type) != typ || normalizedPrefix(key) != want {
				continue
			}
			if err := tx.Verify(lr, "nat"); err != nil {
				return err
			}
			u := as.UUID
			if exempted {
				n.ExemptedExtIPs = &u
				return tx.Update(n, "exempted_ext_ips")
			}
			n.AllowedExtIPs = &u
			return tx.Update(n, "allowed_ext_ips")
		}
		return errorf(ovsdb.ErrNotFound, "%s: Could not locate nat rule for: %s.", typ, want)
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
