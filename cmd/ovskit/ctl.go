package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ovskit/ovskit/dbcmd"
	"github.com/ovskit/ovskit/internal/vsctl"
	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovsdb"
)

// This file is what ovs-vsctl and ovn-nbctl share (Open vSwitch's
// db-ctl-base): the command line (global options, commands separated by
// "--", each with its own options), the database commands (list, find,
// get, set, add, remove, clear, create, destroy, wait-until) on any of
// the tool's tables, one transaction for the line, and the output.

// tool is one of the C tools ovskit stands in for, as its command lines
// see it.
type tool struct {
	// name is the C tool's ("ovs-vsctl").
	name string
	// module names the tool's own log lines ("vsctl").
	module string
	// commands are the tool's commands, the database commands among them.
	commands map[string]*cmdSpec
	// globals are the global options of the tool's own, besides those
	// every tool takes (sharedGlobals): name → takes a value.
	globals map[string]bool
	// badShortOption is getopt's message for an unknown short option.
	badShortOption string
	// quoteValue: getopt's "doesn't allow an argument" names the option
	// with the value it was given; ambiguousUnknown: an ambiguous
	// abbreviation is reported as an unrecognized option; onceFirst: a
	// command option given twice before the first command is an error
	// too (all three ovn-nbctl's).
	quoteValue, ambiguousUnknown, onceFirst bool
	// prepare returns what runs in the transaction before the line's
	// commands; finish, what the tool does once the transaction has
	// committed (ovn-nbctl's --wait).
	prepare func(inv *invocation) []ovsdb.Command
	finish  func(ctx context.Context, inv *invocation, c *ovsdb.Client, w io.Writer) error
	// soft picks out of a commit's error what is only a warning, the
	// commit done (ovs-vsctl: an interface ovs-vswitchd could not set
	// up): the lines to print, and whether err held nothing else.
	soft func(inv *invocation, err error) ([]string, bool)
	// realUUIDs: rows the line inserted print, in the tool's own
	// commands' output, with the UUIDs they got (see execute).
	realUUIDs bool
	// dot: show can draw a Graphviz picture (--format=dot; ovs-vsctl's
	// show).
	dot bool
	// usage is --help's text; version, --version's.
	usage   string
	version func() string
	// defaultDB is the database when --db is not given.
	defaultDB func() string
	// database is the database the tool works on.
	database func() *ovsdb.DatabaseModel
	// subcommand is the word that makes ovskit this tool ("nbctl").
	subcommand string
	// optionsEnv names the environment variable whose options come
	// before the command line's (OVN_NBCTL_OPTIONS); daemonEnv, the one
	// that holds the control socket of the tool's daemon (OVN_NB_DAEMON:
	// ctldaemon.go), "" for a tool without a daemon mode; rundir is where
	// the daemon keeps its socket and pidfile.
	optionsEnv, daemonEnv string
	rundir                func() string
}

// invocation is a parsed command line: global options and the commands
// that were separated by "--".
type invocation struct {
	tool *tool
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
	// --ssl-protocols and --ssl-ciphers (sslSettings).
	sslProtocols, sslCiphers string
	// oneline prints each command's output on one line (its newlines as
	// \n, backslashes doubled), an empty line for no output; tables
	// (list, find) print as they do without it.
	oneline bool
	timeout time.Duration
	style   dbcmd.Style
	help    bool
	version bool
	// ovn-nbctl's: --wait=sb|hv (0: none), --no-leader-only,
	// --no-shuffle-remotes.
	wait                   nb.WaitLevel
	followerReads, noShuff bool
	// bump is the line's nb_cfg increment, when it waits;
	// printWaitTime prints how long each part of OVN took to apply it,
	// from start (when the line began).
	bump          *nb.Bumped
	printWaitTime bool
	start         time.Time
	// daemon: ovn-nbctl's daemon mode.
	daemon daemonOptions
	// log, when set, is where the line's warnings go (a daemon's log)
	// instead of the console.
	log  *vlog
	cmds []*command
}

