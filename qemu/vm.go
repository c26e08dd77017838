package qemu

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ovskit/ovskit/netns"
)

// Errors, tested with errors.Is.
var (
	// ErrExited: qemu ended while the VM was expected to run (a failing
	// if-up script, a bad argument, a crash). The error includes the end
	// of qemu's own output and of the guest's console.
	ErrExited = errors.New("qemu exited")
	// ErrGuest: the guest's answer could not be understood.
	ErrGuest = errors.New("guest answer")
	// ErrInvalid: a configuration that qemu would refuse or misread.
	ErrInvalid = errors.New("invalid VM configuration")
)

// Config describes a VM: the tutorial's qemu command line, with TCG
// instead of KVM and the project's image instead of a disk.
type Config struct {
	// Name is the VM's name (-name) and the guest's host name.
	Name string
	// Dir is a private directory of the caller's for the VM's files: its
	// console log, control socket, pidfile and qemu's own output. Keep it
	// short: unix socket paths are limited to 108 bytes.
	Dir string
	// NS is the network namespace qemu runs in, where its tap device is
	// created (nil: the caller's).
	NS *netns.NS
	// Image is what the VM boots (BuildImage).
	Image *Image
	// MAC is the NIC's address (-net nic,model=virtio,macaddr=MAC).
	MAC string
	// Tap is the host side's name (-net tap,ifname=TAP).
	Tap string
	// IfUp and IfDown are the scripts qemu runs with the tap's name once
	// it exists and once the VM has stopped (script=, downscript=; empty:
	// none).
	IfUp, IfDown string
	// Env is added to qemu's environment, which its scripts inherit.
	Env []string
	// MemoryMB is the guest's memory (-m; the tutorial's 256 if zero).
	MemoryMB int
	// Addr is a static address for the guest's eth0 ("10.0.3.1/24"),
	// set by its init; empty for none (DHCP later).
	Addr string
	// Logger receives start and stop events (slog.Default() if nil).
	Logger *slog.Logger
}

// VM is a running qemu process and its guest. The guest runs commands the
// host sends over its second serial port and answers with their status
// and output, so every check run with Exec is the guest's own.
type VM struct {
	cfg     Config
	log     *slog.Logger
	cmd     *exec.Cmd
	started time.Time
	exited  chan struct{}
	waitErr error

	conn    net.Conn
	ready   chan struct{}
	bootFor time.Duration // set before ready is closed
	readErr error         // set before lost is closed
	lost    chan struct{}

	execMu  sync.Mutex // one command at a time: the guest runs them in turn
	mu      sync.Mutex
	nextID  int
	wait    map[int]chan Result
	pending []byte // the line of the command in flight, sent again if garbled
	resent  int
}

// Result is what the guest answered for a command.
type Result struct {
	// Status is the shell's exit status.
	Status int
	// Output is standard output and standard error, interleaved.
	Output string
}

