package sim

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/ovskit/ovskit/appctl"
	"github.com/ovskit/ovskit/dhcp"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/qemu"
	"github.com/ovskit/ovskit/vswitchdb"
)

// GuestKind says what the guests of a world are.
type GuestKind int

const (
	// NamespaceGuests: a guest is a network namespace whose eth0 is one
	// end of a veth pair; the other end is in its host (the default).
	NamespaceGuests GuestKind = iota
	// QemuGuests: a guest is a real VM, qemu started in its host's
	// namespace with the tutorial's arguments, on a tap device that
	// qemu's if-up script attaches with the ovskit command.
	QemuGuests
)

// String returns the kind's name, as the -guests flag takes it.
func (k GuestKind) String() string {
	switch k {
	case NamespaceGuests:
		return "netns"
	case QemuGuests:
		return "qemu"
	}
	return fmt.Sprintf("GuestKind(%d)", int(k))
}

// ParseGuestKind reads "netns" or "qemu".
func ParseGuestKind(s string) (GuestKind, error) {
	switch s {
	case "netns", "":
		return NamespaceGuests, nil
	case "qemu":
		return QemuGuests, nil
	}
	return 0, fmt.Errorf("sim: guests %q: want netns or qemu", s)
}

// GuestConfig describes a guest of a host: a virtual machine's network
// side.
type GuestConfig struct {
	// Name is the guest's name ("vm1"); a namespace guest's namespace is
	// Prefix+Name, a VM's name (qemu -name) and host name are Name.
	Name string
	// Bridge is the host's bridge the guest is attached to.
	Bridge string
	// Vif is the host-side interface ("vif0.0"): a veth's end, or the
	// VM's tap; the guest side is eth0.
	Vif string
	// MAC is eth0's address ("52:54:00:00:00:01"); random if empty.
	MAC string
	// Addr is a static address for eth0 ("10.0.3.1/24"); empty for none
	// (DHCP later).
	Addr string
	// Port are options of the attaching add-port (vlan.Tag(10), ...).
	// Namespace guests only: a VM's if-up script runs a plain add-port,
	// as the tutorial's does.
	Port []port.Option
}

// Guest is a simulated virtual machine on a host: a namespace (Node), or a
// real qemu VM (VM). Its probes run inside it.
type Guest struct {
	// Name is the guest's name ("vm1").
	Name string
	// Host runs the guest.
	Host *Host
	// Bridge and Vif are where it is attached.
	Bridge, Vif string
	// Node is a namespace guest's namespace (nil for a VM).
	Node *Node
	// VM is a VM guest's qemu (nil for a namespace guest).
	VM *qemu.VM
}

// String returns the guest's name.
func (g *Guest) String() string { return g.Name }

// AddGuest creates a guest on the host and attaches it to its bridge, as
// qemu creates the tap and runs its if-up script. A VM guest boots in the
// background: its first probe waits for it.
func (h *Host) AddGuest(ctx context.Context, cfg GuestConfig) (*Guest, error) {
	if h.world.cfg.Guests == QemuGuests {
		return h.addVM(ctx, cfg)
	}
	n, err := h.world.Namespace(ctx, cfg.Name)
	if err != nil {
		return nil, err
	}
	if err := h.NS.AddVeth(netns.Veth{Name: cfg.Vif, Peer: "eth0", PeerNS: n.NS, PeerMAC: cfg.MAC, ForOVS: true}); err != nil {
		return nil, fmt.Errorf("guest %s: %w", cfg.Name, err)
	}
	if cfg.Addr != "" {
		if err := n.NS.AddAddr("eth0", cfg.Addr); err != nil {
			return nil, fmt.Errorf("guest %s: %w", cfg.Name, err)
		}
	}
	g := &Guest{Name: cfg.Name, Node: n, Host: h, Bridge: cfg.Bridge, Vif: cfg.Vif}
	if err := g.Attach(ctx, cfg.Port...); err != nil {
		return nil, err
	}
	h.world.mu.Lock()
	h.world.guests = append(h.world.guests, g)
	h.world.mu.Unlock()
	return g, nil
}

// vmSetup is what every VM guest of a world shares: the image and the
// directory holding the ovskit command.
type vmSetup struct {
	image *qemu.Image
	bin   string
}

