package main

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// nbctlPortCommands are ovn-nbctl's commands on the state of switch and
// router ports.
var nbctlPortCommands = map[string]*cmdSpec{
	"lsp-get-up": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		up, err := nb.PortUp(tx, c.arg(0))
		if err == nil {
			fmt.Fprintln(&c.out, map[bool]string{true: "up", false: "down"}[up])
		}
		return err
	}},
	"lsp-get-parent": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		p, ok, err := nb.PortParent(tx, c.arg(0))
		if ok {
			fmt.Fprintln(&c.out, p)
		}
		return err
	}},
	"lsp-get-tag": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		tag, ok, err := nb.PortTag(tx, c.arg(0))
		if ok {
			fmt.Fprintln(&c.out, tag)
		}
		return err
	}},
	"lsp-set-dhcpv6-options": setPortDHCP(nb.SetPortDHCPv6Options, nb.ClearPortDHCPv6Options),
	"lsp-get-dhcpv6-options": getPortDHCP(nb.PortDHCPv6Options),
	"lrp-set-enabled":        setEnabled(func(tx *ovsdb.Tx, id string) error { _, err := nb.RouterPort(tx, id); return err }, nb.SetRouterPortEnabled),
	"lrp-get-enabled":        getEnabled(nb.RouterPortEnabled),
	"lrp-set-redirect-type": write(2, 2, "", func(c *command) (ovsdb.Command, error) {
		return nb.SetRedirectType(c.arg(0), c.arg(1)), nil
	}),
	"lrp-get-redirect-type": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		t, err := nb.RedirectType(tx, c.arg(0))
		if err == nil {
			fmt.Fprintln(&c.out, t)
		}
		return err
	}},
	"lrp-set-options": write(1, -1, "", func(c *command) (ovsdb.Command, error) {
		return nb.SetRouterPortOptions(c.arg(0), keyValues(c.args[1:])), nil
	}),
}

// nbctlAll are all of ovn-nbctl's own commands.
func nbctlAll() map[string]*cmdSpec {
	m := maps.Clone(nbctlCommands)
	for _, more := range []map[string]*cmdSpec{nbctlPortCommands, nbctlServerCommands, nbctlQoSCommands, nbctlPolicyCommands, nbctlGroupCommands, nbctlMirrorCommands, nbctlHACommands} {
		maps.Copy(m, more)
	}
	return m
}

// nbctlServerCommands are ovn-nbctl's commands on the server's remotes
// and SSL.
var nbctlServerCommands = map[string]*cmdSpec{
	"set-connection": {1, -1, "--inactivity-probe=", func(c *command, tx *ovsdb.Tx) error {
		conns := make([]nb.Connection, len(c.args))
		for i, t := range c.args {
			conns[i].Target = t
			if !validTarget(t) {
				c.warn("nbctl", fmt.Sprintf("target type \"%s\" is possibly erroneous", t))
			}
			if v, ok := c.opts["--inactivity-probe"]; ok {
				d := time.Duration(atoi(v)) * time.Millisecond
				conns[i].InactivityProbe = &d
			}
		}
		return nb.SetConnections(conns...).Run(tx)
	}},
	"get-connection": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		targets, err := nb.Connections(tx)
		lines(c, targets)
		return err
	}},
	"del-connection": write(0, 0, "", func(c *command) (ovsdb.Command, error) { return nb.DeleteConnections(), nil }),
	"set-ssl": write(3, 5, "--bootstrap", func(c *command) (ovsdb.Command, error) {
		return nb.SetSSL(nb.SSL{PrivateKey: c.arg(0), Certificate: c.arg(1), CACert: c.arg(2),
			Bootstrap: c.has("--bootstrap"), Protocols: c.arg(3), Ciphers: c.arg(4)}), nil
	}),
	"get-ssl": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		s, ok, err := nb.GetSSL(tx)
		if ok {
			fmt.Fprintf(&c.out, "Private key: %s\nCertificate: %s\nCA Certificate: %s\nBootstrap: %v\n",
				s.PrivateKey, s.Certificate, s.CACert, s.Bootstrap)
		}
		return err
	}},
	"del-ssl": write(0, 0, "", func(c *command) (ovsdb.Command, error) { return nb.DeleteSSL(), nil }),
}

