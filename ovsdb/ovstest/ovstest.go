// Package ovstest starts real Open vSwitch servers for tests, the way
// net/http/httptest starts HTTP servers: NewServer runs a private
// ovsdb-server on a fresh database in a private directory, optionally with
// ovs-vswitchd (userspace datapath), returns its endpoint and a connected
// client, and stops everything it started when the test ends. A failing
// test gets the servers' logs.
//
// # Backends
//
// The daemons run as local processes (ProcessBackend, the default;
// ovs-vswitchd in a network namespace of its own) or in Docker containers
// through testcontainers-go (ContainerBackend: one container per daemon,
// no network, the directory bind-mounted so that Endpoint is a unix socket
// of this machine). WithBackend picks one for a server; OVSKIT_HARNESS
// (HarnessEnv) picks the default for a whole test run. Both give the same
// Server: endpoints, client, logs, and the fault methods (KillDB, StartDB,
// DBPID, ...).
//
// # Prerequisites
//
// The process backend needs the Open vSwitch binaries (Debian's
// openvswitch-switch), and root for ovs-vswitchd and namespaces; the
// container backend needs a Docker daemon at DOCKER_HOST (and the Open
// vSwitch binaries to build its image from, unless WithImage names one).
// Missing prerequisites skip the test with a reason, except when CI=true,
// where they fail it: a CI run must not pass by skipping.
//
// # Debugging
//
// With OVSKIT_KEEP=1 the servers are left running and their paths logged, so
// that `ovs-vsctl --db=unix:PATH show` works after the test.
package ovstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovskit/ovskit/internal/rootdir"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsproc"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Need is a prerequisite of a test.
type Need int

// Prerequisites.
const (
	NeedOVSDB     Need = iota // ovsdb-server, ovsdb-tool, ovsdb-client, ovs-vsctl
	NeedVSwitchd              // ovs-vswitchd, and root with namespaces for it
	NeedRoot                  // uid 0
	NeedNetns                 // network namespaces: root
	NeedOVN                   // ovn-northd, ovn-nbctl, ovn-sbctl and the NB/SB schemas (ovn-central)
	NeedOVSSource             // Open vSwitch's source (openvswitch-source): its test suite's data
)

// OVSSource is where Debian's openvswitch-source puts the source of the
// installed Open vSwitch; tests read the test suite's data from it.
const OVSSource = "/usr/src/openvswitch/openvswitch.tar.gz"

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
		case NeedOVSSource:
			if _, err := os.Stat(OVSSource); err != nil {
				missing = append(missing, OVSSource+" (install openvswitch-source)")
			}
		case NeedOVN:
			for _, n := range []string{"ovn-northd", "ovn-nbctl", "ovn-sbctl"} {
				if _, err := exec.LookPath(n); err != nil {
					missing = append(missing, n+" (install ovn-central)")
				}
			}
			for _, s := range []string{ovsproc.DefaultNBSchema, ovsproc.DefaultSBSchema} {
				if _, err := os.Stat(s); err != nil {
					missing = append(missing, s+" (install ovn-common)")
				}
			}
		}
	}
	skipOrFail(t, missing)
}

// RequireTools skips the test (or fails it under CI=true) unless every
// named program is on PATH (scripts/deps.sh installs them).
func RequireTools(t testing.TB, names ...string) {
	t.Helper()
	var missing []string
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			missing = append(missing, n)
		}
	}
	skipOrFail(t, missing)
}

func skipOrFail(t testing.TB, missing []string) {
	t.Helper()
	if len(missing) == 0 {
		return
	}
	msg := "missing prerequisites: " + strings.Join(missing, ", ") + "; run `make deps` (as root)"
	if InCI() {
		t.Fatal(msg + " [CI=true: a missing prerequisite is a failure]")
	}
	t.Skip(msg)
}

// Backend is where a Server's daemons run.
type Backend int

