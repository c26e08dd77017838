package main

import (
	"context"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/internal/testpki"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestVsctlDropIn: ovskit run as ovs-vsctl behaves as ovs-vsctl does in
// Open vSwitch's own tests/ovs-vsctl.at (each case one of its findings):
// its name in messages, the logging options, --oneline, "--columns X",
// rows created in the same run listed with UUIDs (temporary ones, as
// ovs-vsctl shows them), create --id=UUID, list-dp-cap, any bridge name,
// and its warnings.
func TestVsctlDropIn(t *testing.T) {
	ovstest.Require(t, ovstest.NeedOVSDB)
	srv := ovstest.NewServer(t, ovstest.WithoutClient())
	vsctl := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		code := runVsctl("ovs-vsctl", append([]string{"--db=" + srv.Endpoint, "--no-wait", "-vreconnect:emer",
			"-vPATTERN:console:%c|%p|%m"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	const fixed = "c5cc12f8-eaa1-43a7-8a73-bccd18df1111"
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		check func(out, errOut string) bool
	}{
		{"name in messages", []string{"frobnicate"}, 1, func(_, e string) bool {
			return e == "ovs-vsctl: unknown command 'frobnicate'; use --help for help\n"
		}},
		{"oneline", []string{"--oneline", "--", "add-br", "br0", "--", "list-br", "--", "add-port", "br0", "p1", "--", "list-ports", "br0"}, 0,
			func(o, _ string) bool { return o == "\nbr0\n\np1\n" }},
		{"36-byte bridge name", []string{"add-br", "0fcd11a1-2ba8-4b38-a358-4bccf2bf3057"}, 0, nil},
		{"create --id=UUID", []string{"--id=" + fixed, "create", "bridge", "name=tst0", "--", "add", "open", ".", "bridges", fixed}, 0,
			func(o, _ string) bool { return o == fixed+"\n" }},
		{"--columns as two words", []string{"--bare", "--columns", "_uuid,name", "list", "bridge", "tst0"}, 0,
			func(o, _ string) bool { return o == fixed+"\ntst0\n" }},
		{"the same UUID again", []string{"--id=" + fixed, "create", "bridge", "name=tst1", "--", "add", "open", ".", "bridges", fixed}, 1, nil},
		{"list in the same run", []string{"--bare", "--id=@b", "create", "bridge", "name=br9", "--", "add", "open", ".", "bridges", "@b", "--",
			"--columns=_uuid", "list", "bridge", "br9"}, 0, func(o, _ string) bool {
			l := strings.Split(strings.TrimSpace(o), "\n")
			// The row's UUID, then a UUID of its own, not a row name.
			return len(l) == 2 && uuidRE.MatchString(l[0]) && uuidRE.MatchString(l[1]) && l[0] != l[1]
		}},
		{"list-dp-cap", []string{"--", "--id=@m", "create", "Datapath", "datapath_version=0", "capabilities={recirc=true}", "--",
			"set", "Open_vSwitch", ".", "datapaths:system=@m", "--", "list-dp-cap", "system"}, 0,
			func(o, _ string) bool { return strings.HasSuffix(o, "recirc=true\n") }},
		{"create without --id warns", []string{"create", "Bridge", "name=br8"}, 0, func(_, e string) bool {
			return e == "db_ctl_base|WARN|applying \"create\" command to table Bridge without --id option will have no effect\n"
		}},
		{"destroy without records warns", []string{"destroy", "Qos"}, 0, func(_, e string) bool {
			return e == "db_ctl_base|WARN|either --all or records argument should be specified\n"
		}},
		{"ambiguous table", []string{"list", "c"}, 1, func(_, e string) bool {
			return e == "ovs-vsctl: \"c\" matches multiple table names: CT_Timeout_Policy, CT_Zone, Controller\n"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := vsctl(tc.args...)
			if code != tc.code || tc.check != nil && !tc.check(out, errOut) {
				t.Errorf("exit %d (want %d)\nstdout %q\nstderr %q", code, tc.code, out, errOut)
			}
		})
	}
}

// TestBootstrapCACert: with --bootstrap-ca-cert and no CA file, the first
// connection saves the server's CA certificate and fails; the next one
// verifies the server against it; a server of another CA is refused.
func TestBootstrapCACert(t *testing.T) {
	ca := testpki.NewCA(t, "switchca")
	srvCert, srvKey := ca.Issue(t, "ovsdbserver")
	cliCert, cliKey := ca.Issue(t, "vsctl")
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyFile, certFile := write("key.pem", cliKey), write("cert.pem", cliCert)
	pair, err := tls.X509KeyPair(append(srvCert, ca.PEM...), srvKey)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	dial := func(cfg *tls.Config) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := (&tls.Dialer{Config: cfg}).DialContext(ctx, "tcp", ln.Addr().String())
		if err == nil {
			c.Close()
		}
		return err
	}
	caFile := filepath.Join(dir, "cacert.pem")
	cfg, err := ovsTLS(keyFile, certFile, caFile, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := dial(cfg); !errors.Is(err, errBootstrapped) {
		t.Fatalf("first connection: %v, want the bootstrap's", err)
	}
	if b, err := os.ReadFile(caFile); err != nil || string(b) != string(ca.PEM) {
		t.Fatalf("saved CA certificate: %v\n%s", err, b)
	}
	if cfg, err = ovsTLS(keyFile, certFile, caFile, true); err != nil {
		t.Fatal(err)
	}
	if err := dial(cfg); err != nil {
		t.Fatalf("after the bootstrap: %v", err)
	}
	other := write("other.pem", testpki.NewCA(t, "otherca").PEM)
	if cfg, err = ovsTLS(keyFile, certFile, other, false); err != nil {
		t.Fatal(err)
	}
	if err := dial(cfg); err == nil {
		t.Fatal("a server of another CA was accepted")
	}
}
