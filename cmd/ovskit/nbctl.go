package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// nbctlUsage is `ovskit nbctl --help`.
const nbctlUsage = `usage: ovskit nbctl [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...

Runs ovn-nbctl command lines on the OVN_Northbound database, through
package ovn/nb: all commands in one transaction.

Commands (ovn-nbctl 23.03's, with its options):
  init  sync  show [SWITCH|ROUTER]
  Switches:  ls-add [SWITCH]  ls-del SWITCH  ls-list
  Switch ports:  lsp-add SWITCH PORT [PARENT TAG]  lsp-del PORT  lsp-list SWITCH
    lsp-get-ls, lsp-set-/lsp-get-addresses, -port-security, -type, -enabled,
    -options, -dhcpv4-options, -dhcpv6-options; lsp-get-up, lsp-get-parent,
    lsp-get-tag; lsp-attach-mirror PORT MIRROR, lsp-detach-mirror PORT MIRROR
  ACLs:  acl-add {SWITCH|PG} DIRECTION PRIORITY MATCH ACTION  acl-del  acl-list
  QoS:  qos-add SWITCH DIRECTION PRIORITY MATCH [rate=R [burst=B]] [dscp=D]
    qos-del SWITCH [{DIRECTION [PRIORITY MATCH] | UUID}]  qos-list SWITCH
  Meters:  meter-add NAME ACTION RATE UNIT [BURST]  meter-del [NAME]  meter-list
  Mirrors:  mirror-add NAME TYPE INDEX FILTER IP  mirror-del [NAME]  mirror-list
  Routers:  lr-add [ROUTER]  lr-del ROUTER  lr-list
  Router ports:  lrp-add ROUTER PORT MAC NETWORK... [peer=PEER]  lrp-del PORT
    lrp-list ROUTER  lrp-set-/lrp-get-enabled, -redirect-type; lrp-set-options
    lrp-set-gateway-chassis PORT CHASSIS [PRIORITY]  lrp-del-gateway-chassis
    lrp-get-gateway-chassis PORT
  Routes:  lr-route-add ROUTER PREFIX NEXTHOP [PORT]  lr-route-del ROUTER
    [PREFIX [NEXTHOP [PORT]]]  lr-route-list ROUTER
  Policies:  lr-policy-add ROUTER PRIORITY MATCH ACTION [NEXTHOP] [KEY=VALUE...]
    lr-policy-del ROUTER [{PRIORITY | UUID} [MATCH]]  lr-policy-list ROUTER
  NAT:  lr-nat-add ROUTER TYPE EXTERNAL_IP LOGICAL_IP [PORT MAC] [PORT_RANGE]
    lr-nat-del ROUTER [TYPE [IP] [GATEWAY_PORT]]  lr-nat-list ROUTER
    lr-nat-update-ext-ip ROUTER TYPE IP ADDRESS_SET
  Load balancers:  lb-add LB VIP[:PORT] IP[:PORT]... [PROTOCOL [ipv4|ipv6]]
    lb-del LB [VIP]  lb-list [LB]  ls-lb-add/-del/-list  lr-lb-add/-del/-list
  Forwarding groups:  fwd-group-add GROUP SWITCH VIP VMAC PORT...
    fwd-group-del GROUP  fwd-group-list [SWITCH]
  Static MAC bindings:  static-mac-binding-add PORT IP MAC
    static-mac-binding-del PORT IP  static-mac-binding-list
  HA chassis groups:  ha-chassis-group-add/-del GROUP  ha-chassis-group-list
    ha-chassis-group-add-chassis GROUP CHASSIS PRIORITY
    ha-chassis-group-remove-chassis GROUP CHASSIS
    ha-chassis-group-set-chassis-prio GROUP CHASSIS PRIORITY
  Control plane protection:  copp-add NAME PROTO METER  copp-del NAME [PROTO]
    copp-list NAME  ls-copp-add NAME SWITCH  lr-copp-add NAME ROUTER
  Port groups:  pg-add PG [PORT...]  pg-set-ports PG PORT...  pg-del PG
  DHCP options:  dhcp-options-create CIDR [KEY=VALUE...]  dhcp-options-del UUID
    dhcp-options-set-options UUID KEY=VALUE...  dhcp-options-get-options UUID
    dhcp-options-list
  Connections and SSL:  set-connection TARGET...  get-connection
    del-connection  set-ssl KEY CERT CA-CERT [PROTOCOLS [CIPHERS]]  get-ssl
    del-ssl
  Database commands:  list, find, get, set, add, remove, clear, create,
    destroy, wait-until, comment (as ovs-vsctl's, on OVN_Northbound tables)

Options:
  --db=DATABASE        the database (default: $OVN_NB_DB, or
                       unix:$OVN_RUNDIR/ovnnb_db.sock, or
                       unix:/var/run/ovn/ovnnb_db.sock)
  -t, --timeout=SECS   give up after SECS seconds
  --wait=none|sb|hv    after committing, wait until ovn-northd (sb) or
                       every chassis (hv) has applied the change
  --print-wait-time    with --wait, print how long each part took
  --no-leader-only     allow a follower of a clustered database
  --no-shuffle-remotes try the database's remotes in the order given
  --dry-run            do not commit
  --oneline            one line of output per command
  -f, -d, --no-headings, --pretty, --bare   list and find output formats
  -p, -c, -C, --bootstrap-ca-cert           ssl: files
  --ssl-protocols=PROTOS, --ssl-ciphers=CIPHERS  ssl: TLS versions, TLS 1.2 suites
  -v, --verbose, --log-file, --syslog-*     the console log, as the C tools
Daemon mode, as ovn-nbctl's:
  --detach [--pidfile[=FILE]] [--overwrite-pidfile] [--no-chdir] [--log-file[=FILE]] [--unixctl=SOCKET]
      run in the background connected to the database for good, answering
      command lines on a control socket (its path is printed)
  OVN_NB_DAEMON=SOCKET, or --unixctl=SOCKET: send the line to that daemon
  OVN_NBCTL_OPTIONS: options that come before the line's own
`