// Args returns qemu's command line for cfg: the tutorial's (-name, -m,
// -smp 1, -net nic,model=virtio,macaddr=..., -net
// tap,ifname=...,script=...,downscript=...), with -accel tcg (KVM does
// not work on these machines), the image's kernel and initramfs instead
// of a cirros disk, and the serial ports to files and a socket instead of
// --nographic's terminal.
func Args(cfg Config) ([]string, error) {
	if cfg.Name == "" || cfg.Dir == "" || cfg.Image == nil || cfg.Tap == "" {
		return nil, fmt.Errorf("%w: Name, Dir, Image and Tap are required", ErrInvalid)
	}
	for what, v := range map[string]string{"name": cfg.Name, "MAC": cfg.MAC, "tap": cfg.Tap, "address": cfg.Addr, "if-up": cfg.IfUp, "if-down": cfg.IfDown, "dir": cfg.Dir} {
		// qemu splits options on commas; the kernel command line on spaces.
		if strings.ContainsAny(v, ", \t\n\"") {
			return nil, fmt.Errorf("%w: %s %q has a comma, space or quote", ErrInvalid, what, v)
		}
	}
	if _, err := net.ParseMAC(cfg.MAC); cfg.MAC != "" && err != nil {
		return nil, fmt.Errorf("%w: MAC: %w", ErrInvalid, err)
	}
	if _, err := netip.ParsePrefix(cfg.Addr); cfg.Addr != "" && err != nil {
		return nil, fmt.Errorf("%w: address: %w", ErrInvalid, err)
	}
	if len(ctlPath(cfg)) > 107 {
		return nil, fmt.Errorf("%w: %s is too long for a unix socket", ErrInvalid, ctlPath(cfg))
	}
	mem := cfg.MemoryMB
	if mem == 0 {
		mem = 256
	}
	script := func(s string) string {
		if s == "" {
			return "no"
		}
		return s
	}
	appendArgs := "console=ttyS0 quiet panic=-1 ovskit.name=" + cfg.Name
	if cfg.Addr != "" {
		appendArgs += " ovskit.addr=" + cfg.Addr
	}
	nic := "nic,model=virtio"
	if cfg.MAC != "" {
		nic += ",macaddr=" + cfg.MAC
	}
	return []string{
		"-accel", "tcg", "-name", cfg.Name, "-m", strconv.Itoa(mem), "-smp", "1",
		"-kernel", cfg.Image.Kernel, "-initrd", cfg.Image.Initrd, "-append", appendArgs,
		"-net", nic,
		"-net", "tap,ifname=" + cfg.Tap + ",script=" + script(cfg.IfUp) + ",downscript=" + script(cfg.IfDown),
		"-nodefaults", "-display", "none", "-no-reboot",
		"-serial", "file:" + consolePath(cfg),
		"-serial", "unix:" + ctlPath(cfg) + ",server=on,wait=off",
		"-pidfile", filepath.Join(cfg.Dir, cfg.Name+".pid"),
	}, nil
}

func consolePath(cfg Config) string { return filepath.Join(cfg.Dir, cfg.Name+".console") }
func ctlPath(cfg Config) string     { return filepath.Join(cfg.Dir, cfg.Name+".ctl") }

// Start starts qemu in cfg.NS and connects to the guest's command port. It
// returns while the guest boots (Ready waits for it); qemu has run the
// if-up script, or is running it. On error nothing is left running.
func Start(ctx context.Context, cfg Config) (*VM, error) {
	args, err := Args(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	out, err := os.OpenFile(filepath.Join(cfg.Dir, cfg.Name+".qemu.log"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	_ = os.Remove(ctlPath(cfg))
	cmd := exec.Command("qemu-system-x86_64", args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), cfg.Env...)
	// A process group of its own (a Ctrl-C reaches this program, which
	// stops the VM in order), stopped by pid.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	v := &VM{cfg: cfg, log: cfg.Logger, cmd: cmd, exited: make(chan struct{}), ready: make(chan struct{}), lost: make(chan struct{}), wait: map[int]chan Result{}}
	if cfg.NS != nil {
		err = cfg.NS.Start(cmd)
	} else {
		err = cmd.Start()
	}
	if err != nil {
		return nil, fmt.Errorf("vm %s: start qemu: %w", cfg.Name, err)
	}
	v.started = time.Now()
	go func() { v.waitErr = cmd.Wait(); close(v.exited) }()
	v.log.Debug("qemu started", "vm", cfg.Name, "pid", cmd.Process.Pid)
	if err := v.connect(ctx); err != nil {
		_ = v.Stop(context.Background())
		return nil, err
	}
	go v.readLoop()
	return v, nil
}

// connect dials the control socket once qemu has made it.
func (v *VM) connect(ctx context.Context) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := net.Dial("unix", ctlPath(v.cfg))
		if err == nil {
			v.conn = c
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("vm %s: connect to its command port: %w", v.cfg.Name, ctx.Err())
		case <-v.exited:
			return v.exitError()
		case <-tick.C:
		}
	}
}

// exitError describes qemu's exit with the end of its output and console.
func (v *VM) exitError() error {
	return fmt.Errorf("vm %s: %w (%v)\n%s", v.cfg.Name, ErrExited, v.waitErr, v.Logs(15))
}

// Logs returns the last n lines of qemu's own output and of the guest's
// console.
func (v *VM) Logs(n int) string {
	var b strings.Builder
	for _, p := range []string{filepath.Join(v.cfg.Dir, v.cfg.Name+".qemu.log"), consolePath(v.cfg)} {
		data, err := os.ReadFile(p)
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > n {
			lines = lines[len(lines)-n:]
		}
		if err != nil {
			lines = []string{"(" + err.Error() + ")"}
		}
		fmt.Fprintf(&b, "==> %s <==\n%s\n", p, strings.Join(lines, "\n"))
	}
	return b.String()
}

