// Package ovstest starts real Open vSwitch servers for tests, the way
// net/http/httptest starts HTTP servers: NewServer runs a private
// ovsdb-server on a fresh database in t.TempDir(), optionally with
// ovs-vswitchd (userspace datapath) in a network namespace of its own,
// returns its endpoint and a connected client, and stops everything it
// started, by pid, when the test ends. A failing test gets the servers' logs.
//
// # Prerequisites
//
// The Open vSwitch binaries (Debian's openvswitch-switch), and root for
// ovs-vswitchd and namespaces. Missing prerequisites skip the test with a
// reason, except when CI=true, where they fail it: a CI run must not pass by
// skipping.
//
// # Debugging
//
// With OVSKIT_KEEP=1 the servers are left running and their paths logged, so
// that `ovs-vsctl --db=unix:PATH show` works after the test.
package ovstest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/ovskit/ovskit/netns"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovsdb"
)

// Need is a prerequisite of a test.
type Need int

// Prerequisites.
const (
	NeedOVSDB    Need = iota // ovsdb-server, ovsdb-tool, ovsdb-client, ovs-vsctl
	NeedVSwitchd             // ovs-vswitchd, and root with namespaces for it
	NeedRoot                 // uid 0
	NeedNetns                // network namespaces: root
)

// InCI reports whether the tests run under CI (CI=true), where missing
// prerequisites are failures.
func InCI() bool { return os.Getenv("CI") == "true" }