// command is one parsed command with its local options and its output.
type command struct {
	name string
	args []string
	opts map[string]string // "--may-exist" → "", "--id" → "@x"
	// valued are the options given with a value ("--id=@x").
	valued map[string]bool
	spec   *cmdSpec
	out    strings.Builder
	// table output (list, find) prints with a blank line between tables.
	table *dbcmd.Table
	// created is the row name a create command inserted.
	created string
	// dot makes show print a Graphviz graph.
	dot bool
	// warnings are what the command logs, as the C tool's module logs it
	// (module, message), once the transaction commits.
	warnings [][2]string
	// last: the invocation's last command.
	last bool
}

// warn logs a warning of the command, as the C tool's module logs it.
func (c *command) warn(module, msg string) { c.warnings = append(c.warnings, [2]string{module, msg}) }

func (c *command) has(opt string) bool { _, ok := c.opts[opt]; return ok }

// arg is the command's i-th argument, "" when it has fewer.
func (c *command) arg(i int) string {
	if i < len(c.args) {
		return c.args[i]
	}
	return ""
}

// cmdSpec is a command's syntax and what it does.
type cmdSpec struct {
	min, max int // argument counts; max < 0: unlimited
	// options are the command's options, comma-separated; "=" after one
	// that takes a value ("--if-exists,--id=").
	options string
	// run builds the command's work; it runs inside the transaction and
	// may run more than once.
	run func(c *command, tx *ovsdb.Tx) error
}

// Whether an option takes a value.
const (
	noValue = iota
	needsValue
	mayHaveValue
)

// option says whether the command takes option name and whether it
// takes a value (noValue, needsValue: "--id=", mayHaveValue: "--bfd?").
func (s *cmdSpec) option(name string) (ok bool, value int) {
	for _, o := range strings.Split(s.options, ",") {
		switch {
		case o == name:
			return true, noValue
		case o == name+"=":
			return true, needsValue
		case o == name+"?":
			return true, mayHaveValue
		}
	}
	return false, noValue
}

// exitError carries an exit status other than 1.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// sharedGlobals are the global options both tools take: name → takes a
// value.
var sharedGlobals = map[string]bool{"--db": true, "--no-wait": false, "--dry-run": false, "--timeout": true, "-t": true,
	"--bare": false, "--no-syslog": false, "--oneline": false, "-v": false, "--verbose": false,
	"--format": true, "-f": true, "--data": true, "-d": true, "--no-headings": false, "--pretty": false,
	"--help": false, "-h": false, "--version": false, "-V": false,
	"--private-key": true, "-p": true, "--certificate": true, "-c": true, "--ca-cert": true, "-C": true,
	"--bootstrap-ca-cert": true, "--ssl-protocols": true, "--ssl-ciphers": true}

// global says whether name is a global option of the tool and whether it
// takes a value.
func (t *tool) global(name string) (ok, value bool) {
	if v, ok := sharedGlobals[name]; ok {
		return true, v
	}
	v, ok := t.globals[name]
	return ok, v
}

// commandOption says whether name is an option of any of the tool's
// commands, and whether it takes a value: before the first command,
// getopt reads those among the global options.
func (t *tool) commandOption(name string) (ok bool, value int) {
	for _, s := range t.commands {
		if ok, v := s.option(name); ok {
			return true, v
		}
	}
	return false, noValue
}

// longOption is the long option that name, a prefix of it, stands for
// (getopt's abbreviations); name itself when it is none.
func (t *tool) longOption(name string) (string, error) {
	if ok, _ := t.global(name); ok {
		return name, nil
	}
	if ok, _ := t.commandOption(name); ok {
		return name, nil
	}
	seen := map[string]bool{}
	add := func(o string) {
		if strings.HasPrefix(o, name) && strings.HasPrefix(o, "--") {
			seen[o] = true
		}
	}
	for o := range sharedGlobals {
		add(o)
	}
	for o := range t.globals {
		add(o)
	}
	for _, s := range t.commands {
		for _, o := range strings.Split(s.options, ",") {
			add(strings.TrimRight(o, "=?"))
		}
	}
	switch len(seen) {
	case 0:
		return name, nil
	case 1:
		for o := range seen {
			return o, nil
		}
	}
	if t.ambiguousUnknown {
		return "", fmt.Errorf("unrecognized option '%s'", name)
	}
	var b strings.Builder
	for _, o := range slices.Sorted(maps.Keys(seen)) {
		fmt.Fprintf(&b, " '%s'", o)
	}
	return "", fmt.Errorf("option '%s' is ambiguous; possibilities:%s", name, b.String())
}

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

