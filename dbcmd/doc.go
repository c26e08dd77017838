// Package dbcmd has ovs-vsctl's generic database commands for any table:
// get, set, add, remove, clear, list, find, create, destroy and
// wait-until, with ovs-vsctl's record names (a bridge, port or interface
// by name, a controller by its bridge, a manager by target, any row by
// UUID or UUID prefix, "." for the only row) and its value syntax:
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
