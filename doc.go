// Package ovskit manages Open vSwitch natively from Go: ovs-vsctl as a typed
// library, speaking the OVSDB protocol (RFC 7047) to ovsdb-server, with no
// ovs-vsctl process.
//
// # Map
//
//   - [github.com/ovskit/ovskit/ovsdb]: the connection (unix, tcp, ssl,
//     fail-over, reconnect), a cache of the whole Open_vSwitch database kept
//     current by a monitor, typed models of every table (generated from the
//     schema), and transactions with ovs-vsctl's semantics: commands chained
//     atomically, every read verified at commit and the command list re-run
//     on conflict, next_cfg bumped and ovs-vswitchd's application awaited,
//     each new interface's ofport or error reported.
//   - [github.com/ovskit/ovskit/ovsdb/ovstest]: real ovsdb-server and
//     ovs-vswitchd for tests, started and stopped per test, like httptest.
//   - bench: benchmarks against a raw JSON-RPC client and ovs-vsctl;
//     bench/RESULTS.md holds the recorded figures.
//
// Planned (open issues): bridge, port, iface, vlan and tunnel (the
// ovs-vsctl commands as typed calls), netns and dhcp (namespaces, veths,
// NAT, DHCP), and examples/ reproducing the six labs of the tutorial.
package ovskit
