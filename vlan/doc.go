// Package vlan sets the VLAN configuration of ports: the access tag,
// trunks and vlan_mode, validated (IDs 0 to 4095, no duplicate trunks)
// before anything is written. Tag, Trunks and Mode are options of
// port.Add; SetTag, RemoveTag, SetTrunks, AddTrunks, RemoveTrunks and
// SetMode change an existing port.
//
// The package is small on purpose: it is the tutorial's vocabulary ("set
// port vif0.0 tag=10", "remove Port vif0.0 tag 10") with types and
// checks, on top of package port.
package vlan