// nbctlDefaultDB is ovn-nbctl's default database.
func nbctlDefaultDB() string {
	if db := os.Getenv("OVN_NB_DB"); db != "" {
		return db
	}
	return "unix:" + filepath.Join(ovnRundir(), "ovnnb_db.sock")
}

// nbctlTool is ovn-nbctl: its commands, through package ovn/nb, and the
// database commands on the OVN_Northbound tables.
var nbctlTool = &tool{
	name:       "ovn-nbctl",
	subcommand: "nbctl",
	module:     "nbctl",
	commands:   withDBCommands(nbctlAll()),
	globals: map[string]bool{"--wait": true, "--no-leader-only": false, "--leader-only": false,
		"--no-shuffle-remotes": false, "--shuffle-remotes": false, "--print-wait-time": false,
		// Daemon mode (ctldaemon.go).
		"--detach": false, "--monitor": false, "--pidfile": false, "--overwrite-pidfile": false, "--no-chdir": false, "--user": true,
		"--no-self-confinement": false, "--unixctl": true, "-u": true},
	badShortOption:   "unrecognized option '%s'",
	quoteValue:       true,
	ambiguousUnknown: true,
	onceFirst:        true,
	prepare:          nbPrepare,
	finish: func(ctx context.Context, inv *invocation, c *ovsdb.Client, w io.Writer) error {
		if inv.bump == nil {
			return nil
		}
		a, err := inv.bump.Wait(ctx, c, inv.wait)
		if err != nil || !inv.printWaitTime {
			return err
		}
		ms := func(t time.Time) int64 { return t.UnixMilli() - inv.start.UnixMilli() }
		fmt.Fprintf(w, "Time spent on processing nb_cfg %d:\n", a.Cfg)
		fmt.Fprintf(w, "\tovn-northd delay before processing:\t%dms\n", ms(a.NB))
		fmt.Fprintf(w, "\tovn-northd completion:\t\t\t%dms\n", ms(a.SB))
		if inv.wait == nb.WaitHV {
			fmt.Fprintf(w, "\tovn-controller(s) completion:\t\t%dms\n", ms(a.HV))
		}
		return nil
	},
	realUUIDs: true,
	usage:     nbctlUsage,
	version: func() string {
		return fmt.Sprintf("ovskit %s\nDB Schema %s\n", version(), nbdb.SchemaVersion)
	},
	defaultDB:  nbctlDefaultDB,
	database:   nbdb.Database,
	optionsEnv: "OVN_NBCTL_OPTIONS",
	daemonEnv:  "OVN_NB_DAEMON",
	rundir:     ovnRundir,
}

