package openflow_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/internal/testpki"
	"github.com/ovskit/ovskit/netns"
	"github.com/ovskit/ovskit/openflow"
)

// TestTCPAndSSLTargets: a bridge that listens for OpenFlow on TCP and on
// SSL (ptcp: and pssl: controller targets, inside ovs-vswitchd's
// namespace) is reached through tcp: and ssl: targets; a flow added over
// one is dumped over the other; an ssl: target without TLS settings, or
// with a CA that did not sign the switch's certificate, is refused.
func TestTCPAndSSLTargets(t *testing.T) {
	s, sw := newOFSwitch(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ca := testpki.NewCA(t, "ovskit test CA")
	swCert, swKey := ca.Issue(t, "switch", net.IPv4(127, 0, 0, 1))
	clientCertPEM, clientKeyPEM := ca.Issue(t, "client")
	files := map[string][]byte{"ca.pem": ca.PEM, "sw-cert.pem": swCert, "sw-key.pem": swKey}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(s.Dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.Client.Transact(ctx,
		bridge.SetSSL(bridge.SSL{PrivateKey: filepath.Join(s.Dir, "sw-key.pem"), Certificate: filepath.Join(s.Dir, "sw-cert.pem"), CACert: filepath.Join(s.Dir, "ca.pem")}),
		bridge.SetController("a", []string{"ptcp:6653:127.0.0.1", "pssl:6654:127.0.0.1"}))
	if err != nil {
		t.Fatal(err)
	}
	ns, err := netns.Open(s.Namespace)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if err := ns.LinkUp("lo"); err != nil {
		t.Fatal(err)
	}
	inNS := openflow.WithDialer(func(ctx context.Context, network, addr string) (net.Conn, error) {
		if network != "tcp" {
			t.Errorf("dialing %s %s", network, addr)
		}
		return ns.DialTCP(ctx, addr)
	})
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca.PEM)
	clientCert, err := tls.X509KeyPair(clientCertPEM, clientKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg := &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{clientCert}, MinVersion: tls.VersionTLS12}

	// The listeners come up once ovs-vswitchd has read the settings.
	var tcpConn *openflow.Conn
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if tcpConn, err = openflow.Dial(ctx, "tcp:127.0.0.1", inNS); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("tcp: %v", err)
	}
	defer tcpConn.Close()
	f, err := openflow.ParseFlow("priority=7,in_port=1,actions=output:2")
	if err != nil {
		t.Fatal(err)
	}
	if err := tcpConn.AddFlows(ctx, f); err != nil {
		t.Fatal(err)
	}
	var sslConn *openflow.Conn
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if sslConn, err = openflow.Dial(ctx, "ssl:127.0.0.1:6654", inNS, openflow.WithTLS(tlsCfg)); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("ssl: %v", err)
	}
	defer sslConn.Close()
	flows, err := sslConn.DumpFlows(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(flows, func(f *openflow.Flow) bool { return f.String() == "priority=7,in_port=1 actions=output:2" }) {
		t.Fatalf("over ssl, the flow added over tcp is missing: %v", flows)
	}
	// Both listeners are the bridge's own: its unix socket sees the same.
	own, err := openflow.Dial(ctx, sw.a)
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	if got, err := own.DumpFlows(ctx, nil); err != nil || len(got) != len(flows) {
		t.Fatalf("over unix: %v, %v; over ssl: %v", got, err, flows)
	}

	if _, err := openflow.Dial(ctx, "ssl:127.0.0.1:6654", inNS); !errors.Is(err, openflow.ErrSyntax) {
		t.Errorf("ssl: without TLS settings: %v, want ErrSyntax", err)
	}
	wrongRoots := x509.NewCertPool()
	wrongRoots.AppendCertsFromPEM(testpki.NewCA(t, "another CA").PEM)
	bad := &tls.Config{RootCAs: wrongRoots, Certificates: []tls.Certificate{clientCert}, MinVersion: tls.VersionTLS12}
	var unknown x509.UnknownAuthorityError
	if _, err := openflow.Dial(ctx, "ssl:127.0.0.1:6654", inNS, openflow.WithTLS(bad)); !errors.As(err, &unknown) {
		t.Errorf("ssl: with another CA: %v, want x509.UnknownAuthorityError", err)
	}
}

// TestTargets: how targets resolve.
func TestTargets(t *testing.T) {
	for _, tt := range []struct {
		in, network, addr string
		bad               bool
	}{
		{"br0", "unix", "/run/x/br0.mgmt", false},
		{"unix:/tmp/s.sock", "unix", "/tmp/s.sock", false},
		{"tcp:127.0.0.1", "tcp", "127.0.0.1:6653", false},
		{"tcp:127.0.0.1:6633", "tcp", "127.0.0.1:6633", false},
		{"tcp:[::1]:6633", "tcp", "[::1]:6633", false},
		{"tcp:[::1]", "tcp", "[::1]:6653", false},
		{"ssl:10.0.0.1:6654", "ssl", "10.0.0.1:6654", false},
		{"tcp:", "", "", true},
		{"pssl:6653", "", "", true},
		{"a/b", "", "", true},
	} {
		n, a, err := openflow.Target(tt.in, "/run/x")
		if tt.bad {
			if !errors.Is(err, openflow.ErrSyntax) {
				t.Errorf("%s: %v, want ErrSyntax", tt.in, err)
			}
			continue
		}
		if err != nil || n != tt.network || a != tt.addr {
			t.Errorf("%s: %s %s %v; want %s %s", tt.in, n, a, err, tt.network, tt.addr)
		}
	}
}

// TestAddFlowsStopsAtRefusal: AddFlows applies flows in order and stops at
// the first the switch refuses, as ovs-ofctl add-flows does; the error
// says which; AddFlowsAtomic applies none of them.
func TestAddFlowsStopsAtRefusal(t *testing.T) {
	_, sw := newOFSwitch(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, _ := dialBoth(ctx, t, sw, openflow.OpenFlow13)
	var flows []*openflow.Flow
	for _, s := range []string{"priority=70,arp,actions=drop", "priority=71,ip,actions=group:99", "priority=72,udp,actions=drop"} {
		f, err := openflow.ParseFlow(s)
		if err != nil {
			t.Fatal(err)
		}
		flows = append(flows, f)
	}
	for _, tt := range []struct {
		name   string
		add    func(context.Context, ...*openflow.Flow) error
		index  int
		remain []string
	}{
		{"one by one", c.AddFlows, 1, []string{"priority=70,arp actions=drop"}},
		{"atomic", c.AddFlowsAtomic, 1, nil},
	} {
		if err := c.DelFlows(ctx, nil, false); err != nil {
			t.Fatal(err)
		}
		err := tt.add(ctx, flows...)
		var oe *openflow.OFError
		if !errors.As(err, &oe) || oe.Name != "OFPBAC_BAD_OUT_GROUP" {
			t.Errorf("%s: %v, want OFPBAC_BAD_OUT_GROUP", tt.name, err)
		}
		var me *openflow.MessageError
		if tt.index >= 0 && (!errors.As(err, &me) || me.Index != tt.index) {
			t.Errorf("%s: %v, want the refusal of message %d", tt.name, err, tt.index)
		}
		got, err := c.DumpFlows(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, f := range got {
			texts = append(texts, f.String())
		}
		if !slices.Equal(texts, tt.remain) {
			t.Errorf("%s: the table holds %q, want %q", tt.name, texts, tt.remain)
		}
	}
}
