// Package sim simulates, on one Linux machine, hosts running Open vSwitch
// and the guests attached to them, for labs, demos and integration tests.
//
//   - A World owns everything it creates, under one name prefix
//     ("ovskit-" by default): New starts one, Close tears it all down, also
//     after a failure, and Cleanup removes what a kept world left.
//   - A Host is a network namespace running its own private ovsdb-server
//     and ovs-vswitchd (userspace datapath), with their files in the
//     world's state directory; Host.Client is connected to it.
//   - A Guest is, by default, a namespace whose eth0 is one end of a
//     veth; the other end, with the tutorial's name (vif0.0), is in its
//     host's namespace and is attached to a bridge: qemu's if-up step
//     (Attach, Detach). With Config.Guests = QemuGuests (the lab
//     programs' -guests=qemu) a guest is a real VM (package qemu): qemu
//     runs in its host's namespace with the tutorial's arguments, and the
//     tutorial's if-up and if-down scripts, written per bridge into the
//     host's directory (if-up, if-up1, ...), attach its tap by running
//     `ovskit add-port $bridge $1` with the ovskit command in place of
//     ovs-vsctl. Its probes (Ping, DHCP with udhcpc, DefaultGateway) run
//     inside the VM and report what the VM printed; probes wait until
//     every VM of the world has booted, and Run reports each boot time.
//   - An Underlay is a layer-2 segment (a Linux bridge in a namespace of
//     its own) that hosts Join with an address, optionally through a
//     userspace bridge such as br-phy so that tunnels terminate there.
//   - Helper namespaces (a router, an upstream network) come from
//     World.Namespace; ServeDHCP runs the embedded DHCP server in one.
//
// Probes (Node.Ping, Guest.Ping, Guest.DHCP) run inside namespaces or VMs.
// Nothing is created in, or sent from, the caller's own network
// namespace. Close stops the VMs (their if-down scripts run) before the
// hosts' servers; Cleanup stops whatever still runs in the world's
// namespaces, qemu included.
//
// A Lab is a scenario recorded in a Report, one Check per probe or read,
// each with what was expected and what was observed. Run runs a Lab in a
// fresh World; Main is the whole main function of a lab program, with
// -keep, a cleanup command and teardown on Ctrl-C. The tutorial's labs,
// in examples/labs, are built this way.
//
// OVS is a private ovsdb-server (and ovs-vswitchd) by itself, stopped by
// pid; ovsdb/ovstest builds its test servers on it.
//
// Everything here needs root and the Open vSwitch programs; Supported
// says whether they are there.
package sim