const (
	// ProcessBackend runs them as local processes (Open vSwitch installed,
	// root for ovs-vswitchd): the default.
	ProcessBackend Backend = iota
	// ContainerBackend runs them in Docker containers through
	// testcontainers-go: each daemon in a container of its own with no
	// network (NetworkMode none), the database and sockets in a
	// bind-mounted directory of the test's. The image is built offline
	// from the local Open vSwitch install (cached by content), or given
	// with WithImage (docs/Dockerfile.ovs builds one where Docker can
	// pull).
	ContainerBackend
)

// String returns the backend's name, as OVSKIT_HARNESS takes it.
func (b Backend) String() string {
	if b == ContainerBackend {
		return "container"
	}
	return "process"
}

// HarnessEnv names the environment variable that picks the default
// backend: "process" (or unset) or "container".
const HarnessEnv = "OVSKIT_HARNESS"

// defaultBackend reads HarnessEnv.
func defaultBackend() (Backend, error) {
	switch v := os.Getenv(HarnessEnv); v {
	case "", "process":
		return ProcessBackend, nil
	case "container":
		return ContainerBackend, nil
	default:
		return 0, fmt.Errorf("%s=%q: want process or container: %w", HarnessEnv, v, ovsdb.ErrInvalid)
	}
}

// WithBackend runs the servers on b instead of the backend HarnessEnv
// names.
func WithBackend(b Backend) Option {
	return func(c *config) error {
		if b != ProcessBackend && b != ContainerBackend {
			return fmt.Errorf("backend %d: %w", b, ovsdb.ErrInvalid)
		}
		c.backend = b
		return nil
	}
}

// WithImage runs the container backend's daemons from this image (one with
// ovsdb-server, ovsdb-tool, ovs-vswitchd, /bin/sh and the schemas in
// /usr/share/openvswitch, such as docs/Dockerfile.ovs builds) instead of
// one built from the local install.
func WithImage(ref string) Option {
	return func(c *config) error {
		if ref == "" {
			return fmt.Errorf("image: empty reference: %w", ovsdb.ErrInvalid)
		}
		c.image = ref
		return nil
	}
}

// newConfig applies the options to the defaults and checks the result.
func newConfig(opts []Option) (config, error) {
	var cfg config
	var err error
	if cfg.backend, err = defaultBackend(); err != nil {
		return cfg, err
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return cfg, err
		}
	}
	if cfg.backend == ContainerBackend && cfg.namespace != "" {
		return cfg, fmt.Errorf("InNamespace with the container backend (its daemons run in their containers' namespaces): %w", ovsdb.ErrInvalid)
	}
	return cfg, nil
}

// Option configures NewServer.
type Option func(*config) error

type config struct {
	backend   Backend
	image     string
	vswitchd  bool
	namespace string
	tcp       bool
	ssl       *ovsproc.SSLFiles
	schema    string
	noClient  bool
	noInit    bool
	nsPrefix  string
	clientOps []ovsdb.Option
}

// SSLFiles are PEM files for an SSL remote.
type SSLFiles = ovsproc.SSLFiles

// WithVSwitchd also starts ovs-vswitchd. It runs in a network namespace: the
// one given by InNamespace, or a fresh one the server creates and deletes,
// so that the tap devices of the userspace datapath never appear in the
// root namespace.
func WithVSwitchd() Option { return func(c *config) error { c.vswitchd = true; return nil } }

// InNamespace runs the servers inside an existing named network namespace
// (as `ip netns exec NAME` would). The caller owns the namespace.
func InNamespace(name string) Option { return func(c *config) error { c.namespace = name; return nil } }

// WithTCP also listens on a free TCP port of 127.0.0.1 (Server.TCPEndpoint).
func WithTCP() Option { return func(c *config) error { c.tcp = true; return nil } }

// WithSSL also listens for SSL on a free port of 127.0.0.1
// (Server.SSLEndpoint), with the given key, certificate and CA.
func WithSSL(f SSLFiles) Option { return func(c *config) error { c.ssl = &f; return nil } }

// WithSchema creates the database from another schema file.
func WithSchema(path string) Option { return func(c *config) error { c.schema = path; return nil } }

