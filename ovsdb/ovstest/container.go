package ovstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsproc"
)

// Paths inside the containers. The test's directory is bind-mounted at
// ctrDir: database, sockets and logs are the test's own files, so that
// Endpoint is a unix socket of this machine and Logs reads them.
const (
	ctrDir    = "/run/ovs"
	ctrPidDir = "/run/ovs-pid" // pidfiles stay inside: their pids mean nothing here
	ctrSchema = "/usr/share/openvswitch/vswitch.ovsschema"
	ctrTCP    = "6640" // ports inside the database container's own namespace
	ctrSSL    = "6641"
)

// ErrNoDocker: the container backend found no Docker daemon at DOCKER_HOST
// (or the default socket).
var ErrNoDocker = errors.New("no Docker daemon")

// dockerReachable pings the daemon the client talks to.
func dockerReachable(ctx context.Context) error {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoDocker, err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		return fmt.Errorf("%w: %w", ErrNoDocker, err)
	}
	return nil
}

// requireDocker skips the test (fails it under CI=true) without a Docker
// daemon.
func requireDocker(t testing.TB) {
	t.Helper()
	if err := dockerReachable(context.Background()); err != nil {
		skipOrFail(t, []string{fmt.Sprintf("a Docker daemon at DOCKER_HOST (%v); `go run ./internal/cmd/withdocker -- go test ...` starts a private one", err)})
	}
}

// containers is the container backend's servers: one container for
// ovsdb-server, one for ovs-vswitchd.
type containers struct {
	cli    *testcontainers.DockerClient
	image  string
	dir    string
	cfg    config
	logger tclog.Logger

	mu       sync.Mutex
	db       testcontainers.Container
	vswitchd testcontainers.Container
	fwd      []net.Listener // TCP and SSL forwarders
	stopped  bool
}

// startContainers starts s's daemons in containers and sets its
// endpoints.
func startContainers(ctx context.Context, s *Server, cfg config) error {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoDocker, err)
	}
	c := &containers{cli: cli, image: cfg.image, dir: s.Dir, cfg: cfg, logger: tclog.NewNoopLogger()}
	if s.t != nil {
		c.logger = tclog.TestLogger(s.t)
	}
	s.ctl = c
	if c.image == "" {
		if c.image, err = localImage(ctx, cli.Client); err != nil {
			return err
		}
	}
	// Files the daemons read come into the shared directory.
	if cfg.schema != "" {
		if err := copyFile(cfg.schema, filepath.Join(s.Dir, "schema.ovsschema")); err != nil {
			return err
		}
	}
	if f := cfg.ssl; f != nil {
		for src, dst := range map[string]string{f.PrivateKey: "ssl-key.pem", f.Certificate: "ssl-cert.pem", f.CACert: "ssl-ca.pem"} {
			if err := copyFile(src, filepath.Join(s.Dir, dst)); err != nil {
				return err
			}
		}
	}
	s.Endpoint = "unix:" + filepath.Join(s.Dir, "db.sock")
	if err := c.StartDB(ctx); err != nil {
		return err
	}
	if !cfg.noInit {
		if err := ovsproc.Init(ctx, s.Endpoint); err != nil {
			return err
		}
	}
	if cfg.tcp {
		if s.TCPEndpoint, err = c.forward(ctrTCP, "tcp"); err != nil {
			return err
		}
	}
	if cfg.ssl != nil {
		if s.SSLEndpoint, err = c.forward(ctrSSL, "ssl"); err != nil {
			return err
		}
	}
	if cfg.vswitchd {
		if err := c.startVSwitchd(ctx, s.Endpoint); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o600)
}

