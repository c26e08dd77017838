// Command trunk runs a lab beyond the tutorial (see examples/labs):
// two bridges joined by a veth whose ends are trunk ports
// carrying VLANs 10 and 11 only; VLAN 12 is not carried.
//
//	sudo go run ./examples/trunk [-keep] [-prefix P] [-v]
//	sudo go run ./examples/trunk cleanup
package main

import (
	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/sim"
)

func main() { sim.Main(labs.Trunk) }