// WithoutClient skips connecting Server.Client (for tests of Dial itself).
func WithoutClient() Option { return func(c *config) error { c.noClient = true; return nil } }

// WithoutInit leaves the database empty (no Open_vSwitch row).
func WithoutInit() Option { return func(c *config) error { c.noInit = true; return nil } }

// WithNamespacePrefix names the namespace the server creates for
// ovs-vswitchd PREFIX plus random hex (default "ovstest-"), so that a
// test suite can tell its namespaces apart. The prefix is at most 15 of
// [A-Za-z0-9_-].
func WithNamespacePrefix(prefix string) Option {
	return func(c *config) error {
		if !netns.SafeName(prefix) {
			return fmt.Errorf("namespace prefix %q: want 1 to 15 of [A-Za-z0-9_-]: %w", prefix, ovsdb.ErrInvalid)
		}
		c.nsPrefix = prefix
		return nil
	}
}

// WithClientOptions passes options to the Dial of Server.Client.
func WithClientOptions(opts ...ovsdb.Option) Option {
	return func(c *config) error { c.clientOps = append(c.clientOps, opts...); return nil }
}

// Server is a running private ovsdb-server (and maybe ovs-vswitchd) bound
// to a test, as local processes or in containers (Backend). Its methods
// StopDB, KillDB, StartDB, RestartDB, DBPID and VSwitchdPID let a test
// inject faults on either backend; Endpoint, TCPEndpoint and SSLEndpoint
// are where it listens.
type Server struct {
	// Backend is where the servers run.
	Backend Backend
	// OVS is the process backend's servers (nil with containers).
	OVS *ovsproc.OVS
	// Endpoint is the unix: endpoint of the database; TCPEndpoint and
	// SSLEndpoint are set when WithTCP and WithSSL ask for them.
	Endpoint, TCPEndpoint, SSLEndpoint string
	// DB is the database file (in Dir, on either backend).
	DB string
	// Dir holds the database, sockets, pidfiles and logs.
	Dir string
	// Namespace is the network namespace ovs-vswitchd runs in, if any.
	Namespace string
	// Client is connected to Endpoint (nil with WithoutClient). Without
	// ovs-vswitchd it is made WithNoWait: no transaction waits for a
	// daemon that is not there.
	Client *ovsdb.Client

	t         testing.TB // nil for Start
	ctl       control    // the backend's servers
	ownNS     bool
	ns        *netns.NS
	closeOnce sync.Once
	closeErr  error
}

