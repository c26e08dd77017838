package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/dbcmd"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/internal/vsctl"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

// invocation is a parsed command line: global options and the commands
// that were separated by "--".
type invocation struct {
	// prog names the tool in messages: "ovskit", or the C tool's name
	// ovskit runs under.
	prog   string
	db     string
	noWait bool
	dryRun bool
	// logOpts are the -v options given, for the console log.
	logOpts []string
	// retry: try to connect until the timeout (or for ever).
	retry bool
	// The files of an ssl: connection; bootstrap: the CA certificate is
	// learnt from the server the first time (--bootstrap-ca-cert).
	keyFile, certFile, caFile string
	bootstrap                 bool
	// oneline prints each command's output on one line (its newlines as
	// \n, backslashes doubled), an empty line for no output; tables
	// (list, find) print as they do without it.
	oneline bool
	timeout time.Duration
	style   dbcmd.Style
	help    bool
	version bool
	cmds    []*command
}

// command is one parsed command with its local options and its output.
type command struct {
	name string
	args []string
	opts map[string]string // "--may-exist" → "", "--id" → "@x"
	spec *cmdSpec
	out  strings.Builder
	// table output (list, find) prints with a blank line between tables.
	table *dbcmd.Table
	// created is the row name a create command inserted.
	created string
	// dot makes show print a Graphviz graph.
	dot bool
	// warnings are what the command logs, as ovs-vsctl logs it (module,
	// message), once the transaction commits.
	warnings [][2]string
	// last: the invocation's last command.
	last bool
}

// warn logs a warning of the command, as ovs-vsctl's module logs it.
func (c *command) warn(module, msg string) { c.warnings = append(c.warnings, [2]string{module, msg}) }

type cmdSpec struct {
	min, max int // argument counts; max < 0: unlimited
	options  string
	// run builds the command's work; it runs inside the transaction and
	// may run more than once.
	run func(c *command, tx *ovsdb.Tx) error
}

// exitError carries an exit status other than 1.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

var globalFlags = map[string]bool{"--db": true, "--no-wait": false, "--dry-run": false, "--timeout": true, "-t": true,
	"--bare": false, "--no-syslog": false, "--retry": false, "--oneline": false, "-v": false, "--verbose": false,
	"--format": true, "-f": true, "--data": true, "-d": true, "--no-headings": false, "--pretty": false,
	"--help": false, "-h": false, "--version": false, "-V": false,
	"--private-key": true, "-p": true, "--certificate": true, "-c": true, "--ca-cert": true, "-C": true,
	"--bootstrap-ca-cert": true}

// valueOptions are the commands' options that take a value.
var valueOptions = map[string]bool{"--id": true, "--columns": true, "--inactivity-probe": true}

