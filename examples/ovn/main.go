// Command ovn runs the tutorial's multi-host networks on OVN: an OVN
// central (a 3-member Northbound cluster, Southbound, ovn-northd) and
// chassis (namespaces with ovsdb-server, ovs-vswitchd and ovn-controller)
// on one underlay, every check made with real packets, then tears it all
// down; `make labs-ovn` runs it.
//
//	sudo go run ./examples/ovn [-keep] [-prefix P] [-v]
//	sudo go run ./examples/ovn cleanup
package main

import (
	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/sim"
)

func main() { sim.Main(labs.OVN()...) }
