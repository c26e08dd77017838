package sim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/dhcp"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/internal/rootdir"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/openflow"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsproc"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/qemu"
	"github.com/ovskit/ovskit/vswitchdb"
)

// DefaultPrefix starts the name of every namespace a World creates.
const DefaultPrefix = "ovskit-"

// Errors, tested with errors.Is.
var (
	// ErrNotRoot: namespaces and ovs-vswitchd need root.
	ErrNotRoot = fmt.Errorf("root is required (network namespaces, ovs-vswitchd): %w", fs.ErrPermission)
	// ErrMissingBinary: an Open vSwitch program is not installed.
	ErrMissingBinary = fmt.Errorf("missing program (install openvswitch-switch): %w", exec.ErrNotFound)
	// ErrClosed: the world was closed.
	ErrClosed = errors.New("sim: world is closed")
)

// Config configures a World.
type Config struct {
	// Prefix starts every namespace name (DefaultPrefix if empty) and
	// names the state directory, StateDir(Prefix).
	Prefix string
	// Logger receives what the world does (slog.Default() if nil).
	Logger *slog.Logger
	// Guests says what a guest is: a namespace (the default) or a real
	// qemu VM.
	Guests GuestKind
	// Image is what VM guests boot (qemu.BuildImage's defaults if zero).
	Image qemu.ImageConfig
	// CLI is the ovskit command that VM guests' if-up and if-down scripts
	// run in place of ovs-vsctl. Empty: it is built from this module
	// (go build github.com/ovskit/ovskit/cmd/ovskit), which needs the Go
	// toolchain and the module's source.
	CLI string
	// Schema is the Open_vSwitch schema file every host's database is
	// created from (ovsproc.DefaultSchema, the installed one, if empty):
	// an older one runs the labs on that version's database, as the
	// tutorial's Open vSwitch 2.13 has it.
	Schema string
}

// StateRoot holds the state directories of worlds. It is root's own (a
// directory under /run, mode 0700): what Cleanup reads there decides which
// processes it stops and which namespaces it deletes, so it must be
// nothing another user could have written.
const StateRoot = "/run/ovskit"

// StateDir is where a world with this prefix keeps its servers' files and
// the list of its namespaces, so that Cleanup finds what a kept world left.
func StateDir(prefix string) string { return filepath.Join(StateRoot, prefix) }

// nsList is the file, in the state directory, listing the world's
// namespaces one per line ("NAME ID", see netns.NS.ID), each written as
// soon as it is created.
const nsList = "namespaces"

// ErrBadPrefix: a prefix that is not 1 to 15 of [A-Za-z0-9_-].
var ErrBadPrefix = errors.New("sim: a prefix is 1 to 15 of the characters A-Z a-z 0-9 _ -")

// CheckPrefix refuses a prefix that could name a path outside StateRoot or
// make names too long: it is 1 to 15 of [A-Za-z0-9_-].
func CheckPrefix(prefix string) error {
	if !netns.SafeName(prefix) {
		return fmt.Errorf("prefix %q: %w", prefix, ErrBadPrefix)
	}
	return nil
}

// stateDir returns the checked state directory of prefix, creating it
// (and StateRoot) when create is set; exists is false when there is none.
func stateDir(prefix string, create bool) (dir string, exists bool, err error) {
	if err := CheckPrefix(prefix); err != nil {
		return "", false, err
	}
	dir = StateDir(prefix)
	if create {
		// Another world's Cleanup removes the root when it is empty: if it
		// went between the two mkdirs, make it again.
		for try := 0; ; try++ {
			if _, err := rootdir.Make(StateRoot); err != nil {
				return "", false, err
			}
			_, err := rootdir.Make(dir)
			if err == nil {
				return dir, true, nil
			}
			if !errors.Is(err, fs.ErrNotExist) || try == 2 {
				return "", false, err
			}
		}
	}
	for _, d := range []string{StateRoot, dir} {
		if err := rootdir.Check(d); errors.Is(err, fs.ErrNotExist) {
			return dir, false, nil
		} else if err != nil {
			return "", false, err
		}
	}
	return dir, true, nil
}

