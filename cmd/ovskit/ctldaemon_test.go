package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// asMain is the environment variable that makes the test binary the
// ovskit command (TestMain), for tests that run it as a process: a
// daemon that starts itself again with --detach cannot be a function.
const asMain = "OVSKIT_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// daemonStep is one command run while an ovn-nbctl daemon runs: a
// client's line (through OVN_NB_DAEMON unless env says otherwise), or
// another program (ovn-appctl).
type daemonStep struct {
	prog string // "" for ovn-nbctl
	args []string
	env  []string
	// restart: the database server restarts first (the daemon reconnects).
	restart bool
}

// TestNbctlDaemon: ovskit's ovn-nbctl daemon mode next to ovn-nbctl's.
// Each runs as `ovn-nbctl --pidfile --detach --no-chdir --log-file` on a
// fresh Northbound database of its own; the same lines then go through
// each daemon (OVN_NB_DAEMON, --unixctl, ovn-appctl -t ovn-nbctl run),
// and every step must print the same, exit the same, and log the same
// lines in the daemon's log; at the end both have removed their socket
// and pidfile.
func TestNbctlDaemon(t *testing.T) {
	ovstest.Require(t, ovstest.NeedOVSDB)
	ovstest.RequireTools(t, "ovn-nbctl", "ovn-appctl")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ours := t.TempDir()
	if err := os.Symlink(exe, filepath.Join(ours, "ovn-nbctl")); err != nil {
		t.Fatal(err)
	}
	steps := []daemonStep{
		{args: []string{"init"}},
		{args: []string{"ls-add", "sw0"}},
		{args: []string{"ls-add", "sw0"}},
		{args: []string{"--may-exist", "--", "ls-add", "sw0"}},
		{args: []string{"--may-exist", "--", "--", "ls-add", "sw0"}},
		{args: []string{}},
		{args: []string{"--bogus", "ls-list"}},
		{args: []string{"bogus"}},
		{args: []string{"--oneline", "ls-list", "--", "ls-list"}},
		{args: []string{"--bare", "--columns=name", "list", "Logical_Switch", "sw0"}},
		{args: []string{"-f", "csv", "--columns=name", "find", "Logical_Switch", "name=sw0"}},
		{args: []string{"-t", "0", "ls-list"}},
		{args: []string{"ls-add", "b c", "--", "lsp-add", "b c", "p1", "--", "lsp-list", "b c"}},
		{args: []string{"-vinfo", "--leader-only", "ls-list"}},
		{args: []string{"--dry-run", "ls-add", "sw9", "--", "ls-list"}},
		{args: []string{"--wait=none", "lsp-add", "sw0", "p0", "--", "lsp-set-addresses", "p0", "00:00:00:00:00:01 10.0.0.1"}},
		{args: []string{"lsp-get-addresses", "p0"}},
		{args: []string{"ls-list"}, env: []string{"OVN_NB_DAEMON=DIR/nonexistent.ctl"}},
		{args: []string{"--unixctl=SOCK", "ls-list"}, env: []string{"OVN_NB_DAEMON="}},
		{args: []string{"--db=DB", "ls-list"}},
		{args: []string{"ls-list", "--", "ls-list"}, env: []string{"OVN_NBCTL_OPTIONS=--oneline '--format=csv'"}},
		{prog: "ovn-appctl", args: []string{"-t", "ovn-nbctl", "run", "--", "lsp-list", "sw0"}},
		{prog: "ovn-appctl", args: []string{"-t", "ovn-nbctl", "run", "--db=x", "--", "ls-list"}},
		{prog: "ovn-appctl", args: []string{"-t", "ovn-nbctl", "run"}},
		{restart: true, args: []string{"ls-del", "b c", "--", "ls-list"}},
		{args: []string{"--detach", "ls-list"}, env: []string{"OVN_NB_DAEMON="}},
		{args: []string{"--pidfile", "--detach", "--no-chdir"}, env: []string{"OVN_NB_DAEMON="}},
		{prog: "ovn-appctl", args: []string{"-t", "ovn-nbctl", "exit"}},
	}
	ref := daemonTranscript(t, "/usr/bin", nil, steps)
	got := daemonTranscript(t, ours, []string{asMain + "=1"}, steps)
	if len(ref) != len(got) {
		t.Fatalf("ovn-nbctl's transcript has %d parts, ovskit's %d", len(ref), len(got))
	}
	for i := range ref {
		if ref[i] != got[i] {
			t.Errorf("ovn-nbctl:\n%s\novskit:\n%s", ref[i], got[i])
		}
	}
}

