// Package ovsproc runs the Open vSwitch daemons that ovskit's test harness
// and simulations need: a private ovsdb-server on a fresh database (and
// ovs-vswitchd on the userspace datapath, optionally in a network
// namespace), each with its own run, log and database directory, started
// in a process group of its own and stopped by its pid. Restarting,
// killing and stalling the database server is how tests inject faults.
//
// It is the low layer both ovsdb/ovstest and sim build on: it imports only
// ovsdb and netns.
package ovsproc