// A World is a set of simulated machines on this one: hosts (a namespace
// running a private ovsdb-server and ovs-vswitchd), guests (a namespace
// whose eth0 is wired to a host's bridge), underlay segments and helper
// namespaces. Close tears all of it down; nothing is ever created in, or
// probed from, the caller's own network namespace.
type World struct {
	// Prefix starts every namespace name.
	Prefix string
	// Dir is the state directory, StateDir(Prefix).
	Dir string

	log    *slog.Logger
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	vmMu sync.Mutex // guards vms and the hosts' ifScripts
	vms  *vmSetup   // VM guests' image and ovskit command, made for the first

	mu        sync.Mutex
	nodes     []*Node
	hosts     []*Host
	guests    []*Guest
	underlays []*Underlay
	uplinks   []uplink
	closers   []func() error
	stoppers  []func()
	keep      bool
	closed    bool
}

// New checks the prerequisites, removes what an earlier kept world with
// the same prefix left (Cleanup), and returns an empty world.
func New(ctx context.Context, cfg Config) (*World, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if err := CheckPrefix(cfg.Prefix); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := Supported(); err != nil {
		return nil, err
	}
	if err := Cleanup(ctx, cfg.Prefix); err != nil {
		return nil, fmt.Errorf("remove an earlier world: %w", err)
	}
	dir, _, err := stateDir(cfg.Prefix, true)
	if err != nil {
		return nil, err
	}
	w := &World{Prefix: cfg.Prefix, Dir: dir, log: cfg.Logger, cfg: cfg}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	return w, nil
}

// Supported reports whether this machine can run a world: root, and the Open
// vSwitch programs.
func Supported() error {
	if os.Geteuid() != 0 {
		return ErrNotRoot
	}
	for _, p := range []string{"ovsdb-tool", "ovsdb-server", "ovs-vswitchd"} {
		if _, err := exec.LookPath(p); err != nil {
			return fmt.Errorf("%s: %w", p, ErrMissingBinary)
		}
	}
	return nil
}

// Node is a namespace of the world: a host, a guest, a router, a segment.
type Node struct {
	// Name is the node's name in the world ("vm1"); the namespace is
	// Prefix+Name.
	Name string
	// NS is its network namespace.
	NS    *netns.NS
	world *World
}

// Namespace creates a helper namespace (a router, an upstream network)
// with its loopback up.
func (w *World) Namespace(ctx context.Context, name string) (*Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, ErrClosed
	}
	full := w.Prefix + name
	ns, err := netns.Create(full)
	if err != nil {
		return nil, err
	}
	// Recorded once it exists, with its identity, so that Cleanup never
	// touches a namespace this world did not create.
	if err := w.record(ns); err != nil {
		return nil, errors.Join(err, ns.Delete())
	}
	n := &Node{Name: name, NS: ns, world: w}
	w.nodes = append(w.nodes, n)
	if err := ns.LinkUp("lo"); err != nil {
		return nil, err
	}
	w.log.Debug("namespace", "name", full)
	return n, nil
}

// ErrOwnNamespace: a probe was asked of the program's own network
// namespace (the machine's, when run from a shell).
var ErrOwnNamespace = errors.New("sim: refusing to probe from this program's own network namespace")

// record appends a namespace and its identity to the world's list.
func (w *World) record(ns *netns.NS) error {
	id, err := ns.ID()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(w.Dir, nsList), os.O_APPEND|os.O_CREATE|os.O_WRONLY|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, ns.Name, id)
	return errors.Join(err, f.Close())
}

// String returns the node's name.
func (n *Node) String() string { return n.Name }

// Ping sends a few ICMP echo requests from inside the node to dst and
// reports whether any was answered. It refuses to
// probe from the program's own network namespace (ErrOwnNamespace).
func (n *Node) Ping(ctx context.Context, dst string) (bool, error) {
	own, err := n.NS.IsCurrent()
	if err != nil {
		return false, err
	}
	if own {
		return false, fmt.Errorf("%s: %w", n.Name, ErrOwnNamespace)
	}
	// A VM guest still booting is not a guest that does not answer.
	if err := n.world.VMsReady(ctx); err != nil {
		return false, err
	}
	got, err := n.NS.Ping(ctx, dst, 3, 200*time.Millisecond)
	return got > 0, err
}

// Addr returns the node's first IPv4 address on link (invalid if none).
func (n *Node) Addr(link string) (netip.Addr, error) {
	ps, err := n.NS.Addrs(link)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, p := range ps {
		if p.Addr().Is4() {
			return p.Addr(), nil
		}
	}
	return netip.Addr{}, nil
}