// parse splits args as ovs-vsctl does: global options, then commands
// separated by "--", each preceded by its own options.
// splitCommands splits a command line on "--" into its commands' words.
func splitCommands(args []string) [][]string {
	var groups [][]string
	cur := []string{}
	for _, a := range args {
		if a == "--" {
			groups = append(groups, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, a)
	}
	return append(groups, cur)
}

func parse(args []string) (*invocation, error) {
	inv := &invocation{prog: progName}
	groups := splitCommands(args)
	for gi, g := range groups {
		if len(g) == 0 {
			continue // "-- --": an empty command, which ovs-vsctl skips
		}
		opts := map[string]string{}
		i := 0
		for ; i < len(g) && strings.HasPrefix(g[i], "-"); i++ {
			name, val, hasVal := strings.Cut(g[i], "=")
			if gi == 0 && isLogOption(g[i]) {
				inv.logOpts = append(inv.logOpts, g[i])
				continue
			}
			if takesValue, global := globalFlags[name]; global && gi == 0 {
				if takesValue && !hasVal {
					if i+1 >= len(g) {
						return nil, fmt.Errorf("option %s needs a value", name)
					}
					i++
					val = g[i]
				}
				if err := inv.setGlobal(name, val); err != nil {
					return nil, err
				}
				continue
			}
			if _, dup := opts[name]; dup {
				return nil, fmt.Errorf("'%s' option specified multiple times", name)
			}
			// Before the first command, ovs-vsctl reads options as
			// getopt does: one that takes a value may have it as the
			// next word.
			if gi == 0 && !hasVal && valueOptions[name] && i+1 < len(g) {
				i++
				val = g[i]
			}
			opts[name] = val
		}
		if i == len(g) {
			if len(opts) == 0 {
				continue // global options only, or "-- --"
			}
			return nil, errors.New("missing command name (use --help for help)")
		}
		c := &command{name: g[i], args: g[i+1:], opts: opts}
		spec, ok := commands[c.name]
		if !ok {
			return nil, fmt.Errorf("unknown command '%s'; use --help for help", c.name)
		}
		c.spec = spec
		if len(c.args) < spec.min {
			return nil, fmt.Errorf("'%s' command requires at least %d arguments", c.name, spec.min)
		}
		if spec.max >= 0 && len(c.args) > spec.max {
			return nil, fmt.Errorf("'%s' command takes at most %d arguments (note that options must precede command names and follow a \"--\" argument)", c.name, spec.max)
		}
		for o := range opts {
			if !slices.Contains(strings.Split(spec.options, ","), strings.TrimSuffix(o, "=")) {
				return nil, fmt.Errorf("'%s' command has no '%s' option", c.name, o)
			}
		}
		inv.cmds = append(inv.cmds, c)
	}
	if len(inv.cmds) > 0 {
		inv.cmds[len(inv.cmds)-1].last = true
	}
	if len(inv.cmds) == 0 && !inv.help && !inv.version {
		return nil, errors.New("missing command name (use --help for help)")
	}
	if inv.style.Format == "dot" {
		// A Graphviz picture of the switch: what show prints.
		for _, c := range inv.cmds {
			if c.name != "show" {
				return nil, fmt.Errorf("--format=dot is for show, not %s", c.name)
			}
			c.dot = true
		}
		return inv, nil
	}
	if err := dbcmd.CheckStyle(inv.style); err != nil {
		return nil, err
	}
	return inv, nil
}

// isLogOption says whether a is one of the C tools' logging options:
// -v[SPEC], --verbose[=SPEC], --log-file[=FILE], --no-syslog, --syslog-*.
func isLogOption(a string) bool {
	return isVlog(a) || strings.HasPrefix(a, "--log-file") || strings.HasPrefix(a, "--syslog-")
}

func (inv *invocation) setGlobal(name, val string) error {
	switch name {
	case "--db":
		inv.db = val
	case "--no-wait":
		inv.noWait = true
	case "--oneline":
		inv.oneline = true
	case "--retry":
		inv.retry = true
	case "--private-key", "-p":
		inv.keyFile = val
	case "--certificate", "-c":
		inv.certFile = val
	case "--ca-cert", "-C":
		inv.caFile, inv.bootstrap = val, false
	case "--bootstrap-ca-cert":
		inv.caFile, inv.bootstrap = val, true
	case "--dry-run":
		inv.dryRun = true
	case "--timeout", "-t":
		// An int, as ovs-vsctl parses it: larger is refused, not wrapped.
		n, err := strconv.ParseInt(val, 10, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("value %s on -t or --timeout is invalid", val)
		}
		inv.timeout = time.Duration(n) * time.Second
	case "--bare":
		inv.style = dbcmd.Style{Format: "list", Data: "bare", NoHeadings: true}
	case "--format", "-f":
		inv.style.Format = val
	case "--data", "-d":
		inv.style.Data = val
	case "--no-headings":
		inv.style.NoHeadings = true
	case "--pretty":
		inv.style.Pretty = true
	case "--help", "-h":
		inv.help = true
	case "--version", "-V":
		inv.version = true
	}
	return nil
}

// logger is the console log as the -v options set it.
func (inv *invocation) logger(stderr io.Writer) *vlog {
	lg := newVlog(inv.prog, stderr)
	for _, o := range inv.logOpts {
		if spec, ok := vlogSpec(o); ok {
			_ = lg.set(spec) // (what ovskit cannot read logs at the default)
		}
	}
	return lg
}

func (c *command) has(opt string) bool { _, ok := c.opts[opt]; return ok }

// execute runs the invocation's commands in one transaction and writes
// their output, as ovs-vsctl does.
// The caller bounds ctx (run applies --timeout to dialling and the
// transaction together).
func (inv *invocation) execute(ctx context.Context, client *ovsdb.Client, w, stderr io.Writer) error {
	cmds := make([]ovsdb.Command, 0, len(inv.cmds)+3)
	if inv.noWait {
		cmds = append(cmds, ovsdb.NoWait())
	}
	if inv.dryRun {
		cmds = append(cmds, ovsdb.DryRun())
	}
	for _, c := range inv.cmds {
		cmds = append(cmds, ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			c.out.Reset()
			c.table, c.created, c.warnings = nil, "", nil
			return c.spec.run(c, tx)
		}))
	}
	cmds = append(cmds, dbcmd.CheckIDs())
	var unreferenced []string
	cmds = append(cmds, ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		unreferenced = vsctl.SymbolsOf(tx).Unreferenced()
		return nil
	}))
	res, err := client.Transact(ctx, cmds...)
	ifErrs, onlyInterfaces := interfaceErrors(err)
	if err != nil && !onlyInterfaces {
		return err
	}
	lg := inv.logger(stderr)
	for _, c := range inv.cmds {
		for _, w := range c.warnings {
			lg.log(w[0], 3, w[1])
		}
	}
	for _, w := range unreferenced {
		lg.log("vsctl", 3, w)
	}
	first := true
	temp := map[string]string{}
	for _, c := range inv.cmds {
		if c.created != "" && res != nil {
			fmt.Fprintln(&c.out, res.UUID(c.created))
		}
		if c.table != nil && res != nil {
			// Rows this invocation inserted show as ovs-vsctl shows them
			// (its ovs-vsctl(8) BUGS): with a UUID of their own, the
			// same one in every cell, not the one they get.
			c.table.ResolveUUIDs(func(name string) (string, bool) {
				if _, ok := res.UUIDs[name]; !ok {
					return "", false
				}
				if temp[name] == "" {
					temp[name] = randomUUID()
				}
				return temp[name], true
			})
		}
		if inv.oneline && c.table == nil { // (tables print as they do without it)
			out := strings.TrimSuffix(c.out.String(), "\n")
			out = strings.NewReplacer("\\", "\\\\", "\n", "\\n").Replace(out)
			io.WriteString(w, out+"\n")
			continue
		}
		if c.table != nil {
			// A blank line between tables, except in HTML and JSON.
			if !first && inv.style.Format != "html" && inv.style.Format != "json" {
				fmt.Fprintln(w)
			}
			first = false
			io.WriteString(w, c.table.Format(inv.style))
			continue
		}
		io.WriteString(w, c.out.String())
	}
	// The transaction committed: like ovs-vsctl, warn about each interface
	// ovs-vswitchd could not set up, and succeed.
	for _, e := range ifErrs {
		if e.Cause == "" {
			fmt.Fprintf(stderr, "%s: Error detected while setting up '%s'.  See ovs-vswitchd log for details.\n", inv.prog, e.Name)
		} else {
			fmt.Fprintf(stderr, "%s: Error detected while setting up '%s': %s.  See ovs-vswitchd log for details.\n", inv.prog, e.Name, e.Cause)
		}
	}
	if len(ifErrs) > 0 {
		fmt.Fprintf(stderr, "%s: The default log directory is \"%s\".\n", inv.prog, logDir())
	}
	return nil
}

