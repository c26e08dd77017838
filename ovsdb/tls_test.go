package ovsdb_test

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/internal/testpki"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/vswitchdb"
)

func TestTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o600))
		return p
	}
	ca, otherCA := testpki.NewCA(t, "ovskit test CA"), testpki.NewCA(t, "another CA")
	srvCert, srvKey := ca.Issue(t, "ovsdb-server", net.IPv4(127, 0, 0, 1))
	s := ovstest.NewServer(t, ovstest.WithSSL(ovstest.SSLFiles{
		PrivateKey:  write("server-key.pem", srvKey),
		Certificate: write("server-cert.pem", srvCert),
		CACert:      write("ca.pem", ca.PEM),
	}))
	require.NotEmpty(t, s.SSLEndpoint)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.PEM)
	tlsFor := func(issuer *testpki.CA) *tls.Config {
		cert, key := issuer.Issue(t, "client")
		pair, err := tls.X509KeyPair(cert, key)
		require.NoError(t, err)
		return &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	tests := []struct {
		name   string
		issuer *testpki.CA
		ok     bool
	}{
		{"client certificate from the server's CA", ca, true},
		{"client certificate from another CA", otherCA, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ovsdb.Dial(testCtx(t, 10*time.Second), s.SSLEndpoint, ovsdb.WithDatabase(vswitchdb.Database()), ovsdb.WithTLS(tlsFor(tt.issuer)))
			if !tt.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			defer c.Close()
			require.NoError(t, c.Echo(testCtx(t, 5*time.Second)))
		})
	}
	t.Run("ssl endpoint without TLS config", func(t *testing.T) {
		_, err := ovsdb.Dial(testCtx(t, 5*time.Second), s.SSLEndpoint, ovsdb.WithDatabase(vswitchdb.Database()))
		assert.ErrorIs(t, err, ovsdb.ErrInvalid)
	})
}
