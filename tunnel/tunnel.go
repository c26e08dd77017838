package tunnel

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/vswitchdb"
)

// Kind is a tunnel interface type: an iface.Kind.
type Kind = iface.Kind

// Tunnel kinds.
const (
	GRE       = iface.GRE
	VXLAN     = iface.VXLAN
	Geneve    = iface.Geneve
	STT       = iface.STT
	ERSPAN    = iface.ERSPAN
	IP6ERSPAN = iface.IP6ERSPAN
	IP6GRE    = iface.IP6GRE
	IPsecGRE  = iface.IPsecGRE
)

// Endpoint is where a tunnel ends: an IP address, or the address each
// packet's OpenFlow actions set ("flow"). The zero Endpoint is unset.
type Endpoint struct {
	addr netip.Addr
	flow bool
}

// IP is the endpoint at address a.
func IP(a netip.Addr) Endpoint { return Endpoint{addr: a} }

// FlowIP is the endpoint set per packet by OpenFlow (options:remote_ip=flow).
func FlowIP() Endpoint { return Endpoint{flow: true} }

// ParseEndpoint reads an endpoint as ovs-vsctl writes it: an IPv4 or IPv6
// address, or "flow".
func ParseEndpoint(s string) (Endpoint, error) {
	if s == flow {
		return FlowIP(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return Endpoint{}, fmt.Errorf("tunnel endpoint %q: want an IP address or %q: %w", s, flow, ovsdb.ErrInvalid)
	}
	return IP(a), nil
}

// IsZero reports whether the endpoint is unset.
func (e Endpoint) IsZero() bool { return !e.flow && !e.addr.IsValid() }

// String is the endpoint as the options column holds it.
func (e Endpoint) String() string {
	if e.flow {
		return flow
	}
	if !e.addr.IsValid() {
		return ""
	}
	return e.addr.String()
}

// Key is a tunnel key: a number, or the key each packet's OpenFlow
// actions set ("flow"). The zero Key is unset.
type Key struct {
	n         uint64
	flow, set bool
}

// KeyOf is the key n (up to 32 bits; 24 for VXLAN and Geneve; 64 for STT).
func KeyOf(n uint64) Key { return Key{n: n, set: true} }

// FlowKey is the key set per packet by OpenFlow (options:key=flow).
func FlowKey() Key { return Key{flow: true, set: true} }

// IsZero reports whether the key is unset.
func (k Key) IsZero() bool { return !k.set }

// String is the key as the options column holds it.
func (k Key) String() string {
	switch {
	case k.flow:
		return flow
	case k.set:
		return strconv.FormatUint(k.n, 10)
	}
	return ""
}

// Hops is a tunnel's TTL or TOS: a number from 0 to 255, or "inherit"
// (copied from the inner packet). The zero Hops is unset.
type Hops struct {
	n            int
	inherit, set bool
}

// Value is the TTL or TOS n.
func Value(n int) Hops { return Hops{n: n, set: true} }

// Inherit copies the TTL or TOS from the inner packet.
func Inherit() Hops { return Hops{inherit: true, set: true} }

// String is the value as the options column holds it.
func (h Hops) String() string {
	switch {
	case h.inherit:
		return "inherit"
	case h.set:
		return strconv.Itoa(h.n)
	}
	return ""
}

// flow is the options' word for "set by OpenFlow per packet".
const flow = "flow"

// Options are a tunnel's settings (the Interface options column). Unset
// fields are left out.
type Options struct {
	RemoteIP Endpoint // required
	LocalIP  Endpoint
	// Key sets in_key and out_key together; InKey and OutKey set one
	// direction.
	Key, InKey, OutKey Key
	DstPort            int  // UDP port (VXLAN, Geneve, STT)
	TOS, TTL           Hops // 0 to 255, or Inherit
	DFDefault          *bool
	Csum               *bool
	// ERSPAN.
	ERSPANVersion int // 1 or 2
	ERSPANIndex   int // version 1
	ERSPANDir     int // version 2: 0 or 1
	ERSPANHWID    int // version 2
	// IPsec (ipsec_gre): a pre-shared key, or certificates.
	PSK, RemoteCert, RemoteName string
	// Extra are further option keys, set as given.
	Extra map[string]string
}

// Map validates o for kind k and returns the options column.
func (o Options) Map(k Kind) (map[string]string, error) {
	m := map[string]string{}
	switch k {
	case GRE, VXLAN, Geneve, STT, ERSPAN, IP6ERSPAN, IP6GRE, IPsecGRE:
	default:
		return nil, fmt.Errorf("tunnel kind %q: %w", k, ovsdb.ErrInvalid)
	}
	if o.RemoteIP.IsZero() {
		return nil, fmt.Errorf("%s tunnel: remote_ip is required: %w", k, ovsdb.ErrInvalid)
	}
	m["remote_ip"] = o.RemoteIP.String()
	if !o.LocalIP.IsZero() {
		m["local_ip"] = o.LocalIP.String()
	}
	bits := 32
	if k == VXLAN || k == Geneve {
		bits = 24
	}
	if k == STT {
		bits = 64
	}
	for _, kv := range []struct {
		name string
		key  Key
	}{{"key", o.Key}, {"in_key", o.InKey}, {"out_key", o.OutKey}} {
		if kv.key.IsZero() {
			continue
		}
		if !kv.key.flow && bits < 64 && kv.key.n >= 1<<bits {
			return nil, fmt.Errorf("%s %d: want a %d-bit number or FlowKey: %w", kv.name, kv.key.n, bits, ovsdb.ErrInvalid)
		}
		m[kv.name] = kv.key.String()
	}
	if o.DstPort != 0 {
		if k != VXLAN && k != Geneve && k != STT {
			return nil, fmt.Errorf("%s tunnel: dst_port applies to vxlan, geneve and stt only: %w", k, ovsdb.ErrInvalid)
		}
		if o.DstPort < 1 || o.DstPort > 65535 {
			return nil, fmt.Errorf("dst_port %d: %w", o.DstPort, ovsdb.ErrInvalid)
		}
		m["dst_port"] = strconv.Itoa(o.DstPort)
	}
	for _, kv := range []struct {
		name string
		h    Hops
	}{{"tos", o.TOS}, {"ttl", o.TTL}} {
		if !kv.h.set {
			continue
		}
		if !kv.h.inherit && (kv.h.n < 0 || kv.h.n > 255) {
			return nil, fmt.Errorf("%s %d: want 0 to 255 or Inherit: %w", kv.name, kv.h.n, ovsdb.ErrInvalid)
		}
		m[kv.name] = kv.h.String()
	}
	if o.DFDefault != nil {
		m["df_default"] = strconv.FormatBool(*o.DFDefault)
	}
	if o.Csum != nil {
		m["csum"] = strconv.FormatBool(*o.Csum)
	}
	erspan := k == ERSPAN || k == IP6ERSPAN
	if !erspan && (o.ERSPANVersion != 0 || o.ERSPANIndex != 0 || o.ERSPANDir != 0 || o.ERSPANHWID != 0) {
		return nil, fmt.Errorf("%s tunnel: erspan options apply to erspan only: %w", k, ovsdb.ErrInvalid)
	}
	if erspan {
		switch o.ERSPANVersion {
		case 0:
		case 1:
			m["erspan_ver"] = "1"
			m["erspan_idx"] = strconv.Itoa(o.ERSPANIndex)
		case 2:
			if o.ERSPANDir != 0 && o.ERSPANDir != 1 {
				return nil, fmt.Errorf("erspan_dir %d: want 0 or 1: %w", o.ERSPANDir, ovsdb.ErrInvalid)
			}
			m["erspan_ver"] = "2"
			m["erspan_dir"] = strconv.Itoa(o.ERSPANDir)
			m["erspan_hwid"] = strconv.Itoa(o.ERSPANHWID)
		default:
			return nil, fmt.Errorf("erspan_ver %d: want 1 or 2: %w", o.ERSPANVersion, ovsdb.ErrInvalid)
		}
	}
	ipsec := o.PSK != "" || o.RemoteCert != "" || o.RemoteName != ""
	if ipsec && k != IPsecGRE && k != GRE && k != VXLAN && k != Geneve {
		return nil, fmt.Errorf("%s tunnel: ipsec options apply to gre, vxlan, geneve and ipsec_gre: %w", k, ovsdb.ErrInvalid)
	}
	if k == IPsecGRE && !ipsec {
		return nil, fmt.Errorf("ipsec_gre tunnel: needs psk, or remote_cert or remote_name: %w", ovsdb.ErrInvalid)
	}
	if o.PSK != "" && (o.RemoteCert != "" || o.RemoteName != "") {
		return nil, fmt.Errorf("ipsec: psk excludes certificates: %w", ovsdb.ErrInvalid)
	}
	for _, kv := range [][2]string{{"psk", o.PSK}, {"remote_cert", o.RemoteCert}, {"remote_name", o.RemoteName}} {
		if kv[1] != "" {
			m[kv[0]] = kv[1]
		}
	}
	for key, v := range o.Extra {
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("option %q given twice: %w", key, ovsdb.ErrInvalid)
		}
		m[key] = v
	}
	return m, nil
}

