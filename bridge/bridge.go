package bridge

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ovskit/ovskit/internal/vsctl"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Option configures a bridge that Add creates.
type Option func(*spec) error

type spec struct {
	mayExist bool
	anyName  bool
	init     []func(*vswitchdb.Bridge) error
}

func column(f func(*vswitchdb.Bridge) error) Option {
	return func(s *spec) error { s.init = append(s.init, f); return nil }
}

// MayExist makes Add succeed without change when the bridge exists already
// and is of the same kind (real, or fake with the same parent and VLAN);
// otherwise it fails. Options that set columns are not applied to an
// existing bridge. Equivalent to: ovs-vsctl --may-exist add-br
func MayExist() Option { return func(s *spec) error { s.mayExist = true; return nil } }

// UncheckedName makes Add take any name, as ovs-vsctl does: without it,
// a name Linux refuses for the bridge's internal interface (longer than
// 15 bytes, with '/', ':' or white space) or a datapath's own device name
// (ovs-system, ovs-netdev) is refused before anything is written; with
// it, the bridge is committed and ovs-vswitchd reports what it cannot
// set up (vswitchdb.InterfaceError).
func UncheckedName() Option { return func(s *spec) error { s.anyName = true; return nil } }

// Datapath is a bridge's datapath type.
type Datapath string

// Datapath types. The empty one is the kernel's, as System.
const (
	System Datapath = "system" // the kernel module's
	Netdev Datapath = "netdev" // the userspace datapath's
)

// DatapathType sets the datapath type: Netdev for the userspace datapath,
// System (or "") for the kernel's.
// Equivalent to: ovs-vsctl add-br BR -- set Bridge BR datapath_type=TYPE
func DatapathType(t Datapath) Option {
	return column(func(b *vswitchdb.Bridge) error {
		if t != "" && t != System && t != Netdev {
			return fmt.Errorf("datapath type %q: want \"system\" or \"netdev\": %w", t, ovsdb.ErrInvalid)
		}
		b.DatapathType = string(t)
		return nil
	})
}

// FailMode sets the fail mode (standalone or secure).
// Equivalent to: ovs-vsctl add-br BR -- set-fail-mode BR MODE
func FailMode(m vswitchdb.BridgeFailMode) Option {
	return column(func(b *vswitchdb.Bridge) error {
		if m != vswitchdb.BridgeFailModeSecure && m != vswitchdb.BridgeFailModeStandalone {
			return fmt.Errorf("fail mode %q: want standalone or secure: %w", m, ovsdb.ErrInvalid)
		}
		b.FailMode = &m
		return nil
	})
}

// Protocols sets the OpenFlow versions the bridge speaks.
// Equivalent to: ovs-vsctl set Bridge BR protocols=OpenFlow13,...
func Protocols(p ...vswitchdb.BridgeProtocols) Option {
	return column(func(b *vswitchdb.Bridge) error {
		for _, x := range p {
			if !strings.HasPrefix(string(x), "OpenFlow1") {
				return fmt.Errorf("protocol %q: %w", x, ovsdb.ErrInvalid)
			}
		}
		b.Protocols = slices.Clone(p)
		return nil
	})
}

// OtherConfig sets one other_config key.
// Equivalent to: ovs-vsctl set Bridge BR other_config:KEY=VALUE
func OtherConfig(key, value string) Option {
	return column(func(b *vswitchdb.Bridge) error {
		b.OtherConfig = vsctl.WithKey(b.OtherConfig, key, value)
		return nil
	})
}

// ExternalID sets one external_ids key.
// Equivalent to: ovs-vsctl br-set-external-id BR KEY VALUE
func ExternalID(key, value string) Option {
	return column(func(b *vswitchdb.Bridge) error {
		b.ExternalIDs = vsctl.WithKey(b.ExternalIDs, key, value)
		return nil
	})
}

// STP turns the Spanning Tree Protocol on or off.
// Equivalent to: ovs-vsctl set Bridge BR stp_enable=true
func STP(on bool) Option {
	return column(func(b *vswitchdb.Bridge) error { b.STPEnable = on; return nil })
}

// RSTP turns the Rapid Spanning Tree Protocol on or off.
// Equivalent to: ovs-vsctl set Bridge BR rstp_enable=true
func RSTP(on bool) Option {
	return column(func(b *vswitchdb.Bridge) error { b.RSTPEnable = on; return nil })
}