// ServeDHCP runs an embedded DHCP server inside the node on link until
// the world closes (dnsmasq -i LINK, in Go).
func (w *World) ServeDHCP(n *Node, link string, cfg dhcp.Config) (*dhcp.Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = w.log.With("dhcp", n.Name)
	}
	srv, err := dhcp.NewServer(cfg)
	if err != nil {
		return nil, err
	}
	var conn net.PacketConn
	if err := n.NS.Do(func() error {
		var err error
		conn, err = dhcp.Listen(link)
		return err
	}); err != nil {
		return nil, err
	}
	w.OnClose(conn.Close)
	w.Go(func(ctx context.Context) error { return srv.Serve(ctx, conn) })
	return srv, nil
}

// Go runs fn until the world closes: Close cancels its context and waits
// for it. An error other than the cancellation is logged.
func (w *World) Go(fn func(ctx context.Context) error) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		if err := fn(w.ctx); err != nil && w.ctx.Err() == nil {
			w.log.Error("sim: background task", "err", err)
		}
	}()
}

// OnClose registers fn to run at Close, before the namespaces go (last
// registered, first run).
func (w *World) OnClose(fn func() error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closers = append(w.closers, fn)
}

// onStop registers a daemon's stop, which Close runs (with the others, at
// once) unless the world is kept.
func (w *World) onStop(fn func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stoppers = append(w.stoppers, fn)
}

// Host is a simulated hypervisor: a namespace running its own private
// ovsdb-server and ovs-vswitchd (userspace datapath).
type Host struct {
	*Node
	// OVS is its Open vSwitch; OVS.Endpoint is the database socket.
	OVS *ovsproc.OVS
	// Client is connected to it.
	Client *ovsdb.Client
	// Dir holds its servers' databases, sockets and logs (their run
	// directory).
	Dir   string
	world *World
	// ifScripts maps a bridge to the suffix of its VM scripts (if-up,
	// if-up1, ...).
	ifScripts map[string]string
}

// AddHost creates a host: its namespace, then ovsdb-server and
// ovs-vswitchd inside it, with their files in Dir/NAME.
func (w *World) AddHost(ctx context.Context, name string) (*Host, error) {
	n, err := w.Namespace(ctx, name)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(w.Dir, name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	o, err := ovsproc.Start(ctx, ovsproc.Config{Dir: dir, NS: n.NS, VSwitchd: true, Schema: w.cfg.Schema, Logger: w.log})
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", name, err)
	}
	h := &Host{Node: n, OVS: o, Dir: dir, world: w}
	w.mu.Lock()
	w.hosts = append(w.hosts, h)
	w.mu.Unlock()
	c, err := ovsdb.Dial(ctx, o.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithLogger(w.log))
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", name, err)
	}
	w.OnClose(func() error { c.Close(); return nil })
	h.Client = c
	return h, nil
}

// Transact commits the commands on the host's database (Client.Transact,
// which waits until ovs-vswitchd has applied them), then waits until the
// datapath's flows follow the new configuration too
// (appctl.WaitRevalidated): a probe right after a VLAN change then sees
// the change, not a flow cached before it.
func (h *Host) Transact(ctx context.Context, cmds ...ovsdb.Command) (*ovsdb.Result, error) {
	res, err := h.Client.Transact(ctx, cmds...)
	if err != nil {
		return res, err
	}
	if err := appctl.WaitRevalidated(ctx, h.OVS.VSwitchdCtl()); err != nil {
		return res, fmt.Errorf("host %s: %w", h.Name, err)
	}
	return res, nil
}

// Underlay is a layer-2 segment joining hosts: a Linux bridge inside a
// namespace of its own, as the tutorial's "host-only" network.
type Underlay struct {
	*Node
	// Bridge is the Linux bridge inside the namespace.
	Bridge string
	mu     sync.Mutex // hosts join one at a time (one netlink handle)
}

// AddUnderlay creates a segment.
func (w *World) AddUnderlay(ctx context.Context, name string) (*Underlay, error) {
	n, err := w.Namespace(ctx, name)
	if err != nil {
		return nil, err
	}
	u := &Underlay{Node: n, Bridge: "br0"}
	if err := n.NS.AddBridge(u.Bridge); err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.underlays = append(w.underlays, u)
	w.mu.Unlock()
	return u, nil
}