// run starts a container of the image running script, with the shared
// directory mounted and no network. privileged grants what ovs-vswitchd's
// userspace datapath needs: NET_ADMIN and NET_RAW, and /dev/net/tun for
// its internal ports; nothing more.
func (c *containers) run(ctx context.Context, name, script string, datapath bool) (testcontainers.Container, error) {
	req := testcontainers.ContainerRequest{
		Image:      c.image,
		Entrypoint: []string{"/bin/sh", "-c", script},
		Env: map[string]string{
			"PATH":       "/usr/sbin:/usr/bin:/sbin:/bin",
			"OVS_RUNDIR": ctrDir, "OVS_LOGDIR": ctrDir, "OVS_DBDIR": ctrDir, "OVS_SYSCONFDIR": ctrDir,
		},
		Labels: map[string]string{"org.ovskit.ovstest.dir": c.dir, "org.ovskit.ovstest.daemon": name},
		HostConfigModifier: func(hc *container.HostConfig) {
			hc.NetworkMode = "none"
			hc.Binds = []string{c.dir + ":" + ctrDir}
			if datapath {
				hc.CapAdd = []string{"NET_ADMIN", "NET_RAW"}
				hc.Devices = []container.DeviceMapping{{PathOnHost: "/dev/net/tun", PathInContainer: "/dev/net/tun", CgroupPermissions: "rwm"}}
			}
		},
	}
	ctr, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{ContainerRequest: req, Started: true, Logger: c.logger})
	if err != nil {
		if ctr != nil {
			_ = testcontainers.TerminateContainer(ctr)
		}
		return nil, fmt.Errorf("container %s (image %s): %w", name, c.image, err)
	}
	return ctr, nil
}

// daemonArgs are the arguments every daemon gets: private files, logs in
// the shared directory.
func daemonArgs(name string) string {
	return fmt.Sprintf("--pidfile=%s/%s.pid --unixctl=%s/%s.ctl --log-file=%s/%s.log -vconsole:off -vfile:info --no-chdir",
		ctrPidDir, name, ctrDir, name, ctrDir, name)
}