// MulticastSnooping turns IGMP/MLD snooping on or off.
// Equivalent to: ovs-vsctl set Bridge BR mcast_snooping_enable=true
func MulticastSnooping(on bool) Option {
	return column(func(b *vswitchdb.Bridge) error { b.McastSnoopingEnable = on; return nil })
}

// DatapathID sets the OpenFlow datapath ID: exactly 16 hex digits.
// Equivalent to: ovs-vsctl set Bridge BR other_config:datapath-id=ID
func DatapathID(id string) Option {
	return column(func(b *vswitchdb.Bridge) error {
		if len(id) != 16 || strings.Trim(strings.ToLower(id), "0123456789abcdef") != "" {
			return fmt.Errorf("datapath id %q: want exactly 16 hex digits: %w", id, ovsdb.ErrInvalid)
		}
		b.OtherConfig = vsctl.WithKey(b.OtherConfig, "datapath-id", id)
		return nil
	})
}

func build(opts []Option) (*spec, error) {
	s := &spec{}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Add creates a bridge with its local port and interface (both named like
// the bridge, the interface of type internal).
// Equivalent to: ovs-vsctl add-br NAME
func Add(name string, opts ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		s, err := build(opts)
		if err != nil {
			return fmt.Errorf("add bridge %s: %w", name, err)
		}
		bs := vsctl.BridgeSpec{Name: name, MayExist: s.mayExist, AnyName: s.anyName}
		if len(s.init) > 0 {
			bs.Init = func(b *vswitchdb.Bridge) error {
				for _, f := range s.init {
					if err := f(b); err != nil {
						return err
					}
				}
				return nil
			}
		}
		return vsctl.AddBridge(tx, bs)
	})
}

// AddFake creates a fake bridge: a VLAN of parent that acts like a bridge
// of its own (ports added to it get tag vlan). Only MayExist and
// UncheckedName apply.
// Equivalent to: ovs-vsctl add-br NAME PARENT VLAN
func AddFake(name, parent string, vlan int, opts ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		s, err := build(opts)
		if err != nil {
			return fmt.Errorf("add bridge %s: %w", name, err)
		}
		if len(s.init) > 0 {
			return fmt.Errorf("add fake bridge %s: only MayExist applies to a fake bridge: %w", name, ovsdb.ErrInvalid)
		}
		if parent == "" {
			return fmt.Errorf("add fake bridge %s: parent must not be empty: %w", name, ovsdb.ErrInvalid)
		}
		return vsctl.AddBridge(tx, vsctl.BridgeSpec{Name: name, Parent: parent, VLAN: vlan, MayExist: s.mayExist, AnyName: s.anyName})
	})
}

// DeleteOption configures Delete.
type DeleteOption func(*deleteSpec) error

type deleteSpec struct{ ifExists bool }

// IfExists makes Delete succeed when there is no such bridge.
// Equivalent to: ovs-vsctl --if-exists del-br
func IfExists() DeleteOption { return func(d *deleteSpec) error { d.ifExists = true; return nil } }

// Delete removes a bridge with all its ports and interfaces, and its fake
// bridges (or, for a fake bridge, just its ports).
// Equivalent to: ovs-vsctl del-br NAME
func Delete(name string, opts ...DeleteOption) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		var d deleteSpec
		if err := apply(&d, asFuncs(opts)); err != nil {
			return fmt.Errorf("delete bridge %s: %w", name, err)
		}
		return vsctl.DelBridge(tx, name, d.ifExists)
	})
}

// Kind selects bridges for List.
type Kind int

// Kinds of bridges.
const (
	All  Kind = iota // real and fake
	Real             // ovs-vsctl list-br --real
	Fake             // ovs-vsctl list-br --fake
)

// List returns the sorted names of the bridges of a kind.
// Equivalent to: ovs-vsctl list-br [--real|--fake]
func List(tx *ovsdb.Tx, kind Kind) ([]string, error) {
	return vsctl.ListBridges(tx, kind == Real, kind == Fake)
}

// Exists reports whether a bridge (real or fake) of that name exists.
// Equivalent to: ovs-vsctl br-exists NAME
func Exists(tx *ovsdb.Tx, name string) (bool, error) {
	b, err := vsctl.FindBridgeInfo(tx, name, false)
	return b != nil, err
}

