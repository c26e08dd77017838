package main

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovsdb"
)

// nbctlPortCommands are ovn-nbctl's commands on the state of switch and
// router ports.
var nbctlPortCommands = map[string]*cmdSpec{
	"lsp-get-up": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		up, err := nb.PortUp(tx, c.arg(0))
		if err == nil {
			fmt.Fprintln(&c.out, map[bool]string{true: "up", false: "down"}[up])
		}
		return err
	}},
	"lsp-get-parent": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		p, ok, err := nb.PortParent(tx, c.arg(0))
		if ok {
			fmt.Fprintln(&c.out, p)
		}
		return err
	}},
	"lsp-get-tag": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		tag, ok, err := nb.PortTag(tx, c.arg(0))
		if ok {
			fmt.Fprintln(&c.out, tag)
		}
		return err
	}},
	"lsp-set-dhcpv6-options": write(1, 2, "", func(c *command) (ovsdb.Command, error) {
		if len(c.args) == 1 {
			return nb.ClearPortDHCPv6Options(c.arg(0)), nil
		}
		return nb.SetPortDHCPv6Options(c.arg(0), c.arg(1)), nil
	}),
	"lsp-get-dhcpv6-options": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		it, ok, err := nb.PortDHCPv6Options(tx, c.arg(0))
		if ok {
			fmt.Fprintln(&c.out, it)
		}
		return err
	}},
	"lrp-set-enabled": {2, 2, "", func(c *command, tx *ovsdb.Tx) error {
		// The port is looked up before the state is read, as ovn-nbctl does.
		if _, err := nb.RouterPort(tx, c.arg(0)); err != nil {
			return err
		}
		on, err := nb.ParseEnabled(c.arg(1))
		if err != nil {
			return err
		}
		return nb.SetRouterPortEnabled(c.arg(0), on).Run(tx)
	}},
	"lrp-get-enabled": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		on, err := nb.RouterPortEnabled(tx, c.arg(0))
		if err == nil {
			fmt.Fprintln(&c.out, map[bool]string{true: "enabled", false: "disabled"}[on])
		}
		return err
	}},
	"lrp-set-redirect-type": write(2, 2, "", func(c *command) (ovsdb.Command, error) {
		return nb.SetRedirectType(c.arg(0), c.arg(1)), nil
	}),
	"lrp-get-redirect-type": {1, 1, "", func(c *command, tx *ovsdb.Tx) error {
		t, err := nb.RedirectType(tx, c.arg(0))
		if err == nil {
			fmt.Fprintln(&c.out, t)
		}
		return err
	}},
	"lrp-set-options": write(1, -1, "", func(c *command) (ovsdb.Command, error) {
		return nb.SetRouterPortOptions(c.arg(0), keyValues(c.args[1:])), nil
	}),
}

// nbctlAll are all of ovn-nbctl's own commands.
func nbctlAll() map[string]*cmdSpec {
	m := maps.Clone(nbctlCommands)
	for _, more := range []map[string]*cmdSpec{nbctlPortCommands, nbctlServerCommands} {
		maps.Copy(m, more)
	}
	return m
}

// nbctlServerCommands are ovn-nbctl's commands on the server's remotes
// and SSL.
var nbctlServerCommands = map[string]*cmdSpec{
	"set-connection": {1, -1, "--inactivity-probe=", func(c *command, tx *ovsdb.Tx) error {
		conns := make([]nb.Connection, len(c.args))
		for i, t := range c.args {
			conns[i].Target = t
			if !validTarget(t) {
				c.warn("nbctl", fmt.Sprintf("target type \"%s\" is possibly erroneous", t))
			}
			if v, ok := c.opts["--inactivity-probe"]; ok {
				d := time.Duration(atoi(v)) * time.Millisecond
				conns[i].InactivityProbe = &d
			}
		}
		return nb.SetConnections(conns...).Run(tx)
	}},
	"get-connection": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		targets, err := nb.Connections(tx)
		lines(c, targets)
		return err
	}},
	"del-connection": write(0, 0, "", func(c *command) (ovsdb.Command, error) { return nb.DeleteConnections(), nil }),
	"set-ssl": write(3, 5, "--bootstrap", func(c *command) (ovsdb.Command, error) {
		return nb.SetSSL(nb.SSL{PrivateKey: c.arg(0), Certificate: c.arg(1), CACert: c.arg(2),
			Bootstrap: c.has("--bootstrap"), Protocols: c.arg(3), Ciphers: c.arg(4)}), nil
	}),
	"get-ssl": {0, 0, "", func(c *command, tx *ovsdb.Tx) error {
		s, ok, err := nb.GetSSL(tx)
		if ok {
			fmt.Fprintf(&c.out, "Private key: %s\nCertificate: %s\nCA Certificate: %s\nBootstrap: %v\n",
				s.PrivateKey, s.Certificate, s.CACert, s.Bootstrap)
		}
		return err
	}},
	"del-ssl": write(0, 0, "", func(c *command) (ovsdb.Command, error) { return nb.DeleteSSL(), nil }),
}

// validTarget says whether t names an active or passive remote as Open
// vSwitch's streams do (tcp:, ssl:, unix:, ptcp:, pssl:, punix:).
func validTarget(t string) bool {
	for _, p := range []string{"tcp:", "ssl:", "unix:", "ptcp:", "pssl:", "punix:"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}
