package netns_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	vns "github.com/vishvananda/netns"
)

func prefix(t *testing.T) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return "ovskit-t" + hex.EncodeToString(b) + "-"
}

// world creates namespaces for a test and checks, at cleanup, that none
// with its prefix is left.
func world(t *testing.T, names ...string) map[string]*netns.NS {
	t.Helper()
	ovstest.Require(t, ovstest.NeedRoot, ovstest.NeedNetns)
	p := prefix(t)
	out := map[string]*netns.NS{}
	t.Cleanup(func() {
		for _, ns := range out {
			if err := ns.Delete(); err != nil {
				t.Errorf("delete %s: %v", ns.Name, err)
			}
		}
		left, _ := netns.List()
		for _, n := range left {
			if strings.HasPrefix(n, p) {
				t.Errorf("namespace %s left behind", n)
			}
		}
	})
	for _, n := range names {
		ns, err := netns.Create(p + n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = ns
	}
	return out
}

func rootLinks(t *testing.T) []string {
	t.Helper()
	root, err := vns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	entries, err := os.ReadDir("/sys/class/net")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func ping(t *testing.T, from *netns.NS, to string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := from.Ping(ctx, to, 3, 100*time.Millisecond)
	if err != nil {
		t.Fatalf("ping %s from %s: %v", to, from.Name, err)
	}
	return n
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestVethPing(t *testing.T) {
	before := rootLinks(t)
	w := world(t, "a", "b")
	a, b := w["a"], w["b"]
	must(t, a.AddVeth(netns.Veth{Name: "vif0.0", Peer: "eth0", PeerNS: b, PeerMAC: "52:54:00:00:00:01", ForOVS: true}))
	must(t, a.AddAddr("vif0.0", "10.0.3.254/24"))
	must(t, b.AddAddr("eth0", "10.0.3.1/24"))
	must(t, b.AddAddr("eth0", "10.0.3.1/24")) // idempotent
	if got := ping(t, b, "10.0.3.254"); got != 3 {
		t.Errorf("%d of 3 answered", got)
	}
	if mac, _ := b.MAC("eth0"); mac != "52:54:00:00:00:01" {
		t.Errorf("guest mac = %s", mac)
	}
	for _, end := range []struct {
		ns   *netns.NS
		link string
	}{{a, "vif0.0"}, {b, "eth0"}} {
		on, err := end.ns.TxChecksum(end.link)
		must(t, err)
		if on {
			t.Errorf("%s: tx checksum offload still on", end.link)
		}
	}
	// An address nobody has does not answer.
	if got := ping(t, b, "10.0.3.99"); got != 0 {
		t.Errorf("10.0.3.99 answered %d times", got)
	}
	if after := rootLinks(t); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("root namespace links changed: %v → %v", before, after)
	}
}

func TestTypedErrors(t *testing.T) {
	w := world(t, "a")
	a := w["a"]
	if _, err := netns.Create(a.Name); !errors.Is(err, netns.ErrExists) {
		t.Errorf("create twice: %v", err)
	}
	if _, err := netns.Open("ovskit-t-nosuch"); !errors.Is(err, netns.ErrNotFound) {
		t.Errorf("open missing: %v", err)
	}
	if err := a.LinkUp("nosuch0"); !errors.Is(err, netns.ErrNotFound) {
		t.Errorf("missing link: %v", err)
	}
	must(t, a.AddBridge("br0"))
	if err := a.AddBridge("br0"); !errors.Is(err, netns.ErrExists) {
		t.Errorf("bridge twice: %v", err)
	}
	if err := a.AddVeth(netns.Veth{Name: "abcdefghijklmnop", Peer: "x"}); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("16-byte link name: %v", err)
	}
	must(t, a.AddTap("tap0"))
	if ok, _ := a.LinkExists("tap0"); !ok {
		t.Error("tap0 missing")
	}
}

func TestDoRestoresAfterPanic(t *testing.T) {
	w := world(t, "a")
	root, err := vns.Get()
	must(t, err)
	defer root.Close()
	func() {
		defer func() { _ = recover() }()
		_ = w["a"].Do(func() error { panic("boom") })
	}()
	cur, err := vns.Get()
	must(t, err)
	defer cur.Close()
	if !cur.Equal(root) {
		t.Fatal("thread left in the namespace after a panic")
	}
}

// TestSysctl: a sysctl set in one namespace is that namespace's own.
func TestSysctl(t *testing.T) {
	w := world(t, "r", "other")
	r := w["r"]
	must(t, r.SetSysctl("net.ipv4.ip_forward", "1"))
	v, err := r.Sysctl("net.ipv4.ip_forward")
	must(t, err)
	if v != "1" {
		t.Errorf("ip_forward in namespace = %q", v)
	}
	other, err := w["other"].Sysctl("net.ipv4.ip_forward")
	must(t, err)
	if other != "0" {
		t.Errorf("ip_forward in another namespace = %q: the write was not namespaced", other)
	}
}

// TestLinuxBridgeJoinsThree: three namespaces on one Linux bridge reach
// each other.
func TestLinuxBridgeJoinsThree(t *testing.T) {
	w := world(t, "sw", "h1", "h2", "h3")
	sw := w["sw"]
	must(t, sw.AddBridge("br0"))
	for i, h := range []string{"h1", "h2", "h3"} {
		port := "p" + h
		must(t, sw.AddVeth(netns.Veth{Name: port, Peer: "eth0", PeerNS: w[h]}))
		must(t, sw.Enslave(port, "br0"))
		must(t, w[h].AddAddr("eth0", "10.9.0."+string(rune('1'+i))+"/24"))
	}
	for _, to := range []string{"10.9.0.2", "10.9.0.3"} {
		if got := ping(t, w["h1"], to); got != 3 {
			t.Errorf("h1 → %s: %d of 3", to, got)
		}
	}
	// Lab 6's br-ext: a NIC with an address is enslaved to a new bridge,
	// and its address moves to the bridge.
	h3 := w["h3"]
	must(t, h3.AddBridge("br-ext"))
	must(t, h3.Enslave("eth0", "br-ext"))
	must(t, h3.MoveAddrs("eth0", "br-ext"))
	if as, _ := h3.Addrs("eth0"); slices.ContainsFunc(as, func(p netip.Prefix) bool { return p.Addr().Is4() }) {
		t.Errorf("eth0 kept %v", as)
	}
	if got := ping(t, w["h1"], "10.9.0.3"); got != 3 {
		t.Errorf("h1 → h3's bridge address: %d of 3", got)
	}
}

// TestNAT: a subnet behind a router reaches an upstream namespace that has
// no route back, through SNAT; a floating IP reaches one host from
// upstream. Addresses are documentation ones.
func TestNAT(t *testing.T) {
	w := world(t, "guest", "router", "up")
	g, r, up := w["guest"], w["router"], w["up"]
	must(t, r.AddVeth(netns.Veth{Name: "rin0", Peer: "eth0", PeerNS: g}))
	must(t, r.AddVeth(netns.Veth{Name: "rex0", Peer: "eth0", PeerNS: up}))
	must(t, r.AddAddr("rin0", "10.0.0.2/24"))
	must(t, g.AddAddr("eth0", "10.0.0.5/24"))
	must(t, g.SetRoute(netns.Route{Dst: "default", Via: "10.0.0.2"}))
	must(t, r.AddAddr("rex0", "192.0.2.200/24"))
	must(t, up.AddAddr("eth0", "192.0.2.1/24"))
	must(t, up.AddAddr("lo", "198.51.100.1/32"))
	must(t, up.LinkUp("lo"))
	must(t, r.SetRoute(netns.Route{Dst: "default", Via: "192.0.2.1"}))
	must(t, r.SetSysctl("net.ipv4.ip_forward", "1"))
	gw, err := g.DefaultGateway()
	must(t, err)
	if gw.String() != "10.0.0.2" {
		t.Errorf("default gateway = %s", gw)
	}
	if got := ping(t, g, "198.51.100.1"); got != 0 {
		t.Fatalf("upstream answered without NAT (%d): it must have no route back", got)
	}
	must(t, r.SNAT("10.0.0.0/24", "192.0.2.200"))
	if got := ping(t, g, "198.51.100.1"); got != 3 {
		t.Errorf("guest → upstream through SNAT: %d of 3", got)
	}
	// Floating IP: upstream reaches the guest at 192.0.2.201.
	must(t, r.AddAddr("rex0", "192.0.2.201/24"))
	must(t, r.FloatingIP("192.0.2.201", "10.0.0.5"))
	must(t, r.SetSysctl("net.ipv4.conf.all.rp_filter", "0"))
	if got := ping(t, up, "192.0.2.201"); got != 3 {
		t.Errorf("upstream → floating ip: %d of 3", got)
	}
	// The guest, not the router, answers: without it, no answer.
	must(t, g.LinkDown("eth0"))
	if got := ping(t, up, "192.0.2.201"); got != 0 {
		t.Errorf("floating ip answered with the guest down (%d): DNAT is not in effect", got)
	}
	must(t, g.LinkUp("eth0"))
	must(t, g.SetRoute(netns.Route{Dst: "default", Via: "10.0.0.2"}))
	must(t, r.ClearNAT())
	if got := ping(t, g, "198.51.100.1"); got != 0 {
		t.Errorf("NAT still active after ClearNAT (%d)", got)
	}
}