// Info is a typed view of a bridge.
type Info struct {
	Name   string
	Fake   bool
	Parent string // a fake bridge's real parent; Name for a real bridge
	VLAN   int    // a fake bridge's VLAN; 0 for a real bridge
	// The real bridge's settings (the parent's, for a fake bridge).
	DatapathType Datapath
	FailMode     vswitchdb.BridgeFailMode // "" when unset
	Protocols    []vswitchdb.BridgeProtocols
	OtherConfig  map[string]string
	ExternalIDs  map[string]string
	Controllers  []string // targets, sorted
	Ports        []string // sorted, without the bridge's own port
	Row          *vswitchdb.Bridge
}

// Get returns a typed view of a bridge, or an error wrapping
// ovsdb.ErrNotFound.
func Get(tx *ovsdb.Tx, name string) (*Info, error) {
	b, err := vsctl.GetBridge(tx, name)
	if err != nil {
		return nil, err
	}
	r := b.Row
	in := &Info{Name: b.Name, Fake: b.Fake, Parent: b.Parent, VLAN: b.VLAN, DatapathType: Datapath(r.DatapathType),
		Protocols: r.Protocols, OtherConfig: maps.Clone(r.OtherConfig), ExternalIDs: b.ExternalIDs, Controllers: b.Controllers, Ports: b.Ports, Row: r}
	if r.FailMode != nil {
		in.FailMode = *r.FailMode
	}
	return in, nil
}

// ToVLAN returns a fake bridge's VLAN, 0 for a real bridge.
// Equivalent to: ovs-vsctl br-to-vlan NAME
func ToVLAN(tx *ovsdb.Tx, name string) (int, error) {
	b, err := vsctl.FindBridgeInfo(tx, name, true)
	if err != nil {
		return 0, err
	}
	return b.VLAN, nil
}

// ToParent returns a fake bridge's parent, the bridge itself if real.
// Equivalent to: ovs-vsctl br-to-parent NAME
func ToParent(tx *ovsdb.Tx, name string) (string, error) {
	b, err := vsctl.FindBridgeInfo(tx, name, true)
	if err != nil {
		return "", err
	}
	return b.Parent, nil
}

// SetExternalID sets an external id of a bridge.
// Equivalent to: ovs-vsctl br-set-external-id BR KEY VALUE
func SetExternalID(name, key, value string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error { return vsctl.SetBridgeExternalID(tx, name, key, &value) })
}

// DelExternalID removes an external id of a bridge.
// Equivalent to: ovs-vsctl br-set-external-id BR KEY
func DelExternalID(name, key string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error { return vsctl.SetBridgeExternalID(tx, name, key, nil) })
}

// ExternalIDs returns the external ids of a bridge.
// Equivalent to: ovs-vsctl br-get-external-id BR
func ExternalIDs(tx *ovsdb.Tx, name string) (map[string]string, error) {
	return vsctl.BridgeExternalIDs(tx, name)
}

// ControllerOption configures SetController and SetManager.
type ControllerOption func(*controllerSpec) error

type controllerSpec struct{ probe *int }

// InactivityProbe sets the controllers' (or managers') inactivity probe
// interval; 0 turns the probe off.
// Equivalent to: ovs-vsctl --inactivity-probe=MSECS set-controller
func InactivityProbe(d time.Duration) ControllerOption {
	return func(c *controllerSpec) error {
		if d < 0 {
			return fmt.Errorf("inactivity probe %v: negative: %w", d, ovsdb.ErrInvalid)
		}
		ms := int(d.Milliseconds())
		c.probe = &ms
		return nil
	}
}

// apply runs options on their settings, in order, stopping at the first
// that refuses its input.
func apply[S any](s *S, opts []func(*S) error) error {
	for _, o := range opts {
		if err := o(s); err != nil {
			return err
		}
	}
	return nil
}

// SetController replaces the bridge's controllers with the targets
// ("tcp:IP:PORT", "ssl:IP:PORT", "punix:PATH", ...).
// Equivalent to: ovs-vsctl set-controller BR TARGET...
func SetController(name string, targets []string, opts ...ControllerOption) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if len(targets) == 0 {
			return fmt.Errorf("set controller of %s: no targets (use DelController): %w", name, ovsdb.ErrInvalid)
		}
		for _, t := range targets {
			if err := checkTarget(t); err != nil {
				return fmt.Errorf("set controller of %s: %w", name, err)
			}
		}
		var c controllerSpec
		if err := apply(&c, asFuncs(opts)); err != nil {
			return fmt.Errorf("set controller of %s: %w", name, err)
		}
		return vsctl.SetControllers(tx, name, targets, c.probe)
	})
}

