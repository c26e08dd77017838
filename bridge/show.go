package bridge

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ovskit/ovskit/internal/vsctl"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Switch is the tree that ovs-vsctl show prints: the switch, its managers
// and bridges, their controllers and ports, the ports' interfaces. Rows
// appear in UUID order, as ovs-vsctl prints them.
type Switch struct {
	UUID       string
	Managers   []Endpoint
	Bridges    []ShowBridge
	OVSVersion string
}

// Endpoint is a manager or controller and whether it is connected.
type Endpoint struct {
	Target      string
	IsConnected bool
}

// ShowBridge is one bridge of Switch.
type ShowBridge struct {
	Name         string
	Controllers  []Endpoint
	FailMode     string
	DatapathType string
	Ports        []ShowPort
}

// ShowPort is one port of ShowBridge.
type ShowPort struct {
	Name       string
	Tag        *int
	Trunks     []int
	Interfaces []ShowInterface
}

// ShowInterface is one interface of ShowPort.
type ShowInterface struct {
	Name      string
	Type      string
	Options   map[string]string
	Error     string
	BFDStatus map[string]string
}

// Show returns the switch's tree.
// Equivalent to: ovs-vsctl show
func Show(tx *ovsdb.Tx) (*Switch, error) {
	root, err := vsctl.Root(tx)
	if err != nil {
		return nil, err
	}
	get := func(table, u string) ovsdb.Model {
		r, err := tx.Row(table, u)
		if err != nil {
			return nil
		}
		return r
	}
	sw := &Switch{UUID: root.UUID}
	if root.OvsVersion != nil {
		sw.OVSVersion = *root.OvsVersion
	}
	for _, u := range sorted(root.ManagerOptions) {
		if m, ok := get(vswitchdb.TableManager, u).(*vswitchdb.Manager); ok {
			sw.Managers = append(sw.Managers, Endpoint{m.Target, m.IsConnected})
		}
	}
	for _, u := range sorted(root.Bridges) {
		b, ok := get(vswitchdb.TableBridge, u).(*vswitchdb.Bridge)
		if !ok {
			continue
		}
		sb := ShowBridge{Name: b.Name, DatapathType: b.DatapathType}
		if b.FailMode != nil {
			sb.FailMode = string(*b.FailMode)
		}
		for _, cu := range sorted(b.Controller) {
			if c, ok := get(vswitchdb.TableController, cu).(*vswitchdb.Controller); ok {
				sb.Controllers = append(sb.Controllers, Endpoint{c.Target, c.IsConnected})
			}
		}
		for _, pu := range sorted(b.Ports) {
			p, ok := get(vswitchdb.TablePort, pu).(*vswitchdb.Port)
			if !ok {
				continue
			}
			sp := ShowPort{Name: p.Name, Tag: p.Tag, Trunks: slices.Sorted(slices.Values(p.Trunks))}
			for _, iu := range sorted(p.Interfaces) {
				i, ok := get(vswitchdb.TableInterface, iu).(*vswitchdb.Interface)
				if !ok {
					continue
				}
				si := ShowInterface{Name: i.Name, Type: i.Type, Options: i.Options, BFDStatus: i.BFDStatus}
				if i.Error != nil {
					si.Error = *i.Error
				}
				sp.Interfaces = append(sp.Interfaces, si)
			}
			sb.Ports = append(sb.Ports, sp)
		}
		sw.Bridges = append(sw.Bridges, sb)
	}
	return sw, nil
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

func str(s string) string { return vsctl.FormatAtom(nil, s) }

func strMap(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, str(k)+"="+str(m[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// String prints the tree exactly as ovs-vsctl show does.
func (sw *Switch) String() string {
	var b strings.Builder
	line := func(level int, format string, args ...any) {
		b.WriteString(strings.Repeat("    ", level))
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	line(0, "%s", sw.UUID)
	for _, m := range sw.Managers {
		line(1, "Manager %s", str(m.Target))
		if m.IsConnected {
			line(2, "is_connected: true")
		}
	}
	for _, br := range sw.Bridges {
		line(1, "Bridge %s", str(br.Name))
		for _, c := range br.Controllers {
			line(2, "Controller %s", str(c.Target))
			if c.IsConnected {
				line(3, "is_connected: true")
			}
		}
		if br.FailMode != "" {
			line(2, "fail_mode: %s", str(br.FailMode))
		}
		if br.DatapathType != "" {
			line(2, "datapath_type: %s", str(br.DatapathType))
		}
		for _, p := range br.Ports {
			line(2, "Port %s", str(p.Name))
			if p.Tag != nil {
				line(3, "tag: %d", *p.Tag)
			}
			if len(p.Trunks) > 0 {
				parts := make([]string, len(p.Trunks))
				for i, t := range p.Trunks {
					parts[i] = fmt.Sprint(t)
				}
				line(3, "trunks: [%s]", strings.Join(parts, ", "))
			}
			for _, i := range p.Interfaces {
				line(3, "Interface %s", str(i.Name))
				if i.Type != "" {
					line(4, "type: %s", str(i.Type))
				}
				if len(i.Options) > 0 {
					line(4, "options: %s", strMap(i.Options))
				}
				if i.Error != "" {
					line(4, "error: %s", str(i.Error))
				}
				if len(i.BFDStatus) > 0 {
					line(4, "bfd_status: %s", strMap(i.BFDStatus))
				}
			}
		}
	}
	if sw.OVSVersion != "" {
		line(1, "ovs_version: %s", str(sw.OVSVersion))
	}
	return b.String()
}
