// Package dbcmd has the generic database commands of ovs-vsctl and
// ovn-nbctl for any table of any schema: get, set, add, remove, clear,
// list, find, create, destroy and wait-until, with the record names the
// database's tool accepts and their value syntax. Any row is named by
// UUID or UUID prefix, "." names the only row of a table; on
// Open_vSwitch, as ovs-vsctl: a bridge, port or interface by name, a
// controller by its bridge, a manager by target; on OVN_Northbound, as
// ovn-nbctl: a switch, port, router, port group, load balancer, meter
// and more by name (a switch, port or router also by its Neutron name in
// external_ids), DHCP options by a port that uses them, a connection by
// target. Values:
//
//	COLUMN=VALUE                  a whole value: 10, [1,2], {k=v}, "quoted"
//	COLUMN:KEY=VALUE              one key of a map
//	COLUMN[:KEY]OP VALUE          a condition (find, wait-until); OP is
//	                              = != < > <= >= {=} {!=} {<} {>} {<=} {>=} {in} {not-in}
//
// Column and table names may be abbreviated to a unique prefix. Values are
// checked against the schema (types, enums, ranges, sizes) before
// anything is written. Where a column is known at compile time, prefer the
// typed packages (bridge, port, iface, vlan, tunnel) or ovsdb's models.
package dbcmd