// vmPrepare builds (or takes from the cache) the guest image and puts the
// ovskit command in place, once per world.
func (w *World) vmPrepare(ctx context.Context) (*vmSetup, error) {
	w.vmMu.Lock()
	defer w.vmMu.Unlock()
	if w.vms != nil {
		return w.vms, nil
	}
	start := time.Now()
	img, err := qemu.BuildImage(ctx, w.cfg.Image)
	if err != nil {
		return nil, err
	}
	w.log.Debug("guest image", "key", img.Key, "built", img.Built, "took", time.Since(start))
	bin := filepath.Join(w.Dir, "bin")
	if err := os.Mkdir(bin, 0o700); err != nil {
		return nil, err
	}
	cli := filepath.Join(bin, "ovskit")
	if w.cfg.CLI != "" {
		// A copy in the world's own directory: the scripts run as root
		// never run a file another user could replace.
		data, err := os.ReadFile(w.cfg.CLI)
		if err != nil {
			return nil, fmt.Errorf("sim: CLI: %w", err)
		}
		if err := os.WriteFile(cli, data, 0o700); err != nil {
			return nil, err
		}
	} else {
		out, err := exec.CommandContext(ctx, "go", "build", "-o", cli, "github.com/ovskit/ovskit/cmd/ovskit").CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("sim: build the ovskit command for the if-up scripts (set Config.CLI to use a built one): %w: %s", err, out)
		}
	}
	w.vms = &vmSetup{image: img, bin: bin}
	return w.vms, nil
}

// scripts returns the host's if-up and if-down scripts for a bridge,
// written the first time: if-up and if-down for the first bridge, then
// if-up1 and if-down1, ... as the tutorial copies them for br1-in.
func (h *Host) scripts(bridge string) (up, down string, err error) {
	h.world.vmMu.Lock()
	defer h.world.vmMu.Unlock()
	if h.ifScripts == nil {
		h.ifScripts = map[string]string{}
	}
	suffix, ok := h.ifScripts[bridge]
	if !ok {
		if len(h.ifScripts) > 0 {
			suffix = fmt.Sprint(len(h.ifScripts))
		}
		dir := filepath.Join(h.world.Dir, h.Name)
		upText, downText := qemu.TutorialScripts(bridge, "ovskit")
		for name, text := range map[string]string{"if-up": upText, "if-down": downText} {
			if err := os.WriteFile(filepath.Join(dir, name+suffix), []byte(text), 0o700); err != nil {
				return "", "", err
			}
		}
		h.ifScripts[bridge] = suffix
	}
	dir := filepath.Join(h.world.Dir, h.Name)
	return filepath.Join(dir, "if-up"+suffix), filepath.Join(dir, "if-down"+suffix), nil
}

// scriptEnv is the environment of qemu and so of its scripts: the ovskit
// command first on PATH, talking to the host's database.
func (h *Host) scriptEnv(s *vmSetup) []string {
	return []string{"PATH=" + s.bin + ":/usr/sbin:/usr/bin:/sbin:/bin", "OVS_RUNDIR=" + filepath.Join(h.world.Dir, h.Name)}
}