// nbPrepare is what every ovn-nbctl transaction does first: create
// NB_Global when there is none, and bump nb_cfg when the line waits
// (--wait=sb|hv; sync alone waits for nothing, as ovn-nbctl's).
func nbPrepare(inv *invocation) []ovsdb.Command {
	cmds := []ovsdb.Command{nb.EnsureGlobal()}
	if inv.wait != 0 && !inv.dryRun {
		inv.bump = nb.Bump()
		cmds = append(cmds, inv.bump)
	}
	return cmds
}

// write returns the spec of a command that writes through cmd.
func write(min, max int, options string, cmd func(c *command) (ovsdb.Command, error)) *cmdSpec {
	return &cmdSpec{min, max, options, func(c *command, tx *ovsdb.Tx) error {
		command, err := cmd(c)
		if err != nil {
			return err
		}
		return command.Run(tx)
	}}
}

// nbOptions are the command's --may-exist, --add-duplicate and
// --if-exists.
func nbOptions(c *command) []nb.Option {
	var o []nb.Option
	if c.has("--may-exist") {
		o = append(o, nb.MayExist())
	}
	if c.has("--add-duplicate") {
		o = append(o, nb.AddDuplicate())
	}
	if c.has("--if-exists") {
		o = append(o, nb.IfExists())
	}
	return o
}

// afterRouter is a command that fails with err once the router exists,
// as ovn-nbctl checks the router before its other arguments.
func afterRouter(router string, err error) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if _, e := nb.Router(tx, router); e != nil {
			return e
		}
		return err
	})
}

func (c *command) items(items []nb.Item, err error) error {
	for _, it := range items {
		fmt.Fprintln(&c.out, it)
	}
	return err
}

func (c *command) lines(lines []string, err error) error {
	for _, l := range lines {
		fmt.Fprintln(&c.out, l)
	}
	return err
}