// validTarget says whether t names an active or passive remote as Open
// vSwitch's streams do (tcp:, ssl:, unix:, ptcp:, pssl:, punix:).
func validTarget(t string) bool {
	for _, p := range []string{"tcp:", "ssl:", "unix:", "ptcp:", "pssl:", "punix:"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// scanInt reads an integer as ovs_scan's "%d" does: after blanks, an
// optional sign and digits; what follows is ignored.
func scanInt(s string) (int64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	digits := end
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == digits {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:end], 10, 64)
	return n, err == nil
}

// nbctlQoSCommands are ovn-nbctl's QoS rule and meter commands.
var nbctlQoSCommands = map[string]*cmdSpec{
	"qos-add": {5, 7, "--may-exist", func(c *command, tx *ovsdb.Tx) error {
		// ovn-nbctl's order: direction, priority, switch, then the rest.
		q := nb.QoS{Direction: c.arg(1), Match: c.arg(3)}
		if !strings.HasPrefix(q.Direction, "t") && !strings.HasPrefix(q.Direction, "f") {
			return nb.AddQoS(c.arg(0), q).Run(tx) // its direction error
		}
		prio, err := nb.ParsePriority(c.arg(2))
		if err != nil {
			return err
		}
		q.Priority = prio
		if _, err := nb.Switch(tx, c.arg(0)); err != nil {
			return err
		}
		for _, a := range c.args[4:] {
			k, v, _ := strings.Cut(a, "=")
			n, ok := scanInt(v)
			switch k {
			case "dscp":
				if !ok || n < 0 || n > 63 {
					return &nb.Error{Msg: v + ": dscp must be in the range 0...63", Err: ovsdb.ErrInvalid}
				}
				d := int(n)
				q.DSCP = &d
			case "rate", "burst":
				if !ok || n < 1 || n > 4294967295 {
					return &nb.Error{Msg: v + ": " + k + " must be in the range 1...4294967295", Err: ovsdb.ErrInvalid}
				}
				if k == "rate" {
					q.Rate = n
				} else {
					q.Burst = n
				}
			default:
				return &nb.Error{Msg: a + `: supported arguments are "dscp=", "rate=", and "burst="`, Err: ovsdb.ErrInvalid}
			}
		}
		return nb.AddQoS(c.arg(0), q, nbOptions(c)...).Run(tx)
	}},
	"qos-del": {1, 4, "", func(c *command, tx *ovsdb.Tx) error {
		if len(c.args) == 1 {
			return nb.DeleteQoS(c.arg(0), nb.QoSFilter{}).Run(tx)
		}
		if _, err := nb.Switch(tx, c.arg(0)); err != nil {
			return err
		}
		f := nb.QoSFilter{Direction: c.arg(1)}
		if ovsdb.IsUUID(c.arg(1)) {
			f = nb.QoSFilter{UUID: c.arg(1)}
		}
		if len(c.args) >= 3 {
			if f.UUID != "" {
				return &nb.Error{Msg: "uuid must be the only argument", Err: ovsdb.ErrInvalid}
			}
			prio, err := nb.ParsePriority(c.arg(2))
			if err != nil {
				return err
			}
			if len(c.args) == 3 {
				return &nb.Error{Msg: "cannot specify priority without match", Err: ovsdb.ErrInvalid}
			}
			f.Priority, f.Match = &prio, c.arg(3)
		}
		return nb.DeleteQoS(c.arg(0), f).Run(tx)
	}},
	"qos-list": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		rules, err := nb.QoSRules(tx, c.arg(0))
		for _, r := range rules {
			fmt.Fprintf(&c.out, "%10s %5d (%s)", r.Direction, r.Priority, r.Match)
			if v, ok := r.Bandwidth[nbdb.QoSBandwidthRate]; ok {
				fmt.Fprintf(&c.out, " rate=%d", v)
			}
			if v, ok := r.Bandwidth[nbdb.QoSBandwidthBurst]; ok {
				fmt.Fprintf(&c.out, " burst=%d", v)
			}
			if v, ok := r.Action[nbdb.QoSActionDSCP]; ok {
				fmt.Fprintf(&c.out, " dscp=%d", v)
			}
			c.out.WriteString("\n")
		}
		return err
	}},
	"meter-add": {4, 5, "--may-exist,--fair", func(c *command, tx *ovsdb.Tx) error {
		m := nb.Meter{Name: c.arg(0), Unit: c.arg(3), Bands: []nb.MeterBand{{Action: c.arg(1)}}}
		if c.has("--fair") {
			fair := true
			m.Fair = &fair
		}
		// An argument that is no number is out of the range, as
		// ovn-nbctl words it.
		if n, ok := scanInt(c.arg(2)); ok {
			m.Bands[0].Rate = n
		}
		if len(c.args) > 4 {
			m.Bands[0].Burst = -1
			if n, ok := scanInt(c.arg(4)); ok {
				m.Bands[0].Burst = n
			}
		}
		return nb.AddMeter(m, nbOptions(c)...).Run(tx)
	}},
	"meter-del": write(0, 1, "", func(c *command) (ovsdb.Command, error) {
		if len(c.args) == 0 {
			return nb.DeleteAllMeters(), nil
		}
		return nb.DeleteMeter(c.arg(0)), nil
	}),
	"meter-list": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		meters, err := nb.Meters(tx)
		for _, m := range meters {
			fmt.Fprintf(&c.out, "%s:", m.Name)
			if m.Fair != nil {
				fmt.Fprintf(&c.out, " (%s)", map[bool]string{true: "fair", false: "shared"}[*m.Fair])
			}
			c.out.WriteString(" bands:\n")
			for _, b := range m.Bands {
				fmt.Fprintf(&c.out, "  %s: %d %s", b.Action, b.Rate, m.Unit)
				if b.Burst != 0 {
					fmt.Fprintf(&c.out, ", %d %s burst", b.Burst, map[bool]string{true: "kb", false: "packet"}[m.Unit == "kbps"])
				}
			}
			c.out.WriteString("\n")
		}
		return err
	}},
}