// progName prefixes messages on stderr, as ovs-vsctl prefixes its own,
// when ovskit runs under its own name.
const progName = "ovskit"

// logDir is Open vSwitch's log directory, as ovs-vsctl names it.
func logDir() string {
	if d := os.Getenv("OVS_LOGDIR"); d != "" {
		return d
	}
	return "/var/log/openvswitch"
}

// interfaceErrors returns the *ovsdb.InterfaceErrors in err, and whether
// err holds nothing else (so the transaction committed).
func interfaceErrors(err error) ([]*vswitchdb.InterfaceError, bool) {
	if err == nil {
		return nil, true
	}
	var out []*vswitchdb.InterfaceError
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var ie *vswitchdb.InterfaceError
		if !errors.As(e, &ie) {
			return nil, false
		}
		out = append(out, ie)
	}
	return out, true
}

func lines(c *command, items []string) {
	for _, s := range items {
		fmt.Fprintln(&c.out, s)
	}
}

func dbOpts(c *command) []dbcmd.Option {
	var o []dbcmd.Option
	if c.has("--if-exists") {
		o = append(o, dbcmd.IfExists())
	}
	if id, ok := c.opts["--id"]; ok {
		o = append(o, dbcmd.ID(id))
	}
	if c.has("--all") {
		o = append(o, dbcmd.All())
	}
	return o
}

func columnsOpt(c *command) []string {
	if v, ok := c.opts["--columns"]; ok {
		return []string{v}
	}
	return nil
}