var nbctlCommands = map[string]*cmdSpec{
	"ls-add": write(0, 1, "--may-exist,--add-duplicate", func(c *command) (ovsdb.Command, error) { return nb.AddSwitch(c.arg(0), nbOptions(c)...), nil }),
	"ls-del": write(1, 1, "--if-exists", func(c *command) (ovsdb.Command, error) { return nb.DeleteSwitch(c.arg(0), nbOptions(c)...), nil }),
	"ls-list": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		return c.items(nb.ListSwitches(tx))
	}},
	"lsp-add": write(2, 4, "--may-exist", func(c *command) (ovsdb.Command, error) {
		o := nbOptions(c)
		switch len(c.args) {
		case 3:
			return nil, &nb.Error{Msg: "lsp-add with parent must also specify a tag", Err: ovsdb.ErrInvalid}
		case 4:
			tag, err := strconv.Atoi(c.args[3])
			if err != nil || tag < 0 || tag > 4095 {
				return nil, &nb.Error{Msg: fmt.Sprintf("%s: invalid tag (must be in range 0 to 4095)", c.args[3]), Err: ovsdb.ErrInvalid}
			}
			o = append(o, nb.WithParent(c.args[2], tag))
		}
		return nb.AddSwitchPort(c.arg(0), c.arg(1), o...), nil
	}),
	"lsp-del": write(1, 1, "--if-exists", func(c *command) (ovsdb.Command, error) { return nb.DeleteSwitchPort(c.arg(0), nbOptions(c)...), nil }),
	"lsp-list": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		return c.items(nb.ListSwitchPorts(tx, c.arg(0)))
	}},
	"lsp-get-ls": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		it, err := nb.SwitchOfPort(tx, c.arg(0))
		if err == nil {
			fmt.Fprintln(&c.out, it)
		}
		return err
	}},
	"lsp-set-addresses": write(1, -1, "", func(c *command) (ovsdb.Command, error) {
		return nb.SetAddresses(c.arg(0), c.args[1:]...), nil
	}),
	"lsp-get-addresses": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		return c.lines(nb.Addresses(tx, c.arg(0)))
	}},
	"lsp-set-port-security": write(1, -1, "", func(c *command) (ovsdb.Command, error) {
		return nb.SetPortSecurity(c.arg(0), c.args[1:]...), nil
	}),
	"lsp-get-port-security": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		return c.lines(nb.PortSecurity(tx, c.arg(0)))
	}},
	"lsp-set-type": write(2, 2, "", func(c *command) (ovsdb.Command, error) { return nb.SetPortType(c.arg(0), c.arg(1)), nil }),
	"lsp-get-type": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		t, err := nb.PortType(tx, c.arg(0))
		if err == nil {
			fmt.Fprintln(&c.out, t)
		}
		return err
	}},
	"lsp-set-enabled": setEnabled(func(tx *ovsdb.Tx, id string) error { _, err := nb.SwitchPort(tx, id); return err }, nb.SetPortEnabled),
	"lsp-get-enabled": getEnabled(nb.PortEnabled),
	"lsp-set-options": write(1, -1, "", func(c *command) (ovsdb.Command, error) {
		return nb.SetPortOptions(c.arg(0), keyValues(c.args[1:])), nil
	}),
	"lsp-get-options": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		m, err := nb.PortOptions(tx, c.arg(0))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			fmt.Fprintf(&c.out, "%s=%s\n", k, m[k])
		}
		return err
	}},
	"lr-add": write(0, 1, "--may-exist,--add-duplicate", func(c *command) (ovsdb.Command, error) { return nb.AddRouter(c.arg(0), nbOptions(c)...), nil }),
	"lr-del": write(1, 1, "--if-exists", func(c *command) (ovsdb.Command, error) { return nb.DeleteRouter(c.arg(0), nbOptions(c)...), nil }),
	"lr-list": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		return c.items(nb.ListRouters(tx))
	}},
	"lrp-add": write(4, -1, "--may-exist", func(c *command) (ovsdb.Command, error) {
		o := nbOptions(c)
		var networks []string
		for _, a := range c.args[3:] {
			if p, ok := strings.CutPrefix(a, "peer="); ok {
				o = append(o, nb.WithPeer(p))
				continue
			}
			if strings.Contains(a, "=") {
				return nil, &nb.Error{Msg: fmt.Sprintf("%s: only peer= may follow the networks here", a), Err: ovsdb.ErrInvalid}
			}
			networks = append(networks, a)
		}
		return nb.AddRouterPort(c.arg(0), c.arg(1), c.arg(2), networks, o...), nil
	}),
	"lrp-del": write(1, 1, "--if-exists", func(c *command) (ovsdb.Command, error) { return nb.DeleteRouterPort(c.arg(0), nbOptions(c)...), nil }),
	"lrp-list": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		return c.items(nb.ListRouterPorts(tx, c.arg(0)))
	}},
	"lr-nat-add": write(4, 7, "--may-exist,--stateless,--portrange,--add-route,--gateway-port=", func(c *command) (ovsdb.Command, error) {
		n := nb.NAT{Type: c.arg(1), ExternalIP: c.arg(2), LogicalIP: c.arg(3),
			Stateless: c.has("--stateless"), AddRoute: c.has("--add-route"), GatewayPort: c.opts["--gateway-port"]}
		switch rest := c.args[4:]; {
		case len(rest) == 1:
			if !c.has("--portrange") {
				return nil, &nb.Error{Msg: "lr-nat-add with logical_port must also specify external_mac.", Err: ovsdb.ErrInvalid}
			}
			n.PortRange = rest[0]
		case len(rest) == 2 && c.has("--portrange") && c.arg(1) == nb.DNATAndSNAT:
			return nil, &nb.Error{Msg: "lr-nat-add with logical_port must also specify external_mac.", Err: ovsdb.ErrInvalid}
		case len(rest) >= 2 && rest[0] == "":
			// The library takes an empty port for "not distributed".
			return afterRouter(c.arg(0), &nb.Error{Msg: ": port name not found", Err: ovsdb.ErrInvalid}), nil
		case len(rest) >= 2:
			n.LogicalPort, n.ExternalMAC = rest[0], rest[1]
			if len(rest) == 3 {
				n.PortRange = rest[2]
			}
		}
		var o []nb.Option
		if c.has("--may-exist") {
			o = append(o, nb.MayExist())
		}
		return nb.AddNAT(c.arg(0), n, o...), nil
	}),
	"lr-nat-del": write(1, 4, "--if-exists", func(c *command) (ovsdb.Command, error) {
		// A missing argument means "all"; as ovn-nbctl, a third that is
		// no address or network is a gateway port.
		switch {
		case len(c.args) == 1:
			return nb.DeleteAllNATs(c.arg(0)), nil
		case len(c.args) == 2:
			return nb.DeleteNATs(c.arg(0), c.arg(1)), nil
		case len(c.args) == 3 && !isPrefix(c.arg(2)):
			return nb.DeleteGatewayNATs(c.arg(0), c.arg(1), c.arg(2)), nil
		case len(c.args) == 3:
			return nb.DeleteNAT(c.arg(0), c.arg(1), c.arg(2)), nil
		}
		return nb.DeleteGatewayNAT(c.arg(0), c.arg(1), c.arg(2), c.arg(3), nbOptions(c)...), nil
	}),
	"lr-nat-update-ext-ip": write(4, 4, "--is-exempted", func(c *command) (ovsdb.Command, error) {
		return nb.SetNATExternalIPs(c.arg(0), c.arg(1), c.arg(2), c.arg(3), c.has("--is-exempted")), nil
	}),
	"lr-nat-list": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		nats, err := nb.NATRules(tx, c.arg(0))
		if err != nil {
			return err
		}
		out, err := nb.FormatNATs(tx, nats)
		c.out.WriteString(out)
		return err
	}},
	"lr-route-add": write(3, 4, "--may-exist,--ecmp,--ecmp-symmetric-reply,--policy=,--route-table=,--bfd?", func(c *command) (ovsdb.Command, error) {
		r := nb.Route{Prefix: c.arg(1), NextHop: c.arg(2), OutputPort: c.arg(3), ECMP: c.has("--ecmp"),
			ECMPSymmetricReply: c.has("--ecmp-symmetric-reply"), RouteTable: c.opts["--route-table"],
			BFD: c.has("--bfd") && !c.valued["--bfd"], BFDSession: c.opts["--bfd"]}
		switch c.opts["--policy"] {
		case "", "dst-ip":
		case "src-ip":
			r.SourcePolicy = true
		default:
			return nil, &nb.Error{Msg: "bad policy: " + c.opts["--policy"], Err: ovsdb.ErrInvalid}
		}
		var o []nb.Option
		if c.has("--may-exist") {
			o = append(o, nb.MayExist())
		}
		return nb.AddRoute(c.arg(0), r, o...), nil
	}),
	"lr-route-del": write(1, 4, "--policy=,--if-exists,--route-table=", func(c *command) (ovsdb.Command, error) {
		f := nb.RouteFilter{Prefix: c.arg(1), NextHop: c.arg(2), OutputPort: c.arg(3), Policy: c.opts["--policy"], RouteTable: c.opts["--route-table"]}
		switch {
		case len(c.args) >= 2 && c.arg(1) == "":
			return afterRouter(c.arg(0), &nb.Error{Msg: "bad prefix argument: ", Err: ovsdb.ErrInvalid}), nil
		case len(c.args) >= 3 && c.arg(2) == "":
			return afterRouter(c.arg(0), &nb.Error{Msg: "bad nexthop argument: ", Err: ovsdb.ErrInvalid}), nil
		case len(c.args) == 1 && !c.has("--policy"):
			// Neither prefix nor policy: every route, of every table.
			return nb.DeleteAllRoutes(c.arg(0)), nil
		}
		return nb.DeleteRoutes(c.arg(0), f, nbOptions(c)...), nil
	}),
	"lr-route-list": {1, 1, "--route-table=", func(c *command, tx *ovsdb.Tx) error {
		routes, err := nb.Routes(tx, c.arg(0))
		if err != nil {
			return err
		}
		if table, ok := c.opts["--route-table"]; ok {
			routes = slices.DeleteFunc(routes, func(r *nbdb.LogicalRouterStaticRoute) bool { return r.RouteTable != table })
		}
		c.out.WriteString(nb.FormatRoutes(routes))
		return nil
	}},
	"acl-add": write(5, 5, "--may-exist,--type=,--log,--name=,--severity=,--meter=,--label=,--apply-after-lb", func(c *command) (ovsdb.Command, error) {
		prio, err := nb.ParsePriority(c.arg(2))
		if err != nil {
			return nil, err
		}
		a := nb.ACL{Direction: c.arg(1), Priority: prio, Match: c.arg(3), Action: c.arg(4), Log: c.has("--log"),
			Name: c.opts["--name"], Severity: c.opts["--severity"], Meter: c.opts["--meter"], ApplyAfterLB: c.has("--apply-after-lb")}
		if l, ok := c.opts["--label"]; ok {
			n, err := strconv.ParseInt(l, 10, 64)
			if err != nil || n < 0 || n > 4294967295 {
				return nil, &nb.Error{Msg: l + ": label must in range 0...4294967295", Err: ovsdb.ErrInvalid}
			}
			label := int(n)
			a.Label = &label
		}
		var o []nb.Option
		if c.has("--may-exist") {
			o = append(o, nb.MayExist())
		}
		return nb.AddACL(c.arg(0), c.opts["--type"], a, o...), nil
	}),
	"acl-del": write(1, 4, "--type=", func(c *command) (ovsdb.Command, error) {
		var prio *int
		if len(c.args) >= 3 {
			p, err := nb.ParsePriority(c.arg(2))
			if err != nil {
				return nil, err
			}
			if len(c.args) == 3 {
				return nil, &nb.Error{Msg: "cannot specify priority without match", Err: ovsdb.ErrInvalid}
			}
			prio = &p
		}
		if len(c.args) == 1 {
			return nb.DeleteAllACLs(c.arg(0), c.opts["--type"]), nil
		}
		return nb.DeleteACLs(c.arg(0), c.opts["--type"], c.arg(1), prio, c.arg(3)), nil
	}),
	"acl-list": {1, 1, "--type=", func(c *command, tx *ovsdb.Tx) error {
		acls, err := nb.ACLs(tx, c.arg(0), c.opts["--type"])
		if err != nil {
			return err
		}
		c.out.WriteString(nb.FormatACLs(acls))
		return nil
	}},
	"pg-add": write(1, -1, "", func(c *command) (ovsdb.Command, error) { return nb.AddPortGroup(c.arg(0), c.args[1:]...), nil }),
	"pg-set-ports": write(2, -1, "", func(c *command) (ovsdb.Command, error) {
		return nb.SetPortGroupPorts(c.arg(0), c.args[1:]...), nil
	}),
	"pg-del": write(1, 1, "", func(c *command) (ovsdb.Command, error) { return nb.DeletePortGroup(c.arg(0)), nil }),
	"lrp-set-gateway-chassis": write(2, 3, "", func(c *command) (ovsdb.Command, error) {
		prio := 0
		if len(c.args) == 3 {
			p, err := nb.ParsePriority(c.arg(2))
			if err != nil {
				return nil, err
			}
			prio = p
		}
		return nb.SetGatewayChassis(c.arg(0), c.arg(1), prio), nil
	}),
	"lrp-del-gateway-chassis": write(2, 2, "", func(c *command) (ovsdb.Command, error) {
		return nb.DeleteGatewayChassis(c.arg(0), c.arg(1)), nil
	}),
	"lrp-get-gateway-chassis": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		gcs, err := nb.GatewayChassis(tx, c.arg(0))
		if err != nil {
			return err
		}
		c.out.WriteString(nb.FormatGatewayChassis(gcs))
		return nil
	}},
	"lb-add": write(3, 5, "--may-exist,--add-duplicate,--add-route,--reject,--event,--template", func(c *command) (ovsdb.Command, error) {
		lb := nb.LoadBalancer{Name: c.arg(0), VIP: c.arg(1), Backends: []string{c.arg(2)}, Protocol: c.arg(3),
			Reject: c.has("--reject"), Event: c.has("--event"), AddRoute: c.has("--add-route"),
			Template: c.has("--template"), IPv6: len(c.args) > 4 && c.arg(4) != "ipv4"}
		return nb.AddLoadBalancer(lb, nbOptions(c)...), nil
	}),
	"lb-del": write(1, 2, "--if-exists", func(c *command) (ovsdb.Command, error) {
		if len(c.args) == 1 {
			return nb.DeleteLoadBalancer(c.arg(0), nbOptions(c)...), nil
		}
		return nb.DeleteLoadBalancerVIP(c.arg(0), c.arg(1), nbOptions(c)...), nil
	}),
	"lb-list": {0, 1, "", func(c *command, tx *ovsdb.Tx) error {
		lbs, err := nb.LoadBalancers(tx, c.arg(0))
		c.out.WriteString(nb.FormatLoadBalancers(lbs))
		return err
	}},
	"ls-lb-add": write(2, 2, "--may-exist", func(c *command) (ovsdb.Command, error) {
		return nb.AddSwitchLoadBalancer(c.arg(0), c.arg(1), nbOptions(c)...), nil
	}),
	"ls-lb-del": write(1, 2, "--if-exists", func(c *command) (ovsdb.Command, error) {
		if len(c.args) == 1 {
			return nb.ClearSwitchLoadBalancers(c.arg(0)), nil
		}
		return nb.DeleteSwitchLoadBalancer(c.arg(0), c.arg(1), nbOptions(c)...), nil
	}),
	"ls-lb-list": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		lbs, err := nb.SwitchLoadBalancers(tx, c.arg(0))
		c.out.WriteString(nb.FormatLoadBalancers(lbs))
		return err
	}},
	"lr-lb-add": write(2, 2, "--may-exist", func(c *command) (ovsdb.Command, error) {
		return nb.AddRouterLoadBalancer(c.arg(0), c.arg(1), nbOptions(c)...), nil
	}),
	"lr-lb-del": write(1, 2, "--if-exists", func(c *command) (ovsdb.Command, error) {
		if len(c.args) == 1 {
			return nb.ClearRouterLoadBalancers(c.arg(0)), nil
		}
		return nb.DeleteRouterLoadBalancer(c.arg(0), c.arg(1), nbOptions(c)...), nil
	}),
	"lr-lb-list": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		lbs, err := nb.RouterLoadBalancers(tx, c.arg(0))
		c.out.WriteString(nb.FormatLoadBalancers(lbs))
		return err
	}},
	// init creates NB_Global when there is none, which every
	// transaction of the line does (see execute): nothing more.
	"init": {0, 0, "", func(c *command, tx *ovsdb.Tx) error { return nil }},
	"sync": {0, 0, "", func(c *command, tx *ovsdb.Tx) error { return nil }},
	"show": {0, 1, "", func(c *command, tx *ovsdb.Tx) error {
		out, err := nb.Show(tx, c.arg(0))
		c.out.WriteString(out)
		return err
	}},
	"dhcp-options-create": write(1, -1, "", func(c *command) (ovsdb.Command, error) {
		return nb.CreateDHCPOptions(c.arg(0), keyValues(c.args[1:])), nil
	}),
	"dhcp-options-set-options": write(1, -1, "", func(c *command) (ovsdb.Command, error) {
		return nb.SetDHCPOptions(c.arg(0), keyValues(c.args[1:])), nil
	}),
	"dhcp-options-get-options": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		m, err := nb.DHCPOptionsOf(tx, c.arg(0))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			fmt.Fprintf(&c.out, "%s=%s\n", k, m[k])
		}
		return err
	}},
	"dhcp-options-del": write(1, 1, "", func(c *command) (ovsdb.Command, error) { return nb.DeleteDHCPOptions(c.arg(0)), nil }),
	"dhcp-options-list": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		items, err := nb.ListDHCPOptions(tx)
		for _, it := range items {
			fmt.Fprintln(&c.out, it.UUID)
		}
		return err
	}},
	"lsp-set-dhcpv4-options": setPortDHCP(nb.SetPortDHCPv4Options, nb.ClearPortDHCPv4Options),
	"lsp-get-dhcpv4-options": getPortDHCP(nb.PortDHCPv4Options),
}

// keyValues reads KEY=VALUE arguments; one without "=" is ignored, as
// ovn-nbctl ignores it.
func keyValues(args []string) map[string]string {
	m := map[string]string{}
	for _, kv := range args {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// runNbctl is `ovskit nbctl ...` (and ovskit run as ovn-nbctl), its
// messages prefixed with prog.
func runNbctl(prog string, args []string, stdout, stderr io.Writer) int {
	return runCtl(nbctlTool, prog, args, stdout, stderr)
}