// nbctlPolicyCommands are ovn-nbctl's routing policy commands.
var nbctlPolicyCommands = map[string]*cmdSpec{
	"lr-policy-add": {4, -1, "--may-exist", func(c *command, tx *ovsdb.Tx) error {
		// ovn-nbctl's order: the router, the priority, then the rest.
		if _, err := nb.Router(tx, c.arg(0)); err != nil {
			return err
		}
		prio, err := nb.ParsePriority(c.arg(1))
		if err != nil {
			return err
		}
		p := nb.Policy{Priority: prio, Match: c.arg(2), Action: c.arg(3), Options: map[string]string{}}
		rest := c.args[4:]
		if p.Action == "reroute" && len(rest) > 0 {
			p.NextHops = strings.Split(rest[0], ",")
			rest = rest[1:]
		}
		for _, kv := range rest {
			k, v, _ := strings.Cut(kv, "=")
			p.Options[k] = v
		}
		return nb.AddPolicy(c.arg(0), p, nbOptions(c)...).Run(tx)
	}},
	"lr-policy-del": {1, 3, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
		var f nb.PolicyFilter
		if len(c.args) >= 2 {
			if _, err := nb.Router(tx, c.arg(0)); err != nil {
				return err
			}
			if ovsdb.IsUUID(c.arg(1)) {
				f.UUID = c.arg(1)
			} else {
				prio, err := nb.ParsePriority(c.arg(1))
				if err != nil {
					return err
				}
				f.Priority = &prio
			}
			if len(c.args) == 3 {
				if f.UUID != "" {
					// ovn-nbctl looks for a policy of priority 0 then.
					zero := 0
					f = nb.PolicyFilter{Priority: &zero}
				}
				f.Match = c.arg(2)
			}
		}
		return nb.DeletePolicies(c.arg(0), f, nbOptions(c)...).Run(tx)
	}},
	"lr-policy-list": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		policies, err := nb.Policies(tx, c.arg(0))
		if len(policies) > 0 {
			c.out.WriteString("Routing Policies\n")
		}
		for _, p := range policies {
			fmt.Fprintf(&c.out, "%10d %50s %15s", p.Priority, p.Match, p.Action)
			for i, nh := range p.Nexthops {
				if i == 0 {
					fmt.Fprintf(&c.out, " %25s", normalizedNextHop(nh))
				} else {
					fmt.Fprintf(&c.out, ", %s", normalizedNextHop(nh))
				}
			}
			if len(p.Options) > 0 {
				fmt.Fprintf(&c.out, "%15s", "")
				var kv []string
				for _, k := range smapOrder(slices.Collect(maps.Keys(p.Options))) {
					kv = append(kv, k+"="+p.Options[k])
				}
				c.out.WriteString(strings.Join(kv, ","))
			}
			c.out.WriteString("\n")
		}
		return err
	}},
}

