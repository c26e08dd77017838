package dhcp_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"

	"github.com/ovskit/ovskit/dhcp"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// lan is a server namespace with a Linux bridge (10.0.0.1/24) and client
// namespaces, each with an eth0 on the bridge.
type lan struct {
	t       *testing.T
	prefix  string
	srv     *netns.NS
	clients []*netns.NS
	dir     string
}

func newLAN(t *testing.T, n int) *lan {
	t.Helper()
	ovstest.Require(t, ovstest.NeedRoot, ovstest.NeedNetns)
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	l := &lan{t: t, prefix: "ovskit-d" + hex.EncodeToString(b) + "-", dir: t.TempDir()}
	t.Cleanup(func() {
		// Processes a test started in the namespaces (dhclient forks a
		// daemon) are its own: stop them by pid, and report them as a leak.
		for _, ns := range append([]*netns.NS{l.srv}, l.clients...) {
			if ns == nil {
				continue
			}
			pids, _ := ns.Pids()
			for _, pid := range pids {
				t.Errorf("process %d left running in %s; killing it", pid, ns.Name)
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		for _, c := range l.clients {
			if err := c.Delete(); err != nil {
				t.Error(err)
			}
		}
		if l.srv != nil {
			if err := l.srv.Delete(); err != nil {
				t.Error(err)
			}
		}
		left, _ := netns.List()
		for _, name := range left {
			if strings.HasPrefix(name, l.prefix) {
				t.Errorf("namespace %s left behind", name)
			}
		}
	})
	var err error
	if l.srv, err = netns.Create(l.prefix + "srv"); err != nil {
		t.Fatal(err)
	}
	// udhcpc's script, written once: rewriting it while another client
	// runs it would fail that client with ETXTBSY.
	must(t, os.WriteFile(filepath.Join(l.dir, "udhcpc.sh"), []byte("#!/bin/sh\necho \"$1 $ip $router\" >> \"$OUT\"\n"), 0o755))
	must(t, l.srv.AddBridge("br0"))
	must(t, l.srv.AddAddr("br0", "10.0.0.1/24"))
	for i := range n {
		c, err := netns.Create(fmt.Sprintf("%sc%d", l.prefix, i))
		if err != nil {
			t.Fatal(err)
		}
		l.clients = append(l.clients, c)
		port := fmt.Sprintf("c%d", i)
		must(t, l.srv.AddVeth(netns.Veth{Name: port, Peer: "eth0", PeerNS: c, PeerMAC: fmt.Sprintf("52:54:00:00:%02x:%02x", i/256, i%256), ForOVS: true}))
		must(t, l.srv.Enslave(port, "br0"))
		must(t, c.LinkUp("lo"))
	}
	return l
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// serve runs our server on br0 until the test ends.
func (l *lan) serve(cfg dhcp.Config) *dhcp.Server {
	l.t.Helper()
	cfg.Server = netip.MustParsePrefix("10.0.0.1/24")
	s, err := dhcp.NewServer(cfg)
	must(l.t, err)
	var conn interface {
		Close() error
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	err = l.srv.Do(func() error {
		c, err := dhcp.Listen("br0")
		if err != nil {
			return err
		}
		conn = c
		wg.Add(1)
		go func() { defer wg.Done(); _ = s.Serve(ctx, c) }()
		return nil
	})
	must(l.t, err)
	l.t.Cleanup(func() { cancel(); wg.Wait(); conn.Close() })
	return s
}

// udhcpc runs busybox udhcpc in a client namespace and returns the
// address and router its script was given ("" if it got no lease).
func (l *lan) udhcpc(c *netns.NS, extra ...string) (ip, router string) {
	l.t.Helper()
	out := filepath.Join(l.dir, c.Name+".udhcpc")
	_ = os.Remove(out)
	script := filepath.Join(l.dir, "udhcpc.sh")
	cmd := exec.Command("busybox", append([]string{"udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", "3", "-T", "1", "-s", script}, extra...)...)
	cmd.Env = append(os.Environ(), "OUT="+out)
	_ = c.Do(func() error { return cmd.Run() })
	b, _ := os.ReadFile(out)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "bound" {
			ip = f[1]
			if len(f) >= 3 {
				router = f[2]
			}
		}
	}
	return ip, router
}

func inRange(ip, lo, hi string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	return !a.Less(netip.MustParseAddr(lo)) && !netip.MustParseAddr(hi).Less(a)
}

func TestServerWithUdhcpc(t *testing.T) {
	ovstest.RequireTools(t, "busybox")
	l := newLAN(t, 1)
	l.serve(dhcp.Config{RangeStart: netip.MustParseAddr("10.0.0.200"), RangeEnd: netip.MustParseAddr("10.0.0.230"),
		LeaseTime: 86400 * time.Second, Router: netip.MustParseAddr("10.0.0.1")})
	ip, router := l.udhcpc(l.clients[0])
	if !inRange(ip, "10.0.0.200", "10.0.0.230") || router != "10.0.0.1" {
		t.Fatalf("udhcpc got ip %q router %q", ip, router)
	}
}

func TestServerWithDhclient(t *testing.T) {
	ovstest.RequireTools(t, "dhclient")
	l := newLAN(t, 1)
	l.serve(dhcp.Config{RangeStart: netip.MustParseAddr("10.0.0.200"), RangeEnd: netip.MustParseAddr("10.0.0.230"),
		Router: netip.MustParseAddr("10.0.0.1")})
	c := l.clients[0]
	out := filepath.Join(l.dir, "dhclient.out")
	script := filepath.Join(l.dir, "dhclient.sh")
	must(t, os.WriteFile(script, []byte("#!/bin/sh\necho \"$reason $new_ip_address $new_routers\" >> "+out+"\n"), 0o755))
	pidFile := filepath.Join(l.dir, "dhclient.pid")
	// dhclient -1 forks a daemon once bound; stop it by its pid, which
	// it writes a little after the parent exits.
	defer func() {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			pids, _ := c.Pids()
			if len(pids) == 0 {
				return
			}
			b, err := os.ReadFile(pidFile)
			if err != nil {
				continue
			}
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				_ = syscall.Kill(pid, syscall.SIGTERM)
			}
		}
	}()
	cmd := exec.Command("dhclient", "-1", "-sf", script, "-lf", filepath.Join(l.dir, "dhclient.leases"), "-pf", pidFile, "eth0")
	log, _ := os.Create(filepath.Join(l.dir, "dhclient.log"))
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	must(t, c.Do(func() error { return cmd.Run() }))
	b, _ := os.ReadFile(out)
	var ip, router string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && (f[0] == "BOUND" || f[0] == "REBOOT") {
			ip, router = f[1], f[2]
		}
	}
	if !inRange(ip, "10.0.0.200", "10.0.0.230") || router != "10.0.0.1" {
		t.Fatalf("dhclient got ip %q router %q; script saw:\n%s", ip, router, b)
	}
}