var (
	logStamp = regexp.MustCompile(`(?m)^20[0-9T:.-]+Z\|[0-9]+\|`)
	pidRE    = regexp.MustCompile(`pid [0-9]+`)
)

// daemonTranscript starts the ovn-nbctl found in bin as a daemon on a
// fresh database, runs the steps and returns what each printed, then the
// daemon's log (the lines that say what it ran) and what it left in its
// run directory once it exited, with what differs from one run to the
// next (UUIDs, paths, pids, times) replaced by names.
func daemonTranscript(t *testing.T, bin string, env []string, steps []daemonStep) []string {
	t.Helper()
	srv := nbServer(t, installedNBSchema)
	dir := t.TempDir()
	env = append(append(os.Environ(), env...), "PATH="+bin+":/usr/bin:/usr/sbin:/bin:/sbin", "OVN_RUNDIR="+dir,
		"OVS_RUNDIR="+dir, "OVS_LOGDIR="+dir, "OVN_NB_DB="+srv.Endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	run := func(prog string, args, more []string) (int, string, string) {
		cmd := exec.CommandContext(ctx, prog, args...)
		cmd.Env = append(slices.Clone(env), more...)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			return ee.ExitCode(), out.String(), errb.String()
		case err != nil:
			t.Fatalf("%s %v: %v", prog, args, err)
		}
		return 0, out.String(), errb.String()
	}
	code, out, errs := run("ovn-nbctl", []string{"--pidfile", "--detach", "--no-chdir", "--log-file", "-vsocket_util:off"}, nil)
	sock := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(sock, dir+"/ovn-nbctl.") {
		t.Fatalf("%s/ovn-nbctl --detach: exit %d, stdout %q, stderr %q", bin, code, out, errs)
	}
	pidfile := filepath.Join(dir, "ovn-nbctl.pid")
	t.Cleanup(func() {
		// Our own daemon, by its pid, if it did not exit.
		if b, err := os.ReadFile(pidfile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && lockedBy(pidfile) == pid {
				_ = syscall.Kill(pid, syscall.SIGTERM)
			}
		}
	})
	normalize := func(s string) string {
		s = strings.ReplaceAll(s, sock, "SOCK")
		s = strings.ReplaceAll(s, dir, "DIR")
		s = strings.ReplaceAll(s, srv.Endpoint, "DB")
		s = logStamp.ReplaceAllString(s, "")
		s = pidRE.ReplaceAllString(s, "pid N")
		return uuidRE.ReplaceAllString(s, "<uuid>")
	}
	var parts []string
	for _, st := range steps {
		if st.restart {
			if err := srv.RestartDB(ctx); err != nil {
				t.Fatal(err)
			}
		}
		prog, more := "ovn-nbctl", []string{"OVN_NB_DAEMON=" + sock}
		if st.prog != "" {
			prog = st.prog
		}
		for _, e := range st.env {
			more = append(more, strings.NewReplacer("DIR", dir).Replace(e))
		}
		args := make([]string, len(st.args))
		for i, a := range st.args {
			args[i] = strings.NewReplacer("SOCK", sock, "DB", srv.Endpoint).Replace(a)
		}
		code, out, errs := run(prog, args, more)
		parts = append(parts, normalize(fmt.Sprintf("%s %q %q: exit %d\nstdout:\n%sstderr:\n%s", prog, st.args, st.env, code, out, errs)))
	}
	// The daemon exited (the last step): its socket and pidfile are gone.
	deadline := time.Now().Add(10 * time.Second)
	for lockedBy(pidfile) != 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "ovn-nbctl*"))
	parts = append(parts, normalize(fmt.Sprintf("left in the run directory: %q", left)))
	b, err := os.ReadFile(filepath.Join(dir, "ovn-nbctl.log"))
	if err != nil {
		t.Fatal(err)
	}
	var ran []string
	for _, l := range strings.Split(normalize(string(b)), "\n") {
		if strings.Contains(l, "Running command") || strings.Contains(l, "|WARN|") || strings.Contains(l, "|ERR|") {
			ran = append(ran, l)
		}
	}
	return append(parts, "log:\n"+strings.Join(ran, "\n"))
}

