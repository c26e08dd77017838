package tunnel

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/port"
)

// Kind is a tunnel interface type.
type Kind string

// Tunnel kinds.
const (
	GRE       Kind = iface.GRE
	VXLAN     Kind = iface.VXLAN
	Geneve    Kind = iface.Geneve
	STT       Kind = iface.STT
	ERSPAN    Kind = iface.ERSPAN
	IP6ERSPAN Kind = iface.IP6ERSPAN
	IP6GRE    Kind = iface.IP6GRE
	IPsecGRE  Kind = iface.IPsecGRE
)

// Flow is the value of RemoteIP, LocalIP or a key that OpenFlow sets per
// packet instead of the port.
const Flow = "flow"

// Options are a tunnel's settings (the Interface options column). Empty
// fields are left out.
type Options struct {
	RemoteIP string // an IPv4/IPv6 address, or Flow; required
	LocalIP  string // an address, or Flow
	// Key sets in_key and out_key together; InKey and OutKey set one
	// direction. Each is a number (up to 32 bits; 24 for VXLAN and
	// Geneve) or Flow.
	Key, InKey, OutKey string
	DstPort            int    // UDP port (VXLAN, Geneve, STT)
	TOS                string // a number or "inherit"
	TTL                string // a number or "inherit"
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

func checkAddr(what, s string, flowOK bool) error {
	if s == Flow && flowOK {
		return nil
	}
	if _, err := netip.ParseAddr(s); err != nil {
		return fmt.Errorf("%s %q: want an IP address or %q: %w", what, s, Flow, ovsdb.ErrInvalid)
	}
	return nil
}

func checkKey(what, s string, bits int) error {
	if s == Flow {
		return nil
	}
	if _, err := strconv.ParseUint(s, 0, bits); err != nil {
		return fmt.Errorf("%s %q: want a %d-bit number or %q: %w", what, s, bits, Flow, ovsdb.ErrInvalid)
	}
	return nil
}

func checkTTLTOS(what, s string) error {
	if s == "inherit" {
		return nil
	}
	if n, err := strconv.Atoi(s); err != nil || n < 0 || n > 255 {
		return fmt.Errorf("%s %q: want 0 to 255 or \"inherit\": %w", what, s, ovsdb.ErrInvalid)
	}
	return nil
}

// Map validates o for kind k and returns the options column.
func (o Options) Map(k Kind) (map[string]string, error) {
	m := map[string]string{}
	switch k {
	case GRE, VXLAN, Geneve, STT, ERSPAN, IP6ERSPAN, IP6GRE, IPsecGRE:
	default:
		return nil, fmt.Errorf("tunnel kind %q: %w", k, ovsdb.ErrInvalid)
	}
	if o.RemoteIP == "" {
		return nil, fmt.Errorf("%s tunnel: remote_ip is required: %w", k, ovsdb.ErrInvalid)
	}
	if err := checkAddr("remote_ip", o.RemoteIP, true); err != nil {
		return nil, err
	}
	m["remote_ip"] = o.RemoteIP
	if o.LocalIP != "" {
		if err := checkAddr("local_ip", o.LocalIP, true); err != nil {
			return nil, err
		}
		m["local_ip"] = o.LocalIP
	}
	bits := 32
	if k == VXLAN || k == Geneve {
		bits = 24
	}
	if k == STT {
		bits = 64
	}
	for _, kv := range [][2]string{{"key", o.Key}, {"in_key", o.InKey}, {"out_key", o.OutKey}} {
		if kv[1] == "" {
			continue
		}
		if err := checkKey(kv[0], kv[1], bits); err != nil {
			return nil, err
		}
		m[kv[0]] = kv[1]
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
	for _, kv := range [][2]string{{"tos", o.TOS}, {"ttl", o.TTL}} {
		if kv[1] == "" {
			continue
		}
		if err := checkTTLTOS(kv[0], kv[1]); err != nil {
			return nil, err
		}
		m[kv[0]] = kv[1]
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
	return func(i *ovsdb.Interface) error {
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
		cur, err := ovsdb.Lookup[ovsdb.Interface](tx, "name", name)
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
