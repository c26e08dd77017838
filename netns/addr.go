package netns

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/vishvananda/netlink"
)

// AddAddr adds an address with its prefix ("10.0.3.1/24") to a link.
// Adding an address the link has already is not an error.
// Equivalent to: ip addr add CIDR dev LINK
func (ns *NS) AddAddr(link, cidr string) error {
	addr, err := netlink.ParseAddr(cidr)
	if err != nil {
		return fmt.Errorf("address %q: %w", cidr, fs.ErrInvalid)
	}
	l, err := ns.link(link)
	if err != nil {
		return err
	}
	err = ns.nl.AddrAdd(l, addr)
	if errors.Is(err, ErrExists) { // EEXIST is fs.ErrExist
		return nil
	}
	return wrap(fmt.Sprintf("add %s to %s in %s", cidr, link, ns.Name), err)
}

// DelAddr removes an address from a link.
// Equivalent to: ip addr del CIDR dev LINK
func (ns *NS) DelAddr(link, cidr string) error {
	addr, err := netlink.ParseAddr(cidr)
	if err != nil {
		return fmt.Errorf("address %q: %w", cidr, fs.ErrInvalid)
	}
	l, err := ns.link(link)
	if err != nil {
		return err
	}
	return wrap(fmt.Sprintf("delete %s from %s", cidr, link), ns.nl.AddrDel(l, addr))
}

// Addrs returns a link's IPv4 and IPv6 addresses with their prefixes.
// Equivalent to: ip addr show dev LINK
func (ns *NS) Addrs(link string) ([]netip.Prefix, error) {
	l, err := ns.link(link)
	if err != nil {
		return nil, err
	}
	as, err := ns.nl.AddrList(l, netlink.FAMILY_ALL)
	if err != nil {
		return nil, wrap("list addresses of "+link, err)
	}
	var out []netip.Prefix
	for _, a := range as {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			continue
		}
		ones, _ := a.Mask.Size()
		out = append(out, netip.PrefixFrom(ip.Unmap(), ones))
	}
	return out, nil
}

// MoveAddrs moves the IPv4 addresses of link to another link (lab 6: the
// outward NIC's address goes to the Linux bridge that enslaves it).
func (ns *NS) MoveAddrs(from, to string) error {
	addrs, err := ns.Addrs(from)
	if err != nil {
		return err
	}
	for _, a := range addrs {
		if !a.Addr().Is4() {
			continue
		}
		if err := ns.DelAddr(from, a.String()); err != nil {
			return err
		}
		if err := ns.AddAddr(to, a.String()); err != nil {
			return err
		}
	}
	return nil
}

// Route is a route: Dst "default" or a prefix, via a gateway and/or out a
// link.
type Route struct {
	Dst string // "default", or "10.0.0.0/24"
	Via string // gateway address, optional
	Dev string // link name, optional
}

func (ns *NS) route(r Route) (*netlink.Route, error) {
	nr := &netlink.Route{}
	if r.Dst != "default" && r.Dst != "" {
		_, dst, err := net.ParseCIDR(r.Dst)
		if err != nil {
			return nil, fmt.Errorf("route destination %q: %w", r.Dst, fs.ErrInvalid)
		}
		nr.Dst = dst
	}
	if r.Via != "" {
		gw := net.ParseIP(r.Via)
		if gw == nil {
			return nil, fmt.Errorf("gateway %q: %w", r.Via, fs.ErrInvalid)
		}
		nr.Gw = gw
	}
	if r.Dev != "" {
		l, err := ns.link(r.Dev)
		if err != nil {
			return nil, err
		}
		nr.LinkIndex = l.Attrs().Index
	}
	if nr.Gw == nil && nr.LinkIndex == 0 {
		return nil, fmt.Errorf("route to %s: needs a gateway or a device: %w", r.Dst, fs.ErrInvalid)
	}
	return nr, nil
}

// SetRoute adds a route, or replaces the route to the same destination.
// Equivalent to: ip route replace DST [via GW] [dev DEV]
func (ns *NS) SetRoute(r Route) error {
	nr, err := ns.route(r)
	if err != nil {
		return err
	}
	return wrap(fmt.Sprintf("route %s in %s", r.Dst, ns.Name), ns.nl.RouteReplace(nr))
}

// DelRoute deletes a route.
// Equivalent to: ip route del DST
func (ns *NS) DelRoute(r Route) error {
	nr, err := ns.route(r)
	if err != nil {
		return err
	}
	return wrap(fmt.Sprintf("delete route %s in %s", r.Dst, ns.Name), ns.nl.RouteDel(nr))
}

// DefaultGateway returns the IPv4 default route's gateway, if any.
// Equivalent to: ip route show default
func (ns *NS) DefaultGateway() (netip.Addr, error) {
	rs, err := ns.nl.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		return netip.Addr{}, wrap("list routes in "+ns.Name, err)
	}
	for _, r := range rs {
		if (r.Dst == nil || r.Dst.IP.IsUnspecified()) && r.Gw != nil {
			a, _ := netip.AddrFromSlice(r.Gw.To4())
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("no default route in %s: %w", ns.Name, ErrNotFound)
}

func sysctlPath(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") {
		return "", fmt.Errorf("sysctl %q: %w", key, fs.ErrInvalid)
	}
	return filepath.Join("/proc/sys", strings.ReplaceAll(key, ".", "/")), nil
}

// SetSysctl writes a (network) sysctl of the namespace.
// Equivalent to: ip netns exec NAME sysctl -w KEY=VALUE
func (ns *NS) SetSysctl(key, value string) error {
	p, err := sysctlPath(key)
	if err != nil {
		return err
	}
	return wrap("sysctl "+key, ns.Do(func() error { return os.WriteFile(p, []byte(value), 0) }))
}

// Sysctl reads a (network) sysctl of the namespace.
// Equivalent to: ip netns exec NAME sysctl KEY
func (ns *NS) Sysctl(key string) (string, error) {
	p, err := sysctlPath(key)
	if err != nil {
		return "", err
	}
	var b []byte
	err = ns.Do(func() error {
		var err error
		b, err = os.ReadFile(p)
		return err
	})
	return strings.TrimSpace(string(b)), wrap("sysctl "+key, err)
}
