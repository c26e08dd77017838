package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// errBootstrapped ends the first connection of a CA certificate's
// bootstrap: the certificate is saved, the connection is not used.
var errBootstrapped = errors.New("ssl: the peer's CA certificate was saved (bootstrap); connect again")

// ovsTLS is the TLS configuration of an ssl: connection as Open vSwitch's
// tools make it from their --private-key, --certificate and --ca-cert
// files: the peer's certificate must chain to the CA certificate; its
// name is not checked (Open vSwitch names peers by the CA that signs
// their keys, not by DNS).
//
// With bootstrap (--bootstrap-ca-cert) and no CA file yet, the first
// connection trusts the peer to name its CA: the self-signed certificate
// at the end of the chain the peer sends is saved to caFile (created, not
// overwritten) and the connection fails with errBootstrapped; the next
// one verifies against it, as Open vSwitch's do.
func ovsTLS(keyFile, certFile, caFile string, bootstrap bool) (*tls.Config, error) {
	f, err := newTLSFiles(keyFile, certFile, caFile, bootstrap, nil)
	if err != nil {
		return nil, err
	}
	return f.config(), nil
}

// tlsFiles are the files of an ssl: connection, read again when they
// change (reload), as Open vSwitch's daemons read theirs: a new
// connection uses what they hold then. What cannot be used (a key that
// does not match its certificate, say) is logged and the files in use
// stay so.
type tlsFiles struct {
	keyFile, certFile, caFile string
	bootstrap                 bool
	logErr                    func(string)

	mu    sync.Mutex
	cert  *tls.Certificate
	roots *x509.CertPool // nil: none yet (bootstrap)
	seen  string         // the files' sizes and times when last read
}

// newTLSFiles reads the files; logErr (may be nil) gets what a reload
// finds wrong.
func newTLSFiles(keyFile, certFile, caFile string, bootstrap bool, logErr func(string)) (*tlsFiles, error) {
	if keyFile == "" || certFile == "" || caFile == "" {
		return nil, fmt.Errorf("ssl: targets need --private-key, --certificate and --ca-cert (or --bootstrap-ca-cert)")
	}
	f := &tlsFiles{keyFile: keyFile, certFile: certFile, caFile: caFile, bootstrap: bootstrap, logErr: logErr}
	f.seen = f.stamp()
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("ssl: %w", err)
	}
	f.cert = &cert
	roots, err := readRoots(caFile)
	switch {
	case err == nil:
		f.roots = roots
	case bootstrap && errors.Is(err, os.ErrNotExist):
	default:
		return nil, err
	}
	return f, nil
}

func readRoots(caFile string) (*x509.CertPool, error) {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("ssl: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("ssl: %s: no PEM certificate", caFile)
	}
	return roots, nil
}

// config is the TLS configuration that uses the files' current contents.
func (f *tlsFiles) config() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.cert, nil
		},
		// The chain is verified below, without a name.
		InsecureSkipVerify: true, //nolint:gosec // verified in VerifyConnection
		VerifyConnection: func(cs tls.ConnectionState) error {
			f.mu.Lock()
			roots := f.roots
			f.mu.Unlock()
			if roots != nil {
				return verifyChain(cs, roots)
			}
			err := saveCA(cs, f.caFile)
			if errors.Is(err, errBootstrapped) {
				if r, rerr := readRoots(f.caFile); rerr == nil {
					f.mu.Lock()
					f.roots = r
					f.mu.Unlock()
				}
			}
			return err
		}}
}

// stamp is the files' sizes and modification times.
func (f *tlsFiles) stamp() string {
	var b strings.Builder
	for _, name := range []string{f.keyFile, f.certFile, f.caFile} {
		if fi, err := os.Stat(name); err == nil {
			fmt.Fprintf(&b, "%d.%d;", fi.Size(), fi.ModTime().UnixNano())
		} else {
			b.WriteString("-;")
		}
	}
	return b.String()
}

// reload reads the files again if they changed since they were last read.
func (f *tlsFiles) reload() {
	st := f.stamp()
	f.mu.Lock()
	defer f.mu.Unlock()
	if st == f.seen {
		return
	}
	f.seen = st
	cert, err := tls.LoadX509KeyPair(f.certFile, f.keyFile)
	switch {
	case err != nil && strings.Contains(err.Error(), "does not match"):
		f.log(fmt.Sprintf("%s, %s: the private key and the certificate mismatch (%v); still using the ones read before", f.keyFile, f.certFile, err))
	case err != nil:
		f.log(fmt.Sprintf("%v; still using the key and certificate read before", err))
	default:
		f.cert = &cert
	}
	roots, err := readRoots(f.caFile)
	switch {
	case err == nil:
		f.roots = roots
	case f.bootstrap && errors.Is(err, os.ErrNotExist) && f.roots == nil:
	default:
		f.log(fmt.Sprintf("%v; still using the CA certificate read before", err))
	}
}

func (f *tlsFiles) log(msg string) {
	if f.logErr != nil {
		f.logErr(msg)
	}
}

// watch reloads the files every interval until ctx is done.
func (f *tlsFiles) watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f.reload()
		}
	}
}

// verifyChain checks that the peer's certificate chains to roots.
func verifyChain(cs tls.ConnectionState, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("ssl: the peer sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return fmt.Errorf("ssl: the peer's certificate: %w", err)
	}
	return nil
}

