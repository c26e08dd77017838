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
//   - [github.com/ovskit/ovskit/bridge], [github.com/ovskit/ovskit/port],
//     [github.com/ovskit/ovskit/iface], [github.com/ovskit/ovskit/vlan],
//     [github.com/ovskit/ovskit/tunnel]: the ovs-vsctl commands as typed
//     calls, each an ovsdb.Command that composes with the others into one
//     atomic transaction, with ovs-vsctl's may-exist/if-exists semantics.
//   - [github.com/ovskit/ovskit/dbcmd]: ovs-vsctl's generic commands (get,
//     set, add, remove, clear, list, find, create, destroy, wait-until) on
//     any table, in its COLUMN[:KEY]=VALUE syntax.
//   - cmd/ovskit: runs ovs-vsctl command lines through the packages above;
//     its differential test proves them equal to ovs-vsctl.
//   - [github.com/ovskit/ovskit/netns] and [github.com/ovskit/ovskit/dhcp]:
//     namespaces, veths, Linux bridges, addresses, routes, sysctls, NAT,
//     probes and packet captures; DHCP (an embedded server, a dnsmasq
//     runner, a client).
//   - [github.com/ovskit/ovskit/appctl]: ovs-appctl natively (a daemon's
//     control socket), and waiting until datapath flows follow a change.
//   - [github.com/ovskit/ovskit/ovsproc]: the daemons (ovsdb-server,
//     ovs-vswitchd) started privately and stopped by pid; the low layer
//     under ovsdb/ovstest and sim.
//   - [github.com/ovskit/ovskit/ovn/nbdb] and [github.com/ovskit/ovskit/ovn/sbdb]:
//     typed models of OVN's Northbound and Southbound databases, for the
//     same client (ovsdb.WithDatabase): clustered databases (leader-only
//     writes, the raft index never going back), resume with
//     monitor_cond_since, conditional monitoring (ovsdb.WithMonitor).
//   - [github.com/ovskit/ovskit/ovn/sb]: the Southbound state an agent
//     waits on, typed (a chassis registered, a port bound and up).
//   - [github.com/ovskit/ovskit/ovn/nb]: ovn-nbctl as a library (switches,
//     ports, addresses, DHCP options, routers, router ports, NAT, static
//     routes, ACLs, port groups, show, --wait=sb|hv); `ovskit nbctl` runs ovn-nbctl command
//     lines through it, proven equal to ovn-nbctl by a differential suite.
//   - [github.com/ovskit/ovskit/qemu]: real VMs (qemu, TCG) on tap
//     devices attached by if-up scripts, booting a guest image built from
//     Debian's packages and cached by content; checks run inside them.
//   - [github.com/ovskit/ovskit/sim]: simulated hosts (a namespace with a
//     private ovsdb-server and ovs-vswitchd), guests (namespaces, or qemu
//     VMs), underlay segments, and lab programs with their reports, on one
//     machine.
//   - examples/: the six labs of the tutorial and five variants, as
//     programs ([github.com/ovskit/ovskit/examples/labs]); make labs runs
//     the six, make labs-qemu the same with real VMs.
//   - bench: benchmarks against a raw JSON-RPC client and ovs-vsctl;
//     bench/RESULTS.md holds the recorded figures.
//
// # Options
//
// One shape throughout: what configures a command or a client is a
// functional option, a func(*settings) error on the settings of its
// package (bridge.Option, bridge.DeleteOption, bridge.ControllerOption,
// port.Option, port.DeleteOption, iface.Option, dbcmd.Option,
// ovsdb.Option, ovsdb.WatchOption, ovstest.Option). Options apply in
// order; one given a bad value (a negative probe interval, an empty
// bridge name) makes the command fail with ovsdb.ErrInvalid before
// anything is written, or the call (Dial, NewServer) fail. A plain
// description of something to build (sim.Config, dhcp.Config,
// tunnel.Options) is a struct.
package ovskit