// normalizedNextHop is an address as ovn-nbctl prints it ("" for none).
func normalizedNextHop(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		if p = p.Masked(); p.IsSingleIP() {
			return p.Addr().String()
		}
		return p.String()
	}
	return ""
}

// nbctlGroupCommands are ovn-nbctl's forwarding group and static MAC
// binding commands.
var nbctlGroupCommands = map[string]*cmdSpec{
	"fwd-group-add": write(4, -1, "--liveness", func(c *command) (ovsdb.Command, error) {
		return nb.AddForwardingGroup(nb.ForwardingGroup{Name: c.arg(0), Switch: c.arg(1), VIP: c.arg(2), VMAC: c.arg(3),
			Ports: c.args[4:], Liveness: c.has("--liveness")}), nil
	}),
	"fwd-group-del": write(1, 1, "--if-exists", func(c *command) (ovsdb.Command, error) {
		return nb.DeleteForwardingGroup(c.arg(0)), nil
	}),
	"fwd-group-list": {0, 1, "", func(c *command, tx *ovsdb.Tx) error {
		groups, err := nb.ForwardingGroups(tx, c.arg(0))
		if err != nil {
			return err
		}
		fmt.Fprintf(&c.out, "%-16.16s%-14.16s%-16.7s%-22.21s%s\n", "FWD_GROUP", "LS", "VIP", "VMAC", "CHILD_PORTS")
		for _, g := range groups {
			fmt.Fprintf(&c.out, "%-16.16s%-14.18s%-15.16s%-9.18s     ", g.Name, g.Switch, g.VIP, g.VMAC)
			for _, p := range g.Ports {
				fmt.Fprintf(&c.out, " %s", p)
			}
			c.out.WriteString("\n")
		}
		return nil
	}},
	"static-mac-binding-add": write(3, 3, "--may-exist", func(c *command) (ovsdb.Command, error) {
		return nb.AddStaticMACBinding(nb.StaticMACBinding{Port: c.arg(0), IP: c.arg(1), MAC: c.arg(2)}, nbOptions(c)...), nil
	}),
	"static-mac-binding-del": write(2, 2, "--if-exists", func(c *command) (ovsdb.Command, error) {
		return nb.DeleteStaticMACBinding(c.arg(0), c.arg(1), nbOptions(c)...), nil
	}),
	"static-mac-binding-list": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		bindings, err := nb.StaticMACBindings(tx)
		if err != nil || len(bindings) == 0 {
			return err
		}
		// Sorted as printed: by the padded port and IP.
		key := func(b nb.StaticMACBinding) string { return fmt.Sprintf("%-25s%-25s", b.Port, b.IP) }
		slices.SortStableFunc(bindings, func(a, b nb.StaticMACBinding) int { return strings.Compare(key(a), key(b)) })
		fmt.Fprintf(&c.out, "%-25s%-25s%s\n", "LOGICAL_PORT", "IP", "MAC")
		for _, b := range bindings {
			fmt.Fprintf(&c.out, "%s%s\n", key(b), b.MAC)
		}
		return nil
	}},
}