// Uplink is a host's NIC on an underlay.
type Uplink struct {
	// NIC is the interface's name in the host ("ens37").
	NIC string
	// Addr is the host's address on the segment ("192.168.100.10/24").
	Addr string
	// Bridge, when set, makes NIC a port of this userspace bridge
	// (created if missing) and puts Addr on the bridge's internal
	// interface instead of the NIC: how the userspace datapath terminates
	// tunnels (it routes and resolves neighbours through that interface).
	Bridge string
	// MTU, when set, is the MTU of both ends of the veth and of Bridge's
	// interface (1600 lets 1500-byte guest frames through a Geneve
	// tunnel).
	MTU int
	// BridgeMAC, when set, fixes Bridge's MAC (other_config:hwaddr), so
	// that peers can learn it before the first packet.
	BridgeMAC string
}

// Join wires the host to the segment: a veth whose end in the underlay is
// named after the host and enslaved to its bridge.
func (h *Host) Join(ctx context.Context, u *Underlay, up Uplink) error {
	u.mu.Lock()
	err := h.NS.AddVeth(netns.Veth{Name: up.NIC, Peer: h.Name, PeerNS: u.NS, MTU: up.MTU, ForOVS: true})
	if err == nil {
		err = u.NS.Enslave(h.Name, u.Bridge)
	}
	u.mu.Unlock()
	if err != nil {
		return err
	}
	h.world.mu.Lock()
	h.world.uplinks = append(h.world.uplinks, uplink{h, u, up})
	h.world.mu.Unlock()
	link := up.NIC
	if up.Bridge != "" {
		opts := []bridge.Option{bridge.MayExist(), bridge.DatapathType("netdev")}
		if up.BridgeMAC != "" {
			opts = append(opts, bridge.OtherConfig("hwaddr", up.BridgeMAC))
		}
		cmds := []ovsdb.Command{bridge.Add(up.Bridge, opts...), port.Add(up.Bridge, up.NIC)}
		if up.MTU > 0 {
			cmds = append(cmds, iface.Set(up.Bridge, iface.MTURequest(up.MTU)))
		}
		if _, err := h.Transact(ctx, cmds...); err != nil {
			return fmt.Errorf("host %s: uplink bridge: %w", h.Name, err)
		}
		link = up.Bridge
		if err := h.NS.LinkUp(link); err != nil {
			return err
		}
	}
	if up.Addr != "" {
		return h.NS.AddAddr(link, up.Addr)
	}
	return nil
}

// Hosts returns the hosts added so far (chassis included), in order.
func (w *World) Hosts() []*Host {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]*Host(nil), w.hosts...)
}

// Keep makes Close leave the namespaces and servers up (the goroutines of
// this program, such as an embedded DHCP server, still stop). Cleanup, or
// the next New with the same prefix, removes them.
func (w *World) Keep() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.keep = true
}

// Describe writes, for each namespace, how to reach it from a shell, and
// for each host its OVSDB socket, and for each VM its qemu and console.
func (w *World) Describe(out io.Writer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	hosts := map[string]*Host{}
	for _, h := range w.hosts {
		hosts[h.Name] = h
	}
	for _, n := range w.nodes {
		fmt.Fprintf(out, "  %-22s ip netns exec %s ...", n.Name, n.NS.Name)
		if h := hosts[n.Name]; h != nil {
			fmt.Fprintf(out, "   ovs-vsctl --db=%s show", h.OVS.Endpoint)
		}
		fmt.Fprintln(out)
	}
	for _, g := range w.guests {
		if g.VM != nil {
			fmt.Fprintf(out, "  %-22s qemu pid %d on %s in %s; console: tail -f %s\n", g.Name, g.VM.Pid(), g.Vif, g.Host.NS.Name, g.VM.Console())
		}
	}
}