// Console is the file the guest's console (ttyS0) is written to.
func (v *VM) Console() string { return consolePath(v.cfg) }

// Pid is qemu's process id.
func (v *VM) Pid() int { return v.cmd.Process.Pid }

// Name is the VM's name.
func (v *VM) Name() string { return v.cfg.Name }

func (v *VM) readLoop() {
	sc := bufio.NewScanner(v.conn)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "ovskit-ready"):
			select {
			case <-v.ready:
			default:
				v.bootFor = time.Since(v.started)
				close(v.ready)
			}
		case line == "ovskit-garbled":
			// The guest received a damaged line and ran nothing: send the
			// command again.
			v.mu.Lock()
			again := v.pending
			v.resent++
			v.mu.Unlock()
			v.log.Warn("vm: command line damaged on the serial port; sending it again", "vm", v.cfg.Name)
			if again != nil {
				_, _ = v.conn.Write(again)
			}
		case strings.HasPrefix(line, "ovskit-result "):
			f := strings.Fields(line)
			if len(f) < 3 {
				continue
			}
			id, err1 := strconv.Atoi(f[1])
			status, err2 := strconv.Atoi(f[2])
			var out []byte
			var err3 error
			if len(f) > 3 {
				out, err3 = base64.StdEncoding.DecodeString(f[3])
			}
			if err1 != nil || err2 != nil || err3 != nil {
				v.log.Warn("vm: unreadable answer", "vm", v.cfg.Name, "line", line)
				continue
			}
			v.mu.Lock()
			ch := v.wait[id]
			delete(v.wait, id)
			v.mu.Unlock()
			if ch != nil {
				ch <- Result{Status: status, Output: string(out)}
			}
		}
	}
	v.readErr = sc.Err()
	if v.readErr == nil {
		v.readErr = errors.New("command port closed")
	}
	close(v.lost)
}

// Ready waits until the guest has booted and answers commands.
func (v *VM) Ready(ctx context.Context) error {
	select {
	case <-v.ready:
		return nil
	case <-v.exited:
		return v.exitError()
	case <-v.lost:
		return fmt.Errorf("vm %s: %w: %v", v.cfg.Name, ErrExited, v.readErr)
	case <-ctx.Done():
		return fmt.Errorf("vm %s: waiting for the guest to boot: %w\n%s", v.cfg.Name, ctx.Err(), v.Logs(15))
	}
}

// BootTime is how long the guest took from qemu's start until it answered
// (zero before Ready).
func (v *VM) BootTime() time.Duration {
	select {
	case <-v.ready:
		return v.bootFor
	default:
		return 0
	}
}

// Exec runs script with the guest's shell, inside the guest, once it has
// booted, and returns its exit status and output. Equivalent to typing
// the script at the guest's console.
func (v *VM) Exec(ctx context.Context, script string) (Result, error) {
	if err := v.Ready(ctx); err != nil {
		return Result{}, err
	}
	v.execMu.Lock()
	defer v.execMu.Unlock()
	ch := make(chan Result, 1)
	v.mu.Lock()
	v.nextID++
	id := v.nextID
	v.wait[id] = ch
	line := []byte(fmt.Sprintf("%d %s %d\n", id, base64.StdEncoding.EncodeToString([]byte(script)), id))
	v.pending = line
	v.mu.Unlock()
	defer func() {
		v.mu.Lock()
		delete(v.wait, id)
		v.pending = nil
		v.mu.Unlock()
	}()
	if dl, ok := ctx.Deadline(); ok {
		_ = v.conn.SetWriteDeadline(dl)
	}
	if _, err := v.conn.Write(line); err != nil {
		return Result{}, fmt.Errorf("vm %s: send: %w", v.cfg.Name, err)
	}
	select {
	case r := <-ch:
		return r, nil
	case <-v.exited:
		return Result{}, v.exitError()
	case <-v.lost:
		return Result{}, fmt.Errorf("vm %s: %w: %v", v.cfg.Name, ErrExited, v.readErr)
	case <-ctx.Done():
		return Result{}, fmt.Errorf("vm %s: %q: %w", v.cfg.Name, script, ctx.Err())
	}
}

