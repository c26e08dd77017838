// Package vsctl is the command machinery that the public packages bridge,
// port, iface, vlan, tunnel and dbcmd share: ovs-vsctl's view of the
// switch (bridges, fake bridges, ports and interfaces by name, with its
// verification of what a command read), its record naming, its value
// syntax, and the commands themselves. It follows ovs-vsctl's behaviour
// (utilities/ovs-vsctl.c, lib/db-ctl-base.c), checked by the differential
// suite in cmd/ovskit, without its code.
package vsctl