// Iface returns the interface options that make an interface a tunnel of
// kind k with options o.
func Iface(k Kind, o Options) iface.Option {
	return func(i *vswitchdb.Interface) error {
		m, err := o.Map(k)
		if err != nil {
			return err
		}
		i.Type = string(k)
		i.Options = m
		return nil
	}
}

// Add adds a tunnel port (a port with one tunnel interface) to a bridge.
// Equivalent to: ovs-vsctl add-port BR NAME -- set Interface NAME type=KIND options:remote_ip=IP ...
func Add(bridge, name string, k Kind, o Options, opts ...port.Option) ovsdb.Command {
	return port.Add(bridge, name, append([]port.Option{port.WithIface(Iface(k, o))}, opts...)...)
}

// Set turns an existing interface into a tunnel of kind k with options o
// (replacing its options).
// Equivalent to: ovs-vsctl set Interface NAME type=KIND options:remote_ip=IP ...
func Set(name string, k Kind, o Options) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		cur, err := ovsdb.Lookup[vswitchdb.Interface](tx, "name", name)
		if err != nil {
			return fmt.Errorf("set tunnel %s: %w", name, err)
		}
		m, err := o.Map(k)
		if err != nil {
			return fmt.Errorf("set tunnel %s: %w", name, err)
		}
		cur.Type, cur.Options = string(k), m
		return tx.Update(cur, "type", "options")
	})
}