// option is one option read before the first command.
type option struct {
	// name is the option's full name ("--db" for "--d=x"), or its short
	// one ("-t"); word is the argument as written.
	name, word string
	val        string
	hasVal     bool
	kind       optionKind
}

type optionKind int

const (
	globalOption  optionKind = iota
	logOption                // -v..., --log-file...
	commandOption            // an option of a command, given to the first
	// optionalCommandOption is a command option that may take a value,
	// which getopt reads only as --name=value.
	optionalCommandOption
)

// scanOptions reads the options that precede the first command of g (a
// command line up to its first "--") as getopt reads them: the global
// ones and any command's, a long option's unique prefix for it, a value
// as the next word for one that takes it. n is how many words they are.
func (t *tool) scanOptions(g []string) (opts []option, n int, err error) {
	i := 0
	for ; i < len(g) && strings.HasPrefix(g[i], "-"); i++ {
		word := g[i]
		name, val, hasVal := strings.Cut(word, "=")
		if isLogOption(word) {
			opts = append(opts, option{name: name, word: word, val: val, hasVal: hasVal, kind: logOption})
			continue
		}
		if strings.HasPrefix(name, "--") {
			// getopt takes a long option's unique prefix.
			full, err := t.longOption(name)
			if err != nil {
				return nil, 0, err
			}
			name = full
		}
		global, takesValue := t.global(name)
		isCmdOpt, cmdValue := t.commandOption(name)
		kind := globalOption
		switch {
		case global:
		case isCmdOpt && cmdValue == mayHaveValue:
			opts = append(opts, option{name: name, word: word, val: val, hasVal: hasVal, kind: optionalCommandOption})
			continue
		case isCmdOpt:
			takesValue, kind = cmdValue == needsValue, commandOption
		case !strings.HasPrefix(name, "--"):
			return nil, 0, fmt.Errorf(t.badShortOption, strings.TrimPrefix(name, "-"))
		default:
			return nil, 0, fmt.Errorf("unrecognized option '%s'", name)
		}
		optional := global && optionalValue[name]
		switch {
		case hasVal && !takesValue && !optional:
			if t.quoteValue {
				return nil, 0, fmt.Errorf("option '%s' doesn't allow an argument", word)
			}
			return nil, 0, fmt.Errorf("option '%s' doesn't allow an argument", name)
		case takesValue && !hasVal:
			if i+1 >= len(g) {
				return nil, 0, fmt.Errorf("option '%s' requires an argument", name)
			}
			i++
			val, hasVal = g[i], true
		}
		opts = append(opts, option{name: name, word: word, val: val, hasVal: hasVal, kind: kind})
	}
	return opts, i, nil
}

