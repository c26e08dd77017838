// Package ovsproc runs the Open vSwitch and OVN daemons that ovskit's test
// harness and simulations need, each with its own run, log and database
// directory, started in a process group of its own and stopped by its pid:
//
//   - OVS: a private ovsdb-server on a fresh database, and ovs-vswitchd on
//     the userspace datapath, optionally in a network namespace.
//   - Central: an OVN central, the OVN_Northbound and OVN_Southbound
//     databases (standalone, or raft clusters of 3 or 5 members talking
//     over unix sockets) and ovn-northd.
//   - Controller: ovn-controller for a chassis, on an OVS instance of its
//     own (the chassis's configuration written in its database).
//
// Restarting, killing and stalling a database server (or a cluster member)
// is how tests inject faults; Central.Leader and Central.Status read a
// cluster's state through the members' control sockets.
//
// It is the low layer both ovsdb/ovstest and sim build on: it imports only
// ovsdb, appctl and netns.
package ovsproc
