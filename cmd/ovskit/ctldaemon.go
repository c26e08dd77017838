package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/ovsdb"
)

// This file is ovn-nbctl's daemon mode (OVN's ovn-dbctl): with --detach
// the tool runs in the background, connected to the database for good,
// and answers command lines sent to its control socket; a command line
// run with the socket's path in the tool's environment variable
// (OVN_NB_DAEMON) or with --unixctl is sent there instead of connecting
// to the database itself. The daemon's socket speaks Open vSwitch's
// unixctl protocol (package appctl): its commands are run (a command
// line, options first), exit, version and list-commands, so that
// ovn-appctl -t ovn-nbctl run ... works too.

// clientIgnored are the options a client takes and does not use: they
// are the daemon's business (its database connection, its own running).
var clientIgnored = map[string]bool{"--leader-only": true, "--no-leader-only": true, "--shuffle-remotes": true,
	"--no-shuffle-remotes": true, "--bootstrap-ca-cert": true, "--private-key": true, "--certificate": true,
	"--ca-cert": true, "--ssl-protocols": true, "--ssl-ciphers": true, "--detach": true, "--no-self-confinement": true,
	"--no-chdir": true, "--pidfile": true, "--overwrite-pidfile": true, "--monitor": true, "--user": true}

// runOptions are the global options a daemon takes with a command line
// (those of its main loop and its tables), besides the logging ones.
var runOptions = map[string]bool{"--no-wait": true, "--wait": true, "--print-wait-time": true, "--dry-run": true,
	"--oneline": true, "--timeout": true, "--format": true, "--data": true, "--no-headings": true, "--pretty": true,
	"--bare": true}

// longNames are the long names of the short options.
var longNames = map[string]string{"-t": "--timeout", "-f": "--format", "-d": "--data", "-h": "--help",
	"-V": "--version", "-p": "--private-key", "-c": "--certificate", "-C": "--ca-cert", "-u": "--unixctl"}

// longName is an option's long name.
func longName(name string) string {
	if l, ok := longNames[name]; ok {
		return l
	}
	return name
}

// splitOptions reads the options before a command line's first command
// (scanOptions) and returns them with the words after them, as getopt
// leaves them: a "--" right after the options is getopt's, dropped.
func (t *tool) splitOptions(args []string) ([]option, []string, error) {
	first := args
	if i := slices.Index(args, "--"); i >= 0 {
		first = args[:i]
	}
	opts, n, err := t.scanOptions(first)
	if err != nil {
		return nil, nil, err
	}
	rest := args[n:]
	if n == len(first) && n < len(args) {
		rest = args[n+1:]
	}
	return opts, rest, nil
}

// runClient runs a command line through the tool's daemon, when the
// line is a client's (the daemon's socket in the tool's environment
// variable, or --unixctl, and no --detach); ok is false when it is not,
// or when --db makes it a direct one after all.
func (t *tool) runClient(prog string, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	opts, rest, err := t.splitOptions(args)
	if err != nil {
		return 0, false // direct mode reports it
	}
	socket := os.Getenv(t.daemonEnv)
	client := socket != ""
	for _, o := range opts {
		switch longName(o.name) {
		case "--unixctl":
			client = true
		case "--detach":
			return 0, false
		}
	}
	if !client {
		return 0, false
	}
	lg := newVlog(prog, stderr)
	_ = lg.set("console:warn") // ovn-nbctl's console level
	var timeout time.Duration
	var fwd []string
	for _, o := range opts {
		long := longName(o.name)
		switch {
		case o.kind == logOption:
			if spec, ok := vlogSpec(o.word); ok {
				_ = lg.set(spec)
			}
		case long == "--db":
			lg.log("ovn_dbctl", 3, fmt.Sprintf("not using %s daemon because of db option", t.name))
			return 0, false
		case long == "--no-syslog":
		case long == "--help":
			fmt.Fprint(stdout, t.usage)
			return 0, true
		case long == "--version":
			fmt.Fprint(stdout, t.version())
			return 0, true
		case clientIgnored[long]:
			lg.log("ovn_dbctl", 4, fmt.Sprintf("using %s daemon, ignoring %s option", t.name, strings.TrimPrefix(long, "--")))
		case long == "--unixctl":
			socket = o.val
		case long == "--timeout":
			n, err := strconv.ParseUint(o.val, 10, 31)
			if err != nil || n == 0 {
				fmt.Fprintf(stderr, "%s: value %s on -t or --timeout is invalid\n", prog, o.val)
				return 1, true
			}
			timeout = time.Duration(n) * time.Second
		case o.hasVal:
			fwd = append(fwd, long+"="+o.val)
		default:
			fwd = append(fwd, long)
		}
	}
	fwd = append(append(fwd, "--"), rest...)
	ctx, cancel := commandContext(timeout)
	defer cancel()
	alarm := func() (int, bool) {
		lg.log("fatal_signal", 3, "terminating with signal 14 (Alarm clock)")
		return alarmExit, true
	}
	fatal := func(msg string) (int, bool) {
		lg.log("ovn_dbctl", 2, msg)
		fmt.Fprintf(stderr, "%s: %s\n", prog, msg)
		return 1, true
	}
	c, err := appctl.Dial(ctx, socket)
	if err != nil {
		if timeout > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return alarm()
		}
		lg.log("unixctl", 3, "failed to connect to "+socket)
		return fatal(fmt.Sprintf("%s: could not connect to %s daemon (%s); unset %s to avoid using daemon",
			socket, t.name, strerror(err), t.daemonEnv))
	}
	defer c.Close()
	out, err := c.Call(ctx, "run", fwd...)
	var ae *appctl.Error
	switch {
	case errors.As(err, &ae):
		fmt.Fprintf(stderr, "%s: %s", prog, ae.Message)
		return 1, true
	case err != nil && timeout > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return alarm()
	case err != nil:
		return fatal(fmt.Sprintf("%s: transaction error (%s)", socket, strerror(err)))
	}
	io.WriteString(stdout, out)
	return 0, true
}

