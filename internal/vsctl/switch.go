package vsctl

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

func isNotFound(err error) bool { return errors.Is(err, ovsdb.ErrNotFound) }

// BridgeSpec is add-br's input.
type BridgeSpec struct {
	Name     string
	Parent   string // a fake bridge's parent; empty for a real bridge
	VLAN     int    // a fake bridge's VLAN
	MayExist bool
	// AnyName skips CheckName, as ovs-vsctl does (ovs-vswitchd then
	// reports a name it cannot use).
	AnyName bool
	// Init sets further columns of a real bridge's row before it is
	// inserted.
	Init func(*vswitchdb.Bridge) error
}

// AddBridge is ovs-vsctl add-br.
func AddBridge(tx *ovsdb.Tx, s BridgeSpec) error {
	if s.Name == "" {
		return fmt.Errorf("bridge name must not be empty string: %w", ovsdb.ErrInvalid)
	}
	if s.Parent != "" && (s.VLAN < 0 || s.VLAN > 4095) {
		return fmt.Errorf("add-br: vlan must be between 0 and 4095: %w", ovsdb.ErrInvalid)
	}
	if err := checkName(s.Name, "internal", s.AnyName); err != nil {
		return err
	}
	row := &vswitchdb.Bridge{Name: s.Name}
	if s.Init != nil {
		if s.Parent != "" {
			return fmt.Errorf("add-br %s: a fake bridge has no bridge row to set columns on: %w", s.Name, ovsdb.ErrInvalid)
		}
		if err := s.Init(row); err != nil {
			return fmt.Errorf("add-br %s: %w", s.Name, err)
		}
	}
	if s.Parent == "" {
		if ok, err := addBridgeFast(tx, row); ok || err != nil {
			return err
		}
	}
	v, err := Load(tx)
	if err != nil {
		return err
	}
	if s.MayExist {
		br, err := v.FindBridge(s.Name, false)
		if err != nil {
			return err
		}
		if br != nil {
			switch {
			case s.Parent == "" && br.Parent != nil:
				return fmt.Errorf("\"--may-exist add-br %s\" but %s is a VLAN bridge for VLAN %d: %w", s.Name, s.Name, br.VLAN, ovsdb.ErrExists)
			case s.Parent != "" && br.Parent == nil:
				return fmt.Errorf("\"--may-exist add-br %s %s %d\" but %s is not a VLAN bridge: %w", s.Name, s.Parent, s.VLAN, s.Name, ovsdb.ErrExists)
			case s.Parent != "" && br.Parent.Name != s.Parent:
				return fmt.Errorf("\"--may-exist add-br %s %s %d\" but %s has the wrong parent %s: %w", s.Name, s.Parent, s.VLAN, s.Name, br.Parent.Name, ovsdb.ErrExists)
			case s.Parent != "" && br.VLAN != s.VLAN:
				return fmt.Errorf("\"--may-exist add-br %s %s %d\" but %s is a VLAN bridge for the wrong VLAN %d: %w", s.Name, s.Parent, s.VLAN, s.Name, br.VLAN, ovsdb.ErrExists)
			}
			return nil
		}
	}
	if err := v.CheckConflicts(s.Name, "cannot create a bridge named "+s.Name); err != nil {
		return err
	}
	iface := &vswitchdb.Interface{Name: s.Name, Type: "internal"}
	if _, err := tx.Insert(iface); err != nil {
		return err
	}
	port := &vswitchdb.Port{Name: s.Name, Interfaces: []string{iface.UUID}}
	if s.Parent == "" {
		if _, err := tx.Insert(port); err != nil {
			return err
		}
		row.Ports = []string{port.UUID}
		if _, err := tx.Insert(row); err != nil {
			return err
		}
		return tx.Mutate(v.Root, ovsdb.Insert("bridges", []string{row.UUID}))
	}
	parent, err := v.FindBridge(s.Parent, false)
	if err != nil {
		return err
	}
	if parent == nil {
		return fmt.Errorf("parent bridge %s does not exist: %w", s.Parent, ovsdb.ErrNotFound)
	}
	if parent.Parent != nil {
		return fmt.Errorf("cannot create bridge with fake bridge as parent: %w", ovsdb.ErrInvalid)
	}
	if c := parent.Children[s.VLAN]; c != nil {
		return fmt.Errorf("bridge %s already has a child VLAN bridge %s on VLAN %d: %w", s.Parent, c.Name, s.VLAN, ovsdb.ErrExists)
	}
	tag := s.VLAN
	port.FakeBridge, port.Tag = true, &tag
	if _, err := tx.Insert(port); err != nil {
		return err
	}
	return tx.Mutate(parent.Row, ovsdb.Insert("ports", []string{port.UUID}))
}

