package port

import (
	"fmt"

	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/internal/vsctl"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Option configures a port that Add or AddBond creates (and, for
// MayExist and WithIface, AddBondIface).
type Option func(*spec) error

type spec struct {
	mayExist  bool
	anyName   bool
	fakeIface bool
	settings  []string
	port      []func(*vswitchdb.Port) error
	iface     []iface.Option
}

// Column sets a column of the new Port row; vlan and other packages build
// their options on it.
func Column(f func(*vswitchdb.Port) error) Option {
	return func(s *spec) error { s.port = append(s.port, f); return nil }
}

// MayExist makes the command succeed without change when the port exists
// on the same bridge with the same interfaces; a port of that name on
// another bridge, or with other interfaces, is an error.
// Equivalent to: ovs-vsctl --may-exist add-port
func MayExist() Option { return func(s *spec) error { s.mayExist = true; return nil } }

// UncheckedName makes the command take any interface name, as ovs-vsctl
// does: without it, a name Linux refuses for a system, internal or tap
// interface (longer than 15 bytes, with '/', ':' or white space) or a
// datapath's own device name (ovs-system, ovs-netdev) is refused before
// anything is written; with it, the port is committed and ovs-vswitchd
// reports what it cannot set up (vswitchdb.InterfaceError).
func UncheckedName() Option { return func(s *spec) error { s.anyName = true; return nil } }

// WithIface sets columns of the port's new interface(s) (the type,
// options, MTU...), in the same transaction.
// Equivalent to: ovs-vsctl add-port BR P -- set Interface P COLUMN=VALUE
func WithIface(opts ...iface.Option) Option {
	return func(s *spec) error { s.iface = append(s.iface, opts...); return nil }
}

// Settings sets Port columns in ovs-vsctl's COLUMN[:KEY]=VALUE syntax.
// Equivalent to: ovs-vsctl add-port BR P COLUMN[:KEY]=VALUE...
func Settings(s ...string) Option {
	return func(sp *spec) error { sp.settings = append(sp.settings, s...); return nil }
}

// ExternalID sets one external_ids key of the port.
// Equivalent to: ovs-vsctl add-port BR P external_ids:KEY=VALUE
func ExternalID(key, value string) Option {
	return Column(func(p *vswitchdb.Port) error {
		p.ExternalIDs = vsctl.WithKey(p.ExternalIDs, key, value)
		return nil
	})
}

// OtherConfig sets one other_config key of the port.
// Equivalent to: ovs-vsctl add-port BR P other_config:KEY=VALUE
func OtherConfig(key, value string) Option {
	return Column(func(p *vswitchdb.Port) error {
		p.OtherConfig = vsctl.WithKey(p.OtherConfig, key, value)
		return nil
	})
}

// BondMode sets a bond's mode.
// Equivalent to: ovs-vsctl add-bond BR B IF1 IF2 bond_mode=MODE
func BondMode(m vswitchdb.PortBondMode) Option {
	return Column(func(p *vswitchdb.Port) error {
		switch m {
		case vswitchdb.PortBondModeActiveBackup, vswitchdb.PortBondModeBalanceSlb, vswitchdb.PortBondModeBalanceTCP:
		default:
			return fmt.Errorf("bond mode %q: want active-backup, balance-slb or balance-tcp: %w", m, ovsdb.ErrInvalid)
		}
		p.BondMode = &m
		return nil
	})
}

// LACP sets a bond's LACP mode.
// Equivalent to: ovs-vsctl add-bond BR B IF1 IF2 lacp=MODE
func LACP(m vswitchdb.PortLACP) Option {
	return Column(func(p *vswitchdb.Port) error {
		switch m {
		case vswitchdb.PortLACPActive, vswitchdb.PortLACPPassive, vswitchdb.PortLACPOff:
		default:
			return fmt.Errorf("lacp %q: want active, passive or off: %w", m, ovsdb.ErrInvalid)
		}
		p.LACP = &m
		return nil
	})
}

// FakeIface makes a bond appear as one interface to the host.
// Equivalent to: ovs-vsctl --fake-iface add-bond
func FakeIface() Option { return func(s *spec) error { s.fakeIface = true; return nil } }

func build(opts []Option) (*spec, error) {
	s := &spec{}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *spec) portSpec(bridge, name string, ifaces []string) vsctl.PortSpec {
	ps := vsctl.PortSpec{Bridge: bridge, Name: name, Ifaces: ifaces, MayExist: s.mayExist, FakeIface: s.fakeIface,
		Settings: s.settings, AnyName: s.anyName}
	if len(s.port) > 0 {
		ps.Port = func(p *vswitchdb.Port) error {
			for _, f := range s.port {
				if err := f(p); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if len(s.iface) > 0 {
		ps.Iface = func(_ int, i *vswitchdb.Interface) error { return iface.Apply(i, s.iface...) }
	}
	return ps
}

// Add adds a port with one interface of the same name to a bridge (a fake
// bridge's ports get its VLAN tag). The Port and Interface columns the
// options set are part of the same insert.
// Equivalent to: ovs-vsctl add-port BRIDGE NAME
func Add(bridge, name string, opts ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		s, err := build(opts)
		if err != nil {
			return fmt.Errorf("add port %s to %s: %w", name, bridge, err)
		}
		return vsctl.AddPort(tx, s.portSpec(bridge, name, nil))
	})
}

// AddBond adds a bonded port with two or more interfaces.
// Equivalent to: ovs-vsctl add-bond BRIDGE NAME IFACE...
func AddBond(bridge, name string, ifaces []string, opts ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if len(ifaces) < 2 {
			return fmt.Errorf("add-bond requires at least 2 interfaces, but only %d were specified: %w", len(ifaces), ovsdb.ErrInvalid)
		}
		s, err := build(opts)
		if err != nil {
			return fmt.Errorf("add bond %s to %s: %w", name, bridge, err)
		}
		return vsctl.AddPort(tx, s.portSpec(bridge, name, ifaces))
	})
}

