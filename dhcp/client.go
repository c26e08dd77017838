package dhcp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
	"github.com/ovskit/ovskit/netns"
)

// ClientLease is what a client obtained.
type ClientLease struct {
	Interface string
	Addr      netip.Prefix // address and subnet
	Router    netip.Addr   // invalid when the server gave none
	DNS       []netip.Addr
	Server    netip.Addr
	LeaseTime time.Duration
	lease     *nclient4.Lease
}

// ErrNotObtained: Renew or Release was given a lease that no Client
// obtained (one built by hand, or reported by another DHCP client).
var ErrNotObtained = errors.New("dhcp: the lease was not obtained by a Client")

// Client obtains leases on an interface inside a namespace and configures
// them, as a guest's udhcpc does.
type Client struct {
	ns    *netns.NS
	iface string
	c     *nclient4.Client
}

// NewClient opens a client on iface in ns (its raw socket is created in
// the namespace).
func NewClient(ns *netns.NS, iface string, timeout time.Duration) (*Client, error) {
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	var c *nclient4.Client
	err := ns.Do(func() error {
		var err error
		c, err = nclient4.New(iface, nclient4.WithTimeout(timeout), nclient4.WithRetry(3))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("dhcp client on %s in %s: %w", iface, ns.Name, err)
	}
	return &Client{ns: ns, iface: iface, c: c}, nil
}

// Close closes the client's socket.
func (c *Client) Close() error { return c.c.Close() }

func toLease(iface string, l *nclient4.Lease) (*ClientLease, error) {
	ack := l.ACK
	ip := addr4(ack.YourIPAddr)
	if !ip.IsValid() {
		return nil, fmt.Errorf("dhcp: ACK without an address")
	}
	ones := 24
	if m := ack.SubnetMask(); m != nil {
		ones, _ = m.Size()
	}
	out := &ClientLease{Interface: iface, Addr: netip.PrefixFrom(ip, ones), Server: addr4(ack.ServerIdentifier()),
		LeaseTime: ack.IPAddressLeaseTime(0), lease: l}
	if rs := ack.Router(); len(rs) > 0 {
		out.Router = addr4(rs[0])
	}
	for _, d := range ack.DNS() {
		if a := addr4(d); a.IsValid() {
			out.DNS = append(out.DNS, a)
		}
	}
	return out, nil
}

// Obtain runs DISCOVER/OFFER/REQUEST/ACK, then configures the address on
// the interface and, if the server named a router, the default route.
// Equivalent to: ip netns exec NS udhcpc -i IFACE -n -q
func (c *Client) Obtain(ctx context.Context) (*ClientLease, error) {
	l, err := c.c.Request(ctx)
	if err != nil {
		return nil, fmt.Errorf("dhcp: no lease on %s in %s: %w", c.iface, c.ns.Name, err)
	}
	cl, err := toLease(c.iface, l)
	if err != nil {
		return nil, err
	}
	return cl, c.configure(cl)
}

// Discover sends a DISCOVER and returns the address the server offers,
// without requesting it: the first half of Obtain, what a client does
// when it starts again or looks for servers. Nothing is configured.
func (c *Client) Discover(ctx context.Context) (netip.Addr, error) {
	offer, err := c.c.DiscoverOffer(ctx)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("dhcp: no offer on %s in %s: %w", c.iface, c.ns.Name, err)
	}
	a, ok := netip.AddrFromSlice(offer.YourIPAddr.To4())
	if !ok {
		return netip.Addr{}, fmt.Errorf("dhcp: offer of %v: not IPv4", offer.YourIPAddr)
	}
	return a, nil
}

func (c *Client) configure(cl *ClientLease) error {
	if err := c.ns.AddAddr(c.iface, cl.Addr.String()); err != nil {
		return err
	}
	if cl.Router.IsValid() {
		return c.ns.SetRoute(netns.Route{Dst: "default", Via: cl.Router.String(), Dev: c.iface})
	}
	return nil
}

// Renew asks the server to extend the lease (REQUEST with ciaddr).
func (c *Client) Renew(ctx context.Context, cl *ClientLease) (*ClientLease, error) {
	if cl == nil || cl.lease == nil {
		return nil, ErrNotObtained
	}
	l, err := c.c.Renew(ctx, cl.lease)
	if err != nil {
		return nil, fmt.Errorf("dhcp: renew %v: %w", cl.Addr, err)
	}
	return toLease(c.iface, l)
}

// Release gives the address back (a RELEASE unicast from the address to
// the server, RFC 2131 4.4.4) and removes it from the interface.
func (c *Client) Release(cl *ClientLease) error {
	if cl == nil || cl.lease == nil {
		return ErrNotObtained
	}
	req, err := dhcpv4.NewReleaseFromACK(cl.lease.ACK)
	if err != nil {
		return fmt.Errorf("dhcp: release %v: %w", cl.Addr, err)
	}
	// Sent from a UDP socket on the leased address: a raw packet from
	// 0.0.0.0 to a unicast address is a martian the server's kernel drops.
	err = c.ns.Do(func() error {
		conn, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.IP(cl.Addr.Addr().AsSlice()), Port: dhcpv4.ClientPort},
			&net.UDPAddr{IP: net.IP(cl.Server.AsSlice()), Port: dhcpv4.ServerPort})
		if err != nil {
			return err
		}
		defer conn.Close()
		_, err = conn.Write(req.ToBytes())
		return err
	})
	if err != nil {
		return fmt.Errorf("dhcp: release %v: %w", cl.Addr, err)
	}
	return c.ns.DelAddr(c.iface, cl.Addr.String())
}