// addVM starts the guest's qemu in the host's namespace and waits until
// its if-up script has attached the tap (the port is in the database and
// ovs-vswitchd's flows follow it).
func (h *Host) addVM(ctx context.Context, cfg GuestConfig) (*Guest, error) {
	if len(cfg.Port) > 0 {
		return nil, fmt.Errorf("guest %s: %w: port options with VM guests (their if-up script runs a plain add-port)", cfg.Name, qemu.ErrInvalid)
	}
	s, err := h.world.vmPrepare(ctx)
	if err != nil {
		return nil, fmt.Errorf("guest %s: %w", cfg.Name, err)
	}
	up, down, err := h.scripts(cfg.Bridge)
	if err != nil {
		return nil, fmt.Errorf("guest %s: %w", cfg.Name, err)
	}
	h.world.mu.Lock()
	closed := h.world.closed
	h.world.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	vm, err := qemu.Start(ctx, qemu.Config{
		Name: cfg.Name, Dir: filepath.Join(h.world.Dir, h.Name), NS: h.NS, Image: s.image,
		MAC: cfg.MAC, Tap: cfg.Vif, IfUp: up, IfDown: down, Env: h.scriptEnv(s),
		Addr: cfg.Addr, Logger: h.world.log,
	})
	if err != nil {
		return nil, fmt.Errorf("guest %s: %w", cfg.Name, err)
	}
	g := &Guest{Name: cfg.Name, VM: vm, Host: h, Bridge: cfg.Bridge, Vif: cfg.Vif}
	h.world.mu.Lock()
	h.world.guests = append(h.world.guests, g)
	h.world.mu.Unlock()
	// qemu runs if-up before the guest starts; a failing if-up ends qemu.
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-vm.Exited():
			cancel(fmt.Errorf("guest %s: %w\n%s", cfg.Name, qemu.ErrExited, vm.Logs(10)))
		case <-wctx.Done():
		}
	}()
	if _, err := ovsdb.WaitUntil(wctx, h.Client, func(p *vswitchdb.Port) bool { return p.Name == cfg.Vif }); err != nil {
		if cause := context.Cause(wctx); cause != nil && ctx.Err() == nil {
			err = cause
		}
		return nil, fmt.Errorf("guest %s: waiting for if-up to attach %s: %w", cfg.Name, cfg.Vif, err)
	}
	if err := appctl.WaitRevalidated(ctx, h.OVS.VSwitchdCtl()); err != nil {
		return nil, fmt.Errorf("guest %s: %w", cfg.Name, err)
	}
	return g, nil
}

// Attach adds the guest's interface to its bridge: the tutorial's qemu
// if-up script (ip link set $1 up; ovs-vsctl add-port br-in $1). A VM
// guest's if-up script itself is run, as qemu runs it.
func (g *Guest) Attach(ctx context.Context, opts ...port.Option) error {
	if g.VM != nil {
		if len(opts) > 0 {
			return fmt.Errorf("guest %s: %w: port options with VM guests", g.Name, qemu.ErrInvalid)
		}
		return g.runScript(ctx, "if-up")
	}
	if err := g.Host.NS.LinkUp(g.Vif); err != nil {
		return err
	}
	if _, err := g.Host.Transact(ctx, port.Add(g.Bridge, g.Vif, opts...)); err != nil {
		return fmt.Errorf("guest %s: attach %s to %s: %w", g.Name, g.Vif, g.Bridge, err)
	}
	return nil
}

// Detach removes the guest's interface from its bridge: the if-down
// script (ovs-vsctl del-port br-in $1; ip link set $1 down), which a VM
// guest's own script does.
func (g *Guest) Detach(ctx context.Context) error {
	if g.VM != nil {
		return g.runScript(ctx, "if-down")
	}
	if _, err := g.Host.Transact(ctx, port.Delete(g.Vif, port.FromBridge(g.Bridge))); err != nil {
		return fmt.Errorf("guest %s: detach %s: %w", g.Name, g.Vif, err)
	}
	return g.Host.NS.LinkDown(g.Vif)
}

// runScript runs the VM's if-up or if-down script in the host's
// namespace, as qemu does, then waits for ovs-vswitchd's flows.
func (g *Guest) runScript(ctx context.Context, which string) error {
	s, err := g.Host.world.vmPrepare(ctx)
	if err != nil {
		return err
	}
	up, down, err := g.Host.scripts(g.Bridge)
	if err != nil {
		return err
	}
	script := up
	if which == "if-down" {
		script = down
	}
	cmd := exec.CommandContext(ctx, script, g.Vif)
	cmd.Env = append(os.Environ(), g.Host.scriptEnv(s)...)
	var out []byte
	err = g.Host.NS.Do(func() error {
		var err error
		out, err = cmd.CombinedOutput()
		return err
	})
	if err != nil {
		return fmt.Errorf("guest %s: %s %s: %w: %s", g.Name, which, g.Vif, err, out)
	}
	return appctl.WaitRevalidated(ctx, g.Host.OVS.VSwitchdCtl())
}