// strerror is err as the C tools word a system error: its errno's
// message (capitalized, as the C library's), or err itself.
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	s := errno.Error()
	return string(unicode.ToUpper(rune(s[0]))) + s[1:]
}

// runDaemon is --detach: in the process the user ran, it starts the
// daemon (the same command line, args, again) and prints its control
// socket's path once the daemon is connected to the database; in the
// daemon, it serves.
func (t *tool) runDaemon(inv *invocation, args []string, stdout, stderr io.Writer) int {
	if !detached() {
		if filepath.Base(os.Args[0]) != t.name {
			args = append([]string{t.subcommand}, args...) // ovskit nbctl ...
		}
		path, err := daemonize(args, false)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", inv.prog, err)
			return 1
		}
		fmt.Fprintln(stdout, path)
		return 0
	}
	if err := t.serve(inv); err != nil {
		notReady(err)
		return 1
	}
	return 0
}

// serve is the daemon: its control socket and pidfile made, connected to
// the database (trying again until it is), it answers on the socket
// until it is told to exit or is killed, then removes both.
func (t *tool) serve(inv *invocation) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rundir := t.rundir()
	// Before the daemon leaves its directory: every file name it was
	// given is the same file later.
	abs := func(name string) string {
		if name == "" {
			return ""
		}
		a, err := filepath.Abs(name)
		if err != nil {
			return name
		}
		return a
	}
	inv.keyFile, inv.certFile, inv.caFile = abs(inv.keyFile), abs(inv.certFile), abs(inv.caFile)

	// The log: the file --log-file names (or the default one), at the
	// levels the -v options set for files.
	lg := newFileVlog(inv.prog, io.Discard)
	logFile := ""
	for _, o := range inv.logOpts {
		if name, val, hasVal := strings.Cut(o, "="); name == "--log-file" {
			logFile = filepath.Join(ovsLogdir(), t.name+".log")
			if hasVal {
				logFile = abs(val)
			}
		}
	}
	if logFile != "" {
		if err := lg.open(logFile); err != nil {
			return err
		}
		defer lg.close()
	}
	for _, o := range inv.logOpts {
		if spec, ok := vlogSpec(o); ok {
			_ = lg.set(spec)
		}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go func() {
		select {
		case sig := <-sigs:
			s := sig.(syscall.Signal)
			name := s.String()
			lg.log("fatal_signal", 3, fmt.Sprintf("terminating with signal %d (%s)", int(s), strings.ToUpper(name[:1])+name[1:]))
			cancel()
		case <-ctx.Done():
		}
	}()

	sock := filepath.Join(rundir, fmt.Sprintf("%s.%d.ctl", t.name, os.Getpid()))
	if inv.daemon.unixctl != "" {
		sock = inDir(rundir, inv.daemon.unixctl)
	}
	l, err := appctl.Listen(sock)
	if err != nil {
		return fmt.Errorf("failed to create unixctl server (%w)", err)
	}
	defer l.Close()
	if inv.daemon.pidfile {
		file := t.name + ".pid"
		if inv.daemon.file != "" {
			file = inv.daemon.file
		}
		remove, err := writePidfile(inDir(rundir, file), inv.daemon.overwritePidfile)
		if err != nil {
			return err
		}
		defer remove()
	}

	opts, stopTLS, err := t.dialOptions(inv, lg, true)
	if err != nil {
		return err
	}
	defer stopTLS()
	var client *ovsdb.Client
	for {
		client, err = ovsdb.Dial(ctx, inv.db, opts...)
		if err == nil {
			break
		}
		if errors.Is(err, ovsdb.ErrInvalid) { // (no use trying again)
			return fmt.Errorf("%s: database connection failed (%v)", inv.db, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: database connection failed (%v)", inv.db, err)
		case <-time.After(time.Second):
		}
	}
	defer client.Close()
	if !inv.daemon.noChdir {
		// As the C daemons, once connected.
		if err := os.Chdir("/"); err != nil {
			return err
		}
	}

	srv := appctl.NewServer(t.version())
	var mu sync.Mutex // one command line at a time, in the order they come
	srv.Handle("run", "", 0, -1, func(ctx context.Context, args []string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		return t.runLine(ctx, inv, client, lg, args)
	})
	srv.Handle("exit", "", 0, 0, func(context.Context, []string) (string, error) {
		cancel()
		return "", nil
	})
	lg.handle(srv)
	ready(sock)
	err = srv.Serve(ctx, l)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	lg.log("ovn_dbctl", 2, err.Error())
	return err
}

// runLine runs a command line a client sent (options first, as the
// client forwards them) with the daemon's connection, and returns its
// output, or its error as the client prints it.
func (t *tool) runLine(ctx context.Context, daemon *invocation, client *ovsdb.Client, lg *vlog, args []string) (string, error) {
	opts, _, err := t.splitOptions(args)
	if err != nil {
		return "", err
	}
	for _, o := range opts {
		if o.kind == globalOption && !runOptions[longName(o.name)] {
			return "", fmt.Errorf("unrecognized option '%s'", o.word)
		}
	}
	inv, err := t.parse(args)
	if err != nil {
		return "", err
	}
	inv.prog, inv.db, inv.log = daemon.prog, daemon.db, lg
	for _, o := range inv.logOpts {
		if spec, ok := vlogSpec(o); ok {
			_ = lg.set(spec) // the daemon's log, as the C daemon's -v
		}
	}
	level := 5
	for _, c := range inv.cmds {
		if !readOnly(c.name) {
			level = 4
		}
	}
	lg.log("ovn_dbctl", level, "Running command "+escapeArgs(append([]string{"run"}, args...)))
	if inv.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, inv.timeout)
		defer cancel()
	}
	var out strings.Builder
	if err := inv.execute(ctx, client, &out, io.Discard); err != nil {
		if inv.timeout > 0 && errors.Is(err, context.DeadlineExceeded) {
			return "", errors.New("timeout expired")
		}
		return "", errors.New(message(err))
	}
	return out.String(), nil
}

