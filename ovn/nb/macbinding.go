package nb

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// StaticMACBinding is a fixed IP-to-MAC binding of a router port's
// neighbour: the router resolves IP to MAC without ARP or ND.
type StaticMACBinding struct {
	// Port is the router port, by name.
	Port    string
	IP, MAC string
}

// normalizedAddr is an IPv4 or IPv6 address as OVN prints it; ok is false
// for anything else.
func normalizedAddr(s string) (string, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return "", false
	}
	return a.String(), true
}

// staticMACBinding finds the binding of a port and IP (as stored).
func staticMACBinding(tx *ovsdb.Tx, port, ip string) (*nbdb.StaticMACBinding, error) {
	all, err := ovsdb.List[nbdb.StaticMACBinding](tx)
	if err != nil {
		return nil, err
	}
	for _, b := range all {
		if b.LogicalPort == port && b.IP == ip {
			return b, nil
		}
	}
	return nil, nil
}

// AddStaticMACBinding adds a static MAC binding to a router port; one of
// the same port and IP is an error (ErrExists) unless MayExist (then its
// MAC is updated).
// Equivalent to: ovn-nbctl [--may-exist] static-mac-binding-add PORT IP MAC
func AddStaticMACBinding(b StaticMACBinding, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		if _, err := RouterPort(tx, b.Port); err != nil {
			return err
		}
		ip, ok := normalizedAddr(b.IP)
		if !ok {
			return errorf(ovsdb.ErrInvalid, "%s: Not a valid IPv4 or IPv6 address.", b.IP)
		}
		if !validMAC(b.MAC) {
			return errorf(ovsdb.ErrInvalid, "invalid mac address %s.", b.MAC)
		}
		// (ovn-nbctl looks the binding up by the address as given.)
		old, err := staticMACBinding(tx, b.Port, b.IP)
		if err != nil {
			return err
		}
		if old != nil {
			if !o.mayExist {
				return errorf(ovsdb.ErrExists, "%s, %s: a Static_MAC_Binding with this logical_port and ip already exists", b.Port, ip)
			}
			if old.MAC == b.MAC {
				return nil
			}
			if err := tx.Verify(old, "mac"); err != nil {
				return err
			}
			old.MAC = b.MAC
			return tx.Update(old, "mac")
		}
		// (The schema's index on port and IP refuses a second one.)
		_, err = tx.Insert(&nbdb.StaticMACBinding{LogicalPort: b.Port, IP: ip, MAC: b.MAC})
		return err
	})
}

// DeleteStaticMACBinding deletes the static MAC binding of a router port
// and IP; none is ErrNotFound unless IfExists.
// Equivalent to: ovn-nbctl [--if-exists] static-mac-binding-del PORT IP
func DeleteStaticMACBinding(port, ip string, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		if _, err := RouterPort(tx, port); err != nil {
			return err
		}
		addr, ok := normalizedAddr(ip)
		if !ok {
			return errorf(ovsdb.ErrInvalid, "%s: Not a valid IPv4 or IPv6 address.", ip)
		}
		b, err := staticMACBinding(tx, port, addr)
		if err != nil {
			return err
		}
		if b != nil {
			return tx.Delete(b)
		}
		if o.ifExists {
			return nil
		}
		return errorf(ovsdb.ErrNotFound, "no matching Static_MAC_Binding with port %s and ip %s", port, addr)
	})
}

// StaticMACBindings returns the static MAC bindings, by port and IP.
// Equivalent to: ovn-nbctl static-mac-binding-list
func StaticMACBindings(tx *ovsdb.Tx) ([]StaticMACBinding, error) {
	all, err := ovsdb.List[nbdb.StaticMACBinding](tx)
	if err != nil {
		return nil, err
	}
	out := make([]StaticMACBinding, 0, len(all))
	for _, b := range all {
		out = append(out, StaticMACBinding{Port: b.LogicalPort, IP: b.IP, MAC: b.MAC})
	}
	slices.SortStableFunc(out, func(a, b StaticMACBinding) int {
		return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(a.IP, b.IP))
	})
	return out, nil
}
