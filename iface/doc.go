// Package iface configures interfaces (the Interface table): types
// (system, internal, tap, patch and the tunnel types), options, requested
// MTU, MAC and OpenFlow port number, external ids; it reads their live
// state (ofport, link and admin state, error, statistics) and creates
// patch port pairs on two bridges in one transaction.
//
// An interface is created with its port (see package port); the options
// here are applied to the new row before it is inserted, or to an
// existing interface with Set.
package iface
