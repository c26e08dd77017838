// Package dhcp serves and obtains IPv4 addresses on interfaces inside
// network namespaces, as the tutorial's dnsmasq and its guests' udhcpc do.
//
// # Server
//
// Server is an embedded DHCPv4 server in the manner of dnsmasq: a pool
// (Config.RangeStart to RangeEnd, dnsmasq's -F), a lease time, a router,
// DNS servers and static reservations by MAC. Leases are kept in a JSON
// file, written atomically on every change, so that a client renewing
// after a restart keeps its address. It answers DISCOVER, REQUEST,
// RELEASE, DECLINE and INFORM as RFC 2131 says, NAKs a request for an
// address outside its range or held by another client, and stops offering
// once the range is exhausted. Malformed packets are logged and dropped.
// Handle is the whole protocol as a function of a packet (fuzzed); Serve
// runs it on the socket that Listen opens inside the namespace:
//
//	var conn net.PacketConn
//	err := ns.Do(func() (err error) { conn, err = dhcp.Listen("rif0"); return err })
//	go srv.Serve(ctx, conn)
//
// # dnsmasq
//
// StartDnsmasq runs the real dnsmasq in a namespace with the tutorial's
// options and private files, reads its leases and stops it by pid.
//
// # Client
//
// Client obtains a lease on an interface of a namespace and configures the
// address and the default route, renews and releases it. Packets come from
// github.com/insomniacslk/dhcp.
package dhcp