// nbctlMirrorCommands are ovn-nbctl's port mirroring commands.
var nbctlMirrorCommands = map[string]*cmdSpec{
	"mirror-add": {5, 5, "--may-exist", func(c *command, tx *ovsdb.Tx) error {
		m := nb.Mirror{Name: c.arg(0), Type: c.arg(1), Filter: c.arg(3), Sink: c.arg(4)}
		// strtoll's: leading blanks and a sign, then all digits.
		index, err := strconv.ParseInt(strings.TrimLeft(c.arg(2), " \t\n\v\f\r"), 10, 64)
		if err != nil {
			// The name and type come first, as ovn-nbctl checks them.
			if err := nb.AddMirror(nb.Mirror{Name: m.Name, Type: m.Type, Filter: "?"}).Run(tx); !isSelectionError(err) {
				return err
			}
			return &nb.Error{Msg: "Invalid Index", Err: ovsdb.ErrInvalid}
		}
		m.Index = index
		return nb.AddMirror(m).Run(tx)
	}},
	"mirror-del": write(0, 1, "", func(c *command) (ovsdb.Command, error) {
		if len(c.args) == 0 {
			return nb.DeleteAllMirrors(), nil
		}
		return nb.DeleteMirror(c.arg(0)), nil
	}),
	"mirror-list": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		mirrors, err := nb.Mirrors(tx)
		for _, m := range mirrors {
			fmt.Fprintf(&c.out, "%s:\n  Type     :  %s\n  Sink     :  %s\n  Filter   :  %s\n  Index/Key:  %d\n\n", m.Name, m.Type, m.Sink, m.Filter, m.Index)
		}
		return err
	}},
	"lsp-attach-mirror": write(2, 2, "--may-exist", func(c *command) (ovsdb.Command, error) {
		return nb.AttachMirror(c.arg(0), c.arg(1), nbOptions(c)...), nil
	}),
	"lsp-detach-mirror": write(2, 2, "", func(c *command) (ovsdb.Command, error) {
		return nb.DetachMirror(c.arg(0), c.arg(1)), nil
	}),
}

// isSelectionError says whether err is mirror-add's refusal of its
// filter: what a mirror with a good name and type and no filter gets.
func isSelectionError(err error) bool {
	var e *nb.Error
	return errors.As(err, &e) && strings.HasSuffix(e.Msg, `: selection must be "to-lport" or "from-lport"`)
}

// isPrefix says whether s is an address or a network.
func isPrefix(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(s)
	return err == nil
}

