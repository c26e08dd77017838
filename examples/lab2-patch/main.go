// Command lab2-patch runs a lab beyond the tutorial (see examples/labs):
// lab 2 with the two bridges joined by an OVS patch port pair
// instead of a veth.
//
//	sudo go run ./examples/lab2-patch [-keep] [-prefix P] [-v]
//	sudo go run ./examples/lab2-patch cleanup
package main

import (
	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/sim"
)

func main() { sim.Main(labs.Lab2Patch) }
