package iface

import (
	"fmt"
	"maps"
	"net"

	"github.com/ovskit/ovskit/internal/vsctl"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Option sets a column of an Interface row being created or changed.
type Option func(*vswitchdb.Interface) error

// Kind is an interface type (the Interface "type" column).
type Kind string

// Interface types. System ("") is a Linux network device that exists
// already.
const (
	System              Kind = ""
	Internal            Kind = "internal"
	Tap                 Kind = "tap"
	Patch               Kind = "patch"
	GRE                 Kind = "gre"
	VXLAN               Kind = "vxlan"
	Geneve              Kind = "geneve"
	STT                 Kind = "stt"
	ERSPAN              Kind = "erspan"
	IP6ERSPAN           Kind = "ip6erspan"
	IP6GRE              Kind = "ip6gre"
	IPsecGRE            Kind = "ipsec_gre"
	LISP                Kind = "lisp"
	GTPU                Kind = "gtpu"
	Bareudp             Kind = "bareudp"
	SRv6                Kind = "srv6"
	DPDK                Kind = "dpdk"
	DPDKVhostUser       Kind = "dpdkvhostuser"
	DPDKVhostUserClient Kind = "dpdkvhostuserclient"
)

var knownTypes = map[Kind]bool{System: true, "system": true, Internal: true, Tap: true, Patch: true, GRE: true,
	VXLAN: true, Geneve: true, STT: true, ERSPAN: true, IP6ERSPAN: true, IP6GRE: true, IPsecGRE: true, LISP: true,
	GTPU: true, Bareudp: true, SRv6: true, DPDK: true, DPDKVhostUser: true, DPDKVhostUserClient: true,
	"afxdp": true, "afxdp-nonpmd": true}

// Type sets the interface type (one of the constants).
// Equivalent to: ovs-vsctl set Interface IF type=TYPE
func Type(t Kind) Option {
	return func(i *vswitchdb.Interface) error {
		if !knownTypes[t] {
			return fmt.Errorf("interface type %q is not one Open vSwitch knows: %w", t, ovsdb.ErrInvalid)
		}
		i.Type = string(t)
		return nil
	}
}

// Opt sets one key of the options column (tunnel and patch settings).
// Equivalent to: ovs-vsctl set Interface IF options:KEY=VALUE
func Opt(key, value string) Option {
	return func(i *vswitchdb.Interface) error {
		if key == "" {
			return fmt.Errorf("empty option key: %w", ovsdb.ErrInvalid)
		}
		i.Options = vsctl.WithKey(i.Options, key, value)
		return nil
	}
}

// Peer makes a patch interface's peer the interface called peer (type
// patch and options:peer).
// Equivalent to: ovs-vsctl set Interface IF type=patch options:peer=PEER
func Peer(peer string) Option {
	return func(i *vswitchdb.Interface) error {
		if peer == "" {
			return fmt.Errorf("empty patch peer: %w", ovsdb.ErrInvalid)
		}
		i.Type = string(Patch)
		i.Options = vsctl.WithKey(i.Options, "peer", peer)
		return nil
	}
}

// MTURequest asks for an MTU.
// Equivalent to: ovs-vsctl set Interface IF mtu_request=N
func MTURequest(n int) Option {
	return func(i *vswitchdb.Interface) error {
		if n < 1 || n > 65535 {
			return fmt.Errorf("mtu %d: want 1 to 65535: %w", n, ovsdb.ErrInvalid)
		}
		i.MTURequest = &n
		return nil
	}
}

// MAC asks for an Ethernet address (internal interfaces).
// Equivalent to: ovs-vsctl set Interface IF mac="MAC"
func MAC(mac string) Option {
	return func(i *vswitchdb.Interface) error {
		hw, err := net.ParseMAC(mac)
		if err != nil || len(hw) != 6 {
			return fmt.Errorf("mac %q: %w", mac, ovsdb.ErrInvalid)
		}
		s := hw.String()
		i.MAC = &s
		return nil
	}
}

// OfportRequest asks for an OpenFlow port number (1 to 65279).
// Equivalent to: ovs-vsctl set Interface IF ofport_request=N
func OfportRequest(n int) Option {
	return func(i *vswitchdb.Interface) error {
		if n < 1 || n > 65279 {
			return fmt.Errorf("ofport_request %d: want 1 to 65279: %w", n, ovsdb.ErrInvalid)
		}
		i.OfportRequest = &n
		return nil
	}
}

// ExternalID sets one key of external_ids (e.g. "iface-id", "attached-mac").
// Equivalent to: ovs-vsctl set Interface IF external_ids:KEY=VALUE
func ExternalID(key, value string) Option {
	return func(i *vswitchdb.Interface) error {
		i.ExternalIDs = vsctl.WithKey(i.ExternalIDs, key, value)
		return nil
	}
}

// OtherConfig sets one key of other_config.
// Equivalent to: ovs-vsctl set Interface IF other_config:KEY=VALUE
func OtherConfig(key, value string) Option {
	return func(i *vswitchdb.Interface) error {
		i.OtherConfig = vsctl.WithKey(i.OtherConfig, key, value)
		return nil
	}
}

// Apply runs options on a row, for packages that build interfaces.
func Apply(i *vswitchdb.Interface, opts ...Option) error {
	for _, o := range opts {
		if err := o(i); err != nil {
			return err
		}
	}
	return nil
}

// Set changes columns of an existing interface: the columns the options
// set are written (keys of options, external_ids and other_config are
// added to the existing ones).
// Equivalent to: ovs-vsctl set Interface NAME COLUMN=VALUE...
func Set(name string, opts ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		cur, err := ovsdb.Lookup[vswitchdb.Interface](tx, "name", name)
		if err != nil {
			return fmt.Errorf("set interface %s: %w", name, err)
		}
		next := *cur
		if err := Apply(&next, opts...); err != nil {
			return fmt.Errorf("set interface %s: %w", name, err)
		}
		var cols []string
		for _, c := range []string{"type", "options", "mtu_request", "mac", "ofport_request", "external_ids", "other_config"} {
			a, _ := ovsdb.Column(cur, c)
			b, _ := ovsdb.Column(&next, c)
			if fmt.Sprint(a) != fmt.Sprint(b) {
				cols = append(cols, c)
			}
		}
		if len(cols) == 0 {
			return nil
		}
		if err := vsctl.CheckName(name, next.Type); err != nil {
			return err
		}
		return tx.Update(&next, cols...)
	})
}