// Ping sends a few ICMP echo requests from inside the guest to dst and
// reports whether any was answered: in a VM, its own ping does and counts.
func (g *Guest) Ping(ctx context.Context, dst string) (bool, error) {
	if g.VM == nil {
		return g.Node.Ping(ctx, dst)
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if err := g.Host.world.VMsReady(ctx); err != nil {
		return false, err
	}
	return g.VM.Ping(ctx, dst)
}

// probeTimeout bounds a probe run in a VM: a guest that stops answering
// fails the check instead of hanging the lab.
const probeTimeout = 90 * time.Second

// VMsReady waits until every VM guest has booted: a probe between guests
// then says whether the network carries it, not whether its peer is up
// yet, as in the tutorial, where the VMs are started before anyone logs
// in to ping.
func (w *World) VMsReady(ctx context.Context) error {
	w.mu.Lock()
	guests := append([]*Guest(nil), w.guests...)
	w.mu.Unlock()
	for _, g := range guests {
		if g.VM != nil {
			if err := g.VM.Ready(ctx); err != nil {
				return fmt.Errorf("guest %s: %w", g.Name, err)
			}
		}
	}
	return nil
}

// DHCP obtains an address for eth0 and configures it with its default
// route: in a VM, its udhcpc does (as cirros's), and the lease is what
// its script printed.
func (g *Guest) DHCP(ctx context.Context) (*dhcp.ClientLease, error) {
	if g.VM != nil {
		ctx, cancel := context.WithTimeout(ctx, probeTimeout)
		defer cancel()
		if err := g.Host.world.VMsReady(ctx); err != nil {
			return nil, err
		}
		l, err := g.VM.DHCP(ctx)
		if err != nil {
			return nil, fmt.Errorf("guest %s: dhcp: %w", g.Name, err)
		}
		return &dhcp.ClientLease{Interface: "eth0", Addr: l.Addr, Router: l.Router, DNS: l.DNS, Server: l.Server, LeaseTime: l.LeaseTime}, nil
	}
	c, err := dhcp.NewClient(g.Node.NS, "eth0", 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	l, err := c.Obtain(ctx)
	if err != nil {
		return nil, fmt.Errorf("guest %s: dhcp: %w", g.Name, err)
	}
	return l, nil
}

// DefaultGateway returns the gateway of the guest's default route, as the
// guest itself has it.
func (g *Guest) DefaultGateway(ctx context.Context) (netip.Addr, error) {
	if g.VM != nil {
		return g.VM.DefaultGateway(ctx)
	}
	return g.Node.NS.DefaultGateway()
}

// Addrs returns the addresses of the guest's eth0, as the guest has them.
func (g *Guest) Addrs(ctx context.Context) ([]netip.Prefix, error) {
	if g.VM != nil {
		return g.VM.Addrs(ctx, "eth0")
	}
	return g.Node.NS.Addrs("eth0")
}

// SetDefaultRoute points the guest's default route at via.
func (g *Guest) SetDefaultRoute(ctx context.Context, via netip.Addr) error {
	if g.VM != nil {
		return g.VM.SetDefaultRoute(ctx, via)
	}
	return g.Node.NS.SetRoute(netns.Route{Dst: "default", Via: via.String()})
}

// Sniff captures what reaches the guest's eth0: inside a namespace
// guest; for a VM, on its tap in the host, which carries exactly the
// frames the VM's NIC receives and sends.
func (g *Guest) Sniff() (*netns.Sniffer, error) {
	if g.VM != nil {
		return g.Host.NS.Sniff(g.Vif)
	}
	return g.Node.NS.Sniff("eth0")
}

// stopVMs stops every VM guest, all at once: qemu shuts down and runs its
// if-down script, which detaches the tap.
func (w *World) stopVMs() error {
	w.mu.Lock()
	guests := append([]*Guest(nil), w.guests...)
	w.mu.Unlock()
	var wg sync.WaitGroup
	errs := make([]error, len(guests))
	for i, g := range guests {
		if g.VM == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = g.VM.Stop(context.Background())
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// BootTimes returns, for each VM guest that has booted, how long it took
// from qemu's start until the guest answered.
func (w *World) BootTimes() map[string]time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]time.Duration{}
	for _, g := range w.guests {
		if g.VM != nil {
			if d := g.VM.BootTime(); d > 0 {
				out[g.Name] = d
			}
		}
	}
	return out
}