// Ping sends three ICMP echo requests from inside the guest to dst
// (busybox ping) and reports whether any was answered, as the guest's
// ping itself counts them. Equivalent to: ping -c 3 DST, in the guest.
func (v *VM) Ping(ctx context.Context, dst string) (bool, error) {
	if _, err := netip.ParseAddr(dst); err != nil {
		return false, fmt.Errorf("%w: ping: %w", ErrInvalid, err)
	}
	r, err := v.Exec(ctx, "ping -c 3 -i 0.2 -W 1 "+dst)
	if err != nil {
		return false, err
	}
	n, err := received(r.Output)
	if err != nil {
		return false, fmt.Errorf("vm %s: %w: ping: %w: %q", v.cfg.Name, ErrGuest, err, r.Output)
	}
	return n > 0, nil
}

// received reads busybox ping's summary: "3 packets transmitted, 2
// packets received, 33% packet loss".
func received(out string) (int, error) {
	for _, line := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(line, " packets transmitted, "); ok {
			n, _, _ := strings.Cut(rest, " ")
			return strconv.Atoi(n)
		}
	}
	return 0, errors.New("no summary line")
}

// Lease is what the guest's DHCP client obtained, as its script printed
// it.
type Lease struct {
	Addr      netip.Prefix
	Router    netip.Addr // invalid when the server gave none
	Server    netip.Addr
	DNS       []netip.Addr
	LeaseTime time.Duration
}

// DHCP runs the guest's DHCP client on eth0 until it has a lease, which
// its script applies (address, default route) and prints. Equivalent to:
// udhcpc -i eth0 -n -q -s SCRIPT, in the guest, as cirros runs it.
func (v *VM) DHCP(ctx context.Context) (Lease, error) {
	r, err := v.Exec(ctx, "udhcpc -i eth0 -n -q -t 10 -T 1 -s /usr/share/udhcpc/default.script")
	if err != nil {
		return Lease{}, err
	}
	if r.Status != 0 {
		return Lease{}, fmt.Errorf("vm %s: udhcpc: no lease (status %d): %s", v.cfg.Name, r.Status, strings.TrimSpace(r.Output))
	}
	l, err := parseLease(r.Output)
	if err != nil {
		return Lease{}, fmt.Errorf("vm %s: %w: udhcpc: %w: %q", v.cfg.Name, ErrGuest, err, r.Output)
	}
	return l, nil
}

// parseLease reads the "lease ip=... mask=... router=... serverid=...
// lease=... dns=..." line of the guest's udhcpc script.
func parseLease(out string) (Lease, error) {
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "lease ")
		if !ok {
			continue
		}
		kv := map[string]string{}
		for _, f := range strings.Fields(rest) {
			k, val, _ := strings.Cut(f, "=")
			kv[k] = val
		}
		var l Lease
		ip, err := netip.ParseAddr(kv["ip"])
		if err != nil {
			return Lease{}, fmt.Errorf("ip: %w", err)
		}
		bits, err := strconv.Atoi(kv["mask"])
		if err != nil {
			return Lease{}, fmt.Errorf("mask: %w", err)
		}
		if l.Addr, err = ip.Prefix(bits); err != nil {
			return Lease{}, err
		}
		l.Addr = netip.PrefixFrom(ip, bits)
		if kv["router"] != "" {
			if l.Router, err = netip.ParseAddr(kv["router"]); err != nil {
				return Lease{}, fmt.Errorf("router: %w", err)
			}
		}
		if kv["serverid"] != "" {
			if l.Server, err = netip.ParseAddr(kv["serverid"]); err != nil {
				return Lease{}, fmt.Errorf("serverid: %w", err)
			}
		}
		secs, err := strconv.Atoi(kv["lease"])
		if err != nil {
			return Lease{}, fmt.Errorf("lease: %w", err)
		}
		l.LeaseTime = time.Duration(secs) * time.Second
		for _, d := range strings.Split(kv["dns"], ",") {
			if d == "" {
				continue
			}
			a, err := netip.ParseAddr(d)
			if err != nil {
				return Lease{}, fmt.Errorf("dns: %w", err)
			}
			l.DNS = append(l.DNS, a)
		}
		return l, nil
	}
	return Lease{}, errors.New("no lease line")
}

