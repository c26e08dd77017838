// Package testcmd has the minimal add-br and add-port commands that the
// ovsdb tests and benchmarks exercise the transaction machinery with. They
// follow ovs-vsctl's row layout (bridge → port → interface, a local port per
// bridge) and its name checks, verified at commit. The public packages
// bridge and port build the complete commands on the same machinery.
package testcmd

import (
	"errors"
	"fmt"

	"github.com/ovskit/ovskit/ovsdb"
)

// AddBridge adds a netdev bridge with its local internal port.
func AddBridge(name string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		roots, err := ovsdb.List[ovsdb.OpenVSwitch](tx)
		if err != nil {
			return err
		}
		if len(roots) != 1 {
			return fmt.Errorf("add bridge %q: no Open_vSwitch row: %w", name, ovsdb.ErrNotFound)
		}
		if err := absent[ovsdb.Bridge](tx, name); err != nil {
			return fmt.Errorf("add bridge %q: %w", name, err)
		}
		port, err := insertPort(tx, name, "internal")
		if err != nil {
			return err
		}
		br := &ovsdb.Bridge{Name: name, Ports: []string{port}, DatapathType: "netdev"}
		if _, err := tx.Insert(br); err != nil {
			return err
		}
		return tx.Mutate(roots[0], ovsdb.Insert("bridges", []string{br.UUID}))
	})
}

// AddPort adds port name with one interface of the given type to a bridge.
// The bridge's ports are mutated, not rewritten, so concurrent adds to one
// bridge do not conflict.
func AddPort(bridge, name, ifType string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		br, err := ovsdb.Lookup[ovsdb.Bridge](tx, "name", bridge)
		if err != nil {
			return fmt.Errorf("add port %q to bridge %q: %w", name, bridge, err)
		}
		port, err := insertPort(tx, name, ifType)
		if err != nil {
			return err
		}
		return tx.Mutate(br, ovsdb.Insert("ports", []string{port}))
	})
}

func insertPort(tx *ovsdb.Tx, name, ifType string) (string, error) {
	if err := absent[ovsdb.Port](tx, name); err != nil {
		return "", fmt.Errorf("port %q: %w", name, err)
	}
	if err := absent[ovsdb.Interface](tx, name); err != nil {
		return "", fmt.Errorf("interface %q: %w", name, err)
	}
	iface := &ovsdb.Interface{Name: name, Type: ifType}
	if _, err := tx.Insert(iface); err != nil {
		return "", err
	}
	port := &ovsdb.Port{Name: name, Interfaces: []string{iface.UUID}}
	return tx.Insert(port)
}

// absent returns nil when no row of T has the name, ErrExists when one
// has, and the lookup's error (a bad name, say) otherwise.
func absent[T any, PT ovsdb.ModelPtr[T]](tx *ovsdb.Tx, name string) error {
	_, err := ovsdb.Lookup[T, PT](tx, "name", name)
	switch {
	case errors.Is(err, ovsdb.ErrNotFound):
		return nil
	case err == nil:
		return ovsdb.ErrExists
	}
	return err
}
