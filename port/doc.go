// Package port adds and deletes ports, including bonds, with their first
// Port and Interface columns in the same insert, and with ovs-vsctl's
// checks: a name already used by a bridge, port or interface is refused,
// MayExist accepts an existing port only on the same bridge with the same
// interfaces, and Delete refuses a bridge's own local port.
//
// Options compose: vlan.Tag(10) and vlan.Trunks are port options,
// WithIface takes the iface package's options (type, options, MTU), and
// Settings takes ovs-vsctl's COLUMN[:KEY]=VALUE syntax for anything else.
//
// Adding a port to a real bridge by name uses index lookups only: its cost
// does not grow with the bridge's size, and concurrent adds to one bridge
// do not conflict.
package port