// nameFree reports whether no port or interface is called name (nor,
// with bridges, a bridge), by index lookups that the commit verifies.
// Every bridge has a local port of its own name, so ports alone cover
// bridge names too wherever the switch was built by these commands.
func nameFree(tx *ovsdb.Tx, name string, bridges bool) (bool, error) {
	if _, err := ovsdb.LookupUUID[vswitchdb.Port](tx, "name", name); !isNotFound(err) {
		return false, err // found (err == nil), or the lookup failed
	}
	if _, err := ovsdb.LookupUUID[vswitchdb.Interface](tx, "name", name); !isNotFound(err) {
		return false, err
	}
	if bridges {
		if _, err := ovsdb.LookupUUID[vswitchdb.Bridge](tx, "name", name); !isNotFound(err) {
			return false, err
		}
	}
	return true, nil
}

// addBridgeFast adds a real bridge whose name is free with index lookups
// only, so that its cost does not grow with the size of the switch. It
// reports false, with nothing written, when the general path must decide.
func addBridgeFast(tx *ovsdb.Tx, row *vswitchdb.Bridge) (bool, error) {
	if free, err := nameFree(tx, row.Name, true); !free || err != nil {
		return false, err
	}
	root, err := Root(tx)
	if err != nil {
		return false, err
	}
	iface := &vswitchdb.Interface{Name: row.Name, Type: "internal"}
	if _, err := tx.Insert(iface); err != nil {
		return false, err
	}
	port := &vswitchdb.Port{Name: row.Name, Interfaces: []string{iface.UUID}}
	if _, err := tx.Insert(port); err != nil {
		return false, err
	}
	row.Ports = []string{port.UUID}
	if _, err := tx.Insert(row); err != nil {
		return false, err
	}
	return true, tx.Mutate(root, ovsdb.Insert("bridges", []string{row.UUID}))
}

// DelBridge is ovs-vsctl del-br: the bridge, its fake children, their
// ports and interfaces, and the Flow_Sample_Collector_Set rows of the
// bridge go.
func DelBridge(tx *ovsdb.Tx, name string, ifExists bool) error {
	v, br, err := loadBridge(tx, name, !ifExists, false)
	if err != nil || br == nil {
		return err
	}
	return v.delBridge(br)
}

func (v *View) delBridge(br *Br) error {
	for _, vlan := range slices.Sorted(maps.Keys(br.Children)) {
		if err := v.delBridge(br.Children[vlan]); err != nil {
			return err
		}
	}
	for _, p := range br.Ports {
		if err := v.delPort(p); err != nil {
			return err
		}
	}
	if br.Row == nil {
		return nil
	}
	sets, err := ovsdb.List[vswitchdb.FlowSampleCollectorSet](v.tx)
	if err != nil {
		return err
	}
	for _, s := range sets {
		if s.Bridge == br.Row.UUID {
			if err := v.tx.Delete(s); err != nil {
				return err
			}
		}
	}
	if err := v.tx.Delete(br.Row); err != nil {
		return err
	}
	return v.tx.Mutate(v.Root, ovsdb.Delete("bridges", []string{br.Row.UUID}))
}

// delPort removes a port from its (real) bridge and deletes it with its
// interfaces.
func (v *View) delPort(p *Pt) error {
	if err := v.tx.Mutate(p.Br.Real().Row, ovsdb.Delete("ports", []string{p.Row.UUID})); err != nil {
		return err
	}
	for _, i := range p.Ifaces {
		if err := v.tx.Delete(i.Row); err != nil {
			return err
		}
	}
	return v.tx.Delete(p.Row)
}