// Close tears the world down: background tasks, clients, servers (by
// pid), every process still in one of its namespaces, the namespaces with
// their links, and the state directory. After Keep it only stops this
// program's goroutines and clients. It can be called again.
func (w *World) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	keep := w.keep
	closers := slices.Clone(w.closers)
	stoppers := slices.Clone(w.stoppers)
	w.mu.Unlock()

	w.cancel()
	w.wg.Wait()
	var errs []error
	if !keep {
		// Before the clients and servers go: the VMs' if-down scripts
		// talk to the hosts' databases.
		errs = append(errs, w.stopVMs())
	}
	for i := len(closers) - 1; i >= 0; i-- {
		errs = append(errs, closers[i]())
	}
	for _, n := range w.nodes {
		n.NS.Close()
	}
	if keep {
		return errors.Join(errs...)
	}
	// Every daemon at once (the OVN ones first, then the hosts'): one at
	// a time, 32 hosts took 27 s.
	var stops sync.WaitGroup
	for _, stop := range stoppers {
		stops.Add(1)
		go func() { defer stops.Done(); stop() }()
	}
	stops.Wait()
	for _, h := range w.hosts {
		stops.Add(1)
		go func() { defer stops.Done(); h.OVS.Stop() }()
	}
	stops.Wait()
	errs = append(errs, Cleanup(context.Background(), w.Prefix))
	return errors.Join(errs...)
}

// Cleanup removes what a world with this prefix left: it stops every
// process inside its namespaces (SIGTERM, then SIGKILL), deletes the
// namespaces (their links go with them) and the state directory. It acts
// only on state it can trust (rootdir.Check: root's own directory under
// StateRoot) and only on namespaces this world recorded there that are
// still the very namespace recorded (same netns.NS.ID): a namespace of the
// same name made by anyone else is left alone and reported. It is
// idempotent.
func Cleanup(ctx context.Context, prefix string) error {
	dir, exists, err := stateDir(prefix, false)
	if err != nil || !exists {
		return err
	}
	lines, err := readLines(filepath.Join(dir, nsList))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var errs []error
	// Processes first: a namespace with a process in it outlives its name.
	var all []int
	var nss []*netns.NS
	for _, line := range lines {
		name, id, _ := strings.Cut(line, " ")
		if !strings.HasPrefix(name, prefix) {
			errs = append(errs, fmt.Errorf("%s lists namespace %q, which does not start with %q: left alone", nsList, name, prefix))
			continue
		}
		ns, err := netns.Open(name)
		if errors.Is(err, netns.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if got, err := ns.ID(); err != nil || got != id {
			ns.Close()
			errs = append(errs, fmt.Errorf("namespace %s is not the one this world created (id %s, recorded %q): left alone", name, got, id))
			continue
		}
		nss = append(nss, ns)
		pids, err := ns.Pids()
		if err != nil {
			errs = append(errs, err)
		}
		all = append(all, pids...)
	}
	rootdir.StopPids(ctx, all)
	for i := len(nss) - 1; i >= 0; i-- {
		if err := nss[i].Delete(); err != nil && !errors.Is(err, netns.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		errs = append(errs, err)
	}
	_ = os.Remove(StateRoot) // only when no other world keeps state there
	return errors.Join(errs...)
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}

// Leftovers lists what a world with this prefix left behind, for tests
// and the cleanup command to assert that nothing is: namespaces whose name
// starts with the prefix, processes whose command line names the state
// directory (the servers' files), and the state directory itself.
func Leftovers(prefix string) ([]string, error) {
	var out []string
	names, err := netns.List()
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, "namespace "+n)
		}
	}
	dir := StateDir(prefix)
	if CheckPrefix(prefix) != nil {
		return out, nil // no world can have used it
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	for _, p := range procs {
		cmdline, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmdline), dir+"/") {
			continue
		}
		if pid, err := strconv.Atoi(p.Name()); err == nil && !rootdir.Zombie(pid) {
			out = append(out, fmt.Sprintf("process %d: %s", pid, strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " ")))
		}
	}
	if _, err := os.Stat(dir); err == nil {
		out = append(out, "directory "+dir)
	}
	return out, nil
}

// OpenFlow connects to a bridge of the host (its management socket in
// the host's run directory), in the highest OpenFlow version both speak;
// the world closes the connection.
func (h *Host) OpenFlow(ctx context.Context, bridge string) (*openflow.Conn, error) {
	c, err := openflow.Dial(ctx, "unix:"+filepath.Join(h.Dir, bridge+".mgmt"))
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", h.Name, err)
	}
	h.world.OnClose(c.Close)
	return c, nil
}

// Config returns the world's configuration.
func (w *World) Config() Config { return w.cfg }
