package ovsproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// DefaultSchema is the schema Debian's openvswitch-switch installs.
const DefaultSchema = "/usr/share/openvswitch/vswitch.ovsschema"

// ErrExited reports that a server process ended while it was expected to
// run (at start, or while waiting for it to become ready).
var ErrExited = errors.New("process exited")

// Config describes a private Open vSwitch instance.
type Config struct {
	// Dir holds the database, sockets, pidfiles and logs. It must exist;
	// keep it short, unix socket paths are limited to 108 bytes.
	Dir string
	// NS is the namespace the servers run in (nil: the caller's).
	NS *netns.NS
	// Schema creates the database (DefaultSchema if empty).
	Schema string
	// VSwitchd also starts ovs-vswitchd (userspace datapath only: it runs
	// with --disable-system).
	VSwitchd bool
	// TCP and SSL open extra remotes on free ports of 127.0.0.1.
	TCP bool
	SSL *SSLFiles
	// NoInit leaves the database without its Open_vSwitch row.
	NoInit bool
	// Logger receives start and stop events (slog.Default() if nil).
	Logger *slog.Logger
}

// SSLFiles are PEM files for an SSL remote.
type SSLFiles struct{ PrivateKey, Certificate, CACert string }

// OVS is a running private ovsdb-server, and ovs-vswitchd if asked for.
// Its processes are children of this program, stopped by pid.
type OVS struct {
	// DB is the database file.
	DB string
	// Endpoint is the unix: endpoint of the database.
	Endpoint string
	// TCPEndpoint and SSLEndpoint are set when Config asks for them.
	TCPEndpoint, SSLEndpoint string

	cfg      Config
	log      *slog.Logger
	db       *proc
	vswitchd *proc
}

type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// Start creates a fresh database in cfg.Dir, starts ovsdb-server on it,
// initialises it (ovs-vsctl init) and starts ovs-vswitchd if asked, each
// time waiting until the server is ready. On error, whatever was started
// is stopped again.
func Start(ctx context.Context, cfg Config) (*OVS, error) {
	if cfg.Dir == "" {
		return nil, errors.New("sim: Config.Dir is required")
	}
	if cfg.Schema == "" {
		cfg.Schema = DefaultSchema
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	o := &OVS{cfg: cfg, log: cfg.Logger, DB: filepath.Join(cfg.Dir, "conf.db"), Endpoint: "unix:" + filepath.Join(cfg.Dir, "db.sock")}
	if out, err := exec.CommandContext(ctx, "ovsdb-tool", "create", o.DB, cfg.Schema).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ovsdb-tool create %s: %w: %s", o.DB, err, out)
	}
	if err := o.StartDB(ctx); err != nil {
		return nil, err
	}
	if !cfg.NoInit {
		if err := o.init(ctx); err != nil {
			o.Stop()
			return nil, err
		}
	}
	if cfg.VSwitchd {
		if err := o.startVSwitchd(ctx); err != nil {
			o.Stop()
			return nil, err
		}
	}
	return o, nil
}

func (o *OVS) init(ctx context.Context) error { return Init(ctx, o.Endpoint) }

// Init creates the database's Open_vSwitch row, as `ovs-vsctl --no-wait
// init` does.
func Init(ctx context.Context, endpoint string) error {
	c, err := ovsdb.Dial(ctx, endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	if err != nil {
		return fmt.Errorf("dial %s: %w", endpoint, err)
	}
	defer c.Close()
	if _, err := c.Transact(ctx, vswitchdb.Init(), ovsdb.NoWait()); err != nil {
		return fmt.Errorf("init %s: %w", endpoint, err)
	}
	return nil
}

func (o *OVS) start(name string, args ...string) (*proc, error) {
	return startDaemon(o.cfg.Dir, o.cfg.NS, o.log, name, name, args...)
}

// startDaemon starts an Open vSwitch or OVN daemon in ns with its pidfile,
// control socket and log in dir, named after base (base.pid, base.ctl,
// base.log: base tells several instances of one program apart). A base
// of "" is for a program without --unixctl (ovn-controller 23.03, whose
// socket is PROGRAM.PID.ctl): its files are named after the program.
func startDaemon(dir string, ns *netns.NS, log *slog.Logger, program, base string, args ...string) (*proc, error) {
	name := base
	if name == "" {
		name = program
	}
	logPath := filepath.Join(dir, name+".log")
	// -vconsole:off first: after --log-file, "opened log file" would still
	// go to the console.
	args = append(args, "-vconsole:off", "--pidfile="+filepath.Join(dir, name+".pid"))
	if base != "" {
		args = append(args, "--unixctl="+filepath.Join(dir, base+".ctl"))
	}
	args = append(args, "--log-file="+logPath, "-vfile:info", "--no-chdir")
	cmd := exec.Command(program, args...)
	// Private run, log and db directories: nothing of the system's OVS or
	// OVN.
	cmd.Env = append(os.Environ(), "OVS_RUNDIR="+dir, "OVS_LOGDIR="+dir, "OVS_DBDIR="+dir, "OVS_SYSCONFDIR="+dir,
		"OVN_RUNDIR="+dir, "OVN_LOGDIR="+dir, "OVN_DBDIR="+dir, "OVN_SYSCONFDIR="+dir)
	// A process group of its own: a Ctrl-C at the terminal reaches this
	// program, which tears down in order, not the servers directly; and
	// kept servers outlive the terminal's session.
	// No Pdeathsig: Linux sends it when the forking *thread* exits, which
	// the Go runtime may do at any time. Processes are stopped by pid.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var err error
	if ns != nil {
		err = ns.Start(cmd)
	} else {
		err = cmd.Start()
	}
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", program, err)
	}
	log.Debug("started", "process", program, "name", name, "pid", cmd.Process.Pid, "dir", dir)
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	return p, nil
}

