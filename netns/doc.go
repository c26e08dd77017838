// Package netns builds simulated hosts: named network namespaces
// (compatible with ip netns), veth pairs created with each end in its own
// namespace under its own name, tap devices, Linux bridges, addresses,
// routes, sysctls, NAT, and ICMP probes, all through netlink
// (github.com/vishvananda/netlink and netns) rather than the ip program.
//
// Every operation is a method of an NS, so it acts inside that namespace;
// the namespace of the calling program is never changed. NS.Do runs a
// function on an OS thread switched into the namespace and restores it,
// even on panic; if restoring fails the thread stays locked and dies with
// its goroutine. Processes (ovsdb-server, dnsmasq) start inside with
// NS.Start.
//
// # Checksums and OVS
//
// A veth attached to Open vSwitch's userspace datapath must not leave TX
// checksums to the NIC, or UDP (DHCP) leaves with bad checksums and is
// dropped. Veth.ForOVS turns TX checksum offload off on both ends through
// the ethtool ioctl.
//
// # NAT
//
// NAT uses nftables over netlink (github.com/google/nftables) inside the
// namespace: no iptables process, and no dependence on whether the
// machine's iptables is the legacy or the nft flavour. SNAT, Masquerade and
// FloatingIP add rules to one table that ClearNAT removes.
//
// # Errors
//
// Errors wrap ErrExists, ErrNotFound and ErrPermission, which are
// fs.ErrExist, fs.ErrNotExist and fs.ErrPermission, so errors.Is works with
// either. Adding an address a link already has, and setting a route, are
// idempotent.
package netns
