// Command ovskit runs ovs-vsctl command lines through the ovskit library:
// the same commands, options and "--" chaining, committed as one
// transaction, without the ovs-vsctl binary.
//
//	ovskit --db=unix:/var/run/openvswitch/db.sock add-br br0 -- set Bridge br0 datapath_type=netdev
//
// It prints what ovs-vsctl prints and exits as it does: 0 on success (an
// interface that ovs-vswitchd could not set up is a warning on stderr, as
// in ovs-vsctl), 1 on error, 2 for br-exists on a missing bridge.
//
// Installed or linked under the name ovs-vsctl, ovs-ofctl or ovn-nbctl,
// ovskit is that tool, a drop-in: its name in messages, the C tools'
// logging options (-v...) and console log, so that scripts and test suites
// that run the tool run ovskit unchanged.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

func main() {
	// Installed (or linked) under a C tool's name, ovskit is that tool:
	// scripts and test suites that run ovs-ofctl run ovskit unchanged.
	switch prog := filepath.Base(os.Args[0]); prog {
	case "ovs-ofctl":
		os.Exit(runOfctl(prog, os.Args[1:], os.Stdout, os.Stderr))
	case "ovs-vsctl", "ovn-nbctl":
		t := vsctlTool
		if prog == "ovn-nbctl" {
			t = nbctlTool
		}
		code := runCtl(t, prog, os.Args[1:], os.Stdout, os.Stderr)
		if code == alarmExit {
			// As ovs-vsctl's alarm ends it: by the signal itself.
			signal.Reset(syscall.SIGALRM)
			_ = syscall.Kill(os.Getpid(), syscall.SIGALRM)
			time.Sleep(time.Second)
		}
		os.Exit(code)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func defaultDB() string {
	if dir := os.Getenv("OVS_RUNDIR"); dir != "" {
		return "unix:" + filepath.Join(dir, "db.sock")
	}
	return ovsdb.DefaultEndpoint
}

// supportedRange is the server versions ovskit supports, each proven by
// the differential suites on its schema (testdata/schemas).
func supportedRange() string {
	return fmt.Sprintf(`Supported servers (each one tested):
  Open_vSwitch schema %s to %s (Open vSwitch 2.13.8 to 3.7.1)
  OVN_Northbound schema %s to %s (OVN 22.03 to 26.03)
Other versions are negotiated the same way (what the server lacks is not
used; what the models do not know is not shown) but are not tested.
`, vswitchdb.OldestServerVersion, vswitchdb.SchemaVersion, nbdb.OldestServerVersion, nbdb.SchemaVersion)
}

// run is `ovskit ...`: ovs-vsctl's command lines, or ofctl's or nbctl's
// after their word.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "nbctl" {
		return runNbctl(progName, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "ofctl" {
		return runOfctl(progName, args[1:], stdout, stderr)
	}
	return runVsctl(progName, args, stdout, stderr)
}

// runVsctl runs an ovs-vsctl command line, its messages prefixed with
// prog.
func runVsctl(prog string, args []string, stdout, stderr io.Writer) int {
	return runCtl(vsctlTool, prog, args, stdout, stderr)
}

// passive says whether the database endpoints are passive ones, where
// the server connects to the client (punix:, ptcp:).
func passive(db string) bool {
	for _, e := range strings.Split(db, ",") {
		if e = strings.TrimSpace(e); strings.HasPrefix(e, "punix:") || strings.HasPrefix(e, "ptcp:") {
			return true
		}
	}
	return false
}

// alarmExit is the status of a command that its timeout ended with
// --retry, as a shell sees ovs-vsctl's: 128 + SIGALRM.
const alarmExit = 128 + 14

// commandContext is a command's context: cancelled by Ctrl-C, and after
// timeout when it is not zero.
func commandContext(timeout time.Duration) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	if timeout <= 0 {
		return ctx, stop
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	return tctx, func() { cancel(); stop() }
}

// report prints err as ovs-vsctl prints its errors and returns the exit
// status.
func report(prog string, err error, stderr io.Writer) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.code != 2 {
			fmt.Fprintf(stderr, "%s: %s\n", prog, message(err))
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "%s: %s\n", prog, message(err))
	return 1
}

// commandPrefix is how Transact names the failing one of several commands.
var commandPrefix = regexp.MustCompile(`^command [0-9]+: `)

// message is err as ovs-vsctl words it: without the library's "command
// N:" and the sentinel's closing words (": not found"), which the library
// adds for errors.Is, so that scripts that grep ovs-vsctl's messages keep
// working.
func message(err error) string {
	// An operation the server refused: its error as the server sent it,
	// as ovs-vsctl prints it.
	var oe *ovsdb.OpError
	if errors.As(err, &oe) {
		m := map[string]string{"error": oe.Err}
		if oe.Details != "" {
			m["details"] = oe.Details
		}
		if oe.Syntax != "" {
			m["syntax"] = oe.Syntax
		}
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if enc.Encode(m) == nil {
			return "transaction error: " + strings.TrimSuffix(b.String(), "\n")
		}
	}
	s := commandPrefix.ReplaceAllString(err.Error(), "")
	for _, sentinel := range []error{ovsdb.ErrNotFound, ovsdb.ErrExists, ovsdb.ErrInvalid, ovsdb.ErrUnknownTable, ovsdb.ErrUnknownColumn} {
		s = strings.TrimSuffix(s, ": "+sentinel.Error())
	}
	return s
}

// version is the module's version, as the Go toolchain recorded it.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

const usage = `ovskit: Open vSwitch configuration through the ovskit library, with
ovs-vsctl's command lines.
usage: ovskit [OPTIONS] COMMAND [ARG...] [-- [OPTIONS] COMMAND [ARG...]]...
       ovskit nbctl [OPTIONS] COMMAND [ARG...] [-- ...]   (ovn-nbctl's; see ovskit nbctl --help)
       ovskit ofctl [OPTIONS] COMMAND SWITCH [ARG...]       (ovs-ofctl's; see ovskit ofctl --help)

Commands are ovs-vsctl's: open vSwitch (init, show, emer-reset), bridges
(add-br, del-br, list-br, br-exists, br-to-vlan, br-to-parent,
br-set-external-id, br-get-external-id), ports (list-ports, add-port,
add-bond, del-port, port-to-br), interfaces (list-ifaces, iface-to-br),
controllers and managers (get-controller, set-controller, del-controller,
set-fail-mode, get-fail-mode, del-fail-mode, get-manager, set-manager,
del-manager), SSL (get-ssl, set-ssl, del-ssl), Auto Attach
(add-aa-mapping, del-aa-mapping, get-aa-mapping), conntrack zone timeout
policies (add-zone-tp, del-zone-tp, list-zone-tp), and the database commands
(list, find, get, set, add, remove, clear, create, destroy, wait-until).

Options:
  --db=DATABASE           connect to DATABASE (default: unix:$OVS_RUNDIR/db.sock
                          or unix:/var/run/openvswitch/db.sock)
  --no-wait               do not wait for ovs-vswitchd to reconfigure
  --dry-run               do not commit changes to the database
  -t, --timeout=SECS      give up after SECS seconds
  -f, --format=FORMAT     list and find output: table, list, csv, html, json;
                          show output: dot (a Graphviz picture)
  -d, --data=FORMAT       cell format: string, bare, json
  --no-headings           omit column headings
  --pretty                pretty-print JSON output
  --bare                  --format=list --data=bare --no-headings
  -p, --private-key=FILE, -c, --certificate=FILE, -C, --ca-cert=FILE,
  --bootstrap-ca-cert=FILE
                          an ssl: database's key, certificate and CA
  --ssl-protocols=PROTOS  TLS versions (TLSv1.2,TLSv1.3; TLSv1.2+: and later)
  --ssl-ciphers=CIPHERS   TLS 1.2 suites, an OpenSSL cipher list
  -h, --help              this help
  -V, --version           the version
`