// nbctlHACommands are ovn-nbctl's HA chassis group and CoPP commands.
var nbctlHACommands = map[string]*cmdSpec{
	"ha-chassis-group-add": write(1, 1, "", func(c *command) (ovsdb.Command, error) { return nb.AddHAChassisGroup(c.arg(0)), nil }),
	"ha-chassis-group-del": write(1, 1, "", func(c *command) (ovsdb.Command, error) { return nb.DeleteHAChassisGroup(c.arg(0)), nil }),
	"ha-chassis-group-list": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		groups, err := nb.HAChassisGroups(tx)
		for _, g := range groups {
			fmt.Fprintf(&c.out, "%s (%s)\n", g.UUID, g.Name)
			for _, m := range g.Chassis {
				fmt.Fprintf(&c.out, "    %s (%s)\n    priority %d\n\n", m.UUID, m.Name, m.Priority)
			}
			c.out.WriteString("\n")
		}
		return err
	}},
	"ha-chassis-group-add-chassis": {3, 3, "", func(c *command, tx *ovsdb.Tx) error {
		return haPriority(c, tx, nb.SetHAChassis)
	}},
	"ha-chassis-group-set-chassis-prio": {3, 3, "", func(c *command, tx *ovsdb.Tx) error {
		return haPriority(c, tx, nb.SetHAChassisPriority)
	}},
	"ha-chassis-group-remove-chassis": write(2, 2, "", func(c *command) (ovsdb.Command, error) {
		return nb.RemoveHAChassis(c.arg(0), c.arg(1)), nil
	}),
	"copp-add": write(3, 3, "", func(c *command) (ovsdb.Command, error) { return nb.AddCopp(c.arg(0), c.arg(1), c.arg(2)), nil }),
	"copp-del": write(1, 2, "", func(c *command) (ovsdb.Command, error) {
		if len(c.args) == 2 {
			return nb.DeleteCoppMeter(c.arg(0), c.arg(1)), nil
		}
		return nb.DeleteCopp(c.arg(0)), nil
	}),
	"copp-list": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		meters, err := nb.CoppMeters(tx, c.arg(0))
		for _, p := range smapOrder(slices.Collect(maps.Keys(meters))) {
			fmt.Fprintf(&c.out, "%s: %s\n", p, meters[p])
		}
		return err
	}},
	"ls-copp-add": write(2, 2, "", func(c *command) (ovsdb.Command, error) { return nb.SetSwitchCopp(c.arg(0), c.arg(1)), nil }),
	"lr-copp-add": write(2, 2, "", func(c *command) (ovsdb.Command, error) { return nb.SetRouterCopp(c.arg(0), c.arg(1)), nil }),
}

// haPriority runs a command on an HA chassis group's chassis with a
// priority: the group is looked up before the priority is read, as
// ovn-nbctl does.
func haPriority(c *command, tx *ovsdb.Tx, cmd func(group, chassis string, priority int) ovsdb.Command) error {
	if _, err := nb.FindHAChassisGroup(tx, c.arg(0)); err != nil {
		return err
	}
	prio, err := nb.ParsePriority(c.arg(2))
	if err != nil {
		return err
	}
	return cmd(c.arg(0), c.arg(1), prio).Run(tx)
}

// setEnabled is the spec of a PORT enabled|disabled command: the port is
// looked up before the state is read, as ovn-nbctl does.
func setEnabled(lookup func(tx *ovsdb.Tx, id string) error, set func(port string, on bool) ovsdb.Command) *cmdSpec {
	return &cmdSpec{2, 2, "", func(c *command, tx *ovsdb.Tx) error {
		if err := lookup(tx, c.arg(0)); err != nil {
			return err
		}
		on, err := nb.ParseEnabled(c.arg(1))
		if err != nil {
			return err
		}
		return set(c.arg(0), on).Run(tx)
	}}
}

// getEnabled is the spec of a PORT command that prints enabled or
// disabled.
func getEnabled(get func(tx *ovsdb.Tx, port string) (bool, error)) *cmdSpec {
	return &cmdSpec{1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		on, err := get(tx, c.arg(0))
		if err == nil {
			fmt.Fprintln(&c.out, map[bool]string{true: "enabled", false: "disabled"}[on])
		}
		return err
	}}
}

// setPortDHCP is the spec of lsp-set-dhcpv4-options or -dhcpv6-options:
// PORT [UUID], no UUID clearing them.
func setPortDHCP(set func(port, id string) ovsdb.Command, clear func(port string) ovsdb.Command) *cmdSpec {
	return write(1, 2, "", func(c *command) (ovsdb.Command, error) {
		if len(c.args) == 1 {
			return clear(c.arg(0)), nil
		}
		return set(c.arg(0), c.arg(1)), nil
	})
}

// getPortDHCP is the spec of lsp-get-dhcpv4-options or -dhcpv6-options.
func getPortDHCP(get func(tx *ovsdb.Tx, port string) (nb.Item, bool, error)) *cmdSpec {
	return &cmdSpec{1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		it, ok, err := get(tx, c.arg(0))
		if ok {
			fmt.Fprintln(&c.out, it)
		}
		return err
	}}
}
