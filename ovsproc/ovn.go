package ovsproc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// The schemas Debian's ovn-common installs.
const (
	DefaultNBSchema = "/usr/share/ovn/ovn-nb.ovsschema"
	DefaultSBSchema = "/usr/share/ovn/ovn-sb.ovsschema"
)

// The OVN databases.
const (
	NB = "OVN_Northbound"
	SB = "OVN_Southbound"
)

// CentralConfig describes a private OVN central: the Northbound and
// Southbound databases, each standalone or a raft cluster, and
// ovn-northd.
type CentralConfig struct {
	// Dir holds the databases, sockets, pidfiles and logs. It must exist;
	// keep it short, unix socket paths are limited to 108 bytes.
	Dir string
	// NS is the namespace the servers run in (nil: the caller's).
	NS *netns.NS
	// Members is the size of each database's raft cluster: 0 or 1 for a
	// standalone database, 3 or 5 for a cluster (whose members talk raft
	// over unix sockets in Dir).
	Members int
	// NBSchema and SBSchema create the databases (DefaultNBSchema and
	// DefaultSBSchema if empty).
	NBSchema, SBSchema string
	// NoNorthd leaves ovn-northd out (the Northbound database alone
	// suffices for ovn-nbctl's commands).
	NoNorthd bool
	// SBRelays is the number of Southbound relays (ovsdb-server
	// relay:OVN_Southbound:..., Open vSwitch 2.16 and later): servers
	// that serve reads and monitors from a copy of the database and pass
	// transactions on to it, as large deployments put between the
	// cluster and their chassis.
	SBRelays int
	// Logger receives start and stop events (slog.Default() if nil).
	Logger *slog.Logger
}

// Central is a running OVN central. Its processes are children of this
// program, stopped by pid.
type Central struct {
	// NBEndpoint and SBEndpoint are the databases' endpoints, every member
	// of a cluster listed ("unix:A,unix:B,unix:C"), as ovn-nbctl --db and
	// ovsdb.Dial take them.
	NBEndpoint, SBEndpoint string
	// SBRelayEndpoints are the Southbound relays' endpoints, one each.
	SBRelayEndpoints []string

	ccfg   CentralConfig
	relays []*proc
	log    *slog.Logger
	mu     sync.Mutex
	dbs    map[string][]*proc // NB, SB: one per member
	northd *proc
}

// member names the files of a database member: nb, or nb1 ... nbN.
func (c *Central) member(db string, i int) string {
	base := "nb"
	if db == SB {
		base = "sb"
	}
	if c.ccfg.Members > 1 {
		base += fmt.Sprint(i + 1)
	}
	return base
}

// Members is the number of members of each database (1 when standalone).
func (c *Central) Members() int { return max(c.ccfg.Members, 1) }

// MemberEndpoint is the unix endpoint of member i of db.
func (c *Central) MemberEndpoint(db string, i int) string {
	return "unix:" + filepath.Join(c.ccfg.Dir, c.member(db, i)+".sock")
}

// MemberCtl is the control socket of member i of db (for appctl:
// cluster/status, ...).
func (c *Central) MemberCtl(db string, i int) string {
	return filepath.Join(c.ccfg.Dir, c.member(db, i)+".ctl")
}

// NorthdCtl is ovn-northd's control socket.
func (c *Central) NorthdCtl() string { return filepath.Join(c.ccfg.Dir, "ovn-northd.ctl") }

