package dhcp

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ovskit/ovskit/netns"
)

// Dnsmasq is a real dnsmasq serving DHCP in a namespace, with private pid
// and lease files, as the tutorial runs it (dnsmasq -F START,END,LEASE -i
// IFACE).
type Dnsmasq struct {
	Dir       string // its pid, lease and log files
	LeaseFile string
	cmd       *exec.Cmd
	done      chan error
	ownDir    bool
}

// DnsmasqConfig are the tutorial's options.
type DnsmasqConfig struct {
	Interface            string
	RangeStart, RangeEnd netip.Addr
	LeaseTime            time.Duration // default one hour
	Router               netip.Addr    // optional (dnsmasq's default is its own address)
	Dir                  string        // for its files (created if missing); a temp dir if empty
}

// StartDnsmasq starts dnsmasq in ns (DHCP only: its DNS port is off) and
// returns once it has started.
// Equivalent to: ip netns exec NS dnsmasq -F START,END,LEASE -i IFACE
func StartDnsmasq(ns *netns.NS, cfg DnsmasqConfig) (*Dnsmasq, error) {
	if cfg.Interface == "" || !cfg.RangeStart.Is4() || !cfg.RangeEnd.Is4() {
		return nil, fmt.Errorf("dnsmasq: interface and IPv4 range required: %w", fs.ErrInvalid)
	}
	if cfg.LeaseTime <= 0 {
		cfg.LeaseTime = time.Hour
	}
	dir, own := cfg.Dir, false
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "ovskit-dnsmasq-"); err != nil {
			return nil, err
		}
		own = true
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("dnsmasq: %w", err)
	}
	d := &Dnsmasq{Dir: dir, LeaseFile: filepath.Join(dir, "leases"), done: make(chan error, 1), ownDir: own}
	args := []string{"--keep-in-foreground", "--no-daemon", "--conf-file=/dev/null", "--port=0",
		"--interface=" + cfg.Interface, "--bind-interfaces", "--except-interface=lo",
		fmt.Sprintf("--dhcp-range=%s,%s,%d", cfg.RangeStart, cfg.RangeEnd, int(cfg.LeaseTime/time.Second)),
		"--dhcp-leasefile=" + d.LeaseFile, "--pid-file=" + filepath.Join(dir, "dnsmasq.pid"),
		"--dhcp-authoritative", "--log-dhcp", "--log-facility=" + filepath.Join(dir, "dnsmasq.log"),
		"--user=root", "--group=root"}
	if cfg.Router.IsValid() {
		args = append(args, "--dhcp-option=3,"+cfg.Router.String())
	}
	d.cmd = exec.Command("dnsmasq", args...)
	if err := ns.Start(d.cmd); err != nil {
		if own {
			os.RemoveAll(dir)
		}
		return nil, fmt.Errorf("dnsmasq in %s: %w", ns.Name, err)
	}
	go func() { d.done <- d.cmd.Wait() }()
	// dnsmasq logs its DHCP range once its sockets are bound.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-d.done:
			b, _ := os.ReadFile(filepath.Join(dir, "dnsmasq.log"))
			if own {
				os.RemoveAll(dir)
			}
			return nil, fmt.Errorf("dnsmasq exited: %v: %s", err, b)
		default:
		}
		if b, err := os.ReadFile(filepath.Join(dir, "dnsmasq.log")); err == nil && strings.Contains(string(b), "DHCP, IP range") {
			return d, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.Stop()
	return nil, errors.New("dnsmasq did not start within 10s")
}

// Pid is the dnsmasq process id.
func (d *Dnsmasq) Pid() int { return d.cmd.Process.Pid }

// Stop stops dnsmasq by its pid (SIGTERM, then SIGKILL), waits for it, and
// removes its directory if StartDnsmasq made it.
func (d *Dnsmasq) Stop() {
	if d.cmd.Process == nil {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(5 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
	d.done <- nil // later Stops return at once
	if d.ownDir {
		os.RemoveAll(d.Dir)
	}
}

// DnsmasqLease is one line of dnsmasq's lease file.
type DnsmasqLease struct {
	Expiry   time.Time
	MAC      string
	IP       netip.Addr
	Hostname string
}

// Leases reads dnsmasq's lease file.
func (d *Dnsmasq) Leases() ([]DnsmasqLease, error) {
	f, err := os.Open(d.LeaseFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []DnsmasqLease
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 {
			continue
		}
		exp, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			continue
		}
		ip, err := netip.ParseAddr(fields[2])
		if err != nil {
			continue
		}
		out = append(out, DnsmasqLease{Expiry: time.Unix(exp, 0), MAC: fields[1], IP: ip, Hostname: fields[3]})
	}
	return out, sc.Err()
}