// Require skips the test (or fails it under CI=true) unless every need is met.
func Require(t testing.TB, needs ...Need) {
	t.Helper()
	var missing []string
	bins := func(names ...string) {
		for _, n := range names {
			if _, err := exec.LookPath(n); err != nil {
				missing = append(missing, n+" (install openvswitch-switch)")
			}
		}
	}
	for _, n := range needs {
		switch n {
		case NeedOVSDB:
			bins("ovsdb-server", "ovsdb-tool", "ovsdb-client", "ovs-vsctl")
		case NeedVSwitchd:
			bins("ovs-vswitchd")
			if os.Geteuid() != 0 {
				missing = append(missing, "root (ovs-vswitchd runs in a namespace of its own)")
			}
		case NeedRoot:
			if os.Geteuid() != 0 {
				missing = append(missing, "root")
			}
		case NeedNetns:
			if os.Geteuid() != 0 {
				missing = append(missing, "root (network namespaces)")
			}
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "missing prerequisites: " + strings.Join(missing, ", ") + "; run `make deps` (as root)"
	if InCI() {
		t.Fatal(msg + " [CI=true: a missing prerequisite is a failure]")
	}
	t.Skip(msg)
}

// Option configures NewServer.
type Option func(*config)

type config struct {
	vswitchd  bool
	namespace string
	tcp       bool
	ssl       *SSLFiles
	schema    string
	noClient  bool
	noInit    bool
	clientOps []ovsdb.Option
}

// SSLFiles are PEM files for an SSL remote.
type SSLFiles struct{ PrivateKey, Certificate, CACert string }

// WithVSwitchd also starts ovs-vswitchd. It runs in a network namespace: the
// one given by InNamespace, or a fresh one the server creates and deletes,
// so that the tap devices of the userspace datapath never appear in the
// root namespace.
func WithVSwitchd() Option { return func(c *config) { c.vswitchd = true } }

// InNamespace runs the servers inside an existing named network namespace
// (as `ip netns exec NAME` would). The caller owns the namespace.
func InNamespace(name string) Option { return func(c *config) { c.namespace = name } }

// WithTCP also listens on a free TCP port of 127.0.0.1 (Server.TCPEndpoint).
func WithTCP() Option { return func(c *config) { c.tcp = true } }

// WithSSL also listens for SSL on a free port of 127.0.0.1
// (Server.SSLEndpoint), with the given key, certificate and CA.
func WithSSL(f SSLFiles) Option { return func(c *config) { c.ssl = &f } }

// WithSchema creates the database from another schema file.
func WithSchema(path string) Option { return func(c *config) { c.schema = path } }

// WithoutClient skips connecting Server.Client (for tests of Dial itself).
func WithoutClient() Option { return func(c *config) { c.noClient = true } }

// WithoutInit leaves the database empty (no Open_vSwitch row).
func WithoutInit() Option { return func(c *config) { c.noInit = true } }

// WithClientOptions passes options to the Dial of Server.Client.
func WithClientOptions(opts ...ovsdb.Option) Option {
	return func(c *config) { c.clientOps = append(c.clientOps, opts...) }
}

// Server is a running private ovsdb-server (and maybe ovs-vswitchd).
type Server struct {
	// Dir holds the database, sockets, pidfiles and logs.
	Dir string
	// DB is the database file.
	DB string
	// Endpoint is the unix: endpoint of the database.
	Endpoint string
	// TCPEndpoint and SSLEndpoint are set by WithTCP and WithSSL.
	TCPEndpoint, SSLEndpoint string
	// Namespace is the network namespace ovs-vswitchd runs in, if any.
	Namespace string
	// Client is connected to Endpoint (nil with WithoutClient).
	Client *ovsdb.Client

	t        testing.TB
	cfg      config
	db       *proc
	vswitchd *proc
	ownNS    bool
	ns       *netns.NS
}

type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// NewServer starts a server for the test and registers its cleanup.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	Require(t, NeedOVSDB)
	if cfg.vswitchd {
		Require(t, NeedVSwitchd)
	}
	if cfg.namespace != "" {
		Require(t, NeedNetns)
	}
	if cfg.schema == "" {
		cfg.schema = "/usr/share/openvswitch/vswitch.ovsschema"
	}
	// Unix socket paths are limited to 108 bytes: keep the directory short.
	dir, err := os.MkdirTemp("", "ovstest-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, cfg: cfg, Dir: dir, DB: filepath.Join(dir, "conf.db"), Endpoint: "unix:" + filepath.Join(dir, "db.sock")}
	t.Cleanup(s.cleanup)
	if out, err := exec.Command("ovsdb-tool", "create", s.DB, cfg.schema).CombinedOutput(); err != nil {
		t.Fatalf("ovsdb-tool create: %v: %s", err, out)
	}
	s.Namespace = cfg.namespace
	switch {
	case cfg.vswitchd && s.Namespace == "":
		s.Namespace = "ovstest-" + randomHex(4)
		if s.ns, err = netns.Create(s.Namespace); err != nil {
			t.Fatal(err)
		}
		s.ownNS = true
	case s.Namespace != "":
		if s.ns, err = netns.Open(s.Namespace); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.StartDB(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !cfg.noInit {
		c, err := ovsdb.Dial(ctx, s.Endpoint)
		if err != nil {
			t.Fatalf("dial %s: %v", s.Endpoint, err)
		}
		_, err = c.Transact(ctx, ovsdb.Init(), ovsdb.NoWait())
		c.Close()
		if err != nil {
			t.Fatalf("init: %v", err)
		}
	}
	if cfg.vswitchd {
		if err := s.startVSwitchd(); err != nil {
			t.Fatal(err)
		}
	}
	if !cfg.noClient {
		c, err := ovsdb.Dial(ctx, s.Endpoint, cfg.clientOps...)
		if err != nil {
			t.Fatalf("dial %s: %v", s.Endpoint, err)
		}
		s.Client = c
	}
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// command builds a command for the server's private directories.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	// Private run, log and db directories: nothing of the system's OVS.
	cmd.Env = append(os.Environ(), "OVS_RUNDIR="+s.Dir, "OVS_LOGDIR="+s.Dir, "OVS_DBDIR="+s.Dir, "OVS_SYSCONFDIR="+s.Dir)
	// No Pdeathsig: Linux sends it when the forking *thread* exits, which
	// the Go runtime may do at any time; cleanup is by pid in t.Cleanup.
	return cmd
}

func (s *Server) start(name string, args ...string) (*proc, error) {
	log := filepath.Join(s.Dir, name+".log")
	args = append(args,
		"--pidfile="+filepath.Join(s.Dir, name+".pid"),
		"--unixctl="+filepath.Join(s.Dir, name+".ctl"),
		"--log-file="+log, "-vconsole:off", "-vfile:info", "--no-chdir")
	cmd := s.command(name, args...)
	startCmd := cmd.Start
	if s.ns != nil {
		// In the server's namespace, as ip netns exec would.
		startCmd = func() error { return s.ns.Start(cmd) }
	}
	if err := startCmd(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	return p, nil
}

// StartDB starts ovsdb-server on the database (again, after StopDB) and
// waits until it accepts connections.
func (s *Server) StartDB() error {
	args := []string{s.DB, "--remote=punix:" + filepath.Join(s.Dir, "db.sock")}
	if s.cfg.tcp {
		args = append(args, "--remote=ptcp:0:127.0.0.1")
	}
	if f := s.cfg.ssl; f != nil {
		args = append(args, "--remote=pssl:0:127.0.0.1", "--private-key="+f.PrivateKey,
			"--certificate="+f.Certificate, "--ca-cert="+f.CACert)
	}
	// Truncate the old log so that port discovery reads this run's lines.
	logPath := filepath.Join(s.Dir, "ovsdb-server.log")
	if s.db != nil {
		_ = os.Rename(logPath, logPath+fmt.Sprintf(".%d", time.Now().UnixNano()))
	}
	p, err := s.start("ovsdb-server", args...)
	if err != nil {
		return err
	}
	s.db = p
	sock := filepath.Join(s.Dir, "db.sock")
	want := 0
	if s.cfg.tcp {
		want++
	}
	if s.cfg.ssl != nil {
		want++
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		ports := listeningPorts(logPath)
		if acceptsConnections(sock) && len(ports) >= want {
			// Remotes are opened in the order given: tcp first, then ssl.
			if s.cfg.tcp {
				s.TCPEndpoint = "tcp:127.0.0.1:" + ports[0]
				ports = ports[1:]
			}
			if s.cfg.ssl != nil {
				s.SSLEndpoint = "ssl:127.0.0.1:" + ports[0]
			}
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("ovsdb-server exited at start: %s", tail(logPath, 20))
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ovsdb-server did not start listening: %s", tail(logPath, 20))
		}
	}
}

// acceptsConnections reports whether a unix socket is listening (the file
// exists a moment before listen(2) is called).
func acceptsConnections(sock string) bool {
	c, err := net.DialTimeout("unix", sock, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

var listeningRE = regexp.MustCompile(`listening on port (\d+)`)

func listeningPorts(log string) []string {
	f, err := os.Open(log)
	if err != nil {
		return nil
	}
	defer f.Close()
	var ports []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
			ports = append(ports, m[1])
		}
	}
	return ports
}

// StopDB stops ovsdb-server (SIGTERM, then SIGKILL), keeping the database.
func (s *Server) StopDB() { stop(s.db) }

// KillDB kills ovsdb-server with SIGKILL, as a crash would.
func (s *Server) KillDB() {
	if s.db != nil {
		_ = s.db.cmd.Process.Kill()
		<-s.db.done
	}
}

func stop(p *proc) {
	if p == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (s *Server) startVSwitchd() error {
	p, err := s.start("ovs-vswitchd", s.Endpoint, "--disable-system")
	if err != nil {
		return err
	}
	s.vswitchd = p
	// Ready once it has written cur_cfg for the current next_cfg.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := ovsdb.Dial(ctx, s.Endpoint)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = ovsdb.WaitUntil(ctx, c, func(r *ovsdb.OpenVSwitch) bool { return r.CurCfg >= r.NextCfg })
	if err != nil {
		return fmt.Errorf("ovs-vswitchd did not become ready: %w: %s", err, tail(p.log, 20))
	}
	return nil
}

// VSwitchdPID returns the pid of ovs-vswitchd (0 if not started).
func (s *Server) VSwitchdPID() int {
	if s.vswitchd == nil {
		return 0
	}
	return s.vswitchd.cmd.Process.Pid
}

// DBPID returns the pid of ovsdb-server.
func (s *Server) DBPID() int { return s.db.cmd.Process.Pid }

// Vsctl runs the real ovs-vsctl against the server (for comparisons and
// benchmarks) and returns its standard output.
func (s *Server) Vsctl(args ...string) (string, error) {
	args = append([]string{"--db=" + s.Endpoint, "--timeout=30"}, args...)
	cmd := exec.Command("ovs-vsctl", args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("ovs-vsctl %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// Dump returns `ovsdb-client dump` of the whole database: a stable text of
// every row, for before/after comparisons.
func (s *Server) Dump() (string, error) {
	out, err := exec.Command("ovsdb-client", "dump", s.Endpoint, ovsdb.SchemaName).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("ovsdb-client dump: %w: %s", err, out)
	}
	return string(out), nil
}

// Logs returns the last n lines of each server log.
func (s *Server) Logs(n int) string {
	var b strings.Builder
	for _, p := range []*proc{s.db, s.vswitchd} {
		if p != nil {
			fmt.Fprintf(&b, "==> %s <==\n%s\n", p.log, tail(p.log, n))
		}
	}
	return b.String()
}

func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (s *Server) cleanup() {
	if s.t.Failed() {
		s.t.Logf("server logs:\n%s", s.Logs(40))
	}
	if os.Getenv("OVSKIT_KEEP") == "1" {
		s.t.Logf("OVSKIT_KEEP=1: leaving the servers up: ovs-vsctl --db=%s show; namespace %q; dir %s", s.Endpoint, s.Namespace, s.Dir)
		return
	}
	if s.Client != nil {
		s.Client.Close()
	}
	stop(s.vswitchd)
	stop(s.db)
	var errs []error
	if s.ns != nil {
		if s.ownNS {
			if err := s.ns.Delete(); err != nil {
				errs = append(errs, err)
			}
		} else {
			s.ns.Close()
		}
	}
	if err := os.RemoveAll(s.Dir); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		s.t.Errorf("cleanup: %v", err)
	}
}