// TestManyClients: 50 udhcpc at once get 50 distinct addresses.
func TestManyClients(t *testing.T) {
	l := newLAN(t, 50)
	l.serve(dhcp.Config{RangeStart: netip.MustParseAddr("10.0.0.100"), RangeEnd: netip.MustParseAddr("10.0.0.199"),
		Router: netip.MustParseAddr("10.0.0.1")})
	ips := make([]string, len(l.clients))
	var wg sync.WaitGroup
	for i, c := range l.clients {
		wg.Add(1)
		go func() { defer wg.Done(); ips[i], _ = l.udhcpc(c) }()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, ip := range ips {
		if !inRange(ip, "10.0.0.100", "10.0.0.199") {
			t.Errorf("client %d: no address in range (%q)", i, ip)
		}
		if seen[ip] {
			t.Errorf("address %s given twice", ip)
		}
		seen[ip] = true
	}
}

// TestRangeExhausted: a 31-address range serves 31 clients; the 32nd gets
// nothing, and the server goes on serving the others.
func TestRangeExhausted(t *testing.T) {
	l := newLAN(t, 32)
	s := l.serve(dhcp.Config{RangeStart: netip.MustParseAddr("10.0.0.200"), RangeEnd: netip.MustParseAddr("10.0.0.230")})
	got := map[string]int{}
	for i, c := range l.clients[:31] {
		ip, _ := l.udhcpc(c)
		if ip == "" {
			t.Fatalf("client %d got no address", i)
		}
		got[ip]++
	}
	if len(got) != 31 {
		t.Fatalf("%d distinct addresses for 31 clients", len(got))
	}
	if ip, _ := l.udhcpc(l.clients[31]); ip != "" {
		t.Fatalf("32nd client got %s from an exhausted range", ip)
	}
	again, _ := l.udhcpc(l.clients[0])
	if again == "" || got[again] != 1 {
		t.Fatalf("after exhaustion, client 0 got %q", again)
	}
	if n := len(s.Leases()); n != 31 {
		t.Errorf("%d leases, want 31", n)
	}
}

// TestLeaseSurvivesRestart: our client renews after the server restarted
// on its lease file, and keeps its address; another client cannot take it.
func TestLeaseSurvivesRestart(t *testing.T) {
	l := newLAN(t, 2)
	file := filepath.Join(l.dir, "leases.json")
	cfg := dhcp.Config{RangeStart: netip.MustParseAddr("10.0.0.200"), RangeEnd: netip.MustParseAddr("10.0.0.201"),
		Router: netip.MustParseAddr("10.0.0.1"), LeaseFile: file}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := dhcp.NewServer(withServer(cfg))
	must(t, err)
	stop := l.run(srv)
	c, err := dhcp.NewClient(l.clients[0], "eth0", time.Second)
	must(t, err)
	defer c.Close()
	lease, err := c.Obtain(ctx)
	must(t, err)
	stop()
	srv2, err := dhcp.NewServer(withServer(cfg))
	must(t, err)
	defer l.run(srv2)()
	renewed, err := c.Renew(ctx, lease)
	must(t, err)
	if renewed.Addr != lease.Addr {
		t.Fatalf("renewed %v, had %v", renewed.Addr, lease.Addr)
	}
	// The other client gets the range's other address, never this one.
	other, _ := l.udhcpc(l.clients[1])
	if other == lease.Addr.Addr().String() || other == "" {
		t.Fatalf("second client got %q; first holds %v", other, lease.Addr)
	}
	must(t, c.Release(renewed))
	// RELEASE has no answer: wait for the server to have processed it.
	for deadline := time.Now().Add(5 * time.Second); len(srv2.Leases()) != 1 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(srv2.Leases()); n != 1 {
		t.Errorf("%d leases after release, want 1", n)
	}
}

func withServer(cfg dhcp.Config) dhcp.Config {
	cfg.Server = netip.MustParsePrefix("10.0.0.1/24")
	return cfg
}

// run serves s on br0 and returns the function that stops it.
func (l *lan) run(s *dhcp.Server) func() {
	l.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var closeConn func() error
	must(l.t, l.srv.Do(func() error {
		c, err := dhcp.Listen("br0")
		if err != nil {
			return err
		}
		closeConn = c.Close
		go func() { defer close(done); _ = s.Serve(ctx, c) }()
		return nil
	}))
	return func() { cancel(); <-done; closeConn() }
}

// TestClientWithDnsmasq: our client against the real dnsmasq, with the
// tutorial's options; the address and default route land on the guest.
func TestClientWithDnsmasq(t *testing.T) {
	ovstest.RequireTools(t, "dnsmasq")
	l := newLAN(t, 1)
	d, err := dhcp.StartDnsmasq(l.srv, dhcp.DnsmasqConfig{Interface: "br0", RangeStart: netip.MustParseAddr("10.0.0.200"),
		RangeEnd: netip.MustParseAddr("10.0.0.230"), LeaseTime: 86400 * time.Second, Router: netip.MustParseAddr("10.0.0.1")})
	must(t, err)
	defer d.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := dhcp.NewClient(l.clients[0], "eth0", 2*time.Second)
	must(t, err)
	defer c.Close()
	lease, err := c.Obtain(ctx)
	must(t, err)
	if !inRange(lease.Addr.Addr().String(), "10.0.0.200", "10.0.0.230") || lease.Router.String() != "10.0.0.1" {
		t.Fatalf("lease %+v", lease)
	}
	addrs, err := l.clients[0].Addrs("eth0")
	must(t, err)
	found := false
	for _, a := range addrs {
		found = found || a == lease.Addr
	}
	if !found {
		t.Errorf("address %v not on eth0 (%v)", lease.Addr, addrs)
	}
	gw, err := l.clients[0].DefaultGateway()
	must(t, err)
	if gw.String() != "10.0.0.1" {
		t.Errorf("default route via %v", gw)
	}
	ls, err := d.Leases()
	must(t, err)
	if len(ls) != 1 || ls[0].IP != lease.Addr.Addr() || ls[0].MAC != "52:54:00:00:00:00" {
		t.Errorf("dnsmasq leases = %+v", ls)
	}
	must(t, c.Release(lease))
}

// offsetClock is a Config.Now that a test moves forward while the server
// runs.
type offsetClock struct{ off atomic.Int64 }

func (c *offsetClock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *offsetClock) advance(d time.Duration) { c.off.Add(int64(d)) }
func leasesOf(s *dhcp.Server, mac string) (n int) {
	return len(slices.DeleteFunc(s.Leases(), func(l dhcp.Lease) bool { return l.MAC != mac }))
}

// TestBoundLeaseSurvivesDiscover: udhcpc binds an address; the same
// client starts over with a DISCOVER (as a rebooting guest does); two
// minutes later another udhcpc gets the other address, never the bound
// one.
func TestBoundLeaseSurvivesDiscover(t *testing.T) {
	ovstest.RequireTools(t, "busybox")
	l := newLAN(t, 2)
	clock := &offsetClock{}
	s := l.serve(dhcp.Config{RangeStart: netip.MustParseAddr("10.0.0.200"), RangeEnd: netip.MustParseAddr("10.0.0.201"),
		Router: netip.MustParseAddr("10.0.0.1"), Now: clock.now})
	first, _ := l.udhcpc(l.clients[0])
	if first == "" {
		t.Fatal("no lease")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := dhcp.NewClient(l.clients[0], "eth0", time.Second)
	must(t, err)
	defer c.Close()
	offered, err := c.Discover(ctx)
	must(t, err)
	if offered.String() != first {
		t.Errorf("a DISCOVER from the bound client was offered %v, it holds %s", offered, first)
	}
	clock.advance(2 * time.Minute)
	second, _ := l.udhcpc(l.clients[1])
	if second == "" || second == first {
		t.Fatalf("the second client got %q; the first holds %s", second, first)
	}
	for _, ls := range s.Leases() {
		if ls.IP.String() == first && (ls.State != "bound" || ls.MAC != "52:54:00:00:00:00") {
			t.Errorf("the first client's lease became %+v", ls)
		}
	}
}

// TestOneLeasePerClientOnTheWire: udhcpc holds a lease; REQUESTs for other
// addresses from the same NIC (sent on the wire, as a client that asks
// for address after address does) each move that one lease, never add
// one; udhcpc then renews the last one.
func TestOneLeasePerClientOnTheWire(t *testing.T) {
	ovstest.RequireTools(t, "busybox")
	l := newLAN(t, 1)
	s := l.serve(dhcp.Config{RangeStart: netip.MustParseAddr("10.0.0.200"), RangeEnd: netip.MustParseAddr("10.0.0.230")})
	first, _ := l.udhcpc(l.clients[0])
	if first == "" {
		t.Fatal("no lease")
	}
	var nc *nclient4.Client
	must(t, l.clients[0].Do(func() error {
		var err error
		nc, err = nclient4.New("eth0", nclient4.WithTimeout(time.Second), nclient4.WithRetry(2))
		return err
	}))
	defer nc.Close()
	mac, _ := net.ParseMAC("52:54:00:00:00:00")
	for _, want := range []string{"10.0.0.205", "10.0.0.210", "10.0.0.215"} {
		req, err := dhcpv4.New(dhcpv4.WithHwAddr(mac), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
			dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.ParseIP(want))),
			dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(10, 0, 0, 1))))
		must(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		reply, err := nc.SendAndRead(ctx, nclient4.DefaultServers, req, nclient4.IsMessageType(dhcpv4.MessageTypeAck, dhcpv4.MessageTypeNak))
		cancel()
		must(t, err)
		if reply.MessageType() != dhcpv4.MessageTypeAck {
			t.Fatalf("REQUEST %s: %v", want, reply.MessageType())
		}
		if n := leasesOf(s, mac.String()); n != 1 {
			t.Fatalf("after asking for %s the client holds %d leases: %+v", want, n, s.Leases())
		}
	}
	if ip, _ := l.udhcpc(l.clients[0]); ip != "10.0.0.215" {
		t.Errorf("udhcpc then got %q, want its current binding 10.0.0.215", ip)
	}
}