// TestDaemonHelpers: the pieces of daemon mode, each as Open vSwitch's
// have it: the words of OVN_NBCTL_OPTIONS, the command lines the log
// quotes, the commands that only read (logged at debug), the first
// command's options before a "--".
func TestDaemonHelpers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  --oneline   -t 5 ", []string{"--oneline", "-t", "5"}},
		{`'a b' "c d" e\ f`, []string{"a b", "c d", "e f"}},
		{`"a\"b" 'a\b'`, []string{`a"b`, `a\b`}},
		{`x"y z"w`, []string{"xy zw"}},
		{`"it's"`, []string{"its"}}, // a quote opens inside the other (svec_parse_words)
	} {
		if got := parseWords(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("parseWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := escapeArgs([]string{"run", "--", "ls-add", "b c", `x"y`, `a\b`}); got != `run -- ls-add "b c" "x\"y" "a\\b"` {
		t.Errorf("escapeArgs: %s", got)
	}
	// ovn-nbctl 23.03's RO commands, and some RW ones (its command table).
	for _, n := range []string{"sync", "show", "ls-list", "acl-list", "qos-list", "mirror-list", "meter-list", "lsp-list",
		"lsp-get-parent", "lsp-get-tag", "lsp-get-addresses", "lsp-get-port-security", "lsp-get-up", "lsp-get-enabled",
		"lsp-get-type", "lsp-get-options", "lsp-get-dhcpv4-options", "lsp-get-dhcpv6-options", "lsp-get-ls",
		"fwd-group-list", "lr-list", "lrp-get-gateway-chassis", "lrp-list", "lrp-get-enabled", "lrp-get-redirect-type",
		"lr-route-list", "lr-policy-list", "lr-nat-list", "lb-list", "lr-lb-list", "ls-lb-list", "dhcp-options-list",
		"dhcp-options-get-options", "copp-list", "get-connection", "get-ssl", "ha-chassis-group-list",
		"static-mac-binding-list", "get", "list", "find", "wait-until", "comment"} {
		if !readOnly(n) {
			t.Errorf("%s: read-only in ovn-nbctl, not here", n)
		}
		if _, ok := nbctlTool.commands[n]; !ok {
			t.Errorf("%s: no such command", n)
		}
	}
	for _, n := range []string{"init", "ls-add", "lsp-set-addresses", "lrp-set-gateway-chassis", "set-connection",
		"set-ssl", "pg-set-ports", "ha-chassis-group-set-chassis-prio", "set", "create", "destroy", "lr-nat-update-ext-ip"} {
		if readOnly(n) {
			t.Errorf("%s: writes in ovn-nbctl, read-only here", n)
		}
	}
	inv, err := nbctlTool.parse([]string{"--may-exist", "--", "ls-add", "sw0"})
	if err != nil || len(inv.cmds) != 1 || !inv.cmds[0].has("--may-exist") {
		t.Errorf("--may-exist -- ls-add sw0: %v, %+v", err, inv)
	}
	if _, err := nbctlTool.parse([]string{"--may-exist", "--", "--may-exist", "ls-add", "sw0"}); err == nil ||
		err.Error() != "'--may-exist' option specified multiple times" {
		t.Errorf("--may-exist given twice across the --: %v", err)
	}
}

// TestDaemonFiles: what a daemon writes as root is never written through
// what another user could have put there.
func TestDaemonFiles(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A pidfile that is a link: replaced, the file it names untouched.
	pidfile := filepath.Join(dir, "d.pid")
	if err := os.Symlink(victim, pidfile); err != nil {
		t.Fatal(err)
	}
	remove, err := writePidfile(pidfile, false)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep\n" {
		t.Errorf("written through the link: %q", b)
	}
	if fi, err := os.Lstat(pidfile); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("pidfile: %v, %v", fi, err)
	}
	// (Its lock, which this process cannot see, is what ovn-appctl finds
	// the daemon by in TestNbctlDaemon.)
	remove()
	if _, err := os.Lstat(pidfile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pidfile left: %v", err)
	}
	// A log file that is a link: refused.
	logfile := filepath.Join(dir, "d.log")
	if err := os.Symlink(victim, logfile); err != nil {
		t.Fatal(err)
	}
	if f, err := openLogFile(logfile); err == nil {
		f.Close()
		t.Error("opened a log file through a link")
	}
	f, err := openLogFile(filepath.Join(dir, "ok.log"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestNbctlDaemonAsOvskit: `ovskit nbctl --detach` starts the same
// daemon (as ovn-nbctl: its socket, pidfile and log are ovn-nbctl's), and
// OVN_NBCTL_OPTIONS is read once, not again by the daemon.
func TestNbctlDaemonAsOvskit(t *testing.T) {
	ovstest.Require(t, ovstest.NeedOVSDB)
	ovstest.RequireTools(t, "ovn-appctl")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(exe, filepath.Join(bin, "ovskit")); err != nil {
		t.Fatal(err)
	}
	srv := nbServer(t, installedNBSchema)
	dir := t.TempDir()
	env := append(os.Environ(), asMain+"=1", "OVN_RUNDIR="+dir, "OVS_LOGDIR="+dir, "OVN_NB_DB="+srv.Endpoint,
		"OVN_NBCTL_OPTIONS=--log-file="+filepath.Join(dir, "given.log"))
	ovskit := func(extra []string, args ...string) (string, error) {
		cmd := exec.Command(filepath.Join(bin, "ovskit"), args...)
		cmd.Env = append(slices.Clone(env), extra...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := ovskit(nil, "nbctl", "--pidfile", "--detach", "--no-chdir")
	sock := strings.TrimSpace(out)
	if err != nil || !strings.HasPrefix(sock, dir+"/ovn-nbctl.") {
		t.Fatalf("ovskit nbctl --detach: %v: %s", err, out)
	}
	pidfile := filepath.Join(dir, "ovn-nbctl.pid")
	t.Cleanup(func() {
		if b, err := os.ReadFile(pidfile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && lockedBy(pidfile) == pid {
				_ = syscall.Kill(pid, syscall.SIGTERM)
			}
		}
	})
	if out, err := ovskit([]string{"OVN_NB_DAEMON=" + sock}, "nbctl", "ls-add", "sw0", "--", "ls-list"); err != nil ||
		!strings.HasSuffix(out, " (sw0)\n") {
		t.Fatalf("through the daemon: %v: %q", err, out)
	}
	cmd := exec.Command("ovn-appctl", "-t", "ovn-nbctl", "exit")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ovn-appctl exit: %v: %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "given.log"))
	if err != nil || !strings.Contains(string(b), "|ovn_dbctl|INFO|Running command run -- ls-add sw0 -- ls-list") {
		t.Errorf("the log OVN_NBCTL_OPTIONS named: %v\n%s", err, b)
	}
}
