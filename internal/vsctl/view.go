package vsctl

import (
	"fmt"
	"sort"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// View is ovs-vsctl's picture of the switch within one transaction: the
// bridges (real and fake), the ports and the interfaces reachable from the
// Open_vSwitch row, by name. A port whose tag is the VLAN of a fake bridge
// of its bridge belongs to that fake bridge.
type View struct {
	tx      *ovsdb.Tx
	Root    *vswitchdb.OpenVSwitch
	Bridges map[string]*Br
	Ports   map[string]*Pt
	Ifaces  map[string]*If

	portRows  map[string]*vswitchdb.Port
	ifaceRows map[string]*vswitchdb.Interface
	verified  bool
}

// Br is a bridge of the view. A fake bridge has no Row and a Parent.
type Br struct {
	Row      *vswitchdb.Bridge
	Name     string
	Parent   *Br
	VLAN     int
	Ports    []*Pt
	Children map[int]*Br
}

// Real returns the bridge whose row holds br's ports: br or its parent.
func (b *Br) Real() *Br {
	if b.Parent != nil {
		return b.Parent
	}
	return b
}

// Pt is a port of the view.
type Pt struct {
	Row    *vswitchdb.Port
	Br     *Br
	Ifaces []*If
}

// If is an interface of the view.
type If struct {
	Row  *vswitchdb.Interface
	Port *Pt
}

// Root returns the Open_vSwitch row, or an error when the database has
// none (run vswitchdb.Init first).
func Root(tx *ovsdb.Tx) (*vswitchdb.OpenVSwitch, error) {
	roots, err := ovsdb.List[vswitchdb.OpenVSwitch](tx)
	if err != nil {
		return nil, err
	}
	if len(roots) != 1 {
		return nil, fmt.Errorf("database has %d Open_vSwitch rows, not 1 (is it initialized? see vswitchdb.Init): %w", len(roots), ovsdb.ErrNotFound)
	}
	return roots[0], nil
}

func isFakeBridgePort(p *vswitchdb.Port) bool {
	return p.FakeBridge && p.Tag != nil && *p.Tag >= 0 && *p.Tag <= 4095
}

// Load builds the view from the transaction's current state.
func Load(tx *ovsdb.Tx) (*View, error) {
	root, err := Root(tx)
	if err != nil {
		return nil, err
	}
	v := &View{tx: tx, Root: root, Bridges: map[string]*Br{}, Ports: map[string]*Pt{}, Ifaces: map[string]*If{},
		portRows: map[string]*vswitchdb.Port{}, ifaceRows: map[string]*vswitchdb.Interface{}}
	bridges, err := ovsdb.List[vswitchdb.Bridge](tx)
	if err != nil {
		return nil, err
	}
	ports, err := ovsdb.List[vswitchdb.Port](tx)
	if err != nil {
		return nil, err
	}
	ifaces, err := ovsdb.List[vswitchdb.Interface](tx)
	if err != nil {
		return nil, err
	}
	brRows := map[string]*vswitchdb.Bridge{}
	for _, b := range bridges {
		brRows[b.UUID] = b
	}
	for _, p := range ports {
		v.portRows[p.UUID] = p
	}
	for _, i := range ifaces {
		v.ifaceRows[i.UUID] = i
	}
	rootBridges := append([]string(nil), root.Bridges...)
	sort.Strings(rootBridges)
	// First pass: real bridges and their fake children.
	seenPorts := map[string]bool{}
	var real []*Br
	for _, u := range rootBridges {
		row := brRows[u]
		if row == nil || v.Bridges[row.Name] != nil {
			continue
		}
		br := v.addBridge(row, row.Name, nil, 0)
		real = append(real, br)
		for _, pu := range sortedCopy(row.Ports) {
			p := v.portRows[pu]
			if p == nil || seenPorts[p.Name] {
				continue
			}
			seenPorts[p.Name] = true
			if isFakeBridgePort(p) && v.Bridges[p.Name] == nil {
				v.addBridge(nil, p.Name, br, *p.Tag)
			}
		}
	}
	// Second pass: ports and interfaces.
	for _, br := range real {
		for _, pu := range sortedCopy(br.Row.Ports) {
			p := v.portRows[pu]
			if p == nil || v.Ports[p.Name] != nil {
				continue
			}
			owner := br
			if p.Tag != nil && *p.Tag >= 0 && *p.Tag <= 4095 {
				if child := br.Children[*p.Tag]; child != nil {
					owner = child
				}
			}
			pt := &Pt{Row: p, Br: owner}
			owner.Ports = append(owner.Ports, pt)
			v.Ports[p.Name] = pt
			for _, iu := range sortedCopy(p.Interfaces) {
				i := v.ifaceRows[iu]
				if i == nil || v.Ifaces[i.Name] != nil {
					continue
				}
				it := &If{Row: i, Port: pt}
				pt.Ifaces = append(pt.Ifaces, it)
				v.Ifaces[i.Name] = it
			}
		}
	}
	return v, nil
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func (v *View) addBridge(row *vswitchdb.Bridge, name string, parent *Br, vlan int) *Br {
	br := &Br{Row: row, Name: name, Parent: parent, VLAN: vlan, Children: map[int]*Br{}}
	if parent != nil {
		if parent.Children[vlan] == nil {
			parent.Children[vlan] = br
		}
	}
	v.Bridges[name] = br
	return br
}

// VerifyPorts makes the commit depend on the bridge/port/interface wiring
// (ovs-vsctl's verify_ports).
func (v *View) VerifyPorts() error {
	if v.verified {
		return nil
	}
	v.verified = true
	if err := v.verify(v.Root, "bridges"); err != nil {
		return err
	}
	for _, br := range v.Bridges {
		if br.Row != nil {
			if err := v.verify(br.Row, "ports"); err != nil {
				return err
			}
		}
	}
	for _, p := range v.portRows {
		if err := v.verify(p, "interfaces"); err != nil {
			return err
		}
	}
	return nil
}

// verify is Tx.Verify, where a row the transaction deleted or created
// needs no verification.
func (v *View) verify(row ovsdb.Model, cols ...string) error {
	if !ovsdb.IsUUID(ovsdb.UUIDOf(row)) {
		return nil
	}
	err := v.tx.Verify(row, cols...)
	if err != nil && isNotFound(err) {
		return nil
	}
	return err
}

// loadBridge loads the view and finds a bridge in it (a real one, if
// real), the first step of most commands.
func loadBridge(tx *ovsdb.Tx, name string, mustExist, real bool) (*View, *Br, error) {
	v, err := Load(tx)
	if err != nil {
		return nil, nil, err
	}
	find := v.FindBridge
	if real {
		find = v.FindRealBridge
	}
	br, err := find(name, mustExist)
	return v, br, err
}

// FindBridge returns the bridge called name, or nil (an error if
// mustExist).
func (v *View) FindBridge(name string, mustExist bool) (*Br, error) {
	br := v.Bridges[name]
	if err := v.verify(v.Root, "bridges"); err != nil {
		return nil, err
	}
	if br == nil && mustExist {
		return nil, fmt.Errorf("no bridge named %s: %w", name, ovsdb.ErrNotFound)
	}
	return br, nil
}

// FindRealBridge is FindBridge refusing fake bridges.
func (v *View) FindRealBridge(name string, mustExist bool) (*Br, error) {
	br, err := v.FindBridge(name, mustExist)
	if err != nil {
		return nil, err
	}
	if br != nil && br.Parent != nil {
		return nil, fmt.Errorf("%s is a fake bridge: %w", name, ovsdb.ErrInvalid)
	}
	return br, nil
}

// FindPort returns the port called name, or nil. A bridge's own local port
// is not a port in this sense.
func (v *View) FindPort(name string, mustExist bool) (*Pt, error) {
	p := v.Ports[name]
	if p != nil && p.Br != nil && p.Br.Name == name {
		p = nil
	}
	if p == nil && mustExist {
		return nil, fmt.Errorf("no port named %s: %w", name, ovsdb.ErrNotFound)
	}
	return p, v.VerifyPorts()
}

// FindIface returns the interface called name, or nil. A bridge's own
// local interface is not an interface in this sense.
func (v *View) FindIface(name string, mustExist bool) (*If, error) {
	i := v.Ifaces[name]
	if i != nil && i.Port.Br != nil && i.Port.Br.Name == name {
		i = nil
	}
	if i == nil && mustExist {
		return nil, fmt.Errorf("no interface named %s: %w", name, ovsdb.ErrNotFound)
	}
	return i, v.VerifyPorts()
}

// CheckConflicts fails when name is taken by a bridge, port or interface.
func (v *View) CheckConflicts(name, what string) error {
	if err := v.VerifyPorts(); err != nil {
		return err
	}
	if v.Bridges[name] != nil {
		return fmt.Errorf("%s because a bridge named %s already exists: %w", what, name, ovsdb.ErrExists)
	}
	if p := v.Ports[name]; p != nil {
		return fmt.Errorf("%s because a port named %s already exists on bridge %s: %w", what, name, p.Br.Name, ovsdb.ErrExists)
	}
	if i := v.Ifaces[name]; i != nil {
		return fmt.Errorf("%s because an interface named %s already exists on bridge %s: %w", what, name, i.Port.Br.Name, ovsdb.ErrExists)
	}
	return nil
}