// DefaultGateway returns the guest's default route's gateway.
// Equivalent to: ip route show default, in the guest.
func (v *VM) DefaultGateway(ctx context.Context) (netip.Addr, error) {
	r, err := v.Exec(ctx, "ip route show default")
	if err != nil {
		return netip.Addr{}, err
	}
	f := strings.Fields(r.Output)
	for i := 0; i+2 < len(f); i++ {
		if f[i] == "default" && f[i+1] == "via" {
			return netip.ParseAddr(f[i+2])
		}
	}
	return netip.Addr{}, fmt.Errorf("vm %s: no default route: %q", v.cfg.Name, r.Output)
}

// Addrs returns the IPv4 addresses of the guest's link.
// Equivalent to: ip -4 -o addr show dev LINK, in the guest.
func (v *VM) Addrs(ctx context.Context, link string) ([]netip.Prefix, error) {
	if strings.ContainsAny(link, " \t\n;&|$`'\"\\") || link == "" {
		return nil, fmt.Errorf("%w: link %q", ErrInvalid, link)
	}
	r, err := v.Exec(ctx, "ip -4 -o addr show dev "+link)
	if err != nil {
		return nil, err
	}
	if r.Status != 0 {
		return nil, fmt.Errorf("vm %s: ip addr show %s: %s", v.cfg.Name, link, strings.TrimSpace(r.Output))
	}
	return parseAddrs(r.Output)
}

// parseAddrs reads the "inet A/N" fields of ip -o addr output.
func parseAddrs(out string) ([]netip.Prefix, error) {
	var addrs []netip.Prefix
	f := strings.Fields(out)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "inet" {
			p, err := netip.ParsePrefix(f[i+1])
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrGuest, err)
			}
			addrs = append(addrs, p)
		}
	}
	return addrs, nil
}

// SetDefaultRoute replaces the guest's default route.
// Equivalent to: ip route replace default via VIA, in the guest.
func (v *VM) SetDefaultRoute(ctx context.Context, via netip.Addr) error {
	if !via.IsValid() {
		return fmt.Errorf("%w: default route: no gateway", ErrInvalid)
	}
	r, err := v.Exec(ctx, "ip route replace default via "+via.String())
	if err != nil {
		return err
	}
	if r.Status != 0 {
		return fmt.Errorf("vm %s: ip route replace default: %s", v.cfg.Name, strings.TrimSpace(r.Output))
	}
	return nil
}

// Stop stops qemu (SIGTERM: it shuts the VM down and runs the if-down
// script) and waits for it to exit; after ctx ends, or 15 s, it kills
// qemu. It can be called again.
func (v *VM) Stop(ctx context.Context) error {
	select {
	case <-v.exited:
	default:
		_ = v.cmd.Process.Signal(syscall.SIGTERM)
		t := time.NewTimer(15 * time.Second)
		defer t.Stop()
		select {
		case <-v.exited:
		case <-t.C:
			_ = v.cmd.Process.Kill()
			<-v.exited
		case <-ctx.Done():
			_ = v.cmd.Process.Kill()
			<-v.exited
		}
	}
	if v.conn != nil {
		_ = v.conn.Close()
	}
	_ = os.Remove(ctlPath(v.cfg))
	v.log.Debug("qemu stopped", "vm", v.cfg.Name)
	return nil
}

// TutorialScripts returns the tutorial's qemu if-up and if-down scripts
// for bridge, with command (the ovskit command, or ovs-vsctl) in place of
// ovs-vsctl: bring the tap up and add it to the bridge, and the reverse.
func TutorialScripts(bridge, command string) (ifUp, ifDown string) {
	script := func(link, verb string) string {
		return fmt.Sprintf(`#!/bin/bash
bridge=%s
if [ -n $1 ];then
ip link set $1 %s
sleep 1
%s %s $bridge $1
[ $? -eq 0 ] && exit 0 || exit 1
else
echo 'Error:no port specified'
exit 2
fi
`, bridge, link, command, verb)
	}
	return script("up", "add-port"), script("down", "del-port")
}

// Exited is closed when qemu has exited.
func (v *VM) Exited() <-chan struct{} { return v.exited }