// StartDB starts ovsdb-server in a new container on the database in the
// shared directory (created there the first time) and waits until it
// accepts connections.
func (c *containers) StartDB(ctx context.Context) error {
	schema := ctrSchema
	if c.cfg.schema != "" {
		schema = ctrDir + "/schema.ovsschema"
	}
	remotes := "--remote=punix:" + ctrDir + "/db.sock"
	if c.cfg.tcp {
		remotes += " --remote=ptcp:" + ctrTCP + ":127.0.0.1"
	}
	if c.cfg.ssl != nil {
		remotes += fmt.Sprintf(" --remote=pssl:%s:127.0.0.1 --private-key=%s/ssl-key.pem --certificate=%s/ssl-cert.pem --ca-cert=%s/ssl-ca.pem", ctrSSL, ctrDir, ctrDir, ctrDir)
	}
	// Set the old log aside, as the process backend does.
	logPath := filepath.Join(c.dir, "ovsdb-server.log")
	if _, err := os.Stat(logPath); err == nil {
		_ = os.Rename(logPath, logPath+fmt.Sprintf(".%d", time.Now().UnixNano()))
	}
	db := ctrDir + "/conf.db"
	script := fmt.Sprintf("set -e; mkdir -p %s; [ -e %s ] || ovsdb-tool create %s %s; exec ovsdb-server %s %s %s",
		ctrPidDir, db, db, schema, db, remotes, daemonArgs("ovsdb-server"))
	ctr, err := c.run(ctx, "ovsdb-server", script, false)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.db = ctr
	c.mu.Unlock()
	sock := filepath.Join(c.dir, "db.sock")
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var ports []string
	if c.cfg.tcp {
		ports = append(ports, ctrTCP)
	}
	if c.cfg.ssl != nil {
		ports = append(ports, ctrSSL)
	}
	listening := func() bool {
		if !ovsproc.AcceptsConnections(sock) {
			return false
		}
		for _, p := range ports {
			conn, err := c.dialInside(p)
			if err != nil {
				return false
			}
			conn.Close()
		}
		return true
	}
	for {
		if listening() {
			return nil
		}
		if st, err := ctr.State(ctx); err == nil && !st.Running {
			return fmt.Errorf("ovsdb-server: %w at start: %s", ovsproc.ErrExited, c.Logs(20))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("ovsdb-server did not start listening: %w: %s", ctx.Err(), c.Logs(20))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (c *containers) startVSwitchd(ctx context.Context, endpoint string) error {
	script := fmt.Sprintf("mkdir -p %s; exec ovs-vswitchd unix:%s/db.sock --disable-system %s", ctrPidDir, ctrDir, daemonArgs("ovs-vswitchd"))
	ctr, err := c.run(ctx, "ovs-vswitchd", script, true)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.vswitchd = ctr
	c.mu.Unlock()
	exited := make(chan struct{})
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			if st, err := ctr.State(ctx); err != nil || !st.Running {
				close(exited)
				return
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	if err := ovsproc.AwaitVSwitchd(ctx, endpoint, exited); err != nil {
		return fmt.Errorf("%w: %s", err, c.Logs(20))
	}
	return nil
}

// remove kills a container (SIGKILL, or SIGTERM with a grace period) and
// removes it.
func (c *containers) remove(ctr testcontainers.Container, kill bool) {
	if ctr == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if kill {
		_, _ = c.cli.ContainerKill(ctx, ctr.GetContainerID(), client.ContainerKillOptions{Signal: "KILL"})
	}
	_ = ctr.Terminate(ctx, testcontainers.StopTimeout(5*time.Second))
}

// StopDB stops the database container (SIGTERM, then SIGKILL after 5 s).
func (c *containers) StopDB() {
	c.mu.Lock()
	db := c.db
	c.db = nil
	c.mu.Unlock()
	c.remove(db, false)
}

// KillDB kills ovsdb-server with SIGKILL, as a crash would.
func (c *containers) KillDB() {
	c.mu.Lock()
	db := c.db
	c.db = nil
	c.mu.Unlock()
	c.remove(db, true)
}

// pid is a container's main process as this machine sees it.
func pid(ctr testcontainers.Container) int {
	if ctr == nil {
		return 0
	}
	st, err := ctr.State(context.Background())
	if err != nil {
		return 0
	}
	return st.Pid
}

// DBPID is ovsdb-server's pid on this machine (the container's first
// process: SIGSTOP reaches it from here).
func (c *containers) DBPID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return pid(c.db)
}

// VSwitchdPID is ovs-vswitchd's pid on this machine (0 if none).
func (c *containers) VSwitchdPID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return pid(c.vswitchd)
}

// Logs returns the end of each daemon's log file and of its container's
// output (what it wrote before its log file was open).
func (c *containers) Logs(n int) string {
	c.mu.Lock()
	ctrs := map[string]testcontainers.Container{"ovsdb-server": c.db, "ovs-vswitchd": c.vswitchd}
	c.mu.Unlock()
	var b strings.Builder
	for _, name := range []string{"ovsdb-server", "ovs-vswitchd"} {
		p := filepath.Join(c.dir, name+".log")
		if _, err := os.Stat(p); err == nil {
			fmt.Fprintf(&b, "==> %s <==\n%s\n", p, ovsproc.Tail(p, n))
		}
		if ctr := ctrs[name]; ctr != nil {
			if rc, err := ctr.Logs(context.Background()); err == nil {
				out, _ := io.ReadAll(rc)
				rc.Close()
				if len(bytes.TrimSpace(out)) > 0 {
					fmt.Fprintf(&b, "==> container %s output <==\n%s\n", name, ovsproc.LastLines(string(out), n))
				}
			}
		}
	}
	return b.String()
}

// Stop removes the containers (ovs-vswitchd first) and the forwarders. It
// can be called again.
func (c *containers) Stop() {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return
	}
	c.stopped = true
	vs, db, fwd := c.vswitchd, c.db, c.fwd
	c.vswitchd, c.db, c.fwd = nil, nil, nil
	c.mu.Unlock()
	for _, l := range fwd {
		l.Close()
	}
	c.remove(vs, false)
	c.remove(db, false)
	c.cli.Close()
}

// forward makes a remote of the database container reachable from here:
// a listener on a free port of 127.0.0.1 whose connections are relayed to
// the port inside the container's own network namespace (the container
// has no network a host could route to). TLS passes through untouched.
func (c *containers) forward(port, scheme string) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.fwd = append(c.fwd, l)
	c.mu.Unlock()
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			go c.relay(in, port)
		}
	}()
	return fmt.Sprintf("%s:%s", scheme, l.Addr().String()), nil
}

// dialInside connects to a port of 127.0.0.1 inside the database
// container's network namespace.
func (c *containers) dialInside(port string) (net.Conn, error) {
	pid := c.DBPID()
	if pid == 0 {
		return nil, errors.New("the database container does not run")
	}
	ns, err := netns.OpenPid(pid)
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	var conn net.Conn
	err = ns.Do(func() error {
		var err error
		conn, err = net.DialTimeout("tcp", "127.0.0.1:"+port, 5*time.Second)
		return err
	})
	return conn, err
}

func (c *containers) relay(in net.Conn, port string) {
	defer in.Close()
	out, err := c.dialInside(port)
	if err != nil {
		return
	}
	defer out.Close()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(out, in)
	go pipe(in, out)
	<-done
	<-done
}