// NewServer starts a server for the test and registers its cleanup.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg, err := newConfig(opts)
	if err != nil {
		t.Fatalf("ovstest: %v", err)
	}
	switch {
	case cfg.backend == ContainerBackend:
		if cfg.image == "" {
			Require(t, NeedOVSDB) // the image is built from the local install
		}
		requireDocker(t)
	default:
		Require(t, NeedOVSDB)
		if cfg.vswitchd {
			Require(t, NeedVSwitchd)
		}
		if cfg.namespace != "" {
			Require(t, NeedNetns)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := start(ctx, cfg)
	if s != nil {
		s.t = t
		t.Cleanup(s.cleanup)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Start starts a server outside a test, for a program or a runnable
// Example: the same server as NewServer's, stopped by Close. Missing
// prerequisites are errors.
func Start(ctx context.Context, opts ...Option) (*Server, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("ovstest: %w", err)
	}
	s, err := start(ctx, cfg)
	if err != nil {
		if s != nil {
			err = errors.Join(err, s.Close())
		}
		return nil, err
	}
	return s, nil
}

// Close stops the servers and removes what they made (namespace,
// directory). It can be called again.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.Client != nil {
			s.Client.Close()
		}
		if s.ctl != nil {
			s.ctl.Stop()
		}
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
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// start starts the servers; on error it returns what it started, for
// the caller to close.
func start(ctx context.Context, cfg config) (*Server, error) {
	if removed, err := RemoveLeftovers(); err == nil && len(removed) > 0 {
		// Outside the test log too, so that `make test` shows it (on stderr:
		// an Example compares stdout).
		fmt.Fprintf(os.Stderr, "ovstest: removed what a killed test run left: %s\n", strings.Join(removed, "; "))
	}
	// Unix socket paths are limited to 108 bytes: keep the directory short.
	dir, err := os.MkdirTemp("", dirPattern)
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, Namespace: cfg.namespace, Backend: cfg.backend, DB: filepath.Join(dir, "conf.db")}
	if err := rootdir.WriteOwner(dir); err != nil {
		return s, err
	}
	switch {
	case s.Backend == ContainerBackend:
		// ovs-vswitchd runs in its container's own network namespace.
	case cfg.vswitchd && s.Namespace == "":
		prefix := cfg.nsPrefix
		if prefix == "" {
			prefix = "ovstest-"
		}
		s.Namespace = prefix + randomHex(4)
		if s.ns, err = netns.Create(s.Namespace); err != nil {
			return s, err
		}
		s.ownNS = true
		if err := recordNamespace(dir, s.ns); err != nil {
			return s, err
		}
	case s.Namespace != "":
		if s.ns, err = netns.Open(s.Namespace); err != nil {
			return s, err
		}
	}
	if s.Backend == ContainerBackend {
		if err := startContainers(ctx, s, cfg); err != nil {
			return s, err
		}
	} else {
		if s.OVS, err = ovsproc.Start(ctx, ovsproc.Config{
			Dir: dir, NS: s.ns, Schema: cfg.schema, VSwitchd: cfg.vswitchd,
			TCP: cfg.tcp, SSL: cfg.ssl, NoInit: cfg.noInit,
		}); err != nil {
			return s, err
		}
		s.ctl = s.OVS
		s.Endpoint, s.TCPEndpoint, s.SSLEndpoint = s.OVS.Endpoint, s.OVS.TCPEndpoint, s.OVS.SSLEndpoint
	}
	if !cfg.noClient {
		opts := cfg.clientOps
		if !cfg.vswitchd {
			// No ovs-vswitchd will ever apply a change: do not wait for one.
			opts = append([]ovsdb.Option{ovsdb.WithNoWait()}, opts...)
		}
		c, err := ovsdb.Dial(ctx, s.Endpoint, append([]ovsdb.Option{ovsdb.WithDatabase(vswitchdb.Database())}, opts...)...)
		if err != nil {
			return s, fmt.Errorf("dial %s: %w", s.Endpoint, err)
		}
		s.Client = c
	}
	return s, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

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
	out, err := exec.Command("ovsdb-client", "dump", s.Endpoint, vswitchdb.SchemaName).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("ovsdb-client dump: %w: %s", err, out)
	}
	return string(out), nil
}

func (s *Server) cleanup() {
	if s.t.Failed() && s.ctl != nil {
		s.t.Logf("server logs:\n%s", s.Logs(40))
	}
	if os.Getenv("OVSKIT_KEEP") == "1" {
		s.t.Logf("OVSKIT_KEEP=1: leaving the servers up: ovs-vsctl --db=%s show; namespace %q; dir %s", s.Endpoint, s.Namespace, s.Dir)
		return
	}
	if err := s.Close(); err != nil {
		s.t.Errorf("cleanup: %v", err)
	}
}

// dirPattern names the servers' directories in os.TempDir().
const dirPattern = "ovstest-*"

// nsFile, in a server's directory, records the namespace the server
// created for ovs-vswitchd: "NAME ID" (netns.NS.ID).
const nsFile = "namespace"

func recordNamespace(dir string, ns *netns.NS) error {
	id, err := ns.ID()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, nsFile), fmt.Appendf(nil, "%s %s\n", ns.Name, id), 0o600)
}