// StartCentral creates the databases (ovsdb-tool create, or create-cluster
// and join-cluster), starts their servers and ovn-northd, and waits until
// every database answers (a cluster: has a leader and every member has
// joined) and northd is active. On error, whatever was started is stopped.
func StartCentral(ctx context.Context, cfg CentralConfig) (*Central, error) {
	if cfg.Dir == "" {
		return nil, errors.New("ovsproc: CentralConfig.Dir is required")
	}
	if cfg.Members != 0 && cfg.Members != 1 && cfg.Members%2 == 0 {
		return nil, fmt.Errorf("ovsproc: a cluster of %d members: want an odd number", cfg.Members)
	}
	if cfg.NBSchema == "" {
		cfg.NBSchema = DefaultNBSchema
	}
	if cfg.SBSchema == "" {
		cfg.SBSchema = DefaultSBSchema
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &Central{ccfg: cfg, log: cfg.Logger, dbs: map[string][]*proc{}}
	ok := false
	defer func() {
		if !ok {
			c.Stop()
		}
	}()
	for _, db := range []string{NB, SB} {
		schema := cfg.NBSchema
		if db == SB {
			schema = cfg.SBSchema
		}
		if err := c.createDB(ctx, db, schema); err != nil {
			return nil, err
		}
		c.dbs[db] = make([]*proc, c.Members())
		var eps []string
		for i := range c.Members() {
			if err := c.StartMember(ctx, db, i); err != nil {
				return nil, err
			}
			eps = append(eps, c.MemberEndpoint(db, i))
		}
		if db == NB {
			c.NBEndpoint = strings.Join(eps, ",")
		} else {
			c.SBEndpoint = strings.Join(eps, ",")
		}
		if cfg.Members > 1 {
			if _, err := c.Leader(ctx, db); err != nil {
				return nil, err
			}
		}
	}
	for i := range cfg.SBRelays {
		if err := c.startRelay(ctx, i); err != nil {
			return nil, err
		}
	}
	if !cfg.NoNorthd {
		if err := c.startNorthd(ctx); err != nil {
			return nil, err
		}
	}
	ok = true
	return c, nil
}

// startRelay starts Southbound relay i, relaying the Southbound database
// (every member: the relay follows the cluster as a client does), and
// waits until it answers.
func (c *Central) startRelay(ctx context.Context, i int) error {
	base := fmt.Sprintf("sbrelay%d", i+1)
	sock := filepath.Join(c.ccfg.Dir, base+".sock")
	p, err := startDaemon(c.ccfg.Dir, c.ccfg.NS, c.log, "ovsdb-server", base, "--remote=punix:"+sock, "relay:"+SB+":"+c.SBEndpoint)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.relays = append(c.relays, p)
	c.SBRelayEndpoints = append(c.SBRelayEndpoints, "unix:"+sock)
	c.mu.Unlock()
	return waitListening(ctx, p, base, sock, filepath.Join(c.ccfg.Dir, base+".log"))
}

// RelayPID is the pid of Southbound relay i.
func (c *Central) RelayPID(i int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i < 0 || i >= len(c.relays) || c.relays[i] == nil {
		return 0
	}
	return c.relays[i].cmd.Process.Pid
}

// raftAddr is member i's raft address.
func (c *Central) raftAddr(db string, i int) string {
	return "unix:" + filepath.Join(c.ccfg.Dir, c.member(db, i)+".raft")
}

func (c *Central) dbFile(db string, i int) string {
	return filepath.Join(c.ccfg.Dir, c.member(db, i)+".db")
}

func (c *Central) createDB(ctx context.Context, db, schema string) error {
	run := func(args ...string) error {
		if out, err := exec.CommandContext(ctx, "ovsdb-tool", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ovsdb-tool %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if c.ccfg.Members <= 1 {
		return run("create", c.dbFile(db, 0), schema)
	}
	if err := run("create-cluster", c.dbFile(db, 0), schema, c.raftAddr(db, 0)); err != nil {
		return err
	}
	for i := 1; i < c.Members(); i++ {
		if err := run("join-cluster", c.dbFile(db, i), db, c.raftAddr(db, i), c.raftAddr(db, 0)); err != nil {
			return err
		}
	}
	return nil
}

// StartMember starts the server of member i of db (again, after
// KillMember or StopMember: a cluster member rejoins from its own file)
// and waits until it accepts connections.
func (c *Central) StartMember(ctx context.Context, db string, i int) error {
	base := c.member(db, i)
	logPath := filepath.Join(c.ccfg.Dir, base+".log")
	if _, err := os.Stat(logPath); err == nil {
		_ = os.Rename(logPath, logPath+fmt.Sprintf(".%d", time.Now().UnixNano()))
	}
	sock := filepath.Join(c.ccfg.Dir, base+".sock")
	p, err := startDaemon(c.ccfg.Dir, c.ccfg.NS, c.log, "ovsdb-server", base, c.dbFile(db, i), "--remote=punix:"+sock)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.dbs[db][i] = p
	c.mu.Unlock()
	return waitListening(ctx, p, base, sock, logPath)
}

// waitListening waits until ovsdb-server p (files base) accepts
// connections on sock, for at most 20 s.
func waitListening(ctx context.Context, p *proc, base, sock, logPath string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for !AcceptsConnections(sock) {
		select {
		case <-p.done:
			return fmt.Errorf("%s: ovsdb-server %w at start: %s", base, ErrExited, Tail(logPath, 20))
		case <-ctx.Done():
			return fmt.Errorf("%s: ovsdb-server did not start listening: %w: %s", base, ctx.Err(), Tail(logPath, 20))
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

// KillMember kills member i of db with SIGKILL, as a crash would.
func (c *Central) KillMember(db string, i int) {
	c.mu.Lock()
	p := c.dbs[db][i]
	c.mu.Unlock()
	if p != nil {
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// StopMember stops member i of db (SIGTERM, then SIGKILL after 5 s).
func (c *Central) StopMember(db string, i int) {
	c.mu.Lock()
	p := c.dbs[db][i]
	c.mu.Unlock()
	stop(p)
}

// MemberPID is the pid of member i of db.
func (c *Central) MemberPID(db string, i int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.dbs[db][i]; p != nil {
		return p.cmd.Process.Pid
	}
	return 0
}

// ClusterStatus is what a member says of its cluster (cluster/status).
type ClusterStatus struct {
	// Role is "leader", "follower" or "candidate".
	Role string
	// Term is the raft term.
	Term string
	// Status is "cluster member", or joining, leaving, ...
	Status string
	// Leader is the leader's server ID as this member knows it ("self"
	// for the leader), empty when it knows none.
	Leader string
}

// Status asks member i of db for its cluster status.
// Equivalent to: ovs-appctl -t CTL cluster/status DB
func (c *Central) Status(ctx context.Context, db string, i int) (ClusterStatus, error) {
	out, err := appctl.Call(ctx, c.MemberCtl(db, i), "cluster/status", db)
	if err != nil {
		return ClusterStatus{}, err
	}
	var st ClusterStatus
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Role":
			st.Role = v
		case "Term":
			st.Term = v
		case "Status":
			st.Status = v
		case "Leader":
			st.Leader = v
		}
	}
	return st, nil
}

// Leader waits until db's cluster has a leader that every running member
// knows and returns its index.
func (c *Central) Leader(ctx context.Context, db string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		leader, known := -1, 0
		running := 0
		for i := range c.Members() {
			c.mu.Lock()
			p := c.dbs[db][i]
			c.mu.Unlock()
			if p == nil || exited(p) {
				continue
			}
			running++
			st, err := c.Status(ctx, db, i)
			if err != nil || st.Status != "cluster member" {
				continue
			}
			if st.Role == "leader" {
				leader = i
			}
			if st.Leader != "" && st.Leader != "unknown" {
				known++
			}
		}
		if leader >= 0 && known == running {
			return leader, nil
		}
		select {
		case <-ctx.Done():
			return -1, fmt.Errorf("%s: no leader that every member knows: %w", db, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func exited(p *proc) bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (c *Central) startNorthd(ctx context.Context) error {
	p, err := startDaemon(c.ccfg.Dir, c.ccfg.NS, c.log, "ovn-northd", "ovn-northd",
		"--ovnnb-db="+c.NBEndpoint, "--ovnsb-db="+c.SBEndpoint)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.northd = p
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		if out, err := appctl.Call(ctx, c.NorthdCtl(), "status"); err == nil && strings.Contains(out, "active") {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("ovn-northd %w at start: %s", ErrExited, Tail(p.log, 20))
		case <-ctx.Done():
			return fmt.Errorf("ovn-northd did not become active: %w: %s", ctx.Err(), Tail(p.log, 20))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// RestartNorthd stops ovn-northd and starts it again. It keeps no state:
// a new one finds the Northbound leader at once, where a running one that
// lost its leader retries with a backoff of up to 8 s (3 to 15 s to
// recover, measured here).
func (c *Central) RestartNorthd(ctx context.Context) error {
	c.mu.Lock()
	p := c.northd
	c.mu.Unlock()
	if p == nil {
		return fmt.Errorf("ovsproc: the central runs no ovn-northd: %w", ErrExited)
	}
	stop(p)
	return c.startNorthd(ctx)
}

// NorthdPID is ovn-northd's pid (0 without it).
func (c *Central) NorthdPID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.northd == nil {
		return 0
	}
	return c.northd.cmd.Process.Pid
}

// Logs returns the last n lines of each server's log.
func (c *Central) Logs(n int) string {
	c.mu.Lock()
	var ps []*proc
	for _, db := range []string{NB, SB} {
		ps = append(ps, c.dbs[db]...)
	}
	ps = append(ps, c.northd)
	c.mu.Unlock()
	var b strings.Builder
	for _, p := range ps {
		if p != nil {
			fmt.Fprintf(&b, "==> %s <==\n%s\n", p.log, Tail(p.log, n))
		}
	}
	return b.String()
}

// Stop stops ovn-northd and the relays, then every database member. It
// can be called again.
func (c *Central) Stop() {
	c.mu.Lock()
	northd := c.northd
	var members []*proc
	for _, db := range []string{SB, NB} {
		members = append(members, c.dbs[db]...)
	}
	relays := c.relays
	c.mu.Unlock()
	stop(northd)
	var wg sync.WaitGroup
	for _, p := range relays {
		wg.Add(1)
		go func() { defer wg.Done(); stop(p) }()
	}
	wg.Wait()
	for _, p := range members {
		wg.Add(1)
		go func() { defer wg.Done(); stop(p) }()
	}
	wg.Wait()
}

// ControllerConfig describes an ovn-controller for a chassis: a host
// whose Open vSwitch (OVS) it programs.
type ControllerConfig struct {
	// Dir is the Open vSwitch instance's directory (its run directory:
	// ovn-controller finds br-int's OpenFlow socket there); the
	// controller's pidfile and log go there too.
	Dir string
	// Endpoint is the local Open vSwitch database.
	Endpoint string
	// NS is the namespace it runs in (nil: the caller's).
	NS *netns.NS
	// SystemID names the chassis (Open_vSwitch external_ids:system-id).
	SystemID string
	// SBRemote is the Southbound database (ovn-remote).
	SBRemote string
	// EncapType and EncapIP are the tunnel type ("geneve" if empty) and
	// this chassis's tunnel endpoint address.
	EncapType, EncapIP string
	// Logger receives start and stop events (slog.Default() if nil).
	Logger *slog.Logger
}

// Controller is a running ovn-controller.
type Controller struct {
	p *proc
}

// StartController configures the chassis in the local database (the
// external_ids ovn-controller reads, with the netdev datapath for br-int)
// and starts ovn-controller. It returns once the process runs; the
// chassis registers itself in the Southbound database a moment later.
func StartController(ctx context.Context, cfg ControllerConfig) (*Controller, error) {
	if cfg.Dir == "" || cfg.Endpoint == "" || cfg.SystemID == "" || cfg.SBRemote == "" || cfg.EncapIP == "" {
		return nil, errors.New("ovsproc: ControllerConfig needs Dir, Endpoint, SystemID, SBRemote and EncapIP")
	}
	if cfg.EncapType == "" {
		cfg.EncapType = "geneve"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c, err := ovsdb.Dial(ctx, cfg.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithNoWait())
	if err != nil {
		return nil, err
	}
	defer c.Close()
	_, err = c.Transact(ctx, ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		roots, err := ovsdb.List[vswitchdb.OpenVSwitch](tx)
		if err != nil {
			return err
		}
		if len(roots) == 0 {
			return fmt.Errorf("%s has no Open_vSwitch row: %w", cfg.Endpoint, ovsdb.ErrNotFound)
		}
		ids := map[string]string{
			"system-id": cfg.SystemID, "ovn-remote": cfg.SBRemote, "ovn-encap-type": cfg.EncapType,
			"ovn-encap-ip": cfg.EncapIP, "ovn-bridge-datapath-type": "netdev",
			// Namespaces share one host name: name the chassis.
			"hostname": cfg.SystemID,
		}
		root := roots[0]
		if root.ExternalIDs == nil {
			root.ExternalIDs = map[string]string{}
		}
		for k, v := range ids {
			root.ExternalIDs[k] = v
		}
		return tx.Update(root, "external_ids")
	}))
	if err != nil {
		return nil, fmt.Errorf("configure chassis %s: %w", cfg.SystemID, err)
	}
	// ovn-controller 23.03 has no --unixctl: its control socket is
	// ovn-controller.PID.ctl in the run directory (base "").
	p, err := startDaemon(cfg.Dir, cfg.NS, cfg.Logger, "ovn-controller", "", cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	return &Controller{p: p}, nil
}

// PID is ovn-controller's pid.
func (c *Controller) PID() int { return c.p.cmd.Process.Pid }

// Logs returns the last n lines of its log.
func (c *Controller) Logs(n int) string { return Tail(c.p.log, n) }

// Stop stops ovn-controller (SIGTERM, then SIGKILL after 5 s). It can be
// called again.
func (c *Controller) Stop() { stop(c.p) }
