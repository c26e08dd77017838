package ovsdb_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns PEM certificate and key signed by the CA.
func (ca *testCA) issue(t *testing.T, name string, server bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
	}
	if server {
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

func TestTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o600))
		return p
	}
	ca, otherCA := newCA(t, "ovskit test CA"), newCA(t, "another CA")
	srvCert, srvKey := ca.issue(t, "ovsdb-server", true)
	s := ovstest.NewServer(t, ovstest.WithSSL(ovstest.SSLFiles{
		PrivateKey:  write("server-key.pem", srvKey),
		Certificate: write("server-cert.pem", srvCert),
		CACert:      write("ca.pem", ca.pem),
	}))
	require.NotEmpty(t, s.SSLEndpoint)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.pem)
	tlsFor := func(issuer *testCA) *tls.Config {
		cert, key := issuer.issue(t, "client", false)
		pair, err := tls.X509KeyPair(cert, key)
		require.NoError(t, err)
		return &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	tests := []struct {
		name   string
		issuer *testCA
		ok     bool
	}{
		{"client certificate from the server's CA", ca, true},
		{"client certificate from another CA", otherCA, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ovsdb.Dial(testCtx(t, 10*time.Second), s.SSLEndpoint, ovsdb.WithTLS(tlsFor(tt.issuer)))
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
		_, err := ovsdb.Dial(testCtx(t, 5*time.Second), s.SSLEndpoint)
		assert.ErrorIs(t, err, ovsdb.ErrInvalid)
	})
}
