package netns

import (
	"fmt"
	"io/fs"
	"net/netip"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// NAT is done with nftables over netlink (github.com/google/nftables), in
// the namespace itself: no iptables process, no dependence on which
// iptables flavour (legacy or nft) the machine has. The rules live in one
// table, "ovskit-nat", that ClearNAT removes.
const natTable = "ovskit-nat"

func (ns *NS) nft() (*nftables.Conn, error) {
	c, err := nftables.New(nftables.WithNetNSFd(int(ns.handle)))
	if err != nil {
		return nil, wrap("nftables in "+ns.Name, err)
	}
	return c, nil
}

func natChains(c *nftables.Conn) (pre, post *nftables.Chain) {
	t := c.AddTable(&nftables.Table{Family: nftables.TableFamilyIPv4, Name: natTable})
	pre = c.AddChain(&nftables.Chain{Name: "prerouting", Table: t, Type: nftables.ChainTypeNAT,
		Hooknum: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityNATDest})
	post = c.AddChain(&nftables.Chain{Name: "postrouting", Table: t, Type: nftables.ChainTypeNAT,
		Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource})
	return pre, post
}

// match compares the IPv4 source (src) or destination address with p.
func match(src bool, p netip.Prefix) []expr.Any {
	off := uint32(16)
	if src {
		off = 12
	}
	m := make([]byte, 4)
	for i := 0; i < p.Bits(); i++ {
		m[i/8] |= 0x80 >> (i % 8)
	}
	a := p.Masked().Addr().As4()
	return []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: 4},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: m, Xor: []byte{0, 0, 0, 0}},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: a[:]},
	}
}

func nat(kind expr.NATType, to netip.Addr) []expr.Any {
	a := to.As4()
	return []expr.Any{
		&expr.Immediate{Register: 1, Data: a[:]},
		&expr.NAT{Type: kind, Family: unix.NFPROTO_IPV4, RegAddrMin: 1, RegAddrMax: 1},
	}
}

func v4Prefix(what, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		a, aerr := netip.ParseAddr(s)
		if aerr != nil {
			return netip.Prefix{}, fmt.Errorf("%s %q: %w", what, s, fs.ErrInvalid)
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("%s %q: IPv4 only: %w", what, s, fs.ErrInvalid)
	}
	return p, nil
}

// SNAT rewrites the source of packets from subnet to the address to.
// Equivalent to: iptables -t nat -A POSTROUTING -s SUBNET -j SNAT --to-source TO
func (ns *NS) SNAT(subnet, to string) error {
	p, err := v4Prefix("subnet", subnet)
	if err != nil {
		return err
	}
	a, err := netip.ParseAddr(to)
	if err != nil || !a.Is4() {
		return fmt.Errorf("snat address %q: %w", to, fs.ErrInvalid)
	}
	c, err := ns.nft()
	if err != nil {
		return err
	}
	_, post := natChains(c)
	c.AddRule(&nftables.Rule{Table: post.Table, Chain: post, Exprs: append(match(true, p), nat(expr.NATTypeSourceNAT, a)...)})
	return wrap("snat "+subnet+" in "+ns.Name, c.Flush())
}

// Masquerade rewrites the source of packets from subnet to the address of
// the link they leave by.
// Equivalent to: iptables -t nat -A POSTROUTING -s SUBNET -j MASQUERADE
func (ns *NS) Masquerade(subnet string) error {
	p, err := v4Prefix("subnet", subnet)
	if err != nil {
		return err
	}
	c, err := ns.nft()
	if err != nil {
		return err
	}
	_, post := natChains(c)
	c.AddRule(&nftables.Rule{Table: post.Table, Chain: post, Exprs: append(match(true, p), &expr.Masq{})})
	return wrap("masquerade "+subnet+" in "+ns.Name, c.Flush())
}

// FloatingIP maps public to private one to one: packets to public go to
// private (DNAT), packets from private leave as public (SNAT, ahead of
// any subnet-wide SNAT). The namespace must also own public on its
// outside link (AddAddr), so that it answers ARP for it.
// Equivalent to: iptables -t nat -A PREROUTING -d PUBLIC -j DNAT --to PRIVATE;
// iptables -t nat -I POSTROUTING -s PRIVATE -j SNAT --to PUBLIC
func (ns *NS) FloatingIP(public, private string) error {
	pub, err := netip.ParseAddr(public)
	if err != nil || !pub.Is4() {
		return fmt.Errorf("floating ip %q: %w", public, fs.ErrInvalid)
	}
	priv, err := netip.ParseAddr(private)
	if err != nil || !priv.Is4() {
		return fmt.Errorf("private ip %q: %w", private, fs.ErrInvalid)
	}
	c, err := ns.nft()
	if err != nil {
		return err
	}
	pre, post := natChains(c)
	c.AddRule(&nftables.Rule{Table: pre.Table, Chain: pre, Exprs: append(match(false, netip.PrefixFrom(pub, 32)), nat(expr.NATTypeDestNAT, priv)...)})
	c.InsertRule(&nftables.Rule{Table: post.Table, Chain: post, Exprs: append(match(true, netip.PrefixFrom(priv, 32)), nat(expr.NATTypeSourceNAT, pub)...)})
	return wrap("floating ip "+public+" in "+ns.Name, c.Flush())
}

// ClearNAT removes every NAT rule this package added in the namespace.
// Equivalent to: nft delete table ip ovskit-nat
func (ns *NS) ClearNAT() error {
	c, err := ns.nft()
	if err != nil {
		return err
	}
	c.DelTable(&nftables.Table{Family: nftables.TableFamilyIPv4, Name: natTable})
	return wrap("clear nat in "+ns.Name, c.Flush())
}
