package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
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
	if keyFile == "" || certFile == "" || caFile == "" {
		return nil, fmt.Errorf("ssl: targets need --private-key, --certificate and --ca-cert (or --bootstrap-ca-cert)")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("ssl: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
		// The chain is verified below, without a name.
		InsecureSkipVerify: true} //nolint:gosec // verified in VerifyConnection
	ca, err := os.ReadFile(caFile)
	switch {
	case err == nil:
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("ssl: %s: no PEM certificate", caFile)
		}
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return verifyChain(cs, roots) }
	case bootstrap && errors.Is(err, os.ErrNotExist):
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return saveCA(cs, caFile) }
	default:
		return nil, fmt.Errorf("ssl: %w", err)
	}
	return cfg, nil
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
