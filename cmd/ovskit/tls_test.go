package main

import (
	"crypto/tls"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/internal/testpki"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestSSLProtocolsCiphers: --ssl-protocols and --ssl-ciphers choose the
// TLS version and suite ovs-vsctl's and ovn-nbctl's ssl: connections
// offer, seen from the server's end of each handshake; what cannot be
// used is logged as Open vSwitch logs it and the default stays.
func TestSSLProtocolsCiphers(t *testing.T) {
	ca := testpki.NewCA(t, "switchca")
	srvCert, srvKey := ca.Issue(t, "ovsdbserver")
	cliCert, cliKey := ca.Issue(t, "client")
	dir := t.TempDir()
	write := func(name string, b []byte) string { return writeFile(t, dir, name, b) }
	files := []string{"-p", write("key.pem", cliKey), "-c", write("cert.pem", cliCert), "-C", write("ca.pem", ca.PEM)}
	pair, err := tls.X509KeyPair(srvCert, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	// A server of TLS 1.1 to 1.3 that reports each handshake and hangs up.
	listen := func(max uint16) (string, chan tls.ConnectionState) {
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair},
			MinVersion: tls.VersionTLS11, MaxVersion: max})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		states := make(chan tls.ConnectionState, 16)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				if c.(*tls.Conn).Handshake() == nil {
					states <- c.(*tls.Conn).ConnectionState()
				}
				c.Close()
			}
		}()
		return ln.Addr().String(), states
	}
	ecdsaGCM := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}
	for _, tc := range []struct {
		name      string
		max       uint16 // the server's highest version
		opts      []string
		version   uint16
		suite     uint16   // 0: any
		notSuites []uint16 // none of these
		logged    string
	}{
		{"defaults", tls.VersionTLS13, nil, tls.VersionTLS13, 0, nil, ""},
		{"TLS 1.2 only", tls.VersionTLS13, []string{"--ssl-protocols=TLSv1.2"}, tls.VersionTLS12, 0, nil, ""},
		{"1.2 and later", tls.VersionTLS13, []string{"--ssl-protocols=tlsv1.2+"}, tls.VersionTLS13, 0, nil, ""},
		{"1.1 for an old server", tls.VersionTLS11, []string{"--ssl-protocols=TLSv1.1,TLSv1.2"}, tls.VersionTLS11, 0, nil, ""},
		{"one suite", tls.VersionTLS13, []string{"--ssl-protocols=TLSv1.2", "--ssl-ciphers=ECDHE-ECDSA-AES256-SHA"},
			tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, nil, ""},
		{"suites taken out", tls.VersionTLS13, []string{"--ssl-protocols=TLSv1.2",
			"--ssl-ciphers=HIGH:!ECDHE-ECDSA-AES128-GCM-SHA256:!ECDHE-ECDSA-AES256-GCM-SHA384:-ECDHE-ECDSA-CHACHA20-POLY1305"},
			tls.VersionTLS12, 0, ecdsaGCM, ""},
		{"unknown protocol", tls.VersionTLS13, []string{"--ssl-protocols=TLSv9"}, tls.VersionTLS13, 0, nil,
			"stream_ssl|ERR|TLSv9: SSL protocol not recognized\n"},
		{"no cipher matches", tls.VersionTLS13, []string{"--ssl-protocols=TLSv1.2", "--ssl-ciphers=NOPE:!AES128-SHA"},
			tls.VersionTLS12, 0, nil, "stream_ssl|ERR|SSL_CTX_set_cipher_list: no cipher match\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, tool := range []*tool{vsctlTool, nbctlTool} {
				addr, states := listen(tc.max)
				args := append(append([]string{"--db=ssl:" + addr, "--timeout=5", "-vPATTERN:console:%c|%p|%m"}, files...), tc.opts...)
				var out, errb strings.Builder
				runCtl(tool, tool.name, append(args, "show"), &out, &errb)
				var st tls.ConnectionState
				select {
				case st = <-states:
				case <-time.After(5 * time.Second):
					t.Fatalf("%s: no handshake; stderr %q", tool.name, errb.String())
				}
				if st.Version != tc.version || tc.suite != 0 && st.CipherSuite != tc.suite {
					t.Errorf("%s: %s, %s; want %s, %s", tool.name, tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite),
						tls.VersionName(tc.version), tls.CipherSuiteName(tc.suite))
				}
				for _, s := range tc.notSuites {
					if st.CipherSuite == s {
						t.Errorf("%s: %s, which was taken out", tool.name, tls.CipherSuiteName(s))
					}
				}
				if !strings.HasPrefix(errb.String(), tc.logged) || tc.logged == "" && strings.Contains(errb.String(), "stream_ssl") {
					t.Errorf("%s: stderr %q, want it to start with %q", tool.name, errb.String(), tc.logged)
				}
			}
		})
	}
}

// TestOpenSSLSuiteNames: the OpenSSL names --ssl-ciphers takes are
// OpenSSL's own names of those suites (`openssl ciphers -stdname`).
func TestOpenSSLSuiteNames(t *testing.T) {
	ovstest.RequireTools(t, "openssl")
	out, err := exec.Command("openssl", "ciphers", "-stdname", "ALL:COMPLEMENTOFALL").Output()
	if err != nil {
		t.Fatal(err)
	}
	std := map[string]string{} // OpenSSL name → IANA name
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[1] == "-" {
			std[f[2]] = f[0]
		}
	}
	for name, id := range opensslSuites {
		if std[name] != tls.CipherSuiteName(id) {
			t.Errorf("%s: OpenSSL's is %q, ovskit's %s", name, std[name], tls.CipherSuiteName(id))
		}
	}
	// Every TLS 1.2 suite Go counts as secure is there.
	for _, s := range tls.CipherSuites() {
		found := false
		for _, id := range opensslSuites {
			found = found || id == s.ID
		}
		if !found && s.SupportedVersions[0] != tls.VersionTLS13 {
			t.Errorf("%s: no OpenSSL name", s.Name)
		}
	}
}

// writeFile writes b to name in dir (mode 0600) and returns its path.
func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