// ListBridges is ovs-vsctl list-br: sorted names, real and/or fake.
func ListBridges(tx *ovsdb.Tx, real, fake bool) ([]string, error) {
	if !real && !fake {
		real, fake = true, true
	}
	v, err := Load(tx)
	if err != nil {
		return nil, err
	}
	if err := v.verify(v.Root, "bridges"); err != nil {
		return nil, err
	}
	var out []string
	for name, br := range v.Bridges {
		if br.Parent != nil && fake || br.Parent == nil && real {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// BridgeInfo is what ovs-vsctl knows of a bridge by name.
type BridgeInfo struct {
	Name   string
	Parent string // the real parent of a fake bridge, else Name
	VLAN   int    // 0 for a real bridge
	Fake   bool
	Row    *vswitchdb.Bridge // the real bridge's row (the parent's, for a fake bridge)
}

// FindBridgeInfo returns the bridge called name (br-exists, br-to-vlan,
// br-to-parent); with mustExist false a missing one is (nil, nil).
func FindBridgeInfo(tx *ovsdb.Tx, name string, mustExist bool) (*BridgeInfo, error) {
	_, br, err := loadBridge(tx, name, mustExist, false)
	if err != nil || br == nil {
		return nil, err
	}
	info := infoOf(br)
	return &info, nil
}

func infoOf(br *Br) BridgeInfo {
	return BridgeInfo{Name: br.Name, Parent: br.Real().Name, VLAN: br.VLAN, Fake: br.Parent != nil, Row: br.Real().Row}
}

// SetBridgeExternalID is ovs-vsctl br-set-external-id; value nil removes
// the key. A fake bridge keeps its ids on its port, prefixed
// "fake-bridge-".
func SetBridgeExternalID(tx *ovsdb.Tx, name, key string, value *string) error {
	v, br, err := loadBridge(tx, name, true, false)
	if err != nil {
		return err
	}
	var row ovsdb.Model
	var ids map[string]string
	if br.Row != nil {
		row, ids = br.Row, maps.Clone(br.Row.ExternalIDs)
	} else {
		p := v.Ports[name]
		row, ids = p.Row, maps.Clone(p.Row.ExternalIDs)
		key = "fake-bridge-" + key
	}
	if ids == nil {
		ids = map[string]string{}
	}
	if value != nil {
		ids[key] = *value
	} else {
		delete(ids, key)
	}
	if err := v.verify(row, "external_ids"); err != nil {
		return err
	}
	if err := ovsdb.SetColumn(row, "external_ids", ids); err != nil {
		return err
	}
	return tx.Update(row, "external_ids")
}

// BridgeExternalIDs is ovs-vsctl br-get-external-id without a key.
func BridgeExternalIDs(tx *ovsdb.Tx, name string) (map[string]string, error) {
	v, br, err := loadBridge(tx, name, true, false)
	if err != nil {
		return nil, err
	}
	return v.externalIDs(br)
}

func (v *View) externalIDs(br *Br) (map[string]string, error) {
	out := map[string]string{}
	if br.Row != nil {
		if err := v.verify(br.Row, "external_ids"); err != nil {
			return nil, err
		}
		maps.Copy(out, br.Row.ExternalIDs)
		return out, nil
	}
	p := v.Ports[br.Name].Row
	if err := v.verify(p, "external_ids"); err != nil {
		return nil, err
	}
	for k, val := range p.ExternalIDs {
		if rest, ok := strings.CutPrefix(k, "fake-bridge-"); ok {
			out[rest] = val
		}
	}
	return out, nil
}

// ListPorts is ovs-vsctl list-ports: sorted, without the bridge's own port.
func ListPorts(tx *ovsdb.Tx, bridge string) ([]string, error) {
	v, br, err := loadBridge(tx, bridge, true, false)
	if err != nil {
		return nil, err
	}
	return v.ports(br)
}

func (v *View) ports(br *Br) ([]string, error) {
	if err := v.verify(br.Real().Row, "ports"); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range br.Ports {
		if p.Row.Name != br.Name {
			out = append(out, p.Row.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// BridgeDetails is a bridge with its ports, controller targets and
// external ids, read from one view of the switch.
type BridgeDetails struct {
	BridgeInfo
	Ports, Controllers []string
	ExternalIDs        map[string]string
}

// GetBridge returns a bridge's details, or an error wrapping ErrNotFound.
func GetBridge(tx *ovsdb.Tx, name string) (*BridgeDetails, error) {
	v, br, err := loadBridge(tx, name, true, false)
	if err != nil {
		return nil, err
	}
	d := &BridgeDetails{BridgeInfo: infoOf(br)}
	if d.Ports, err = v.ports(br); err != nil {
		return nil, err
	}
	if d.Controllers, err = v.controllers(br); err != nil {
		return nil, err
	}
	if d.ExternalIDs, err = v.externalIDs(br); err != nil {
		return nil, err
	}
	return d, nil
}

// ListIfaces is ovs-vsctl list-ifaces.
func ListIfaces(tx *ovsdb.Tx, bridge string) ([]string, error) {
	v, br, err := loadBridge(tx, bridge, true, false)
	if err != nil {
		return nil, err
	}
	if err := v.VerifyPorts(); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range br.Ports {
		for _, i := range p.Ifaces {
			if i.Row.Name != br.Name {
				out = append(out, i.Row.Name)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// PortToBridge is ovs-vsctl port-to-br.
func PortToBridge(tx *ovsdb.Tx, port string) (string, error) {
	v, err := Load(tx)
	if err != nil {
		return "", err
	}
	p, err := v.FindPort(port, true)
	if err != nil {
		return "", err
	}
	return p.Br.Name, nil
}

// IfaceToBridge is ovs-vsctl iface-to-br.
func IfaceToBridge(tx *ovsdb.Tx, iface string) (string, error) {
	v, err := Load(tx)
	if err != nil {
		return "", err
	}
	i, err := v.FindIface(iface, true)
	if err != nil {
		return "", err
	}
	return i.Port.Br.Name, nil
}

// PortSpec is add-port's and add-bond's input.
type PortSpec struct {
	Bridge, Name string
	// Ifaces are the interface names: one (the port's name) for add-port,
	// two or more for a bond.
	Ifaces    []string
	MayExist  bool
	FakeIface bool // bond_fake_iface
	// AnyName skips CheckName, as ovs-vsctl does.
	AnyName bool
	// Settings are ovs-vsctl's COLUMN[:KEY]=VALUE arguments for the Port.
	Settings []string
	// Port and Iface set typed columns on the new rows before they are
	// inserted (Iface gets each interface's index in Ifaces).
	Port  func(*vswitchdb.Port) error
	Iface func(int, *vswitchdb.Interface) error
}

// AddPort is ovs-vsctl add-port and add-bond.
func AddPort(tx *ovsdb.Tx, s PortSpec) error {
	if len(s.Ifaces) == 0 {
		s.Ifaces = []string{s.Name}
	}
	if s.Name == "" {
		return fmt.Errorf("port name must not be empty string: %w", ovsdb.ErrInvalid)
	}
	ifaces := make([]*vswitchdb.Interface, len(s.Ifaces))
	for i, n := range s.Ifaces {
		if n == "" {
			return fmt.Errorf("interface name must not be empty string: %w", ovsdb.ErrInvalid)
		}
		ifaces[i] = &vswitchdb.Interface{Name: n}
		if s.Iface != nil {
			if err := s.Iface(i, ifaces[i]); err != nil {
				return fmt.Errorf("add port %s: interface %s: %w", s.Name, n, err)
			}
		}
		if err := checkName(n, ifaces[i].Type, s.AnyName); err != nil {
			return err
		}
	}
	port := &vswitchdb.Port{Name: s.Name, BondFakeIface: s.FakeIface}
	if s.Port != nil {
		if err := s.Port(port); err != nil {
			return fmt.Errorf("add port %s: %w", s.Name, err)
		}
	}
	if !s.MayExist && len(s.Settings) == 0 {
		if ok, err := addPortFast(tx, s, port, ifaces); ok || err != nil {
			return err
		}
	}
	v, err := Load(tx)
	if err != nil {
		return err
	}
	if s.MayExist {
		p, err := v.FindPort(s.Name, false)
		if err != nil {
			return err
		}
		if p != nil {
			want := slices.Sorted(slices.Values(s.Ifaces))
			var have []string
			for _, u := range p.Row.Interfaces {
				if r := v.ifaceRows[u]; r != nil {
					have = append(have, r.Name)
				}
			}
			sort.Strings(have)
			if p.Br.Name != s.Bridge {
				return fmt.Errorf("%q but %s is actually attached to bridge %s: %w", s.command(), s.Name, p.Br.Name, ovsdb.ErrExists)
			}
			if !slices.Equal(want, have) {
				return fmt.Errorf("%q but %s actually has interface(s) %s: %w", s.command(), s.Name, strings.Join(have, ", "), ovsdb.ErrExists)
			}
			return nil
		}
	}
	if err := v.CheckConflicts(s.Name, "cannot create a port named "+s.Name); err != nil {
		return err
	}
	for _, n := range s.Ifaces {
		if err := v.CheckConflicts(n, "cannot create an interface named "+n); err != nil {
			return err
		}
	}
	br, err := v.FindBridge(s.Bridge, true)
	if err != nil {
		return err
	}
	if br.Parent != nil {
		tag := br.VLAN
		port.Tag = &tag
	}
	return insertPort(tx, br.Real().Row, port, ifaces, s.Settings)
}

func (s PortSpec) command() string {
	var b strings.Builder
	b.WriteString("--may-exist ")
	if len(s.Ifaces) > 1 || s.Ifaces[0] != s.Name {
		fmt.Fprintf(&b, "add-bond %s %s %s", s.Bridge, s.Name, strings.Join(s.Ifaces, " "))
	} else {
		fmt.Fprintf(&b, "add-port %s %s", s.Bridge, s.Name)
	}
	for _, st := range s.Settings {
		b.WriteString(" " + st)
	}
	return b.String()
}

// addPortFast adds a port to a real bridge with index lookups only, so that
// adding a port costs the same on a bridge of 4 or 4,000 ports and
// concurrent adds do not conflict. It reports false, with nothing written,
// when the general path must decide (a fake bridge, a name clash to
// explain).
func addPortFast(tx *ovsdb.Tx, s PortSpec, port *vswitchdb.Port, ifaces []*vswitchdb.Interface) (bool, error) {
	// Only the bridge's UUID is needed: its port set, however large, is
	// not copied.
	brUUID, err := ovsdb.LookupUUID[vswitchdb.Bridge](tx, "name", s.Bridge)
	if err != nil {
		if isNotFound(err) {
			return false, nil
		}
		return false, err
	}
	br := &vswitchdb.Bridge{UUID: brUUID}
	names := []string{s.Name}
	for _, n := range s.Ifaces {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range names {
		if free, err := nameFree(tx, n, false); !free || err != nil {
			return false, err
		}
	}
	return true, insertPort(tx, br, port, ifaces, nil)
}

func insertPort(tx *ovsdb.Tx, br *vswitchdb.Bridge, port *vswitchdb.Port, ifaces []*vswitchdb.Interface, settings []string) error {
	for _, i := range ifaces {
		if _, err := tx.Insert(i); err != nil {
			return err
		}
		port.Interfaces = append(port.Interfaces, i.UUID)
	}
	if _, err := tx.Insert(port); err != nil {
		return err
	}
	for _, st := range settings {
		row, err := tx.Row(vswitchdb.TablePort, port.UUID)
		if err != nil {
			return err
		}
		if err := SetColumn(tx, row, st); err != nil {
			return err
		}
	}
	return tx.Mutate(br, ovsdb.Insert("ports", []string{port.UUID}))
}

// DelPort is ovs-vsctl del-port [BRIDGE] PORT, with --with-iface letting
// name be an interface of the port.
func DelPort(tx *ovsdb.Tx, bridge, name string, ifExists, withIface bool) error {
	if ok, err := delPortFast(tx, bridge, name, withIface); ok || err != nil {
		return err
	}
	v, err := Load(tx)
	if err != nil {
		return err
	}
	var p *Pt
	br, err := v.FindBridge(name, false)
	if err != nil {
		return err
	}
	switch {
	case br != nil:
		if !ifExists {
			return fmt.Errorf("cannot delete port %s because it is the local port for bridge %s (deleting this port requires deleting the entire bridge): %w", name, name, ovsdb.ErrInvalid)
		}
	case !withIface:
		if p, err = v.FindPort(name, !ifExists); err != nil {
			return err
		}
	default:
		if p, err = v.FindPort(name, false); err != nil {
			return err
		}
		if p == nil {
			i, err := v.FindIface(name, false)
			if err != nil {
				return err
			}
			if i != nil {
				p = i.Port
			}
		}
		if p == nil && !ifExists {
			return fmt.Errorf("no port or interface named %s: %w", name, ovsdb.ErrNotFound)
		}
	}
	if p == nil {
		return nil
	}
	if bridge != "" {
		b, err := v.FindBridge(bridge, true)
		if err != nil {
			return err
		}
		if p.Br != b {
			if p.Br.Parent == b {
				return fmt.Errorf("bridge %s does not have a port %s (although its child bridge %s does): %w", bridge, name, p.Br.Name, ovsdb.ErrNotFound)
			}
			return fmt.Errorf("bridge %s does not have a port %s: %w", bridge, name, ovsdb.ErrNotFound)
		}
	}
	return v.delPort(p)
}

// delPortFast deletes a port found by an index lookup, verifying only
// what the deletion rests on: the port still has the name and the
// interfaces it had, and its bridge still holds it. So deletes and adds of
// other ports on the same bridge do not conflict with it, as they do with
// the general path's verification of every bridge's ports. It reports
// false, with nothing written, when the general path must decide (no such
// port, a bridge's own port, a port of a fake bridge named by bridge).
func delPortFast(tx *ovsdb.Tx, bridge, name string, withIface bool) (bool, error) {
	if withIface || name == "" {
		return false, nil
	}
	if _, err := ovsdb.LookupUUID[vswitchdb.Bridge](tx, "name", name); !isNotFound(err) {
		return false, err // a bridge's own port (or the lookup failed)
	}
	p, err := ovsdb.Lookup[vswitchdb.Port](tx, "name", name)
	if err != nil {
		if isNotFound(err) {
			return false, nil
		}
		return false, err
	}
	if p.Tag != nil && bridge != "" {
		return false, nil // it may belong to a fake bridge of its bridge
	}
	bridges, err := ovsdb.List[vswitchdb.Bridge](tx)
	if err != nil {
		return false, err
	}
	var owner *vswitchdb.Bridge
	for _, b := range bridges {
		if slices.Contains(b.Ports, p.UUID) {
			owner = b
			break
		}
	}
	if owner == nil || (bridge != "" && owner.Name != bridge) {
		return false, nil
	}
	if err := tx.VerifyContains(owner, "ports", p.UUID); err != nil {
		return false, err
	}
	if err := tx.Verify(p, "interfaces"); err != nil {
		return false, err
	}
	if err := tx.Mutate(&vswitchdb.Bridge{UUID: owner.UUID}, ovsdb.Delete("ports", []string{p.UUID})); err != nil {
		return false, err
	}
	for _, u := range p.Interfaces {
		if err := tx.Delete(&vswitchdb.Interface{UUID: u}); err != nil {
			return false, err
		}
	}
	return true, tx.Delete(p)
}

// AddBondIface is ovs-vsctl add-bond-iface.
func AddBondIface(tx *ovsdb.Tx, bond, iface string, mayExist, anyName bool, init func(*vswitchdb.Interface) error) error {
	v, err := Load(tx)
	if err != nil {
		return err
	}
	p, err := v.FindPort(bond, true)
	if err != nil {
		return err
	}
	if mayExist {
		i, err := v.FindIface(iface, false)
		if err != nil {
			return err
		}
		if i != nil {
			if i.Port == p {
				return nil
			}
			return fmt.Errorf("\"--may-exist add-bond-iface %s %s\" but %s is actually attached to port %s: %w", bond, iface, iface, i.Port.Row.Name, ovsdb.ErrExists)
		}
	}
	if err := v.CheckConflicts(iface, "cannot create an interface named "+iface); err != nil {
		return err
	}
	row := &vswitchdb.Interface{Name: iface}
	if init != nil {
		if err := init(row); err != nil {
			return err
		}
	}
	if err := checkName(iface, row.Type, anyName); err != nil {
		return err
	}
	if _, err := tx.Insert(row); err != nil {
		return err
	}
	return tx.Mutate(p.Row, ovsdb.Insert("interfaces", []string{row.UUID}))
}

// DelBondIface is ovs-vsctl del-bond-iface [BOND] IFACE.
func DelBondIface(tx *ovsdb.Tx, bond, iface string, ifExists bool) error {
	v, err := Load(tx)
	if err != nil {
		return err
	}
	i, err := v.FindIface(iface, !ifExists)
	if err != nil || i == nil {
		return err
	}
	if bond != "" {
		p, err := v.FindPort(bond, true)
		if err != nil {
			return err
		}
		if i.Port != p {
			return fmt.Errorf("port %s does not have an interface %s: %w", bond, iface, ovsdb.ErrNotFound)
		}
	}
	if len(i.Port.Ifaces) < 2 {
		return fmt.Errorf("cannot delete last interface from port %s: %w", i.Port.Row.Name, ovsdb.ErrInvalid)
	}
	if err := tx.Mutate(i.Port.Row, ovsdb.Delete("interfaces", []string{i.Row.UUID})); err != nil {
		return err
	}
	return tx.Delete(i.Row)
}

// WithKey returns a copy of m (nil: an empty map) with key set to value:
// how the option functions set one key of a map column.
func WithKey(m map[string]string, key, value string) map[string]string {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]string{}
	}
	out[key] = value
	return out
}

// kernelNamed are the interface types whose name is a Linux network
// device name (at most 15 bytes, IFNAMSIZ-1).
var kernelNamed = map[string]bool{"": true, "system": true, "internal": true, "tap": true}

// reserved are the names of the datapaths' own devices: the kernel
// datapath's "ovs-system" and the userspace datapath's "ovs-netdev".
var reserved = map[string]bool{"ovs-system": true, "ovs-netdev": true}

// CheckName refuses interface names that cannot work: an empty name, the
// datapaths' reserved names, and for a Linux device, a name that Linux's
// dev_valid_name refuses (longer than 15 bytes, ".", "..", or with '/',
// ':' or white space).
func CheckName(name, ifType string) error {
	if name == "" {
		return fmt.Errorf("empty interface name: %w", ovsdb.ErrInvalid)
	}
	if reserved[name] {
		return fmt.Errorf("%q is reserved for the datapath's own device: %w", name, ovsdb.ErrInvalid)
	}
	if !kernelNamed[ifType] {
		return nil
	}
	if len(name) > 15 {
		return fmt.Errorf("interface name %q is %d bytes long; a %s interface is a Linux device, whose name has at most 15: %w",
			name, len(name), typeName(ifType), ovsdb.ErrInvalid)
	}
	if strings.ContainsAny(name, "/: \t\n\v\f\r") || name == "." || name == ".." {
		return fmt.Errorf("interface name %q is not a valid Linux device name: %w", name, ovsdb.ErrInvalid)
	}
	return nil
}

// checkName is CheckName unless skipped.
func checkName(name, ifType string, skip bool) error {
	if skip {
		if name == "" {
			return fmt.Errorf("empty interface name: %w", ovsdb.ErrInvalid)
		}
		return nil
	}
	return CheckName(name, ifType)
}

func typeName(t string) string {
	if t == "" {
		return "system"
	}
	return t
}