// AddBondIface adds an interface to a bond. Only MayExist and WithIface
// apply.
// Equivalent to: ovs-vsctl add-bond-iface BOND IFACE
func AddBondIface(bond, name string, opts ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		s, err := build(opts)
		if err != nil {
			return err
		}
		if len(s.port) > 0 || len(s.settings) > 0 || s.fakeIface {
			return fmt.Errorf("add bond interface %s: only MayExist and WithIface apply: %w", name, ovsdb.ErrInvalid)
		}
		var init func(*vswitchdb.Interface) error
		if len(s.iface) > 0 {
			init = func(i *vswitchdb.Interface) error { return iface.Apply(i, s.iface...) }
		}
		return vsctl.AddBondIface(tx, bond, name, s.mayExist, s.anyName, init)
	})
}

// DeleteOption configures Delete and DelBondIface.
type DeleteOption func(*delSpec) error

type delSpec struct {
	bridge    string
	ifExists  bool
	withIface bool
}

// IfExists makes deleting a missing port (or bond interface) succeed.
// Equivalent to: ovs-vsctl --if-exists del-port
func IfExists() DeleteOption { return func(d *delSpec) error { d.ifExists = true; return nil } }

// FromBridge makes Delete fail unless the port is on that bridge.
// Equivalent to: ovs-vsctl del-port BRIDGE PORT
func FromBridge(bridge string) DeleteOption {
	return func(d *delSpec) error {
		if bridge == "" {
			return fmt.Errorf("FromBridge: empty bridge name: %w", ovsdb.ErrInvalid)
		}
		d.bridge = bridge
		return nil
	}
}

// ByIface lets Delete's name be an interface: its port is deleted.
// Equivalent to: ovs-vsctl --with-iface del-port
func ByIface() DeleteOption { return func(d *delSpec) error { d.withIface = true; return nil } }

// Delete removes a port and its interfaces from its bridge.
// Equivalent to: ovs-vsctl del-port [BRIDGE] NAME
func Delete(name string, opts ...DeleteOption) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		var d delSpec
		if err := applyDelete(&d, opts); err != nil {
			return fmt.Errorf("delete port %s: %w", name, err)
		}
		return vsctl.DelPort(tx, d.bridge, name, d.ifExists, d.withIface)
	})
}

// DelBondIface removes an interface from a bond (FromBridge names the
// bond, if given; the last interface of a port cannot go).
// Equivalent to: ovs-vsctl del-bond-iface [BOND] IFACE
func DelBondIface(name string, opts ...DeleteOption) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		var d delSpec
		if err := applyDelete(&d, opts); err != nil {
			return fmt.Errorf("del bond interface %s: %w", name, err)
		}
		if d.withIface {
			return fmt.Errorf("del bond interface %s: ByIface does not apply: %w", name, ovsdb.ErrInvalid)
		}
		return vsctl.DelBondIface(tx, d.bridge, name, d.ifExists)
	})
}

// List returns the sorted port names of a bridge, without its own port.
// Equivalent to: ovs-vsctl list-ports BRIDGE
func List(tx *ovsdb.Tx, bridge string) ([]string, error) { return vsctl.ListPorts(tx, bridge) }

// ToBridge returns the bridge a port is on (a fake bridge, for a port
// tagged with its VLAN).
// Equivalent to: ovs-vsctl port-to-br PORT
func ToBridge(tx *ovsdb.Tx, name string) (string, error) { return vsctl.PortToBridge(tx, name) }

// Get returns a port's row.
// Equivalent to: ovs-vsctl list Port NAME
func Get(tx *ovsdb.Tx, name string) (*vswitchdb.Port, error) {
	return ovsdb.Lookup[vswitchdb.Port](tx, "name", name)
}

// Update changes an existing port: f edits a copy of the row and the named
// columns are written. It is a read-modify-write: the commit verifies that
// the named columns still hold the values f read, so a concurrent writer
// of them makes the command run again (with f on the new row) instead of
// being overwritten. Verify other columns f's edits depend on with
// Tx.Verify in a Do.
func Update(name string, f func(*vswitchdb.Port) error, columns ...string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		p, err := Get(tx, name)
		if err != nil {
			return fmt.Errorf("port %s: %w", name, err)
		}
		if len(columns) == 0 {
			return fmt.Errorf("port %s: update names no column: %w", name, ovsdb.ErrInvalid)
		}
		if err := tx.Verify(p, columns...); err != nil {
			return fmt.Errorf("port %s: %w", name, err)
		}
		if err := f(p); err != nil {
			return fmt.Errorf("port %s: %w", name, err)
		}
		return tx.Update(p, columns...)
	})
}

func applyDelete(d *delSpec, opts []DeleteOption) error {
	for _, o := range opts {
		if err := o(d); err != nil {
			return err
		}
	}
	return nil
}
