package nb

import (
	"maps"
	"strings"

	"github.com/ovskit/ovskit/ovsdb"
)

// Redirect types of a distributed gateway port: how its traffic reaches
// the gateway chassis (RedirectOverlay, the default: through a tunnel;
// RedirectBridged: through the localnet port of its network).
const (
	RedirectOverlay = "overlay"
	RedirectBridged = "bridged"
)

// SetRouterPortEnabled enables or disables a router port.
// Equivalent to: ovn-nbctl lrp-set-enabled PORT enabled|disabled
func SetRouterPortEnabled(port string, enabled bool) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lrp, err := RouterPort(tx, port)
		if err != nil {
			return err
		}
		lrp.Enabled = &enabled
		return tx.Update(lrp, "enabled")
	})
}

// RouterPortEnabled reports whether a router port is enabled (a port
// never set is).
// Equivalent to: ovn-nbctl lrp-get-enabled PORT
func RouterPortEnabled(tx *ovsdb.Tx, port string) (bool, error) {
	lrp, err := RouterPort(tx, port)
	if err != nil {
		return false, err
	}
	return lrp.Enabled == nil || *lrp.Enabled, nil
}

// SetRedirectType sets a router port's redirect type, RedirectOverlay or
// RedirectBridged (in any case, kept as given).
// Equivalent to: ovn-nbctl lrp-set-redirect-type PORT bridged|overlay
func SetRedirectType(port, typ string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lrp, err := RouterPort(tx, port)
		if err != nil {
			return err
		}
		if !strings.EqualFold(typ, RedirectBridged) && !strings.EqualFold(typ, RedirectOverlay) {
			return errorf(ovsdb.ErrInvalid, "Invalid redirect type: %s", typ)
		}
		lrp.Options = maps.Clone(lrp.Options)
		if lrp.Options == nil {
			lrp.Options = map[string]string{}
		}
		lrp.Options["redirect-type"] = typ
		return tx.Update(lrp, "options")
	})
}

// RedirectType returns a router port's redirect type (RedirectOverlay
// when none is set).
// Equivalent to: ovn-nbctl lrp-get-redirect-type PORT
func RedirectType(tx *ovsdb.Tx, port string) (string, error) {
	lrp, err := RouterPort(tx, port)
	if err != nil {
		return "", err
	}
	if t, ok := lrp.Options["redirect-type"]; ok {
		return t, nil
	}
	return RedirectOverlay, nil
}

// SetRouterPortOptions replaces a router port's options.
// Equivalent to: ovn-nbctl lrp-set-options PORT KEY=VALUE...
func SetRouterPortOptions(port string, options map[string]string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		lrp, err := RouterPort(tx, port)
		if err != nil {
			return err
		}
		lrp.Options = maps.Clone(options)
		if lrp.Options == nil {
			lrp.Options = map[string]string{}
		}
		return tx.Update(lrp, "options")
	})
}

// PortUp reports whether ovn-controller has bound a switch port and set
// it up.
// Equivalent to: ovn-nbctl lsp-get-up PORT
func PortUp(tx *ovsdb.Tx, port string) (bool, error) {
	lsp, err := SwitchPort(tx, port)
	if err != nil {
		return false, err
	}
	return lsp.Up != nil && *lsp.Up, nil
}

// PortParent returns the parent of a switch port (a container's port in
// a VM); ok is false for a port without one.
// Equivalent to: ovn-nbctl lsp-get-parent PORT
func PortParent(tx *ovsdb.Tx, port string) (parent string, ok bool, err error) {
	lsp, err := SwitchPort(tx, port)
	if err != nil || lsp.ParentName == nil {
		return "", false, err
	}
	return *lsp.ParentName, true, nil
}

// PortTag returns the VLAN tag of a switch port with a parent (the one
// ovn-northd assigned, or the one asked for); ok is false for a port
// without one.
// Equivalent to: ovn-nbctl lsp-get-tag PORT
func PortTag(tx *ovsdb.Tx, port string) (tag int, ok bool, err error) {
	lsp, err := SwitchPort(tx, port)
	if err != nil || lsp.Tag == nil {
		return 0, false, err
	}
	return *lsp.Tag, true, nil
}