// RemoveLeftovers removes what servers of test processes that no longer
// run left behind (a test binary killed by a timeout, Ctrl-C or a
// mutation-testing tool never runs its cleanups): it stops their
// ovsdb-server and ovs-vswitchd (by the pids in their pidfiles, only
// processes whose command line names the server's directory), deletes the
// namespace the server created (only if it is still that namespace) and
// the directory, and returns what it removed. Only directories this user
// owns with mode 0700 are considered; one whose test still runs is left
// alone. NewServer calls it; it is safe to call concurrently.
func RemoveLeftovers() ([]string, error) {
	unlock, err := rootdir.Lock(os.TempDir())
	if err != nil {
		return nil, err
	}
	defer unlock()
	dirs, err := filepath.Glob(filepath.Join(os.TempDir(), dirPattern))
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, dir := range dirs {
		if rootdir.Check(dir) != nil {
			continue // not this user's own: never acted on
		}
		if alive, err := rootdir.OwnerAlive(dir); alive || err != nil {
			continue
		}
		what, err := removeLeftover(dir)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", dir, err))
		}
		removed = append(removed, what)
	}
	return removed, errors.Join(errs...)
}

func removeLeftover(dir string) (string, error) {
	var pids []int
	pidfiles, _ := filepath.Glob(filepath.Join(dir, "*.pid"))
	for _, f := range pidfiles {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && rootdir.CommandNames(pid, dir) {
			pids = append(pids, pid)
		}
	}
	rootdir.StopPids(context.Background(), pids)
	what := fmt.Sprintf("%s (%d processes", dir, len(pids))
	var errs []error
	if b, err := os.ReadFile(filepath.Join(dir, nsFile)); err == nil {
		name, id, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
		if ns, err := netns.Open(name); err == nil {
			if got, _ := ns.ID(); got == id {
				if err := ns.Delete(); err != nil {
					errs = append(errs, err)
				}
				what += ", namespace " + name
			} else {
				ns.Close()
			}
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		errs = append(errs, err)
	}
	return what + ")", errors.Join(errs...)
}

// control is what a backend does with its servers.
type control interface {
	StartDB(ctx context.Context) error
	StopDB()
	KillDB()
	DBPID() int
	VSwitchdPID() int
	Logs(n int) string
	Stop()
}

// RestartDB stops ovsdb-server and starts it again on the same database.
func (s *Server) RestartDB(ctx context.Context) error {
	s.ctl.StopDB()
	return s.StartDB(ctx)
}

// StartDB starts ovsdb-server again on the same database (after StopDB
// or KillDB) and waits until it listens.
func (s *Server) StartDB(ctx context.Context) error { return s.ctl.StartDB(ctx) }

// StopDB stops ovsdb-server (SIGTERM, then SIGKILL), keeping the database.
func (s *Server) StopDB() { s.ctl.StopDB() }

// KillDB kills ovsdb-server with SIGKILL, as a crash would.
func (s *Server) KillDB() { s.ctl.KillDB() }

// DBPID is ovsdb-server's pid, as this program sees it (for SIGSTOP).
func (s *Server) DBPID() int { return s.ctl.DBPID() }

// VSwitchdPID is ovs-vswitchd's pid (0 without WithVSwitchd).
func (s *Server) VSwitchdPID() int { return s.ctl.VSwitchdPID() }

// Logs returns the last n lines of each server's log.
func (s *Server) Logs(n int) string { return s.ctl.Logs(n) }

// VSwitchdCtl is ovs-vswitchd's control socket (for package appctl).
func (s *Server) VSwitchdCtl() string { return filepath.Join(s.Dir, "ovs-vswitchd.ctl") }

// DBCtl is ovsdb-server's control socket.
func (s *Server) DBCtl() string { return filepath.Join(s.Dir, "ovsdb-server.ctl") }

// RootState describes the machine's own network namespace (the one this
// program runs in): its links, and its forwarding sysctls. Tests take it
// before and after what they do, to show that nothing changed it.
func RootState() ([]string, error) {
	entries, err := os.ReadDir("/sys/class/net")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		out = append(out, "link "+e.Name())
	}
	for _, p := range []string{"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv4/conf/all/forwarding", "/proc/sys/net/ipv6/conf/all/forwarding"} {
		if b, err := os.ReadFile(p); err == nil {
			out = append(out, p+"="+strings.TrimSpace(string(b)))
		}
	}
	return out, nil
}