// atoi is C's atoi: leading digits, else 0 (ovs-vsctl parses VLANs so).
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
		if n > 1<<31 {
			break
		}
	}
	if neg {
		return -n
	}
	return n
}

func probe(c *command) []bridge.ControllerOption {
	if v, ok := c.opts["--inactivity-probe"]; ok {
		return []bridge.ControllerOption{bridge.InactivityProbe(time.Duration(atoi(v)) * time.Millisecond)}
	}
	return nil
}

// splitSettings splits add-bond's arguments: interfaces, then the first
// argument with "=" and the rest are Port settings.
func splitSettings(args []string) (ifaces, settings []string) {
	for i, a := range args {
		if strings.Contains(a, "=") {
			return args[:i], args[i:]
		}
	}
	return args, nil
}

func portOpts(c *command, settings []string) []port.Option {
	o := []port.Option{port.UncheckedName()} // as ovs-vsctl: any name
	if c.has("--may-exist") {
		o = append(o, port.MayExist())
	}
	if c.has("--fake-iface") {
		o = append(o, port.FakeIface())
	}
	if len(settings) > 0 {
		o = append(o, port.Settings(settings...))
	}
	return o
}

func delOpts(c *command, bridgeName string) []port.DeleteOption {
	var o []port.DeleteOption
	if c.has("--if-exists") {
		o = append(o, port.IfExists())
	}
	if c.has("--with-iface") {
		o = append(o, port.ByIface())
	}
	if bridgeName != "" {
		o = append(o, port.FromBridge(bridgeName))
	}
	return o
}