func checkTarget(t string) error {
	kind, _, ok := strings.Cut(t, ":")
	switch kind {
	case "tcp", "ssl", "unix", "ptcp", "pssl", "punix":
		if ok {
			return nil
		}
	}
	return fmt.Errorf("target %q: want tcp:, ssl:, unix:, ptcp:, pssl: or punix:: %w", t, ovsdb.ErrInvalid)
}

// DelController removes the bridge's controllers.
// Equivalent to: ovs-vsctl del-controller BR
func DelController(name string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error { return vsctl.SetControllers(tx, name, nil, nil) })
}

// Controllers returns the sorted controller targets of a bridge.
// Equivalent to: ovs-vsctl get-controller BR
func Controllers(tx *ovsdb.Tx, name string) ([]string, error) { return vsctl.Controllers(tx, name) }

// SetFailMode sets a bridge's fail mode.
// Equivalent to: ovs-vsctl set-fail-mode BR MODE
func SetFailMode(name string, mode vswitchdb.BridgeFailMode) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if mode == "" {
			return fmt.Errorf("set fail mode of %s: empty mode (use DelFailMode): %w", name, ovsdb.ErrInvalid)
		}
		return vsctl.SetFailMode(tx, name, string(mode))
	})
}

// DelFailMode clears a bridge's fail mode.
// Equivalent to: ovs-vsctl del-fail-mode BR
func DelFailMode(name string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error { return vsctl.SetFailMode(tx, name, "") })
}

// GetFailMode returns a bridge's fail mode, "" when unset.
// Equivalent to: ovs-vsctl get-fail-mode BR
func GetFailMode(tx *ovsdb.Tx, name string) (string, error) { return vsctl.FailMode(tx, name) }

// SetManager replaces the switch's OVSDB managers (Open_vSwitch
// manager_options) with the targets.
// Equivalent to: ovs-vsctl set-manager TARGET...
func SetManager(targets []string, opts ...ControllerOption) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if len(targets) == 0 {
			return fmt.Errorf("set manager: no targets (use DelManager): %w", ovsdb.ErrInvalid)
		}
		for _, t := range targets {
			if err := checkTarget(t); err != nil {
				return fmt.Errorf("set manager: %w", err)
			}
		}
		var c controllerSpec
		if err := apply(&c, asFuncs(opts)); err != nil {
			return fmt.Errorf("set manager: %w", err)
		}
		return vsctl.SetManagers(tx, targets, c.probe)
	})
}

// DelManager removes every manager.
// Equivalent to: ovs-vsctl del-manager
func DelManager() ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error { return vsctl.SetManagers(tx, nil, nil) })
}

// Managers returns the sorted manager targets.
// Equivalent to: ovs-vsctl get-manager
func Managers(tx *ovsdb.Tx) ([]string, error) { return vsctl.Managers(tx) }

// SSL is the switch's SSL configuration: paths of PEM files.
type SSL struct {
	PrivateKey, Certificate, CACert string
	// Bootstrap: fetch the CA certificate from the peer on first contact.
	Bootstrap bool
}

// SetSSL replaces the SSL configuration.
// Equivalent to: ovs-vsctl [--bootstrap] set-ssl KEY CERT CA-CERT
func SetSSL(s SSL) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if s.PrivateKey == "" || s.Certificate == "" || s.CACert == "" {
			return fmt.Errorf("set ssl: private key, certificate and CA certificate are required: %w", ovsdb.ErrInvalid)
		}
		return vsctl.SetSSL(tx, &vswitchdb.SSL{PrivateKey: s.PrivateKey, Certificate: s.Certificate, CACert: s.CACert, BootstrapCACert: s.Bootstrap})
	})
}

// DelSSL removes the SSL configuration.
// Equivalent to: ovs-vsctl del-ssl
func DelSSL() ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error { return vsctl.SetSSL(tx, nil) })
}

