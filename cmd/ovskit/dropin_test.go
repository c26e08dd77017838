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
		{"created, not referred to", []string{"--id=@br0", "create", "Bridge", "name=br0"}, 0, func(_, e string) bool {
			return e == "vsctl|WARN|row id \"@br0\" was created but no reference to it was inserted, so it will not actually appear in the database\n"
		}},
		{"created, weakly referred to", []string{"--", "--id=@i", "create", "Interface", "name=eth0", "--", "--id=@p", "create", "Port",
			"name=eth0", "interfaces=@i", "--", "--id=@m", "create", "Mirror", "name=m0", "output_port=@p", "--", "--id=@b", "create",
			"Bridge", "name=br7", "mirrors=@m", "--", "add", "Open_vSwitch", ".", "bridges", "@b"}, 0, func(_, e string) bool {
			return e == "vsctl|WARN|row id \"@p\" was created but only a weak reference to it was inserted, so it will not actually appear in the database\n"
		}},
		{"add, the last command, as a mutation", []string{"add", "bridge", "br0", "datapath_id", "x", "y"}, 1, func(_, e string) bool {
			return e == `ovs-vsctl: transaction error: {"details":"set must have 0 to 1 members but 2 are present","error":"syntax error","syntax":"[\"set\",[\"x\",\"y\"]]"}`+"\n"
		}},
		{"add, not the last", []string{"add", "bridge", "br0", "datapath_id", "x", "y", "--", "list-br"}, 1, func(_, e string) bool {
			return e == `ovs-vsctl: "add" operation would put 2 values in column datapath_id of table Bridge but the maximum number is 1`+"\n"
		}},
		{"not an integer or range", []string{"remove", "bridge", "br0", "flood-vlans", "true"}, 1, func(_, e string) bool {
			return e == `ovs-vsctl: "true" is not a valid integer or range`+"\n"
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

// TestNbctlDropIn: ovskit run as ovn-nbctl does what OVN's own
// tests/ovn-nbctl.at and its users found missing or wrong on main (each
// case one finding): init, the database commands on the Northbound tables
// (the dynamic addressing of a switch set with them), a later command
// seeing an earlier delete, no command failing, getopt's words, and the
// --wait timeout as an alarm.
func TestNbctlDropIn(t *testing.T) {
	ovstest.Require(t, ovstest.NeedOVSDB)
	srv := ovstest.NewServer(t, ovstest.WithSchema("../../ovn/nbdb/ovn-nb.ovsschema"), ovstest.WithoutInit(), ovstest.WithoutClient())
	nbctl := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		code := runNbctl("ovn-nbctl", append([]string{"--db=" + srv.Endpoint, "-vsocket_util:off"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		check func(out, errOut string) bool
	}{
		{"init", []string{"init"}, 0, nil},
		{"dynamic addressing with set", []string{"ls-add", "sw0", "--", "set", "logical_switch", "sw0", "other_config:subnet=10.0.0.0/24",
			"--", "get", "logical_switch", "sw0", "other_config:subnet"}, 0, func(o, _ string) bool { return o == `"10.0.0.0/24"`+"\n" }},
		{"list by name", []string{"--bare", "--columns=name", "list", "logical_switch", "sw0"}, 0, func(o, _ string) bool { return o == "sw0\n" }},
		{"find", []string{"--bare", "--columns=name", "find", "logical_switch", `other_config:subnet="10.0.0.0/24"`}, 0,
			func(o, _ string) bool { return o == "sw0\n" }},
		{"a later command sees an earlier delete", []string{"lr-add", "lr0", "--", "lrp-add", "lr0", "lrp0", "00:00:00:01:02:03", "192.168.1.1/24",
			"--", "lrp-del", "lrp0", "--", "lrp-add", "lr0", "lrp0", "00:00:00:01:02:04", "192.168.2.1/24"}, 0, nil},
		{"--id on a root table: no warning, names kept", []string{"--id=@ls", "create", "logical_switch", "name=ls", "--", "ls-list"}, 0,
			func(o, e string) bool { return e == "" && strings.Contains(o, " (ls)\n") }},
		{"no command", nil, 1, func(_, e string) bool { return strings.Contains(e, "missing command name") }},
		{"only --", []string{"--"}, 1, func(_, e string) bool { return strings.Contains(e, "missing command name") }},
		{"unknown option", []string{"--foo", "ls-list"}, 1, func(_, e string) bool { return e == "ovn-nbctl: unrecognized option '--foo'\n" }},
		{"option without its value", []string{"--columns"}, 1, func(_, e string) bool {
			return e == "ovn-nbctl: option '--columns' requires an argument\n"
		}},
		{"option given a value it does not take", []string{"--", "--if-exists=foo", "list", "Logical_Switch"}, 1, func(_, e string) bool {
			return e == "ovn-nbctl: '--if-exists' option on 'list' does not accept an argument\n"
		}},
		{"abbreviated option", []string{"--bare", "--colu", "name", "list", "logical_switch", "sw0"}, 0, func(o, _ string) bool { return o == "sw0\n" }},
		{"no ovn-northd: the wait ends with the timeout's alarm", []string{"--timeout=1", "--wait=sb", "ls-add", "sw1"}, alarmExit, func(_, e string) bool {
			return strings.HasSuffix(e, "fatal_signal|WARN|terminating with signal 14 (Alarm clock)\n")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := nbctl(tc.args...)
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
	write := func(name string, b []byte) string { return writeFile(t, dir, name, b) }
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

// TestVsctlRetryAlarm: with --retry (or a passive endpoint), ovs-vsctl
// waits for the database until --timeout's alarm ends it; run as
// ovs-vsctl, ovskit logs it as ovs-vsctl does and ends with its status.
func TestVsctlRetryAlarm(t *testing.T) {
	dir := t.TempDir()
	for _, db := range []string{"unix:" + filepath.Join(dir, "nothing"), "punix:" + filepath.Join(dir, "passive")} {
		args := []string{"--db=" + db, "--timeout=1", "-vPATTERN:console:%c|%p|%m", "--", "init"}
		if strings.HasPrefix(db, "unix:") {
			args = append([]string{"--retry"}, args...)
		}
		var out, errb strings.Builder
		start := time.Now()
		code := runVsctl("ovs-vsctl", args, &out, &errb)
		if code != alarmExit || errb.String() != "fatal_signal|WARN|terminating with signal 14 (Alarm clock)\n" {
			t.Errorf("%s: exit %d, stderr %q", db, code, errb.String())
		}
		if d := time.Since(start); d < 900*time.Millisecond || d > 5*time.Second {
			t.Errorf("%s: gave up after %v, not the timeout", db, d)
		}
	}
}