// commands maps ovs-vsctl's command names to ovskit's API.
var commands = map[string]*cmdSpec{
	"init": {0, 0, "", func(c *command, tx *ovsdb.Tx) error { return vswitchdb.Init().Run(tx) }},
	"show": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		sw, err := bridge.Show(tx)
		if err != nil {
			return err
		}
		if c.dot {
			c.out.WriteString(sw.DOT())
		} else {
			c.out.WriteString(sw.String())
		}
		return nil
	}},
	"comment": {0, -1, "", func(c *command, tx *ovsdb.Tx) error {
		tx.Comment(strings.Join(c.args, " "))
		return nil
	}},
	"add-br": {1, 3, "--may-exist", func(c *command, tx *ovsdb.Tx) error {
		// Any name, as ovs-vsctl takes it (ovs-vswitchd reports one it
		// cannot use, and the command warns).
		o := []bridge.Option{bridge.UncheckedName()}
		if c.has("--may-exist") {
			o = append(o, bridge.MayExist())
		}
		switch len(c.args) {
		case 1:
			return bridge.Add(c.args[0], o...).Run(tx)
		case 3:
			return bridge.AddFake(c.args[0], c.args[1], atoi(c.args[2]), o...).Run(tx)
		}
		return fmt.Errorf("'add-br' command takes exactly 1 or 3 arguments: %w", ovsdb.ErrInvalid)
	}},
	"del-br": {1, 1, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
		var o []bridge.DeleteOption
		if c.has("--if-exists") {
			o = append(o, bridge.IfExists())
		}
		return bridge.Delete(c.args[0], o...).Run(tx)
	}},
	"list-br": {0, 0, "--real,--fake", func(c *command, tx *ovsdb.Tx) error {
		kind := bridge.All
		switch {
		case c.has("--real") && !c.has("--fake"):
			kind = bridge.Real
		case c.has("--fake") && !c.has("--real"):
			kind = bridge.Fake
		}
		names, err := bridge.List(tx, kind)
		lines(c, names)
		return err
	}},
	"br-exists": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		ok, err := bridge.Exists(tx, c.args[0])
		if err == nil && !ok {
			return &exitError{2, "no bridge named " + c.args[0]}
		}
		return err
	}},
	"br-to-vlan": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		v, err := bridge.ToVLAN(tx, c.args[0])
		fmt.Fprintf(&c.out, "%d\n", v)
		return err
	}},
	"br-to-parent": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		p, err := bridge.ToParent(tx, c.args[0])
		fmt.Fprintln(&c.out, p)
		return err
	}},
	"br-set-external-id": {2, 3, "", func(c *command, tx *ovsdb.Tx) error {
		if len(c.args) == 3 {
			return bridge.SetExternalID(c.args[0], c.args[1], c.args[2]).Run(tx)
		}
		return bridge.DelExternalID(c.args[0], c.args[1]).Run(tx)
	}},
	"br-get-external-id": {1, 2, "", func(c *command, tx *ovsdb.Tx) error {
		ids, err := bridge.ExternalIDs(tx, c.args[0])
		if err != nil {
			return err
		}
		if len(c.args) == 2 {
			if v, ok := ids[c.args[1]]; ok {
				fmt.Fprintln(&c.out, v)
			}
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(ids)) {
			fmt.Fprintf(&c.out, "%s=%s\n", k, ids[k])
		}
		return nil
	}},
	"list-ports": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		names, err := port.List(tx, c.args[0])
		lines(c, names)
		return err
	}},
	"add-port": {2, -1, "--may-exist", func(c *command, tx *ovsdb.Tx) error {
		return port.Add(c.args[0], c.args[1], portOpts(c, c.args[2:])...).Run(tx)
	}},
	"add-bond": {4, -1, "--may-exist,--fake-iface", func(c *command, tx *ovsdb.Tx) error {
		ifaces, settings := splitSettings(c.args[2:])
		return port.AddBond(c.args[0], c.args[1], ifaces, portOpts(c, settings)...).Run(tx)
	}},
	"add-bond-iface": {2, 2, "--may-exist", func(c *command, tx *ovsdb.Tx) error {
		return port.AddBondIface(c.args[0], c.args[1], portOpts(c, nil)...).Run(tx)
	}},
	"del-bond-iface": {1, 2, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
		bond := ""
		if len(c.args) == 2 {
			bond = c.args[0]
		}
		return port.DelBondIface(c.args[len(c.args)-1], delOpts(c, bond)...).Run(tx)
	}},
	"del-port": {1, 2, "--if-exists,--with-iface", func(c *command, tx *ovsdb.Tx) error {
		br := ""
		if len(c.args) == 2 {
			br = c.args[0]
		}
		return port.Delete(c.args[len(c.args)-1], delOpts(c, br)...).Run(tx)
	}},
	"port-to-br": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		b, err := port.ToBridge(tx, c.args[0])
		fmt.Fprintln(&c.out, b)
		return err
	}},
	"list-ifaces": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		names, err := iface.List(tx, c.args[0])
		lines(c, names)
		return err
	}},
	"iface-to-br": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		b, err := iface.ToBridge(tx, c.args[0])
		fmt.Fprintln(&c.out, b)
		return err
	}},
	"get-controller": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		t, err := bridge.Controllers(tx, c.args[0])
		lines(c, t)
		return err
	}},
	"del-controller": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		return bridge.DelController(c.args[0]).Run(tx)
	}},
	"set-controller": {2, -1, "--inactivity-probe", func(c *command, tx *ovsdb.Tx) error {
		return bridge.SetController(c.args[0], c.args[1:], probe(c)...).Run(tx)
	}},
	"get-fail-mode": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		m, err := bridge.GetFailMode(tx, c.args[0])
		if m != "" {
			fmt.Fprintln(&c.out, m)
		}
		return err
	}},
	"del-fail-mode": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		return bridge.DelFailMode(c.args[0]).Run(tx)
	}},
	"set-fail-mode": {2, 2, "", func(c *command, tx *ovsdb.Tx) error {
		return bridge.SetFailMode(c.args[0], vswitchdb.BridgeFailMode(c.args[1])).Run(tx)
	}},
	"emer-reset": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		return bridge.EmerReset().Run(tx)
	}},
	"add-aa-mapping": {3, 3, "", func(c *command, tx *ovsdb.Tx) error {
		return vsctl.AddAAMapping(tx, c.args[0], c.args[1], c.args[2])
	}},
	"del-aa-mapping": {3, 3, "", func(c *command, tx *ovsdb.Tx) error {
		return vsctl.DelAAMapping(tx, c.args[0], c.args[1], c.args[2])
	}},
	"get-aa-mapping": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		t, err := vsctl.GetAAMapping(tx, c.args[0])
		lines(c, t)
		return err
	}},
	"add-zone-tp": {3, -1, "--may-exist", func(c *command, tx *ovsdb.Tx) error {
		return vsctl.AddZoneTP(tx, c.args[0], c.args[1], c.args[2:], c.has("--may-exist"))
	}},
	"del-zone-tp": {2, 2, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
		return vsctl.DelZoneTP(tx, c.args[0], c.args[1], c.has("--if-exists"))
	}},
	"list-zone-tp": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		t, err := vsctl.ListZoneTP(tx, c.args[0])
		lines(c, t)
		return err
	}},
	"list-dp-cap": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		caps, err := vsctl.ListDPCap(tx, c.args[0])
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(caps)) {
			parts = append(parts, k+"="+caps[k])
		}
		fmt.Fprintln(&c.out, strings.Join(parts, " "))
		return err
	}},
	"get-manager": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		t, err := bridge.Managers(tx)
		lines(c, t)
		return err
	}},
	"del-manager": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		return bridge.DelManager().Run(tx)
	}},
	"set-manager": {1, -1, "--inactivity-probe", func(c *command, tx *ovsdb.Tx) error {
		return bridge.SetManager(c.args, probe(c)...).Run(tx)
	}},
	"get-ssl": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		s, err := bridge.GetSSL(tx)
		if err != nil || s == nil {
			return err
		}
		fmt.Fprintf(&c.out, "Private key: %s\nCertificate: %s\nCA Certificate: %s\nBootstrap: %t\n",
			s.PrivateKey, s.Certificate, s.CACert, s.Bootstrap)
		return nil
	}},
	"del-ssl": {0, 0, "", func(c *command, tx *ovsdb.Tx) error { return bridge.DelSSL().Run(tx) }},
	"set-ssl": {3, 3, "--bootstrap", func(c *command, tx *ovsdb.Tx) error {
		return bridge.SetSSL(bridge.SSL{PrivateKey: c.args[0], Certificate: c.args[1], CACert: c.args[2],
			Bootstrap: c.has("--bootstrap")}).Run(tx)
	}},
	"get": {2, -1, "--if-exists,--id", func(c *command, tx *ovsdb.Tx) error {
		vals, err := dbcmd.Get(tx, c.args[0], c.args[1], c.args[2:], dbOpts(c)...)
		lines(c, vals)
		return err
	}},
	"set": {3, -1, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
		return dbcmd.Set(c.args[0], c.args[1], c.args[2:], dbOpts(c)...).Run(tx)
	}},
	"add": {4, -1, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
		if c.last {
			// As ovs-vsctl writes its last command's add: a mutation.
			return vsctl.AddPartial(tx, c.args[0], c.args[1], c.args[2], c.args[3:], c.has("--if-exists"))
		}
		return dbcmd.Add(c.args[0], c.args[1], c.args[2], c.args[3:], dbOpts(c)...).Run(tx)
	}},
	"remove": {4, -1, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
		return dbcmd.Remove(c.args[0], c.args[1], c.args[2], c.args[3:], dbOpts(c)...).Run(tx)
	}},
	"clear": {3, -1, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
		return dbcmd.Clear(c.args[0], c.args[1], c.args[2:], dbOpts(c)...).Run(tx)
	}},
	"list": {1, -1, "--if-exists,--columns", func(c *command, tx *ovsdb.Tx) error {
		t, err := dbcmd.List(tx, c.args[0], c.args[1:], columnsOpt(c), dbOpts(c)...)
		c.table = t
		return err
	}},
	"find": {1, -1, "--columns", func(c *command, tx *ovsdb.Tx) error {
		t, err := dbcmd.Find(tx, c.args[0], c.args[1:], columnsOpt(c))
		c.table = t
		return err
	}},
	"create": {2, -1, "--id", func(c *command, tx *ovsdb.Tx) error {
		name, err := dbcmd.CreateRow(tx, c.args[0], c.args[1:], dbOpts(c)...)
		c.created = name
		if t, terr := vsctl.LookupTable(tx.Schema(), c.args[0]); err == nil && terr == nil && !c.has("--id") && !tx.Schema().IsRoot(t) {
			// Nothing will refer to the row: the server drops it.
			c.warn("db_ctl_base", fmt.Sprintf("applying \"create\" command to table %s without --id option will have no effect", t))
		}
		return err
	}},
	"destroy": {1, -1, "--if-exists,--all", func(c *command, tx *ovsdb.Tx) error {
		if !c.has("--all") && len(c.args) == 1 {
			c.warn("db_ctl_base", "either --all or records argument should be specified")
			return nil // ovs-vsctl only warns
		}
		return dbcmd.Destroy(c.args[0], c.args[1:], dbOpts(c)...).Run(tx)
	}},
	"wait-until": {2, -1, "", func(c *command, tx *ovsdb.Tx) error {
		return dbcmd.WaitUntil(c.args[0], c.args[1], c.args[2:]...).Run(tx)
	}},
}

// randomUUID is a random (version 4) UUID.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
