package nb

import (
	"slices"
	"time"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// Connection is a remote of the Northbound database's server: a target
// it listens on ("ptcp:6641", "punix:PATH", "pssl:6641") or connects to
// ("tcp:IP:PORT", ...).
type Connection struct {
	Target string
	// InactivityProbe is the probe interval, in milliseconds precision;
	// nil for the server's default, 0 to disable probes.
	InactivityProbe *time.Duration
}

// global is the NB_Global row, made when the database has none.
func global(tx *ovsdb.Tx) (*nbdb.NBGlobal, error) {
	if err := EnsureGlobal().Run(tx); err != nil {
		return nil, err
	}
	all, err := ovsdb.List[nbdb.NBGlobal](tx)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, errorf(ovsdb.ErrNotFound, "database has no NB_Global row")
	}
	return all[0], nil
}

// SetConnections replaces the server's remotes by conns.
// Equivalent to: ovn-nbctl [--inactivity-probe=MSECS] set-connection TARGET...
func SetConnections(conns ...Connection) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		g, err := deleteConnections(tx)
		if err != nil {
			return err
		}
		for _, c := range conns {
			row := &nbdb.Connection{Target: c.Target}
			if c.InactivityProbe != nil {
				ms := int(c.InactivityProbe.Milliseconds())
				row.InactivityProbe = &ms
			}
			u, err := tx.Insert(row)
			if err != nil {
				return err
			}
			g.Connections = append(g.Connections, u)
		}
		return tx.Update(g, "connections")
	})
}

// DeleteConnections removes all of the server's remotes.
// Equivalent to: ovn-nbctl del-connection
func DeleteConnections() ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		g, err := deleteConnections(tx)
		if err != nil {
			return err
		}
		return tx.Update(g, "connections")
	})
}

// deleteConnections deletes every Connection row, verified at commit, and
// returns NB_Global with none.
func deleteConnections(tx *ovsdb.Tx) (*nbdb.NBGlobal, error) {
	g, err := global(tx)
	if err != nil {
		return nil, err
	}
	if err := tx.Verify(g, "connections"); err != nil {
		return nil, err
	}
	all, err := ovsdb.List[nbdb.Connection](tx)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if err := tx.Verify(c, "target"); err != nil {
			return nil, err
		}
		if err := tx.Delete(c); err != nil {
			return nil, err
		}
	}
	g.Connections = nil
	return g, nil
}

// Connections returns the targets of the server's remotes, sorted, each
// once.
// Equivalent to: ovn-nbctl get-connection
func Connections(tx *ovsdb.Tx) ([]string, error) {
	all, err := ovsdb.List[nbdb.Connection](tx)
	if err != nil {
		return nil, err
	}
	var targets []string
	for _, c := range all {
		targets = append(targets, c.Target)
	}
	slices.Sort(targets)
	return slices.Compact(targets), nil
}

// SSL is the server's SSL configuration: its key, certificate and the CA
// certificate it trusts (Bootstrap: learnt from the first peer).
type SSL struct {
	PrivateKey, Certificate, CACert string
	Bootstrap                       bool
	// Protocols and Ciphers, when set, restrict what SSL connections
	// use ("TLSv1.2,TLSv1.3"; OpenSSL's cipher list).
	Protocols, Ciphers string
}

// SetSSL sets the server's SSL configuration, replacing any.
// Equivalent to: ovn-nbctl [--bootstrap] set-ssl PRIVATE-KEY CERTIFICATE CA-CERT [PROTOCOLS [CIPHERS]]
func SetSSL(s SSL) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		g, err := deleteSSL(tx)
		if err != nil {
			return err
		}
		u, err := tx.Insert(&nbdb.SSL{PrivateKey: s.PrivateKey, Certificate: s.Certificate, CACert: s.CACert,
			BootstrapCACert: s.Bootstrap, SSLProtocols: s.Protocols, SSLCiphers: s.Ciphers})
		if err != nil {
			return err
		}
		g.SSL = &u
		return tx.Update(g, "ssl")
	})
}

// DeleteSSL removes the server's SSL configuration.
// Equivalent to: ovn-nbctl del-ssl
func DeleteSSL() ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		ssl, err := firstSSL(tx)
		if err != nil || ssl == nil {
			return err
		}
		g, err := deleteSSL(tx)
		if err != nil {
			return err
		}
		return tx.Update(g, "ssl")
	})
}

func firstSSL(tx *ovsdb.Tx) (*nbdb.SSL, error) {
	all, err := ovsdb.List[nbdb.SSL](tx)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return all[0], nil
}

// deleteSSL deletes the SSL row, verified at commit, and returns
// NB_Global with none.
func deleteSSL(tx *ovsdb.Tx) (*nbdb.NBGlobal, error) {
	g, err := global(tx)
	if err != nil {
		return nil, err
	}
	if err := tx.Verify(g, "ssl"); err != nil {
		return nil, err
	}
	ssl, err := firstSSL(tx)
	if err != nil {
		return nil, err
	}
	if ssl != nil {
		if err := tx.Delete(ssl); err != nil {
			return nil, err
		}
	}
	g.SSL = nil
	return g, nil
}

// GetSSL returns the server's SSL configuration; ok is false when it has
// none.
// Equivalent to: ovn-nbctl get-ssl
func GetSSL(tx *ovsdb.Tx) (s SSL, ok bool, err error) {
	ssl, err := firstSSL(tx)
	if err != nil || ssl == nil {
		return SSL{}, false, err
	}
	return SSL{PrivateKey: ssl.PrivateKey, Certificate: ssl.Certificate, CACert: ssl.CACert,
		Bootstrap: ssl.BootstrapCACert, Protocols: ssl.SSLProtocols, Ciphers: ssl.SSLCiphers}, true, nil
}