// Status is an interface's live state, as ovs-vswitchd reports it.
type Status struct {
	Name       string
	Type       Kind
	Ofport     int // -1: vswitchd could not add it; 0: not (yet) known
	Error      string
	AdminState vswitchdb.InterfaceAdminState // "" until ovs-vswitchd reports it
	LinkState  vswitchdb.InterfaceLinkState  // "" until ovs-vswitchd reports it
	MACInUse   string
	MTU        int
	Statistics map[string]int
	Status     map[string]string
}

// Get returns an interface's row.
// Equivalent to: ovs-vsctl list Interface NAME
func Get(tx *ovsdb.Tx, name string) (*vswitchdb.Interface, error) {
	return ovsdb.Lookup[vswitchdb.Interface](tx, "name", name)
}

// StatusOf returns an interface's live state.
func StatusOf(tx *ovsdb.Tx, name string) (*Status, error) {
	i, err := Get(tx, name)
	if err != nil {
		return nil, err
	}
	s := &Status{Name: i.Name, Type: Kind(i.Type), Statistics: maps.Clone(i.Statistics), Status: maps.Clone(i.Status)}
	if i.Ofport != nil {
		s.Ofport = *i.Ofport
	}
	if i.Error != nil {
		s.Error = *i.Error
	}
	if i.AdminState != nil {
		s.AdminState = *i.AdminState
	}
	if i.LinkState != nil {
		s.LinkState = *i.LinkState
	}
	if i.MACInUse != nil {
		s.MACInUse = *i.MACInUse
	}
	if i.MTU != nil {
		s.MTU = *i.MTU
	}
	return s, nil
}

// ToBridge returns the bridge an interface is on.
// Equivalent to: ovs-vsctl iface-to-br IFACE
func ToBridge(tx *ovsdb.Tx, name string) (string, error) { return vsctl.IfaceToBridge(tx, name) }

// List returns the sorted interface names of a bridge, without the
// bridge's own.
// Equivalent to: ovs-vsctl list-ifaces BRIDGE
func List(tx *ovsdb.Tx, bridge string) ([]string, error) { return vsctl.ListIfaces(tx, bridge) }

// PatchPair joins two bridges with a pair of patch ports, created on both
// in one transaction: portA on bridgeA peers with portB on bridgeB.
// Equivalent to: ovs-vsctl add-port A PA -- set Interface PA type=patch options:peer=PB
// -- add-port B PB -- set Interface PB type=patch options:peer=PA
func PatchPair(bridgeA, portA, bridgeB, portB string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if portA == portB {
			return fmt.Errorf("patch pair: both ends are called %q: %w", portA, ovsdb.ErrInvalid)
		}
		for _, end := range [][3]string{{bridgeA, portA, portB}, {bridgeB, portB, portA}} {
			peer := end[2]
			err := vsctl.AddPort(tx, vsctl.PortSpec{Bridge: end[0], Name: end[1],
				Iface: func(_ int, i *vswitchdb.Interface) error { return Peer(peer)(i) }})
			if err != nil {
				return fmt.Errorf("patch pair %s-%s: %w", portA, portB, err)
			}
		}
		return nil
	})
}

// ByIfaceID returns the interfaces whose external_ids:iface-id is id (the
// logical port a CNI plugin or OVN binds them to), in constant time; the
// commit verifies that they are still the ones.
// Equivalent to: ovs-vsctl find Interface external_ids:iface-id=ID
func ByIfaceID(tx *ovsdb.Tx, id string) ([]*vswitchdb.Interface, error) {
	return ovsdb.FindByKey[vswitchdb.Interface](tx, "external_ids", "iface-id", id)
}

// ByAttachedMAC returns the interfaces whose external_ids:attached-mac is
// mac (the guest's MAC, as a hypervisor records it), in constant time.
// mac is compared in its canonical form ("52:54:00:00:00:01").
// Equivalent to: ovs-vsctl find Interface external_ids:attached-mac=MAC
func ByAttachedMAC(tx *ovsdb.Tx, mac string) ([]*vswitchdb.Interface, error) {
	hw, err := net.ParseMAC(mac)
	if err != nil || len(hw) != 6 {
		return nil, fmt.Errorf("attached-mac %q: %w", mac, ovsdb.ErrInvalid)
	}
	return ovsdb.FindByKey[vswitchdb.Interface](tx, "external_ids", "attached-mac", hw.String())
}

// ByVMUUID returns the interfaces whose external_ids:vm-uuid is vm (the
// guest they belong to), in constant time.
// Equivalent to: ovs-vsctl find Interface external_ids:vm-uuid=UUID
func ByVMUUID(tx *ovsdb.Tx, vm string) ([]*vswitchdb.Interface, error) {
	return ovsdb.FindByKey[vswitchdb.Interface](tx, "external_ids", "vm-uuid", vm)
}