// readOnly says whether an ovn-nbctl command only reads the database
// (its RO commands: what shows, lists and gets, and the database
// commands that read).
func readOnly(name string) bool {
	switch name {
	case "show", "sync", "get", "list", "find", "wait-until", "comment":
		return true
	}
	return strings.HasSuffix(name, "-list") || strings.Contains(name, "-get-") || strings.HasPrefix(name, "get-")
}

// escapeArgs is a command line as the C tools log it: words with
// spaces, quotes or backslashes in double quotes, those escaped.
func escapeArgs(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if !strings.ContainsAny(a, " \t\r\n\v\\'\"") {
			b.WriteString(a)
			continue
		}
		b.WriteByte('"')
		for _, r := range a {
			if r == '\\' || r == '"' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
	}
	return b.String()
}

// parseWords splits an environment variable's options into words as Open
// vSwitch does (svec_parse_words): at white space, except in quotes; a
// quote character opens a quote (even inside another), the same one
// closes it; a backslash escapes the next character, except in single
// quotes.
func parseWords(s string) []string {
	var words []string
	space := func(c byte) bool { return strings.IndexByte(" \t\n\v\f\r", c) >= 0 }
	i := 0
	for {
		for i < len(s) && space(s[i]) {
			i++
		}
		if i >= len(s) {
			return words
		}
		var w strings.Builder
		var quote byte
		for end := false; i < len(s) && !end; i++ {
			switch c := s[i]; {
			case c == quote:
				quote = 0
			case c == '\'' || c == '"':
				quote = c
			case c == '\\' && quote != '\'':
				if i+1 < len(s) {
					i++
					w.WriteByte(s[i])
				}
			case space(c) && quote == 0:
				end = true
			default:
				w.WriteByte(c)
			}
		}
		words = append(words, w.String())
	}
}