// saveCA saves the peer's CA certificate to file: the last certificate
// of its chain (the only one, for a peer whose certificate is its own
// CA), which must be self-signed.
func saveCA(cs tls.ConnectionState, file string) error {
	n := len(cs.PeerCertificates)
	if n == 0 {
		return errors.New("ssl: the peer sent no certificate")
	}
	ca := cs.PeerCertificates[n-1]
	if !bytes.Equal(ca.RawIssuer, ca.RawSubject) || ca.CheckSignature(ca.SignatureAlgorithm, ca.RawTBSCertificate, ca.Signature) != nil {
		return fmt.Errorf("ssl: the peer's chain ends in no self-signed certificate to bootstrap from")
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("ssl: bootstrap: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}); err != nil {
		f.Close()
		return fmt.Errorf("ssl: bootstrap: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("ssl: bootstrap: %w", err)
	}
	return errBootstrapped
}

// tlsVersion is a protocol name of --ssl-protocols and its version.
type tlsVersion struct {
	name string
	v    uint16
}

// tlsVersions are the protocol names of --ssl-protocols.
var tlsVersions = []tlsVersion{{"tlsv1", tls.VersionTLS10}, {"tlsv1.1", tls.VersionTLS11}, {"tlsv1.2", tls.VersionTLS12}, {"tlsv1.3", tls.VersionTLS13}}

// opensslSuites are the TLS 1.2 (and earlier) cipher suites Go and
// OpenSSL 3 both have, by their OpenSSL names (those --ssl-ciphers takes,
// as Open vSwitch hands it to OpenSSL; not 3DES and RC4, which OpenSSL 3
// leaves out).
var opensslSuites = map[string]uint16{
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-CHACHA20-POLY1305": tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-RSA-CHACHA20-POLY1305":   tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-ECDSA-AES128-SHA256":     tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-RSA-AES128-SHA256":       tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-ECDSA-AES256-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	"ECDHE-RSA-AES256-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	"ECDHE-ECDSA-AES128-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	"ECDHE-RSA-AES128-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	"AES256-GCM-SHA384":             tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	"AES128-GCM-SHA256":             tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	"AES128-SHA256":                 tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
	"AES256-SHA":                    tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	"AES128-SHA":                    tls.TLS_RSA_WITH_AES_128_CBC_SHA,
}

// sslSettings applies --ssl-protocols and --ssl-ciphers to cfg, as Open
// vSwitch's stream-ssl takes them: what it cannot use is logged (logErr)
// and the default stays, as there.
//
// protocols: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (any case), separated by
// commas or spaces, a name with "+" for it and every later one (as newer
// Open vSwitch releases read them); the connection uses the versions from
// the lowest named to the highest (Go takes a range). The default is
// TLS 1.2 and 1.3.
//
// ciphers: an OpenSSL cipher list (separated by colons, commas or
// spaces) of the suites Go has, by their OpenSSL names; DEFAULT, HIGH and
// ALL stand for Go's secure suites; "!NAME" or "-NAME" takes a suite
// out; other words match nothing, as OpenSSL ignores what it does not
// know, and a list that matches nothing keeps the default. It chooses
// among TLS 1.2's suites (TLS 1.3's are not configurable, in OpenSSL's
// cipher list or in Go).
func sslSettings(cfg *tls.Config, protocols, ciphers string, logErr func(string)) {
	if protocols != "" {
		sslProtocols(cfg, protocols, logErr)
	}
	if ciphers != "" {
		sslCiphers(cfg, ciphers, logErr)
	}
}

func sslProtocols(cfg *tls.Config, protocols string, logErr func(string)) {
	words := strings.FieldsFunc(protocols, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	if len(words) == 0 {
		logErr("SSL protocol settings invalid")
		return
	}
	var lo, hi uint16
	for _, w := range words {
		name, plus := strings.CutSuffix(strings.ToLower(w), "+")
		i := slices.IndexFunc(tlsVersions, func(v tlsVersion) bool { return v.name == name })
		if i < 0 {
			logErr(w + ": SSL protocol not recognized")
			return
		}
		from, to := tlsVersions[i].v, tlsVersions[i].v
		if plus {
			to = tls.VersionTLS13
		}
		if lo == 0 || from < lo {
			lo = from
		}
		if to > hi {
			hi = to
		}
	}
	cfg.MinVersion, cfg.MaxVersion = lo, hi
}

func sslCiphers(cfg *tls.Config, ciphers string, logErr func(string)) {
	var secure []uint16
	for _, s := range tls.CipherSuites() {
		if !slices.Contains(s.SupportedVersions, tls.VersionTLS13) {
			secure = append(secure, s.ID)
		}
	}
	var ids []uint16
	add := func(id uint16) {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	var removed []uint16
	for _, w := range strings.FieldsFunc(ciphers, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		switch {
		case strings.HasPrefix(w, "!") || strings.HasPrefix(w, "-"):
			if id, ok := opensslSuites[w[1:]]; ok {
				removed = append(removed, id)
			}
		case w == "DEFAULT" || w == "HIGH" || w == "ALL":
			for _, id := range secure {
				add(id)
			}
		default:
			if id, ok := opensslSuites[strings.TrimPrefix(w, "+")]; ok {
				add(id)
			}
		}
	}
	ids = slices.DeleteFunc(ids, func(id uint16) bool { return slices.Contains(removed, id) })
	if len(ids) == 0 {
		logErr("SSL_CTX_set_cipher_list: no cipher match")
		return
	}
	cfg.CipherSuites = ids
}