// GetSSL returns the SSL configuration, or nil.
// Equivalent to: ovs-vsctl get-ssl
func GetSSL(tx *ovsdb.Tx) (*SSL, error) {
	r, err := vsctl.SSL(tx)
	if err != nil || r == nil {
		return nil, err
	}
	return &SSL{PrivateKey: r.PrivateKey, Certificate: r.Certificate, CACert: r.CACert, Bootstrap: r.BootstrapCACert}, nil
}

// EmerReset clears the configuration that can cut a switch off:
// controllers, managers, SSL, mirrors, NetFlow, sFlow, IPFIX, flood VLANs,
// bridges' other_config (but hwaddr), ports' other_config and interfaces'
// ingress policing.
// Equivalent to: ovs-vsctl emer-reset
func EmerReset() ovsdb.Command { return ovsdb.CommandFunc(vsctl.EmerReset) }

// AddAAMapping maps an Auto Attach I-SID to a VLAN on a bridge (its
// parent, for a fake bridge); an I-SID mapped already keeps its VLAN.
// Equivalent to: ovs-vsctl add-aa-mapping BRIDGE I-SID VLAN
func AddAAMapping(bridge string, isid, vlan int) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if isid < 0 || vlan < 0 {
			return fmt.Errorf("aa-mapping %d %d: %w", isid, vlan, ovsdb.ErrInvalid)
		}
		return vsctl.AddAAMapping(tx, bridge, strconv.Itoa(isid), strconv.Itoa(vlan))
	})
}

// DelAAMapping removes an Auto Attach mapping of an I-SID to a VLAN.
// Equivalent to: ovs-vsctl del-aa-mapping BRIDGE I-SID VLAN
func DelAAMapping(bridge string, isid, vlan int) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		if isid < 0 || vlan < 0 {
			return fmt.Errorf("aa-mapping %d %d: %w", isid, vlan, ovsdb.ErrInvalid)
		}
		return vsctl.DelAAMapping(tx, bridge, strconv.Itoa(isid), strconv.Itoa(vlan))
	})
}

// AAMappings returns a bridge's Auto Attach mappings, I-SID to VLAN.
// Equivalent to: ovs-vsctl get-aa-mapping BRIDGE
func AAMappings(tx *ovsdb.Tx, bridge string) (map[int]int, error) {
	lines, err := vsctl.GetAAMapping(tx, bridge)
	if err != nil {
		return nil, err
	}
	out := map[int]int{}
	for _, l := range lines {
		var isid, vlan int
		if _, err := fmt.Sscan(l, &isid, &vlan); err != nil {
			return nil, err
		}
		out[isid] = vlan
	}
	return out, nil
}

// AddZoneTimeoutPolicy gives conntrack zone zone of datapath dp ("netdev",
// "system": a key of Open_vSwitch.datapaths) a timeout policy (seconds by
// timeout name, such as "tcp_established"); with mayExist a zone that has
// one gets the new one.
// Equivalent to: ovs-vsctl [--may-exist] add-zone-tp DP zone=ZONE KEY=SECS...
func AddZoneTimeoutPolicy(dp string, zone int, policy map[vswitchdb.CTTimeoutPolicyTimeouts]int, mayExist bool) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		var args []string
		for _, k := range slices.Sorted(maps.Keys(policy)) {
			args = append(args, fmt.Sprintf("%s=%d", k, policy[k]))
		}
		return vsctl.AddZoneTP(tx, dp, fmt.Sprintf("zone=%d", zone), args, mayExist)
	})
}

// DelZoneTimeoutPolicy removes a conntrack zone's timeout policy.
// Equivalent to: ovs-vsctl [--if-exists] del-zone-tp DP zone=ZONE
func DelZoneTimeoutPolicy(dp string, zone int, ifExists bool) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		return vsctl.DelZoneTP(tx, dp, fmt.Sprintf("zone=%d", zone), ifExists)
	})
}

// ZoneTimeoutPolicies lists a datapath's zones and their policies, one
// line each, as ovs-vsctl prints them.
// Equivalent to: ovs-vsctl list-zone-tp DP
func ZoneTimeoutPolicies(tx *ovsdb.Tx, dp string) ([]string, error) {
	return vsctl.ListZoneTP(tx, dp)
}

// asFuncs turns typed options into the functions apply runs.
func asFuncs[S any, O ~func(*S) error](opts []O) []func(*S) error {
	out := make([]func(*S) error, len(opts))
	for i, o := range opts {
		out[i] = o
	}
	return out
}