// StartDB starts ovsdb-server on the database (again, after StopDB or
// KillDB) and waits until it accepts connections on every remote.
func (o *OVS) StartDB(ctx context.Context) error {
	sock := filepath.Join(o.cfg.Dir, "db.sock")
	args := []string{o.DB, "--remote=punix:" + sock}
	if o.cfg.TCP {
		args = append(args, "--remote=ptcp:0:127.0.0.1")
	}
	if f := o.cfg.SSL; f != nil {
		args = append(args, "--remote=pssl:0:127.0.0.1", "--private-key="+f.PrivateKey,
			"--certificate="+f.Certificate, "--ca-cert="+f.CACert)
	}
	// Set the old log aside so that port discovery reads this run's lines.
	logPath := filepath.Join(o.cfg.Dir, "ovsdb-server.log")
	if o.db != nil {
		_ = os.Rename(logPath, logPath+fmt.Sprintf(".%d", time.Now().UnixNano()))
	}
	p, err := o.start("ovsdb-server", args...)
	if err != nil {
		return err
	}
	o.db = p
	want := 0
	if o.cfg.TCP {
		want++
	}
	if o.cfg.SSL != nil {
		want++
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		ports := listeningPorts(logPath)
		if AcceptsConnections(sock) && len(ports) >= want {
			// Remotes are opened in the order given: tcp first, then ssl.
			if o.cfg.TCP {
				o.TCPEndpoint = "tcp:127.0.0.1:" + ports[0]
				ports = ports[1:]
			}
			if o.cfg.SSL != nil {
				o.SSLEndpoint = "ssl:127.0.0.1:" + ports[0]
			}
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("ovsdb-server: %w at start: %s", ErrExited, Tail(logPath, 20))
		case <-ctx.Done():
			stop(p)
			return fmt.Errorf("ovsdb-server did not start listening: %w: %s", ctx.Err(), Tail(logPath, 20))
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// AcceptsConnections reports whether a unix socket is listening (the file
// exists a moment before listen(2) is called).
func AcceptsConnections(sock string) bool {
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

func (o *OVS) startVSwitchd(ctx context.Context) error {
	p, err := o.start("ovs-vswitchd", o.Endpoint, "--disable-system")
	if err != nil {
		return err
	}
	o.vswitchd = p
	if err := AwaitVSwitchd(ctx, o.Endpoint, p.done); err != nil {
		return fmt.Errorf("%w: %s", err, Tail(p.log, 20))
	}
	return nil
}

// AwaitVSwitchd waits until the ovs-vswitchd serving the database at
// endpoint has applied a configuration made after this call (next_cfg
// bumped, cur_cfg awaited: cur_cfg == next_cfg alone is also true before
// it has read anything), or until exited is closed (it ended), or 20 s.
func AwaitVSwitchd(ctx context.Context, endpoint string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	c, err := ovsdb.Dial(ctx, endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
	if err != nil {
		return err
	}
	defer c.Close()
	ready := make(chan error, 1)
	go func() {
		_, err := c.Transact(ctx, ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
			roots, err := ovsdb.List[vswitchdb.OpenVSwitch](tx)
			if err != nil || len(roots) == 0 {
				return err // no root row: nothing to configure, nothing to wait for
			}
			return tx.Mutate(roots[0], ovsdb.Mutation{Column: "next_cfg", Mutator: ovsdb.MutateAdd, Value: 0})
		}))
		ready <- err
	}()
	select {
	case err = <-ready:
	case <-exited:
		err = ErrExited
	}
	if err != nil {
		return fmt.Errorf("ovs-vswitchd did not become ready: %w", err)
	}
	return nil
}

// StopDB stops ovsdb-server (SIGTERM, then SIGKILL after 5 s), keeping
// the database.
func (o *OVS) StopDB() { stop(o.db) }

// KillDB kills ovsdb-server with SIGKILL, as a crash would.
func (o *OVS) KillDB() {
	if o.db != nil {
		_ = o.db.cmd.Process.Kill()
		<-o.db.done
	}
}

// Stop stops ovs-vswitchd, then ovsdb-server. It can be called again.
func (o *OVS) Stop() {
	stop(o.vswitchd)
	stop(o.db)
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

// DBPID is the pid of ovsdb-server.
func (o *OVS) DBPID() int { return o.db.cmd.Process.Pid }

// VSwitchdPID is the pid of ovs-vswitchd (0 if it was not asked for).
func (o *OVS) VSwitchdPID() int {
	if o.vswitchd == nil {
		return 0
	}
	return o.vswitchd.cmd.Process.Pid
}

// VSwitchdCtl is the control socket of ovs-vswitchd (for package appctl).
func (o *OVS) VSwitchdCtl() string { return filepath.Join(o.cfg.Dir, "ovs-vswitchd.ctl") }

// DBCtl is the control socket of ovsdb-server.
func (o *OVS) DBCtl() string { return filepath.Join(o.cfg.Dir, "ovsdb-server.ctl") }

// Logs returns the last n lines of each server's log.
func (o *OVS) Logs(n int) string {
	var b strings.Builder
	for _, p := range []*proc{o.db, o.vswitchd} {
		if p != nil {
			fmt.Fprintf(&b, "==> %s <==\n%s\n", p.log, Tail(p.log, n))
		}
	}
	return b.String()
}

// Tail returns the last n lines of a file (or its error, in parentheses):
// what a failing test shows of a daemon's log.
func Tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	return LastLines(string(data), n)
}

// LastLines returns the last n lines of s.
func LastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
