// Package bridge adds, deletes and inspects bridges, with ovs-vsctl's
// semantics: a bridge is created with its local port and internal
// interface, deleting one removes its ports, interfaces and fake bridges,
// and MayExist accepts an existing bridge only if it is of the same kind.
//
// # Commands and queries
//
// Writes are ovsdb.Command values, so that any number of them, from this
// package and from port, iface, vlan, tunnel and dbcmd, commit in one
// atomic transaction:
//
//	_, err := client.Transact(ctx,
//		bridge.Add("br0", bridge.DatapathType("netdev"), bridge.FailMode(vswitchdb.BridgeFailModeSecure)),
//		bridge.SetController("br0", []string{"tcp:192.0.2.1:6653"}))
//
// Reads take the *ovsdb.Tx of a View or Do, and the commit verifies what
// they read:
//
//	err := client.View(ctx, func(tx *ovsdb.Tx) error {
//		names, err := bridge.List(tx, bridge.All)
//		...
//	})
//
// # Fake bridges, controllers, managers, SSL
//
// AddFake makes a VLAN of a real bridge look like a bridge of its own
// (ovs-vsctl add-br NAME PARENT VLAN). SetController, SetFailMode,
// SetManager and SetSSL replace the corresponding settings. Show returns
// the whole switch as a tree that prints like ovs-vsctl show.
package bridge
