// Package nb is ovn-nbctl as a library: the commands on the
// OVN_Northbound database (logical switches and their ports, addresses
// and DHCP options, logical routers and their ports, NAT, static routes,
// ACLs and port groups) as typed calls with ovn-nbctl's semantics and
// validation, on package ovsdb's client and transactions (dial it with
// ovsdb.WithDatabase(nbdb.Database())).
//
// Commands that write return an ovsdb.Command: several run in one atomic
// transaction (Client.Transact), as ovn-nbctl's commands chained with
// "--" do, each seeing what the ones before it did. Reads take the
// transaction's snapshot (*ovsdb.Tx) and return typed values: an Item is
// a row as ovn-nbctl lists it, "UUID (name)".
//
// Errors are *Error values with ovn-nbctl's messages word for word, which
// wrap ovsdb.ErrNotFound, ovsdb.ErrExists or ovsdb.ErrInvalid. Every
// exported call ends its documentation with the ovn-nbctl command line it
// stands for; `ovskit nbctl` runs those command lines through it, and a
// differential test proves them equal to ovn-nbctl.
package nb