// parse splits args as the C tools do: global options, then commands
// separated by "--", each preceded by its own options. Before the first
// command, options are read as getopt reads them (scanOptions): the
// command options among them go to the first command, and a "--" right
// after them is getopt's, not the end of a command.
func (t *tool) parse(args []string) (*invocation, error) {
	inv := &invocation{tool: t, prog: progName, start: time.Now()}
	groups := splitCommands(args)
	var carried *command // the first command's options, before a "--"
	for gi, g := range groups {
		if len(g) == 0 {
			if carried != nil {
				return nil, errors.New("missing command name (use --help for help)")
			}
			continue // "-- --": an empty command, which the tools skip
		}
		c := &command{opts: map[string]string{}, valued: map[string]bool{}}
		if carried != nil {
			c, carried = carried, nil
		}
		i := 0
		if gi == 0 {
			opts, n, err := t.scanOptions(g)
			if err != nil {
				return nil, err
			}
			i = n
			for _, o := range opts {
				switch o.kind {
				case logOption:
					inv.logOpts = append(inv.logOpts, o.word)
					continue
				case globalOption:
					if err := inv.setGlobal(o.name, o.val, o.hasVal); err != nil {
						return nil, err
					}
					continue
				case commandOption:
					if c.has(o.name) && t.onceFirst {
						return nil, fmt.Errorf("'%s' option specified multiple times", o.name)
					}
					// (Otherwise a command's option given twice here is
					// taken once, as ovs-vsctl's getopt loop does.)
				}
				c.opts[o.name] = o.val
				c.valued[o.name] = o.hasVal
			}
		}
		for ; i < len(g) && strings.HasPrefix(g[i], "-"); i++ {
			name, val, hasVal := strings.Cut(g[i], "=")
			if c.has(name) {
				return nil, fmt.Errorf("'%s' option specified multiple times", name)
			}
			c.opts[name] = val
			c.valued[name] = hasVal
		}
		if i == len(g) {
			if gi == 0 && len(groups) > 1 && len(c.opts) > 0 {
				carried = c // "--may-exist -- ls-add sw0"
				continue
			}
			if len(c.opts) == 0 && gi == 0 {
				continue // global options only
			}
			return nil, errors.New("missing command name (use --help for help)")
		}
		c.name, c.args = g[i], g[i+1:]
		spec, ok := t.commands[c.name]
		if !ok {
			return nil, fmt.Errorf("unknown command '%s'; use --help for help", c.name)
		}
		c.spec = spec
		for _, o := range slices.Sorted(maps.Keys(c.opts)) {
			ok, value := spec.option(o)
			switch {
			case !ok:
				return nil, fmt.Errorf("'%s' command has no '%s' option", c.name, o)
			case c.valued[o] && value == noValue:
				return nil, fmt.Errorf("'%s' option on '%s' does not accept an argument", o, c.name)
			case value == needsValue && !c.valued[o]:
				return nil, fmt.Errorf("missing argument to '%s' option on '%s' command", o, c.name)
			}
		}
		if len(c.args) < spec.min {
			return nil, fmt.Errorf("'%s' command requires at least %d arguments", c.name, spec.min)
		}
		if spec.max >= 0 && len(c.args) > spec.max {
			return nil, fmt.Errorf("'%s' command takes at most %d arguments (note that options must precede command names and follow a \"--\" argument)", c.name, spec.max)
		}
		inv.cmds = append(inv.cmds, c)
	}
	if len(inv.cmds) > 0 {
		inv.cmds[len(inv.cmds)-1].last = true
	}
	if len(inv.cmds) == 0 && !inv.help && !inv.version && !inv.daemon.detach {
		return nil, errors.New("missing command name (use --help for help)")
	}
	if inv.style.Format == "dot" && t.dot {
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

// optionalValue are the global options that may take a value (only as
// --name=value, as getopt reads them).
var optionalValue = map[string]bool{"--pidfile": true}

// daemonOptions are the options of a tool that can run as a daemon
// (ovn-nbctl's --detach, ...).
type daemonOptions struct {
	detach bool
	// pidfile: --pidfile was given, with file (or "" for the default).
	pidfile          bool
	file             string
	overwritePidfile bool
	noChdir          bool
	// unixctl is --unixctl's path: the daemon's control socket, or the
	// socket of the daemon a client talks to.
	unixctl string
}

func (inv *invocation) setGlobal(name, val string, hasVal bool) error {
	switch name {
	case "--db":
		inv.db = val
	case "--no-wait":
		inv.noWait = true
		inv.wait = 0
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
	case "--ssl-protocols":
		inv.sslProtocols = val
	case "--ssl-ciphers":
		inv.sslCiphers = val
	case "--dry-run":
		inv.dryRun = true
	case "--timeout", "-t":
		// An int, as the C tools parse it: larger is refused, not wrapped.
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
	case "--wait":
		switch val {
		case "none":
			inv.wait = 0
		case "sb":
			inv.wait = nb.WaitSB
		case "hv":
			inv.wait = nb.WaitHV
		default:
			return fmt.Errorf("argument to --wait must be \"none\", \"sb\", or \"hv\"")
		}
	case "--no-leader-only":
		inv.followerReads = true
	case "--leader-only":
		inv.followerReads = false
	case "--no-shuffle-remotes":
		inv.noShuff = true
	case "--shuffle-remotes":
		inv.noShuff = false
	case "--print-wait-time":
		inv.printWaitTime = true
	case "--detach":
		inv.daemon.detach = true
	case "--pidfile":
		inv.daemon.pidfile, inv.daemon.file = true, ""
		if hasVal {
			inv.daemon.file = val
		}
	case "--overwrite-pidfile":
		inv.daemon.overwritePidfile = true
	case "--no-chdir":
		inv.daemon.noChdir = true
	case "--no-self-confinement":
		// ovskit's daemon never confines itself to its directories.
	case "--unixctl", "-u":
		inv.daemon.unixctl = val
	case "--monitor":
		return fmt.Errorf("option '%s' is not supported: ovskit's daemon does not restart itself (run it under a supervisor that does)", name)
	case "--user":
		return fmt.Errorf("option '%s' is not supported: start ovskit's daemon as the user it is to run as", name)
	}
	return nil
}

// logger is the console log as the -v options set it.
func (inv *invocation) logger(stderr io.Writer) *vlog {
	if inv.log != nil {
		return inv.log
	}
	lg := newVlog(inv.prog, stderr)
	for _, o := range inv.logOpts {
		if spec, ok := vlogSpec(o); ok {
			_ = lg.set(spec) // (what ovskit cannot read logs at the default)
		}
	}
	return lg
}

// execute runs the invocation's commands in one transaction and writes
// their output, as the C tool does.
// The caller bounds ctx (runCtl applies --timeout to dialling and the
// transaction together).
func (inv *invocation) execute(ctx context.Context, client *ovsdb.Client, w, stderr io.Writer) error {
	t := inv.tool
	cmds := make([]ovsdb.Command, 0, len(inv.cmds)+5)
	if inv.noWait {
		cmds = append(cmds, ovsdb.NoWait())
	}
	if inv.dryRun {
		cmds = append(cmds, ovsdb.DryRun())
	}
	if t.prepare != nil {
		cmds = append(cmds, t.prepare(inv)...)
	}
	for _, c := range inv.cmds {
		cmds = append(cmds, ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			c.out.Reset() // a re-run after a conflict starts over
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
	var soft []string
	if err != nil {
		ok := false
		if t.soft != nil {
			soft, ok = t.soft(inv, err)
		}
		if !ok {
			return err
		}
	}
	if t.finish != nil && !inv.dryRun {
		if err := t.finish(ctx, inv, client, w); err != nil {
			return err
		}
	}
	lg := inv.logger(stderr)
	for _, c := range inv.cmds {
		for _, w := range c.warnings {
			lg.log(w[0], 3, w[1])
		}
	}
	for _, w := range unreferenced {
		lg.log(t.module, 3, w)
	}
	first := true
	temp := map[string]string{}
	if res != nil && res.DryRun {
		// Not committed, the rows it would insert have no UUIDs: they
		// print with provisional ones, as the C tools print them.
		for _, op := range res.Operations {
			if op.Op == "insert" && op.UUIDName != "" && res.UUIDs[op.UUIDName] == "" {
				res.UUIDs[op.UUIDName] = randomUUID()
			}
		}
	}
	for _, c := range inv.cmds {
		if c.created != "" && res != nil {
			fmt.Fprintln(&c.out, res.UUID(c.created))
		}
		if c.table != nil && res != nil {
			// Rows this invocation inserted show as the C tools show
			// them (ovs-vsctl(8)'s BUGS): with a UUID of their own, the
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
		out := c.out.String()
		if t.realUUIDs && res != nil && c.table == nil && c.created == "" {
			// A row inserted by an earlier command of the line is
			// listed by its name in the transaction: print its UUID,
			// now that it has one. (ovn-nbctl prints a provisional
			// UUID that names no row.) The names are unique to the
			// transaction (see ovsdb.Tx.Insert); only whole names are
			// replaced.
			out = replaceRowNames(out, res.UUIDs)
		}
		if inv.oneline && c.table == nil { // (tables print as they do without it)
			out = strings.TrimSuffix(out, "\n")
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
		io.WriteString(w, out)
	}
	for _, m := range soft {
		fmt.Fprintln(stderr, m)
	}
	return nil
}

// dialOptions are the options of the invocation's database connection;
// lg logs what an ssl: connection's settings cannot use. A daemon's
// (watch) reads its files again when they change, until stop.
func (t *tool) dialOptions(inv *invocation, lg *vlog, watch bool) (opts []ovsdb.Option, stop func(), err error) {
	opts = []ovsdb.Option{ovsdb.WithDatabase(t.database())}
	if inv.followerReads {
		opts = append(opts, ovsdb.WithFollowerReads())
	}
	if inv.noShuff {
		opts = append(opts, ovsdb.WithoutShuffle())
	}
	stop = func() {}
	if strings.Contains(inv.db, "ssl:") {
		logErr := func(msg string) { lg.log("stream_ssl", 2, msg) }
		f, err := newTLSFiles(inv.keyFile, inv.certFile, inv.caFile, inv.bootstrap, logErr)
		if err != nil {
			return nil, nil, err
		}
		if watch {
			ctx, cancel := context.WithCancel(context.Background())
			go f.watch(ctx, time.Second)
			stop = cancel
		}
		cfg := f.config()
		sslSettings(cfg, inv.sslProtocols, inv.sslCiphers, logErr)
		opts = append(opts, ovsdb.WithTLS(cfg))
	}
	return opts, stop, nil
}

// runCtl runs one of the tool's command lines, its messages prefixed
// with prog, and returns the exit status.
func runCtl(t *tool, prog string, args []string, stdout, stderr io.Writer) int {
	given := args // (a daemon starts again with these: it reads the environment itself)
	if t.optionsEnv != "" {
		// Options from the environment come first (OVN_NBCTL_OPTIONS).
		if env := os.Getenv(t.optionsEnv); env != "" {
			args = append(parseWords(env), args...)
		}
	}
	if t.daemonEnv != "" {
		if code, ok := t.runClient(prog, args, stdout, stderr); ok {
			return code
		}
	}
	inv, err := t.parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	inv.prog = prog
	switch {
	case inv.help:
		fmt.Fprint(stdout, t.usage)
		return 0
	case inv.version:
		fmt.Fprint(stdout, t.version())
		return 0
	}
	if inv.db == "" {
		inv.db = t.defaultDB()
	}
	if inv.daemon.detach {
		if _, rest, _ := t.splitOptions(args); len(rest) > 0 {
			fmt.Fprintf(stderr, "%s: non-option arguments not supported with --detach (use --help for help)\n", prog)
			return 1
		}
		return t.runDaemon(inv, given, stdout, stderr)
	}
	ctx, cancel := commandContext(inv.timeout)
	defer cancel()
	dialOpts, stop, err := t.dialOptions(inv, inv.logger(stderr), false)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	defer stop()
	client, err := ovsdb.Dial(ctx, inv.db, dialOpts...)
	for err != nil && inv.retry && ctx.Err() == nil {
		// --retry: again, until the timeout (or Ctrl-C).
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
			client, err = ovsdb.Dial(ctx, inv.db, dialOpts...)
		}
	}
	if err != nil {
		if (inv.retry || passive(inv.db)) && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// The C tools wait (with --retry, or for the server to
			// connect to a passive endpoint) until --timeout's alarm
			// ends them.
			inv.logger(stderr).log("fatal_signal", 3, "terminating with signal 14 (Alarm clock)")
			return alarmExit
		}
		fmt.Fprintf(stderr, "%s: %s: database connection failed (%v)\n", prog, inv.db, err)
		return 1
	}
	defer client.Close()
	err = inv.execute(ctx, client, stdout, stderr)
	if err != nil && inv.timeout > 0 && errors.Is(err, context.DeadlineExceeded) {
		// --timeout is the C tools' alarm: it ends them wherever they
		// are (waiting for the commit, for ovs-vswitchd, for OVN).
		inv.logger(stderr).log("fatal_signal", 3, "terminating with signal 14 (Alarm clock)")
		return alarmExit
	}
	return report(prog, err, stderr)
}

// rowNameRE matches what may be a row's name in a transaction (RFC 7047's
// <id>), whole.
var rowNameRE = regexp.MustCompile(`[_a-zA-Z][_a-zA-Z0-9]*`)

// replaceRowNames replaces in out the names of rows the transaction
// inserted by their UUIDs. A name in parentheses is a row's name column
// as ovn-nbctl lists it ("UUID (name)"), never a row name: a switch called
// ls stays ls when --id=@ls named another row.
func replaceRowNames(out string, uuids map[string]string) string {
	var b strings.Builder
	last := 0
	for _, m := range rowNameRE.FindAllStringIndex(out, -1) {
		name := out[m[0]:m[1]]
		u, ok := uuids[name]
		if !ok || m[0] > 0 && out[m[0]-1] == '(' && m[1] < len(out) && out[m[1]] == ')' {
			continue
		}
		b.WriteString(out[last:m[0]])
		b.WriteString(u)
		last = m[1]
	}
	b.WriteString(out[last:])
	return b.String()
}

// progName prefixes messages on stderr, as the C tools prefix their own,
// when ovskit runs under its own name.
const progName = "ovskit"

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

// withDBCommands returns the tool's commands with the database commands
// added.
func withDBCommands(own map[string]*cmdSpec) map[string]*cmdSpec {
	m := maps.Clone(own)
	for name, spec := range dbCommands() {
		m[name] = spec
	}
	return m
}

// dbCommands are the database commands, on any table of the tool's
// database, with the record names the tool accepts (see dbcmd).
func dbCommands() map[string]*cmdSpec {
	return map[string]*cmdSpec{
		"get": {2, -1, "--if-exists,--id=", func(c *command, tx *ovsdb.Tx) error {
			vals, err := dbcmd.Get(tx, c.args[0], c.args[1], c.args[2:], dbOpts(c)...)
			lines(c, vals)
			return err
		}},
		"set": {3, -1, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
			return dbcmd.Set(c.args[0], c.args[1], c.args[2:], dbOpts(c)...).Run(tx)
		}},
		"add": {4, -1, "--if-exists", func(c *command, tx *ovsdb.Tx) error {
			if c.last {
				// As the C tools write their last command's add: a mutation.
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
		"list": {1, -1, "--if-exists,--columns=", func(c *command, tx *ovsdb.Tx) error {
			t, err := dbcmd.List(tx, c.args[0], c.args[1:], columnsOpt(c), dbOpts(c)...)
			c.table = t
			return err
		}},
		"find": {1, -1, "--columns=", func(c *command, tx *ovsdb.Tx) error {
			t, err := dbcmd.Find(tx, c.args[0], c.args[1:], columnsOpt(c))
			c.table = t
			return err
		}},
		"create": {2, -1, "--id=", func(c *command, tx *ovsdb.Tx) error {
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
				return nil // the C tools only warn
			}
			return dbcmd.Destroy(c.args[0], c.args[1:], dbOpts(c)...).Run(tx)
		}},
		"wait-until": {2, -1, "", func(c *command, tx *ovsdb.Tx) error {
			return dbcmd.WaitUntil(c.args[0], c.args[1], c.args[2:]...).Run(tx)
		}},
		// comment is a note the transaction carries to the server's log.
		"comment": {0, -1, "", func(c *command, tx *ovsdb.Tx) error {
			tx.Comment(strings.Join(c.args, " "))
			return nil
		}},
	}
}

// randomUUID is a random (version 4) UUID.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
