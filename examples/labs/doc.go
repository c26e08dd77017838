// Package labs is the tutorial's six labs (../shared/LABS.md), written
// against ovskit's public API only, plus five variants beyond it. Each lab
// is a sim.Lab: it builds its topology from nothing on this one machine
// (hosts are namespaces with private ovsdb-server and ovs-vswitchd; guests
// are namespaces wired to the hosts' bridges), checks every expected "can
// reach" and "cannot reach" with real packets from inside the guests,
// checks the database state the tutorial shows, and records each check
// in its report. The comments quote the tutorial's commands each step
// stands for.
//
// The programs under examples/ run them: examples/lab1 ... examples/lab6,
// examples/lab2-patch, lab3-dnsmasq, lab4-vxlan, lab4-geneve and trunk one
// at a time;
// examples/all the six in order (make labs); examples/variants the five
// variants. Labs build on each other as in the tutorial: lab 2 goes on
// from lab 1's topology, labs 4 to 6 from lab 3's DHCP server and vm4.
//
// Names follow the tutorial: namespaces ovskit-instance_001 (hosts),
// ovskit-vm1 ... ovskit-vm7 (guests), ovskit-r0 (lab 3's DHCP server),
// ovskit-router (lab 6's router), ovskit-underlay (the "host-only"
// network 192.168.100.0/24), ovskit-upstream and ovskit-internet (lab 6's
// outside, with documentation addresses only).
//
// With -guests=qemu (make labs-qemu) the guests are real VMs instead, as
// the tutorial runs them: qemu with the tutorial's arguments on tap
// devices vif0.0 ..., attached by the tutorial's if-up scripts running the
// ovskit command; every probe (ping, udhcpc, the default route) runs
// inside the VM. The labs are the same code: a guest is a sim.Guest
// either way. Lab 6's capture of what reaches vm4 is taken on vm4's tap,
// which carries exactly what the VM's NIC receives.
package labs
